"""Skill frequencies across a batch's rows, for a folder-level view."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from skillner.extract.mentions import skill_key, skill_name
from skillner.taxonomy.vocabulary import normalise_alias, split_acronym

COLUMNS = ["skill", "label", "labels", "concept_id", "source", "category", "resumes", "mentions"]


def write_summary(results: Path, out: Path) -> int:
    """Skill frequencies across a batch's rows: per skill (its `key`: the concept, else the
    normalised text, across labels), the resumes that mention it and its mentions, under its
    most frequent label. A text-only acronym that another resume spells out ("GCP" beside
    "Google Cloud Platform (GCP)") joins its expansion. Returns the number of distinct skills."""
    resumes: dict[str, set] = {}
    mentions: Counter = Counter()
    labels: dict[str, Counter] = {}
    info: dict = {}
    expansion_of: dict[str, str] = {}
    with results.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            row = json.loads(line)
            for skill in row.get("skills", ()):
                key = skill.get("key") or skill_key(skill["text"], skill["normalised"])  # schema 2 rows
                split = split_acronym(skill["text"])
                if split and key.startswith("text:"):
                    expansion_of.setdefault("text:" + normalise_alias(split[1]), key)
                concept = skill["normalised"] or {}
                info.setdefault(key, {"skill": skill_name(skill), "concept_id": concept.get("concept_id", ""),
                                      "source": concept.get("source", ""), "category": concept.get("category") or ""})
                resumes.setdefault(key, set()).add(number)
                mentions[key] += skill["count"]
                labels.setdefault(key, Counter()).update(skill.get("labels") or {skill["label"]: skill["count"]})
    for short, key in expansion_of.items():
        if short in resumes and short != key:
            resumes[key] |= resumes.pop(short)
            mentions[key] += mentions.pop(short)
            labels[key].update(labels.pop(short))
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        for key, rows in sorted(resumes.items(), key=lambda kv: (-len(kv[1]), info[kv[0]]["skill"])):
            seen = [label for label, _ in labels[key].most_common()]
            writer.writerow({**info[key], "label": seen[0], "labels": ";".join(seen), "resumes": len(rows),
                             "mentions": mentions[key]})
    return len(resumes)
