"""Listed skills found: a check that needs no labels, for any folder of resumes.

Each resume's own Skills section (`pipeline.sections.listed_items`) lists what its author claims;
the share of those items that a predicted mention overlaps is a recall any user can measure on
their own resumes, per resume and per group (an occupation, a family, a folder). It says nothing
about precision: a model that marks every word scores 1.0, so it is reported beside a precision
figure (on labelled data, or judged by hand), never alone.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Sequence

from skillner.pipeline.sections import Item, listed_items, skill_core


def found_items(text: str, mentions: Sequence[tuple[int, int]]) -> tuple[list[tuple[Item, bool]], int]:
    """Every listed item of `text` that names a skill, with whether some mention (character
    bounds) overlaps it; and how many items were bare traits ("Dependable"), which are not scored:
    the guidelines say they are not skills."""
    result, traits = [], 0
    for item in listed_items(text):
        if skill_core(item.text) is None:
            traits += 1
            continue
        result.append((item, any(start < item.end and end > item.start for start, end in mentions)))
    return result, traits


def listed_report(resumes: Iterable[tuple[str, str, str, Sequence[tuple[int, int]]]]) -> dict:
    """Share of listed items found, overall, per group, and per resume; `resumes` yields
    (group, name, text, mention bounds). Resumes without a skills list are counted, not scored."""
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # items, found, resumes, without a list
    missed: dict[str, int] = defaultdict(int)
    rows, traits = [], 0
    for group, name, text, mentions in resumes:
        pairs, trait_items = found_items(text, mentions)
        traits += trait_items
        counts = groups[group]
        counts[2] += 1
        if not pairs:
            counts[3] += 1
        counts[0] += len(pairs)
        counts[1] += sum(found for _, found in pairs)
        for item, found in pairs:
            if not found:
                missed[item.text.casefold()] += 1
        rows.append({"resume": name, "group": group, "items": len(pairs), "found": sum(found for _, found in pairs)})
    items = sum(c[0] for c in groups.values())
    found = sum(c[1] for c in groups.values())
    return {
        "items": items, "found": found, "share": found / items if items else None,
        "resumes": sum(c[2] for c in groups.values()),
        "without_list": sum(c[3] for c in groups.values()), "traits_not_scored": traits,
        "groups": {name: {"items": c[0], "found": c[1], "share": c[1] / c[0] if c[0] else None,
                          "resumes": c[2], "without_list": c[3]} for name, c in sorted(groups.items())},
        "lowest_group": min((c[1] / c[0], name) for name, c in groups.items() if c[0])[1] if items else None,
        "most_missed": sorted(missed.items(), key=lambda kv: (-kv[1], kv[0]))[:25],
        "per_resume": rows,
    }


def format_listed(report: dict) -> str:
    """The report as a table: one row per group, then the total and the items missed most."""
    lines = [f"{'group':<48} {'resumes':>7} {'items':>6} {'found':>6} {'share':>6}"]
    for name, group in report["groups"].items():
        share = "-" if group["share"] is None else f"{group['share']:.2f}"
        lines.append(f"{name[:48]:<48} {group['resumes']:>7} {group['items']:>6} {group['found']:>6} {share:>6}")
    share = "-" if report["share"] is None else f"{report['share']:.2f}"
    lines.append(f"{'all':<48} {report['resumes']:>7} {report['items']:>6} {report['found']:>6} {share:>6}")
    if report["traits_not_scored"]:
        lines.append(f"{report['traits_not_scored']} listed bare trait(s) (\"Dependable\") are not scored")
    if report["without_list"]:
        lines.append(f"{report['without_list']} resume(s) have no skills list under a heading and are not scored")
    if report["most_missed"]:
        lines.append("missed most: " + ", ".join(f"{text} ({n})" for text, n in report["most_missed"][:12]))
    return "\n".join(lines)


SAMPLE_COLUMNS = ["group", "resume", "where", "text", "label", "context", "verdict", "note"]


def sample_mentions(resumes: Sequence[tuple[str, str, str, Sequence[tuple[int, int, str]]]], n: int,
                    seed: int = 0) -> list[dict]:
    """`n` predicted mentions drawn at random (half from skills lists, half from running text
    where both have enough), each with ±60 characters of context and an empty verdict for a
    person to fill in: `skill` or `not`. `resumes` yields (group, name, text, mentions)."""
    import random

    places: dict[str, list[dict]] = {"skills list": [], "running text": []}
    for group, name, text, mentions in resumes:
        items = listed_items(text)
        for start, end, label in mentions:
            where = "skills list" if any(i.start <= start < i.end for i in items) else "running text"
            context = text[max(0, start - 60):start] + "[[" + text[start:end] + "]]" + text[end:end + 60]
            places[where].append({"group": group, "resume": name, "where": where, "text": text[start:end],
                                  "label": label, "context": " ".join(context.split()), "verdict": "", "note": ""})
    rng = random.Random(seed)
    half = n // 2
    listed = rng.sample(places["skills list"], min(half, len(places["skills list"])))
    running = rng.sample(places["running text"], min(n - len(listed), len(places["running text"])))
    return listed + running


def judged_precision(rows: Iterable[dict]) -> dict:
    """Precision of judged mentions (verdict `skill` or `not`): overall, per place (skills list,
    running text) and per group; rows without a verdict are counted apart, never guessed."""
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    unjudged = 0
    for row in rows:
        verdict = (row.get("verdict") or "").strip().lower()
        if verdict not in {"skill", "not"}:
            unjudged += 1
            continue
        for key in (("all", "all"), ("places", row["where"]), ("groups", row["group"])):
            counts[key][0] += verdict == "skill"
            counts[key][1] += 1

    def scores(c: list[int]) -> dict:
        return {"judged": c[1], "skills": c[0], "precision": c[0] / c[1]}

    return {"unjudged": unjudged, "all": scores(counts["all", "all"]) if ("all", "all") in counts else None,
            **{part: {name: scores(c) for (kind, name), c in sorted(counts.items()) if kind == part}
               for part in ("places", "groups")}}


def format_judged(result: dict) -> str:
    """The judged precision as a table: overall, then by place, then by group."""
    def row(name: str, r: dict) -> str:
        return f"{name[:48]:<48} {r['skills']:>4}/{r['judged']:<4} precision {r['precision']:.3f}"

    lines = [row("all", result["all"])] if result["all"] else ["no judged mention"]
    for part, title in (("places", "by place"), ("groups", "by group")):
        if result[part]:
            lines += [title] + [row("  " + name, r) for name, r in result[part].items()]
    return "\n".join(lines + [f"unjudged: {result['unjudged']}"])
