"""Peak memory of a batch worker (with its reader process) on typical and on the largest allowed inputs.

One worker, the shipped model, one thread per process; each case a fresh `run_batch` on its own
folder, so each peak is that case's own:
- `resumes`: 64 bundled resume texts as .txt files (the everyday load);
- `largest_texts`: three .txt files of `Limits.max_chars` characters each (1,000,000, spaCy's
  own max_length), so one chunk holds three of the longest texts a worker may parse;
- `largest_file`: a .txt of `Limits.max_bytes` (20 MB): read and decoded by the reader
  process, then refused as `too_large` (20 million characters of text);
- `zip_bomb`: a DOCX of 1 MB whose document.xml unzips to 500 MB: the reader's limits refuse it.

`peak_worker_mb` is the worker's peak resident memory plus its reader process's (they share
the pages of the imports, so the sum is an upper bound). Before segmenting, four texts of
400,000 characters took 5.0 GB in one worker (issue 10); the bound documented in the README is
the largest peak here, rounded up.

Prints the numbers and writes them to benchmarks/results/batch_memory.json.
Run: .venv/bin/python benchmarks/bench_batch_memory.py
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import zipfile
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from skillner.annotate.convert import read_jsonl  # noqa: E402
from skillner.extract.batch import BatchSettings, run_batch  # noqa: E402
from skillner.extract.readers import Limits  # noqa: E402
from tests.resume_files import write_docx  # noqa: E402


def long_text(texts: list[str], chars: int) -> str:
    """Resume lines over and over, cut to `chars` at a line end: real words for the model."""
    lines, out, size = [line for text in texts for line in text.splitlines() if line.strip()], [], 0
    while size < chars:
        for line in lines:
            if size + len(line) + 1 > chars:
                break
            out.append(line)
            size += len(line) + 1
        else:
            continue
        break
    text = "\n".join(out) + "\n"
    return text + "x" * (chars - len(text))


def zip_bomb(path: Path, text: str) -> None:
    """A valid DOCX whose document.xml is padded to 500 MB with one repeated paragraph."""
    write_docx(text, path)
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    document = members["word/document.xml"].decode()
    paragraph = "<w:p><w:r><w:t>" + "Python " * 100 + "</w:t></w:r></w:p>"
    padding = paragraph * (500_000_000 // len(paragraph))
    members["word/document.xml"] = document.replace("<w:body>", "<w:body>" + padding, 1).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name, data in members.items():
            target.writestr(name, data)


def case(folder: Path, files: dict[str, str | bytes | Path]) -> dict:
    folder.mkdir()
    for name, content in files.items():
        target = folder / name
        if isinstance(content, Path):
            content.rename(target)
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    out = folder.parent / f"{folder.name}.jsonl"
    report = run_batch(folder, out, BatchSettings(workers=1))
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return {"files": report["files"], "chars": sum(row.get("chars", 0) for row in rows),
            "rows": {row["file"]: row["status"] if row["status"] == "ok" else row["error"]["kind"] for row in rows}
            if len(rows) <= 4 else f"{sum(row['status'] == 'ok' for row in rows)} ok of {len(rows)}",
            "seconds": report["seconds"], "peak_worker_mb": report["peak_worker_mb"]}


def main() -> None:
    limits = Limits()
    texts = [record["text"] for record in read_jsonl(ROOT / "annotations" / "dotin.jsonl.gz")]
    results = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, OMP_NUM_THREADS=1",
               "limits": {"max_bytes": limits.max_bytes, "max_chars": limits.max_chars}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        results["resumes"] = case(tmp / "resumes", {f"cv{i:02d}.txt": text for i, text in enumerate(texts[:64])})
        longest = long_text(texts, limits.max_chars)
        results["largest_texts"] = case(tmp / "largest", {f"long{i}.txt": longest for i in range(3)})
        line = "Python, SQL and stakeholder management across teams.\n"
        big = (line * (limits.max_bytes // len(line) + 1))[:limits.max_bytes]
        results["largest_file"] = case(tmp / "file", {"big.txt": big})
        bomb = tmp / "bomb.docx"
        zip_bomb(bomb, texts[0])
        results["zip_bomb"] = {"docx_bytes": bomb.stat().st_size, **case(tmp / "bomb", {"bomb.docx": bomb})}
    results["bound_mb"] = max(results[name]["peak_worker_mb"] for name in
                              ("resumes", "largest_texts", "largest_file", "zip_bomb"))
    out = ROOT / "benchmarks" / "results" / "batch_memory.json"
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
