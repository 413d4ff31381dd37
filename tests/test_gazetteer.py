"""Outside knowledge in the NER: gazetteer features and static vectors, trained for real on a few resumes."""

import subprocess
import sys
from pathlib import Path

import numpy
import pytest
import spacy
from spacy.tokens import Span

from skillner.annotate.convert import tokenizer_nlp
from skillner.pipeline.gazetteer import gazetteer_features, vocabulary_patterns
from skillner.taxonomy.vocabulary import loose_product_names

ROOT = Path(__file__).resolve().parents[1]
VECTORS = ROOT / "build" / "vectors" / "en_core_web_md"


def test_features_mark_begin_inside_last_and_unit_per_label():
    doc = tokenizer_nlp().make_doc("Used Apache Kafka Streams daily with empathy")
    doc.spans["gazetteer"] = [Span(doc, 1, 4, "TECH_TOOL"), Span(doc, 2, 3, "TECH_TOOL"), Span(doc, 6, 7, "SOFT_SKILL"),
                              Span(doc, 0, 1, "NOT_A_LABEL")]
    (arr,), _ = gazetteer_features().begin_update([doc])
    # columns: TECH_TOOL B I L U, JOB_SKILL B I L U, SOFT_SKILL B I L U
    assert arr.shape == (7, 12)
    assert arr[0].sum() == 0  # unknown labels are ignored
    assert list(arr[1, :4]) == [1, 0, 0, 0] and list(arr[3, :4]) == [0, 0, 1, 0]
    assert list(arr[2, :4]) == [0, 1, 0, 1]  # inside the long match and a match of its own: overlaps kept
    assert arr[6, 11] == 1 and arr[6].sum() == 1
    assert arr[4:6].sum() == 0


def test_loose_product_names_follow_how_resumes_write_them():
    assert loose_product_names("Apache Kafka") == ["Kafka"]
    assert set(loose_product_names("Amazon Web Services AWS software")) >= {"AWS", "Amazon Web Services"}
    assert loose_product_names("Python") == []


def test_patterns_add_unambiguous_loose_names_but_not_plain_words():
    patterns = {p["pattern"]: p["label"] for p in vocabulary_patterns()}
    assert patterns["Kafka"] == "TECH_TOOL" and patterns["Kubernetes"] == "TECH_TOOL"
    assert "Excel" not in patterns  # "excel" is a plain lower-case word of the taxonomies
    assert len({p.lower() for p in patterns}) == len(patterns)  # one label per case-insensitive string


@pytest.fixture(scope="module")
def trained(small_data, tmp_path_factory):
    """Train each config once (4 steps) for every test of this module that needs it."""
    runs: dict[str, Path] = {}

    def train(config: str) -> Path:
        if config not in runs:
            out = tmp_path_factory.mktemp(config)
            done = subprocess.run([sys.executable, "-m", "skillner.cli", "train", str(ROOT / "configs" / f"{config}.cfg"),
                                   "--output", str(out), "--paths.train", str(small_data / "train.spacy"),
                                   "--paths.dev", str(small_data / "dev.spacy"), "--training.max_steps", "4",
                                   "--training.eval_frequency", "2"], cwd=ROOT, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr[-2000:]
            runs[config] = out
        return runs[config]

    return train


@pytest.mark.slow
@pytest.mark.parametrize("config", ["gazetteer", "vectors", "gazetteer-vectors"])
def test_knowledge_configs_train_and_load_with_plain_spacy(config, trained):
    """A real training run; the saved pipeline carries its patterns and vectors, so spacy.load needs nothing else."""
    if "vectors" in config and not (VECTORS / "config.cfg").exists():
        pytest.fail("static vectors missing: run `make vectors`")
    out = trained(config)
    code = ("import spacy, sys; nlp = spacy.load(sys.argv[1]); doc = nlp('Kafka and Kubernetes on AWS');"
            "print(nlp.pipe_names, len(doc.spans.get('gazetteer', [])), nlp.vocab.vectors.shape[0])")
    loaded = subprocess.run([sys.executable, "-c", code, str(out / "model-best")], capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    names, matches, rows = loaded.stdout.rsplit(" ", 2)
    if "gazetteer" in config:
        assert "gazetteer" in names and int(matches) == 3
    if "vectors" in config:
        assert int(rows) == 20000
    else:
        assert int(rows) == 0


def test_vectors_reach_the_embedding_of_words_the_labels_never_showed():
    """The table puts "Hadoop" nearer "MySQL" than "lunch" (it has no row for "Kubernetes": the gazetteer's job)."""
    if not (VECTORS / "config.cfg").exists():
        pytest.fail("static vectors missing: run `make vectors`")
    vocab = spacy.load(VECTORS, exclude=["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer",
                                         "ner"]).vocab
    assert not vocab.has_vector("Kubernetes")
    k, d, lunch = (vocab.get_vector(w) for w in ("Hadoop", "MySQL", "lunch"))
    cos = lambda a, b: float(numpy.dot(a, b) / (numpy.linalg.norm(a) * numpy.linalg.norm(b)))  # noqa: E731
    assert cos(k, d) > cos(k, lunch) + 0.2


@pytest.mark.slow
def test_the_shipped_ensemble_assembles_with_its_vectors_and_hygiene(trained, tmp_path):
    """configs/ensemble.cfg chains a knowledge member and a vectors member; the vectors table comes along."""
    members = {config: trained(config) for config in ("knowledge", "vectors")}
    out = tmp_path / "ensemble"
    done = subprocess.run([sys.executable, "-m", "skillner.cli", "assemble", str(ROOT / "configs" / "ensemble.cfg"),
                           str(out), "--paths.member_a", str(members["knowledge"] / "model-last"),
                           "--paths.member_b", str(members["vectors"] / "model-last")],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    nlp = spacy.load(out)
    assert nlp.pipe_names == ["gazetteer", "ner", "ner_b", "skillner_listed_skills", "skillner_span_hygiene"]
    assert nlp.vocab.vectors.shape == (20000, 300)
    doc = nlp("Skills: Python, Kafka\nand Docker (AWS")
    assert all("\n" not in e.text for e in doc.ents)

