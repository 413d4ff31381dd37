"""Commands that measure what the labels never showed: `generalisation` (unseen skills, job
postings, mainstream tools, every occupation) and `listed-skills` (the label-free check any user
can run on a folder of resumes, with a sample to judge by hand)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from skillner.cli._util import fail


def generalisation_cmd(
    model: Optional[Path] = typer.Option(None, help="Pipeline directory (default: the shipped model)"),
    dev: Path = typer.Option(Path("build/data/dev.spacy"), help="Dev split (in-domain scores, resumes for the tool check)"),
    train: Path = typer.Option(Path("build/data/train.spacy"), help="Training data: what the model's labels showed"),
    skillspan: Path = typer.Option(Path("corpus/skillspan/dev.json"), help="SkillSpan dev (JSON lines)"),
    taxonomies: Path = typer.Option(Path("../shared/data/taxonomies"),
                                    help="ESCO + O*NET folder; without it, corpus/vocabulary/mainstream_tools.csv"),
    occupations: Optional[Path] = typer.Option(Path("corpus/team/dev"), help="Team-written resumes of every "
                                               "occupation: scores per job family (a missing folder skips them)"),
    team_train: Optional[Path] = typer.Option(Path("build/data/team-train.spacy"),
                                              help="Team-written training data: its labels count as seen too"),
    as_json: bool = typer.Option(False, "--json", help="Print exactly one JSON object"),
    out: Optional[Path] = typer.Option(None, help="Also write the JSON here"),
) -> None:
    """Skills beyond the training labels: unseen-span recall, SkillSpan job postings, mainstream tool
    names, and scores per job family on the team-written resumes of every occupation."""
    from skillner.annotate.convert import LabelledDataError
    from skillner.measure.generalisation import MAINSTREAM_NAMES, format_report, generalisation_report

    missing = [str(p) for p in (dev, train, skillspan) if not p.is_file()]
    if not taxonomies.is_dir() and not MAINSTREAM_NAMES.is_file():
        missing.append(f"{taxonomies} (or {MAINSTREAM_NAMES})")
    if missing:
        fail(f"no such file: {', '.join(missing)}")
    if model is not None and not model.is_dir():
        fail(f"no such model directory: {model}")
    try:
        if occupations is not None and not occupations.is_dir():
            typer.echo(f"  no folder {occupations}: scores per job family left out", err=True)
            occupations = None
        if team_train is not None and not team_train.is_file():  # said, never skipped silently
            typer.echo(f"  no file {team_train} (make data): its labels are not counted as seen", err=True)
            team_train = None
        result = generalisation_report(model, dev, train, skillspan, taxonomies, occupations=occupations,
                                       team_train=team_train)
    except (LabelledDataError, ValueError, FileNotFoundError) as err:
        fail(str(err))
    except OSError as err:  # spaCy's answer to a folder that is not a pipeline
        fail(f"cannot load the model {model}: {str(err).splitlines()[0]}")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=1) + "\n")
    typer.echo(json.dumps(result) if as_json else format_report(result))


def listed_cmd(
    paths: Optional[list[Path]] = typer.Argument(None, help="Resume files or folders (every file a reader "
                                                            "takes, recursively)"),
    model: Optional[Path] = typer.Option(None, help="Pipeline directory (default: the shipped model)"),
    team: bool = typer.Option(False, help="The paths are team-written resume files ([[text|LABEL]] marks, "
                                          "grouped by job family); the marks are read as text"),
    as_json: bool = typer.Option(False, "--json", help="Print exactly one JSON object"),
    out: Optional[Path] = typer.Option(None, help="Also write the JSON report here"),
    sample: int = typer.Option(0, help="Also write this many random mentions (half in skills lists, half in "
                                       "running text) to --sample-out, to judge by hand"),
    sample_out: Path = typer.Option(Path("listed-sample.csv"), help="CSV for --sample"),
    judged: Optional[Path] = typer.Option(None, help="A judged --sample CSV: print its precision (overall, "
                                                     "per place, per group) instead"),
) -> None:
    """Share of the items each resume lists under a Skills heading that extraction finds, per folder.

    Needs no labels: run it on a folder of your own resumes (one sub-folder per occupation gives one
    row each). It measures recall only; read it beside a precision figure."""
    from skillner.extract.readers import ReadError, UnsupportedFormat, read_file, reader_suffix
    from skillner.measure.listed import format_listed, listed_report

    if model is not None and not model.is_dir():
        fail(f"no such model directory: {model}")
    if judged is not None:
        import csv

        from skillner.measure.listed import SAMPLE_COLUMNS, format_judged, judged_precision

        if not judged.is_file():
            fail(f"no such file: {judged}")
        try:
            with open(judged, newline="", encoding="utf-8") as handle:
                result = judged_precision(csv.DictReader(handle))
        except (KeyError, UnicodeDecodeError, csv.Error) as err:
            fail(f"{judged}: not a judged sample (columns {', '.join(SAMPLE_COLUMNS)}): {err}")
        typer.echo(json.dumps(result) if as_json else format_judged(result))
        return
    resumes, errors = [], []
    paths = paths or []
    if not paths:
        fail("give resume files or folders (or --judged FILE)")
    for path in paths:
        if not path.exists():
            fail(f"no such file or folder: {path}")
    if team:
        from skillner.annotate.team import TeamFormatError, parse_team_file

        for path in paths:
            for file in sorted(path.glob("*.txt")) if path.is_dir() else [path]:
                try:
                    resumes += [(r.family, r.text, r.id) for r in parse_team_file(file)]
                except (TeamFormatError, OSError, UnicodeDecodeError) as err:
                    errors.append(str(err))
    else:
        for path in paths:
            files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
            for file in files:
                try:
                    reader_suffix(file.name)
                except UnsupportedFormat:
                    if path.is_dir():
                        errors.append(f"{file}: not a resume format skillner reads")
                        continue
                try:
                    text = read_file(file).text
                except (ReadError, UnsupportedFormat) as err:
                    errors.append(f"{file}: {err}")
                    continue
                group = str(file.parent.relative_to(path)) if path.is_dir() and file.parent != path else path.name
                resumes.append((group, text, str(file)))
    for error in errors:
        typer.echo(f"  not read: {error}", err=True)
    if not resumes:
        fail("no resume could be read")
    from skillner.pipeline.model import load_model

    try:
        nlp = load_model(model)
    except OSError as err:
        fail(f"cannot load the model {model}: {str(err).splitlines()[0]}")
    docs = list(nlp.pipe(text for _, text, _ in resumes))
    report = listed_report((group, name, text, [(e.start_char, e.end_char) for e in doc.ents])
                           for (group, text, name), doc in zip(resumes, docs))
    report["not_read"] = errors
    if sample > 0:
        import csv

        from skillner.measure.listed import SAMPLE_COLUMNS, sample_mentions

        rows = sample_mentions([(group, name, text, [(e.start_char, e.end_char, e.label_) for e in doc.ents])
                                for (group, text, name), doc in zip(resumes, docs)], sample)
        sample_out.parent.mkdir(parents=True, exist_ok=True)
        with open(sample_out, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=SAMPLE_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        typer.echo(f"{len(rows)} mentions to judge written to {sample_out} (verdict: skill or not)", err=True)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=1) + "\n")
    if as_json:
        sys.stdout.write(json.dumps(report) + "\n")
    else:
        typer.echo(format_listed(report))
