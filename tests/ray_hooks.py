"""Set up in every Ray worker of the tests that ask for it (runtime_env's
worker_process_setup_hook): files whose reader crashes or hangs, as PDFium might, a file that
kills the actor itself, as a bug outside the reader process would, and .txt files read
slowly (0.3 s), so that a test can kill things while a run still has work to do."""

import os
import signal
import time


def _crash(data, name, limits):
    os.kill(os.getpid(), signal.SIGKILL)


def _hang(data, name, limits):
    time.sleep(3600)


def _slowly(data, name, limits):
    from skillner.extract.readers.text import read_plain

    time.sleep(0.3)
    return read_plain(data, name, limits)


def install() -> None:
    from skillner.extract.batch import on_ray
    from skillner.extract import readers

    readers._READERS[".crash"] = _crash
    readers._READERS[".hang"] = _hang
    readers._READERS[".txt"] = _slowly
    process_chunk = on_ray.process_chunk

    def killing_the_actor(tasks):
        if any(task.path.endswith(".fatal") for task in tasks):
            os.kill(os.getpid(), signal.SIGKILL)
        return process_chunk(tasks)

    on_ray.process_chunk = killing_the_actor
