"""Does a model find skills beyond what its training labels showed? Two checks.

1. SkillSpan (cross-domain). SkillSpan dev is job postings, not resumes, labelled by other
   people with other labels (SKILL, KNOWLEDGE). One text per posting: sentences joined by
   "\\n", tokens by single spaces, so gold offsets are exact. Gold = the union of the two BIO
   layers; where two gold spans overlap the longer one is kept (the same boundaries in both
   layers count as `identical`, any other overlap as `overlap_dropped`). Scored untyped only
   (every gold and predicted span gets the one label SKILL), strict and partial, with
   bootstrap intervals over postings. Boilerplate sentences that repeat are kept (postings are
   the sampled unit and a model sees them as they are); their number is reported.

2. Mainstream tools (recall without gold labels). Names: O*NET 29.2 `technology_skills.tsv`
   Examples flagged Hot Technology or In Demand, and ESCO v1.1.1 digital-skills concepts of
   skill type knowledge (preferredLabel). Each occurrence of a name in the dev resumes and in
   the SkillSpan dev texts should lie inside a predicted mention; `inside` = a predicted span
   contains it, `overlapped` = a predicted span overlaps it.

   Surface forms (`mainstream_names`, written to corpus/vocabulary/mainstream_tools.csv):
   - the name; O*NET's generic " software" suffix dropped ("Ansible software" -> "Ansible");
     ESCO's trailing qualifier dropped ("Python (computer programming)" -> "Python");
   - a spelled-out acronym gives both sides ("Structured query language SQL" -> "Structured
     query language", "SQL"), as `vocabulary._acronym_parts` finds them;
   - the product without its vendor, for the vendors in `VENDORS` ("Microsoft Excel" -> "Excel").
   Excluded: names under 2 characters ("R", "C"); O*NET's category names, which name a kind of
   software, not a tool (`CATEGORIES`, "Accounting software"); and `AMBIGUOUS` names, which are
   usually something else in a resume even when capitalised: vendor-stripped words ("Project",
   "Docs", "Teams", "Access" as in "Access Control Lists"), employers ("Google", "Cisco"),
   degree subjects ("Computer Science", "Electronics"), words ("Go", "LESS", "Salt", "Scratch").

   Case: a name is matched case-insensitively unless it is one word that is also an ordinary
   English word (`ORDINARY_WORDS`: "Excel", "Slack", "Word", "React", "Swift", ...); those
   must be written as the taxonomy writes them (or all in capitals), so "excel in" and "slack
   time" are not tools. Names match at word boundaries (no letter, digit or "_" on either
   side, so "Java" is not found in "JavaScript", "SQL" not in "MySQL", "HTML" not in "HTML5"),
   and not inside an e-mail address or file name ("x@sas.name", "index.asp"); the spaces in a name
   match any run of whitespace. Where found names overlap, the longest wins ("Microsoft SQL
   Server" over "SQL Server" over "SQL"), then the leftmost.

   Given the training data, recall is also split by whether an occurrence's text (`span_key`)
   was labelled there: `by_training.unseen` is a tool the labels never showed.

   Precision warning (not a gold score): on the dev resumes, the share of predicted spans that
   overlap no gold span and whose `normalise_alias` key is no alias of the skills vocabulary
   (and, looser, the share with no concept in `ConceptIndex` either).
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Sequence

import pandas as pd
from spacy.language import Language

from skillner import REPO_ROOT
from skillner.annotate.convert import load_labelled
from skillner.annotate.skillspan import Posting, read_skillspan
from skillner.measure.evaluate import (
    bootstrap_ratio,
    doc_spans,
    evaluate,
    labelled_strings,
    load_model,
    score,
    span_key,
)
from skillner.measure.occupations import format_occupations, occupation_card_lines, occupation_report
from skillner.taxonomy.vocabulary import (
    DEFAULT_VOCABULARY,
    ConceptIndex,
    _acronym_parts,
    load_vocabulary,
    normalise_alias,
)

Span = tuple[int, int, str]
UNTYPED = "SKILL"
DEFAULT_SKILLSPAN = REPO_ROOT / "corpus" / "skillspan" / "dev.json"
DEFAULT_TAXONOMIES = REPO_ROOT.parent / "shared" / "data" / "taxonomies"
MAINSTREAM_NAMES = REPO_ROOT / "corpus" / "vocabulary" / "mainstream_tools.csv"
TOP_NAMES = 40
WARNING_EXAMPLES = 30

VENDORS = ("Adobe", "Amazon", "Apache", "Apple", "Atlassian", "Autodesk", "Dassault Systemes", "ESRI", "Google",
           "IBM", "Intuit", "Microsoft", "National Instruments", "Oracle", "Red Hat", "StataCorp", "TechSmith",
           "Tenable", "The MathWorks", "MathWorks", "Trimble", "Unity Technologies", "Unreal Technology")

CATEGORIES = frozenset({
    "Accounting software", "Applicant tracking software", "Business software applications", "Chatbot software",
    "Clinical trial management software", "Database application software", "Disassembler software",
    "Firewall software", "Inventory control system software", "Inventory management systems",
    "JavaScript framework software", "Network directory services software", "Operating system software",
    "Payroll software", "Productivity software", "Project management software", "Purchasing software",
    "Relational database management system software", "Simulation software", "Software libraries",
    "Source code editor software", "Statistical software", "System testing software",
    "Tax compliance property tax management software", "Tax software", "Video editing software",
    "Web application software", "Web browser software", "Web framework software", "Web server software",
})

AMBIGUOUS = frozenset({
    "absorb", "access", "ads", "analytics", "assembly", "audition", "cisco", "cloud", "computer engineering",
    "computer science", "database", "docs", "dynamics", "electronics", "facebook", "go", "google", "inventor",
    "less", "maya", "meet", "middleware", "ml", "office", "project", "rage", "salt", "scratch", "sheets", "shiva",
    "source", "spark", "teams", "workspace",
})

ORDINARY_WORDS = frozenset({
    "acrobat", "airflow", "android", "angular", "bamboo", "bash", "bootstrap", "canvas", "chef",
    "confluence", "eclipse", "excel", "groovy", "hive", "illustrator", "lisp", "maven", "outlook", "pandas",
    "pascal", "perforce", "postman", "puppet", "react", "redshift", "ruby", "selenium", "slack", "subversion",
    "swift", "tableau", "unity", "windows", "word", "workday", "zoom",
})


# --- SkillSpan ---------------------------------------------------------------------------------

def _untyped(spans: Sequence[Span]) -> list[Span]:
    return [(a, b, UNTYPED) for a, b, _ in spans]


def skillspan_scores(postings: Sequence[Posting], predicted: Sequence[Sequence[Span]], merged: Counter,
                     n_bootstrap: int = 1000) -> dict:
    """Untyped strict and partial P/R/F of predictions against SkillSpan's union of SKILL and KNOWLEDGE."""
    gold = [_untyped(p.spans) for p in postings]
    pred = [_untyped(spans) for spans in predicted]
    scores = score(gold, pred, n_bootstrap)
    sentences = Counter(s for p in postings for s in p.sentences)
    result = {
        "postings": len(postings),
        "sentences": sum(sentences.values()),
        "repeated_sentences": sum(n - 1 for n in sentences.values()),
        "deduplicated": False,
        "gold_spans": sum(len(g) for g in gold),
        "gold_merged": dict(merged),
        "strict": {**scores["untyped"]["strict"], "ci95": scores["ci95"]["untyped_strict_f"]},
        "partial": {**scores["untyped"]["partial"], "ci95": scores["ci95"]["untyped_partial_f"]},
        "per_source": {},
    }
    for source in sorted({p.source for p in postings}):
        keep = [i for i, p in enumerate(postings) if p.source == source]
        sub = score([gold[i] for i in keep], [pred[i] for i in keep], n_bootstrap)
        result["per_source"][source] = {"postings": len(keep), **sub["untyped"]["strict"],
                                        "ci95": sub["ci95"]["untyped_strict_f"]}
    return result


