"""Commands that measure: scores, the model card, comparisons, the learning curve, annotation
quality (`skillner annotations ...`), annotation cost (`skillner cost ...`) and reports
(generalisation and listed-skills are in `generalisation.py`, linking in `linking.py`)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Optional

import typer

from skillner.cli._util import RAY_ADDRESS, counted, doccano_client, fail, list_skipped
from skillner.pipeline.labels import DEFAULT_LABEL_MAP


def evaluate_cmd(
    data: Path = typer.Argument(..., help=".spacy file, or JSONL in Prodigy or Doccano shape"),
    model: Optional[Path] = typer.Option(None, help="Pipeline directory (default: the shipped model)"),
    as_json: bool = typer.Option(False, "--json", help="Print exactly one JSON object"),
    label_map: Path = typer.Option(DEFAULT_LABEL_MAP, help="Label map for foreign label names"),
    bootstrap: int = typer.Option(1000, help="Bootstrap resamples for the interval (0: no interval)"),
    seen_from: Optional[Path] = typer.Option(None, help="Training data: split recall by whether a span's text was labelled there"),
) -> None:
    """Score a model: strict/partial, typed/untyped, per label, with a bootstrap interval."""
    from skillner.annotate.convert import LabelledDataError
    from skillner.measure.evaluate import evaluate, format_table

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
    list_skipped(result["input_problems"])
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        typer.echo(format_table(result))


def baseline_cmd(out: Path = typer.Option(Path("build/baseline"), help="Pipeline directory to write")) -> None:
    """Build the ESCO + O*NET dictionary baseline as a spaCy pipeline directory."""
    from skillner.measure.baseline import save_baseline

    typer.echo(f"dictionary baseline written to {save_baseline(out)}")


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
    from skillner.annotate.convert import LabelledDataError
    from skillner.measure.baseline import build_baseline
    from skillner.measure.card import write_card

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


def compare_cmd(
    models: list[str] = typer.Argument(..., help="NAME=PIPELINE_DIR pairs"),
    dev: Path = typer.Option(Path("build/data/dev.spacy"), help="Dev split"),
    test: Path = typer.Option(Path("build/data/test.spacy"), help="Test split"),
    out: Path = typer.Option(Path("reports/transfer.json"), help="Report to write"),
) -> None:
    """Compare pipelines on dev and test with paired bootstrap intervals."""
    from skillner.annotate.convert import LabelledDataError
    from skillner.measure.card import compare_models

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


def curve_cmd(
    configs: str = typer.Option("cpu,scratch", help="Configs to compare (names in configs/)"),
    sizes: Optional[str] = typer.Option(None, help="Comma-separated sizes (default: 6 geometric sizes from 10 to all)"),
    seeds: str = typer.Option("0,1,2", help="Comma-separated seeds"),
    workers: int = typer.Option(1, help="Runs at once (a CNN run uses one core; --engine local)"),
    engine: str = typer.Option("local", help="local: runs as processes here; ray: each run a Ray task, as many "
                                             "at once as the cluster has room for (pip install 'skillner-resumes[ray]')"),
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
    from skillner.annotate.convert import read_docbin
    from skillner.measure.baseline import build_baseline
    from skillner.measure.cost import CostSettings
    from skillner.measure.curve import (
        CurveError,
        CurveSpec,
        build_report,
        geometric_sizes,
        run_curve,
        seconds_per_resume,
    )
    from skillner.measure.evaluate import evaluate

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
        from skillner.measure.curve import compare_strategies

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

    from skillner.measure.curve import CurveSpec, run_curve

    if path.exists():
        table = pd.read_csv(path)
        table = table[table["config"].isin(spec.configs) & table["size"].isin(spec.sizes) & table["seed"].isin(spec.seeds)]
        if len(table) == len(spec.configs) * len(spec.sizes) * len(spec.seeds):
            typer.echo(f"random selection: {len(table)} runs from {path}")
            return table.reset_index(drop=True)
    return run_curve(CurveSpec(configs=spec.configs, sizes=spec.sizes, seeds=spec.seeds), data, cache, workers)


annotations_app = typer.Typer(help="Annotation quality: what annotators missed or labelled inconsistently.",
                               no_args_is_help=True)


@annotations_app.command("check")
def annotations_check_cmd(
    file: Path = typer.Argument(..., help="Labelled JSONL (Prodigy or Doccano shape, .gz allowed)"),
    report: Optional[Path] = typer.Option(None, help="Markdown report with counts, examples and document ids"),
    as_json: bool = typer.Option(False, "--json", help="Print every finding as one JSON object"),
    min_corpus_docs: int = typer.Option(3, help="Corpus-wide repeats: strings labelled in at least this many resumes"),
) -> None:
    """Missed repeats, inconsistent labels and boundaries, bad span edges, overlaps, duplicates."""
    from skillner.annotate.convert import LabelledDataError, read_records, record_id, skipped_summary
    from skillner.measure.quality import check, check_markdown

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
    list_skipped(loaded["problems"])
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
        typer.echo(f"skipped as not labelled data (listed on stderr): {counted(loaded['counts'])}")
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

    from skillner.annotate.convert import check_records, read_records, skipped_summary, write_jsonl
    from skillner.measure.cost import CostSettings
    from skillner.measure.quality import apply_fixes, parse_rules, review_cost

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
    list_skipped(loaded.input_problems)
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
        from skillner.annotate.doccano import DoccanoError
        from skillner.measure.quality import push_review as send

        try:
            with doccano_client() as client:
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
    from skillner.annotate.convert import LabelledDataError, read_records, write_jsonl
    from skillner.measure.quality import apply_fixes, experiment_markdown, label_experiment, parse_rules

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

    from skillner.annotate.convert import read_jsonl, read_resumes
    from skillner.measure.cost import (
        CostSettings,
        ledger_from_events,
        ledger_from_hours,
        ledger_from_prior,
        ledger_from_prodigy,
        resume_table,
    )

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

    from skillner.measure.cost import CostSettings, report

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

    from skillner.annotate.convert import read_resumes
    from skillner.measure.cost import CostSettings, fit_time_model, predict_seconds
    from skillner.pipeline.model import load_model

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
