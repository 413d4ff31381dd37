"""The canonical JSONL <-> DocBin round trip, and the foreign shapes users bring."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from skillner.annotate.convert import (
    CharSpan,
    docs_to_records,
    make_record,
    read_docbin,
    read_jsonl,
    records_to_docs,
    write_docbin,
    write_jsonl,
)

LABELS = ["TECH_TOOL", "JOB_SKILL", "SOFT_SKILL"]
WORDS = st.sampled_from(["Java", "node.js/React", "C++(STL)", "SQL,", "•Excel", "team-work", "Élan",
                         "données", "R&D", "\n", "  ", "-", "Git-", "5", "Ms.", "Python"])


@st.composite
def labelled_texts(draw):
    words = draw(st.lists(WORDS, min_size=0, max_size=25))
    text = " ".join(words)
    spans = []
    for _ in range(draw(st.integers(0, 6))):
        if not text:
            break
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, min(len(text), start + 20)))
        spans.append(CharSpan(start, end, draw(st.sampled_from(LABELS))))
    return text, spans


def span_set(record):
    return [(s["start"], s["end"], s["label"]) for s in record["spans"]]


@settings(max_examples=150, deadline=None)
@given(labelled_texts())
def test_every_span_is_kept_or_reported_and_survives_docbin_round_trip(tmp_path_factory, sample):
    text, spans = sample
    record, report = make_record(text, spans, {"id": "x"})
    # nothing is dropped silently
    assert report.spans_in == len(spans)
    assert report.spans_kept == len(record["spans"])
    assert report.spans_in - report.spans_kept == report.counts["overlap"] + report.counts["empty"]
    # every kept span lies on token boundaries, with Prodigy's inclusive token_end
    tokens = record["tokens"]
    for s in record["spans"]:
        assert tokens[s["token_start"]]["start"] == s["start"]
        assert tokens[s["token_end"]]["end"] == s["end"]
    path = tmp_path_factory.mktemp("db") / "x.spacy"
    docs, second = records_to_docs([record])
    assert second.counts.get("overlap", 0) == 0 and second.counts.get("expanded", 0) == 0
    write_docbin(path, docs)
    (back,) = docs_to_records(read_docbin(path))
    assert back["text"] == text
    assert span_set(back) == span_set(record)
    assert back["_task_hash"] == record["_task_hash"] and back["_input_hash"] == record["_input_hash"]
    assert back["meta"]["id"] == "x"


def test_doccano_shapes_and_prodigy_answers(tmp_path):
    text = "Skills: Python, teamwork"
    rows = [
        {"id": 1, "text": text, "label": [[8, 14, "Tech Tools"], [16, 24, "Soft Skills"]]},
        {"id": 2, "text": text, "entities": [{"id": 7, "label": "TECH_TOOL", "start_offset": 8, "end_offset": 14}],
         "relations": []},
        {"id": 3, "text": text, "annotations": [{"label": "Location", "start_offset": 8, "end_offset": 14}]},
        {"text": text, "spans": [{"start": 8, "end": 14, "label": "TECH_TOOL"}], "answer": "reject"},
        {"text": text, "spans": [], "answer": "ignore"},
    ]
    path = tmp_path / "mixed.jsonl"
    write_jsonl(path, rows)
    docs, report = records_to_docs(read_jsonl(path))
    assert [[(e.text, e.label_) for e in d.ents] for d in docs] == [
        [("Python", "TECH_TOOL"), ("teamwork", "SOFT_SKILL")], [("Python", "TECH_TOOL")], []]
    assert report.counts["unknown_label"] == 1
    assert report.counts["skipped_reject"] == 1 and report.counts["skipped_ignore"] == 1


def test_gzip_jsonl_round_trip_is_byte_stable(tmp_path):
    rows = [{"text": "é", "n": 1}, {"text": "b", "n": 2}]
    a, b = tmp_path / "a.jsonl.gz", tmp_path / "b.jsonl.gz"
    write_jsonl(a, rows)
    write_jsonl(b, rows)
    assert read_jsonl(a) == rows
    assert a.read_bytes() == b.read_bytes()
    assert json.dumps(read_jsonl(a)[0], ensure_ascii=False) == '{"text": "é", "n": 1}'


def test_split_docbins_leave_unannotated_resumes_out_but_keep_an_all_file(tmp_path):
    from pathlib import Path

    from skillner.annotate.convert import write_split_docbins

    root = Path(__file__).resolve().parents[1]
    summary = write_split_docbins(root / "annotations" / "dotin.jsonl.gz", root / "annotations" / "splits", tmp_path)
    assert {k: (v["docs"], v["all_docs"]) for k, v in summary.items()} == {
        "train": (198, 215), "dev": (43, 46), "test": (39, 46)}
    train = read_docbin(tmp_path / "train.spacy")
    assert all(doc.ents for doc in train)
    assert "dotin-116" in summary["train"]["without_skill_spans"]  # 7,879 words, only a name labelled
    everything = read_docbin(tmp_path / "test-all.spacy")
    assert sum(1 for d in everything if not d.ents) == len(summary["test"]["without_skill_spans"]) == 7


@settings(max_examples=100, deadline=None)
@given(labelled_texts())
def test_doccano_prodigy_docbin_round_trip_keeps_alignable_spans(tmp_path_factory, sample):
    from skillner.annotate.convert import to_doccano

    text, spans = sample
    record, _ = make_record(text, spans, {"id": "y"})
    doccano = to_doccano(record)
    assert "spans" not in doccano
    docs, report = records_to_docs([doccano])
    assert not report.counts  # aligned spans stay aligned: nothing expanded, nothing lost
    path = tmp_path_factory.mktemp("db") / "y.spacy"
    write_docbin(path, docs)
    (back,) = docs_to_records(read_docbin(path))
    assert span_set(back) == span_set(record) == [tuple(x) for x in to_doccano(back)["label"]]


def test_import_labels_cli_converts_doccano_to_prodigy_and_back(tmp_path):
    from typer.testing import CliRunner

    from skillner.cli import app

    source = tmp_path / "doccano.jsonl"
    write_jsonl(source, [{"id": 9, "text": "Java, SQL", "label": [[0, 4, "Tech Tools"], [2, 9, "Tech Tools"],
                                                               [6, 9, "Name"]]}])
    out = CliRunner().invoke(app, ["import-labels", str(source), str(tmp_path / "p.jsonl")])
    assert out.exit_code == 0, out.output
    assert "'overlap': 1" in out.output and "'unknown_label': 1" in out.output and "not kept" in out.output
    (record,) = read_jsonl(tmp_path / "p.jsonl")
    assert [(s["start"], s["end"], s["label"], s["token_end"]) for s in record["spans"]] == [(0, 4, "TECH_TOOL", 0)]
    back = CliRunner().invoke(app, ["import-labels", str(tmp_path / "p.jsonl"), str(tmp_path / "d.jsonl"),
                                    "--to", "doccano"])
    assert back.exit_code == 0
    assert read_jsonl(tmp_path / "d.jsonl")[0]["label"] == [[0, 4, "TECH_TOOL"]]


def test_skillspan_postings_become_labelled_training_docs(tmp_path):
    """Both BIO layers become entities with the mapped labels; the longer of two overlapping spans wins."""
    import json as _json

    from skillner.annotate.convert import read_docbin, skillspan_docbin

    lines = [
        {"idx": 0, "tokens": ["Build", "data", "pipelines", "in", "Python"], "source": "tech",
         "tags_skill": ["B", "I", "I", "O", "O"], "tags_knowledge": ["O", "B", "O", "O", "B"]},
        {"idx": 0, "tokens": ["Team", "work", "."], "source": "tech",
         "tags_skill": ["B", "I", "O"], "tags_knowledge": ["O", "O", "O"]},
        {"idx": 1, "tokens": ["SQL"], "source": "house", "tags_skill": ["O"], "tags_knowledge": ["B"]},
    ]
    src = tmp_path / "train.json"
    src.write_text("\n".join(_json.dumps(line) for line in lines) + "\n")
    counts = skillspan_docbin(src, tmp_path / "skillspan.spacy")
    docs = read_docbin(tmp_path / "skillspan.spacy")
    assert counts["postings"] == 2 and counts["spans"] == 4 and counts["merged_overlap_dropped"] == 1
    assert [(e.text, e.label_) for e in docs[0].ents] == [
        ("Build data pipelines", "JOB_SKILL"), ("Python", "TECH_TOOL"), ("Team work", "JOB_SKILL")]
    assert docs[0].text == "Build data pipelines in Python\nTeam work ."
    assert [(e.text, e.label_) for e in docs[1].ents] == [("SQL", "TECH_TOOL")]
