"""Many resumes at once: one row per file, skills or an error, never a skip.

`local` runs worker processes on this machine; `summary` turns the rows into skill counts.
"""

from .local import BatchError, BatchInterrupted, BatchSettings, done_keys, run_batch
from .summary import write_summary

__all__ = ["BatchError", "BatchInterrupted", "BatchSettings", "done_keys", "run_batch", "write_summary"]
