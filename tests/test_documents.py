"""Document-level concepts: statements, implied skills, merged evidence, calibrated confidence,
and their place in every output; with the real all-MiniLM-L6-v2 over a slice of ESCO's skills."""

import csv
import json

import numpy as np
import pytest

from skillner.taxonomy.documents import (
    Calibration,
    ConceptSettings,
    DocumentLinker,
    SkillIndex,
    statements,
)
from skillner.taxonomy.skills import load_skills

pytest.importorskip("transformers")

# Skills a test below expects, among 1,500 others drawn at random: the encoder must still pick them.
WANTED = ("take blood samples", "manage budgets", "use spreadsheets software")


@pytest.fixture(scope="module")
def embedder():
    from skillner.taxonomy.encoder import Embedder

    return Embedder()


@pytest.fixture(scope="module")
def index(embedder):
    skills = load_skills()
    rng = np.random.default_rng(0)
    rows = sorted(set(rng.choice(len(skills), 1500, replace=False)) | set(np.flatnonzero(skills["preferred_label"].isin(WANTED))))
    part = skills.iloc[rows]
    assert set(WANTED) <= set(part["preferred_label"])
    return SkillIndex(part["concept_id"].to_numpy(), part["preferred_label"].to_numpy(),
                      embedder.encode(part["preferred_label"].tolist()))


def test_statements_are_lines_bullets_and_sentences_of_three_words_or_more():
    text = ("Skills\nReconciled vendor statements monthly. Posted journal entries; closed books.\n"
            "• Drew blood from patients  •  Excel\n2019 - 2021")
    got = [text[a:b] for a, b in statements(text)]
    assert got == ["Reconciled vendor statements monthly.", "Posted journal entries; closed books.",
                   "Drew blood from patients"]
    assert statements("") == [] and statements(" 2019 - 2021 ") == []
    assert statements(" Python, SQL\n") == [(1, 12)]  # too short for a statement: the text is one


def test_a_responsibility_implies_its_skill_and_names_its_statement(index, embedder):
    documents = DocumentLinker(index, embedder, ConceptSettings(implied_threshold=0.3), Calibration())
    text = "Office manager\nPlanned the yearly budget and kept spending within it\nDrew blood from patients for lab tests"
    concepts = documents.concepts([text], [[]])[0]
    by_label = {c["preferred_label"]: c for c in concepts}
    for label, statement in (("manage budgets", "Planned the yearly budget and kept spending within it"),
                             ("take blood samples", "Drew blood from patients for lab tests")):
        concept = by_label[label]
        assert concept["method"] == "implied" and concept["source"] == "esco"
        assert [text[e["start"]:e["end"]] for e in concept["evidence"]] == [statement]
    assert all(c["method"] == "implied" for c in concepts) and concepts == sorted(concepts, key=lambda c: -c["score"])


def test_a_named_skill_outranks_and_a_statement_that_agrees_adds_to_it(index, embedder):
    documents = DocumentLinker(index, embedder, ConceptSettings(implied_threshold=0.3, per_mention=3), Calibration())
    text = "Built budget spreadsheets in Microsoft Excel for the finance team"
    alias = {"concept_id": "onet:43232110:Microsoft Excel", "preferred_label": "Microsoft Excel", "source": "onet",
             "method": "alias", "score": 1.0}
    mentions = [{"text": "Microsoft Excel", "label": "TECH_TOOL", "start": 29, "end": 44, "normalised": alias},
                {"text": "budget spreadsheets", "label": "JOB_SKILL", "start": 6, "end": 25, "normalised": None}]
    concepts = documents.concepts([text], [mentions])[0]
    assert concepts[0]["concept_id"] == alias["concept_id"] and concepts[0]["score"] == 1.0
    assert concepts[0]["evidence"] == [{"start": 29, "end": 44, "method": "alias"}]
    spreadsheet = next(c for c in concepts if c["preferred_label"] == "use spreadsheets software")
    methods = {e["method"] for e in spreadsheet["evidence"]}
    assert methods == {"embedding", "implied"}  # the mention and its sentence both support it
    assert {(e["start"], e["end"]) for e in spreadsheet["evidence"]} == {(6, 25), (0, len(text))}


