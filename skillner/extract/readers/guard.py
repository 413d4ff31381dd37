"""Reading a file so that no file can hang, exhaust or kill the caller.

`load_bytes` reads a file's bytes once and hashes exactly those bytes (a file edited while a
batch runs gets the hash of the content that was read), and turns every way a listed path can
fail to be a readable file into `ReadError("unreadable")`. `IsolatedReader` runs readers in a
forked child with a wall-clock timeout per call and an address-space cap: a reader stuck in C code
(PDFium, lxml), which no signal handler can interrupt, is killed and costs a `timeout`; one that
allocates without bound hits the cap (`too_large`); one that crashes costs a `crash`, not the
caller. The child leads a process group of its own, killed as a group: a program it started
(Tesseract, for OCR) dies with it instead of running on under PID 1.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import resource
import select
import signal
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from skillner.extract.readers import open_regular_file
from skillner.extract.readers.base import Extracted, Limits, ReadError
from skillner.runtime.processes import die_with_parent

READ_MEMORY_MB = 2048  # address space a reader may add to its process's before it is stopped
_BLOCK = 1 << 20


@dataclass
class Loaded:
    sha256: str
    size: int
    data: bytes | None  # None when the file is over the byte limit (it is still hashed)


def load_bytes(path: str | Path, name: str, limits: Limits = Limits()) -> Loaded:
    """The bytes of a regular file, read once, with their sha256. FIFOs, sockets and devices
    are never opened for reading (O_NONBLOCK also guards the race of a file replaced by one)."""
    handle = open_regular_file(path, name)
    try:
        digest, kept, size = hashlib.sha256(), [], 0
        try:
            while block := os.read(handle, _BLOCK):
                digest.update(block)
                size += len(block)
                if size <= limits.max_bytes:
                    kept.append(block)
        except OSError as error:
            raise ReadError("unreadable", f"{name} could not be read ({error.strerror or type(error).__name__})") from None
    finally:
        os.close(handle)
    return Loaded(digest.hexdigest(), size, b"".join(kept) if size <= limits.max_bytes else None)


class IsolatedReader:
    """A child process that runs readers for its parent, one call at a time. Start it before
    loading a model: the fork is then cheap, and each call costs a pipe round trip (under a
    millisecond) where a fork per file of a process holding the model costs 25-60 ms. A call
    past its timeout, or one that kills the child, gets a fresh child."""

    def __init__(self, memory_mb: int = READ_MEMORY_MB):
        self.memory_mb = memory_mb
        self.pid = 0
        self._start()

    def _start(self) -> None:
        from_parent, to_child = os.pipe()
        from_child, to_parent = os.pipe()
        with warnings.catch_warnings():  # the child only reads files: it takes no lock of another thread
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:
            os.close(to_child)
            os.close(from_child)
            _serve(from_parent, to_parent, self.memory_mb)
        _own_group(pid)  # in the parent too: the group must exist before any kill of it
        os.close(from_parent)
        os.close(to_parent)
        self.pid, self._send, self._receive = pid, to_child, from_child

    def call(self, function: Callable, args: tuple, timeout: float):
        """`function(*args)` in the child: its result, or the ReadError it raised. Over `timeout`
        seconds -> ReadError("timeout"); a MemoryError past the cap -> ReadError("too_large"); a
        death by signal -> ReadError("crash"); any other exception -> ReadError("corrupt") (a
        reader library failing in a way it does not document)."""
        if not self.pid:
            self._start()
        deadline = time.monotonic() + timeout
        try:
            _send_message(self._send, pickle.dumps((function, args), protocol=pickle.HIGHEST_PROTOCOL))
            payload = _receive_message(self._receive, deadline)
        except _Expired:
            self._stop(kill=True)
            raise ReadError("timeout", f"reading took over {timeout:g} s") from None
        except (OSError, EOFError):
            raise self._death() from None
        outcome, value = pickle.loads(payload)
        if outcome == "ok":
            return value
        raise ReadError(*value)

    def _death(self) -> ReadError:
        status = self._stop(kill=True)
        if status is not None and os.WIFSIGNALED(status) and os.WTERMSIG(status) != signal.SIGKILL:
            return ReadError("crash", f"reading it killed the reader process ({signal.Signals(os.WTERMSIG(status)).name})")
        return ReadError("crash", "reading it killed the reader process")

    def _stop(self, kill: bool) -> int | None:
        if not self.pid:
            return None
        for handle in (self._send, self._receive):
            os.close(handle)
        if kill:
            _kill_group(self.pid)
        _, status = os.waitpid(self.pid, 0)
        if kill:
            _kill_group(self.pid)  # what the child started after the first kill, or left behind dying
        self.pid = 0
        return status

    def close(self) -> None:
        self._stop(kill=False)  # closing the pipe ends the child's loop

    def __enter__(self) -> IsolatedReader:
        return self

    def __exit__(self, *exc) -> None:
        self.kill()

    def kill(self) -> None:
        """Stop the child now. `close` waits for the child to see its pipe closed, which never
        happens while a sibling reader forked later holds a copy of that pipe (the service)."""
        self._stop(kill=True)


def _own_group(pid: int) -> None:
    try:
        os.setpgid(pid, pid)
    except (PermissionError, ProcessLookupError):  # the child did it first, or has died already
        pass


def _kill_group(pgid: int) -> None:
    """SIGKILL to the child's process group: the child and every program it started."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):  # nothing left in the group
        pass


