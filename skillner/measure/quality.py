"""Annotation quality: what annotators missed or labelled inconsistently, and corrected copies.

Works on labelled records of any shape `convert` reads (the canonical Prodigy JSONL first);
records and spans that are not labelled data are skipped and reported, as `convert` does.
Repeats are found on tokens (skillner's resume tokenizer), never on raw substrings, so
"Java" inside "JavaScript" is not a repeat of "Java"; a single capitalised word ("Excel",
"Go") must repeat with its capital, so the verb "excel" is not a missed skill. Strings made
only of stop words are never repeats. Every fix is tagged with its rule in the span
(`_fix`), and removed spans are kept in `_fix_removed`, so a reviewer can revert any of them.

About 640 lines on purpose: the checks, the fixes they propose and the retraining experiment
that prices them all work on the same flagged records and rules; split, they would import
one another.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Iterable, Sequence

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc

from skillner.annotate.convert import ConversionReport, check_records, task_hash, tokenizer_nlp

CHECKS = ("missed_repeat", "missed_repeat_corpus", "label_conflict", "boundary_conflict", "edge", "misaligned",
          "duplicate", "overlap", "empty_doc", "no_spans", "near_duplicate")
RULES = ("trim_edges", "align", "dedupe", "resolve_overlaps", "majority_label", "label_repeats",
         "label_corpus_repeats")
DEFAULT_RULES = ("trim_edges", "align", "dedupe", "resolve_overlaps", "label_repeats")


@dataclass
class Finding:
    doc_id: str
    check: str
    start: int | None = None
    end: int | None = None
    text: str = ""
    label: str | None = None
    detail: str = ""


@dataclass
class Span:
    start: int
    end: int
    label: str
    fix: dict | None = None

    def key(self) -> tuple[int, int, str]:
        return self.start, self.end, self.label


@dataclass
class Document:
    doc_id: str
    text: str
    spans: list[Span]
    record: dict
    doc: Doc  # the text in skillner's resume tokens
    tokens: list = field(default_factory=list)  # (lower text, exact text, start, end), spaces left out
    starts: dict = field(default_factory=dict)  # lower text -> indices in tokens
    removed: list = field(default_factory=list)  # spans a fix rule took out, as annotated


def load_documents(records: Iterable, lines: Sequence[int] | None = None) -> tuple[list[Document], ConversionReport]:
    """Documents of the records with text, and a report of the records and spans skipped
    (`convert.check_records`; rejected answers are kept: they are annotations too)."""
    nlp = tokenizer_nlp()
    checked, report = check_records(records, lines=lines, skip_answers=False)
    documents = []
    for item in checked:
        text = item.record["text"]
        doc = nlp.make_doc(text)
        tokens = [(t.lower_, t.text, t.idx, t.idx + len(t)) for t in doc if not t.is_space]
        starts = defaultdict(list)
        for i, token in enumerate(tokens):
            starts[token[0]].append(i)
        documents.append(Document(item.doc_id, text, [Span(s.start, s.end, s.label) for s in item.spans],
                                  item.record, doc, tokens, starts))
    return documents, report


# --- repeats -------------------------------------------------------------------------------
def surface_key(text: str) -> str:
    return " ".join(text.casefold().split())


def _surface_tokens(document: Document, start: int, end: int) -> list[tuple]:
    return [t for t in document.tokens if t[2] >= start and t[3] <= end]


def _repeatable(tokens: list[tuple]) -> bool:
    words = [t[0] for t in tokens]
    return bool(words) and sum(len(w) for w in words) >= 2 and any(c.isalpha() for w in words for c in w) \
        and not all(w in STOP_WORDS or not any(c.isalnum() for c in w) for w in words)


def occurrences(document: Document, tokens: list[tuple]) -> list[tuple[int, int]]:
    """Character spans where this token sequence occurs in the document, on token boundaries.

    Case-insensitive, except that a single word with a capital letter must match exactly.
    """
    wanted = [t[0] for t in tokens]
    exact = tokens[0][1] if len(tokens) == 1 and any(c.isupper() for c in tokens[0][1]) else None
    found = []
    doc_tokens = document.tokens
    for i in document.starts.get(wanted[0], ()):
        if i + len(wanted) > len(doc_tokens):
            break
        if all(doc_tokens[i + k][0] == wanted[k] for k in range(1, len(wanted))):
            if exact is not None and doc_tokens[i][1] != exact:
                continue
            found.append((doc_tokens[i][2], doc_tokens[i + len(wanted) - 1][3]))
    return found


@dataclass
class RepeatScan:
    labelled: int = 0
    missed: list[Finding] = field(default_factory=list)
    boundary: list[Finding] = field(default_factory=list)


def scan_repeats(document: Document, surfaces: dict[str, tuple[list[tuple], str]], check: str) -> RepeatScan:
    """Occurrences of each surface (tokens, label) in the document: covered by a span,
    crossing a span's edge (a boundary conflict), or unlabelled (a missed repeat)."""
    scan = RepeatScan()
    for key, (tokens, label) in surfaces.items():
        for start, end in occurrences(document, tokens):
            crossed = next((s for s in document.spans if s.start < end and start < s.end), None)
            if any(s.start <= start and end <= s.end for s in document.spans):
                scan.labelled += 1
            elif crossed is not None:
                scan.boundary.append(Finding(document.doc_id, "boundary_conflict", start, end, document.text[start:end],
                                             label, f"crosses the span {document.text[crossed.start:crossed.end]!r}"))
            else:
                scan.missed.append(Finding(document.doc_id, check, start, end, document.text[start:end], label,
                                           "labelled elsewhere in this resume" if check == "missed_repeat"
                                           else "labelled in other resumes, never in this one"))
    return scan


