"""A folder of resumes to one JSONL file: one row per file, skills or an error, never a skip.

Worker processes each load the model once and take files in chunks of 16 (text reading,
then `nlp.pipe` over the chunk). Rows are appended with one `write` each, so a kill leaves
whole rows; `resume=True` skips every file whose (path, content hash) already has a row and
drops a torn last line first. A worker that dies (a PDF that crashes PDFium) costs a restart:
its chunk is retried file by file, and the file that kills a worker again gets a `crash` row.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import signal
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Callable

from ..extract import SCHEMA_VERSION, extract_texts
from ..readers import Limits, ReadError, read_file


class BatchError(RuntimeError):
    """The batch cannot start (not its files: those become error rows)."""


@dataclass
class BatchSettings:
    workers: int = 1
    glob: str = "**/*"
    limits: Limits = field(default_factory=Limits)
    timeout: float = 60.0  # seconds to read one file
    chunk_size: int = 16
    resume: bool = False
    with_text: bool = False
    model: Path | None = None


@dataclass
class Task:
    path: str
    file: str  # relative to the batch folder: the row's name
    sha256: str


def find_files(root: Path, pattern: str, exclude: Path | None = None) -> list[Path]:
    """Every regular file matching `pattern` under `root`, sorted; hidden files included, so a
    stray file is reported rather than ignored."""
    exclude = exclude.resolve() if exclude else None
    return sorted(p for p in root.glob(pattern) if p.is_file() and p.resolve() != exclude)


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def done_keys(out: Path) -> set[tuple[str, str]]:
    """(file, sha256) of the rows already written; a torn last line is cut off first."""
    if not out.exists():
        return set()
    keys = set()
    whole = 0  # bytes up to the end of the last complete line
    with out.open("r+b") as handle:  # line by line: a run of 100,000 rows need not fit in memory
        for line in handle:
            if not line.endswith(b"\n"):
                break
            row = json.loads(line)
            keys.add((row["file"], row["sha256"]))
            whole += len(line)
        handle.truncate(whole)
    return keys


# --- worker side ---------------------------------------------------------------------------
_WORKER: dict = {}


def _init_worker(model: Path | None, limits: Limits, timeout: float, with_text: bool) -> None:
    from ..evaluate import load_model
    from ..vocabulary import ConceptIndex

    _WORKER.update(nlp=load_model(model), concepts=ConceptIndex.load(), limits=limits, timeout=timeout,
                   with_text=with_text)


class _Timeout(Exception):
    pass


@contextmanager
def _deadline(seconds: float):
    def expire(signum, frame):
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def error_row(task: Task, kind: str, message: str) -> dict:
    return {"schema_version": SCHEMA_VERSION, "file": task.file, "sha256": task.sha256, "status": "error",
            "error": {"kind": kind, "message": message}}


def process_chunk(tasks: list[Task]) -> tuple[list[dict], float]:
    """Rows for a chunk of files, and this worker's peak memory in MB."""
    rows: list[dict | None] = []
    read = []
    for task in tasks:
        try:
            with _deadline(_WORKER["timeout"]):
                extracted = read_file(task.path, _WORKER["limits"])
            read.append((len(rows), task, extracted))
            rows.append(None)
        except ReadError as error:
            rows.append(error_row(task, error.kind, str(error)))
        except _Timeout:
            rows.append(error_row(task, "timeout", f"reading took over {_WORKER['timeout']:g} s"))
        except Exception as error:  # a reader library failing in a way it does not document
            rows.append(error_row(task, "corrupt", f"{type(error).__name__}: {error}"))
    results = extract_texts(_WORKER["nlp"], (e.text for _, _, e in read), _WORKER["concepts"])
    for (index, task, extracted), result in zip(read, results):
        row = {"schema_version": SCHEMA_VERSION, "file": task.file, "sha256": task.sha256, "status": "ok",
               "reader": extracted.reader, "pages": extracted.pages, "chars": len(extracted.text)}
        if _WORKER["with_text"]:
            row["text"] = extracted.text
        rows[index] = {**row, "mentions": result["mentions"], "skills": result["skills"]}
    return rows, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the driver ----------------------------------------------------------------------------
def run_batch(root: Path, out: Path, settings: BatchSettings = BatchSettings(),
              progress: Callable[[dict], None] | None = None, on_total: Callable[[int], None] | None = None) -> dict:
    """Process every file under `root` into `out`; returns the run's summary."""
    root, out = Path(root), Path(out)
    if not root.is_dir():
        raise BatchError(f"{root} is not a folder")
    if out.exists() and out.stat().st_size and not settings.resume:
        raise BatchError(f"{out} already has rows: pass --resume to continue it, or choose another --out")
    start = time.perf_counter()
    finished = done_keys(out) if settings.resume else set()
    files = find_files(root, settings.glob, exclude=out)
    tasks = [Task(str(p), p.relative_to(root).as_posix(), file_sha256(p)) for p in files]
    todo = [t for t in tasks if (t.file, t.sha256) not in finished]
    if on_total:
        on_total(len(todo))
    out.parent.mkdir(parents=True, exist_ok=True)
    counts: Counter = Counter()
    errors: Counter = Counter()
    peak_mb: list[float] = []
    handle = os.open(out, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def write(rows: list[dict]) -> None:
        for row in rows:
            os.write(handle, (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
            if row["status"] == "ok":
                counts["ok"] += 1
                counts["mentions"] += len(row["mentions"])
            else:
                errors[row["error"]["kind"]] += 1
            if progress:
                progress(row)

    try:
        chunks = [todo[i:i + settings.chunk_size] for i in range(0, len(todo), settings.chunk_size)]
        _run_chunks(chunks, settings, write, peak_mb)
    finally:
        os.fsync(handle)
        os.close(handle)
    seconds = time.perf_counter() - start
    processed = len(todo)
    return {"files": len(tasks), "already_done": len(tasks) - processed, "processed": processed,
            "ok": counts["ok"], "errors": dict(sorted(errors.items())),
            "mentions": counts["mentions"], "seconds": round(seconds, 2),
            "files_per_second": round(processed / seconds, 2) if seconds else None,
            "workers": settings.workers, "peak_worker_mb": round(max(peak_mb), 1) if peak_mb else None}


def _run_chunks(chunks: list[list[Task]], settings: BatchSettings, write, peak_mb: list[float]) -> None:
    """Keep 2 chunks per worker in flight. A worker death fails every chunk in flight, so
    their files are retried one at a time in a fresh pool: a file that breaks it then is
    the culprit and gets a `crash` row."""
    pending = [(chunk, False) for chunk in chunks]
    while pending:
        with ProcessPoolExecutor(settings.workers, mp_context=get_context("spawn"), initializer=_init_worker,
                                 initargs=(settings.model, settings.limits, settings.timeout, settings.with_text)) as pool:
            running: dict = {}
            broken = False
            while (pending and not broken) or running:
                isolated = bool(pending) and pending[0][1]
                while pending and not broken and len(running) < (1 if isolated else 2 * settings.workers):
                    chunk, alone = pending.pop(0)
                    running[pool.submit(process_chunk, chunk)] = (chunk, alone)
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    chunk, alone = running.pop(future)
                    try:
                        rows, peak = future.result()
                    except BrokenProcessPool:
                        broken = True
                        if alone:
                            write([error_row(chunk[0], "crash", "reading it killed the worker process")])
                        else:
                            pending[:0] = [([task], True) for task in chunk]
                        continue
                    peak_mb.append(peak)
                    write(rows)
            # a broken pool cannot take more work: the loop starts a fresh one
