"""`skillner serve` under load, against `extract` in process on the same files, in one run.

A real server (`skillner serve --concurrent 16`, one process) on a free loopback port; clients
are threads posting the bundled example files (text, PDF, two-column PDF, DOCX) in turn:
- requests/s and p50 / p95 latency for 1, 4 and 16 concurrent clients, a fixed number of
  requests each, and the count of 5xx answers (aim: none);
- the server's resident memory before and after 1,000 more requests (its reader processes
  apart), to show it does not grow;
- the same files through `read_bytes` + `extract_texts` in this process, one after another:
  the ratio of the one-client rate to it is the cost of HTTP.

Prints the numbers and writes them to benchmarks/results/service.json.
Run: .venv/bin/python benchmarks/bench_service.py   (needs the serve extra: make install-serve)
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import _free_port  # noqa: E402
from tests.test_service import post, wait_until_up  # noqa: E402

FILES = sorted((ROOT / "corpus" / "examples").iterdir())
LEVELS = ((1, 60), (4, 120), (16, 240))  # (clients, requests)


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def load(url: str, clients: int, requests: int) -> dict:
    latencies, statuses, lock = [], [], threading.Lock()
    counter = iter(range(requests))

    def client():
        for i in counter:
            start = time.perf_counter()
            status, _, _ = post(url, FILES[i % len(FILES)])
            with lock:
                latencies.append(time.perf_counter() - start)
                statuses.append(status)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    cuts = statistics.quantiles(latencies, n=20)
    return {"clients": clients, "requests": requests, "requests_per_s": round(requests / seconds, 2),
            "p50_ms": round(statistics.median(latencies) * 1000), "p95_ms": round(cuts[18] * 1000),
            "status_5xx": sum(status >= 500 for status in statuses),
            "status_other_than_200": sum(status != 200 for status in statuses)}


def in_process(rounds: int = 15) -> float:
    from skillner.extract.mentions import extract_texts
    from skillner.extract.readers import read_bytes
    from skillner.pipeline.model import load_model
    from skillner.taxonomy.vocabulary import ConceptIndex

    nlp, concepts = load_model(), ConceptIndex.load()
    payloads = [(path.read_bytes(), path.suffix, path.name) for path in FILES]
    start = time.perf_counter()
    for _ in range(rounds):
        for data, suffix, name in payloads:
            next(extract_texts(nlp, [read_bytes(data, suffix, name).text], concepts))
    return rounds * len(payloads) / (time.perf_counter() - start)


def main() -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "skillner.cli", "serve", "--port", str(port),
                               "--concurrent", "16"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    results = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, OMP_NUM_THREADS=1", "server_processes": 1,
               "files": [path.name for path in FILES]}
    try:
        started = time.perf_counter()
        wait_until_up(url, server)
        results["server_start_s"] = round(time.perf_counter() - started, 1)
        load(url, 4, 20)  # warm-up
        for clients, requests in LEVELS:
            results[f"clients_{clients}"] = load(url, clients, requests)
            print(json.dumps(results[f"clients_{clients}"]), flush=True)
        before = rss_mb(server.pid)
        results["memory"] = {"before_mb": round(before, 1), **load(url, 4, 1000)}
        results["memory"]["after_mb"] = round(rss_mb(server.pid), 1)
        results["memory"]["growth_mb"] = round(results["memory"]["after_mb"] - before, 1)
    finally:
        server.terminate()
        server.wait(60)
    results["in_process_resumes_per_s"] = round(in_process(), 2)
    results["http_ratio_one_client"] = round(results["clients_1"]["requests_per_s"]
                                             / results["in_process_resumes_per_s"], 3)
    out = ROOT / "benchmarks" / "results" / "service.json"
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
