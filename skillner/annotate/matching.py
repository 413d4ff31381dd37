"""Span matching, one rule for two uses: annotators' agreement (`measure.quality.agreement`)
and a model's scores (`measure.evaluate`). Strict needs the same boundaries, partial an
overlap; typed needs the same label too; each span is matched at most once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

Spans = Sequence[tuple[int, int, str]]


@dataclass
class Counts:
    """Matched predictions, number of predictions and number of gold spans."""

    tp: int = 0
    pred: int = 0
    gold: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.tp + other.tp, self.pred + other.pred, self.gold + other.gold)

    def prf(self) -> dict[str, float]:
        p = self.tp / self.pred if self.pred else 0.0
        r = self.tp / self.gold if self.gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"p": p, "r": r, "f": f}


def match(gold: Spans, pred: Spans, typed: bool, partial: bool) -> Counts:
    """One-to-one matching of predicted to gold spans of one document."""
    def same(g, p) -> bool:
        if typed and g[2] != p[2]:
            return False
        if partial:
            return g[0] < p[1] and p[0] < g[1]
        return g[0] == p[0] and g[1] == p[1]

    gold_sorted = sorted(gold)
    used = [False] * len(gold_sorted)
    tp = 0
    for p in sorted(pred):
        for i, g in enumerate(gold_sorted):
            if not used[i] and same(g, p):
                used[i] = True
                tp += 1
                break
    return Counts(tp, len(pred), len(gold))
