"""Joining a Ray cluster, for `batch --engine ray` and `curve --engine ray`.

Ray is an optional extra: importing it here (never at skillner's import) keeps the default
install free of it, and turns its absence, an unreachable `--address` and a missing token into
one-line `ClusterError`s.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path


class ClusterError(RuntimeError):
    """Ray is missing, or no cluster answers at the address."""


TOKEN_FILE = Path.home() / ".ray" / "auth_token"  # where `ray start` and `ray get-auth-token` keep it
# Environment of every Ray worker: no hub downloads, and one thread each (one per CPU).
WORKER_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "OMP_NUM_THREADS": "1"}


def import_ray(command: str):
    """Ray, or a ClusterError saying how to install it (it is an optional extra). A token on hand
    turns on token authentication, as `ray start` does for a head; Ray reads the mode as it is
    imported, so this comes first."""
    if "RAY_AUTH_MODE" not in os.environ and any(
            (os.environ.get("RAY_AUTH_TOKEN"), os.environ.get("RAY_AUTH_TOKEN_PATH"), TOKEN_FILE.is_file())):
        os.environ["RAY_AUTH_MODE"] = "token"
    try:
        import ray
        import ray.data  # noqa: F401 - the `data` extra, which `ray` alone lacks
    except ImportError:
        raise ClusterError(f"{command} --engine ray needs Ray, an optional extra: pip install 'skillner-resumes[ray]' "
                           "(in the checkout: make install-ray)") from None
    return ray


def connect(ray, address: str | None) -> bool:
    """Join the cluster at `address`, or start a private one on this machine (None); True if
    this call connected (and the caller should disconnect). A missing cluster is a ClusterError."""
    if ray.is_initialized():
        return False
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")  # Ray's C++ warnings would bury skillner's own
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    quiet = {"log_to_driver": False, "logging_level": "ERROR", "runtime_env": {"env_vars": WORKER_ENV}}
    if address is None:
        ray.init(include_dashboard=False, _node_ip_address="127.0.0.1", **quiet)
        return True
    if address != "auto":
        _check_reachable(address)
    try:
        ray.init(address=address, **quiet)
    except (ConnectionError, TimeoutError, RuntimeError, ValueError) as error:
        raise ClusterError(f"no Ray cluster at --address {address} ({first_line(error)}); start one with "
                         "`make ray-up` (this machine) or `ray start --head` (see README); a cluster with token "
                         f"authentication also needs its token ({TOKEN_FILE}, RAY_AUTH_TOKEN or "
                         "RAY_AUTH_TOKEN_PATH)") from None
    return True


def _check_reachable(address: str) -> None:
    """A ClusterError now if nothing listens at HOST:PORT (Ray itself would retry for minutes)."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise ClusterError(f"--address {address!r} is not auto, HOST:PORT or ray://HOST:PORT")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=10).close()
    except OSError as error:
        raise ClusterError(f"no Ray cluster at --address {address} ({error.strerror or error}); start one with "
                         "`make ray-up` (this machine) or `ray start --head` (see README)") from None


def first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
