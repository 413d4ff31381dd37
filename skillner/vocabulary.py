"""Skill vocabulary derived from ESCO v1.1.1 and O*NET 29.2, for the dictionary baseline.

The vocabulary is a flat alias table (one row per surface form and label) so that the
baseline, gazetteer features and a later normalisation table all read the same file.

Label map (sources -> skillner model labels), applied in this order:

* O*NET ``technology_skills.tsv`` ``Example`` (software / technology names) -> ``TECH_TOOL``
* ESCO concept in ``digitalSkillsCollection_en.csv`` with ``skillType == "knowledge"``
  (SQL, Haskell, Adobe Illustrator, ...)                                        -> ``TECH_TOOL``
* ESCO ``reuseLevel == "transversal"`` ("work in teams", languages) -> ``SOFT_SKILL``
* every other ESCO concept (mostly verb phrases, domain knowledge)             -> ``JOB_SKILL``

Aliases: ESCO ``preferredLabel`` + newline-separated ``altLabels``. ESCO ``hiddenLabels``
are *not* used: they are search keywords (e.g. "kneel", "feedback", or lists of tool
names under a skill/competence concept) and would carry the wrong label. A trailing
parenthetical qualifier ("Python (computer programming)", "Adobe Experience Manager
(AEM)") also yields the bare name, and an all-caps acronym in it yields the acronym.

Dropped aliases (too generic to be a skill on their own, matched case-insensitively):
1-character strings, strings without a letter (numbers, "1-2-3"), and ``STOPLIST``.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pandas as pd

LABELS = ("TECH_TOOL", "JOB_SKILL", "SOFT_SKILL")
COLUMNS = ["alias", "label", "preferred_label", "concept_id", "source"]

# Ordinary English words / ambiguous abbreviations that ESCO lists as aliases ("IT" for
# ICT, "Less" from resume boilerplate "Less than 1 year", "scratch" from "from scratch").
# Chosen by measurement: each matched >= 5 times in SkillSpan train or the dotin resumes
# with <= ~20 % of matches touching an annotated skill span, and is not itself a skill
# name. Languages ("English") were kept: 28 % / 70 % of their matches are annotated.
# Compared on normalise_alias keys, so "Reports" and "IT" are dropped too.
STOPLIST = frozenset(
    {
        "access", "board", "choose", "computer", "ct", "current", "data", "did", "form",
        "interview", "it", "less", "plan", "press", "purchase", "re", "report", "scheme",
        "scratch", "st", "standard", "term",
    }
)

_PAREN_TAIL = re.compile(r"^(?P<base>.+?)\s*\((?P<inner>[^()]*)\)\s*$")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]{1,7}$")
_KEEP_SYMBOLS = {"#", "+"}  # C# / C++ must not collapse onto C
_NO_PLURAL = frozenset({"series", "species", "news", "means", "https", "mathematics"})


def normalise_alias(text: str) -> str:
    """Return a case-, punctuation- and (simple) plural-insensitive key for ``text``.

    Pure and deterministic, so it can key an alias->concept normalisation table and be
    applied identically to vocabulary entries and to extracted spans.

    Steps: Unicode NFKC + casefold; every Unicode punctuation character except ``#``
    becomes a space (so "Node.js" -> "node js", "CI/CD" -> "ci cd", but "C#" stays
    distinct from "C"; ``+`` is a symbol, not punctuation, so "C++" stays too);
    whitespace is collapsed; then the last word loses a regular English plural:
    ``-ies`` -> ``-y``, ``-sses/-ches/-shes/-xes/-zes`` drop ``-es``, otherwise a final
    ``-s`` is dropped unless the word ends in ``ss/us/is/os/as``, is shorter than four
    letters ("aws", "sas") or is an invariant noun ("series", "https").
    """
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    chars = (
        " " if unicodedata.category(c).startswith("P") and c not in _KEEP_SYMBOLS else c
        for c in text
    )
    words = "".join(chars).split()
    if not words:
        return ""
    last = words[-1]
    if len(last) >= 4 and last.isalpha() and last not in _NO_PLURAL:
        if last.endswith("ies"):
            last = last[:-3] + "y"
        elif last.endswith(("sses", "ches", "shes", "xes", "zes")):
            last = last[:-2]
        elif last.endswith("s") and not last.endswith(("ss", "us", "is", "os", "as")):
            last = last[:-1]
    return " ".join(words[:-1] + [last])


def _variants(label: str) -> list[str]:
    """Surface forms for one taxonomy label: itself, minus a trailing "(...)", acronym."""
    label = " ".join(label.split())
    out = [label]
    m = _PAREN_TAIL.match(label)
    if m:
        out.append(m["base"])
        if _ACRONYM.match(m["inner"]):
            out.append(m["inner"])
    return out


def _esco_rows(taxonomy_dir: Path) -> pd.DataFrame:
    esco = taxonomy_dir / "esco-1.1.1"
    skills = pd.read_csv(esco / "skills_en.csv", dtype=str, keep_default_na=False)
    digital = pd.read_csv(esco / "digitalSkillsCollection_en.csv", dtype=str, keep_default_na=False)
    tech = set(digital.loc[digital.skillType == "knowledge", "conceptUri"])
    rows = []
    for uri, pref, alts, reuse in skills[
        ["conceptUri", "preferredLabel", "altLabels", "reuseLevel"]
    ].itertuples(index=False):
        label = "TECH_TOOL" if uri in tech else "SOFT_SKILL" if reuse == "transversal" else "JOB_SKILL"
        pref = " ".join(pref.split())
        for raw in [pref, *alts.split("\n")]:
            for alias in _variants(raw) if raw.strip() else []:
                rows.append((alias, label, pref, uri, "esco"))
    return pd.DataFrame(rows, columns=COLUMNS)


def _onet_rows(taxonomy_dir: Path) -> pd.DataFrame:
    onet = pd.read_csv(
        taxonomy_dir / "onet-29.2" / "technology_skills.tsv", sep="\t", dtype=str, keep_default_na=False
    )
    pairs = onet[["Example", "Commodity Code"]].drop_duplicates()
    rows = [
        (alias, "TECH_TOOL", " ".join(ex.split()), f"onet:{code}:{' '.join(ex.split())}", "onet")
        for ex, code in pairs.itertuples(index=False)
        for alias in _variants(ex)
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def build_vocabulary(taxonomy_dir: Path) -> pd.DataFrame:
    """Build the alias table from ESCO + O*NET under ``taxonomy_dir``.

    Returns columns ``alias, label, preferred_label, concept_id, source`` with exactly
    one row per (``normalise_alias(alias)``, ``label``). Among duplicates the row whose
    alias is the concept's preferred label wins, then O*NET over ESCO for TECH_TOOL
    (product names are O*NET's speciality), then the lexicographically first row, so the
    output is deterministic.
    """
    taxonomy_dir = Path(taxonomy_dir)
    df = pd.concat([_onet_rows(taxonomy_dir), _esco_rows(taxonomy_dir)], ignore_index=True)
    df["alias"] = df["alias"].str.strip()
    key = df["alias"].map(normalise_alias)
    generic = (
        (df["alias"].str.len() <= 1)
        | ~df["alias"].str.contains(r"[^\W\d_]", regex=True)
        | key.isin(STOPLIST)
    )
    df, key = df[~generic], key[~generic]
    order = pd.DataFrame(
        {
            "key": key,
            "not_pref": df["alias"] != df["preferred_label"],
            "src": df["source"].map({"onet": 0, "esco": 1}),
        }
    )
    df = df.assign(**order).sort_values(["key", "label", "not_pref", "src", "alias", "concept_id"])
    df = df.drop_duplicates(["key", "label"])
    return df.sort_values(["label", "key"])[COLUMNS].reset_index(drop=True)


def write_vocabulary(df: pd.DataFrame, path: Path) -> None:
    """Write the vocabulary as gzip-compressed UTF-8 CSV (small, diff-free to regenerate)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # gzip.compress stores no file name and mtime=0, so rebuilds are byte-identical.
    path.write_bytes(gzip.compress(df[COLUMNS].to_csv(index=False).encode("utf-8"), mtime=0))


def load_vocabulary(path: Path) -> pd.DataFrame:
    """Read a vocabulary written by ``write_vocabulary`` (all columns as ``str``)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)[COLUMNS]


def main(taxonomy_dir: Path, out_path: Path) -> pd.DataFrame:
    """Build the vocabulary from ``taxonomy_dir``, write it to ``out_path``, print counts."""
    df = build_vocabulary(Path(taxonomy_dir))
    write_vocabulary(df, Path(out_path))
    print(df.groupby(["source", "label"]).size().to_string())
    print(f"{len(df)} rows -> {out_path} ({Path(out_path).stat().st_size / 1e6:.2f} MB)")
    return df


DEFAULT_VOCABULARY = Path(__file__).resolve().parents[1] / "corpus" / "vocabulary" / "skills_vocabulary.csv.gz"


_VENDORS = ("microsoft", "adobe", "apache", "oracle", "ibm", "sap", "google", "amazon", "autodesk", "cisco",
            "apple", "atlassian", "salesforce", "vmware", "intuit", "corel", "sas")
_TRAILING_ACRONYM = re.compile(r"^(?P<name>(?:\S+\s+){2,}?)(?P<acronym>[A-Z][A-Z0-9+#/.-]{1,6})$")


class ConceptIndex:
    """Extracted skill text -> its ESCO or O*NET concept, through `normalise_alias` keys.

    A span's own label is preferred ("Asana" as TECH_TOOL is O*NET's product, not ESCO's
    skill); otherwise the concept from the first label in TECH_TOOL, JOB_SKILL, SOFT_SKILL order.
    Resumes name products more loosely than the taxonomies, so beside the taxonomy's own
    aliases (which always win) the index also knows a product without its vendor ("Excel" for
    O*NET's "Microsoft Excel"), a trailing acronym ("HTML" for "Hypertext markup language
    HTML"), "MS" for "Microsoft" and, for a tool, a name without O*NET's "software" suffix.
    """

    def __init__(self, vocabulary: pd.DataFrame):
        self._by_label: dict[tuple[str, str], dict] = {}
        self._any: dict[str, dict] = {}
        order = {"TECH_TOOL": 0, "JOB_SKILL": 1, "SOFT_SKILL": 2}
        rows = vocabulary.assign(rank=vocabulary["label"].map(order)).sort_values("rank", kind="stable")
        derived = []
        for alias, label, preferred, concept_id, source in rows[COLUMNS].itertuples(index=False):
            concept = {"preferred_label": preferred, "concept_id": concept_id, "source": source}
            self._add(normalise_alias(alias), label, concept)
            if label == "TECH_TOOL":
                derived.extend((key, label, concept) for key in _loose_keys(alias))
        taken = set(self._any)
        counts = Counter(key for key, _, _ in derived)
        for key, label, concept in derived:
            if key not in taken and counts[key] == 1 and key not in STOPLIST:  # unambiguous only
                self._add(key, label, concept)

    def _add(self, key: str, label: str, concept: dict) -> None:
        self._by_label.setdefault((key, label), concept)
        self._any.setdefault(key, concept)

    @classmethod
    def load(cls, path: Path | None = None) -> "ConceptIndex":
        return cls(load_vocabulary(path or DEFAULT_VOCABULARY))

    def lookup(self, text: str, label: str | None = None) -> dict | None:
        key = normalise_alias(text)
        if key.startswith("ms "):
            key = "microsoft " + key[3:]
        candidates = (key, f"{key} software") if label in (None, "TECH_TOOL") else (key,)
        for candidate in candidates:
            found = self._by_label.get((candidate, label)) or self._any.get(candidate)
            if found:
                return found
        return None


def _loose_keys(alias: str) -> list[str]:
    """Looser names for a product alias: without its vendor, and its trailing acronym."""
    keys = []
    words = alias.split()
    if len(words) >= 2 and words[0].casefold() in _VENDORS and len(" ".join(words[1:])) >= 3:
        keys.append(normalise_alias(" ".join(words[1:])))
    match = _TRAILING_ACRONYM.match(alias)
    if match:
        keys.append(normalise_alias(match["acronym"]))
    return keys
