"""The shipped pipeline: found in the checkout, else as its installed model package, and
loaded with every greedy NER scoring its mentions."""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language

from skillner import REPO_ROOT
from skillner.pipeline.confidence import with_confidence

DEFAULT_MODEL = REPO_ROOT / "models" / "skillner-cpu"
MODEL_PACKAGE = "en_skillner_resumes_cpu"  # the shipped pipeline as `spacy package` names it


def default_model() -> Path | str:
    """The checkout's shipped pipeline, else the installed model package (`make dist` builds its
    wheel), so `pip install` outside the repository gives every command a model with no path."""
    return DEFAULT_MODEL if (DEFAULT_MODEL / "config.cfg").is_file() else MODEL_PACKAGE


def load_model(model: Path | str | Language | None = None) -> Language:
    """The pipeline, with every greedy NER scoring its mentions (`confidence.with_confidence`):
    uncalibrated for a pipeline `skillner calibrate` has not seen."""
    if isinstance(model, Language):
        return with_confidence(model)
    if model:
        return with_confidence(spacy.load(Path(model)))
    try:
        return with_confidence(spacy.load(default_model()))
    except OSError as error:
        raise OSError(f"no skillner model: install the {MODEL_PACKAGE} wheel (`make dist` builds it) or pass "
                      f"--model ({error})") from None
