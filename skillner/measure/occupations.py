"""Skills of every occupation: a model scored per O*NET job family on the team-written dev set.

`corpus/team/dev` holds 103 resumes of 23 job families, labelled by hand by the team's rules
(docs/annotation-guidelines.md) and never trained on; their occupations are not those of the
team's training resumes (`corpus/team/raw`). Per family this reports untyped strict and
partial precision / recall / F, the share of listed skills found (`measure.listed`), and
recall of gold spans whose text no training label showed (`unseen`: the skills of occupations
the labels never met). Team-written data: every figure is reported apart from dotin's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from spacy.language import Language

from skillner import REPO_ROOT
from skillner.annotate.matching import match
from skillner.annotate.team import team_records
from skillner.measure.evaluate import labelled_strings, score, span_key
from skillner.measure.listed import listed_report
from skillner.pipeline.model import load_model

TEAM_DEV = REPO_ROOT / "corpus" / "team" / "dev"


def _prf(gold: Sequence[Sequence[tuple]], pred: Sequence[Sequence[tuple]]) -> dict:
    scores = score(gold, pred, n_bootstrap=0)["untyped"]
    return {boundary: {k: round(scores[boundary][k], 4) for k in ("p", "r", "f", "tp", "pred", "gold")}
            for boundary in ("strict", "partial")}


def occupation_report(model: Path | str | Language | None = None, folder: Path = TEAM_DEV,
                      train: Sequence[Path] = ()) -> dict:
    """Scores per job family (and overall) on the team-written resumes in `folder`; `train` are
    the data files whose labelled strings count as seen."""
    nlp = load_model(model)
    records, _ = team_records(Path(folder))
    if not records:
        raise ValueError(f"no team-written resumes in {folder}")
    docs = list(nlp.pipe(r["text"] for r in records))
    gold = [[(s["start"], s["end"], s["label"]) for s in r["spans"]] for r in records]
    pred = [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in docs]
    seen: set[str] = set()
    for path in train:
        seen |= labelled_strings(Path(path))
    families = sorted({r["meta"]["family"] for r in records})
    listed = listed_report((r["meta"]["family"], r["meta"]["id"], r["text"], [(s, e) for s, e, _ in p])
                           for r, p in zip(records, pred))

    def unseen_recall(indices: Sequence[int]) -> dict:
        wanted = [[g for g in gold[i] if span_key(records[i]["text"][g[0]:g[1]]) not in seen] for i in indices]
        total = sum(len(w) for w in wanted)
        hits = sum(match(w, pred[i], typed=False, partial=True).tp for w, i in zip(wanted, indices))
        return {"gold": total, "partial_recall": round(hits / total, 4) if total else None}

    def block(indices: Sequence[int], listed_group: dict) -> dict:
        return {"resumes": len(indices), **_prf([gold[i] for i in indices], [pred[i] for i in indices]),
                "listed_found": None if listed_group["share"] is None else round(listed_group["share"], 4),
                "listed_items": listed_group["items"], "unseen": unseen_recall(indices)}

    per_family = {family: block([i for i, r in enumerate(records) if r["meta"]["family"] == family],
                                listed["groups"][family]) for family in families}
    overall = block(range(len(records)), {"share": listed["share"], "items": listed["items"]})
    lowest = min((f["listed_found"], name) for name, f in per_family.items() if f["listed_found"] is not None)
    return {"model": str(model if not isinstance(model, Language) else nlp.meta.get("name")), "data": str(folder),
            "written_by": "skillner team", "occupations": len({r["meta"]["occupation"] for r in records}),
            "families": len(families), "train_strings": len(seen), "overall": overall, "per_family": per_family,
            "lowest_listed_family": {"family": lowest[1], "listed_found": lowest[0]},
            "most_missed_listed": listed["most_missed"][:15]}


def format_occupations(result: dict) -> str:
    """Plain-text table of `occupation_report`."""
    lines = [f"team-written dev resumes ({result['overall']['resumes']} resumes, {result['occupations']} occupations, "
             f"{result['families']} job families; untyped):",
             f"  {'job family':<46} {'n':>3} {'strict P':>8} {'R':>6} {'F':>6} {'partial P':>9} {'R':>6} "
             f"{'listed':>6} {'unseen R':>8}"]
    rows = [*result["per_family"].items(), ("all", result["overall"])]
    for name, r in rows:
        listed = "-" if r["listed_found"] is None else f"{r['listed_found']:.2f}"
        unseen = "-" if r["unseen"]["partial_recall"] is None else f"{r['unseen']['partial_recall']:.2f}"
        lines.append(f"  {name[:46]:<46} {r['resumes']:>3} {r['strict']['p']:>8.3f} {r['strict']['r']:>6.3f} "
                     f"{r['strict']['f']:>6.3f} {r['partial']['p']:>9.3f} {r['partial']['r']:>6.3f} {listed:>6} "
                     f"{unseen:>8}")
    return "\n".join(lines)


def occupation_card_lines(result: dict) -> list[str]:
    """Markdown lines for the model card: the per-family table."""
    lines = [f"**Every occupation (team-written dev set, {result['overall']['resumes']} resumes, "
             f"{result['occupations']} occupations, {result['families']} O\\*NET job families).** Written and labelled",
             "by the skillner team (`corpus/team/dev`, docs/annotation-guidelines.md), never trained on; its",
             "occupations are not those of the team's training resumes. Untyped; \"listed\" is the share of items",
             "under a Skills heading that a mention covers, \"unseen R\" the partial recall of gold spans whose text",
             "no training label showed.", "",
             "| job family | resumes | strict P | strict R | strict F | partial P | partial R | listed | unseen R |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, r in [*result["per_family"].items(), ("**all**", result["overall"])]:
        listed = "-" if r["listed_found"] is None else f"{r['listed_found']:.2f}"
        unseen = "-" if r["unseen"]["partial_recall"] is None else f"{r['unseen']['partial_recall']:.2f}"
        lines.append(f"| {name} | {r['resumes']} | {r['strict']['p']:.3f} | {r['strict']['r']:.3f} | "
                     f"{r['strict']['f']:.3f} | {r['partial']['p']:.3f} | {r['partial']['r']:.3f} | {listed} | {unseen} |")
    return lines
