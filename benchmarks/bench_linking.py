"""What linking by embeddings costs, on the dev + test resumes and the shipped model, all in one
run on one thread:
- the index: load time and memory (float32 in memory);
- mentions linked per second by `Linker` (aliases first, then embeddings at the default
  threshold), split into encoding the unlinked texts and the matrix product over the 103 k
  taxonomy labels, so it shows whether a nearest-neighbour library would pay;
- the time per resume of `extract_texts` and of `skillner batch` (one worker, the same resumes
  as .txt files), each with aliases only and with embeddings: the difference is what linking adds.

Prints the numbers and writes them to benchmarks/results/linking.json.
Run: .venv/bin/python benchmarks/bench_linking.py (after `make link-index`)
"""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from skillner.annotate.convert import read_docbin  # noqa: E402
from skillner.extract.batch import BatchSettings, run_batch  # noqa: E402
from skillner.extract.mentions import extract_texts  # noqa: E402
from skillner.pipeline.model import load_model  # noqa: E402
from skillner.taxonomy.encoder import Embedder  # noqa: E402
from skillner.taxonomy.linking import DEFAULT_THRESHOLD, Linker, LinkIndex, LinkSettings  # noqa: E402
from skillner.taxonomy.vocabulary import ConceptIndex, acronym_pairs  # noqa: E402


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def batch_seconds(folder: Path, mode: str) -> float:
    with tempfile.TemporaryDirectory() as out:
        return timed(lambda: run_batch(folder, Path(out) / "rows.jsonl", BatchSettings(linking=LinkSettings(mode))))


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
    aliases, linker = Linker(concepts), Linker(concepts, index, embedder, DEFAULT_THRESHOLD)

    alias_s = timed(lambda: list(extract_texts(nlp, texts, aliases)))
    results = list(extract_texts(nlp, texts, linker))
    linked_s = timed(lambda: list(extract_texts(nlp, texts, linker)))
    mentions = [(m["text"], m["label"], acronym_pairs(text)) for r, text in zip(results, texts) for m in r["mentions"]]
    unlinked = sorted({m["text"] for r in extract_texts(nlp, texts, aliases) for m in r["mentions"] if not m["normalised"]})
    start = time.perf_counter()
    vectors = embedder.encode(unlinked)
    encode_s = time.perf_counter() - start
    nearest_s = timed(lambda: index.nearest(vectors, k=1))
    link_s = timed(lambda: linker.link(mentions))
    methods = [m["normalised"]["method"] if m["normalised"] else None for r in results for m in r["mentions"]]

    with tempfile.TemporaryDirectory() as folder:
        for number, text in enumerate(texts):
            (Path(folder) / f"{number}.txt").write_text(text, encoding="utf-8")
        batch_alias_s, batch_linked_s = batch_seconds(Path(folder), "aliases"), batch_seconds(Path(folder), "embeddings")

    n = len(texts)
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}, 1 thread",
        "resumes": n, "mentions": len(mentions), "threshold": DEFAULT_THRESHOLD,
        "index_rows": len(index.rows), "index_load_s": round(load_s, 2), "index_memory_mb": round(index_mb),
        "linked_by_aliases": round(methods.count("alias") / len(methods), 4),
        "linked_with_embeddings": round(sum(m is not None for m in methods) / len(methods), 4),
        "distinct_unlinked_texts": len(unlinked),
        "encode_texts_per_s": round(len(unlinked) / encode_s, 1),
        "nearest_ms_per_query": round(1000 * nearest_s / len(unlinked), 2),
        "mentions_linked_per_s": round(len(mentions) / link_s, 1),
        "extract_s_per_resume": {"aliases": round(alias_s / n, 3), "embeddings": round(linked_s / n, 3),
                                 "added": round((linked_s - alias_s) / n, 3)},
        "batch_s_per_resume": {"aliases": round(batch_alias_s / n, 3), "embeddings": round(batch_linked_s / n, 3),
                               "added": round((batch_linked_s - batch_alias_s) / n, 3)},
    }
    print(json.dumps(result, indent=1))
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
