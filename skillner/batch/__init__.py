"""Many resumes at once: one row per file, skills or an error, never a skip.

`local` runs worker processes on this machine (and holds what every engine shares: settings,
lock, resume, the row writer); `on_ray` runs the same chunks on Ray actors; `files` lists a
folder or reads a list of paths; `summary` turns the rows into skill counts.
"""

from .local import BatchError, BatchInterrupted, BatchSettings, done_keys, run_batch
from .summary import write_summary

__all__ = ["BatchError", "BatchInterrupted", "BatchSettings", "done_keys", "run_batch", "write_summary"]
