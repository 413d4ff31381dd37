from collections import Counter
from pathlib import Path

from skillner.annotate.convert import make_record
from skillner.annotate.dotin import clean_chunk, import_dotin, parse_dotin

ROOT = Path(__file__).resolve().parents[1]


def spans_text(resume):
    return [(resume.text[s.start:s.end], s.label) for s in resume.spans]


def test_text_content_entities_and_label_map():
    r = parse_dotin('<cv>R&amp;D at <label type="Companies worked at">ACME</label>: '
                    '<label type="Tech Tools">C&amp;C++</label> &lt;3</cv>', "d1")
    assert r.text == "R&D at ACME: C&C++ <3"
    assert spans_text(r) == [("C&C++", "TECH_TOOL")]
    assert r.fixes["dropped_label"] == 1
    assert r.source_labels == Counter({"Companies worked at": 1, "Tech Tools": 1})


def test_double_escaped_entity_is_decoded_and_counted():
    r = parse_dotin('<cv>Q&amp;amp;A <label type="Soft Skills">give &amp;amp; take</label></cv>', "d2")
    assert r.text == "Q&A give & take"
    assert spans_text(r) == [("give & take", "SOFT_SKILL")]
    assert r.fixes["double_escaped_entity"] == 2


def test_whitespace_is_trimmed_from_spans_and_counted():
    r = parse_dotin('<cv>Skills:<label type="Tech Tools">  Java\n</label>, '
                    '<label type="Job Specific Skills">   </label>end</cv>', "d3")
    assert spans_text(r) == [("Java", "TECH_TOOL")]
    assert r.fixes["whitespace_trimmed"] == 1
    assert r.fixes["empty_span"] == 1


def test_escaped_utf8_bytes_and_private_use_bullets():
    counts = Counter()
    assert clean_chunk("a \\xe2\\x80\\xa2 b \uf0a7 c", counts) == "a • b • c"
    assert counts["escaped_utf8_bytes"] == 1 and counts["private_use_bullet"] == 1


def test_empty_resume():
    r = parse_dotin("<cv></cv>", "empty")
    assert r.text == "" and r.spans == []
    record, report = make_record(r.text, r.spans, {"id": "empty"})
    assert record["spans"] == [] and record["tokens"] == [] and report.spans_in == 0


def test_misaligned_span_is_expanded_and_listed():
    r = parse_dotin('<cv>Expert in P<label type="Job Specific Skills">redictive Modeling</label>, SQL</cv>', "d4")
    record, report = make_record(r.text, r.spans, {"id": "d4"})
    assert [(s["start"], s["end"]) for s in record["spans"]] == [(10, 29)]
    assert report.counts["expanded"] == 1
    (problem,) = report.problems
    assert (problem.doc_id, problem.kind, problem.text, problem.aligned_text) == (
        "d4", "expanded", "redictive Modeling", "Predictive Modeling")


def test_span_overlapping_after_expansion_is_listed_not_dropped_silently():
    r = parse_dotin('<cv><label type="Tech Tools">Java</label><label type="Tech Tools">Script</label> dev</cv>', "d5")
    record, report = make_record(r.text, r.spans, {"id": "d5"})
    assert len(record["spans"]) == 1
    assert report.counts == Counter({"expanded": 1, "overlap": 1})  # each span has exactly one fate
    assert report.spans_in == 2 and report.spans_kept == 1
    assert {p.kind for p in report.problems} == {"expanded", "overlap"}


def test_real_corpus_import_accounts_for_every_span(tmp_path):
    summary = import_dotin(ROOT / "corpus" / "dotin", tmp_path / "d.jsonl.gz", tmp_path / "r.json")
    assert summary["resumes"] == 307
    a = summary["alignment"]
    assert a["spans_in"] > 7000
    assert a["spans_in"] == a["spans_kept"] + a["counts"].get("overlap", 0) + a["counts"].get("empty", 0)
    assert len(a["problems"]) == sum(a["counts"].values())
    assert len(summary["resumes_without_skill_spans"]) == 27
    assert summary["text_repairs"]["whitespace_trimmed"] > 50
    # the committed canonical file is what the importer produces
    assert (tmp_path / "d.jsonl.gz").read_bytes() == (ROOT / "annotations" / "dotin.jsonl.gz").read_bytes()
