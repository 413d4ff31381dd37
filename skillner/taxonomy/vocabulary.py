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
        (alias, "TECH_TOOL", " ".join(ex.split()), _onet_concept_id(ex, code), "onet")
        for ex, code in pairs.itertuples(index=False)
        for alias in _variants(ex)
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def _onet_concept_id(example: str, commodity_code: str) -> str:
    return f"onet:{commodity_code}:{' '.join(example.split())}"


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
    _write_csv_gz(df[COLUMNS], path)


def _write_csv_gz(frame: pd.DataFrame, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # gzip.compress stores no file name and mtime=0, so rebuilds are byte-identical.
    path.write_bytes(gzip.compress(frame.to_csv(index=False).encode("utf-8"), mtime=0))


# An alias listed under several labels gets the most specific list's: O*NET/ESCO tool names beat
# ESCO skill concepts that list products as alternative labels; the curated transversal list
# beats the catch-all JOB_SKILL.
LABEL_PRIORITY = {"TECH_TOOL": 0, "SOFT_SKILL": 1, "JOB_SKILL": 2}


def one_label_per_alias(vocab: pd.DataFrame) -> pd.DataFrame:
    """One row per case-insensitive alias (column `lower` added), labelled by `LABEL_PRIORITY`."""
    vocab = vocab.assign(lower=vocab["alias"].str.lower(), prio=vocab["label"].map(LABEL_PRIORITY))
    return vocab.sort_values(["lower", "prio"], kind="stable").drop_duplicates("lower")


def load_vocabulary(path: Path) -> pd.DataFrame:
    """Read a vocabulary written by ``write_vocabulary`` (all columns as ``str``)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)[COLUMNS]


CONCEPT_COLUMNS = ["concept_id", "skill_type", "reuse_level", "category"]


def build_concepts(taxonomy_dir: Path) -> pd.DataFrame:
    """What users roll skills up by, one row per concept. ESCO: `skill_type` (skill/competence or
    knowledge) and `reuse_level` (transversal ... occupation-specific), `category` "digital"
    for the digital skills collection; ESCO's pillar and group hierarchy (broaderRelations) is
    not among the files used here. O*NET: `skill_type` "technology", `category` the
    commodity title ("Spreadsheet software")."""
    taxonomy_dir = Path(taxonomy_dir)
    esco = pd.read_csv(taxonomy_dir / "esco-1.1.1" / "skills_en.csv", dtype=str, keep_default_na=False)
    digital = set(pd.read_csv(taxonomy_dir / "esco-1.1.1" / "digitalSkillsCollection_en.csv", dtype=str,
                              keep_default_na=False)["conceptUri"])
    esco_rows = pd.DataFrame({"concept_id": esco["conceptUri"], "skill_type": esco["skillType"],
                              "reuse_level": esco["reuseLevel"],
                              "category": esco["conceptUri"].map(lambda uri: "digital" if uri in digital else "")})
    onet = pd.read_csv(taxonomy_dir / "onet-29.2" / "technology_skills.tsv", sep="\t", dtype=str, keep_default_na=False)
    pairs = onet[["Example", "Commodity Code", "Commodity Title"]].drop_duplicates(["Example", "Commodity Code"])
    onet_rows = pd.DataFrame({"concept_id": [_onet_concept_id(ex, code) for ex, code in
                                             pairs[["Example", "Commodity Code"]].itertuples(index=False)],
                              "skill_type": "technology", "reuse_level": "", "category": pairs["Commodity Title"].str.strip()})
    return pd.concat([onet_rows, esco_rows]).drop_duplicates("concept_id").sort_values("concept_id")[CONCEPT_COLUMNS]


def main(taxonomy_dir: Path, out_path: Path, concepts_path: Path | None = None) -> pd.DataFrame:
    """Build the vocabulary from ``taxonomy_dir``, write it to ``out_path`` and the concepts'
    attributes (`build_concepts`) to ``concepts_path`` (default: beside it), print counts."""
    df = build_vocabulary(Path(taxonomy_dir))
    write_vocabulary(df, Path(out_path))
    concepts = build_concepts(Path(taxonomy_dir))
    concepts_path = Path(concepts_path or Path(out_path).with_name("concepts.csv.gz"))
    _write_csv_gz(concepts, concepts_path)
    print(f"{len(concepts)} concepts -> {concepts_path}")
    print(df.groupby(["source", "label"]).size().to_string())
    print(f"{len(df)} rows -> {out_path} ({Path(out_path).stat().st_size / 1e6:.2f} MB)")
    return df


DEFAULT_VOCABULARY = Path(__file__).resolve().parent / "data" / "skills_vocabulary.csv.gz"  # package data
DEFAULT_CONCEPTS = DEFAULT_VOCABULARY.with_name("concepts.csv.gz")


_VENDORS = ("microsoft", "adobe", "apache", "oracle", "ibm", "sap", "google", "amazon", "autodesk", "cisco",
            "apple", "atlassian", "salesforce", "vmware", "intuit", "corel", "sas")
_ACRONYM_LIKE = re.compile(r"^(?=(?:.*[A-Z]){2})[A-Za-z][A-Za-z0-9&/.+-]{1,9}$")  # two capitals: not "Pos"
_BRACKETED = re.compile(r"^(?P<outer>[^()]+?)\s*\(\s*(?P<inner>[^()]+?)\s*\)?\s*$")
_VERSION_TAIL = re.compile(r"^(?P<name>.*[^\W\d_].*?)\s+v?(?:(?:19|20)\d\d|\d{1,2}(?:\.\d+){0,2})$", re.IGNORECASE)
_IN_TEXT = re.compile(r"\(\s*(?P<inner>[^()\n]{2,80}?)\s*\)")

# Abbreviations resumes use that neither taxonomy spells out as "Expansion (ACR)" and that no
# initials can teach. Each names exactly one thing in a technical resume; compared as
# normalise_alias keys.
SYNONYMS = {
    normalise_alias(short): normalise_alias(name)
    for short, name in {
        "k8s": "Kubernetes",  # numeronym: no initials to match
        "JS": "JavaScript",  # O*NET's only "JS" is "MTI Systems Costimator JS"
        "GCP": "Google Cloud Platform",  # issue 10's resumes; O*NET names only "Google Cloud software"
        "Google Cloud Platform": "Google Cloud",  # -> O*NET "Google Cloud software"
        "MS SQL": "Microsoft SQL Server",  # ESCO has "MS SQL Server"; resumes drop "Server"
        "MSSQL": "Microsoft SQL Server",
        "Microsoft SQL": "Microsoft SQL Server",
        "CICD": "CI/CD",  # "CI/CD" and "CI-CD" already fold to "ci cd"
    }.items()
}


def acronym_long_form(short: str, text: str) -> str | None:
    """The end of `text` that `short` abbreviates, or None (Schwartz & Hearst, 2003).

    Each letter of `short`, right to left, must be found in `text` in order, the first one at
    the start of a word (an X may follow its "e": "eXtensible"), within min(len + 5, 2 * len)
    words: "Amazon Web Services" for AWS, "Hypertext markup language" for HTML, "Elastic Compute
    Cloud" for EC2 (digits count words, not letters), but nothing for JS in "Systems Costimator".
    """
    chars = [c.casefold() for c in short if c.isalpha()]
    if len(chars) < 2 or not _ACRONYM_LIKE.match(short) or not text.strip():
        return None
    words = text.split()[-min(len(chars) + 5, 2 * len(chars)):]
    window = " ".join(words)
    lower = window.casefold()
    j = len(lower) - 1
    for i in range(len(chars) - 1, -1, -1):
        while j >= 0 and (lower[j] != chars[i] or (i == 0 and j > 0 and lower[j - 1].isalnum()
                                                   and not (chars[0] == "x" and lower[j - 1] == "e"
                                                            and (j == 1 or not lower[j - 2].isalnum())))):
            j -= 1
        if j < 0:
            return None
        j -= 1
    start = j + 1
    if chars[0] == "x" and start > 0 and lower[start - 1] == "e":  # the "e" of "eXtensible"
        start -= 1
    long_form = window[start:].strip()
    if any(not re.search(r"[^\W\d_]", word) for word in long_form.split()):
        return None  # "SQL Server 2008 R2 2012 (SSIS)": a list, not an expansion
    return long_form if len(long_form.split()) > 1 or len(long_form) > len(short) else None


def split_acronym(text: str) -> tuple[str, str] | None:
    """(expansion, acronym) when `text` names one thing twice: "Amazon Web Services (AWS)",
    "Amazon Web Services (AWS" (a span cut before its bracket), "AWS (Amazon Web Services)" or
    O*NET's "Amazon Web Services AWS"; None otherwise."""
    text = " ".join(text.split()).strip(" ,;:")
    match = _BRACKETED.match(text)
    if match:
        for long_side, short in ((match["outer"], match["inner"]), (match["inner"], match["outer"])):
            if _abbreviates(short, long_side):
                return long_side, short
        return None
    words = text.split()
    if len(words) > 1 and _abbreviates(words[-1], " ".join(words[:-1])):
        return " ".join(words[:-1]), words[-1]
    return None


def _abbreviates(short: str, long_side: str) -> bool:
    """`short` abbreviates all of `long_side`, allowing one leading word the acronym leaves out
    ("SQL Server Integration Services" for SSIS: Schwartz & Hearst find the shortest form)."""
    long_form = acronym_long_form(short, long_side)
    return long_form is not None and len(long_side.split()) - len(long_form.split()) <= 1


def acronym_pairs(text: str) -> dict[str, str]:
    """Acronyms a text defines, as normalise_alias keys: {"aws": "amazon web service"} from
    "Amazon Web Services (AWS)" (or "AWS (Amazon Web Services)"). An acronym defined two
    different ways in one text is left out."""
    pairs: dict[str, set] = {}
    for match in _IN_TEXT.finditer(text):
        window_start = max(0, match.start() - 200)  # a long form is a few words: no quadratic scan
        before = text[text.rfind("\n", window_start, match.start()) + 1 or window_start:match.start()]
        inner = match["inner"]
        long_form = acronym_long_form(inner, before)
        short = inner
        if long_form is None and before.split():
            short = before.split()[-1]
            long_form = inner if acronym_long_form(short, inner) == inner else None
        if long_form:
            pairs.setdefault(normalise_alias(short), set()).add(normalise_alias(long_form))
    return {short: next(iter(longs)) for short, longs in pairs.items() if len(longs) == 1 and short not in STOPLIST}


def _plural_category(preferred: str) -> bool:
    """"ICT project management methodologies", "query languages": a name for a family of things."""
    match = _PAREN_TAIL.match(preferred)
    words = (match["base"] if match else preferred).split()
    last = words[-1].casefold() if words else ""
    return len(words) > 1 and last.isalpha() and not last.endswith("ics") and normalise_alias(last) != last


def _family_member(alias: str, preferred: str) -> bool:
    """An alias of a family concept that names one member of the family ("Scrum", "Kanban" for
    ESCO's "ICT project management methodologies") rather than the family: it shares no word
    with the preferred label and does not abbreviate it."""
    if not _plural_category(preferred):
        return False
    shared = set(normalise_alias(alias).split()) & set(normalise_alias(preferred).split())
    return not shared and acronym_long_form(alias, preferred) is None and split_acronym(alias) is None


class ConceptIndex:
    """Extracted skill text -> its ESCO or O*NET concept, through `normalise_alias` keys.

    A span's own label is preferred ("Asana" as TECH_TOOL is O*NET's product, not ESCO's
    skill); otherwise the concept from the first label in TECH_TOOL, JOB_SKILL, SOFT_SKILL order.
    Resumes name products more loosely than the taxonomies, so beside the taxonomy's own
    aliases (which always win) the index also knows a product without its vendor ("Excel" for
    O*NET's "Microsoft Excel"), an acronym or expansion the taxonomy pairs ("AWS" and "Amazon
    Web Services" for O*NET's "Amazon Web Services AWS software"), "MS" for "Microsoft" and,
    for a tool, a name without O*NET's "software" suffix. Acronyms also resolve through the
    pairs a resume defines itself and through `SYNONYMS`.

    Every concept carries a ``name``: its preferred label, or, where ESCO lists the members of a
    family as aliases of one digital-knowledge concept ("agile", "scrum", "Kanban" under "ICT
    project management methodologies"), the member's own name, so that distinct methods and
    products stay distinct skills while keeping the family's concept.
    """

    def __init__(self, vocabulary: pd.DataFrame):
        self._by_label: dict[tuple[str, str], dict] = {}
        self._any: dict[str, dict] = {}
        order = {"TECH_TOOL": 0, "JOB_SKILL": 1, "SOFT_SKILL": 2}
        rows = vocabulary.assign(rank=vocabulary["label"].map(order)).sort_values("rank", kind="stable")
        same_product = _same_product(vocabulary)
        derived = []
        # An acronym that is also a plain word of the taxonomies ("FIELD", "FIRST", "TOOL") is not
        # a safe name for a product on its own.
        words = {word for alias in vocabulary["alias"].tolist() for word in alias.split() if word.islower()}
        for alias, label, preferred, concept_id, source in rows[COLUMNS].itertuples(index=False):
            concept = same_product.get(concept_id) or {
                "preferred_label": preferred, "concept_id": concept_id, "source": source, "name": preferred}
            if source == "esco" and label == "TECH_TOOL" and _family_member(alias, preferred):
                concept = {**concept, "name": alias}  # "agile methodology": named with the family's noun
                derived.append((normalise_alias(f"{alias} {preferred.split()[-1]}"), label, concept))
            self._add(normalise_alias(alias), label, concept)
            for short, long_form, rest in _acronym_parts(alias) if label == "TECH_TOOL" else ():
                names = (long_form,) if short.casefold() in words else (short, long_form)
                derived.extend((normalise_alias(f"{name} {rest}"), label, concept) for name in names)
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
    def load(cls, path: Path | None = None) -> ConceptIndex:
        return cls(load_vocabulary(path or DEFAULT_VOCABULARY))

    def lookup(self, text: str, label: str | None = None, acronyms: dict[str, str] | None = None) -> dict | None:
        """The concept `text` names, trying the text, then its expansion and acronym if it
        writes both ("Amazon Web Services (AWS": the resume's expansion, not the taxonomy's
        reading of its acronym), then where an acronym leads: `acronyms` (the resume's own pairs,
        {"gcp": "google cloud platform"}, tried before the taxonomy's reading), then `SYNONYMS`.
        A name reached that way is a product's, so O*NET's "software" suffix may complete it
        whatever the label."""
        split = split_acronym(text)
        for form in (text, *(split or ())[:1]):
            own = normalise_alias(form)
            chain = self._chain(own, acronyms)
            if acronyms and own in acronyms:  # the resume's reading of its acronym first
                chain = chain[1:] + [own]
            for key in chain:
                found = self._find(key, label, product=key != own)
                if found and key == own and acronyms and own in acronyms:
                    # the taxonomy's reading must agree with the resume's ("SSIS" may be the
                    # same Server Integration Services, but not "advanced welding system")
                    return found if _words(acronyms[own]) <= _words(found["preferred_label"]) else None
                if found:
                    return found
        version = _VERSION_TAIL.match(text.strip())
        if version:  # "SQL Server 2016", "Java 8": the product, when the rest names a tool
            key = normalise_alias(version["name"])
            for candidate in (key, f"{key} software"):
                if (candidate, "TECH_TOOL") in self._by_label:
                    return self._by_label[candidate, "TECH_TOOL"]
        return None

    def text_key(self, text: str, acronyms: dict[str, str] | None = None) -> str:
        """The key of a skill without a concept: its expansion's normalised text when it is an
        acronym ("gcp" -> "google cloud platform") or writes both, else its own."""
        split = split_acronym(text)
        return self._chain(normalise_alias(split[0] if split else text), acronyms)[-1]

    def _chain(self, key: str, acronyms: dict[str, str] | None) -> list[str]:
        keys = [key]
        for _ in range(3):
            nxt = (acronyms or {}).get(keys[-1]) or SYNONYMS.get(keys[-1])
            if not nxt or nxt in keys:
                break
            keys.append(nxt)
        return keys

    def _find(self, key: str, label: str | None, product: bool = False) -> dict | None:
        if key.startswith("ms "):
            key = "microsoft " + key[3:]
        product = product or key.split(" ", 1)[0] in _VENDORS  # "Google Cloud" is a product
        candidates = (key, f"{key} software") if product or label in (None, "TECH_TOOL") else (key,)
        for candidate in candidates:
            found = self._by_label.get((candidate, label)) or self._any.get(candidate)
            if found:
                return found
        return None


def _words(text: str) -> set[str]:
    return {normalise_alias(word) for word in normalise_alias(text).split()}


def _same_product(vocabulary: pd.DataFrame) -> dict[str, dict]:
    """ESCO tool concepts that are an O*NET product under the same name, or under the same name
    as written after its vendor ("SQL Server" = O*NET's "Microsoft SQL Server", but not ESCO's
    "business intelligence" = "SAP Business Intelligence"): ESCO id -> the O*NET concept, so
    that both taxonomies' aliases lead to one concept."""
    onet = vocabulary[(vocabulary["source"] == "onet") & (vocabulary["alias"] == vocabulary["preferred_label"])]
    by_name: dict[str, list] = {}
    for preferred, concept_id in onet[["preferred_label", "concept_id"]].drop_duplicates().itertuples(index=False):
        by_name.setdefault(normalise_alias(preferred), []).append(
            {"preferred_label": preferred, "concept_id": concept_id, "source": "onet", "name": preferred})
    esco = vocabulary[(vocabulary["source"] == "esco") & (vocabulary["label"] == "TECH_TOOL")]
    same = {}
    for preferred, concept_id in esco[["preferred_label", "concept_id"]].drop_duplicates().itertuples(index=False):
        names = {name: normalise_alias(name) for name in _variants(preferred)[:2]}
        matches = [c for key in names.values() for c in by_name.get(key, [])]
        matches += [c for name, key in names.items() for vendor in _VENDORS for c in by_name.get(f"{vendor} {key}", [])
                    if c["preferred_label"].endswith(f" {name}")]
        if len({c["concept_id"] for c in matches}) == 1:
            same[concept_id] = matches[0]
    return same


def _acronym_parts(alias: str) -> list[tuple[str, str, str]]:
    """(acronym, expansion, rest) for each acronym an alias spells out: O*NET's "Amazon Web
    Services AWS CloudFormation" gives ("AWS", "Amazon Web Services", "CloudFormation"); O*NET's
    generic "software" suffix is no rest ("Amazon Web Services AWS software": AWS itself)."""
    words = alias.split()
    parts = []
    for i, word in enumerate(words[1:], start=1):
        bare = word.strip("()")
        if bare and _ACRONYM_LIKE.match(bare):
            long_form = acronym_long_form(bare, " ".join(words[:i]))
            if long_form:
                rest = " ".join(w.strip("()") for w in words[i + 1:])
                parts.append((bare, long_form, "" if rest.casefold() == "software" else rest))
    return parts


def loose_product_names(alias: str) -> list[str]:
    """How resumes write a taxonomy's product name: without its vendor ("Kafka" for "Apache
    Kafka"), without O*NET's "software" suffix, and by its acronym or expansion alone ("AWS",
    "Amazon Web Services" for "Amazon Web Services AWS software")."""
    words = alias.split()
    names = []
    if len(words) >= 2 and words[0].casefold() in _VENDORS and len(" ".join(words[1:])) >= 3:
        names.append(" ".join(words[1:]))
    if len(words) >= 2 and words[-1].casefold() == "software":
        names.append(" ".join(words[:-1]))
    for short, long_form, rest in _acronym_parts(alias):
        names += [f"{short} {rest}".strip(), f"{long_form} {rest}".strip()]
    return [name for name in names if name != alias]


def _loose_keys(alias: str) -> list[str]:
    """Looser names for a product alias: without its vendor."""
    words = alias.split()
    if len(words) >= 2 and words[0].casefold() in _VENDORS and len(" ".join(words[1:])) >= 3:
        return [normalise_alias(" ".join(words[1:]))]
    return []
