"""Labelled-data loaders under bad input: a one-line error naming file and line, or a result
whose skipped records and spans are counted and listed; never a traceback.

Every labelled-data command (`import-labels`, `annotations check|fix`, `evaluate`) goes
through `convert.read_records`/`load_labelled` and `check_records`, so the CLI cases here
cover them all; the property tests feed the loaders arbitrary JSON and arbitrary bytes.
"""

import gzip
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from skillner.annotate.convert import (
    RECORD_PROBLEMS,
    SPAN_PROBLEMS,
    LabelledDataError,
    check_records,
    load_labelled,
    read_docbin,
    read_jsonl,
    read_records,
    records_to_docs,
    write_docbin,
)
from skillner.cli import app
from skillner.measure.quality import load_documents

TEXT = "Skills: Python, SQL and teamwork"
GOOD = {"text": TEXT, "spans": [{"start": 8, "end": 14, "label": "TECH_TOOL"}], "meta": {"id": "good"}}


def jsonl(*values) -> bytes:
    return b"".join((v if isinstance(v, bytes) else json.dumps(v).encode()) + b"\n" for v in values)


def span(**fields) -> dict:
    return {"text": TEXT, "spans": [{"start": 8, "end": 14, "label": "TECH_TOOL", **fields}], "meta": {"id": "bad"}}


@pytest.fixture(scope="module")
def small_model(tmp_path_factory) -> Path:
    """A pipeline that finds "Python": evaluate's CLI without loading the shipped model."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "TECH_TOOL", "pattern": "Python"}])
    path = tmp_path_factory.mktemp("model") / "ruler"
    nlp.to_disk(path)
    return path


def invoke(*args):
    """Run the CLI in-process; an exception escaping the command fails the test (it would be a traceback)."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args}: traceback instead of an error line") from result.exception
    assert "Traceback" not in result.output and "Aborted" not in result.output  # click's answer to an EOFError
    return result


def commands(path: Path, tmp_path: Path, model: Path) -> list[tuple]:
    return [("import-labels", path, tmp_path / "out.jsonl"), ("annotations", "check", path),
            ("annotations", "fix", path, "--out", tmp_path / "fixed.jsonl"),
            ("evaluate", path, "--model", model, "--bootstrap", "20")]


