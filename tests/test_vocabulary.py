"""Tests for the ESCO + O*NET alias vocabulary (skillner.taxonomy.vocabulary)."""

import string
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillner.taxonomy.vocabulary import (
    COLUMNS,
    STOPLIST,
    ConceptIndex,
    acronym_long_form,
    acronym_pairs,
    build_vocabulary,
    load_vocabulary,
    normalise_alias,
    split_acronym,
    write_vocabulary,
)

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "skillner" / "taxonomy" / "data" / "skills_vocabulary.csv.gz"
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


@pytest.mark.skipif(not TAXONOMIES.is_dir(), reason="shared taxonomies not available")
def test_shipped_concept_attributes_match_rebuild_and_cover_every_concept(shipped):
    from skillner.taxonomy.vocabulary import DEFAULT_CONCEPTS, build_concepts

    attributes = pd.read_csv(DEFAULT_CONCEPTS, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(build_concepts(TAXONOMIES).reset_index(drop=True), attributes)
    assert set(shipped["concept_id"]) <= set(attributes["concept_id"])
    excel = attributes[attributes["concept_id"].str.endswith(":Microsoft Excel")].iloc[0]
    assert (excel["skill_type"], excel["category"]) == ("technology", "Spreadsheet software")
    assert set(attributes["reuse_level"]) == {"", "transversal", "cross-sector", "sector-specific", "occupation-specific"}


# Normalisation (issue 10): acronyms, family concepts, one concept per product.


@pytest.mark.parametrize(
    "short, text, long_form",
    [
        ("AWS", "experience with Amazon Web Services", "Amazon Web Services"),
        ("HTML", "Hypertext markup language", "Hypertext markup language"),
        ("XML", "Extensible markup language", "Extensible markup language"),  # X for "eXtensible"
        ("EC2", "Amazon Elastic Compute Cloud", "Elastic Compute Cloud"),
        ("JS", "MTI Systems Costimator", None),  # no J: not an abbreviation of it
        ("Pos", "Logisoft Positive", None),  # one capital: a word, not an acronym
        ("SSIS", "SQL Server 2008 R2 2012 2014 Development, Microsoft BI", None),  # a list
        ("IT", "", None),
    ],
)
def test_acronym_long_form(short, text, long_form):
    assert acronym_long_form(short, text) == long_form


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Amazon Web Services (AWS)", ("Amazon Web Services", "AWS")),
        ("Amazon Web Services (AWS", ("Amazon Web Services", "AWS")),  # span cut before ")"
        ("AWS (Amazon Web Services)", ("Amazon Web Services", "AWS")),
        ("Amazon Web Services AWS", ("Amazon Web Services", "AWS")),  # O*NET's way
        ("SQL Server Integration Services (SSIS)", ("SQL Server Integration Services", "SSIS")),
        ("Python (computer programming)", None),
        ("Java (2 years)", None),
        ("AWS", None),
    ],
)
def test_split_acronym(text, expected):
    assert split_acronym(text) == expected


def test_acronym_pairs_are_learnt_from_the_text():
    text = ("Cloud: Google Cloud Platform (GCP), AWS (Amazon Web Services)\n"
            "Worked in Italy (IT); Foo Bar Baz (FBB) and later Fast Binary Builder (FBB)\n"
            "Natural language\nprocessing (NLP)")
    pairs = acronym_pairs(text)
    assert pairs["gcp"] == normalise_alias("Google Cloud Platform")
    assert pairs["aws"] == normalise_alias("Amazon Web Services")
    assert "it" not in pairs  # stoplisted
    assert "fbb" not in pairs  # defined two ways: no reading is safe
    assert "nlp" not in pairs  # a long form does not run across lines


def _concept_index(rows):
    return ConceptIndex(pd.DataFrame(rows, columns=COLUMNS))


def _esco(n):
    return f"http://data.europa.eu/esco/skill/{n}"