class _Expired(Exception):
    pass


def _send_message(handle: int, payload: bytes) -> None:
    view = memoryview(len(payload).to_bytes(8, "little") + payload)
    while view:
        view = view[os.write(handle, view):]


def _receive_message(handle: int, deadline: float | None = None) -> bytes:
    header = _receive_exactly(handle, 8, deadline)
    return _receive_exactly(handle, int.from_bytes(header, "little"), deadline)


def _receive_exactly(handle: int, size: int, deadline: float | None) -> bytes:
    chunks, left = [], size
    while left:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([handle], [], [], wait)[0]:
                raise _Expired()
        block = os.read(handle, min(left, _BLOCK))
        if not block:
            raise EOFError()
        chunks.append(block)
        left -= len(block)
    return b"".join(chunks)


def _serve(receive: int, send: int, memory_mb: int) -> None:
    """The child's loop: calls in, results out, until the parent closes the pipe or dies."""
    status = 0
    try:
        _own_group(0)
        die_with_parent()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent stops us
        _cap_address_space(memory_mb)
        while True:
            try:
                function, args = pickle.loads(_receive_message(receive))
            except EOFError:
                break
            try:
                result = ("ok", function(*args))
            except ReadError as error:
                result = ("error", (error.kind, str(error)))
            except MemoryError:
                result = ("error", ("too_large", f"reading it needed over {memory_mb:,} MB of memory"))
            except Exception as error:  # noqa: BLE001 - reported as a typed error, never a traceback
                result = ("error", ("corrupt", f"{type(error).__name__}: {error}"))
            _send_message(send, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    except BaseException:  # noqa: BLE001 - the parent reports a child that answers nothing as a crash
        status = 70
    finally:
        os._exit(status)


def _cap_address_space(memory_mb: int) -> None:
    try:
        with open("/proc/self/statm") as handle:
            current = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return  # not Linux: the timeout still holds
    cap = current + memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def read_isolated(path: str | Path, limits: Limits = Limits(), timeout: float = 60.0,
                  memory_mb: int = READ_MEMORY_MB) -> Extracted:
    """`read_file` in a child process, bounded in time and memory (for `skillner extract`).
    Standard input from a terminal is read here (someone is typing it): the child, in a process
    group of its own, is not in the terminal's foreground and would be stopped (SIGTTIN)."""
    from skillner.extract.readers import read_bytes, read_file, read_stdin

    with IsolatedReader(memory_mb) as reader:
        if str(path) == "-" and sys.stdin is not None and sys.stdin.isatty():
            return reader.call(read_bytes, (read_stdin(limits), ".txt", "stdin", limits), timeout)
        return reader.call(read_file, (path, limits), timeout)
