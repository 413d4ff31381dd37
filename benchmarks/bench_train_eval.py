"""Training words/second and evaluation docs/second, each beside the limit it is held to.

- Training: `nlp.update` throughput of configs/cpu.cfg on the real train split with the
  config's fixed 1,000-word batches, beside spaCy's default compounding batcher (100 -> 1,000
  words) on the same data in the same run.
- Evaluation: `skillner.measure.evaluate.evaluate` on the test split (prediction, matching and a
  1,000-sample bootstrap) beside bare `nlp.pipe` over the same texts with the same model.

Prints the numbers and writes them to benchmarks/results/train_eval.json.
Run: .venv/bin/python benchmarks/bench_train_eval.py [--steps 40]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import spacy  # noqa: E402
from spacy.training import Example  # noqa: E402
from spacy.training.initialize import init_nlp  # noqa: E402
from spacy.util import compounding, load_config  # noqa: E402
from thinc.api import fix_random_seed  # noqa: E402

from skillner.annotate.convert import read_docbin  # noqa: E402
from skillner.measure.evaluate import evaluate  # noqa: E402
from skillner.pipeline import registry  # noqa: E402,F401
from skillner.pipeline.model import DEFAULT_MODEL  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "build" / "data"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "train_eval.json")
    args = parser.parse_args()

    from spacy.training.batchers import minibatch_by_words

    def words(example):
        return len(example.reference)

    def fixed_1000(examples):
        return minibatch_by_words(examples, size=1000, tolerance=0.2, get_length=words)

    def default_compounding(examples):
        return minibatch_by_words(examples, size=compounding(100, 1000, 1.001), tolerance=0.2, get_length=words)

    results = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                           "spacy": spacy.__version__, "omp_threads": os.environ["OMP_NUM_THREADS"]}}
    for name, batcher in (("fixed_1000_words", fixed_1000), ("compounding_100_to_1000", default_compounding)):
        results[f"train_{name}"] = train_throughput_batcher(batcher, args.steps)
        print(f"train {name}: {results[f'train_{name}']}")

    test = DATA / "test.spacy"
    nlp = spacy.load(DEFAULT_MODEL)
    texts = [d.text for d in read_docbin(test, nlp)]
    start = time.perf_counter()
    n_words = sum(len(doc) for doc in nlp.pipe(texts, batch_size=16))
    pipe_seconds = time.perf_counter() - start
    start = time.perf_counter()
    evaluate(test, nlp)
    eval_seconds = time.perf_counter() - start
    results["evaluate"] = {
        "docs": len(texts), "words": n_words,
        "evaluate_docs_per_second": round(len(texts) / eval_seconds, 2),
        "bare_nlp_pipe_docs_per_second": round(len(texts) / pipe_seconds, 2),
        "ratio_to_nlp_pipe": round(pipe_seconds / eval_seconds, 3),
    }
    print(f"evaluate: {results['evaluate']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"written to {args.out}")


def train_throughput_batcher(batcher, steps: int) -> dict:
    """Words per second of nlp.update over `steps` batches made by `batcher` on the train split."""
    fix_random_seed(0)
    config = load_config(ROOT / "configs" / "cpu.cfg", overrides={
        "paths.train": str(DATA / "train.spacy"), "paths.dev": str(DATA / "dev.spacy")})
    nlp = init_nlp(config)
    optimizer = nlp.create_optimizer()
    docs = read_docbin(DATA / "train.spacy", nlp)
    examples = [Example(nlp.make_doc(d.text), d) for d in docs] * 10
    words = 0
    start = time.perf_counter()
    for step, batch in enumerate(batcher(examples)):
        if step == steps:
            break
        nlp.update(batch, sgd=optimizer, drop=0.1)
        words += sum(len(eg.reference) for eg in batch)
    seconds = time.perf_counter() - start
    return {"steps": steps, "words": words, "seconds": round(seconds, 2), "words_per_second": round(words / seconds)}


if __name__ == "__main__":
    main()