def test_thresholds_leave_weak_evidence_out(index, embedder):
    text = "Planned the yearly budget and kept spending within it"
    loose = DocumentLinker(index, embedder, ConceptSettings(implied_threshold=0.0), Calibration()).concepts([text], [[]])[0]
    scores = sorted(c["score"] for c in loose)
    cut = scores[len(scores) // 2]
    strict = DocumentLinker(index, embedder, ConceptSettings(implied_threshold=cut), Calibration()).concepts([text], [[]])[0]
    assert 0 < len(strict) < len(loose) and min(c["score"] for c in strict) >= cut


def test_confidence_reads_the_calibration_of_the_method():
    calibration = Calibration({"implied": [(0.4, 0.1), (0.8, 0.7)], "alias": [(1.0, 0.9)]}, 0.6, "x")
    assert calibration.confidence("implied", 0.6) == pytest.approx(0.4)
    assert calibration.confidence("implied", 0.95) == 0.7 and calibration.confidence("alias", 1.0) == 0.9
    assert calibration.confidence("embedding", 0.9) is None


def test_extraction_gives_concepts_in_every_output(index, embedder, tmp_path):
    import spacy

    from skillner.extract.batch.summary import write_concept_summary
    from skillner.extract.mentions import extract_docs, format_result
    from skillner.taxonomy.linking import Linker
    from skillner.taxonomy.vocabulary import ConceptIndex

    nlp = spacy.blank("en")
    texts = ["Planned the yearly budget and kept spending within it. Skilled in Excel",
             "Drew blood from patients for lab tests"]
    docs = [nlp(t) for t in texts]
    docs[0].ents = [docs[0].char_span(texts[0].index("Excel"), len(texts[0]), label="TECH_TOOL")]
    linker = Linker(ConceptIndex.load(), documents=DocumentLinker(index, embedder, ConceptSettings(implied_threshold=0.3),
                                                                  Calibration()))
    results = extract_docs(docs, linker)
    assert results[0]["schema_version"] == "6" and "concepts" in results[0]["linking"]
    for text, result in zip(texts, results):
        assert result["concepts"], text
        for concept in result["concepts"]:
            assert set(concept) == {"concept_id", "preferred_label", "source", "score", "confidence", "method", "evidence"}
            assert all(0 <= e["start"] < e["end"] <= len(text) for e in concept["evidence"])
    excel = next(c for c in results[0]["concepts"] if c["method"] == "alias")
    assert excel["source"] == "onet" and "Excel" in excel["preferred_label"]
    table = format_result(results[0], "table")
    assert "concept the resume supports" in table and "manage budgets" in table
    quoted = format_result(results[0], "table", texts[0])  # with the text, evidence is quoted
    assert '"Planned the yearly budget and kept spending within it."' in quoted and "chars " not in quoted
    rows_file = tmp_path / "rows.jsonl"
    rows_file.write_text("".join(json.dumps(r) + "\n" for r in results))
    assert write_concept_summary(rows_file, tmp_path / "skills.concepts.csv") == len(
        {c["concept_id"] for r in results for c in r["concepts"]})
    summary = {row["preferred_label"]: row for row in csv.DictReader((tmp_path / "skills.concepts.csv").open())}
    assert summary[excel["preferred_label"]]["named_in"] == "1"
    assert summary["take blood samples"]["implied_only_in"] == "1"


def test_the_index_is_kept_per_encoder_and_skill_table(index, embedder, tmp_path):
    folder = SkillIndex.folder_for(embedder.name, tmp_path)
    index.save(folder, embedder.name, 1.0)
    again = SkillIndex.load(folder, embedder.name)
    assert list(again.concept_ids) == list(index.concept_ids) and np.allclose(again.vectors, index.vectors, atol=2e-3)
    assert SkillIndex.load(folder, embedder.name + "+other") is None  # another encoder: not this index
    assert SkillIndex.load(tmp_path / "nowhere", embedder.name) is None