def _predict(nlp: Language, texts: Sequence[str]) -> list[list[Span]]:
    return [doc_spans(doc) for doc in nlp.pipe(texts, batch_size=8)]


def skillspan_check(nlp: Language, path: Path = DEFAULT_SKILLSPAN, n_bootstrap: int = 1000,
                    limit: int | None = None) -> dict:
    """Cross-domain check: the model on SkillSpan dev postings, untyped."""
    postings, merged = read_skillspan(_existing(path), limit)
    return {"data": str(path), **skillspan_scores(postings, _predict(nlp, [p.text for p in postings]), merged,
                                                   n_bootstrap)}


# --- mainstream tool names -----------------------------------------------------------------

def _without_qualifier(name: str) -> str:
    return re.sub(r"\s*\([^()]*\)\s*$", "", name)


def _surface_forms(name: str, onet: bool) -> list[str]:
    """What a resume writes for one taxonomy name: itself, without O*NET's "software", acronym sides,
    without its vendor. (ESCO's "office software" is a kind of software, so ESCO keeps the word.)"""
    name = " ".join(_without_qualifier(name).split())
    forms = [name, re.sub(r" software$", "", name) if onet else name]
    for acronym, long_form, rest in _acronym_parts(name):
        if not rest:
            forms += [acronym, long_form]
    for form in list(forms):
        for vendor in VENDORS:
            if form.startswith(vendor + " "):
                forms.append(form[len(vendor) + 1:])
    return list(dict.fromkeys(forms))


