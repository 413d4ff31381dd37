"""Skill frequencies across a batch's rows, for a folder-level view."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from skillner.extract.mentions import skill_key, skill_name
from skillner.taxonomy.vocabulary import normalise_alias, split_acronym

COLUMNS = ["skill", "label", "labels", "concept_id", "source", "category", "resumes", "mentions"]
CONCEPT_COLUMNS = ["concept_id", "preferred_label", "source", "resumes", "named_in", "implied_only_in", "best_score"]


def concepts_path(summary: Path) -> Path:
    """Where the concept counts go beside a skills summary: skills.csv -> skills.concepts.csv."""
    return summary.with_name(f"{summary.stem}.concepts{summary.suffix or '.csv'}")


def write_concept_summary(results: Path, out: Path) -> int:
    """ESCO / O*NET concepts across a batch's rows (their `concepts`): per concept, the resumes
    that support it, those that name it (an alias or a mention's embedding) and those where it
    is only implied by a statement, most resumes first. Returns the number of concepts."""
    info: dict[str, dict] = {}
    with results.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            for concept in json.loads(line).get("concepts", ()):
                entry = info.setdefault(concept["concept_id"], {"preferred_label": concept["preferred_label"],
                                                                "source": concept["source"], "resumes": set(),
                                                                "named": set(), "best_score": 0.0})
                entry["resumes"].add(number)
                if any(e["method"] != "implied" for e in concept["evidence"]):
                    entry["named"].add(number)
                entry["best_score"] = max(entry["best_score"], concept["score"])
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, CONCEPT_COLUMNS)
        writer.writeheader()
        for concept_id, entry in sorted(info.items(), key=lambda kv: (-len(kv[1]["resumes"]), kv[1]["preferred_label"])):
            writer.writerow({"concept_id": concept_id, "preferred_label": entry["preferred_label"], "source": entry["source"],
                             "resumes": len(entry["resumes"]), "named_in": len(entry["named"]),
                             "implied_only_in": len(entry["resumes"] - entry["named"]), "best_score": entry["best_score"]})
    return len(info)


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
