"""Office readers: time per file, and time and peak memory on zip bombs and on the largest DOCX
the limits allow.

Each case runs in a fresh Python process that reads one file and reports its own peak RSS
(the interpreter with skillner.extract.readers imported is reported as "baseline"). Files: the bundled
resume as DOCX (once and 30 times over), the designer-template DOCX of the tests (nested
table, headers, text box), the committed .doc fixtures, DOCX zip bombs (a 0.9 MB file holding
300 MB of XML and a 2.9 MB one holding 1 GB), and a DOCX whose XML is just under
`Limits.max_unzipped_bytes`.

Prints the numbers and writes them to benchmarks/results/office.json.
Run: .venv/bin/python benchmarks/bench_office.py
"""

from __future__ import annotations

import dataclasses
import json
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from skillner.extract.readers import Limits
from tests.resume_files import write_designer_docx, write_docx, write_zip_bomb_docx
from tests.test_readers_office import COMPETENCIES, FOOTER, HEADER, PROFILE, TEXT_BOX

_CHILD = """
import json, resource, sys, time
from skillner.extract.readers import ReadError, read_file
path, repeats = sys.argv[1], int(sys.argv[2])
times, outcome = [], "nothing read"
for _ in range(repeats if path else 0):
    start = time.perf_counter()
    try:
        outcome = f"{len(read_file(path).text):,} characters"
    except ReadError as error:
        outcome = error.kind
    times.append(time.perf_counter() - start)
print(json.dumps({"best_ms": round(min(times, default=0) * 1000, 2), "outcome": outcome,
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def measure(path: Path | None, repeats: int) -> dict:
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path or ""), str(repeats)], capture_output=True,
                          text=True, check=True, cwd=ROOT)
    return {"file_bytes": path.stat().st_size if path else 0, **json.loads(done.stdout)}


def main() -> None:
    resume = (ROOT / "corpus" / "examples" / "resume.txt").read_text(encoding="utf-8")
    largest = Limits().max_unzipped_bytes - 100_000
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        write_docx(resume, folder / "resume.docx")
        write_docx("\n".join([resume] * 30), folder / "resume-x30.docx")
        write_designer_docx(folder / "designer.docx", HEADER, FOOTER, PROFILE, COMPETENCIES, TEXT_BOX)
        write_zip_bomb_docx(folder / "bomb-300MB.docx", 300_000_000)
        write_zip_bomb_docx(folder / "bomb-1GB.docx", 1_000_000_000)
        write_zip_bomb_docx(folder / "largest-allowed.docx", largest)
        cases = {"baseline (imports only)": (None, 0), "resume.docx": (folder / "resume.docx", 20),
                 "resume-x30.docx": (folder / "resume-x30.docx", 5), "designer.docx": (folder / "designer.docx", 20),
                 **{f"{name}.doc": (ROOT / "tests" / "data" / "doc" / f"{name}.doc", 20)
                    for name in ("resume", "table", "unicode")},
                 "bomb-300MB.docx": (folder / "bomb-300MB.docx", 3), "bomb-1GB.docx": (folder / "bomb-1GB.docx", 3),
                 f"largest-allowed.docx ({largest:,} B of XML)": (folder / "largest-allowed.docx", 1)}
        results = {name: measure(path, repeats) for name, (path, repeats) in cases.items()}
    for name, result in results.items():
        print(f"{name:45} {result['file_bytes']:>11,} B  {result['best_ms']:>9.2f} ms  "
              f"peak {result['peak_rss_mb']:>4} MB  {result['outcome']}")
    out = ROOT / "benchmarks" / "results" / "office.json"
    out.write_text(json.dumps({"machine": platform.platform(), "python": platform.python_version(),
                               "limits": dataclasses.asdict(Limits()),
                               "cases": results}, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
