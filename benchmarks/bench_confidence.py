"""What a confidence per mention costs: the shipped pipeline (its NERs decode in Python and keep
each action's probability, `skillner.pipeline.confidence`) against the same weights under spaCy's own
`ner` factory (greedy decoding in C, no scores), on the 307 bundled resume texts, one thread.

The two are alternated, best of three each, and their entities are compared (they must be the
same). Prints the numbers and writes them to benchmarks/results/confidence.json.
Run: .venv/bin/python benchmarks/bench_confidence.py
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import spacy  # noqa: E402

from skillner.annotate.convert import read_jsonl  # noqa: E402
from skillner.pipeline.confidence import without_confidence  # noqa: E402

MODEL = ROOT / "models" / "skillner-cpu"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "confidence.json")
    args = parser.parse_args()
    texts = [record["text"] for record in read_jsonl(ROOT / "annotations" / "dotin.jsonl.gz")]
    scored, plain = spacy.load(MODEL), without_confidence(spacy.load(MODEL))
    for nlp in (scored, plain):
        list(nlp.pipe(texts[:16]))  # warm-up
    best = {"scored": float("inf"), "plain": float("inf")}
    docs = {}
    for _ in range(3):
        for name, nlp in (("scored", scored), ("plain", plain)):
            start = time.perf_counter()
            docs[name] = list(nlp.pipe(texts, batch_size=16))
            best[name] = min(best[name], time.perf_counter() - start)
    same = sum([(e.start, e.end, e.label_) for e in a.ents] == [(e.start, e.end, e.label_) for e in b.ents]
               for a, b in zip(docs["scored"], docs["plain"]))
    mentions = sum(len(doc.ents) for doc in docs["scored"])
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "resumes": len(texts), "characters": sum(map(len, texts)), "mentions": mentions,
        "plain_resumes_per_s": round(len(texts) / best["plain"], 2),
        "scored_resumes_per_s": round(len(texts) / best["scored"], 2),
        "scored_over_plain_ratio": round(best["plain"] / best["scored"], 3),
        "resumes_with_the_same_entities": same,
        "mentions_with_a_confidence": sum(e._.confidence is not None for doc in docs["scored"] for e in doc.ents),
    }
    print(json.dumps(result, indent=1))
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
