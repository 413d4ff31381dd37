"""What linking by embeddings costs (issue 14, in progress), on the dev + test resumes and the
shipped model, one thread, all in one run:
- the index: load time and memory (float32 in memory);
- mentions linked per second by `Linker` (aliases first, then embeddings above 0.75), split into
  encoding the mentions and the matrix product over the 103 k taxonomy labels, so it shows
  whether a nearest-neighbour library would pay;
- the time per resume of `extract_texts` with aliases only, and what linking the same resume's
  mentions by embeddings adds.

Prints the numbers and writes them to benchmarks/results/linking.json.
Run: .venv/bin/python benchmarks/bench_linking.py (after `make link-index`)
"""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from skillner.convert import read_docbin  # noqa: E402
from skillner.evaluate import load_model  # noqa: E402
from skillner.extract import extract_texts  # noqa: E402
from skillner.linking import Embedder, LinkIndex, Linker  # noqa: E402
from skillner.vocabulary import ConceptIndex, acronym_pairs  # noqa: E402

THRESHOLD = 0.75


def main() -> None:
    torch.set_num_threads(1)
    out = ROOT / "benchmarks" / "results" / "linking.json"
    texts = [d.text for split in ("dev", "test") for d in read_docbin(ROOT / "build" / "data" / f"{split}.spacy")]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    index = LinkIndex.load()
    load_s = time.perf_counter() - start
    index_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024
    embedder, concepts, nlp = Embedder(), ConceptIndex.load(), load_model()
    linker = Linker(concepts, index, embedder, THRESHOLD)

    start = time.perf_counter()
    results = list(extract_texts(nlp, texts, concepts))
    extract_s = time.perf_counter() - start
    mentions = [[(m["text"], m["label"]) for m in r["mentions"]] for r in results]
    unlinked = sorted({m["text"] for r in results for m in r["mentions"] if not m["normalised"]})

    start = time.perf_counter()
    vectors = embedder.encode(unlinked)
    encode_s = time.perf_counter() - start
    start = time.perf_counter()
    index.nearest(vectors, k=1)
    nearest_s = time.perf_counter() - start
    start = time.perf_counter()
    links = [linker.link(m, acronym_pairs(text)) for m, text in zip(mentions, texts)]
    link_s = time.perf_counter() - start
    total = sum(map(len, mentions))
    linked = sum(bool(found) for resume in links for found in resume)
    by_alias = sum(bool(r["normalised"]) for result in results for r in result["mentions"])
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}, 1 thread",
        "resumes": len(texts), "mentions": total, "threshold": THRESHOLD,
        "index_rows": len(index.rows), "index_load_s": round(load_s, 2), "index_memory_mb": round(index_mb),
        "distinct_unlinked_texts": len(unlinked),
        "encode_texts_per_s": round(len(unlinked) / encode_s, 1),
        "nearest_ms_per_query": round(1000 * nearest_s / len(unlinked), 2),
        "linked_by_aliases": round(by_alias / total, 4), "linked_with_embeddings": round(linked / total, 4),
        "extract_s_per_resume": round(extract_s / len(texts), 3),
        "linking_adds_s_per_resume": round(link_s / len(texts), 3),
        "mentions_linked_per_s": round(total / link_s, 1),
    }
    print(json.dumps(result, indent=1))
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
