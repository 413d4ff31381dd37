"""What the command modules share: the one-line failure, option definitions used by several
commands, and small checks of option values."""

from __future__ import annotations

import math
from typing import Optional

import typer

OVERRIDES = {"allow_extra_args": True, "ignore_unknown_options": True}


def fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def list_skipped(problems) -> None:
    """Every record or span skipped as not labelled data, one line each on stderr."""
    from skillner.annotate.convert import InputProblem

    for problem in problems:
        typer.echo(f"  skipped: {problem if isinstance(problem, InputProblem) else InputProblem(**problem)}", err=True)


def counted(counts: dict) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items())) or "none"


def positive(option: str, value: float) -> None:
    """A one-line error for a limit that would turn every good file into an error (0, < 0, nan)."""
    if not math.isfinite(value) or value <= 0:
        fail(f"{option} must be a positive number (got {value})")


MIN_CONFIDENCE = typer.Option(0.0, help="Leave out mentions whose confidence is below it (0-1; the model "
                                        "card says what precision each threshold gives)")


LINKING = typer.Option("auto", help="How mentions get a concept: aliases (the ESCO / O*NET table), "
                                     "embeddings (then nearest labels; the trf extra and `make link-index`) or "
                                     "auto (embeddings when both are there)")


LINK_THRESHOLD = typer.Option(None, help="Lowest embedding score linked, 0-1 (default: the one chosen on "
                                         "hand-judged dev links; README: precision and coverage by threshold)")


LINKS = typer.Option(0, help="Give each mention its top K concepts in `links` (0: none)")


IMPLIED_THRESHOLD = typer.Option(None, help="Lowest score of an implied skill in `concepts`, 0-1 (default: the one "
                                            "chosen on judged dev resumes; lower it to rank more skills)")


def link_settings_from(mode: str, threshold: Optional[float], links: int, implied_threshold: Optional[float] = None):
    from skillner.taxonomy.linking import DEFAULT_THRESHOLD, LinkSettings

    settings = LinkSettings(mode, DEFAULT_THRESHOLD if threshold is None else threshold, links, implied_threshold)
    try:
        settings.check()
    except ValueError as err:
        fail(str(err))
    return settings


def confidence_limit(value: float) -> None:
    if not 0 <= value <= 1:
        fail(f"--min-confidence must be between 0 and 1 (got {value})")


RAY_ADDRESS = typer.Option(None, help="--engine ray: the cluster (auto, HOST:PORT or ray://HOST:PORT); default: "
                                      "a private one on this machine")


def doccano_client():
    from skillner.annotate.doccano import DoccanoError, client_from_env

    try:
        return client_from_env()
    except DoccanoError as err:
        fail(str(err))


def doccano_call(function, *args, **kwargs):
    from skillner.annotate.doccano import DoccanoError

    try:
        return function(*args, **kwargs)
    except DoccanoError as err:
        fail(str(err))