def _doc_surfaces(document: Document) -> dict[str, tuple[list[tuple], str]]:
    labels: dict[str, Counter] = defaultdict(Counter)
    tokens_of: dict[str, list[tuple]] = {}
    for span in document.spans:
        tokens = _surface_tokens(document, span.start, span.end)
        if _repeatable(tokens):
            key = surface_key(document.text[span.start:span.end])
            labels[key][span.label] += 1
            tokens_of.setdefault(key, tokens)
    return {key: (tokens_of[key], counts.most_common(1)[0][0]) for key, counts in labels.items()}


def corpus_surfaces(documents: list[Document], min_docs: int = 3) -> dict[str, tuple[list[tuple], str]]:
    """Surfaces labelled in at least `min_docs` resumes, with their majority label."""
    labels: dict[str, Counter] = defaultdict(Counter)
    docs_of: dict[str, set] = defaultdict(set)
    tokens_of: dict[str, list[tuple]] = {}
    for document in documents:
        for key, (tokens, label) in _doc_surfaces(document).items():
            labels[key][label] += 1
            docs_of[key].add(document.doc_id)
            tokens_of.setdefault(key, tokens)
    return {key: (tokens_of[key], labels[key].most_common(1)[0][0]) for key in labels if len(docs_of[key]) >= min_docs}


def corpus_repeats(documents: list[Document], min_docs: int = 3, min_rate: float = 0.5) -> list[Finding]:
    """Unlabelled occurrences, in resumes that never label it, of a string labelled in at least
    `min_docs` resumes and at `min_rate` of its occurrences across annotated resumes: the
    weaker, corpus-wide signal ("development" is labelled in many resumes but left alone far
    more often, so it is not flagged)."""
    common = corpus_surfaces(documents, min_docs)
    annotated = [d for d in documents if d.spans]  # a resume with no spans was not annotated for skills
    covered: Counter = Counter()
    unlabelled: Counter = Counter()
    candidates: dict[str, list[Finding]] = defaultdict(list)
    for document in annotated:
        own = _doc_surfaces(document)
        for key, surface in common.items():
            scan = scan_repeats(document, {key: surface}, "missed_repeat_corpus")
            covered[key] += scan.labelled
            unlabelled[key] += len(scan.missed)
            if key not in own:  # inside its own resume it is an ordinary missed repeat
                candidates[key].extend(scan.missed)
    return [finding for key in common if covered[key] >= min_rate * (covered[key] + unlabelled[key])
            for finding in candidates[key]]


# --- span checks ---------------------------------------------------------------------------
def _bad_edge(text: str, index: int) -> bool:
    """Whitespace or punctuation at a span edge, except the marks that belong to a name:
    ".NET", "C#", "C++" (a symbol), "(AWS)" with both brackets."""
    char = text[index]
    if char.isspace():
        return True
    if not unicodedata.category(char).startswith("P"):
        return False
    if index == 0:
        return not ((char == "." and len(text) > 1 and text[1].isalpha()) or (char == "(" and ")" in text))
    return not ((char == "#" and len(text) > 1 and text[-2].isalnum()) or (char == ")" and "(" in text))


