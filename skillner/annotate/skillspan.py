"""SkillSpan job postings (Zhang et al., NAACL 2022) as skillner documents: one text per posting.

The upstream files hold one pre-tokenised sentence per line with two independent BIO layers,
SKILL and KNOWLEDGE, that overlap in places. A posting becomes its sentences joined by "\n"
and its tokens by single spaces, so every span has exact character offsets; where the layers
overlap the longer span is kept (counted). Used as a second domain for evaluation
(`generalisation`) and as extra training text (`convert.skillspan_docbin`).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

Span = tuple[int, int, str]


@dataclass
class Posting:
    """One job posting as one text, with its gold spans (labelled SKILL or KNOWLEDGE by their layer)."""

    idx: int
    source: str
    text: str = ""
    spans: list[Span] = field(default_factory=list)
    sentences: list[tuple[str, ...]] = field(default_factory=list)


def bio_spans(tags: Sequence[str]) -> list[tuple[int, int]]:
    """Token ranges [start, end) of a BIO layer; an I- without a B- before it starts a span."""
    spans, start = [], None
    for i, tag in enumerate([*tags, "O"]):
        if start is not None and not tag.startswith("I"):
            spans.append((start, i))
            start = None
        if tag.startswith("B") or (tag.startswith("I") and start is None):
            start = i
    return spans


def merge_overlaps(spans: Sequence[tuple]) -> tuple[list[tuple], Counter]:
    """Non-overlapping spans (start, end, ...): longest first (then leftmost, then first given);
    counts spans with the same offsets as a kept one and other dropped overlaps."""
    kept: list[tuple] = []
    counts: Counter = Counter(identical=0, overlap_dropped=0)
    for span in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0])):
        if any(k[:2] == span[:2] for k in kept):
            counts["identical"] += 1
        elif any(k[0] < span[1] and span[0] < k[1] for k in kept):
            counts["overlap_dropped"] += 1
        else:
            kept.append(span)
    return sorted(kept), counts


def read_skillspan(path: Path, limit: int | None = None) -> tuple[list[Posting], Counter]:
    """Postings of a SkillSpan JSON-lines file (in file order; the first `limit` only) and merge counts."""
    raw: dict[int, list[dict]] = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                raw.setdefault(int(record["idx"]), []).append(record)
            except (ValueError, KeyError, TypeError) as err:
                raise ValueError(f"{path}:{number}: not a SkillSpan sentence ({err})") from None
    postings, merged = [], Counter(identical=0, overlap_dropped=0)
    for idx, records in list(raw.items())[:limit]:
        posting = Posting(idx=idx, source=records[0].get("source", "unknown"))
        pieces, offset, gold = [], 0, []
        for record in records:
            tokens = record["tokens"]
            starts = []
            for token in tokens:
                starts.append(offset)
                offset += len(token) + 1
            offset += 0 if tokens else 1  # an empty sentence is still one "\n"
            for layer, label in (("tags_skill", "SKILL"), ("tags_knowledge", "KNOWLEDGE")):
                for a, b in bio_spans(record[layer]):
                    gold.append((starts[a], starts[b - 1] + len(tokens[b - 1]), label))
            pieces.append(" ".join(tokens))
            posting.sentences.append(tuple(tokens))
        posting.text = "\n".join(pieces)
        kept, counts = merge_overlaps(gold)
        merged += counts
        posting.spans = kept
        postings.append(posting)
    return postings, merged
