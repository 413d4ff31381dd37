"""What every batch engine runs: its settings, a chunk's tasks, and the worker that turns a
chunk of files into rows (local worker processes and Ray actors alike load it once).

Imported by `local` (the driver and its process pool) and `on_ray` (actors); imports neither.
"""

from __future__ import annotations

import math
import os
import resource
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from skillner.extract.batch.files import GlobError, check_glob
from skillner.extract.mentions import SCHEMA_VERSION, extract_texts
from skillner.extract.readers import Limits, ReadError, read_bytes, reader_suffix
from skillner.extract.readers.guard import IsolatedReader, load_bytes
from skillner.runtime.processes import die_with_parent
from skillner.taxonomy.linking import Linker, LinkSettings

ENGINES = ("local", "ray")
RETRIED_KINDS = ("timeout", "crash", "unreadable")  # errors a second try may not repeat


class BatchError(RuntimeError):
    """The batch cannot start (not its files: those become error rows)."""


class BatchInterrupted(BatchError):
    """SIGTERM or SIGINT stopped the run; the rows written so far stay, `--resume` finishes it."""

    def __init__(self, signum: int, written: int):
        super().__init__(f"stopped by {signal.Signals(signum).name} after writing {written} row(s); "
                         "run the same command with --resume to finish")
        self.signum = signum


@dataclass
class BatchSettings:
    workers: int = 1
    glob: str = "**/*"
    limits: Limits = field(default_factory=Limits)
    timeout: float = 60.0  # seconds to read one file
    chunk_size: int = 16
    resume: bool = False
    retry_errors: bool = False
    with_text: bool = False
    min_confidence: float = 0.0  # mentions below it are left out of every row
    linking: LinkSettings = field(default_factory=LinkSettings)
    model: Path | None = None
    engine: str = "local"  # or "ray": `workers` is then the number of actors (0: one per CPU of the cluster)
    address: str | None = None  # ray: a running cluster ("auto", "HOST:PORT", "ray://HOST:PORT"); None starts one here

    def check(self) -> None:
        """A one-line BatchError for a setting that would turn good files into error rows."""
        if self.engine not in ENGINES:
            raise BatchError(f"--engine {self.engine!r} is not one of {', '.join(ENGINES)}")
        if self.engine == "ray" and self.workers == 0:
            pass  # one actor per CPU of the cluster
        elif not isinstance(self.workers, int) or self.workers < 1:
            raise BatchError(f"{'--actors' if self.engine == 'ray' else '--workers'} must be a positive number "
                             f"(got {self.workers!r})")
        if self.address is not None and self.engine != "ray":
            raise BatchError("--address names a Ray cluster: it goes with --engine ray")
        for name, value in (("chunk size", self.chunk_size),
                            ("--max-pages", self.limits.max_pages), ("--max-mb", self.limits.max_bytes),
                            ("max_chars", self.limits.max_chars)):
            if not isinstance(value, int) or value < 1:
                raise BatchError(f"{name} must be a positive number (got {value!r})")
        if not isinstance(self.min_confidence, (int, float)) or not 0 <= self.min_confidence <= 1:
            raise BatchError(f"--min-confidence must be between 0 and 1 (got {self.min_confidence!r})")
        try:
            self.linking.check()
        except ValueError as error:
            raise BatchError(str(error)) from None
        if not isinstance(self.timeout, (int, float)) or not math.isfinite(self.timeout) or self.timeout <= 0:
            raise BatchError(f"--timeout must be a positive number of seconds (got {self.timeout!r})")
        if self.retry_errors and not self.resume:
            raise BatchError("--retry-errors goes with --resume (it retries the error rows of an earlier run)")
        try:
            check_glob(self.glob)
        except GlobError as error:
            raise BatchError(str(error)) from None
        if self.model is not None and not (Path(self.model) / "config.cfg").is_file():
            # checked here: a worker that cannot load its model would turn every file into a crash row
            raise BatchError(f"--model {self.model} is not a spaCy pipeline folder (no config.cfg)")


