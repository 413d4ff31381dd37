"""OCR cost and quality on scans made from the bundled resume texts.

Each resume is laid out as a PDF (tests/resume_files.py), rendered to grey-level pictures at
scanner resolutions (100 and 150 dpi by default) and put back into an image-only PDF; skillner
reads that PDF, rendering the pages at 200 dpi, 300 dpi, and as skillner does (twice the scan's resolution,
within 200-300), and OCRing them with Tesseract (one thread, as in a batch). Reported per scan and OCR resolution: seconds per page (median and max), the share of
the laid-out words that come back (with repeats), and skills: the share of the skills found in
the source text that are found in the scan (with the shipped model).

Prints the numbers and writes them to benchmarks/results/ocr.json.
Run: .venv/bin/python benchmarks/bench_ocr.py [--resumes 8] [--scan-dpi 100 150] [--ocr-dpi 200 300 200-300]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from skillner.annotate.convert import read_jsonl  # noqa: E402
from skillner.extract.mentions import extract_texts, skill_name  # noqa: E402
from skillner.extract.readers import clean_text, ocr, read_file  # noqa: E402
from skillner.pipeline.model import load_model  # noqa: E402
from tests.resume_files import scan_pages, write_scanned_pdf  # noqa: E402


def recall(source: str, got: str) -> float:
    expected = Counter(source.split())
    return sum((expected & Counter(got.split())).values()) / sum(expected.values())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resumes", type=int, default=8)
    parser.add_argument("--scan-dpi", type=int, nargs="+", default=[100, 150])
    parser.add_argument("--ocr-dpi", nargs="+", default=["200", "300", "200-300"],
                        help="a resolution, or bounds for skillner's choice (twice the scan's)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "ocr.json")
    args = parser.parse_args()
    if not ocr.ocr_available():
        sys.exit("Tesseract with English data is not installed (scripts/system-deps.sh)")
    texts = [record["text"] for record in read_jsonl(ROOT / "annotations" / "dotin.jsonl.gz")][:args.resumes]
    nlp = load_model()
    results = {"tesseract": subprocess.run(["tesseract", "--version"], capture_output=True, check=True,
                                           text=True).stdout.splitlines()[0],
               "machine": platform.processor() or platform.machine(), "resumes": len(texts),
               "by_scan_dpi": {}}
    for scan_dpi in args.scan_dpi:
        results["by_scan_dpi"][scan_dpi] = by_ocr_dpi = {}
        with tempfile.TemporaryDirectory() as folder:
            scans = []
            for index, text in enumerate(texts):
                pages, source = scan_pages(text, Path(folder), scan_dpi)
                write_scanned_pdf(pages, Path(folder) / f"scan{index}.pdf")
                scans.append((Path(folder) / f"scan{index}.pdf", source, len(pages)))
            source_skills = [{skill_name(s).lower() for s in r["skills"]}
                             for r in extract_texts(nlp, [clean_text(source) for _, source, _ in scans])]
            for dpi in args.ocr_dpi:
                low, _, high = dpi.partition("-")
                ocr.OCR_DPI = (int(low), int(high or low))
                per_page, recalls, got_texts = [], [], []
                for path, source, pages in scans:
                    start = time.perf_counter()
                    got = read_file(path)
                    per_page.append((time.perf_counter() - start) / pages)
                    recalls.append(recall(source, got.text))
                    got_texts.append(got.text)
                scan_skills = [{skill_name(s).lower() for s in r["skills"]} for r in extract_texts(nlp, got_texts)]
                found = sum(map(len, source_skills))
                by_ocr_dpi[dpi] = {
                    "pages": sum(pages for _, _, pages in scans),
                    "seconds_per_page_median": round(statistics.median(per_page), 2),
                    "seconds_per_page_max": round(max(per_page), 2),
                    "word_recall_mean": round(statistics.mean(recalls), 4), "word_recall_min": round(min(recalls), 4),
                    "skills_kept": round(sum(len(a & b) for a, b in zip(source_skills, scan_skills)) / found, 4),
                    "skills_extra": round(sum(len(b - a) for a, b in zip(source_skills, scan_skills)) / found, 4)}
                print(f"scan {scan_dpi} dpi, OCR {dpi} dpi:", by_ocr_dpi[dpi], flush=True)
    results["load_average"] = [round(load, 1) for load in os.getloadavg()]
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
