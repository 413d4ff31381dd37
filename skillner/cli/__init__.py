"""The `skillner` command line, as spaCy's is: one module per stage (`annotate`, `train`, `measure`,
`generalisation`, `linking`, `extract`), each command a thin Typer wrapper over a plain, importable function, and `_util` for
what they share. The commands are registered here, in the order `skillner --help` lists them.
"""

from __future__ import annotations

import sys

import typer

from skillner.cli import annotate, extract, generalisation, linking, measure, train
from skillner.cli._util import OVERRIDES

app = typer.Typer(help="Skill extraction from resumes, and what the labelled data really costs.",
                  no_args_is_help=True, add_completion=False)

COMMANDS = (
    ("import-dotin", annotate.import_dotin_cmd),
    ("import-labels", annotate.import_labels_cmd),
    ("import-team", annotate.import_team_cmd),
    ("split", annotate.split_cmd),
    ("convert", annotate.convert_cmd),
    ("train", train.train_cmd),
    ("pretrain-text", train.pretrain_text_cmd),
    ("pretrain", train.pretrain_cmd),
    ("assemble", train.assemble_cmd),
    ("ship", train.ship_cmd),
    ("calibrate", train.calibrate_cmd),
    ("train-encoder", train.train_encoder_cmd),
    ("evaluate", measure.evaluate_cmd),
    ("baseline", measure.baseline_cmd),
    ("card", measure.card_cmd),
    ("compare", measure.compare_cmd),
    ("extract", extract.extract_cmd),
    ("serve", extract.serve_cmd),
    ("batch", extract.batch_cmd),
    ("curve", measure.curve_cmd),
    ("link-index", extract.link_index_cmd),
    ("concept-index", extract.concept_index_cmd),
    ("link-eval", linking.link_eval_cmd),
    ("link-sample", linking.link_sample_cmd),
    ("link-report", linking.link_report_cmd),
    ("concept-sample", linking.concept_sample_cmd),
    ("generalisation", generalisation.generalisation_cmd),
    ("listed-skills", generalisation.listed_cmd),
)
TAKES_OVERRIDES = {"train", "pretrain", "assemble", "train-encoder"}  # --paths.train and other config overrides pass through
GROUPS = (
    ("doccano", annotate.doccano_app),
    ("annotations", measure.annotations_app),
    ("cost", measure.cost_app),
)
for name, command in COMMANDS:
    app.command(name, context_settings=OVERRIDES if name in TAKES_OVERRIDES else None)(command)
for name, group in GROUPS:
    app.add_typer(group, name=name)


def main() -> None:
    """The console script: a labelled-data file that cannot be read ends any command with its
    one-line reason (file and line), whichever command read it."""
    from skillner.annotate.convert import LabelledDataError

    try:
        app()
    except LabelledDataError as err:
        typer.echo(f"error: {err}", err=True)
        sys.exit(1)
