"""The label map: one place that says which source labels become which model labels.

Every reader of data with foreign label names (the dotin importer, the evaluator, the
Doccano bridge) goes through `map_label`, so a change to `configs/labels.json` applies
everywhere at once.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from skillner import REPO_ROOT

DEFAULT_LABEL_MAP = REPO_ROOT / "configs" / "labels.json"
SKILL_LABELS = ("TECH_TOOL", "JOB_SKILL", "SOFT_SKILL")


@lru_cache(maxsize=8)
def load_label_map(path: Path | str | None = None) -> dict[str, str]:
    """Read the map; keys starting with `_` are comments."""
    data = json.loads(Path(path or DEFAULT_LABEL_MAP).read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def map_label(name: str, label_map: dict[str, str] | None = None) -> str | None:
    """The model label for a source label, or None when the label is dropped."""
    return (label_map if label_map is not None else load_label_map()).get(name)