def span_findings(document: Document) -> list[Finding]:
    findings = []
    seen: Counter = Counter()
    ordered = sorted(document.spans, key=lambda s: (s.start, -s.end))
    for i, span in enumerate(ordered):
        text = document.text[span.start:span.end]
        base = dict(doc_id=document.doc_id, start=span.start, end=span.end, text=text, label=span.label)
        if not text or _bad_edge(text, 0) or _bad_edge(text, len(text) - 1):
            findings.append(Finding(check="edge", detail="whitespace or punctuation at an edge", **base))
        elif document.doc.char_span(span.start, span.end) is None:
            findings.append(Finding(check="misaligned", detail="edges fall inside tokens", **base))
        seen[span.key()] += 1
        if seen[span.key()] == 2:
            findings.append(Finding(check="duplicate", detail="the same span twice", **base))
        for other in ordered[i + 1:]:
            if other.start >= span.end:
                break
            if other.key() != span.key():
                findings.append(Finding(check="overlap", detail=f"overlaps {document.text[other.start:other.end]!r} "
                                                                f"({other.label})", **base))
    return findings


def label_conflicts(documents: list[Document]) -> list[Finding]:
    """Spans whose text carries another label more often elsewhere in the corpus."""
    labels: dict[str, Counter] = defaultdict(Counter)
    for document in documents:
        for span in document.spans:
            labels[surface_key(document.text[span.start:span.end])][span.label] += 1
    findings = []
    for document in documents:
        for span in document.spans:
            counts = labels[surface_key(document.text[span.start:span.end])]
            majority, top = counts.most_common(1)[0]
            if len(counts) > 1 and span.label != majority and top > counts[span.label]:
                findings.append(Finding(document.doc_id, "label_conflict", span.start, span.end,
                                        document.text[span.start:span.end], span.label,
                                        f"labelled {majority} {top} of {sum(counts.values())} times"))
    return findings


def document_findings(documents: list[Document], near_duplicate_threshold: float = 0.4) -> list[Finding]:
    from skillner.annotate.splits import near_duplicate_groups

    findings = [Finding(d.doc_id, "empty_doc", detail="no text") for d in documents if not d.text.strip()]
    findings += [Finding(d.doc_id, "no_spans", detail="no skill span at all (not annotated?)")
                 for d in documents if d.text.strip() and not d.spans]
    _, pairs = near_duplicate_groups({d.doc_id: d.text for d in documents if d.text.strip()}, near_duplicate_threshold)
    findings += [Finding(p["a"], "near_duplicate", detail=f"{p['jaccard']:.2f} shingle overlap with {p['b']}")
                 for p in pairs]
    return findings


# --- the check -----------------------------------------------------------------------------
def check(records: list, min_corpus_docs: int = 3, lines: Sequence[int] | None = None) -> dict:
    """Every finding, with totals per check and per resume, the in-resume repeat rate, and
    (`input`) the records and spans skipped as not labelled data."""
    documents, loaded = load_documents(records, lines)
    findings: list[Finding] = []
    labelled = missed = 0
    for document in documents:
        findings += span_findings(document)
        scan = scan_repeats(document, _doc_surfaces(document), "missed_repeat")
        labelled, missed = labelled + scan.labelled, missed + len(scan.missed)
        findings += scan.missed + scan.boundary
    findings += corpus_repeats(documents, min_corpus_docs)
    findings += label_conflicts(documents) + document_findings(documents)
    totals = Counter(f.check for f in findings)
    per_doc: dict[str, Counter] = defaultdict(Counter)
    for finding in findings:
        per_doc[finding.doc_id][finding.check] += 1
    return {"documents": len(documents), "spans": sum(len(d.spans) for d in documents),
            "totals": {c: totals.get(c, 0) for c in CHECKS},
            "repeats": {"labelled_occurrences": labelled, "unlabelled_occurrences": missed,
                        "unlabelled_share": round(missed / (labelled + missed), 4) if labelled + missed else 0.0},
            "per_document": {d: dict(c) for d, c in sorted(per_doc.items())},
            "findings": [asdict(f) for f in findings],
            "input": {"records": loaded.records, "counts": dict(loaded.counts),
                      "problems": [asdict(p) for p in loaded.input_problems]}}


