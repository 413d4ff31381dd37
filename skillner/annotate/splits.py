"""Deterministic train/dev/test splits by resume, with near-duplicates kept on one side.

The corpus holds near-duplicate resumes (the same person's resume posted twice, templates
filled in alike). If one copy sits in train and another in test, the test score measures
memory, not generalisation. Near-duplicates are found by Jaccard similarity of word
5-gram shingles and grouped transitively (union-find); whole groups are assigned to a split.
"""

from __future__ import annotations

import json
import random
import re
from itertools import combinations
from pathlib import Path

SPLIT_NAMES = ("train", "dev", "test")
_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = 5) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return {tuple(words)} if words else set()
    return {tuple(words[i:i + size]) for i in range(len(words) - size + 1)}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def near_duplicate_groups(texts: dict[str, str], threshold: float = 0.4) -> tuple[list[list[str]], list[dict]]:
    """Groups of ids whose texts are near-duplicates (transitively), and the pairs found."""
    sets = {doc_id: shingles(text) for doc_id, text in texts.items()}
    parent = {doc_id: doc_id for doc_id in texts}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    pairs = []
    for a, b in combinations(texts, 2):
        similarity = jaccard(sets[a], sets[b])
        if similarity >= threshold:
            pairs.append({"a": a, "b": b, "jaccard": round(similarity, 3)})
            parent[find(a)] = find(b)
    groups: dict[str, list[str]] = {}
    for doc_id in texts:
        groups.setdefault(find(doc_id), []).append(doc_id)
    return [sorted(g) for g in groups.values()], pairs


def assign_splits(
    groups: list[list[str]], fractions: tuple[float, float, float] = (0.7, 0.15, 0.15), seed: int = 13
) -> dict[str, list[str]]:
    """Shuffle groups with a fixed seed and fill test, then dev, then train, by resume count."""
    order = sorted(groups, key=lambda g: g[0])
    random.Random(seed).shuffle(order)
    total = sum(len(g) for g in groups)
    targets = {"test": round(fractions[2] * total), "dev": round(fractions[1] * total)}
    splits: dict[str, list[str]] = {name: [] for name in SPLIT_NAMES}
    for group in order:
        name = next((n for n in ("test", "dev") if len(splits[n]) < targets[n]), "train")
        splits[name].extend(group)
    return {name: sorted(ids, key=_natural_key) for name, ids in splits.items()}


def _natural_key(doc_id: str):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", doc_id)]


def make_splits(records: list[dict], out_dir: Path, threshold: float = 0.4, seed: int = 13) -> dict:
    """Write `train.txt`, `dev.txt`, `test.txt` id lists and `near_duplicates.json`."""
    texts = {record["meta"]["id"]: record["text"] for record in records}
    groups, pairs = near_duplicate_groups(texts, threshold)
    splits = assign_splits(groups, seed=seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, ids in splits.items():
        (out_dir / f"{name}.txt").write_text("".join(f"{i}\n" for i in ids), encoding="utf-8")
    report = {
        "threshold": threshold,
        "seed": seed,
        "sizes": {name: len(ids) for name, ids in splits.items()},
        "near_duplicate_pairs": pairs,
        "near_duplicate_groups": [g for g in groups if len(g) > 1],
    }
    (out_dir / "near_duplicates.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return report


def read_split(split_dir: Path, name: str) -> list[str]:
    return (Path(split_dir) / f"{name}.txt").read_text(encoding="utf-8").split()
