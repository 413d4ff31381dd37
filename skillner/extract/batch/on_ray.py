"""The batch on a Ray cluster: the same rows, error kinds, lock and `--resume` as the local engine.

Ray Data feeds the driver's list of files to a pool of actors (`map_batches` with a callable
class, the pattern Ray documents for batch inference). Each actor forks its reader process
and loads the model once, then turns a block of files into rows with the local workers' own
`process_chunk`, so a file that crashes PDFium or hangs costs one error row inside the actor,
never the actor.

Where rows go: back to the driver as JSON, which alone appends them to `out`, one `write` per
row, exactly as with local workers. So `out` stays one JSONL file whatever the engine; the
lock, `--resume` (path + sha256), the torn-line repair and `--summary` are the same code; and
a block is never half-done work: its rows are either written or, after a crash, read again.
Decoding and writing a 12 kB row costs the driver 0.2 ms, about 5,000 rows/s per core,
2.6 times what 256 actors produce (docs/ray.md); `--with-text` rows cost more.

An actor that dies (SIGKILL, out of memory, its node lost) is restarted by Ray and its block
retried on it, at most `ACTOR_RETRIES` times; a block that still fails is dropped by Ray Data
(`max_errored_blocks`), and the driver, which knows every file it sent, sends the dropped
files again one per block: a file that then fails alone gets a `crash` row. Every file thus
gets exactly one row (the driver also ignores a block it was already sent, should Ray ever
deliver one twice). If the job itself stops (the cluster is gone), the rows written so far
stay and `--resume` finishes the folder.
"""

from __future__ import annotations

import json
import math
import warnings
from contextlib import contextmanager
from functools import partial

from skillner.extract.batch.work import BatchError, BatchSettings, Task, error_row, load_worker, process_chunk
from skillner.runtime.cluster import ClusterError, connect, first_line, import_ray

ACTOR_RETRIES = 2  # times a block is retried on a restarted actor before Ray Data drops it (at 0, Ray
# Data 2.60 waited forever once an actor died: keep it at 1 or more)


@contextmanager
def ray_engine(settings: BatchSettings):
    """`run_chunks` for the batch driver, connected to the cluster for the whole run."""
    try:
        ray = import_ray("batch")
        connected_here = connect(ray, settings.address)
    except ClusterError as error:
        raise BatchError(str(error)) from None
    try:
        yield partial(run_on_ray, ray)
    finally:
        if connected_here:
            ray.shutdown()


def run_on_ray(ray, chunks: list[list[Task]], settings: BatchSettings, write, peak_mb: list[float]) -> int:
    """Rows for every task, written through `write`; returns the number of actors."""
    tasks = [task for chunk in chunks for task in chunk]
    actors = settings.workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
    if not tasks:
        return actors
    dropped = _pass(ray, tasks, settings, actors, settings.chunk_size, write, peak_mb)
    if dropped:
        dropped = _pass(ray, dropped, settings, actors, 1, write, peak_mb)
        write([error_row(task, None, "crash", f"it killed its Ray actor {ACTOR_RETRIES + 1} time(s), "
                                              "read alone") for task in dropped])
    return actors


def _pass(ray, tasks: list[Task], settings: BatchSettings, actors: int, batch_size: int, write,
          peak_mb: list[float]) -> list[Task]:
    """One Ray Data job over `tasks`, `batch_size` files per block; the tasks of dropped blocks.
    Files sent alone wait for their actor to be free: queued behind a file that kills it, they
    would use up their own retries."""
    alone = batch_size == 1
    from ray.data import DataContext

    context = DataContext.get_current()
    context.max_errored_blocks = -1  # a dropped block is resent by the driver, not a failed job
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    items = [{"index": i, "path": task.path, "file": task.file, "file_hex": task.file_hex or "",
              "known": json.dumps(task.known)} for i, task in enumerate(tasks)]
    blocks = math.ceil(len(items) / batch_size)
    with warnings.catch_warnings():  # Ray 2.60 deprecates these remote args, but has no other way to cap retries
        warnings.simplefilter("ignore", DeprecationWarning)
        rows = ray.data.from_items(items, override_num_blocks=blocks).map_batches(
            Extractor, fn_constructor_args=(settings,),
            batch_size=batch_size, batch_format="numpy", compute=ray.data.ActorPoolStrategy(
                size=min(actors, blocks), max_tasks_in_flight_per_actor=1 if alone else None),
            num_cpus=1, max_restarts=-1, max_task_retries=ACTOR_RETRIES)
    received: set[int] = set()
    try:
        for block in rows.iter_batches(batch_size=None, batch_format="numpy"):
            fresh = [i for i, index in enumerate(block["index"]) if int(index) not in received]
            received.update(int(block["index"][i]) for i in fresh)
            write([json.loads(block["row"][i]) if block["row"][i] else None for i in fresh])
            peak_mb.extend(float(block["peak_mb"][i]) for i in fresh)
    except BatchError:
        raise
    except Exception as error:  # noqa: BLE001 - the job is gone; its rows so far are kept
        raise BatchError(f"the Ray job stopped ({type(error).__name__}: {first_line(error)}); the "
                         f"{len(received)} row(s) it gave are written: run the same command with --resume "
                         "to finish") from None
    return [task for i, task in enumerate(tasks) if i not in received]


class Extractor:
    """One Ray actor: the reader process forked and the model loaded once, then a block of
    files per call, as a local worker does a chunk."""

    def __init__(self, settings: BatchSettings):
        load_worker(settings)

    def __call__(self, block: dict) -> dict:
        tasks = [Task(str(path), str(file), str(file_hex) or None, tuple(json.loads(known)))
                 for path, file, file_hex, known in zip(block["path"], block["file"], block["file_hex"],
                                                        block["known"])]
        rows, peak = process_chunk(tasks)
        return {"index": block["index"], "row": ["" if row is None else json.dumps(row) for row in rows],
                "peak_mb": [peak] * len(rows)}
