"""Span-level scores people can trust: strict and partial, typed and untyped, with intervals.

- strict: a predicted span matches a gold span with exactly the same character boundaries.
- partial: a predicted span matches a gold span it overlaps; each gold span and each
  predicted span is matched at most once. Spans within one document never overlap each
  other, so a left-to-right greedy matching is a maximum matching.
- typed: the labels must agree too; untyped: any skill label matches any other.
- ci95: a percentile bootstrap over documents (resumes, not spans, are the sampled unit,
  since spans within one resume are not independent); None with 0 resamples.
- seen / unseen (`--seen-from TRAIN`): recall of the gold spans whose normalised text occurs
  among TRAIN's labelled spans, and of those whose text never does. The second is what a
  model knows beyond the strings it was shown: generalisation, not memory.

Scores are computed on character offsets, so a model whose tokenizer differs from the
gold data's is scored fairly.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from skillner.annotate.convert import load_labelled
from skillner.annotate.matching import Counts, Spans, match
from skillner.pipeline.labels import DEFAULT_LABEL_MAP, load_label_map
from skillner.pipeline.model import load_model


def doc_spans(doc: Doc) -> list[tuple[int, int, str]]:
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents]


MODES = {
    ("typed", "strict"): (True, False),
    ("typed", "partial"): (True, True),
    ("untyped", "strict"): (False, False),
    ("untyped", "partial"): (False, True),
}


def per_doc_counts(gold_docs: Sequence[Spans], pred_docs: Sequence[Spans], typed: bool, partial: bool) -> list[Counts]:
    if len(gold_docs) != len(pred_docs):
        raise ValueError(f"{len(gold_docs)} gold documents but {len(pred_docs)} predicted")
    return [match(g, p, typed, partial) for g, p in zip(gold_docs, pred_docs)]


def score(gold_docs: Sequence[Spans], pred_docs: Sequence[Spans], n_bootstrap: int = 1000, seed: int = 0) -> dict:
    """All scores for parallel lists of gold and predicted spans (one list per document)."""
    if n_bootstrap < 0:
        raise ValueError(f"bootstrap resamples must be 0 (no interval) or more, not {n_bootstrap}")
    per_doc = {mode: per_doc_counts(gold_docs, pred_docs, typed, partial) for mode, (typed, partial) in MODES.items()}
    result: dict = {"docs": len(gold_docs), "typed": {}, "untyped": {}}
    for (kind, boundary), counts in per_doc.items():
        total = sum(counts, Counts())
        result[kind][boundary] = {**total.prf(), "tp": total.tp, "pred": total.pred, "gold": total.gold}
    labels = sorted({s[2] for doc in list(gold_docs) + list(pred_docs) for s in doc})
    result["per_label"] = {}
    for label in labels:
        strict = sum((match([s for s in g if s[2] == label], [s for s in p if s[2] == label], True, False)
                      for g, p in zip(gold_docs, pred_docs)), Counts())
        partial = sum((match([s for s in g if s[2] == label], [s for s in p if s[2] == label], True, True)
                       for g, p in zip(gold_docs, pred_docs)), Counts())
        result["per_label"][label] = {**strict.prf(), "gold": strict.gold, "pred": strict.pred,
                                      "partial_f": partial.prf()["f"]}
    result["ci95"] = {
        f"{kind}_{boundary}_f": bootstrap_f(per_doc[(kind, boundary)], n_bootstrap, seed)
        for kind, boundary in MODES
    }
    return result


def _bootstrap_fs(counts: Sequence[Counts], idx: np.ndarray) -> np.ndarray:
    arr = np.array([(c.tp, c.pred, c.gold) for c in counts], dtype=float)
    sums = arr[idx].sum(axis=1)
    tp, denominator = sums[:, 0], sums[:, 1] + sums[:, 2]
    return np.divide(2 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)


def bootstrap_f(counts: Sequence[Counts], n: int, seed: int) -> list[float] | None:
    """95 % percentile interval of micro F1 when documents are resampled with replacement; None when n is 0."""
    if n == 0:
        return None
    if not counts:
        return [0.0, 0.0]
    idx = np.random.default_rng(seed).integers(0, len(counts), size=(n, len(counts)))
    return [float(x) for x in np.percentile(_bootstrap_fs(counts, idx), [2.5, 97.5])]


def paired_bootstrap_diff(a: Sequence[Counts], b: Sequence[Counts], n: int = 2000, seed: int = 0) -> dict:
    """F1(a) - F1(b) on the same documents, with a 95 % interval from resampling documents in pairs."""
    if len(a) != len(b) or not a:
        raise ValueError("paired bootstrap needs the same, non-empty list of documents")
    idx = np.random.default_rng(seed).integers(0, len(a), size=(n, len(a)))
    diffs = _bootstrap_fs(a, idx) - _bootstrap_fs(b, idx)
    point = sum(a, Counts()).prf()["f"] - sum(b, Counts()).prf()["f"]
    lo, hi = np.percentile(diffs, [2.5, 97.5])
    return {"diff": point, "ci95": [float(lo), float(hi)], "p_a_better": float((diffs > 0).mean())}


def span_key(text: str) -> str:
    """The text of a span as the seen/unseen split compares it: case, punctuation and plural ignored."""
    from skillner.taxonomy.vocabulary import normalise_alias

    return normalise_alias(text) or text.strip().lower()


def labelled_strings(data_path: Path, label_map_path: Path | None = None) -> set[str]:
    """Normalised texts of every labelled span in a data file: what a model trained on it has seen."""
    docs, _ = load_labelled(data_path, label_map=load_label_map(label_map_path or DEFAULT_LABEL_MAP))
    return {span_key(e.text) for doc in docs for e in doc.ents}


def bootstrap_ratio(pairs: Sequence[tuple[int, int]], n: int, seed: int) -> list[float] | None:
    """95 % percentile interval of sum(hits)/sum(total) when documents are resampled."""
    if n == 0:
        return None
    arr = np.array(pairs, dtype=float).reshape(-1, 2)
    if not len(arr) or arr[:, 1].sum() == 0:
        return [0.0, 0.0]
    idx = np.random.default_rng(seed).integers(0, len(arr), size=(n, len(arr)))
    sums = arr[idx].sum(axis=1)
    ratios = np.divide(sums[:, 0], sums[:, 1], out=np.zeros(n), where=sums[:, 1] > 0)
    return [float(x) for x in np.percentile(ratios, [2.5, 97.5])]


def seen_unseen_recall(gold_docs: Sequence[Doc], pred_docs: Sequence[Spans], seen: set[str],
                       n_bootstrap: int = 1000, seed: int = 0) -> dict:
    """Untyped recall (strict and partial) of gold spans split by whether their text was labelled in training."""
    result: dict = {"train_strings": len(seen)}
    for group in ("seen", "unseen"):
        keep = (lambda key: key in seen) if group == "seen" else (lambda key: key not in seen)
        subsets = [[(e.start_char, e.end_char, e.label_) for e in doc.ents if keep(span_key(e.text))] for doc in gold_docs]
        entry: dict = {"gold": sum(len(s) for s in subsets)}
        for boundary, partial in (("strict", False), ("partial", True)):
            pairs = [(match(g, p, typed=False, partial=partial).tp, len(g)) for g, p in zip(subsets, pred_docs)]
            hits = sum(h for h, _ in pairs)
            entry[boundary] = {"recall": hits / entry["gold"] if entry["gold"] else 0.0, "tp": hits,
                               "ci95": bootstrap_ratio(pairs, n_bootstrap, seed)}
        result[group] = entry
    total = result["seen"]["gold"] + result["unseen"]["gold"]
    result["unseen_share"] = result["unseen"]["gold"] / total if total else 0.0
    return result


def predict(nlp: Language, texts: Iterable[str], batch_size: int = 16) -> list[Doc]:
    return list(nlp.pipe(texts, batch_size=batch_size))


def evaluate(
    data_path: Path,
    model: Path | str | Language | None = None,
    label_map_path: Path | None = None,
    n_bootstrap: int = 1000,
    seen_from: Path | None = None,
) -> dict:
    """Score a model on labelled data (`.spacy`, Prodigy JSONL or Doccano JSONL).

    Unreadable data is a `LabelledDataError`; skipped records and spans are in `conversion`
    (counts) and `input_problems` (each with its line). With `seen_from` (the training data),
    `seen_unseen` splits recall by whether a gold span's text was labelled there."""
    if n_bootstrap < 0:
        raise ValueError(f"bootstrap resamples must be 0 (no interval) or more, not {n_bootstrap}")
    label_map = load_label_map(label_map_path or DEFAULT_LABEL_MAP)
    gold, report = load_labelled(data_path, label_map=label_map)
    nlp = load_model(model)
    start = time.perf_counter()
    predicted = predict(nlp, (doc.text for doc in gold))
    seconds = time.perf_counter() - start
    pred_spans = [doc_spans(d) for d in predicted]
    result = score([doc_spans(d) for d in gold], pred_spans, n_bootstrap)
    if seen_from is not None:
        result["seen_unseen"] = {"train": str(seen_from),
                                 **seen_unseen_recall(gold, pred_spans, labelled_strings(seen_from, label_map_path),
                                                      n_bootstrap)}
    result["data"] = str(data_path)
    result["model"] = str(model if not isinstance(model, Language) else model.meta.get("name"))
    result["conversion"] = dict(report.counts)
    result["records"] = report.records
    result["input_problems"] = [asdict(p) for p in report.input_problems]
    result["speed"] = {"seconds": seconds, "docs_per_second": len(gold) / seconds if seconds else None,
                       "words_per_second": sum(len(d) for d in gold) / seconds if seconds else None}
    return result


