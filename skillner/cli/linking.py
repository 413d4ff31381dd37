"""Commands that measure linking to ESCO / O*NET: held-out taxonomy names and the esco-linking
validation splits (`link-eval`), judged samples of mention links (`link-sample`, `link-report`)
and of implied document concepts (`concept-sample`)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Optional

import typer

from skillner.cli._util import fail, link_settings_from


def link_eval_cmd(
    task: str = typer.Option("heldout", help="heldout: held-out taxonomy names through the mention linker; esco: "
                                             "span and sentence -> ESCO on the esco-linking validation splits"),
    index: Path = typer.Option(None, help="Index folder (default: where `skillner link-index` writes)"),
    share: float = typer.Option(0.2, help="Share of ESCO alternative labels and O*NET names held out"),
    tuned: list[Path] = typer.Option([], help="--task esco: folders of tuned layers to compare (default: the shipped ones)"),
    model: Path = typer.Option(Path("models/skillner-cpu"), help="--task esco: the pipeline whose concepts are ranked"),
    calibrate_shipped: bool = typer.Option(False, "--calibrate", help="--task esco: write the shipped encoder's "
                                                                      "calibration and implied threshold (package data)"),
    target: float = typer.Option(0.5, help="--task esco --calibrate: judged precision reported against"),
    out: Path = typer.Option(None, help="JSON report (default: reports/linking/heldout.json or esco.json)"),
) -> None:
    """Held-out taxonomy names linked with the rest of the index (accuracy@1/@5, a threshold), or
    span -> ESCO (acc@1, R@5, MRR) and sentence -> ESCO (MRR, RP@5, RP@10) for the base encoder,
    each tuned one, the sentence baseline and the pipeline's document concepts."""
    if task == "esco":
        return _link_eval_esco(tuned, model, out or Path("reports/linking/esco.json"), calibrate_shipped, target)
    if task != "heldout":
        fail(f"--task must be heldout or esco (got {task!r})")
    out = out or Path("reports/linking/heldout.json")
    from skillner.measure.link_evaluation import heldout_evaluation
    from skillner.taxonomy.encoder import Embedder
    from skillner.taxonomy.linking import DEFAULT_INDEX, LinkIndex, LinkIndexError

    if not 0 < share < 1:
        fail(f"--share must be between 0 and 1 (got {share})")
    try:
        report = heldout_evaluation(LinkIndex.load(index or DEFAULT_INDEX), Embedder(), share)
    except LinkIndexError as err:
        fail(str(err))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    typer.echo(json.dumps(report["accuracy"]) + "\n" + json.dumps(report["threshold"]))