# --- fixes ---------------------------------------------------------------------------------
def parse_rules(text: str | None) -> tuple[str, ...]:
    """Rules named on a command line ("trim_edges, align"); none named means `DEFAULT_RULES`."""
    return tuple(r.strip() for r in text.split(",") if r.strip()) if text else DEFAULT_RULES


def _trimmed(text: str, span: Span) -> tuple[int, int]:
    start, end = span.start, span.end
    while start < end and _bad_edge(text[start:end], 0):
        start += 1
    while start < end and _bad_edge(text[start:end], end - start - 1):
        end -= 1
    return start, end


def _tag(span: Span, rule: str) -> None:
    """Record the rule on the span; `was` stays the span as the annotator left it."""
    if span.fix is None:
        span.fix = {"rule": rule, "was": {"start": span.start, "end": span.end, "label": span.label}}
    elif rule not in span.fix["rule"].split("+"):
        span.fix["rule"] += f"+{rule}"


def _add(document: Document, findings: list[Finding], rule: str) -> int:
    """Proposed spans for missed repeats, longest first, never over an existing span."""
    added = 0
    for finding in sorted(findings, key=lambda f: (f.start - f.end, f.start)):
        if any(s.start < finding.end and finding.start < s.end for s in document.spans):
            continue
        document.spans.append(Span(finding.start, finding.end, finding.label, {"rule": rule, "was": None}))
        added += 1
    return added


def apply_fixes(records: list, rules: Iterable[str] = DEFAULT_RULES, min_corpus_docs: int = 3,
                lines: Sequence[int] | None = None) -> tuple[list[dict], dict]:
    """Corrected copies of the records (the input is not modified) and counts per rule.

    Rules run in `RULES` order, so repeats are searched on spans already trimmed and aligned.
    Records and spans that are not labelled data are left out of the copy and counted as
    `skipped:<kind>`.
    """
    rules = set(rules)
    unknown = rules - set(RULES)
    if unknown:
        raise ValueError(f"unknown fix rule(s) {sorted(unknown)}: choose from {', '.join(RULES)}")
    documents, loaded = load_documents(records, lines)
    counts: Counter = Counter({f"skipped:{kind}": n for kind, n in loaded.counts.items()})

    def remove(document: Document, span: Span, rule: str) -> None:
        """Kept as the annotator left it, with every rule that touched it."""
        document.spans.remove(span)
        was = span.fix["was"] if span.fix else {"start": span.start, "end": span.end, "label": span.label}
        chain = f"{span.fix['rule']}+{rule}" if span.fix else rule
        document.removed.append({**was, "rule": chain})
        counts[f"{rule}:removed"] += 1

    for document in documents:
        for span in list(document.spans):
            if "trim_edges" in rules:
                start, end = _trimmed(document.text, span)
                if start >= end:
                    remove(document, span, "trim_edges")
                    continue
                if (start, end) != (span.start, span.end):
                    _tag(span, "trim_edges")
                    span.start, span.end = start, end
                    counts["trim_edges:changed"] += 1
            if "align" in rules and document.doc.char_span(span.start, span.end) is None:
                expanded = document.doc.char_span(span.start, span.end, alignment_mode="expand")
                if expanded is not None:
                    _tag(span, "align")
                    span.start, span.end = expanded.start_char, expanded.end_char
                    counts["align:changed"] += 1
        if "dedupe" in rules:
            seen = set()
            for span in list(document.spans):
                if span.key() in seen:
                    remove(document, span, "dedupe")
                seen.add(span.key())
        if "resolve_overlaps" in rules:
            kept: list[Span] = []
            for span in sorted(document.spans, key=lambda s: (s.start - s.end, s.start)):
                if any(k.start < span.end and span.start < k.end for k in kept):
                    remove(document, span, "resolve_overlaps")
                else:
                    kept.append(span)
    if "majority_label" in rules:
        conflicts = {(f.doc_id, f.start, f.end, f.label): f for f in label_conflicts(documents)}
        for document in documents:
            for span in document.spans:
                finding = conflicts.get((document.doc_id, span.start, span.end, span.label))
                if finding:
                    _tag(span, "majority_label")
                    span.label = finding.detail.split()[1]
                    counts["majority_label:changed"] += 1
    if "label_repeats" in rules:
        for document in documents:
            counts["label_repeats:added"] += _add(
                document, scan_repeats(document, _doc_surfaces(document), "missed_repeat").missed, "label_repeats")
    if "label_corpus_repeats" in rules:
        by_doc: dict[str, list[Finding]] = defaultdict(list)
        for finding in corpus_repeats(documents, min_corpus_docs):
            by_doc[finding.doc_id].append(finding)
        for document in documents:
            counts["label_corpus_repeats:added"] += _add(document, by_doc[document.doc_id], "label_corpus_repeats")
    fixed = [_record(document) for document in documents]
    return fixed, {k: v for k, v in sorted(counts.items()) if v}


