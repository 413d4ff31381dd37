"""Annotation checks and fixes on hand-made resumes, one case per check and per rule."""

import json

import pytest
from typer.testing import CliRunner

from skillner.cli import app
from skillner.measure.cost import CostSettings
from skillner.measure.quality import apply_fixes, check, review_cost, review_records


def record(doc_id: str, text: str, *spans) -> dict:
    """Spans as (surface, label) for the first occurrence, or (start, end, label)."""
    out = []
    for span in spans:
        if isinstance(span[0], str):
            start = text.index(span[0])
            out.append({"start": start, "end": start + len(span[0]), "label": span[1]})
        else:
            out.append({"start": span[0], "end": span[1], "label": span[2]})
    return {"text": text, "spans": out, "meta": {"id": doc_id}}


def findings(result: dict, name: str) -> list[tuple]:
    return [(f["doc_id"], f["text"]) for f in result["findings"] if f["check"] == name]


def test_missed_repeats_respect_tokens_case_and_stop_words():
    text = ("Skills: Java, Excel, communication, the team.\n"
            "Wrote JavaScript and Java services; excel at sales; Communication with clients; "
            "Excel reports; the end")
    result = check([record("a", text, ("Java", "TECH_TOOL"), ("Excel", "TECH_TOOL"),
                           ("communication", "SOFT_SKILL"), ("the", "SOFT_SKILL"))])
    missed = findings(result, "missed_repeat")
    # "Java" once (not inside "JavaScript"), "Excel" capitalised only (not the verb "excel"),
    # a lower-case skill in any case, a stop word never
    assert sorted(missed) == [("a", "Communication"), ("a", "Excel"), ("a", "Java")]
    assert result["repeats"] == {"labelled_occurrences": 3, "unlabelled_occurrences": 3, "unlabelled_share": 0.5}


def test_a_repeat_inside_a_longer_span_is_labelled_and_one_crossing_a_span_is_a_boundary_conflict():
    text = "Python. Python scripting. Core Python"
    result = check([record("a", text, ("Python", "TECH_TOOL"), (8, 24, "TECH_TOOL"), (26, 30, "TECH_TOOL"))])
    assert [(f["start"], f["text"]) for f in result["findings"] if f["check"] == "missed_repeat"] == [(31, "Python")]
    # "Python" itself and inside "Python scripting", "Python scripting" and "Core" themselves
    assert result["repeats"]["labelled_occurrences"] == 4
    result = check([record("d", "Spring MVC and MVC Spring MVC", ("Spring MVC", "TECH_TOOL"), (15, 25, "TECH_TOOL"))])
    assert findings(result, "boundary_conflict") == [("d", "Spring MVC")]
    assert findings(result, "missed_repeat") == []


def test_corpus_repeats_need_several_resumes_and_a_high_label_rate():
    labelled = [record(f"r{i}", f"Resume {i}: Python and Docker", ("Python", "TECH_TOOL"), ("Docker", "TECH_TOOL"))
                for i in range(3)]
    other = record("x", "I used Python and Docker and Kubernetes", ("Kubernetes", "TECH_TOOL"))
    unannotated = record("y", "Python here but nothing is labelled")
    result = check(labelled + [other, unannotated])
    assert sorted(findings(result, "missed_repeat_corpus")) == [("x", "Docker"), ("x", "Python")]
    # a string labelled in 3 resumes but left alone far more often is not flagged
    noisy = [record(f"n{i}", "development development development", (0, 11, "JOB_SKILL")) for i in range(3)]
    assert findings(check(noisy + [record("z", "development again", ("again", "JOB_SKILL"))]), "missed_repeat_corpus") == []


def test_label_conflicts_edges_alignment_duplicates_overlaps_and_documents():
    docs = [record(f"l{i}", "Agile teams", ("Agile", "JOB_SKILL")) for i in range(2)]
    docs.append(record("l9", "Agile teams", ("Agile", "TECH_TOOL")))
    docs.append(record("e", "Skills: Python, SQL", (8, 15, "TECH_TOOL"), (15, 19, "TECH_TOOL"), (7, 10, "TECH_TOOL"),
                       (16, 19, "TECH_TOOL"), (16, 19, "TECH_TOOL"), (17, 19, "JOB_SKILL")))
    docs.append(record("empty", "   "))
    text = "A long resume about data engineering with Python and SQL and more words here. " * 3
    docs += [record("n1", text, ("Python", "TECH_TOOL")), record("n2", text + "Extra.", ("SQL", "TECH_TOOL"))]
    result = check(docs)
    assert findings(result, "label_conflict") == [("l9", "Agile")]
    assert set(findings(result, "edge")) == {("e", "Python,"), ("e", " SQL"), ("e", " Py")}
    assert findings(result, "misaligned") == [("e", "QL")]
    assert findings(result, "duplicate") == [("e", "SQL")]
    assert ("e", "SQL") in findings(result, "overlap")
    assert findings(result, "empty_doc") == [("empty", "")]
    assert findings(result, "no_spans") == []  # an empty resume is reported once, as empty
    assert ("n1", "") in findings(result, "near_duplicate") and ("e", "") not in findings(result, "near_duplicate")


