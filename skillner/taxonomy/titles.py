"""Job titles, to tell a title from a skill: "Greenhouse Worker" or "banquet server" is what a
person is, not what they can do (docs/annotation-guidelines.md).

The list is O*NET 29.3's occupation titles and alternate titles and ESCO v1.1.1's occupation
labels (preferred and alternative), lower-cased, with O*NET's plurals also in the singular, less every title that is also a skill alias of
the vocabulary ("interpreting", "accounting"). Built once from the taxonomies
(`python -m skillner.taxonomy.titles ../shared/data/taxonomies`) and shipped as package data
(`data/job_titles.txt.gz`, attribution in `data/ATTRIBUTION.md`).
"""

from __future__ import annotations

import csv
import gzip
import sys
from functools import lru_cache
from pathlib import Path

from skillner.taxonomy.vocabulary import DEFAULT_VOCABULARY, load_vocabulary

DEFAULT_TITLES = Path(__file__).resolve().parent / "data" / "job_titles.txt.gz"


def build_titles(taxonomy_dir: Path, vocabulary: Path = DEFAULT_VOCABULARY) -> list[str]:
    """Sorted lower-case titles from O*NET and ESCO, without the vocabulary's skill aliases."""
    titles: set[str] = set()
    onet = Path(taxonomy_dir) / "onet-29.3"
    for name, columns in (("Occupation Data.tsv", ("Title",)), ("Alternate Titles.tsv", ("Alternate Title", "Short Title")),
                          ("Sample of Reported Titles.tsv", ("Reported Job Title",))):
        with open(onet / name, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                titles.update(row[c].strip().lower() for c in columns if row.get(c, "").strip())
    with open(Path(taxonomy_dir) / "esco-1.1.1" / "occupations_en.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            titles.add(row["preferredLabel"].strip().lower())
            titles.update(label.strip().lower() for label in row["altLabels"].splitlines() if label.strip())
    titles |= {_singular(t) for t in titles}  # O*NET names occupations in the plural ("Registered Nurses")
    skills = set(load_vocabulary(vocabulary)["alias"].str.lower())
    return sorted(t for t in titles if t not in skills and len(t) > 2)


def _singular(title: str) -> str:
    if title.endswith("ies"):
        return title[:-3] + "y"
    if title.endswith("s") and not title.endswith(("ss", "us", "is")):
        return title[:-1]
    return title


def write_titles(titles: list[str], path: Path = DEFAULT_TITLES) -> None:
    with gzip.GzipFile(path, "wb", mtime=0) as handle:  # mtime 0: the same inputs give the same bytes
        handle.write(("\n".join(titles) + "\n").encode("utf-8"))


@lru_cache(maxsize=2)
def load_titles(path: Path = DEFAULT_TITLES) -> frozenset[str]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return frozenset(line.rstrip("\n") for line in handle if line.strip())


if __name__ == "__main__":
    built = build_titles(Path(sys.argv[1]))
    write_titles(built)
    print(f"{len(built)} job titles written to {DEFAULT_TITLES}")
