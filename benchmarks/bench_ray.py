"""The batch on Ray against the local engine, on the same folders in the same run.

For text (the 307 bundled resume texts as .txt files) and PDF (`--pdfs` of them written as
PDFs), with 1 and 2 workers (local processes) or actors (Ray):
- the whole-run rate, and the marginal (steady) rate: the middle half of the rows over the
  time between the row at 25 % and the row at 75 %, so process start, actor start, model
  loading and the bursty first and last blocks are left out (tried first: a folder twice as
  large against the folder, whose start-up noise on two cores swamped the difference; and
  rows after the first write, which Ray's buffering of the first blocks inflated);
- Ray's overhead as the ratio of its marginal rate to the local engine's, same count (aim >= 0.85);
- start-up: seconds to the first row, and the time to start a private Ray cluster (`ray.init`);
- the driver's CPU seconds per 1,000 files (the driver is this process on both engines);
- peak resident memory per worker / actor (its reader process included);
- an estimate, from the one-actor marginal rate and memory, of nodes and hours for one million
  resumes.

Prints the numbers and writes them to benchmarks/results/ray.json.
Run: .venv/bin/python benchmarks/bench_ray.py [--pdfs 120]   (needs the ray extra: make install-ray)
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

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from skillner.annotate.convert import read_jsonl  # noqa: E402
from skillner.extract.batch import BatchSettings, run_batch  # noqa: E402
from skillner.runtime.cluster import connect, import_ray  # noqa: E402
from tests.resume_files import write_pdf  # noqa: E402

NODE_CORES, NODE_GB = 16, 64  # the node the million-resume estimate is priced on


def folder_of(texts: list[str], folder: Path, suffix: str) -> Path:
    folder.mkdir()
    for i, text in enumerate(texts):
        path = folder / f"cv{i:03d}.{suffix}"
        if suffix == "pdf":
            write_pdf(text, path)
        else:
            path.write_text(text, encoding="utf-8")
    return folder


def rates(engine: str, workers: int, folder: Path) -> dict:
    stamps = []
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    out = folder.parent / f"{folder.name}-{engine}-{workers}.jsonl"
    start = time.perf_counter()
    report = run_batch(folder, out, BatchSettings(engine=engine, workers=workers),
                       progress=lambda row: stamps.append(time.perf_counter()))
    used = resource.getrusage(resource.RUSAGE_SELF)
    first, quarter, three_quarters = stamps[0], len(stamps) // 4, 3 * len(stamps) // 4
    marginal = (three_quarters - quarter) / (stamps[three_quarters] - stamps[quarter])
    return {"engine": engine, "workers": workers, "files": report["processed"], "seconds": report["seconds"],
            "files_per_s": report["files_per_second"], "marginal_files_per_s": round(marginal, 2),
            "first_row_s": round(first - start, 1),
            "driver_cpu_s_per_1000": round((used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime)
                                           / report["processed"] * 1000, 1),
            "peak_worker_mb": report["peak_worker_mb"], "errors": report["errors"]}


def million(per_actor: float, peak_mb: float) -> dict:
    """Nodes and hours for 1,000,000 resumes at the measured one-actor rate, one actor per core
    where memory allows (up to 16 such nodes the one driver keeps up: docs/ray.md)."""
    actors_per_node = min(NODE_CORES, int(NODE_GB * 1024 * 0.8 // peak_mb))
    core_hours = 1e6 / per_actor / 3600
    plans = {}
    for nodes in (1, 4, 16):
        plans[f"{nodes}_nodes_hours"] = round(core_hours / (nodes * actors_per_node), 1)
    return {"resumes_per_s_per_actor": per_actor, "actor_hours": round(core_hours, 1),
            "node": f"{NODE_CORES} cores, {NODE_GB} GB", "actors_per_node": actors_per_node, **plans}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pdfs", type=int, default=120)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "ray.json")
    args = parser.parse_args()
    texts = [record["text"] for record in read_jsonl(ROOT / "annotations" / "dotin.jsonl.gz")]
    ray = import_ray("bench_ray")
    results = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, OMP_NUM_THREADS=1",
               "ray": ray.__version__}
    start = time.perf_counter()
    connect(ray, None)  # one private cluster for every Ray run below (run_batch joins it)
    results["ray_cluster_start_s"] = round(time.perf_counter() - start, 1)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for suffix, chosen in (("txt", texts), ("pdf", texts[:args.pdfs])):
                folder = folder_of(chosen, Path(tmp) / suffix, suffix)
                for workers in (1, 2):
                    local, on_ray = rates("local", workers, folder), rates("ray", workers, folder)
                    results[f"{suffix}_{workers}"] = {
                        "local": local, "ray": on_ray,
                        "ray_marginal_ratio": round(on_ray["marginal_files_per_s"] / local["marginal_files_per_s"], 3),
                        "ray_whole_run_ratio": round(on_ray["files_per_s"] / local["files_per_s"], 3)}
                    print(suffix, workers, json.dumps(results[f"{suffix}_{workers}"]), flush=True)
    finally:
        ray.shutdown()
    one = results["txt_1"]["ray"]
    results["one_million_resumes"] = million(one["marginal_files_per_s"], one["peak_worker_mb"])
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
