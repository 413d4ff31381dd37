"""Many resumes at once: one row per file, skills or an error, never a skip.

`work` holds what every engine runs (settings, tasks, the worker that turns a chunk of files
into rows); `local` is the driver (lock, resume, the row writer) with worker processes on this
machine; `on_ray` runs the same chunks on Ray actors; `files` lists a folder or reads a list of
paths; `summary` turns the rows into skill counts. `local` imports `on_ray` (for
`--engine ray`), both import `work`, and `work` imports neither.
"""

from skillner.extract.batch.local import done_keys, run_batch
from skillner.extract.batch.summary import concepts_path, write_concept_summary, write_summary
from skillner.extract.batch.work import BatchError, BatchInterrupted, BatchSettings

__all__ = ["BatchError", "BatchInterrupted", "BatchSettings", "done_keys", "run_batch", "write_summary",
           "concepts_path", "write_concept_summary"]
