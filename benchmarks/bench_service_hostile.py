"""`skillner serve` with stalled and trickling clients connected beside normal ones (loopback, bounded).

A real server (`skillner serve --concurrent 2`, one process, the shipped model) on a free port.
For `SECONDS` seconds, 20 clients trickle a JSON body one byte a second and 4 send half a body and
stall (each reconnects when the server closes it, as an attacker would), while one normal client
posts the bundled resume text again and again. Reported: the normal requests' status counts and
p50 / p95 latency of the 200s, and what the slow clients got.

`--tree PATH` runs the server from another checkout (a `git worktree` of an older commit), so the
same load measures the code before a change and after it in one run:
    git worktree add /tmp/before 2b9625c
    .venv/bin/python benchmarks/bench_service_hostile.py --tree /tmp/before --label before
    .venv/bin/python benchmarks/bench_service_hostile.py --label after
Prints the numbers and merges them into benchmarks/results/service_hostile.json under the label.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import _free_port  # noqa: E402
from tests.test_service import post, wait_until_up  # noqa: E402

SECONDS = 40
TRICKLERS, STALLERS = 20, 4
TEXT = (ROOT / "corpus" / "examples" / "resume.txt").read_text(encoding="utf-8")


def slow_client(port: int, trickle: bool, stop: threading.Event, got: Counter, lock: threading.Lock) -> None:
    body = json.dumps({"text": "Python and SQL"}).encode()
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=SECONDS + 30) as connection:
                connection.sendall(b"POST /v1/extract HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                   + f"Content-Length: {len(body) + 100}\r\n\r\n".encode())
                if not trickle:
                    connection.sendall(body[:5])
                for byte in body if trickle else b"":
                    if stop.wait(1.0):
                        return
                    connection.sendall(bytes([byte]))
                connection.settimeout(1.0)
                answer = b""
                while not stop.is_set() and not answer:
                    try:
                        answer = connection.recv(64)
                    except socket.timeout:
                        continue
                    if not answer:
                        break
                status = answer.split(b" ")[1].decode() if answer.startswith(b"HTTP/") else "closed"
        except OSError:
            status = "closed"
        with lock:
            got[status] += 1


def run(tree: Path) -> dict:
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "skillner.cli", "serve", "--port", str(port), "--concurrent", "2"],
                              cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, server)
        post(url, text=TEXT)  # warm
        stop, lock, slow = threading.Event(), threading.Lock(), Counter()
        threads = [threading.Thread(target=slow_client, args=(port, i < TRICKLERS, stop, slow, lock))
                   for i in range(TRICKLERS + STALLERS)]
        for thread in threads:
            thread.start()
        time.sleep(2)  # every slow client connected
        statuses, latencies = Counter(), []
        end = time.monotonic() + SECONDS
        while time.monotonic() < end:
            start = time.perf_counter()
            status, _, _ = post(url, text=TEXT)
            statuses[status] += 1
            if status == 200:
                latencies.append(time.perf_counter() - start)
            elif status == 503:
                time.sleep(1)  # Retry-After
        stop.set()
        for thread in threads:
            thread.join(60)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
    quantiles = statistics.quantiles(latencies, n=20) if len(latencies) >= 2 else [float("nan")] * 19
    return {"seconds": SECONDS, "tricklers": TRICKLERS, "stallers": STALLERS,
            "normal_statuses": dict(sorted((str(k), v) for k, v in statuses.items())),
            "normal_ok": statuses[200], "normal_p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
            "normal_p95_ms": round(1000 * quantiles[18], 1) if latencies else None,
            "slow_clients_got": dict(sorted(slow.items()))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", type=Path, default=ROOT)
    parser.add_argument("--label", default="after")
    args = parser.parse_args()
    result = {"tree": str(args.tree), "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=args.tree,
                                                                capture_output=True, text=True).stdout.strip(),
              "cpus": os.cpu_count(), **run(args.tree)}
    print(json.dumps({args.label: result}, indent=1))
    path = ROOT / "benchmarks" / "results" / "service_hostile.json"
    table = json.loads(path.read_text()) if path.exists() else {}
    table[args.label] = result
    path.write_text(json.dumps(table, indent=1) + "\n")


if __name__ == "__main__":
    main()
