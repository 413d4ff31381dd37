"""A resume's distinct skills and the folder summary key on the concept (or the normalised
text) across labels, read acronyms as their expansions and keep distinct methods apart."""

import csv
import json

import pytest

from skillner.annotate.convert import tokenizer_nlp
from skillner.extract.batch.summary import write_summary
from skillner.extract.mentions import SCHEMA_VERSION, extract_doc
from skillner.taxonomy.vocabulary import ConceptIndex


@pytest.fixture(scope="module")
def concepts():
    return ConceptIndex.load()


def _doc(text: str, spans: list[tuple[str, str]]):
    """A doc of `text` whose entities are each (substring, label), found left to right."""
    doc = tokenizer_nlp().make_doc(text)
    ents, start = [], 0
    for surface, label in spans:
        start = text.index(surface, start)
        span = doc.char_span(start, start + len(surface), label)
        assert span is not None, surface
        ents.append(span)
        start += len(surface)
    doc.ents = ents
    return doc


RESUMES = [
    ("Cloud: Amazon Web Services (AWS), GitHub Actions, Agile, Scrum. Deployed on AWS with GitHub Actions.",
     [("Amazon Web Services (AWS", "TECH_TOOL"), ("GitHub Actions", "TECH_TOOL"), ("Agile", "JOB_SKILL"),
      ("Scrum", "JOB_SKILL"), ("AWS", "TECH_TOOL"), ("GitHub Actions", "JOB_SKILL")]),
    ("Skills: AWS, Kanban, github actions, Foo Bar Baz (FBB).",
     [("AWS", "JOB_SKILL"), ("Kanban", "TECH_TOOL"), ("github actions", "TECH_TOOL"), ("Foo Bar Baz (FBB)", "TECH_TOOL")]),
    ("Tools: Amazon Web Services, GitHub-Actions, FBB, Agile methodology.",
     [("Amazon Web Services", "JOB_SKILL"), ("GitHub-Actions", "TECH_TOOL"), ("FBB", "TECH_TOOL"),
      ("Agile methodology", "JOB_SKILL")]),
]


@pytest.fixture(scope="module")
def results(concepts):
    return [extract_doc(_doc(text, spans), concepts) for text, spans in RESUMES]


def test_a_resumes_skills_merge_labels_and_acronym_forms(results):
    first = {skill["text"]: skill for skill in results[0]["skills"]}
    assert results[0]["schema_version"] == SCHEMA_VERSION == "6"
    aws = first["Amazon Web Services (AWS"]
    assert aws["count"] == 2 and aws["normalised"]["name"] == "Amazon Web Services AWS software"
    actions = first["GitHub Actions"]  # no concept: one skill by its text, across labels
    assert actions["normalised"] is None and actions["count"] == 2
    assert actions["labels"] == {"TECH_TOOL": 1, "JOB_SKILL": 1} and actions["label"] == "TECH_TOOL"  # tie: first seen
    assert first["Agile"]["key"] != first["Scrum"]["key"]
    assert first["Agile"]["normalised"]["concept_id"] == first["Scrum"]["normalised"]["concept_id"]
    assert len(results[0]["skills"]) == 4


def test_an_acronym_the_resume_defines_joins_its_expansion(concepts):
    text = "Built the Quantum Ledger Toolkit (QLT). Maintained QLT for years."
    result = extract_doc(_doc(text, [("Quantum Ledger Toolkit", "TECH_TOOL"), ("QLT", "TECH_TOOL")]), concepts)
    assert [(s["text"], s["count"]) for s in result["skills"]] == [("Quantum Ledger Toolkit", 2)]


def _summary(tmp_path, rows) -> list[dict]:
    results = tmp_path / "results.jsonl"
    results.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    out = tmp_path / "skills.csv"
    count = write_summary(results, out)
    table = list(csv.DictReader(out.open(encoding="utf-8")))
    assert count == len(table)
    return table


def test_summary_one_row_per_skill_across_labels_and_forms(tmp_path, results):
    table = {row["skill"]: row for row in _summary(tmp_path, results)}
    aws = table["Amazon Web Services AWS software"]
    assert (aws["resumes"], aws["mentions"]) == ("3", "4")
    assert aws["label"] == "TECH_TOOL" and aws["labels"] == "TECH_TOOL;JOB_SKILL"  # 2 against 2: first seen
    assert aws["category"] == "Data base user interface and query software"  # O*NET's commodity: to roll skills up
    actions = table["GitHub Actions"]  # "github actions" and "GitHub-Actions" too
    assert (actions["resumes"], actions["mentions"], actions["label"]) == ("3", "4", "TECH_TOOL")
    assert actions["labels"] == "TECH_TOOL;JOB_SKILL" and actions["concept_id"] == ""
    assert {name.casefold() for name in table} >= {"agile", "scrum", "kanban"}
    assert table["agile"]["resumes"] == "2"  # "Agile" and "Agile methodology"
    fbb = table["Foo Bar Baz (FBB)"]  # resume 3's bare "FBB" is read through resume 2's definition
    assert (fbb["resumes"], fbb["mentions"]) == ("2", "2")
    assert [name for name in table if "aws" in name.casefold() or "fbb" in name.casefold()] == [
        "Amazon Web Services AWS software", "Foo Bar Baz (FBB)"]
    assert len(table) == 6


def test_summary_reads_schema_2_rows(tmp_path):
    concept = {"preferred_label": "Python", "concept_id": "onet:1:Python", "source": "onet"}
    rows = [{"schema_version": "2", "skills": [{"text": "python", "label": "TECH_TOOL", "count": 2, "normalised": concept},
                                               {"text": "Foo", "label": "JOB_SKILL", "count": 1, "normalised": None}]},
            {"schema_version": "2", "status": "error", "error": {"kind": "corrupt", "message": "x"}},
            {"schema_version": "2", "skills": [{"text": "Python", "label": "JOB_SKILL", "count": 1, "normalised": concept},
                                               {"text": "foo", "label": "TECH_TOOL", "count": 3, "normalised": None}]}]
    table = {row["skill"]: row for row in _summary(tmp_path, rows)}
    assert set(table) == {"Python", "Foo"}
    assert (table["Python"]["resumes"], table["Python"]["mentions"], table["Python"]["label"]) == ("2", "3", "TECH_TOOL")
    assert (table["Foo"]["label"], table["Foo"]["labels"]) == ("TECH_TOOL", "TECH_TOOL;JOB_SKILL")