def test_edges_keep_the_marks_that_belong_to_a_name():
    text = "C#, .NET, C++ and (AWS) and Node.js"
    result = check([record("a", text, ("C#", "TECH_TOOL"), (".NET", "TECH_TOOL"), ("C++", "TECH_TOOL"),
                           ("(AWS)", "TECH_TOOL"), ("Node.js", "TECH_TOOL"))])
    assert findings(result, "edge") == []


def test_every_fix_rule_tags_its_change_and_leaves_the_input_alone():
    text = "Skills: Python, SQL. Python again, SQL again; Agile"
    source = [record("a", text, (8, 15, "TECH_TOOL"), (16, 19, "TECH_TOOL"), (16, 19, "TECH_TOOL"), (17, 21, "JOB_SKILL"),
                     ("Agile", "TECH_TOOL")),
              record("b", "Agile", ("Agile", "JOB_SKILL")), record("c", "Agile", ("Agile", "JOB_SKILL"))]
    before = json.dumps(source)
    fixed, counts = apply_fixes(source, ["trim_edges", "align", "dedupe", "resolve_overlaps", "majority_label",
                                         "label_repeats"])
    assert json.dumps(source) == before
    spans = {(s["start"], s["end"], s["label"]): s.get("_fix") for s in fixed[0]["spans"]}
    assert spans[(8, 14, "TECH_TOOL")] == {"rule": "trim_edges", "was": {"start": 8, "end": 15, "label": "TECH_TOOL"}}
    assert spans[(16, 19, "TECH_TOOL")] is None
    assert spans[(46, 51, "JOB_SKILL")]["rule"] == "majority_label"
    assert spans[(21, 27, "TECH_TOOL")] == {"rule": "label_repeats", "was": None}  # "Python again"
    assert spans[(35, 38, "TECH_TOOL")] == {"rule": "label_repeats", "was": None}  # "SQL again"
    removed = {(r["start"], r["end"], r["rule"]) for r in fixed[0]["_fix_removed"]}
    # "QL. " was trimmed to "QL", aligned to "SQL", then lost to the TECH_TOOL "SQL": kept as annotated
    assert removed == {(16, 19, "dedupe"), (17, 21, "trim_edges+align+resolve_overlaps")}
    assert counts == {"align:changed": 1, "dedupe:removed": 1, "label_repeats:added": 2, "majority_label:changed": 1,
                      "resolve_overlaps:removed": 1, "trim_edges:changed": 2}
    assert fixed[0]["spans"][0]["token_start"] == 2  # token indices follow the new offsets


def test_corpus_repeat_rule_labels_the_weaker_signal_only_when_asked():
    source = [record(f"r{i}", f"Resume {i}: Docker", ("Docker", "TECH_TOOL")) for i in range(3)]
    source.append(record("x", "Docker and Kubernetes", ("Kubernetes", "TECH_TOOL")))
    assert apply_fixes(source)[1] == {}
    fixed, counts = apply_fixes(source, ["label_corpus_repeats"])
    assert counts == {"label_corpus_repeats:added": 1}
    assert fixed[3]["spans"][0] == {"start": 0, "end": 6, "label": "TECH_TOOL", "token_start": 0, "token_end": 0,
                                    "_fix": {"rule": "label_corpus_repeats", "was": None}}
    with pytest.raises(ValueError, match="unknown fix rule"):
        apply_fixes(source, ["guess"])


def test_review_records_show_originals_and_proposals_and_review_is_priced():
    text = "Python, SQL. Python again"
    fixed, _ = apply_fixes([record("a", text, (0, 7, "TECH_TOOL"), ("SQL", "TECH_TOOL"))])
    [review] = review_records(fixed)
    assert {(s["start"], s["end"], s["label"]) for s in review["spans"]} == {
        (0, 7, "TECH_TOOL"), (0, 6, "TECH_TOOL?"), (8, 11, "TECH_TOOL"), (13, 19, "TECH_TOOL?")}
    assert [f["rule"] for f in review["meta"]["skillner_fixes"]] == ["trim_edges", "label_repeats"]
    cost = review_cost(fixed, CostSettings.load())
    assert cost["changes"] == 2 and cost["review_minutes"] == round(2 * 17.3 / 60, 1)
    assert cost["relabel_minutes"] == round(646 / 60, 1)


def test_cli_check_and_fix(tmp_path):
    source = tmp_path / "labels.jsonl"
    source.write_text(json.dumps(record("a", "Python, SQL. Python again", ("Python", "TECH_TOOL"))) + "\n")
    out = CliRunner().invoke(app, ["annotations", "check", str(source), "--report", str(tmp_path / "r.md")])
    assert out.exit_code == 0 and "1 unlabelled against 1 labelled (50.0 %)" in out.output
    assert "[[Python]] again" in (tmp_path / "r.md").read_text()
    out = CliRunner().invoke(app, ["annotations", "check", str(source), "--json"])
    assert json.loads(out.stdout)["totals"]["missed_repeat"] == 1
    out = CliRunner().invoke(app, ["annotations", "fix", str(source), "--out", str(tmp_path / "fixed.jsonl")])
    assert out.exit_code == 0 and "label_repeats:added 1" in out.output and "review: 1 changes" in out.output
    assert len(json.loads((tmp_path / "fixed.jsonl").read_text())["spans"]) == 2
    out = CliRunner().invoke(app, ["annotations", "fix", str(source), "--out", str(source)])
    assert out.exit_code == 1 and "never changed" in out.output
