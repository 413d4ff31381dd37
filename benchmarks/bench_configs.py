"""Training words/second and inference resumes/second of every NER config tried, in one run.

Each config is initialised from its file (vectors, gazetteer patterns and copied weights
included), updated for `--steps` batches of 1,000 words of the real train split as its own
corpus reader yields them (augmented copies included, so their words count too), then
`nlp.pipe` runs over the dev resumes. Speed depends on the architecture, not on how well
the weights are trained, so a few steps measure it. The shipped pipeline is timed on the same
resumes as the reference. One core (OMP_NUM_THREADS=1), as `batch` runs each worker.

Prints the numbers and writes them to benchmarks/results/configs.json.
Run: .venv/bin/python benchmarks/bench_configs.py [--steps 30] [--trf-steps 6] [--configs scratch,cpu,...]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import spacy  # noqa: E402
from spacy.training.batchers import minibatch_by_words  # noqa: E402
from spacy.training.initialize import init_nlp  # noqa: E402
from spacy.util import load_config, registry  # noqa: E402
from thinc.api import fix_random_seed  # noqa: E402

import skillner.pipeline.augment  # noqa: E402,F401  (registers skillner's functions with spaCy)
import skillner.pipeline.gazetteer  # noqa: E402,F401
import skillner.pipeline.registry  # noqa: E402,F401
from skillner.annotate.convert import read_docbin  # noqa: E402
from skillner.pipeline.model import DEFAULT_MODEL  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "build" / "data"
CONFIGS = ["scratch", "cpu", "vectors", "gazetteer", "gazetteer-vectors", "knowledge", "trf"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--trf-steps", type=int, default=6)
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "configs.json")
    args = parser.parse_args()
    if importlib.util.find_spec("spacy_transformers"):
        from skillner.pipeline import trf  # noqa: F401
    texts = [d.text for d in read_docbin(DATA / "dev.spacy")]
    results = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "spacy": spacy.__version__,
                           "omp_threads": os.environ["OMP_NUM_THREADS"]},
               "dev_resumes": len(texts), "configs": {}}
    shipped = spacy.load(DEFAULT_MODEL)
    results["shipped"] = {"model": str(DEFAULT_MODEL.relative_to(ROOT)), **inference(shipped, texts)}
    print(f"shipped {results['shipped']}")
    for name in args.configs.split(","):
        if name == "trf" and not importlib.util.find_spec("spacy_transformers"):
            results["configs"][name] = {"skipped": "spacy-transformers not installed (make install-trf)"}
            continue
        steps = args.trf_steps if name == "trf" else args.steps
        nlp, train = train_throughput(ROOT / "configs" / f"{name}.cfg", steps)
        results["configs"][name] = {**train, **inference(nlp, texts)}
        print(f"{name}: {results['configs'][name]}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"written to {args.out}")


def train_throughput(config_path: Path, steps: int):
    """The initialised pipeline after `steps` updates, and the words per second of those updates."""
    fix_random_seed(0)
    config = load_config(config_path, overrides={"paths.train": str(DATA / "train.spacy"),
                                                 "paths.dev": str(DATA / "dev.spacy")})
    start = time.perf_counter()
    nlp = init_nlp(config)
    init_seconds = time.perf_counter() - start
    annotates = list(config["training"]["annotating_components"])
    optimizer = nlp.create_optimizer()
    corpus = registry.resolve(config.interpolate()["corpora"])["train"]  # with the config's augmenter
    examples = (eg for _ in range(5) for eg in corpus(nlp))
    words = 0
    start = time.perf_counter()
    for step, batch in enumerate(minibatch_by_words(examples, size=1000, tolerance=0.2)):
        if step == steps:
            break
        nlp.update(batch, sgd=optimizer, drop=0.1, annotates=annotates)
        words += sum(len(eg.reference) for eg in batch)
    seconds = time.perf_counter() - start
    return nlp, {"init_seconds": round(init_seconds, 1), "train_steps": steps, "train_words": words,
                 "train_words_per_second": round(words / seconds)}


def inference(nlp, texts: list[str]) -> dict:
    """Resumes and words per second of nlp.pipe over `texts` (one warm-up resume first)."""
    list(nlp.pipe(texts[:1]))
    start = time.perf_counter()
    words = sum(len(doc) for doc in nlp.pipe(texts, batch_size=16))
    seconds = time.perf_counter() - start
    return {"resumes_per_second": round(len(texts) / seconds, 2), "words_per_second": round(words / seconds)}


if __name__ == "__main__":
    main()