def _kept(form: str) -> bool:
    return len(form) >= 2 and form.casefold() not in AMBIGUOUS


def mainstream_names(taxonomy_dir: Path) -> pd.DataFrame:
    """The name list (columns name, source, flag), one row per surface form, sorted; deterministic."""
    onet = pd.read_csv(_existing(taxonomy_dir / "onet-29.2" / "technology_skills.tsv"), sep="\t", dtype=str,
                       keep_default_na=False)
    esco = pd.read_csv(_existing(taxonomy_dir / "esco-1.1.1" / "digitalSkillsCollection_en.csv"), dtype=str,
                       keep_default_na=False)
    origins: dict[str, set[tuple[str, str]]] = defaultdict(set)
    flagged = onet[(onet["Hot Technology"] == "Y") | (onet["In Demand"] == "Y")]
    for example, hot, demand in flagged[["Example", "Hot Technology", "In Demand"]].itertuples(index=False):
        if example in CATEGORIES:
            continue
        flag = "+".join(f for f, on in (("hot", hot == "Y"), ("in_demand", demand == "Y")) if on)
        for form in _surface_forms(example, onet=True):
            origins[form].add(("onet", flag))
    for label in esco.loc[esco.skillType == "knowledge", "preferredLabel"]:
        for form in _surface_forms(label, onet=False):
            origins[form].add(("esco", "knowledge"))
    by_key: dict[str, str] = {}
    for form in sorted(origins):  # one spelling per case-folded name: the first in sort order
        by_key.setdefault(form.casefold(), form)
    rows = []
    for form in sorted(by_key.values(), key=lambda f: (f.casefold(), f)):
        if not _kept(form):
            continue
        same = [o for f in origins if f.casefold() == form.casefold() for o in origins[f]]
        flags = {atom for _, f in same for atom in f.split("+")}
        rows.append((form, "+".join(sorted({s for s, _ in same})), "+".join(sorted(flags))))
    return pd.DataFrame(rows, columns=["name", "source", "flag"])


