"""A folder of resumes to one JSONL file: one row per listed path, skills or an error, never a skip.

Worker processes each load the model once and take files in chunks of 16. A worker reads each
file's bytes once and hashes exactly those bytes (`sha256` is the content that was read, even
if the file changes during the run), then has them parsed by its reader process
(`readers.guard.IsolatedReader`, bounded in time and memory), then runs `nlp.pipe` over the
chunk's texts in character-bounded batches (`extract_texts`). Rows are appended with one
`write` each, so a kill leaves whole rows.

`resume=True` first checks that `out` is a skillner results file (else it is left untouched),
drops a torn last line, and skips every file whose (name, content hash) already has a row; an
`unreadable` row (no content, so no hash) counts as done by name. `retry_errors=True` also
drops the rows of errors that may pass on a second try (`RETRIED_KINDS`) and reads those
files again. A worker that dies costs a restart: its chunk is retried file by file, and the
file that kills a worker again gets a `crash` row; a chunk that overruns its deadline (a
worker stuck where no timeout reaches) is handled the same way, and gets a `timeout` row.

One batch at a time writes an `out`: an exclusive lock on `<out>.lock` (holding its pid)
refuses a second; `out` is resolved first, so a symlink to a file another batch writes is
refused too, and --resume rewrites the file, never the link. A write that fails (disk full, a
file-size limit, an I/O error) ends the run with a one-line BatchError: the whole rows before it
are kept, and --resume cuts the torn last line and finishes. The folder and `--model` are made
absolute: Ray actors and worker processes may run in another working directory. Workers die
with the driver (PR_SET_PDEATHSIG on Linux), and SIGTERM or SIGINT stop the workers and end the run with the rows written so far (`BatchInterrupted`).
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import signal
import threading
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from multiprocessing import get_context
from pathlib import Path
from typing import Callable

from skillner.extract.batch.files import Entry, GlobError, list_entries, list_paths
from skillner.extract.batch.work import (
    RETRIED_KINDS,
    BatchError,
    BatchInterrupted,
    BatchSettings,
    Task,
    error_row,
    init_worker,
    process_chunk,
)

# The watchdog's allowance per file beyond the read timeout (parsing a text of Limits.max_chars
# takes about a minute on one slow core), and for a worker to start and load the model.
_PARSE_SECONDS = 300.0
_START_SECONDS = 300.0


def lock_path(out: Path) -> Path:
    return out.with_name(out.name + ".lock")


def done_keys(out: Path, retry_kinds: tuple[str, ...] = ()) -> dict[str, set[str | None]]:
    """The sha256 of each file's rows already in `out` (None: a row without content). `out`
    must be a skillner results file, else BatchError and it is left as it is; then a torn last
    line is cut off, and rows with an error of `retry_kinds` are dropped (their files are read
    again)."""
    if not out.exists():
        return {}
    keys: dict[str, set[str | None]] = {}
    whole = 0  # bytes up to the end of the last complete line
    retried = False
    with out.open("rb") as handle:  # line by line: a run of 100,000 rows need not fit in memory
        for number, line in enumerate(handle, 1):
            if not line.endswith(b"\n"):
                if not line.startswith(b'{"schema_version"'):
                    raise _not_results(out, number, "its last line is not a row that a kill cut short")
                break
            row = _results_row(out, number, line)
            if row["status"] == "error" and row.get("error", {}).get("kind") in retry_kinds:
                retried = True
                continue
            keys.setdefault(row.get("file_hex") or row["file"], set()).add(row["sha256"])
            whole += len(line)
    if retried:
        _drop_rows(out, retry_kinds)
    elif whole < out.stat().st_size:
        with out.open("r+b") as handle:
            handle.truncate(whole)
    return keys


def _results_row(out: Path, number: int, line: bytes) -> dict:
    try:
        row = json.loads(line)
    except ValueError:
        raise _not_results(out, number, "it is not JSON") from None
    if not isinstance(row, dict) or not {"schema_version", "file", "status"} <= row.keys():
        raise _not_results(out, number, "it has no schema_version, file and status")
    if "sha256" not in row:
        raise _not_results(out, number, "it has no sha256, which --resume compares")
    return row


def _not_results(out: Path, number: int, why: str) -> BatchError:
    return BatchError(f"{out} is not a skillner results file (line {number}: {why}); --resume continues only "
                      "a file written by `skillner batch`, and it was left as it is")


def _drop_rows(out: Path, retry_kinds: tuple[str, ...]) -> None:
    """`out` without the rows to retry (and a torn last line), replaced in one rename."""
    temporary = out.with_name(f".{out.name}.retry")
    try:
        with out.open("rb") as source, temporary.open("wb") as target:
            for line in source:
                if not line.endswith(b"\n"):
                    break
                row = json.loads(line)
                if not (row["status"] == "error" and row.get("error", {}).get("kind") in retry_kinds):
                    target.write(line)
            target.flush()
            os.fsync(target.fileno())
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise BatchError(f"cannot rewrite {out} without the rows to retry ({error.strerror or error}): it was left "
                         "as it was; make room and run the same command again") from None
    os.replace(temporary, out)


@contextmanager
def _locked(out: Path):
    """Hold `<out>.lock` for the run; a second batch on the same `out` is refused, named by pid."""
    lock = lock_path(out)
    while True:
        handle = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(handle, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(handle)
            raise BatchError(f"another batch (pid {holder}) is writing {out}: wait for it to end, "
                             "or choose another --out") from None
        try:
            if os.fstat(handle).st_ino == os.stat(lock).st_ino:
                break  # not a lock file that the run before us removed as we opened it
        except FileNotFoundError:
            pass
        os.close(handle)
    try:
        os.ftruncate(handle, 0)
        os.write(handle, f"{os.getpid()}\n".encode())
    except OSError as error:
        os.close(handle)
        raise BatchError(f"cannot write the lock file {lock} ({error.strerror or error}); nothing was written") from None
    try:
        yield
    finally:
        try:
            os.unlink(lock)
        finally:
            os.close(handle)


def _check_out(out: Path, resume: bool) -> None:
    if out.is_dir():
        raise BatchError(f"--out {out} is a folder: name the JSONL file to write")
    if out.exists() and not out.is_file():
        raise BatchError(f"--out {out} is not a regular file: batch appends rows to a file it can reopen "
                         "(and --resume continues)")
    if out.exists() and out.stat().st_size and not resume:
        raise BatchError(f"{out} already has rows: pass --resume to continue it, or choose another --out")


# --- the driver ----------------------------------------------------------------------------
def run_batch(root: Path, out: Path, settings: BatchSettings = BatchSettings(),
              progress: Callable[[dict | None], None] | None = None,
              on_total: Callable[[int], None] | None = None) -> dict:
    """Process every file under `root` (a folder, or a text file of paths: `files.list_paths`)
    into `out`; returns the run's summary. `progress` gets each row as it is written (None for
    a file found already done)."""
    settings.check()
    _check_out(Path(out), settings.resume)  # as given: a link to a pipe resolves to no file at all
    root, out = Path(os.path.abspath(root)), Path(os.path.realpath(out))
    if settings.model is not None:
        settings = dataclasses.replace(settings, model=Path(os.path.abspath(settings.model)))
    if not root.is_dir() and not root.is_file():
        raise BatchError(f"{root} is not a folder{' or a file' if root.exists() else ''}: batch takes a folder "
                         "of resumes, or a text file with one path per line")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BatchError(f"cannot create the folder of --out {out}: {error.strerror or error}") from None
    start = time.perf_counter()
    with _engine(settings) as run_chunks, _locked(out):
        _check_out(out, settings.resume)  # again, now that no other batch can be writing it
        finished = done_keys(out, RETRIED_KINDS if settings.retry_errors else ()) if settings.resume else {}
        try:
            entries = list_entries(root, settings.glob, exclude=(out, lock_path(out))) if root.is_dir() \
                else list_paths(root)
        except GlobError as error:
            raise BatchError(str(error)) from None
        except OSError as error:
            raise BatchError(f"cannot {'list' if root.is_dir() else 'read'} {root}: {error.strerror or error}") from None
        return _run(entries, finished, out, settings, progress, on_total, start, run_chunks)


@contextmanager
def _engine(settings: BatchSettings):
    """The function that turns chunks into rows: worker processes here, or actors on Ray
    (connected before anything is written, so a missing cluster costs no rows)."""
    if settings.engine == "local":
        yield _run_chunks
        return
    from skillner.extract.batch.on_ray import ray_engine

    with ray_engine(settings) as run_chunks:
        yield run_chunks


def _run(entries: list[Entry], finished: dict, out: Path, settings: BatchSettings, progress, on_total,
         start: float, run_chunks) -> dict:
    counts: Counter = Counter()
    errors: Counter = Counter()
    peak_mb: list[float] = []
    problems, tasks = [], []
    for entry in entries:
        known = finished.get(entry.key, set())
        if None in known or (entry.problem and known):
            counts["already_done"] += 1  # reported before as unreadable; --retry-errors reads it again
        elif entry.problem:
            problems.append(error_row(Task(entry.path, entry.file, entry.file_hex), None, "unreadable",
                                      f"{entry.file}: {entry.problem}"))
        else:
            tasks.append(Task(entry.path, entry.file, entry.file_hex, tuple(known)))
    if on_total:
        on_total(len(problems) + len(tasks))
    try:
        handle = os.open(out, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError as error:
        raise BatchError(f"cannot write --out {out}: {error.strerror or error}") from None

    def write(rows: list[dict | None]) -> None:
        for row in rows:
            if row is None:
                counts["already_done"] += 1
            else:
                try:
                    _append(handle, _encode(row))
                except OSError as error:
                    raise _write_failed(out, counts["written"], error) from None
                counts["written"] += 1
                if row["status"] == "ok":
                    counts["ok"] += 1
                    counts["mentions"] += len(row["mentions"])
                else:
                    errors[row["error"]["kind"]] += 1
            if progress:
                progress(row)

    try:
        with _stop_on_signals(counts):
            write(problems)
            chunks = [tasks[i:i + settings.chunk_size] for i in range(0, len(tasks), settings.chunk_size)]
            workers = run_chunks(chunks, settings, write, peak_mb)
    finally:
        try:
            os.fsync(handle)
            synced = None
        except OSError as error:  # reported below unless an error of the run is on its way already
            synced = error
        os.close(handle)
    if synced is not None:
        raise _write_failed(out, counts["written"], synced)
    seconds = time.perf_counter() - start
    processed = len(entries) - counts["already_done"]
    return {"files": len(entries), "already_done": counts["already_done"], "processed": processed,
            "ok": counts["ok"], "errors": dict(sorted(errors.items())),
            "mentions": counts["mentions"], "seconds": round(seconds, 2),
            "files_per_second": round(processed / seconds, 2) if seconds else None,
            "engine": settings.engine, "workers": workers, "peak_worker_mb": round(max(peak_mb), 1) if peak_mb else None}


def _append(handle: int, data: bytes) -> None:
    """All of `data`: a write cut short by a full disk is finished, or raises the disk's error."""
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view):]


