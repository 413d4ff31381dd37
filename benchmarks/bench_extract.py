"""Extraction throughput against bare `nlp.pipe`, PDF reading cost, and worker memory.

All in one run, on the 307 bundled resume texts and the shipped model (one thread per process):
- bare `nlp.pipe` over the texts: the limit;
- `extract_texts` (pipe + concept lookup + dedup) over the same texts: the ratio to the limit
  (the two alternated, best of three each);
- `skillner batch` on a folder of the same texts as .txt files with 1 and 2 workers: rate over
  the whole run (process start and model load included), and the marginal rate (a folder with
  every text twice against the folder with each once: start-up cancels), each as a ratio to
  the limit, and the gain from the second worker;
- PDF reading per page, pypdfium2 (skillner's reader) beside pdfminer.six, on one-column and
  two-column PDFs written from the resumes (tests/resume_files.py), with text quality: the
  share of PDFs whose words come back in the order they were laid out;
- peak resident memory per batch worker.

Prints the numbers and writes them to benchmarks/results/extract.json.
Run: .venv/bin/python benchmarks/bench_extract.py [--pdfs 40]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from skillner.annotate.convert import read_jsonl  # noqa: E402
from skillner.extract.batch import BatchSettings, run_batch  # noqa: E402
from skillner.extract.mentions import extract_texts  # noqa: E402
from skillner.extract.readers import read_file  # noqa: E402
from skillner.pipeline.model import load_model  # noqa: E402
from skillner.taxonomy.vocabulary import ConceptIndex  # noqa: E402
from tests.resume_files import write_pdf, write_two_column_pdf  # noqa: E402


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def batch_rates(texts: list[str], workers: int, folders: tuple[Path, Path]) -> dict:
    """Whole-run rate on the texts, and the marginal rate: the extra texts of a folder holding
    them twice over the extra time, which cancels process start and model loading exactly."""
    runs = []
    for folder in folders:
        out = folder.parent / f"{folder.name}-{workers}.jsonl"
        runs.append(run_batch(folder, out, BatchSettings(workers=workers)))
    once, twice = runs
    marginal = (twice["processed"] - once["processed"]) / (twice["seconds"] - once["seconds"])
    return {"workers": workers, "seconds": once["seconds"], "resumes_per_s": once["files_per_second"],
            "marginal_resumes_per_s": round(marginal, 2),
            "startup_s": round(once["seconds"] - once["processed"] / marginal, 2),
            "peak_worker_mb": max(once["peak_worker_mb"], twice["peak_worker_mb"]),
            "errors": {**once["errors"], **twice["errors"]}}


def _words(text: str) -> list[str]:
    """Words with a hyphen at a line end closed up ("cross-\\nfunctional"), so a reader that
    joins a hyphenated compound is not counted as out of order."""
    return re.sub(r"(?<=\w)-\s+(?=\w)", "-", text).split()


def pdf_reading(texts: list[str], count: int, folder: Path) -> dict:
    from pdfminer.high_level import extract_text as pdfminer_text

    one, two = [], []
    for i, text in enumerate(texts[:count]):
        path = folder / f"one-{i}.pdf"
        one.append((path, write_pdf(text, path)))
        lines = [line for line in text.splitlines() if line.strip()]
        path = folder / f"two-{i}.pdf"
        sidebar, main = (line[:30] for line in lines[1:12]), (line[:70] for line in lines[12:50])
        two.append((path, write_two_column_pdf(lines[0][:60], "\n".join(sidebar), "\n".join(main), path)))
    out = {}
    for layout, files in (("one_column", one), ("two_column", two)):
        pages = sum(read_file(path).pages for path, _ in files)
        for name, read in (("pypdfium2", lambda p: read_file(p).text), ("pdfminer.six", pdfminer_text)):
            got = {}
            seconds = timed(lambda: got.update({path: read(path) for path, _ in files}))
            in_order = sum(_words(got[path]) == _words(source) for path, source in files)
            out[f"{layout}/{name}"] = {"pdfs": len(files), "pages": pages, "ms_per_page": round(1000 * seconds / pages, 2),
                                       "words_in_laid_out_order": f"{in_order}/{len(files)}"}
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pdfs", type=int, default=40)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "extract.json")
    args = parser.parse_args()
    texts = [record["text"] for record in read_jsonl(ROOT / "annotations" / "dotin.jsonl.gz")]
    nlp, concepts = load_model(), ConceptIndex.load()
    list(nlp.pipe(texts[:16]))  # warm-up
    # alternated and best of three, so neither side gains from running second
    pipe_s = extract_s = float("inf")
    for _ in range(3):
        pipe_s = min(pipe_s, timed(lambda: list(nlp.pipe(texts, batch_size=16))))
        extract_s = min(extract_s, timed(lambda: list(extract_texts(nlp, texts, concepts))))
    limit = len(texts) / pipe_s
    results = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, OMP_NUM_THREADS=1", "resumes": len(texts),
               "words": sum(len(t.split()) for t in texts), "nlp_pipe_resumes_per_s": round(limit, 2),
               "extract_texts_resumes_per_s": round(len(texts) / extract_s, 2),
               "extract_texts_ratio": round(pipe_s / extract_s, 3)}
    with tempfile.TemporaryDirectory() as tmp:
        folders = (Path(tmp) / "once", Path(tmp) / "twice")
        for folder, copies in zip(folders, (1, 2)):
            folder.mkdir()
            for copy in range(copies):
                for i, text in enumerate(texts):
                    (folder / f"resume-{copy}-{i:03d}.txt").write_text(text, encoding="utf-8")
        for workers in (1, 2):
            entry = batch_rates(texts, workers, folders)
            entry["ratio_to_nlp_pipe"] = round(entry["resumes_per_s"] / limit, 3)
            entry["marginal_ratio_to_nlp_pipe"] = round(entry["marginal_resumes_per_s"] / limit, 3)
            results[f"batch_{workers}_worker"] = entry
        results["second_worker_gain"] = round(results["batch_2_worker"]["marginal_resumes_per_s"]
                                              / results["batch_1_worker"]["marginal_resumes_per_s"], 2)
        pdf_folder = Path(tmp) / "pdfs"
        pdf_folder.mkdir()
        results["pdf_reading"] = pdf_reading(texts, args.pdfs, pdf_folder)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
