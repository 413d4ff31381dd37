"""Linking by embeddings on a small real index: the real all-MiniLM-L6-v2 from its package, a
few hundred real taxonomy rows, and the held-out evaluation run on them."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from skillner.annotate.convert import tokenizer_nlp
from skillner.cli import app
from skillner.measure.link_evaluation import heldout_evaluation
from skillner.taxonomy.encoder import Embedder
from skillner.taxonomy.linking import LinkIndex, LinkIndexError
from skillner.taxonomy.vocabulary import DEFAULT_VOCABULARY, load_vocabulary, write_vocabulary

pytest.importorskip("transformers", reason="the trf extra: make install-trf")

CONCEPTS = ["manage staff", "lead a team", "use spreadsheets software", "Microsoft Excel", "communication",
            "Python", "SQL", "project management", "customer service", "teamwork principles", "Docker",
            "Kubernetes", "JavaScript", "accounting", "nursing care", "sales activities"]


@pytest.fixture(scope="module")
def small_table(tmp_path_factory):
    """Every row of a few named concepts, plus every row of 80 other concepts as distractors."""
    table = load_vocabulary(DEFAULT_VOCABULARY)
    chosen = table[table["preferred_label"].isin(CONCEPTS)]
    rest = table.loc[~table.index.isin(chosen.index), "concept_id"].drop_duplicates().sample(80, random_state=0)
    others = table[table["concept_id"].isin(rest)]
    path = tmp_path_factory.mktemp("vocab") / "vocabulary.csv.gz"
    write_vocabulary(pd.concat([chosen, others]), path)
    return path


@pytest.fixture(scope="module")
def embedder():
    return Embedder()


@pytest.fixture(scope="module")
def small_index(small_table, embedder, tmp_path_factory):
    folder = tmp_path_factory.mktemp("index")
    LinkIndex.build(embedder, small_table).save(folder, small_table)
    return folder


def test_vectors_are_unit_length_and_paraphrases_are_near(embedder):
    vectors = embedder.encode(["team management", "manage staff", "Microsoft Excel", "nursing care"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert np.allclose(embedder.encode(["manage staff"])[0], vectors[1], atol=1e-5)  # batch-independent


def test_resume_phrasings_reach_the_taxonomys_verb_phrases(small_index, small_table, embedder):
    index = LinkIndex.load(small_index, small_table)
    names = dict(zip(index.rows["concept_id"], index.rows["preferred_label"]))
    queries = ["team management", "managing teams", "MS Excel spreadsheets", "customer support", "Python programming"]
    ranked = index.nearest(embedder.encode(queries), k=5)
    top = [names[index.rows["concept_id"].iat[r[0][0]]] for r in ranked]
    assert top[0] in ("manage staff", "lead a team") and top[1] in ("manage staff", "lead a team")
    assert top[2] in ("Microsoft Excel", "use spreadsheets software") and top[3] == "customer service"
    assert top[4] == "Python"
    for candidates in ranked:  # one entry per concept, best first
        concepts = [index.rows["concept_id"].iat[row] for row, _ in candidates]
        scores = [score for _, score in candidates]
        assert len(set(concepts)) == len(concepts) and scores == sorted(scores, reverse=True)


def test_an_index_from_another_table_or_none_is_refused(small_index, tmp_path):
    with pytest.raises(LinkIndexError, match="another alias table"):
        LinkIndex.load(small_index, DEFAULT_VOCABULARY)
    with pytest.raises(LinkIndexError, match="skillner link-index"):
        LinkIndex.load(tmp_path)
    meta = json.loads((small_index / "meta.json").read_text())
    assert meta["model"] == "all-MiniLM-L6-v2" and meta["taxonomy"] == "esco-1.1.1+onet-29.2"


def test_heldout_evaluation_on_the_small_index(small_index, small_table, embedder):
    report = heldout_evaluation(LinkIndex.load(small_index, small_table), embedder, share=0.3)
    assert report["names"]["esco"] > 20
    for taxonomy, methods in report["accuracy"].items():
        for method in ("aliases", "embeddings", "both"):
            assert 0 <= methods[method]["at1"] <= methods[method]["at5"] <= 1, (taxonomy, method)
        assert methods["both"]["at1"] >= methods["aliases"]["at1"]
    assert report["accuracy"]["esco"]["embeddings"]["at5"] > 0.6  # paraphrases do find their concept
    threshold = report["threshold"]
    assert 0.3 <= threshold["threshold"] <= 1 and threshold["chosen_on"] + threshold["reported_on"] == sum(report["names"].values())


def test_the_linker_tries_aliases_first_then_neighbours_above_its_threshold(small_index, small_table, embedder):
    from skillner.taxonomy.linking import Linker
    from skillner.taxonomy.vocabulary import ConceptIndex

    concepts, index = ConceptIndex.load(small_table), LinkIndex.load(small_index, small_table)
    mentions = [("Python", "TECH_TOOL", None), ("managing teams", "JOB_SKILL", None), ("zzqx vlorp", "JOB_SKILL", None)]
    python, teams, nonsense = Linker(concepts, index, embedder, threshold=0.6).link(mentions)
    assert [(c["preferred_label"], c["method"], c["score"]) for c in python] == [("Python", "alias", 1.0)]
    assert (python[0]["skill_type"], python[0]["category"]) == ("technology", "Object or component oriented development software")
    assert teams[0]["method"] == "embedding" and teams[0]["preferred_label"] in ("manage staff", "lead a team")
    assert teams[0]["score"] >= 0.6 and nonsense == []
    assert teams[0]["skill_type"] == "skill/competence" and teams[0]["reuse_level"] is not None  # to roll skills up
    assert Linker(concepts, index, embedder, threshold=0.99).link(mentions[1:2]) == [[]]
    assert Linker(concepts).link(mentions[1:2]) == [[]]  # no index: aliases alone
    top3 = Linker(concepts, index, embedder, threshold=0.0).link(mentions[:1], k=3)[0]
    assert len(top3) == 3 and top3[0]["method"] == "alias" and len({c["concept_id"] for c in top3}) == 3
    assert [c["score"] for c in top3[1:]] == sorted((c["score"] for c in top3[1:]), reverse=True)


def test_extraction_links_by_embeddings_and_keys_skills_on_the_concept(small_index, small_table, embedder):
    from skillner.extract.mentions import extract_doc, format_result
    from skillner.taxonomy.linking import Linker
    from skillner.taxonomy.vocabulary import ConceptIndex

    linker = Linker(ConceptIndex.load(small_table), LinkIndex.load(small_index, small_table), embedder, threshold=0.6)
    doc = tokenizer_nlp().make_doc("Python; managing teams; team management; zzqx vlorp")
    doc.ents = [doc.char_span(s, e, label) for s, e, label in
                ((0, 6, "TECH_TOOL"), (8, 22, "JOB_SKILL"), (24, 39, "JOB_SKILL"), (41, 51, "JOB_SKILL"))]
    result = extract_doc(doc, linker, links=3)
    python, managing, management, nonsense = result["mentions"]
    assert python["normalised"]["method"] == "alias" and managing["normalised"]["method"] == "embedding"
    assert managing["normalised"]["concept_id"] == management["normalised"]["concept_id"]
    assert nonsense["normalised"] is None and nonsense["links"] == []
    assert 1 < len(managing["links"]) <= 3 and managing["links"][0] == managing["normalised"]
    teams = [s for s in result["skills"] if s["key"] == managing["normalised"]["concept_id"]]
    assert len(teams) == 1 and teams[0]["count"] == 2  # two phrasings, one skill
    assert result["linking"] == {"methods": ["alias", "embedding"], "taxonomy": "esco-1.1.1+onet-29.2",
                                 "model": "all-MiniLM-L6-v2", "threshold": 0.6}
    assert "links" not in extract_doc(doc, linker)["mentions"][0]
    rows = format_result(result, "csv").splitlines()
    assert rows[0].endswith("score,method,category") and ",embedding," in rows[2]


def test_linking_settings_are_checked():
    from skillner.taxonomy.linking import LinkSettings, unavailable

    for bad in (LinkSettings("fuzzy"), LinkSettings(threshold=1.5), LinkSettings(links=-1)):
        with pytest.raises(ValueError):
            bad.check()
    assert "skillner link-index" in unavailable(Path("/nonexistent"))
    from skillner.extract.batch import BatchError, BatchSettings

    with pytest.raises(BatchError, match="--links must be between 0 and 20"):
        BatchSettings(linking=LinkSettings(links=21)).check()
    result = CliRunner().invoke(app, ["extract", "-", "--linking", "fuzzy"], input="Python")
    assert result.exit_code != 0 and "--linking must be one of auto, aliases, embeddings" in result.output


def test_judged_tables_count_alias_links_at_every_threshold_and_pick_the_lowest_precise_one():
    from skillner.measure.link_evaluation import choose_judged_threshold, judged_table

    sample = pd.DataFrame({"method": ["alias", "alias", "embedding", "embedding", "embedding", "embedding"],
                           "score": [1.0, 1.0, 0.9, 0.8, 0.72, 0.6],
                           "verdict": ["right", "right", "right", "right", "wrong", ""]})
    table = judged_table(sample)
    assert (table["judged"], table["unjudged"]) == (5, 1)
    assert table["methods"] == {"alias": {"spans": 2, "right": 1.0}, "embedding": {"spans": 3, "right": 0.6667}}
    rows = {row["threshold"]: row for row in table["by_threshold"]}
    assert (rows[0.7]["links"], rows[0.7]["linked"], rows[0.7]["precision"]) == (5, 1.0, 0.8)
    assert (rows[0.75]["links"], rows[0.75]["precision"]) == (4, 1.0) and rows[0.9]["links"] == 3
    assert choose_judged_threshold(table, 0.85) == 0.75 and choose_judged_threshold(table, 0.5) == 0.5


def test_a_relinked_sample_keeps_the_verdicts_of_unchanged_links(small_index, small_table, embedder):
    from skillner.measure.link_evaluation import judging_sample
    from skillner.taxonomy.linking import Linker
    from skillner.taxonomy.vocabulary import ConceptIndex

    doc = tokenizer_nlp().make_doc("Skills: Python, managing teams and customer support.")
    doc.ents = [doc.char_span(8, 14, "TECH_TOOL"), doc.char_span(16, 30, "JOB_SKILL"), doc.char_span(35, 51, "JOB_SKILL")]
    linker = Linker(ConceptIndex.load(small_table), LinkIndex.load(small_index, small_table), embedder)
    drawn = judging_sample([doc], "dev", linker, n=3, seed=0)
    assert sorted(drawn["span"]) == ["Python", "customer support", "managing teams"] and (drawn["verdict"] == "").all()
    assert (drawn["method"] != "").all()  # drawn at threshold 0: every span shows its top link
    judged = drawn.assign(verdict="right", note="checked")
    judged.loc[0, "concept_id"] = "another concept"  # as if the ranker had changed since
    again = judging_sample([doc], "dev", linker, n=3, seed=0, previous=judged)
    assert again["verdict"].tolist() == ["", "right", "right"] and again["note"].tolist()[1:] == ["checked", "checked"]