def _write_failed(out: Path, written: int, error: OSError) -> BatchError:
    return BatchError(f"cannot write {out} ({error.strerror or error}): the {written} whole row(s) written before "
                      "are kept; make room (or fix the disk) and run the same command with --resume to finish")


def _encode(row: dict) -> bytes:
    try:
        return (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate in a reader's message: JSON escapes keep the row whole
        return (json.dumps(row) + "\n").encode("ascii")


@contextmanager
def _stop_on_signals(counts: Counter):
    """SIGTERM and SIGINT end the run between rows (the `finally` blocks stop the workers)."""
    def stop(signum, frame):
        raise BatchInterrupted(signum, counts["written"])

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _deadline(chunk: list[Task], settings: BatchSettings, queued: bool) -> float:
    """When a chunk sent now must be back: it may wait behind one other chunk on its worker."""
    seconds = _START_SECONDS + len(chunk) * (settings.timeout + _PARSE_SECONDS)
    return time.monotonic() + seconds * (2 if queued else 1)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Kill the workers now (Python 3.11's executor has no public way to) and let the pool go."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def _run_chunks(chunks: list[list[Task]], settings: BatchSettings, write, peak_mb: list[float]) -> int:
    """Keep 2 chunks per worker in flight. A worker death fails every chunk in flight, so
    their files are retried one at a time in a fresh pool: a file that breaks it then is
    the culprit and gets a `crash` row. A chunk past its deadline is treated alike (the pool
    is killed), and a file alone past its deadline gets a `timeout` row."""
    pending = [(chunk, False) for chunk in chunks]
    while pending:
        pool = ProcessPoolExecutor(settings.workers, mp_context=get_context("spawn"), initializer=init_worker,
                                   initargs=(settings, os.getpid()))
        try:
            running: dict = {}
            broken = False
            while (pending and not broken) or running:
                isolated = bool(pending) and pending[0][1]
                while pending and not broken and len(running) < (1 if isolated else 2 * settings.workers):
                    chunk, alone = pending.pop(0)
                    running[pool.submit(process_chunk, chunk)] = (chunk, alone, _deadline(chunk, settings, not alone))
                first_due = min(deadline for *_, deadline in running.values())
                done, _ = wait(running, timeout=max(0.0, first_due - time.monotonic()), return_when=FIRST_COMPLETED)
                if not done:
                    _overrun(running, pending, write)
                    broken = True
                    break
                for future in done:
                    chunk, alone, _ = running.pop(future)
                    try:
                        rows, peak = future.result()
                    except BrokenProcessPool:
                        broken = True
                        if alone:
                            write([error_row(chunk[0], None, "crash", "reading it killed the worker process")])
                        else:
                            pending[:0] = [([task], True) for task in chunk]
                        continue
                    peak_mb.append(peak)
                    write(rows)
        finally:
            _stop_pool(pool)
        # a broken pool cannot take more work: the loop starts a fresh one
    return settings.workers


def _overrun(running: dict, pending: list, write) -> None:
    """Some chunk is past its deadline: every chunk in flight is lost with the pool. The late
    ones are retried file by file (a late file alone gets a `timeout` row), the others as they were."""
    now = time.monotonic()
    alone_again, again = [], []
    for chunk, alone, deadline in running.values():
        if deadline > now:
            (alone_again if alone else again).append((chunk, alone))
        elif alone:
            write([error_row(chunk[0], None, "timeout", "its worker stopped answering (stuck past its deadline "
                                                        "where no read timeout reaches): it was killed")])
        else:
            alone_again.extend(([task], True) for task in chunk)
    pending[:0] = alone_again + again
    running.clear()
