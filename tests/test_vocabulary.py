"""Tests for the ESCO + O*NET alias vocabulary (skillner.vocabulary)."""

import string
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillner.vocabulary import (
    COLUMNS,
    STOPLIST,
    build_vocabulary,
    load_vocabulary,
    normalise_alias,
    write_vocabulary,
)

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "corpus" / "vocabulary" / "skills_vocabulary.csv.gz"
TAXONOMIES = ROOT.parent / "shared" / "data" / "taxonomies"


@pytest.mark.parametrize(
    "a, b",
    [
        ("Microsoft Excel", "microsoft  EXCEL"),
        ("Node.js", "node js"),
        ("CI/CD", "ci cd"),
        ("databases", "Database"),
        ("technologies", "technology"),
        ("processes", "process"),
        ("work in teams", "work in team"),
        ("  Python ", "python"),
    ],
)
def test_normalise_alias_equates(a, b):
    assert normalise_alias(a) == normalise_alias(b)


@pytest.mark.parametrize(
    "text, key",
    [
        ("C++", "c++"),
        ("C#", "c#"),
        ("analysis", "analysis"),
        ("status", "status"),
        ("AWS", "aws"),
        ("SaaS", "saas"),
        ("series", "series"),
        ("Git-", "git"),
        ("", ""),
        ("...", ""),
    ],
)
def test_normalise_alias_keeps(text, key):
    assert normalise_alias(text) == key


def test_normalise_alias_keeps_languages_apart():
    assert len({normalise_alias(x) for x in ["C", "C#", "C++"]}) == 3


@given(st.text())
def test_normalise_alias_idempotent(text):
    key = normalise_alias(text)
    assert normalise_alias(key) == key


@given(st.text(alphabet=string.ascii_letters + string.digits + " .-/+#()&"))
def test_normalise_alias_case_insensitive(text):
    assert normalise_alias(text.upper()) == normalise_alias(text.lower())


@pytest.fixture(scope="module")
def shipped():
    return load_vocabulary(SHIPPED)


def _labels_for(vocab, alias):
    return set(vocab.loc[vocab["alias"].str.lower() == alias.lower(), "label"])


def test_shipped_vocabulary_shape(shipped):
    assert list(shipped.columns) == COLUMNS
    assert len(shipped) > 50_000
    assert set(shipped["label"]) == {"TECH_TOOL", "JOB_SKILL", "SOFT_SKILL"}
    assert set(shipped["source"]) == {"esco", "onet"}
    keys = shipped["alias"].map(normalise_alias)
    assert not pd.DataFrame({"k": keys, "l": shipped["label"]}).duplicated().any()
    assert SHIPPED.stat().st_size < 5_000_000


@pytest.mark.parametrize("alias", ["Microsoft Excel", "Python", "SQL", "C++", "Java"])
def test_shipped_has_tools(shipped, alias):
    assert _labels_for(shipped, alias) == {"TECH_TOOL"}


def test_shipped_label_map(shipped):
    assert "SOFT_SKILL" in _labels_for(shipped, "English")  # ESCO transversal
    assert "JOB_SKILL" in _labels_for(shipped, "manage musical staff")  # plain ESCO
    onet = shipped[shipped["source"] == "onet"]
    assert set(onet["label"]) == {"TECH_TOOL"}
    assert onet["concept_id"].str.startswith("onet:").all()


def test_shipped_drops_generic(shipped):
    keys = set(shipped["alias"].map(normalise_alias))
    assert not keys & STOPLIST
    assert (shipped["alias"].str.len() > 1).all()
    assert shipped["alias"].str.contains(r"[^\W\d_]", regex=True).all()
    assert not _labels_for(shipped, "IT") and not _labels_for(shipped, "data")


def _tiny_taxonomy(tmp_path):
    esco, onet = tmp_path / "esco-1.1.1", tmp_path / "onet-29.2"
    esco.mkdir()
    onet.mkdir()
    u = "http://data.europa.eu/esco/skill/"
    pd.DataFrame(
        [
            (u + "1", "skill/competence", "sector-specific", "manage staff", "manage staffs\ndirect staff", "kneel"),
            (u + "2", "knowledge", "sector-specific", "Python (computer programming)", "Python", ""),
            (u + "3", "skill/competence", "transversal", "work in teams", "IT\nteamwork\n7", ""),
            (u + "4", "knowledge", "cross-sector", "Haskell", "", ""),
        ],
        columns=["conceptUri", "skillType", "reuseLevel", "preferredLabel", "altLabels", "hiddenLabels"],
    ).to_csv(esco / "skills_en.csv", index=False)
    pd.DataFrame(
        [(u + "2", "knowledge"), (u + "1", "skill/competence")], columns=["conceptUri", "skillType"]
    ).to_csv(esco / "digitalSkillsCollection_en.csv", index=False)
    pd.DataFrame(
        [
            ("11-1011.00", "Microsoft Excel", "43232110"),
            ("15-1252.00", "Microsoft Excel", "43232110"),
            ("15-1252.00", "Python", "43232405"),
            ("15-1252.00", "R", "43232405"),
            ("15-1252.00", "Adobe Experience Manager (AEM)", "43232306"),
        ],
        columns=["O*NET-SOC Code", "Example", "Commodity Code"],
    ).to_csv(onet / "technology_skills.tsv", sep="\t", index=False)
    return tmp_path


def test_build_vocabulary_rules(tmp_path):
    df = build_vocabulary(_tiny_taxonomy(tmp_path))
    got = {(a, l) for a, l in df[["alias", "label"]].itertuples(index=False)}
    assert got == {
        ("manage staff", "JOB_SKILL"),  # "manage staffs" merged: same key, same label
        ("direct staff", "JOB_SKILL"),
        ("Python", "TECH_TOOL"),  # O*NET row preferred over the ESCO duplicate
        ("Python (computer programming)", "TECH_TOOL"),  # digital + knowledge -> tool
        ("work in teams", "SOFT_SKILL"),
        ("teamwork", "SOFT_SKILL"),
        ("Haskell", "JOB_SKILL"),  # knowledge, but not in the digital collection
        ("Microsoft Excel", "TECH_TOOL"),
        ("Adobe Experience Manager (AEM)", "TECH_TOOL"),
        ("Adobe Experience Manager", "TECH_TOOL"),
        ("AEM", "TECH_TOOL"),
    }  # dropped: hidden "kneel", stoplisted "IT", number "7", 1-char "R"
    python = df[df["alias"] == "Python"].iloc[0]
    assert (python["source"], python["concept_id"]) == ("onet", "onet:43232405:Python")


def test_write_load_roundtrip(tmp_path):
    df = build_vocabulary(_tiny_taxonomy(tmp_path))
    path = tmp_path / "out" / "v.csv.gz"
    write_vocabulary(df, path)
    assert path.read_bytes()[:2] == b"\x1f\x8b"  # gzip magic
    pd.testing.assert_frame_equal(load_vocabulary(path), df)


@pytest.mark.skipif(not TAXONOMIES.is_dir(), reason="shared taxonomies not available")
def test_shipped_matches_rebuild(shipped):
    pd.testing.assert_frame_equal(build_vocabulary(TAXONOMIES), shipped)