def _link_eval_esco(tuned: list[Path], model: Path, out: Path, calibrate_shipped: bool, target: float) -> None:
    import pandas as pd

    from skillner.measure.esco_linking import by_floor, calibrate, evaluate, evidence_table, judged_implied, precision_floor
    from skillner.pipeline.model import load_model
    from skillner.taxonomy.documents import CALIBRATION, Calibration, ConceptSettings, DocumentLinker, SkillIndex
    from skillner.taxonomy.encoder import SHIPPED_TUNED, TUNED_FILE, Embedder
    from skillner.taxonomy.linking import Linker
    from skillner.taxonomy.skills import load_skills
    from skillner.train.encoder import heldout_skills

    judged_path, links_path = Path("reports/linking/implied-judged.csv"), Path("reports/linking/judged.json")
    if calibrate_shipped and not (judged_path.is_file() and links_path.is_file()):
        fail(f"--calibrate needs the judged samples {judged_path} (`skillner concept-sample`) and {links_path}")
    folders = tuned or ([SHIPPED_TUNED] if (SHIPPED_TUNED / TUNED_FILE).is_file() else [])
    missing = [str(f) for f in folders if not (f / TUNED_FILE).is_file()]
    if missing:
        fail(f"no {TUNED_FILE} in {', '.join(missing)}")
    nlp, linker = load_model(model), Linker.load(link_settings_from("auto", None, 0))
    judged = pd.read_csv(judged_path, dtype={"verdict": str, "note": str}, keep_default_na=False) if judged_path.is_file() else None
    # the implied threshold is chosen on judged dev resumes (of the shipped encoder), and every
    # encoder is compared at it
    choice = precision_floor(judged) if judged is not None else {"threshold": None}
    settings = ConceptSettings(**({"implied_threshold": choice["threshold"]} if choice["threshold"] is not None else {}))
    encoders, floors, calibration_report = {}, {}, None
    for name, folder in [("base", None), *((f"tuned:{f.name}", f) for f in folders)]:
        embedder = Embedder(tuned=folder)
        started = time.time()
        index = SkillIndex.load(SkillIndex.folder_for(embedder.name), embedder.name)
        if index is None:
            index = SkillIndex.build(embedder)
            index.save(SkillIndex.folder_for(embedder.name), embedder.name, time.time() - started)
        floors[name] = by_floor(DocumentLinker(index, embedder, settings, Calibration()), nlp, linker)
        calibration = Calibration()
        if calibrate_shipped and folder is not None and folder.resolve() == SHIPPED_TUNED.resolve():
            alias = json.loads(links_path.read_text())["dev"]["methods"]["alias"]["right"]
            fitted = calibrate(evidence_table(DocumentLinker(index, embedder, settings, Calibration()), nlp, linker),
                               judged, alias)
            calibration = Calibration({m: [tuple(p) for p in pts] for m, pts in fitted["points"].items()},
                                      settings.implied_threshold, embedder.name)
            calibration_report = {"encoder": embedder.name, **fitted, "implied_threshold": settings.implied_threshold,
                                  "threshold_choice": choice, "judged_on_resumes": judged_implied(judged, target)}
            CALIBRATION.write_text(json.dumps(calibration_report, indent=1) + "\n", encoding="utf-8")
            typer.echo(f"calibration and implied threshold {settings.implied_threshold} for {embedder.name} -> {CALIBRATION}")
        encoders[name] = (embedder, index, DocumentLinker(index, embedder, settings, calibration))
    report = evaluate(encoders, nlp, linker, heldout=heldout_skills(load_skills(), 0.05, 0))
    report["implied_threshold"] = {"chosen": settings.implied_threshold, "choice": choice, "ranking_by_floor": floors}
    if calibration_report:
        report["calibration"] = calibration_report
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    for set_name, rows in report["sets"].items():
        for key, value in rows.items():
            if isinstance(value, dict):
                typer.echo(f"{set_name:6} {key:28} " + " ".join(f"{k} {v}" for k, v in value.items()))
    for name, found in report["heldout"].items():
        typer.echo(f"heldout {name:21} " + json.dumps(found))
    typer.echo(f"implied threshold {settings.implied_threshold} (judged dev resumes: {json.dumps(choice.get('bands', []))})")