# --- a file that cannot be read is one error line, with file and line -------------------------
def truncated_gzip() -> bytes:
    whole = gzip.compress(jsonl(*[GOOD] * 300))
    return whole[: len(whole) // 2]


FATAL = {
    "bad_json_line": ("x.jsonl", jsonl(GOOD, b'{"text": "a", oops'), ":2: not JSON"),
    "deep_nesting": ("x.jsonl", jsonl(GOOD, b"[" * 100_000 + b"]" * 100_000), ":2: JSON nested too deeply"),
    "not_utf8": ("x.jsonl", jsonl(GOOD) + b'{"text": "caf\xe9"}\n', ":2: not UTF-8"),
    "utf16": ("x.jsonl", json.dumps(GOOD).encode("utf-16"), ":1: not UTF-8 text (byte 1 of the line) (UTF-16?"),
    "lone_surrogate": ("x.jsonl", jsonl(GOOD, b'{"text": "\\ud800 x"}'), ":2: a lone UTF-16 surrogate"),
    "truncated_gzip": ("x.jsonl.gz", truncated_gzip(), ": corrupt or truncated gzip"),
    "corrupt_gzip": ("x.jsonl.gz", gzip.compress(jsonl(GOOD))[:12] + b"\xff" * 40, ": corrupt or truncated gzip"),
    "huge_number": ("x.jsonl", jsonl(GOOD, b'{"text": "a", "n": ' + b"9" * 5000 + b"}"), ":2: not JSON: Exceeds"),
    "empty": ("x.jsonl", b"", ": no records: the file is empty"),
    "blank_lines": ("x.jsonl", b"\n \n\r\n", ": no records: the file is empty"),
}


@pytest.mark.parametrize("case", sorted(FATAL))
def test_an_unreadable_file_is_one_error_line_naming_file_and_line(tmp_path, small_model, case):
    name, data, expected = FATAL[case]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(LabelledDataError) as raised:
        load_labelled(path)
    assert str(raised.value).startswith(f"{path}{expected}")
    for args in commands(path, tmp_path, small_model):
        result = invoke(*args)
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr.strip().splitlines()[-1] == f"error: {raised.value}", args


def test_a_spacy_file_that_is_not_a_docbin_is_an_error(tmp_path, small_model):
    for data in (b"", b"hello world", gzip.compress(b"not msgpack")):
        path = tmp_path / "x.spacy"
        path.write_bytes(data)
        with pytest.raises(LabelledDataError, match="not a spaCy DocBin"):
            read_docbin(path)
        for args in (("import-labels", path, tmp_path / "o.jsonl"), ("evaluate", path, "--model", small_model)):
            result = invoke(*args)
            assert result.exit_code == 1 and f"error: {path}: not a spaCy DocBin" in result.stderr


def test_an_empty_docbin_and_a_directory_are_errors(tmp_path, small_model):
    empty = tmp_path / "empty.spacy"
    write_docbin(empty, [])
    with pytest.raises(LabelledDataError, match="no documents in this DocBin"):
        load_labelled(empty)
    with pytest.raises(LabelledDataError, match="cannot read"):
        read_jsonl(tmp_path)
    for args in commands(tmp_path, tmp_path, small_model):
        assert invoke(*args).exit_code == 1


def test_gzip_is_told_by_its_bytes_and_a_bom_is_skipped(tmp_path):
    plain = tmp_path / "named.gz"
    plain.write_bytes(b"\xef\xbb\xbf" + jsonl(GOOD))
    packed = tmp_path / "named.jsonl"
    packed.write_bytes(gzip.compress(b"\xef\xbb\xbf" + jsonl(GOOD, GOOD)))
    assert read_jsonl(plain) == [GOOD] and read_jsonl(packed) == [GOOD, GOOD]


# --- a bad record or span is skipped, counted and listed with its line ------------------------
SKIPPED = {
    "not_an_object": ([1, 2], "not_an_object"),
    "null_line": (None, "not_an_object"),
    "no_text": ({"spans": []}, "missing_text"),
    "text_not_string": ({"text": 5, "spans": []}, "missing_text"),
    "spans_not_list": ({"text": TEXT, "spans": {"start": 8}}, "malformed_spans"),
    "doccano_label_not_list": ({"text": TEXT, "entities": "Python"}, "malformed_spans"),
    "no_label": (span(label=None), "no_label"),
    "label_missing": ({"text": TEXT, "spans": [{"start": 8, "end": 14}]}, "no_label"),
    "label_number": (span(label=3), "no_label"),
    "reversed": (span(start=14, end=8), "reversed_span"),
    "string_offsets": (span(start="8"), "bad_offsets"),
    "float_offsets": (span(end=14.5), "bad_offsets"),
    "bool_offsets": (span(start=True), "bad_offsets"),
    "outside_text": (span(end=400), "outside_text"),
    "negative": (span(start=-2), "outside_text"),
    "span_not_object": ({"text": TEXT, "spans": ["Python"]}, "malformed_span"),
    "doccano_triple": ({"text": TEXT, "label": [[8, 14]]}, "malformed_span"),
}


@pytest.mark.parametrize("case", sorted(SKIPPED))
def test_a_bad_record_or_span_is_skipped_counted_and_listed(tmp_path, small_model, case):
    value, kind = SKIPPED[case]
    path = tmp_path / "x.jsonl"
    path.write_bytes(jsonl(GOOD, value, {**GOOD, "meta": {"id": "last"}}))
    docs, report = load_labelled(path)
    assert report.records == 3 and report.counts[kind] == 1
    (problem,) = report.input_problems
    assert (problem.kind, problem.line) == (kind, 2)
    expected_docs = 2 if kind in RECORD_PROBLEMS else 3
    assert [d.user_data["id"] for d in docs][-1] == "last" and len(docs) == expected_docs
    assert sum(len(d.ents) for d in docs) == 2  # the good records keep their spans
    for args in commands(path, tmp_path, small_model):
        result = invoke(*args)
        assert result.exit_code == 0, (args, result.output)
        assert "skipped: line 2 (id " in result.stderr and f": {kind}: " in result.stderr, args
        assert kind in result.stdout, args  # the counts are part of the command's output


def test_offsets_that_are_whole_numbers_in_a_float_are_still_refused():
    """JSON 8.0 is not an offset: truncating 8.5 silently used to move the span."""
    _, report = check_records([span(start=8.0)])
    assert report.counts == Counter(bad_offsets=1)


def test_odd_answers_and_meta_are_not_errors():
    checked, report = check_records([{**GOOD, "answer": ["reject"], "meta": "m"}, {**GOOD, "answer": "reject"}])
    assert [c.doc_id for c in checked] == ["0"] and report.counts == Counter(skipped_reject=1)


def test_fix_leaves_bad_spans_out_and_counts_them(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(jsonl(GOOD, span(start="a"), {"text": 1}))
    result = invoke("annotations", "fix", path, "--out", tmp_path / "fixed.jsonl")
    assert result.exit_code == 0
    assert "skipped:bad_offsets 1" in result.stdout and "skipped:missing_text 1" in result.stdout
    assert [r["meta"]["id"] for r in read_jsonl(tmp_path / "fixed.jsonl")] == ["good", "bad"]


# --- evaluate: nothing to score is an error; the bootstrap count is checked --------------------
def test_evaluate_with_nothing_to_score_exits_non_zero(tmp_path, small_model):
    rejected = tmp_path / "rejected.jsonl"
    rejected.write_bytes(jsonl({**GOOD, "answer": "reject"}, {**GOOD, "answer": "ignore"}, {"spans": []}))
    result = invoke("evaluate", rejected, "--model", small_model)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {rejected}: no documents with text: all 3 records skipped "
                                    "(missing_text 1, skipped_ignore 1, skipped_reject 1); first: line 3")


def test_evaluate_bootstrap_zero_means_no_interval_and_negative_is_an_error(tmp_path, small_model):
    path = tmp_path / "x.jsonl"
    path.write_bytes(jsonl(GOOD))
    result = invoke("evaluate", path, "--model", small_model, "--bootstrap", "0", "--json")
    assert result.exit_code == 0
    scores = json.loads(result.stdout)
    assert scores["ci95"]["untyped_strict_f"] is None and scores["untyped"]["strict"]["f"] == 1.0
    assert "no bootstrap interval" in invoke("evaluate", path, "--model", small_model, "--bootstrap", "0").stdout
    result = invoke("evaluate", path, "--model", small_model, "--bootstrap", "-1")
    assert result.exit_code == 1 and "--bootstrap must be 0 (no interval) or more" in result.stderr


def test_evaluate_on_a_folder_that_is_no_pipeline_is_an_error(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(jsonl(GOOD))
    (tmp_path / "model").mkdir()
    result = invoke("evaluate", path, "--model", tmp_path / "model")
    assert result.exit_code == 1 and result.stderr.startswith("error: cannot load the model")


@pytest.mark.slow
def test_truncated_gzip_is_an_error_line_in_a_real_process_not_aborted(tmp_path):
    """Click turns an EOFError into a bare "Aborted!": the truncated gzip used to end that way."""
    path = tmp_path / "x.jsonl.gz"
    path.write_bytes(truncated_gzip())
    done = subprocess.run([sys.executable, "-m", "skillner.cli", "import-labels", str(path), str(tmp_path / "o.jsonl")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Aborted" not in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"error: {path}: corrupt or truncated gzip")


# --- properties: arbitrary JSON and bytes give a result or a LabelledDataError ------------------
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12)
OFFSET = st.integers(-5, 60) | JSON


@st.composite
def mutated_records(draw):
    """Valid Prodigy or Doccano records with wrong types, missing keys, bad offsets and garbage mixed in."""
    text = draw(st.sampled_from([TEXT, "", "Python", "é\n\x00 C++"]) | st.text(max_size=30))
    record: dict = {"text": text}
    entries = []
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.integers(0, len(text)))
        entry = {"start": start, "end": draw(st.integers(start, len(text))),
                 "label": draw(st.sampled_from(["TECH_TOOL", "Tech Tools", "Name", ""]))}
        for key in draw(st.lists(st.sampled_from(["start", "end", "label"]), max_size=2)):
            if draw(st.booleans()):
                entry.pop(key, None)
            else:
                entry[key] = draw(OFFSET)
        entries.append(entry if draw(st.integers(0, 9)) else draw(JSON))
    shape = draw(st.sampled_from(["spans", "label", "entities"]))
    if shape == "spans":
        record["spans"] = entries
    elif shape == "label":
        record["label"] = [[e.get("start"), e.get("end"), e.get("label")] if isinstance(e, dict) else e
                           for e in entries]
    else:
        record["entities"] = [{"start_offset": e.get("start"), "end_offset": e.get("end"), "label": e.get("label")}
                              if isinstance(e, dict) else e for e in entries]
    for key in draw(st.lists(st.sampled_from(["text", shape, "meta", "answer", "id"]), max_size=2)):
        record[key] = draw(JSON)
    return record if draw(st.integers(0, 9)) else draw(JSON)


def accounted(values: list, lines: list[int]) -> None:
    """Every record becomes a document or is counted; every problem names a line of the file."""
    docs, report = records_to_docs(values, lines=lines)
    skipped = sum(n for kind, n in report.counts.items() if kind in RECORD_PROBLEMS or kind.startswith("skipped_"))
    assert len(docs) + skipped == report.records == len(values)
    assert set(report.counts) <= {*RECORD_PROBLEMS, *SPAN_PROBLEMS, "unknown_label", "skipped_reject",
                                  "skipped_ignore", "expanded", "overlap", "empty"}
    assert all(p.line in lines for p in report.input_problems)
    assert len(report.input_problems) == sum(report.counts[k] for k in (*RECORD_PROBLEMS, *SPAN_PROBLEMS))
    documents, loaded = load_documents(values, lines)
    assert len(documents) + sum(loaded.counts[k] for k in RECORD_PROBLEMS) == len(values)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(mutated_records() | JSON, min_size=1, max_size=6))
def test_arbitrary_json_lines_give_documents_or_counted_problems(tmp_path, values):
    path = tmp_path / "fuzz.jsonl"
    path.write_text("".join(json.dumps(v) + "\n" for v in values), encoding="utf-8")
    read, lines = read_records(path)
    assert json.dumps(read) == json.dumps(values) and lines == list(range(1, len(values) + 1))
    accounted(read, lines)
    try:
        load_labelled(path)
    except LabelledDataError as err:
        assert str(err).startswith(f"{path}: no documents with text")


BYTES = st.one_of(
    st.binary(max_size=200),
    st.binary(max_size=200).map(gzip.compress),
    st.tuples(st.binary(max_size=200), st.integers(0, 250)).map(lambda b: gzip.compress(b[0])[:b[1]]),
    st.tuples(st.lists(mutated_records(), max_size=4), st.integers(0, 400), st.booleans()).map(
        lambda t: (gzip.compress(jsonl(*t[0])) if t[2] else jsonl(*t[0]))[:t[1]]),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(BYTES, st.sampled_from(["x.jsonl", "x.jsonl.gz", "x.spacy"]))
def test_arbitrary_bytes_give_documents_or_a_labelled_data_error(tmp_path, data, name):
    path = tmp_path / name
    path.write_bytes(data)
    try:
        docs, report = load_labelled(path)
    except LabelledDataError as err:
        assert str(err).startswith(str(path))
        return
    assert docs
    if name != "x.spacy":
        accounted(*read_records(path))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_damaged_docbins_give_documents_or_a_labelled_data_error(tmp_path, data):
    path = tmp_path / "x.spacy"
    docs, _ = records_to_docs([GOOD, {"text": "Java and SQL", "label": [[0, 4, "TECH_TOOL"]]}])
    write_docbin(path, docs)
    whole = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        whole[data.draw(st.integers(0, len(whole) - 1))] = data.draw(st.integers(0, 255))
    path.write_bytes(bytes(whole[: data.draw(st.integers(0, len(whole)))]))
    try:
        read_docbin(path)
    except LabelledDataError as err:
        assert "not a spaCy DocBin" in str(err)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(mutated_records() | JSON, min_size=1, max_size=4) | BYTES.map(lambda b: [b]))
def test_the_commands_answer_generated_files_with_an_exit_code_never_a_traceback(tmp_path, small_model, lines):
    path = tmp_path / "gen.jsonl"
    path.write_bytes(lines[0] if isinstance(lines[0], bytes) else jsonl(*lines))
    for args in commands(path, tmp_path, small_model):
        result = invoke(*args)
        assert result.exit_code in (0, 1), (args, result.output)
        if result.exit_code == 1:
            assert result.stderr.strip().splitlines()[-1].startswith(f"error: {path}"), (args, result.output)


@pytest.mark.slow
@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(mutated_records() | JSON, min_size=1, max_size=12))
def test_many_more_json_lines_slow(tmp_path, values):
    path = tmp_path / "fuzz.jsonl"
    path.write_text("".join(json.dumps(v) + "\n" for v in values), encoding="utf-8")
    accounted(*read_records(path))