def write_mainstream_names(taxonomy_dir: Path, out: Path = MAINSTREAM_NAMES) -> pd.DataFrame:
    """Regenerate corpus/vocabulary/mainstream_tools.csv from the taxonomy files."""
    names = mainstream_names(taxonomy_dir)
    names.to_csv(out, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return names


def load_mainstream_names(taxonomy_dir: Path | None = None,
                          names_path: Path = MAINSTREAM_NAMES) -> tuple[list[str], str]:
    """Names from the taxonomies where they are present, else from the shipped derived CSV; and which."""
    if taxonomy_dir is not None and Path(taxonomy_dir).is_dir():
        return list(mainstream_names(Path(taxonomy_dir)).name), str(taxonomy_dir)
    return list(pd.read_csv(_existing(names_path), dtype=str, keep_default_na=False).name), str(names_path)


_BEFORE = r"(?<![\w@.])"  # not inside a word, an e-mail address or a file name ("sas.name", "index.asp")
_AFTER = r"(?!\w|\.\w)"


def _ordinary(name: str) -> bool:
    return " " not in name and name.casefold() in ORDINARY_WORDS


class NameMatcher:
    """Finds name occurrences at word boundaries under the case rules above; longest match wins."""

    def __init__(self, names: Sequence[str]):
        self.patterns = []
        for name in names:
            body = r"\s+".join(re.escape(word) for word in name.split())
            if _ordinary(name):
                pattern = re.compile(rf"{_BEFORE}(?:{body}|{re.escape(name.upper())}){_AFTER}")
            else:
                pattern = re.compile(rf"{_BEFORE}{body}{_AFTER}", re.IGNORECASE)
            self.patterns.append((name, pattern))

    def find(self, text: str) -> list[Span]:
        found = [(m.start(), m.end(), name) for name, pattern in self.patterns for m in pattern.finditer(text)]
        kept: list[Span] = []
        for occurrence in sorted(found, key=lambda o: (-(o[1] - o[0]), o[0], o[2])):
            if not any(k[0] < occurrence[1] and occurrence[0] < k[1] for k in kept):
                kept.append(occurrence)
        return sorted(kept)


def inside(occurrence: Span, predicted: Sequence[Span]) -> bool:
    return any(p[0] <= occurrence[0] and occurrence[1] <= p[1] for p in predicted)


def overlapped(occurrence: Span, predicted: Sequence[Span]) -> bool:
    return any(p[0] < occurrence[1] and occurrence[0] < p[1] for p in predicted)


def _recall(pairs: Sequence[tuple[int, int, int]], n_bootstrap: int, seed: int = 0) -> dict:
    """Recall (inside and overlapped) from per-document (inside, overlapped, total) counts."""
    total = sum(t for _, _, t in pairs)
    return {"occurrences": total,
            "inside": sum(i for i, _, _ in pairs) / total if total else 0.0,
            "overlapped": sum(o for _, o, _ in pairs) / total if total else 0.0,
            "inside_ci95": bootstrap_ratio([(i, t) for i, _, t in pairs], n_bootstrap, seed),
            "overlapped_ci95": bootstrap_ratio([(o, t) for _, o, t in pairs], n_bootstrap, seed)}


def _counts(occurrences: Sequence[Span], pred: Sequence[Span]) -> tuple[int, int, int]:
    return (sum(inside(o, pred) for o in occurrences), sum(overlapped(o, pred) for o in occurrences),
            len(occurrences))


def mainstream_recall(matcher: NameMatcher, corpora: dict[str, tuple[Sequence[str], Sequence[Sequence[Span]]]],
                      n_bootstrap: int = 1000, seen: set[str] | None = None) -> dict:
    """Recall of name occurrences per corpus, overall (bootstrap over documents) and per name.

    With `seen` (the `span_key`s of the training labels), recall is also split by whether an
    occurrence's text was labelled in training: the unseen part is generalisation, not memory."""
    per_corpus, all_pairs = {}, []
    by_training: dict[str, list] = {"seen": [], "unseen": []}
    per_name: dict[str, Counter] = defaultdict(Counter)
    for corpus, (texts, predicted) in corpora.items():
        pairs = []
        for text, pred in zip(texts, predicted, strict=True):
            occurrences = matcher.find(text)
            for occurrence in occurrences:
                per_name[occurrence[2]].update(total=1, found=int(inside(occurrence, pred)))
            pairs.append(_counts(occurrences, pred))
            if seen is not None:
                known = [span_key(text[o[0]:o[1]]) in seen for o in occurrences]
                by_training["seen"].append(_counts([o for o, k in zip(occurrences, known) if k], pred))
                by_training["unseen"].append(_counts([o for o, k in zip(occurrences, known) if not k], pred))
        per_corpus[corpus] = _recall(pairs, n_bootstrap)
        all_pairs += pairs
    rows = [{"name": name, "found": c["found"], "total": c["total"]} for name, c in per_name.items()]
    by_total = sorted(rows, key=lambda r: (-r["total"], r["name"]))
    by_missed = sorted(rows, key=lambda r: (-(r["total"] - r["found"]), r["name"]))
    result = {"overall": _recall(all_pairs, n_bootstrap), "per_corpus": per_corpus}
    if seen is not None:
        result["by_training"] = {group: _recall(pairs, n_bootstrap) for group, pairs in by_training.items()}
    return {**result, "names_found": len(rows), "top_names": by_total[:TOP_NAMES],
            "most_missed": [r for r in by_missed[:TOP_NAMES] if r["found"] < r["total"]]}


def vocabulary_keys(vocabulary_path: Path = DEFAULT_VOCABULARY) -> set[str]:
    return {normalise_alias(alias) for alias in load_vocabulary(_existing(vocabulary_path)).alias}


def precision_warning(texts: Sequence[str], gold: Sequence[Sequence[Span]], predicted: Sequence[Sequence[Span]],
                      alias_keys: set[str], concepts: ConceptIndex | None = None) -> dict:
    """Share of predicted spans that overlap no gold span and are no vocabulary alias, with examples.

    With `concepts`, also the share that no concept lookup (the looser one `extract` uses:
    "Photoshop" -> "Adobe Photoshop") supports either: the exact-alias test flags real tools."""
    unsupported: Counter = Counter()
    total = 0
    for text, gold_spans, pred in zip(texts, gold, predicted, strict=True):
        for start, end, label in pred:
            total += 1
            mention = text[start:end]
            if not overlapped((start, end, label), gold_spans) and normalise_alias(mention) not in alias_keys:
                unsupported[(mention, label)] += 1
    n = sum(unsupported.values())
    examples = sorted(unsupported.items(), key=lambda item: (-item[1], item[0]))[:WARNING_EXAMPLES]
    result = {"predicted": total, "unsupported": n, "fraction": n / total if total else 0.0,
              "examples": [{"text": t, "label": label, "count": c} for (t, label), c in examples]}
    if concepts is not None:
        loose = sum(c for (mention, _), c in unsupported.items() if concepts.lookup(mention) is None)
        result.update(unsupported_loose=loose, fraction_loose=loose / total if total else 0.0)
    return result


def _dev_resumes(path: Path):
    docs, _ = load_labelled(_existing(path))
    return [d.text for d in docs], [doc_spans(d) for d in docs]


def _mainstream(resumes: tuple[list[str], list[list[Span]]], resume_pred: list[list[Span]],
                postings: Sequence[Posting], posting_pred: list[list[Span]], taxonomy_dir: Path | None,
                vocabulary_path: Path, names_path: Path, n_bootstrap: int, train: Path | None) -> dict:
    names, names_from = load_mainstream_names(taxonomy_dir, names_path)
    matcher = NameMatcher(names)
    corpora = {"dev_resumes": (resumes[0], resume_pred), "skillspan": ([p.text for p in postings], posting_pred)}
    seen = labelled_strings(_existing(train)) if train is not None else None
    return {"names": len(names), "names_from": names_from,
            **mainstream_recall(matcher, corpora, n_bootstrap, seen),
            "precision_warning": precision_warning(resumes[0], resumes[1], resume_pred,
                                                   vocabulary_keys(vocabulary_path),
                                                   ConceptIndex.load(vocabulary_path))}


def mainstream_check(nlp: Language, resume_docs_path: Path, skillspan_path: Path = DEFAULT_SKILLSPAN,
                     taxonomy_dir: Path | None = DEFAULT_TAXONOMIES, vocabulary_path: Path = DEFAULT_VOCABULARY,
                     names_path: Path = MAINSTREAM_NAMES, n_bootstrap: int = 1000, limit: int | None = None,
                     train: Path | None = None) -> dict:
    """Recall of mainstream tool names in the dev resumes and SkillSpan dev, and the precision warning;
    with `train`, recall split by whether the name was labelled there."""
    resumes = _dev_resumes(resume_docs_path)
    postings, _ = read_skillspan(_existing(skillspan_path), limit)
    return _mainstream(resumes, _predict(nlp, resumes[0]), postings, _predict(nlp, [p.text for p in postings]),
                       taxonomy_dir, vocabulary_path, names_path, n_bootstrap, train)


# --- both, with the in-domain seen / unseen split --------------------------------------------

def _existing(path: Path) -> Path:
    if not Path(path).is_file():
        raise FileNotFoundError(f"no such file: {path}")
    return Path(path)


def generalisation_report(model_path: Path | str | Language | None = None,
                          dev: Path = REPO_ROOT / "build" / "data" / "dev.spacy",
                          train: Path = REPO_ROOT / "build" / "data" / "train.spacy",
                          skillspan: Path = DEFAULT_SKILLSPAN, taxonomy_dir: Path | None = DEFAULT_TAXONOMIES,
                          vocabulary_path: Path = DEFAULT_VOCABULARY, names_path: Path = MAINSTREAM_NAMES,
                          n_bootstrap: int = 1000, limit: int | None = None,
                          occupations: Path | None = None, team_train: Path | None = None) -> dict:
    """A model's whole generalisation picture: in-domain seen/unseen recall, SkillSpan, mainstream
    tools, and with `occupations` (team-written resumes) the per-job-family scores."""
    for path in (dev, train, skillspan, vocabulary_path):
        _existing(path)
    nlp = load_model(model_path)
    in_domain = evaluate(dev, nlp, n_bootstrap=n_bootstrap, seen_from=train)
    postings, merged = read_skillspan(skillspan, limit)
    posting_pred = _predict(nlp, [p.text for p in postings])
    resumes = _dev_resumes(dev)
    result = {
        "model": str(model_path if not isinstance(model_path, Language) else model_path.meta.get("name")),
        "dev": {"data": str(dev), "docs": in_domain["docs"], "untyped": in_domain["untyped"],
                "untyped_strict_f_ci95": in_domain["ci95"]["untyped_strict_f"],
                "seen_unseen": in_domain["seen_unseen"]},
        "skillspan": {"data": str(skillspan), **skillspan_scores(postings, posting_pred, merged, n_bootstrap)},
        "mainstream": _mainstream(resumes, _predict(nlp, resumes[0]), postings, posting_pred, taxonomy_dir,
                                  vocabulary_path, names_path, n_bootstrap, train),
    }
    if occupations is not None:
        result["occupations"] = occupation_report(nlp, occupations, [train] + ([team_train] if team_train else []))
    return result


def _ci(interval) -> str:
    return f" [{interval[0]:.3f}, {interval[1]:.3f}]" if interval else ""


def format_report(result: dict) -> str:
    """A plain-text summary of `generalisation_report`."""
    dev, ss, ms = result["dev"], result["skillspan"], result["mainstream"]
    su = dev["seen_unseen"]
    lines = [f"model {result['model']}",
             f"dev ({dev['docs']} resumes), untyped: strict F {dev['untyped']['strict']['f']:.3f}"
             f"{_ci(dev['untyped_strict_f_ci95'])}, partial F {dev['untyped']['partial']['f']:.3f}"]
    for group in ("seen", "unseen"):
        g = su[group]
        lines.append(f"  {group:<7}{g['gold']:>5} gold spans: strict recall {g['strict']['recall']:.3f}"
                     f"{_ci(g['strict']['ci95'])}, partial {g['partial']['recall']:.3f}")
    lines += ["", f"SkillSpan dev ({ss['postings']} postings, {ss['gold_spans']} gold spans, "
                  f"{ss['repeated_sentences']} of {ss['sentences']} sentences repeat, kept), untyped:"]
    for boundary in ("strict", "partial"):
        s = ss[boundary]
        lines.append(f"  {boundary:<8} P {s['p']:.3f}  R {s['r']:.3f}  F {s['f']:.3f}{_ci(s['ci95'])}")
    for source, s in ss["per_source"].items():
        lines.append(f"  {source:<8} strict F {s['f']:.3f}{_ci(s['ci95'])} ({s['postings']} postings)")
    lines += ["", f"mainstream tools ({ms['names']} names from {ms['names_from']}): share of occurrences inside "
                  "a predicted mention (overlapped by one)"]
    rows = [("overall", ms["overall"]), *ms["per_corpus"].items()]
    rows += [(f"{group} in train", r) for group, r in ms.get("by_training", {}).items()]
    for corpus, r in rows:
        lines.append(f"  {corpus:<16}{r['occurrences']:>5} occurrences: {r['inside']:.3f}{_ci(r['inside_ci95'])}"
                     f" ({r['overlapped']:.3f})")
    missed = ", ".join(f"{r['name']} {r['found']}/{r['total']}" for r in ms["most_missed"][:15])
    lines.append(f"  most missed: {missed or 'none'}")
    pw = ms["precision_warning"]
    examples = ", ".join(repr(e["text"]) for e in pw["examples"][:10])
    lines += ["", f"precision warning (dev resumes): {pw['unsupported']} of {pw['predicted']} predicted spans "
                  f"({pw['fraction']:.3f}) overlap no gold span and are no vocabulary alias"
                  + (f" ({pw['unsupported_loose']}, {pw['fraction_loose']:.3f}, have no concept either)"
                     if "fraction_loose" in pw else "") + f"; e.g. {examples}"]
    if "occupations" in result:
        lines += ["", format_occupations(result["occupations"])]
    return "\n".join(lines)


def card_lines(result: dict) -> list[str]:
    """Markdown lines for the model card: the SkillSpan and mainstream-tool checks of `generalisation_report`."""
    ss, ms = result["skillspan"], result["mainstream"]
    lines = [f"**Job postings (SkillSpan dev, Zhang et al. 2022, CC BY 4.0).** {ss['postings']} postings by other",
             "annotators, gold = SKILL ∪ KNOWLEDGE, untyped (95 % bootstrap over postings):", "",
             "| | P | R | F [95 % CI] |", "|---|---|---|---|"]
    for boundary in ("strict", "partial"):
        s = ss[boundary]
        lines.append(f"| {boundary} | {s['p']:.3f} | {s['r']:.3f} | {s['f']:.3f}{_ci(s['ci95'])} |")
    lines += ["", f"**Mainstream tools.** Occurrences of {ms['names']} O\\*NET Hot Technology / In Demand and ESCO",
              "knowledge names that lie inside a predicted mention (95 % bootstrap over documents):", "",
              "| occurrences in | n | recall [95 % CI] |", "|---|---|---|"]
    rows = [("all", ms["overall"]), *ms["per_corpus"].items()]
    rows += [(f"names {group} in training labels", r) for group, r in ms.get("by_training", {}).items()]
    for name, r in rows:
        lines.append(f"| {name} | {r['occurrences']} | {r['inside']:.3f}{_ci(r['inside_ci95'])} |")
    missed = ", ".join(f"{r['name']} {r['found']}/{r['total']}" for r in ms["most_missed"][:10])
    pw = ms["precision_warning"]
    lines += ["", f"Most missed: {missed or 'none'}.", "",
              f"Precision warning (not a gold score): {pw['fraction']:.1%} of the predicted spans on the resumes of",
              f"`{result['dev']['data']}` overlap no gold span and are no vocabulary alias ({pw['fraction_loose']:.1%} have",
              "no taxonomy concept either). The resumes' row above (`dev_resumes`) is that file."]
    if "occupations" in result:
        lines += ["", *occupation_card_lines(result["occupations"])]
    return lines