def format_table(result: dict) -> str:
    """A plain-text table of the headline scores and per-label scores."""
    lines = [f"{'':<18}{'P':>7}{'R':>7}{'F':>7}"]
    for kind in ("typed", "untyped"):
        for boundary in ("strict", "partial"):
            s = result[kind][boundary]
            lines.append(f"{kind + ' ' + boundary:<18}{s['p']:>7.3f}{s['r']:>7.3f}{s['f']:>7.3f}")
    interval = result["ci95"]["untyped_strict_f"]
    if interval is None:
        lines.append(f"untyped strict F over {result['docs']} docs (no bootstrap interval)")
    else:
        lines.append(f"untyped strict F 95% CI (bootstrap over {result['docs']} docs): "
                     f"[{interval[0]:.3f}, {interval[1]:.3f}]")
    lines.append("")
    lines.append(f"{'label':<18}{'P':>7}{'R':>7}{'F':>7}{'gold':>7}{'pred':>7}")
    for label, s in result["per_label"].items():
        lines.append(f"{label:<18}{s['p']:>7.3f}{s['r']:>7.3f}{s['f']:>7.3f}{s['gold']:>7}{s['pred']:>7}")
    if result.get("seen_unseen"):
        lines += ["", "untyped recall by whether the span's text is labelled in " + result["seen_unseen"]["train"]]
        for group in ("seen", "unseen"):
            g = result["seen_unseen"][group]
            cells = []
            for boundary in ("strict", "partial"):
                r = g[boundary]
                interval = f" [{r['ci95'][0]:.3f}, {r['ci95'][1]:.3f}]" if r["ci95"] else ""
                cells.append(f"{boundary} {r['recall']:.3f}{interval}")
            lines.append(f"  {group:<7}{g['gold']:>5} gold spans: " + ", ".join(cells))
    if result.get("conversion"):
        counts = ", ".join(f"{kind} {n}" for kind, n in sorted(result["conversion"].items()))
        lines += ["", f"{result['docs']} of {result['records']} records scored; skipped or changed on the way: "
                      f"{counts}"]
    return "\n".join(lines)