@pytest.mark.slow
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(BYTES, st.sampled_from(["x.jsonl", "x.spacy"]))
def test_many_more_bytes_slow(tmp_path, data, name):
    path = tmp_path / name
    path.write_bytes(data)
    try:
        load_labelled(path)
    except LabelledDataError:
        pass


def test_convert_card_and_compare_answer_bad_input_with_one_line(tmp_path, small_model):
    splits = tmp_path / "splits"
    splits.mkdir()
    for name, ids in (("train", "good"), ("dev", "good"), ("test", "t")):
        (splits / f"{name}.txt").write_text(ids + "\n")
    bad_json = tmp_path / "bad.jsonl"
    bad_json.write_bytes(jsonl(GOOD, b"{oops"))
    no_text = tmp_path / "no_text.jsonl"
    no_text.write_bytes(jsonl(GOOD, {"meta": {"id": "t"}}))
    not_docbin = tmp_path / "dev.spacy"
    not_docbin.write_bytes(b"not a DocBin")
    expected = [
        (("convert", bad_json, "--splits", splits, "--out-dir", tmp_path / "data"), f"error: {bad_json}:2: not JSON"),
        (("convert", no_text, "--splits", splits, "--out-dir", tmp_path / "data"),
         f"error: {no_text}: split 'test' has bad records: line 2 (id t): missing_text"),
        (("convert", no_text, "--splits", tmp_path / "nowhere", "--out-dir", tmp_path / "data"), "error: [Errno 2]"),
        (("compare", str(small_model)), "error: give each pipeline as NAME=PIPELINE_DIR"),
        (("compare", f"a={small_model}", "--dev", not_docbin, "--test", not_docbin, "--out", tmp_path / "c.json"),
         f"error: {not_docbin}: not a spaCy DocBin"),
        (("card", small_model, "--test", tmp_path / "none.spacy"), "error: no such file"),
    ]
    for args, message in expected:
        result = invoke(*args)
        assert result.exit_code == 1 and result.stderr.startswith(message), (args, result.output)