@pytest.fixture(scope="module")
def tiny_index():
    family, sql = "ICT project management methodologies", "SQL Server"
    aws, cloudformation = "Amazon Web Services AWS software", "Amazon Web Services AWS CloudFormation"
    field = "Fully Integrated Environmental Location Decision Support FIELD"
    return _concept_index(
        [(alias, "TECH_TOOL", family, _esco(1), "esco") for alias in (family, "agile", "scrum", "Kanban", "ICT project management methodology")]
        + [(alias, "TECH_TOOL", sql, _esco(2), "esco") for alias in (sql, "MS SQL Server", "SQL Server 2012")]
        + [("Microsoft SQL Server", "TECH_TOOL", "Microsoft SQL Server", "onet:1:Microsoft SQL Server", "onet"),
           (aws, "TECH_TOOL", aws, f"onet:2:{aws}", "onet"),
           (cloudformation, "TECH_TOOL", cloudformation, f"onet:3:{cloudformation}", "onet"),
           (field, "TECH_TOOL", field, f"onet:4:{field}", "onet"),
           ("field research", "JOB_SKILL", "field research", _esco(3), "esco")]
    )


def test_family_members_keep_the_concept_under_their_own_name(tiny_index):
    agile, scrum, kanban = (tiny_index.lookup(x, "JOB_SKILL") for x in ("Agile", "Scrum", "Kanban"))
    assert agile["concept_id"] == scrum["concept_id"] == kanban["concept_id"] == _esco(1)
    assert [agile["name"], scrum["name"], kanban["name"]] == ["agile", "scrum", "Kanban"]
    assert tiny_index.lookup("agile methodologies", "JOB_SKILL")["name"] == "agile"  # with the family's noun
    family = tiny_index.lookup("ICT project management methodology")
    assert family["name"] == family["preferred_label"]  # an inflection, not a member


def test_same_product_in_both_taxonomies_is_one_concept(tiny_index):
    ids = {tiny_index.lookup(x, "TECH_TOOL")["concept_id"] for x in ("SQL Server", "SQL Server 2012", "MS SQL",
                                                                      "Microsoft SQL Server", "MSSQL")}
    assert ids == {"onet:1:Microsoft SQL Server"}  # ESCO's "SQL Server" is O*NET's product


def test_embedded_onet_acronyms(tiny_index):
    for text in ("AWS", "Amazon Web Services", "Amazon Web Services (AWS)", "Amazon Web Services (AWS"):
        for label in ("TECH_TOOL", "JOB_SKILL"):
            assert tiny_index.lookup(text, label)["concept_id"] == "onet:2:Amazon Web Services AWS software"
    assert tiny_index.lookup("AWS CloudFormation")["concept_id"].startswith("onet:3:")
    assert tiny_index.lookup("FIELD") is None  # an acronym that is a plain word stays unread


def test_a_resume_reading_of_its_acronym_wins(tiny_index):
    assert tiny_index.lookup("AWS", "TECH_TOOL", {"aws": "advanced welding system"}) is None
    assert tiny_index.text_key("AWS", {"aws": "advanced welding system"}) == "advanced welding system"
    assert tiny_index.text_key("Foo Bar Baz (FBB") == tiny_index.text_key("foo bar baz") == "foo bar baz"


@pytest.fixture(scope="module")
def index():
    return ConceptIndex.load()


@pytest.mark.parametrize(
    "forms, name",
    [
        (["AWS", "Amazon Web Services", "Amazon Web Services (AWS)", "Amazon Web Services (AWS", "aws"],
         "Amazon Web Services AWS software"),
        (["GCP", "Google Cloud Platform", "Google Cloud"], "Google Cloud software"),
        (["JavaScript", "JS", "Java Script"], "JavaScript"),
        (["k8s", "Kubernetes"], "Kubernetes"),
        (["SQL Server", "MS SQL", "MSSQL", "Microsoft SQL Server", "SQL Server 2012"], "Microsoft SQL Server"),
        (["ML", "machine learning"], "machine learning"),
        (["XML", "xml"], "Extensible markup language XML"),
    ],
)
def test_shipped_forms_reach_one_concept(index, forms, name):
    for label in ("TECH_TOOL", "JOB_SKILL"):
        assert {index.lookup(form, label)["name"] for form in forms} == {name}, label


def test_shipped_agile_scrum_kanban_stay_distinct(index):
    names = {index.lookup(x, "JOB_SKILL")["name"].casefold() for x in ("Agile", "Scrum", "Kanban", "Agile methodology")}
    assert names == {"agile", "scrum", "kanban"}


@pytest.mark.parametrize(
    "text, name",
    [("SQL Server 2016", "Microsoft SQL Server"), ("Python 3.7", "Python"), ("Java 8", "Oracle Java"),
     ("Web 2.0", None), ("Level 3", None)],  # a version only where the rest names a tool
)
def test_shipped_version_numbers_are_left_off_tools(index, text, name):
    found = index.lookup(text, "JOB_SKILL")
    assert (found and found["name"]) == name