def _record(document: Document) -> dict:
    """The record in canonical (Prodigy) shape with its corrected spans."""
    spans = []
    for span in sorted(document.spans, key=lambda s: (s.start, s.end)):
        entry = {"start": span.start, "end": span.end, "label": span.label}
        aligned = document.doc.char_span(span.start, span.end)
        if aligned is not None:
            entry.update(token_start=aligned.start, token_end=aligned.end - 1)
        if span.fix:
            entry["_fix"] = span.fix
        spans.append(entry)
    record = {k: v for k, v in document.record.items()
              if k not in ("spans", "label", "entities", "annotations", "_task_hash", "_fix_removed")}
    record["spans"] = spans
    record["_task_hash"] = task_hash(document.text, spans)
    if document.removed:
        record["_fix_removed"] = document.removed
    return record


def changes_per_document(fixed: list[dict]) -> list[int]:
    return [sum(1 for s in r["spans"] if s.get("_fix")) + len(r.get("_fix_removed", ())) for r in fixed]


def review_cost(fixed: list[dict], settings, ledger=None) -> dict:
    """Annotator minutes to review the proposed changes, against labelling the same resumes again.

    A reviewed change is priced as one labelled span (an upper bound: accepting a suggestion
    is quicker than marking one): the ledger's time model gives seconds per span and per
    resume where a measured ledger exists, else the documented prior.
    """
    import numpy as np

    changes = np.array(changes_per_document(fixed))
    words = np.array([len(r["text"].split()) for r in fixed])
    spans = np.array([len(r["spans"]) for r in fixed])
    if ledger is not None:
        from skillner.measure.cost import fit_time_model, predict_seconds

        model = fit_time_model(ledger)
        per_span, source = max(float(model.coef_[1]), 0.0), "the ledger's time model"
        relabel = predict_seconds(model, words, spans)
    else:
        per_span, source = settings.prior_seconds_per_span, "the prior (no ledger)"
        relabel = settings.prior_seconds(words, spans)
    review = changes * per_span
    return {"source": source, "seconds_per_change": round(per_span, 1), "changes": int(changes.sum()),
            "documents_with_changes": int((changes > 0).sum()),
            "review_minutes": round(float(review.sum()) / 60, 1),
            "relabel_minutes": round(float(relabel.sum()) / 60, 1),
            "review_cost": round(float(settings.money(review.sum())), 2),
            "relabel_cost": round(float(settings.money(relabel.sum())), 2), "currency": settings.currency}


# --- reports -------------------------------------------------------------------------------
_CHECK_TEXT = {
    "missed_repeat": "string labelled in a resume left unlabelled elsewhere in it",
    "missed_repeat_corpus": "string labelled in >= 3 resumes (and at >= 50 % of its occurrences) left unlabelled in a resume that never labels it (weaker)",
    "label_conflict": "span whose text carries another label more often in the corpus",
    "boundary_conflict": "repeat of a labelled string that crosses another span's edge",
    "edge": "span with whitespace or punctuation at an edge",
    "misaligned": "span whose edges fall inside tokens",
    "duplicate": "the same span twice", "overlap": "spans that overlap",
    "empty_doc": "resume with no text", "no_spans": "resume with no skill span",
    "near_duplicate": "pair of near-duplicate resumes (5-word shingles, Jaccard >= 0.4)",
}