def concept_sample_cmd(
    out: Path = typer.Argument(Path("reports/linking/implied-judged.csv"), help="CSV to write, or to read back judged"),
    per_band: int = typer.Option(20, help="Implied concepts drawn per set and score band"),
    seed: int = typer.Option(25, help="Random seed of the draw"),
    target: float = typer.Option(0.5, help="Judged precision the report names the lowest threshold for"),
    redraw: bool = typer.Option(False, help="Draw again from what extraction finds now, keeping the verdicts of "
                                            "rows still found (after a change to the encoder or the index)"),
    model: Path = typer.Option(Path("models/skillner-cpu"), help="Pipeline whose mentions are linked"),
) -> None:
    """Draw implied concepts of dotin dev resumes and the team's dev resumes, per score band, for
    a person to judge (reports/linking/README.md gives the criterion); once judged, write their
    precision per threshold, and the lowest reaching --target, to OUT's .json."""
    import pandas as pd

    from skillner.annotate.convert import read_docbin
    from skillner.measure.esco_linking import implied_sample, judged_implied
    from skillner.pipeline.model import load_model
    from skillner.taxonomy.documents import DocumentLinker

    documents = DocumentLinker.load()
    if documents is None:
        fail("no ESCO skill index for the skill encoder: run `skillner concept-index` (`make concept-index`)")
    previous = pd.read_csv(out, dtype={"verdict": str, "note": str}, keep_default_na=False) if out.exists() else None
    if previous is not None and not redraw:
        report = judged_implied(previous, target)
        out.with_suffix(".json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
        typer.echo(json.dumps(report))
        return
    paths = {"dotin-dev": Path("build/data/dev.spacy"), "team-dev": Path("build/data/team-dev.spacy")}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        fail(f"no {', '.join(missing)}: run `make data build/data/team-dev.spacy`")
    sets = {name: [d.text for d in read_docbin(path)] for name, path in paths.items()}
    sample = implied_sample(sets, documents, load_model(model), _linker_with_embeddings_or_aliases(), per_band, seed,
                            previous)
    out.parent.mkdir(parents=True, exist_ok=True)
    sample.to_csv(out, index=False)
    typer.echo(f"{len(sample)} implied concepts -> {out}, {int((sample['verdict'] == '').sum())} to judge; fill "
               "`verdict` (right/wrong) and run again")


def _linker_with_embeddings_or_aliases():
    from skillner.taxonomy.linking import Linker

    return Linker.load(link_settings_from("auto", None, 0))


def _linker_with_embeddings(threshold: Optional[float] = None):
    from skillner.taxonomy.linking import Linker, LinkIndexError

    try:
        return Linker.load(link_settings_from("embeddings", threshold, 0))
    except LinkIndexError as err:
        fail(str(err))


def link_sample_cmd(
    out: Path = typer.Argument(..., help="CSV to write (reports/linking/judged-<split>.csv)"),
    split: str = typer.Option("test", help="Split whose gold spans are drawn"),
    n: int = typer.Option(160, help="Spans to draw"),
    seed: int = typer.Option(14, help="Random seed of the draw"),
    data: Path = typer.Option(Path("build/data"), help="Folder of <split>.spacy"),
) -> None:
    """Draw gold skill spans with their top link for a person to judge; if OUT exists, link its
    spans again and keep each verdict whose concept did not change."""
    from skillner.annotate.convert import read_docbin
    from skillner.measure.link_evaluation import judging_sample

    previous = _read_sample(out) if out.exists() else None
    docs = read_docbin(data / f"{split}.spacy")
    sample = judging_sample(docs, split, _linker_with_embeddings(), n, seed, previous)
    out.parent.mkdir(parents=True, exist_ok=True)
    sample.to_csv(out, index=False)
    typer.echo(f"{len(sample)} spans -> {out}; {int((sample['verdict'] == '').sum())} to judge")


def link_report_cmd(
    dev_sample: Path = typer.Option(Path("reports/linking/judged-dev.csv"), help="Judged dev sample: the threshold is chosen here"),
    test_sample: Path = typer.Option(Path("reports/linking/judged-test.csv"), help="Judged test sample: reported"),
    test: Path = typer.Option(Path("build/data/test.spacy"), help="Test split: the share of gold spans linked"),
    target: float = typer.Option(0.85, help="Precision the threshold must reach on dev"),
    out: Path = typer.Option(Path("reports/linking/judged.json"), help="JSON report"),
) -> None:
    """Precision and coverage of the judged links by threshold: the threshold chosen on dev, and
    what it gives on the judged test sample and on every test gold span."""
    from skillner.annotate.convert import read_docbin
    from skillner.measure.link_evaluation import choose_judged_threshold, coverage, judged_table
    from skillner.taxonomy.linking import Linker
    from skillner.taxonomy.vocabulary import ConceptIndex

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
