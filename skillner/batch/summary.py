"""Skill frequencies across a batch's rows, for a folder-level view."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from ..extract import skill_name
from ..vocabulary import normalise_alias


def write_summary(results: Path, out: Path) -> int:
    """Skill frequencies across a batch's rows: per normalised skill, the resumes that mention
    it and its mentions. Returns the number of distinct skills."""
    resumes: Counter = Counter()
    mentions: Counter = Counter()
    info: dict = {}
    with results.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            for skill in row.get("skills", ()):
                concept = skill["normalised"] or {}
                key = concept.get("concept_id") or f"{normalise_alias(skill['text'])}|{skill['label']}"
                info.setdefault(key, {"skill": skill_name(skill), "label": skill["label"],
                                      "concept_id": concept.get("concept_id", ""), "source": concept.get("source", "")})
                resumes[key] += 1
                mentions[key] += skill["count"]
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["skill", "label", "concept_id", "source", "resumes", "mentions"])
        writer.writeheader()
        for key, count in sorted(resumes.items(), key=lambda kv: (-kv[1], info[kv[0]]["skill"])):
            writer.writerow({**info[key], "resumes": count, "mentions": mentions[key]})
    return len(resumes)