@dataclass
class Task:
    path: str
    file: str  # relative to the batch folder: the row's name
    file_hex: str | None = None
    known: tuple[str, ...] = ()  # sha256 of this file's rows already in `out` (resume)


# --- worker side ---------------------------------------------------------------------------
_WORKER: dict = {}


def init_worker(settings: "BatchSettings", driver: int) -> None:
    die_with_parent()
    if os.getppid() != driver:  # the driver died before the line above
        os._exit(1)
    if not sys.platform.startswith("linux"):
        threading.Thread(target=_exit_with_driver, args=(driver,), daemon=True).start()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the driver stops us
    load_worker(settings)


def load_worker(settings: BatchSettings) -> None:
    """What `process_chunk` needs, once per worker process (or Ray actor)."""
    reader = IsolatedReader()  # forked before the model loads: cheap, and small
    from skillner.pipeline.model import load_model

    _WORKER.update(nlp=load_model(settings.model), linker=Linker.load(settings.linking), limits=settings.limits,
                   timeout=settings.timeout, with_text=settings.with_text, min_confidence=settings.min_confidence,
                   links=settings.linking.links, reader=reader)


def _exit_with_driver(driver: int) -> None:
    """Where PR_SET_PDEATHSIG does not exist: a dead driver makes us an orphan; then exit."""
    while os.getppid() == driver:
        time.sleep(1)
    os._exit(1)


def error_row(task: Task, sha256: str | None, kind: str, message: str) -> dict:
    return {"schema_version": SCHEMA_VERSION, "file": task.file, **({"file_hex": task.file_hex} if task.file_hex else {}),
            "sha256": sha256, "status": "error", "error": {"kind": kind, "message": message}}


def _read(task: Task, data: bytes | None, size: int):
    limits = _WORKER["limits"]
    suffix = reader_suffix(task.file)
    if size == 0:
        raise ReadError("empty_file", f"{task.file} is empty (0 bytes)")
    if data is None:
        raise ReadError("too_large", f"{task.file} is {size:,} bytes, over the limit of {limits.max_bytes:,}")
    return _WORKER["reader"].call(read_bytes, (data, suffix, task.file, limits), _WORKER["timeout"])


def process_chunk(tasks: list[Task]) -> tuple[list[dict | None], float]:
    """Rows for a chunk of files (None for a file whose content already has a row), and the
    peak memory in MB of this worker and its reader process."""
    rows: list[dict | None] = []
    read = []
    for task in tasks:
        try:
            loaded = load_bytes(task.path, task.file, _WORKER["limits"])
        except ReadError as error:
            rows.append(error_row(task, None, error.kind, str(error)))
            continue
        if loaded.sha256 in task.known:
            rows.append(None)
            continue
        try:
            extracted = _read(task, loaded.data, loaded.size)
        except ReadError as error:
            rows.append(error_row(task, loaded.sha256, error.kind, str(error)))
            continue
        read.append((len(rows), task, loaded.sha256, extracted))
        rows.append(None)
    results = extract_texts(_WORKER["nlp"], (e.text for *_, e in read), _WORKER["linker"],
                            min_confidence=_WORKER["min_confidence"], links=_WORKER["links"])
    for (index, task, sha256, extracted), result in zip(read, results):
        row = {"schema_version": SCHEMA_VERSION, "file": task.file,
               **({"file_hex": task.file_hex} if task.file_hex else {}), "sha256": sha256, "status": "ok",
               "reader": extracted.reader, "pages": extracted.pages, "ocr_pages": extracted.ocr_pages,
               "chars": len(extracted.text)}
        if _WORKER["with_text"]:
            row["text"] = extracted.text
        rows[index] = {**row, "linking": result["linking"], "mentions": result["mentions"], "skills": result["skills"],
                       **({"concepts": result["concepts"]} if "concepts" in result else {})}
    return rows, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 + _reader_peak_mb()


def _reader_peak_mb() -> float:
    """The reader process's peak resident memory (Linux; 0 elsewhere). Added to the worker's,
    it overcounts the pages they share: an upper bound of what a worker costs."""
    try:
        with open(f"/proc/{_WORKER['reader'].pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0
