"""Whether linking by embeddings could run without the trf extra: the same held-out evaluation
(`skillner link-eval`: 20 % of ESCO's alternative labels and O*NET's example names left out of
the index and linked with the rest) with two embedding sources, each indexing the same 103 k
taxonomy labels:
- all-MiniLM-L6-v2 (the `trf` extra; the shipped index), and
- en_core_web_md 3.8.0's static word vectors (averaged over the tokens, unit length), the
  lighter source: no torch, but a 40 MB model package (`make vectors`).

Also the time to encode the labels and the index size. Prints the numbers and writes them to
benchmarks/results/link_sources.json.
Run: .venv/bin/python benchmarks/bench_link_sources.py (after `make link-index vectors`)
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import spacy  # noqa: E402

from skillner.measure.link_evaluation import heldout_evaluation  # noqa: E402
from skillner.taxonomy.encoder import Embedder  # noqa: E402
from skillner.taxonomy.linking import LinkIndex  # noqa: E402

VECTORS = ROOT / "build" / "vectors" / "en_core_web_md"


class StaticEmbedder:
    """Mean of en_core_web_md's word vectors over a text's tokens, unit length (zero where no
    token has a vector)."""

    def __init__(self, path: Path = VECTORS):
        self.nlp = spacy.load(path, exclude=["tok2vec", "tagger", "parser", "senter", "attribute_ruler",
                                             "lemmatizer", "ner"])

    def encode(self, texts) -> np.ndarray:
        out = np.zeros((len(texts), self.nlp.vocab.vectors.shape[1]), dtype=np.float32)
        for row, doc in enumerate(self.nlp.tokenizer.pipe(texts)):
            norm = np.linalg.norm(doc.vector)
            if norm:
                out[row] = doc.vector / norm
        return out


def main() -> None:
    import torch

    torch.set_num_threads(1)
    report = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}, 1 thread"}
    shipped = LinkIndex.load()
    for name, embedder in (("all-MiniLM-L6-v2", Embedder()), ("en_core_web_md vectors", StaticEmbedder())):
        start = time.perf_counter()
        index = shipped if name.startswith("all-") else LinkIndex.build(embedder)
        build_s = time.perf_counter() - start
        held = heldout_evaluation(index, embedder)
        report[name] = {"accuracy": held["accuracy"], "threshold": held["threshold"], "dimensions": int(index.vectors.shape[1]),
                        **({} if name.startswith("all-") else {"index_build_s": round(build_s, 1)})}
        print(name, json.dumps(held["accuracy"]))
    out = ROOT / "benchmarks" / "results" / "link_sources.json"
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
