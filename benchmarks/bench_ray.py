"""The batch on Ray against the local engine, on the same folders in the same run.

For text (the 307 bundled resume texts as .txt files) and PDF (`--pdfs` of them written as
PDFs), with 1 and 2 workers (local processes) or actors (Ray):
- the whole-run rate, and the marginal rate: a folder holding every file twice against the
  folder with each once, so process start, actor start and model loading cancel;
- Ray's overhead as the ratio of its marginal rate to the local engine's, same count (aim >= 0.85);
- start-up: seconds of a run not explained by its marginal rate (model loading, and for Ray
  the actor pool), plus the time to start a private Ray cluster (`ray.init`);
- peak resident memory per worker / actor (its reader process included);
- an estimate, from the one-actor marginal rate and memory, of nodes and hours for one million
  resumes.

Prints the numbers and writes them to benchmarks/results/ray.json.
Run: .venv/bin/python benchmarks/bench_ray.py [--pdfs 60]   (needs the ray extra: make install-ray)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from skillner.batch import BatchSettings, run_batch  # noqa: E402
from skillner.cluster import connect, import_ray  # noqa: E402
from skillner.convert import read_jsonl  # noqa: E402
from tests.resume_files import write_pdf  # noqa: E402

NODE_CORES, NODE_GB = 16, 64  # the node the million-resume estimate is priced on


def folders(texts: list[str], root: Path, suffix: str) -> tuple[Path, Path]:
    """A folder with each resume once and one with each twice (different names, same content)."""
    once, twice = root / f"{suffix}-once", root / f"{suffix}-twice"
    for folder in (once, twice):
        folder.mkdir()
    for i, text in enumerate(texts):
        path = once / f"cv{i:03d}.{suffix}"
        if suffix == "pdf":
            write_pdf(text, path)
        else:
            path.write_text(text, encoding="utf-8")
        for copy in ("a", "b"):
            (twice / f"cv{i:03d}{copy}.{suffix}").write_bytes(path.read_bytes())
    return once, twice


def rates(engine: str, workers: int, pair: tuple[Path, Path]) -> dict:
    runs = []
    for folder in pair:
        out = folder.parent / f"{folder.name}-{engine}-{workers}.jsonl"
        runs.append(run_batch(folder, out, BatchSettings(engine=engine, workers=workers)))
    once, twice = runs
    marginal = (twice["processed"] - once["processed"]) / (twice["seconds"] - once["seconds"])
    return {"engine": engine, "workers": workers, "files": once["processed"], "seconds": once["seconds"],
            "files_per_s": once["files_per_second"], "marginal_files_per_s": round(marginal, 2),
            "startup_s": round(once["seconds"] - once["processed"] / marginal, 1),
            "peak_worker_mb": once["peak_worker_mb"], "errors": once["errors"]}


def million(per_actor: float, peak_mb: float) -> dict:
    """Nodes and hours for 1,000,000 resumes at the measured one-actor rate, one actor per core
    where memory allows (the driver's writing is far from the limit: see the module docstring
    of skillner.batch.on_ray)."""
    actors_per_node = min(NODE_CORES, int(NODE_GB * 1024 * 0.8 // peak_mb))
    core_hours = 1e6 / per_actor / 3600
    plans = {}
    for nodes in (1, 4, 16):
        plans[f"{nodes}_nodes_hours"] = round(core_hours / (nodes * actors_per_node), 1)
    return {"resumes_per_s_per_actor": per_actor, "actor_hours": round(core_hours, 1),
            "node": f"{NODE_CORES} cores, {NODE_GB} GB", "actors_per_node": actors_per_node, **plans}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pdfs", type=int, default=60)
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
                pair = folders(chosen, Path(tmp), suffix)
                for workers in (1, 2):
                    local, on_ray = rates("local", workers, pair), rates("ray", workers, pair)
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