def check_markdown(result: dict, texts: dict[str, str], source: str, examples: int = 8) -> str:
    repeats = result["repeats"]
    lines = [f"# Annotation check: {source}", "",
             f"{result['documents']} resumes, {result['spans']} skill spans. Within a resume, "
             f"{repeats['unlabelled_occurrences']:,} occurrences of strings labelled elsewhere in the same resume are "
             f"unlabelled, against {repeats['labelled_occurrences']:,} labelled "
             f"({100 * repeats['unlabelled_share']:.1f} % left unlabelled).", "",
             "| check | findings | what it is |", "|---|---|---|"]
    lines += [f"| {c} | {n:,} | {_CHECK_TEXT[c]} |" for c, n in result["totals"].items()]
    worst = sorted(result["per_document"].items(), key=lambda kv: -kv[1].get("missed_repeat", 0))[:10]
    lines += ["", "Resumes with the most missed repeats: " +
              ", ".join(f"{d} ({c.get('missed_repeat', 0)})" for d, c in worst if c.get("missed_repeat")) + ".", ""]
    for check_name in CHECKS:
        found = [f for f in result["findings"] if f["check"] == check_name][:examples]
        if not found:
            continue
        lines += [f"## {check_name}", ""]
        for f in found:
            if f["start"] is None:
                lines.append(f"- {f['doc_id']}: {f['detail']}")
                continue
            text = texts[f["doc_id"]]
            context = " ".join((text[max(0, f["start"] - 40):f["start"]] + "[[" + text[f["start"]:f["end"]] + "]]"
                                + text[f["end"]:f["end"] + 40]).split())
            lines.append(f"- {f['doc_id']} {f['start']}-{f['end']} {f['label'] or ''}: …{context}… ({f['detail']})")
        lines.append("")
    return "\n".join(lines)


# --- review in Doccano ---------------------------------------------------------------------
SUGGESTION_MARK = "?"


def review_records(fixed: list[dict]) -> list[dict]:
    """The changed resumes as Doccano sees them: each span as the annotator left it (removed
    ones included) under its own label, and each proposal under its label + "?". The reviewer
    keeps a proposal by relabelling it, rejects it by deleting it; `meta.skillner_fixes` lists
    the rule behind each proposal."""
    out = []
    for record in fixed:
        original, proposals = [], []
        for span in record["spans"]:
            fix = span.get("_fix")
            if fix is None:
                original.append(span)
                continue
            if fix["was"] is not None:
                original.append(fix["was"])
            proposals.append({"start": span["start"], "end": span["end"], "label": span["label"] + SUGGESTION_MARK,
                              "rule": fix["rule"]})
        removed = [{k: r[k] for k in ("start", "end", "label")} for r in record.get("_fix_removed", ())]
        if not proposals and not removed:
            continue
        meta = {**(record.get("meta") or {}),
                "skillner_fixes": proposals + [{**r, "removed": True} for r in record.get("_fix_removed", ())]}
        spans = [{k: s[k] for k in ("start", "end", "label")} for s in original + proposals] + removed
        out.append({"text": record["text"], "spans": spans, "meta": meta})
    return out


def push_review(client, fixed: list[dict], project: str) -> dict:
    from skillner.annotate.doccano import push
    from skillner.pipeline.labels import load_label_map

    labels = set(load_label_map().values())
    label_map = {label: label for label in labels} | {label + SUGGESTION_MARK: label + SUGGESTION_MARK for label in labels}
    return push(client, review_records(fixed), project, create=True, label_map=label_map)


# --- what fixing is worth ------------------------------------------------------------------
def label_experiment(original_path, fixed_path, splits_dir, work_dir, seeds=(0, 1, 2), workers: int = 2,
                     config=None) -> dict:
    """Train `config` (default configs/cpu.cfg, the curve's budget) on the original and on the
    fixed training labels, same split, one run per seed; score every model on the original
    test labels and, separately, on the fixed ones (untyped strict F1).

    Each arm picks its checkpoint on its own dev labels.
    """
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    from skillner import REPO_ROOT
    from skillner.annotate.convert import read_docbin, write_split_docbins
    from skillner.measure.curve import Budget, train_and_score
    from skillner.measure.evaluate import evaluate

    config = Path(config or REPO_ROOT / "configs" / "cpu.cfg")
    work_dir = Path(work_dir)
    arms = {"original": Path(original_path), "fixed": Path(fixed_path)}
    data = {}
    for arm, path in arms.items():
        data[arm] = work_dir / "data" / arm
        write_split_docbins(path, Path(splits_dir), data[arm])
    size = len(read_docbin(data["original"] / "train.spacy"))

    def run(arm: str, seed: int) -> dict:
        result = train_and_score(config, data[arm], size, seed, Budget(), work_dir / "runs")
        model = work_dir / "runs" / result["key"] / "model" / "model-best"
        row = {"train_labels": arm, "seed": seed, "train_seconds": result["train_seconds"]}
        for test in arms:
            strict = evaluate(data[test] / "test.spacy", model, n_bootstrap=200)["untyped"]["strict"]
            row.update({f"test_{test}": strict["f"], f"test_{test}_p": strict["p"], f"test_{test}_r": strict["r"]})
        return row

    with ThreadPoolExecutor(max_workers=workers) as pool:
        runs = list(pool.map(lambda job: run(*job), [(arm, seed) for arm in arms for seed in seeds]))
    return {"config": config.stem, "train_resumes": size, "seeds": list(seeds), "runs": runs,
            "cells": _cells(runs)}


