"""What document concepts cost, against extraction without them, in one run on the shipped model:

- the skill encoder: size of the tuned layers, load time of the base and the tuned encoder;
- the ESCO skill index: build time and memory (resident growth while building), size on disk,
  load time;
- time per resume: `extract_texts` over dotin resumes with the mention linker alone, and with
  document concepts too (the statements embedded and ranked), best of three each, the
  difference being what concepts add; statements per resume.

Prints the numbers and writes them to benchmarks/results/concepts.json.
Run: .venv/bin/python benchmarks/bench_concepts.py [--resumes 60]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from skillner.annotate.convert import read_jsonl  # noqa: E402
from skillner.extract.mentions import extract_texts  # noqa: E402
from skillner.pipeline.model import load_model  # noqa: E402
from skillner.taxonomy.documents import DocumentLinker, SkillIndex, statements  # noqa: E402
from skillner.taxonomy.encoder import SHIPPED_TUNED, TUNED_FILE, Embedder  # noqa: E402
from skillner.taxonomy.linking import Linker, LinkSettings  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))


def timed(call):
    started = time.perf_counter()
    value = call()
    return value, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resumes", type=int, default=60)
    args = parser.parse_args()
    tuned = SHIPPED_TUNED if (SHIPPED_TUNED / TUNED_FILE).is_file() else None
    _, base_load = timed(Embedder)
    before = rss_mb()
    embedder, tuned_load = timed(lambda: Embedder(tuned=tuned))
    encoder_mb = rss_mb() - before
    before = rss_mb()
    index, build = timed(lambda: SkillIndex.build(embedder))
    build_mb = max(rss_mb() - before, 0.0)
    with tempfile.TemporaryDirectory() as folder:
        index.save(Path(folder), embedder.name, build)
        disk = sum(f.stat().st_size for f in Path(folder).iterdir())
        _, load = timed(lambda: SkillIndex.load(Path(folder), embedder.name))
    texts = [r["text"] for r in read_jsonl(ROOT / "annotations" / "dotin.jsonl.gz")][:args.resumes]
    nlp = load_model(ROOT / "models" / "skillner-cpu")
    mentions_only = Linker.load(LinkSettings("auto"))
    mentions_only.documents = None
    with_concepts = Linker(mentions_only.concepts, mentions_only.index, mentions_only.embedder, mentions_only.threshold,
                           mentions_only.attributes, DocumentLinker(index, embedder))
    runs = {"mentions": [], "concepts": []}
    for _ in range(3):
        for name, linker in (("mentions", mentions_only), ("concepts", with_concepts)):
            results, seconds = timed(lambda: list(extract_texts(nlp, texts, linker)))
            runs[name].append(seconds)
    concepts = [len(r.get("concepts", ())) for r in results]
    per_resume = {name: round(min(seconds) / len(texts), 4) for name, seconds in runs.items()}
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "torch_threads": __import__("torch").get_num_threads()},
        "encoder": {"name": embedder.name, "tuned_layers_mb": round((tuned / TUNED_FILE).stat().st_size / 1e6, 2) if tuned else 0,
                    "base_load_s": round(base_load, 2), "tuned_load_s": round(tuned_load, 2),
                    "resident_mb": round(encoder_mb, 1)},
        "index": {"labels": len(index.labels), "skills": len(set(index.concept_ids)), "build_s": round(build, 1), "build_resident_growth_mb": round(build_mb, 1),
                  "disk_mb": round(disk / 1e6, 2), "load_s": round(load, 3)},
        "per_resume": {"resumes": len(texts), "mean_chars": round(sum(map(len, texts)) / len(texts)),
                       "statements": round(sum(len(statements(t)) for t in texts) / len(texts), 1),
                       "seconds_mentions_only": per_resume["mentions"], "seconds_with_concepts": per_resume["concepts"],
                       "added_seconds": round(per_resume["concepts"] - per_resume["mentions"], 4),
                       "concepts_per_resume": round(sum(concepts) / len(concepts), 1)},
    }
    print(json.dumps(report, indent=1))
    out = ROOT / "benchmarks" / "results" / "concepts.json"
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"-> {out}; {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB peak")


if __name__ == "__main__":
    main()
