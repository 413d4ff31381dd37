"""How far annotators agree where several labelled the same resume (`skillner doccano agreement`)."""

from __future__ import annotations

from skillner.annotate.matching import Counts, match


def agreement(records: list[dict]) -> dict:
    """Pairwise span agreement where several annotators labelled the same resume.

    F1 between two annotators is symmetric (either can be taken as gold); strict needs the
    same boundaries and label, partial an overlap with the same label.
    """
    from itertools import combinations

    by_text: dict[int, dict[str, list]] = {}
    for r in records:
        spans = [(s["start"], s["end"], s["label"]) for s in r["spans"]]
        by_text.setdefault(r["_input_hash"], {})[r.get("_annotator_id", "unknown")] = spans
    pairs: dict[tuple[str, str], dict[str, Counts]] = {}
    for annotators in by_text.values():
        for a, b in combinations(sorted(annotators), 2):
            totals = pairs.setdefault((a, b), {"strict": Counts(), "partial": Counts(), "docs": Counts()})
            totals["strict"] += match(annotators[a], annotators[b], typed=True, partial=False)
            totals["partial"] += match(annotators[a], annotators[b], typed=True, partial=True)
            totals["docs"] += Counts(tp=1)
    rows = [{"a": a, "b": b, "docs": t["docs"].tp, "strict_f": t["strict"].prf()["f"],
             "partial_f": t["partial"].prf()["f"]} for (a, b), t in sorted(pairs.items())]
    overall_strict = sum((t["strict"] for t in pairs.values()), Counts()).prf()["f"]
    overall_partial = sum((t["partial"] for t in pairs.values()), Counts()).prf()["f"]
    return {"pairs": rows, "overall": {"strict_f": overall_strict, "partial_f": overall_partial,
                                        "docs_with_several_annotators": sum(len(a) > 1 for a in by_text.values())}}