def _interval(values) -> dict:
    import numpy as np
    from scipy import stats

    values = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
    return {"mean": round(float(values.mean()), 4), "ci95": [round(float(values.mean() - half), 4),
                                                              round(float(values.mean() + half), 4)]}


def _cells(runs: list[dict]) -> dict:
    """Mean F1 over seeds with a t interval per (train labels, test labels), and the paired
    (same seed) difference fixed - original training on each test version."""
    cells = {}
    for test in ("test_original", "test_fixed"):
        for arm in ("original", "fixed"):
            cells[f"train_{arm}/{test}"] = _interval([r[test] for r in runs if r["train_labels"] == arm])
        by_seed = {(r["train_labels"], r["seed"]): r[test] for r in runs}
        seeds = sorted({r["seed"] for r in runs})
        cells[f"difference/{test}"] = _interval([by_seed[("fixed", s)] - by_seed[("original", s)] for s in seeds])
    return cells


def experiment_markdown(result: dict, counts: dict) -> str:
    cells = result["cells"]

    def show(key: str) -> str:
        cell = cells[key]
        return f"{cell['mean']:.3f} [{cell['ci95'][0]:.3f}, {cell['ci95'][1]:.3f}]"

    def signed(key: str) -> str:
        cell = cells[key]
        return f"{cell['mean']:+.3f} [{cell['ci95'][0]:+.3f}, {cell['ci95'][1]:+.3f}]"

    rules = sorted({k.split(":")[0] for k in counts} - {"skipped"})
    lines = ["## What fixing the labels is worth", "",
             f"`{result['config']}` trained on the {result['train_resumes']} train resumes, once with the original labels "
             f"and once with the fixed ones (rules: {', '.join(rules)}), seeds "
             f"{', '.join(map(str, result['seeds']))}, the curve's training budget; untyped strict F1, mean over seeds "
             "with a 95 % t interval across seeds.", "",
             "| trained on | original test labels | fixed test labels |", "|---|---|---|",
             f"| original labels | {show('train_original/test_original')} | {show('train_original/test_fixed')} |",
             f"| fixed labels | {show('train_fixed/test_original')} | {show('train_fixed/test_fixed')} |",
             f"| difference (same seed) | {signed('difference/test_original')} | {signed('difference/test_fixed')} |",
             ""]
    pr = {arm: [(r["test_original_p"], r["test_original_r"]) for r in result["runs"] if r["train_labels"] == arm]
          for arm in ("original", "fixed")}
    lines += ["Against the original test labels, precision / recall (mean over seeds): trained on original labels "
              + " / ".join(f"{sum(v) / len(v):.3f}" for v in zip(*pr["original"])) + ", on fixed labels "
              + " / ".join(f"{sum(v) / len(v):.3f}" for v in zip(*pr["fixed"])) + ".", ""]
    on_original = cells["difference/test_original"]
    if on_original["ci95"][0] > 0:
        verdict = ("Training on the fixed labels scores higher even against the original test labels, which the fixes "
                   "never touched: the fixes help the model, not just the metric.")
    elif on_original["ci95"][1] < 0:
        verdict = ("Against the original test labels, training on the fixed labels scores lower: the fixes teach the "
                   "model spans the original annotators would not mark, so any gain on the fixed test labels is the "
                   "metric agreeing with itself.")
    else:
        verdict = ("Against the original test labels the difference is within noise, so no improvement in the model "
                   "itself is shown; the fixed test column measures agreement with the fixed labelling convention "
                   "and cannot carry a claim alone.")
    lines += [f"**Conclusion.** {verdict}", ""]
    return "\n".join(lines)
