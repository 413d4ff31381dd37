"""Wall time of the full default learning curve with N workers against the sum of its runs.

Runs `run_curve` (cpu and scratch, 6 sizes x 3 seeds, the default budget) into a fresh cache
so that nothing is reused, then reports wall time, the sum of the runs' own times and the
speed-up. Writes benchmarks/results/curve.json. Takes about 40 minutes on 2 cores.
Run: .venv/bin/python benchmarks/bench_curve.py [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from skillner.annotate.convert import read_docbin  # noqa: E402
from skillner.measure.curve import CurveSpec, geometric_sizes, run_curve  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "curve.json")
    args = parser.parse_args()
    data = ROOT / "build" / "data"
    spec = CurveSpec(sizes=geometric_sizes(10, len(read_docbin(data / "train.spacy")), 6))
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        runs = run_curve(spec, data, Path(cache), workers=args.workers)
        wall = time.perf_counter() - start
    total = float(runs["train_seconds"].sum())
    result = {"runs": len(runs), "workers": args.workers, "wall_seconds": round(wall, 1),
              "sum_of_run_seconds": round(total, 1), "speedup": round(total / wall, 2),
              "under_60_minutes": wall < 3600}
    print(json.dumps(result, indent=1))
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
