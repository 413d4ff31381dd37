"""Push and pull of the 307 bundled resumes through a real Doccano server on loopback.

Starts its own server (scripts/doccano.sh, a free port, a throwaway home), then times:
push of all resumes with their spans, a full pull with the events table, and a second,
incremental pull with nothing changed. Prints the numbers and writes them to
benchmarks/results/doccano.json. Aim: a full pull with events in under 30 s.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from skillner.annotate.convert import read_jsonl  # noqa: E402
from skillner.annotate.doccano import Credentials, DoccanoClient, pull, push  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    records = read_jsonl(ROOT / "annotations" / "dotin.jsonl.gz")
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "DOCCANO_PORT": str(free_port()), "DOCCANO_HOME": home,
               "DOCCANO_USERNAME": "admin", "DOCCANO_PASSWORD": secrets.token_urlsafe(12)}
        script = ROOT / "scripts" / "doccano.sh"
        started = time.perf_counter()
        subprocess.run(["bash", str(script), "up"], env=env, check=True, capture_output=True)
        results = {"server_start_seconds": round(time.perf_counter() - started, 1)}
        try:
            client = DoccanoClient(Credentials(f"http://127.0.0.1:{env['DOCCANO_PORT']}", "admin",
                                               env["DOCCANO_PASSWORD"]))
            start = time.perf_counter()
            pushed = push(client, records, "bench", create=True)
            results["push"] = {"resumes": pushed["uploaded"], "spans": pushed["spans"],
                               "seconds": round(time.perf_counter() - start, 1)}
            out = Path(home) / "bench.jsonl"
            for name in ("full_pull", "incremental_pull_no_change"):
                requests_before = client.requests
                start = time.perf_counter()
                pulled = pull(client, "bench", out)
                results[name] = {"seconds": round(time.perf_counter() - start, 1), "records": pulled["records"],
                                 "events": pulled["events"], "requests": client.requests - requests_before,
                                 "new": pulled["new"], "unchanged": pulled["unchanged"]}
            client.close()
        finally:
            subprocess.run(["bash", str(script), "down"], env=env, capture_output=True)
    results["full_pull_under_30_s"] = results["full_pull"]["seconds"] < 30
    print(json.dumps(results, indent=1))
    out_path = ROOT / "benchmarks" / "results" / "doccano.json"
    out_path.write_text(json.dumps(results, indent=1) + "\n")
    print(f"written to {out_path}")


if __name__ == "__main__":
    main()
