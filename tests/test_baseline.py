"""Tests for the dictionary baseline (skillner.measure.baseline)."""

import pandas as pd
import pytest
import spacy

from skillner.measure.baseline import DEFAULT_VOCABULARY, build_baseline, save_baseline
from skillner.taxonomy.vocabulary import write_vocabulary


def _ents(nlp, text):
    return [(e.text, e.label_) for e in nlp(text).ents]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    rows = [
        ("Excel", "TECH_TOOL"),
        ("Microsoft Excel", "TECH_TOOL"),
        ("Microsoft", "TECH_TOOL"),
        ("machine learning", "JOB_SKILL"),
        ("learning Python", "JOB_SKILL"),
        ("Python", "TECH_TOOL"),
        ("Google Sheets", "JOB_SKILL"),  # ESCO lists products under skill concepts...
        ("Google Sheets", "TECH_TOOL"),  # ...the tool label must win
        ("teamwork", "SOFT_SKILL"),
    ]
    df = pd.DataFrame(
        [(a, l, a, f"id:{i}", "esco") for i, (a, l) in enumerate(rows)],
        columns=["alias", "label", "preferred_label", "concept_id", "source"],
    )
    path = tmp_path_factory.mktemp("vocab") / "v.csv.gz"
    write_vocabulary(df, path)
    return build_baseline(path)


def test_longest_match_wins(tiny):
    assert _ents(tiny, "Expert in Microsoft Excel.") == [("Microsoft Excel", "TECH_TOOL")]


def test_case_insensitive(tiny):
    assert _ents(tiny, "MICROSOFT EXCEL and python") == [
        ("MICROSOFT EXCEL", "TECH_TOOL"),
        ("python", "TECH_TOOL"),
    ]


def test_no_overlaps_leftmost_longest(tiny):
    doc = tiny("machine learning Python and teamwork")
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("machine learning", "JOB_SKILL"),
        ("Python", "TECH_TOOL"),
        ("teamwork", "SOFT_SKILL"),
    ]
    covered = [i for e in doc.ents for i in range(e.start, e.end)]
    assert len(covered) == len(set(covered))


def test_label_priority(tiny):
    assert _ents(tiny, "Google Sheets") == [("Google Sheets", "TECH_TOOL")]


def test_no_partial_token_match(tiny):
    assert _ents(tiny, "Pythonic Excelsior") == []


def test_save_and_spacy_load(tiny, tmp_path):
    tiny.to_disk(tmp_path / "p")
    assert _ents(spacy.load(tmp_path / "p"), "microsoft excel") == [("microsoft excel", "TECH_TOOL")]


@pytest.fixture(scope="module")
def shipped():
    assert DEFAULT_VOCABULARY.is_file()
    return build_baseline()


def test_shipped_baseline_finds_tools(shipped):
    doc = shipped("Skills: Python, Microsoft Excel, SQL Server and C++ with strong teamwork.")
    ents = {(e.text, e.label_) for e in doc.ents}
    assert {("Python", "TECH_TOOL"), ("Microsoft Excel", "TECH_TOOL"), ("SQL Server", "TECH_TOOL"), ("C++", "TECH_TOOL")} <= ents
    assert ("SQL", "TECH_TOOL") not in ents  # longest match: "SQL Server", not "SQL"
    assert not any(e.text.lower() in {"it", "data", "less"} for e in doc.ents)


def test_shipped_baseline_stoplist_and_boilerplate(shipped):
    assert _ents(shipped, "IT data (Less than 1 year)") == []


def test_save_baseline_roundtrip(tmp_path, tiny):
    # save_baseline rebuilds from a path; use the tiny vocabulary for speed
    vocab = tmp_path / "v.csv.gz"
    write_vocabulary(
        pd.DataFrame([("Docker", "TECH_TOOL", "Docker", "x", "onet")], columns=["alias", "label", "preferred_label", "concept_id", "source"]),
        vocab,
    )
    nlp = spacy.load(save_baseline(tmp_path / "pipe", vocab))
    assert _ents(nlp, "docker compose") == [("docker", "TECH_TOOL")]
