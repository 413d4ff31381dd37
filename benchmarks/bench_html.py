"""HTML reading time and memory: skillner's reader (libxml2 events through lxml) beside the
BeautifulSoup reader it replaced, on deeply nested pages and on large resume-like pages.

Each case runs in a fresh process (peak resident memory is that process's); CPU seconds are
the figure to compare on a shared machine, wall seconds are given beside them. BeautifulSoup
with html.parser plus a per-tag pass is quadratic in nesting depth, so it runs only on the
smaller cases; its time at 100,000 nested divs is extrapolated from them (time ~ depth^2).

Prints the numbers and writes them to benchmarks/results/html.json.
Run: .venv/bin/python benchmarks/bench_html.py
"""

from __future__ import annotations

import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_ROW = ("<tr><td>Python &amp; SQL</td><td>Excel</td></tr><p>Data <b>engineer</b> at Acme, 2019&ndash;2024</p>"
        "<ul><li>Apache Spark</li><li>Kafka</li></ul>\n")


def page(case: str, size: int) -> bytes:
    if case == "nested":  # `size` divs, one inside the other
        return ("<html><body>" + "<div>x " * size + "</div>" * size + "</body></html>").encode()
    return ("<html><head><title>CV</title></head><body><table>" + _ROW * (size // len(_ROW))
            + "</table></body></html>").encode()  # `size` bytes of resume-like markup


def beautifulsoup_reader(data: bytes) -> str:
    """The reader before issue 10 (BeautifulSoup, html.parser, a pass over every tag)."""
    from bs4 import BeautifulSoup

    blocks = {"p", "div", "section", "article", "header", "footer", "ul", "ol", "table", "tr", "h1", "h2", "h3", "h4",
              "h5", "h6", "pre", "blockquote", "dl", "dt", "dd", "main", "aside", "nav"}
    soup = BeautifulSoup(data, "html.parser")
    for tag in soup(["script", "style", "noscript", "head", "template"]):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.name == "br":
            tag.replace_with("\n")
        elif tag.name == "li":
            tag.insert(0, "\n• ")
        elif tag.name in ("td", "th"):
            tag.insert(0, " | " if tag.find_previous_sibling(["td", "th"]) else "")
        elif tag.name in blocks:
            tag.insert(0, "\n")
            tag.append("\n")
    return soup.get_text()


def run_case(reader: str, case: str, size: int) -> dict:
    """One reading in this process: seconds, characters out, peak resident memory."""
    from skillner.extract.readers import read_bytes

    data = page(case, size)
    start, cpu = time.perf_counter(), time.process_time()
    try:
        chars = len(read_bytes(data, ".html", "bench.html").text if reader == "lxml" else beautifulsoup_reader(data))
        error = None
    except RecursionError as caught:
        chars, error = 0, type(caught).__name__
    return {"reader": reader, "case": case, "size": size, "bytes": len(data), "chars": chars, "error": error,
            "cpu_seconds": round(time.process_time() - cpu, 3), "wall_seconds": round(time.perf_counter() - start, 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> None:
    if len(sys.argv) == 4:
        print(json.dumps(run_case(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
        return
    cases = [("bs4", "nested", n) for n in (2_000, 4_000, 8_000)] + [("bs4", "page", 2_000_000)]
    cases += [("lxml", "nested", n) for n in (8_000, 100_000, 1_000_000)]
    cases += [("lxml", "page", n) for n in (2_000_000, 20_000_000)]
    results = []
    for reader, case, size in cases:
        done = subprocess.run([sys.executable, __file__, reader, case, str(size)], capture_output=True, text=True,
                              check=True)
        results.append(json.loads(done.stdout))
        print(results[-1], flush=True)
    deepest = max((r for r in results if r["reader"] == "bs4" and r["case"] == "nested"), key=lambda r: r["size"])
    extrapolated = round(deepest["cpu_seconds"] * (100_000 / deepest["size"]) ** 2)
    print(f"bs4 at 100,000 nested divs, extrapolated: ~{extrapolated} CPU seconds")
    out = ROOT / "benchmarks" / "results" / "html.json"
    out.write_text(json.dumps({"machine": platform.processor() or platform.machine(), "cases": results,
                               "bs4_nested_100k_cpu_seconds_extrapolated": extrapolated}, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
