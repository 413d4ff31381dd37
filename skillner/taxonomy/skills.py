"""ESCO's skills as the targets of document-level linking: one row per skill concept with its
preferred label, alternative labels and description.

A resume line names a skill in its own words ("Reconciled vendor statements") and ESCO in its
own ("reconcile accounts"); the encoder ranks every ESCO skill for a statement, so it needs the
labels, and fine-tuning it needs the descriptions and alternative labels as pairs. Built once from
ESCO v1.1.1's `skills_en.csv` (`python -m skillner.taxonomy.skills ../shared/data/taxonomies`),
shipped as package data (`data/esco_skills.csv.gz`, attribution in `data/ATTRIBUTION.md`).
"""

from __future__ import annotations

import csv
import gzip
import sys
from functools import lru_cache
from pathlib import Path

import pandas as pd

DEFAULT_SKILLS = Path(__file__).resolve().parent / "data" / "esco_skills.csv.gz"
SKILL_COLUMNS = ["concept_id", "preferred_label", "alt_labels", "description", "skill_type", "reuse_level"]


def build_skills(taxonomy_dir: Path) -> pd.DataFrame:
    """Every released ESCO skill, sorted by concept id; alternative labels joined by newlines."""
    rows = []
    with open(Path(taxonomy_dir) / "esco-1.1.1" / "skills_en.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["status"] != "released":
                continue
            alternatives = [a.strip() for a in row["altLabels"].splitlines()
                            if a.strip() and a.strip() != row["preferredLabel"].strip()]
            rows.append({"concept_id": row["conceptUri"], "preferred_label": row["preferredLabel"].strip(),
                         "alt_labels": "\n".join(dict.fromkeys(alternatives)),
                         "description": " ".join(row["description"].split()),
                         "skill_type": row["skillType"], "reuse_level": row["reuseLevel"]})
    return pd.DataFrame(rows, columns=SKILL_COLUMNS).sort_values("concept_id").reset_index(drop=True)


def write_skills(skills: pd.DataFrame, path: Path = DEFAULT_SKILLS) -> None:
    with gzip.GzipFile(path, "wb", mtime=0) as handle:  # mtime 0: the same inputs give the same bytes
        handle.write(skills.to_csv(index=False).encode("utf-8"))


@lru_cache(maxsize=2)
def load_skills(path: Path = DEFAULT_SKILLS) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def skill_labels(skills: pd.DataFrame, alternatives: bool = True) -> pd.DataFrame:
    """One row per (label, concept): the preferred label and, with `alternatives`, each
    alternative one; `preferred` tells which is which."""
    rows = []
    for concept_id, preferred, alts in skills[["concept_id", "preferred_label", "alt_labels"]].itertuples(index=False):
        rows.append((preferred, concept_id, preferred, True))
        if alternatives:
            rows.extend((alt, concept_id, preferred, False) for alt in alts.split("\n") if alt)
    return pd.DataFrame(rows, columns=["text", "concept_id", "preferred_label", "preferred"])


if __name__ == "__main__":
    built = build_skills(Path(sys.argv[1]))
    write_skills(built)
    print(f"{len(built)} ESCO skills written to {DEFAULT_SKILLS}")
