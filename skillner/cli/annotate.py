"""Commands that bring labelled resumes in and out: dotin and label imports, the splits, the
conversion to DocBins, and the Doccano bridge (`skillner doccano ...`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from skillner.cli._util import doccano_call, doccano_client, fail, list_skipped
from skillner.pipeline.labels import DEFAULT_LABEL_MAP


def import_dotin_cmd(
    folder: Path = typer.Argument(..., help="Folder of dotin XML resumes"),
    out: Path = typer.Option(Path("annotations/dotin.jsonl.gz"), help="Canonical JSONL to write"),
    report: Path = typer.Option(Path("annotations/dotin.report.json"), help="Repairs and alignment report"),
    label_map: Path = typer.Option(DEFAULT_LABEL_MAP, help="Label map (JSON)"),
) -> None:
    """Import dotin XML resumes into canonical Prodigy-compatible JSONL."""
    from skillner.annotate.dotin import import_dotin
    from skillner.pipeline.labels import load_label_map

    summary = import_dotin(folder, out, report, load_label_map(label_map))
    a = summary["alignment"]
    typer.echo(f"{summary['resumes']} resumes, {a['spans_kept']}/{a['spans_in']} skill spans kept, "
               f"alignment {a['counts']}, repairs {summary['text_repairs']}; report: {report}")


def import_labels_cmd(
    source: Path = typer.Argument(..., help=".spacy, or JSONL in Prodigy or any Doccano shape"),
    out: Path = typer.Argument(..., help="JSONL to write (.gz compresses)"),
    to: str = typer.Option("prodigy", help="prodigy (the canonical format) or doccano"),
    label_map: Path = typer.Option(DEFAULT_LABEL_MAP, help="Label map for foreign label names"),
) -> None:
    """Convert labelled data between DocBin, Prodigy JSONL and Doccano JSONL, reporting every span."""
    from skillner.annotate.convert import LabelledDataError, docs_to_records, load_labelled, to_doccano, write_jsonl
    from skillner.pipeline.labels import load_label_map

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
    list_skipped(report.input_problems)


def split_cmd(
    data: Path = typer.Argument(Path("annotations/dotin.jsonl.gz"), help="Canonical JSONL"),
    out_dir: Path = typer.Option(Path("annotations/splits"), help="Where the id lists go"),
    seed: int = typer.Option(13, help="Shuffle seed"),
    threshold: float = typer.Option(0.4, help="Jaccard (word 5-grams) above which resumes are near-duplicates"),
) -> None:
    """Split resumes into train/dev/test id lists, near-duplicates kept together."""
    from skillner.annotate.convert import read_resumes
    from skillner.annotate.splits import make_splits

    report = make_splits(read_resumes(data), out_dir, threshold, seed)
    typer.echo(f"splits {report['sizes']}; {len(report['near_duplicate_groups'])} near-duplicate groups "
               f"({len(report['near_duplicate_pairs'])} pairs) kept on one side; see {out_dir}/near_duplicates.json")


def convert_cmd(
    data: Path = typer.Argument(Path("annotations/dotin.jsonl.gz"), help="Canonical JSONL"),
    splits: Path = typer.Option(Path("annotations/splits"), help="Folder of id lists"),
    out_dir: Path = typer.Option(Path("build/data"), help="Where train/dev/test.spacy go"),
) -> None:
    """Derive spaCy DocBin files for each split from the canonical JSONL."""
    from skillner.annotate.convert import write_split_docbins

    if not data.is_file():
        fail(f"no such file: {data}")
    try:
        summary = write_split_docbins(data, splits, out_dir)
    except (ValueError, OSError) as err:  # unreadable records, ids missing from them, a missing id list
        fail(str(err))
    for name, s in summary.items():
        typer.echo(f"{name}: {s['docs']} skill-annotated resumes in {out_dir}/{name}.spacy; "
                   f"{s['all_docs']} in {name}-all.spacy (without skill spans: {', '.join(s['without_skill_spans']) or 'none'})")


doccano_app = typer.Typer(help="The annotation bridge to a Doccano server (credentials from DOCCANO_* or netrc).",
                          no_args_is_help=True)






@doccano_app.command("push")
def doccano_push_cmd(
    file: Path = typer.Argument(..., help="Resumes as JSONL (Prodigy, Doccano or plain {\"text\": ...})"),
    project: str = typer.Option(..., help="Doccano project name"),
    create: bool = typer.Option(False, help="Create the project if it does not exist"),
    pre_annotate: Optional[str] = typer.Option(None, help="Upload this model's predictions as suggestions "
                                                           "('default' for the shipped model)"),
) -> None:
    """Upload resumes (with their spans, or a model's predictions) to a Doccano project."""
    from skillner.annotate.convert import read_resumes
    from skillner.annotate.doccano import push
    from skillner.pipeline.model import load_model

    if not file.exists():
        fail(f"no such file: {file}")
    model = None if pre_annotate is None else load_model(None if pre_annotate == "default" else Path(pre_annotate))
    with doccano_client() as client:
        summary = doccano_call(push, client, read_resumes(file), project, create, model)
    typer.echo(f"pushed {summary['uploaded']} resumes with {summary['spans']} spans ({summary['source']}) to "
               f"project {project!r}; {summary['skipped_present']} were already there")


@doccano_app.command("pull")
def doccano_pull_cmd(
    project: str = typer.Option(..., help="Doccano project name"),
    out: Path = typer.Option(..., help="Canonical JSONL to write (events go beside it)"),
    confirmed_only: bool = typer.Option(False, help="Only examples the annotator confirmed"),
) -> None:
    """Pull labelled resumes as canonical JSONL, plus the annotation events table."""
    from skillner.annotate.doccano import pull

    with doccano_client() as client:
        s = doccano_call(pull, client, project, out, confirmed_only)
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

    from skillner.annotate.convert import read_jsonl
    from skillner.annotate.doccano import pull
    from skillner.measure.agreement import agreement

    with tempfile.TemporaryDirectory() as tmp, doccano_client() as client:
        out = Path(tmp) / "pull.jsonl"
        doccano_call(pull, client, project, out)
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


def import_team_cmd(
    folder: Path = typer.Argument(..., help="Folder of team-written resumes (corpus/team/raw or corpus/team/dev)"),
    out: Path = typer.Option(..., help="DocBin (.spacy) to write"),
    jsonl: Optional[Path] = typer.Option(None, help="Also write the canonical JSONL here (.gz compresses)"),
) -> None:
    """Read resumes the team wrote and labelled inline ([[text|LABEL]]) into a DocBin."""
    from skillner.annotate.convert import records_to_docs, write_docbin, write_jsonl
    from skillner.annotate.team import TeamFormatError, team_records

    if not folder.is_dir():
        fail(f"no such folder: {folder}")
    try:
        records, report = team_records(folder)
    except (TeamFormatError, OSError, UnicodeDecodeError) as err:
        fail(str(err))
    if not records:
        fail(f"no team-written resumes (*.txt) in {folder}")
    docs, aligned = records_to_docs(records)
    if aligned.input_problems or report.problems:
        fail(f"{folder}: spans that do not align: {(report.problems or aligned.input_problems)[:3]}")
    out.parent.mkdir(parents=True, exist_ok=True)
    write_docbin(out, docs)
    if jsonl is not None:
        write_jsonl(jsonl, records)
    typer.echo(f"{len(records)} team-written resumes, {report.spans_kept}/{report.spans_in} spans kept, "
               f"{len({r['meta']['family'] for r in records})} job families; written to {out}")
