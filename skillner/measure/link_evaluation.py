"""How well linking works, measured two ways. Held out (no hand labels): a share of ESCO's
alternative labels and O*NET's example names is left out of the index and linked with the
rest. Judged: gold skill spans of a split drawn at random, each with its top link, written to a
CSV whose `verdict` column a person fills in (reports/linking/README.md gives the criterion);
the threshold is chosen on the judged dev sample and reported on the judged test sample."""

from __future__ import annotations

import numpy as np
import pandas as pd

from skillner.taxonomy.encoder import Embedder
from skillner.taxonomy.linking import Linker, LinkIndex, query_text
from skillner.taxonomy.vocabulary import ConceptIndex, acronym_pairs, normalise_alias


# --- held-out taxonomy names: no hand labels ----------------------------------------------
def _heldout_items(rows: pd.DataFrame, share: float, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Held-out names and the rows to drop from the index with them. ESCO: a `share` of the
    alternative-label keys (a key left out of every concept that has it); the answer is any of
    those concepts. O*NET: a `share` of the example names (each its own concept, all its rows
    dropped); the answer is an O*NET concept of the same commodity (category)."""
    rng = np.random.default_rng(seed)
    keys = rows["alias"].map(normalise_alias)
    alternative = (rows["source"] == "esco") & (keys != rows["preferred_label"].map(normalise_alias))
    esco_keys = np.array(sorted(set(keys[alternative]) - set(keys[~alternative])))
    held_keys = set(esco_keys[rng.random(len(esco_keys)) < share])
    onet = rows.loc[rows["source"] == "onet", "concept_id"].drop_duplicates().to_numpy()
    held_onet = set(onet[rng.random(len(onet)) < share])
    drop = keys.isin(held_keys).to_numpy() | rows["concept_id"].isin(held_onet).to_numpy()
    items = []
    for key, group in rows[keys.isin(held_keys)].groupby(keys[keys.isin(held_keys)]):
        first = group.iloc[0]
        items.append({"text": first["alias"], "label": first["label"], "taxonomy": "esco", "row": int(group.index[0]),
                      "answers": sorted(set(group["concept_id"]))})
    for concept_id in sorted(held_onet):
        first = rows[rows["concept_id"] == concept_id].iloc[0]
        items.append({"text": first["alias"], "label": "TECH_TOOL", "taxonomy": "onet", "row": int(first.name),
                      "answers": ["commodity:" + concept_id.split(":")[1]]})
    return pd.DataFrame(items), drop


def _matches(concept_id: str, answers: list[str]) -> bool:
    if answers[0].startswith("commodity:"):
        return concept_id.startswith("onet:") and "commodity:" + concept_id.split(":")[1] == answers[0]
    return concept_id in answers


def heldout_evaluation(index: LinkIndex, embedder: Embedder | None = None, share: float = 0.2, seed: int = 0,
                       precision_target: float = 0.85) -> dict:
    """Link held-out taxonomy names with the rest of the index: accuracy@1 and @5 per taxonomy
    for aliases only, embeddings only and both (aliases first); then, for the embeddings, the
    lowest score threshold whose links on one half of the names reach `precision_target`,
    and what that threshold gives on the other half. With an embedder, names are asked as the
    Linker asks (`query_text`); without one, by their stored vectors."""
    items, drop = _heldout_items(index.rows, share, seed)
    kept = index.without(drop)
    aliases = ConceptIndex(kept.rows)
    queries = (embedder.encode([query_text(t, l) for t, l in zip(items["text"], items["label"])]) if embedder
               else index.vectors[items["row"].to_numpy()])
    near = kept.nearest(queries, k=5)
    records = []
    for item, candidates in zip(items.itertuples(index=False), near):
        alias = aliases.lookup(item.text, item.label)
        embedded = [(kept.rows["concept_id"].iat[row], score) for row, score in candidates]
        both = ([(alias["concept_id"], 1.0)] if alias else []) + [c for c in embedded if not alias or c[0] != alias["concept_id"]]
        records.append({"taxonomy": item.taxonomy, "text": item.text,
                        "alias_hit": bool(alias and _matches(alias["concept_id"], item.answers)), "alias_found": bool(alias),
                        "embedding_ranks": [_matches(c, item.answers) for c, _ in embedded],
                        "both_ranks": [_matches(c, item.answers) for c, _ in both[:5]],
                        "score": both[0][1] if both else 0.0, "both_top": both[0][0] if both else None})
    frame = pd.DataFrame(records)
    report = {"share": share, "seed": seed, "names": {t: int((frame["taxonomy"] == t).sum()) for t in ("esco", "onet")},
              "accuracy": {}}
    for taxonomy, group in frame.groupby("taxonomy"):
        report["accuracy"][taxonomy] = {
            "aliases": {"at1": round(group["alias_hit"].mean(), 4), "at5": round(group["alias_hit"].mean(), 4),
                        "linked": round(group["alias_found"].mean(), 4)},
            "embeddings": {"at1": round(group["embedding_ranks"].map(lambda r: bool(r[:1] and r[0])).mean(), 4),
                           "at5": round(group["embedding_ranks"].map(any).mean(), 4)},
            "both": {"at1": round(group["both_ranks"].map(lambda r: bool(r[:1] and r[0])).mean(), 4),
                     "at5": round(group["both_ranks"].map(any).mean(), 4)},
        }
    report["threshold"] = choose_threshold(frame, precision_target, seed)
    return report


def choose_threshold(frame: pd.DataFrame, precision_target: float, seed: int) -> dict:
    """The lowest score at which top links on half A are right `precision_target` of the time
    (the best precision's threshold if none is), and on half B: share linked, precision."""
    half = np.random.default_rng(seed + 1).random(len(frame)) < 0.5
    right = frame["both_ranks"].map(lambda r: bool(r[:1] and r[0])).to_numpy()
    score = frame["score"].to_numpy()

    def at(mask, threshold):
        linked = mask & (score >= threshold)
        return linked.sum() / max(mask.sum(), 1), right[linked].mean() if linked.any() else 0.0

    grid = np.round(np.arange(0.30, 1.001, 0.01), 2)
    precision_a = [at(half, t)[1] for t in grid]
    reaching = [t for t, p in zip(grid, precision_a) if p >= precision_target]
    threshold = float(reaching[0]) if reaching else float(grid[int(np.argmax(precision_a))])
    linked_b, precision_b = at(~half, threshold)
    linked_a, precision_at_a = at(half, threshold)
    return {"target_precision": precision_target, "threshold": threshold, "chosen_on": int(half.sum()),
            "reported_on": int((~half).sum()), "half_a": {"linked": round(float(linked_a), 4), "precision": round(float(precision_at_a), 4)},
            "half_b": {"linked": round(float(linked_b), 4), "precision": round(float(precision_b), 4)}}


# --- judged samples on resumes ----------------------------------------------------------------
SAMPLE_COLUMNS = ["split", "resume", "start", "end", "span", "label", "context", "concept", "concept_id", "method",
                  "score", "verdict", "note"]
CONTEXT_CHARS = 50


def gold_spans(docs: list, split: str) -> pd.DataFrame:
    """Every gold skill span of `docs`, with its resume's number, offsets and context."""
    rows = []
    for number, doc in enumerate(docs):
        for ent in doc.ents:
            context = doc.text[max(0, ent.start_char - CONTEXT_CHARS):ent.end_char + CONTEXT_CHARS].replace("\n", " ")
            rows.append({"split": split, "resume": number, "start": ent.start_char, "end": ent.end_char,
                         "span": ent.text, "label": ent.label_, "context": context})
    return pd.DataFrame(rows)


def top_links(spans: pd.DataFrame, docs: list, linker: Linker) -> pd.DataFrame:
    """`spans` with each one's top concept under `linker` (threshold as the linker has it)."""
    acronyms = {number: acronym_pairs(docs[number].text) for number in set(spans["resume"])}
    found = linker.link([(t, l, acronyms[r]) for t, l, r in zip(spans["span"], spans["label"], spans["resume"])])
    top = [links[0] if links else {} for links in found]
    return spans.assign(concept=[c.get("preferred_label", "") for c in top], concept_id=[c.get("concept_id", "") for c in top],
                        method=[c.get("method", "") for c in top], score=[c.get("score", np.nan) for c in top])


def judging_sample(docs: list, split: str, linker: Linker, n: int, seed: int,
                   previous: pd.DataFrame | None = None) -> pd.DataFrame:
    """`n` gold spans drawn at random (or `previous`'s spans), linked at threshold 0 so every span
    shows its top concept. A verdict in `previous` is kept where the span's concept is the same,
    so a ranker change asks a person to judge only the links it changed."""
    spans = (previous[["split", "resume", "start", "end", "span", "label", "context"]] if previous is not None
             else gold_spans(docs, split).sample(n, random_state=seed).reset_index(drop=True))
    linked = top_links(spans, docs, Linker(linker.concepts, linker.index, linker.embedder, 0.0, linker.attributes))
    linked["verdict"], linked["note"] = "", ""
    if previous is not None:
        same = previous["concept_id"].to_numpy() == linked["concept_id"].to_numpy()
        linked.loc[same, "verdict"] = previous.loc[same, "verdict"].fillna("").to_numpy()
        linked.loc[same, "note"] = previous.loc[same, "note"].fillna("").to_numpy()
    return linked[SAMPLE_COLUMNS]


THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)


def judged_table(sample: pd.DataFrame) -> dict:
    """Per method the share of right links, and per embedding threshold the share of spans
    linked and the precision of those links (alias links count at every threshold)."""
    judged = sample[sample["verdict"].isin(["right", "wrong"])]
    right = judged["verdict"] == "right"
    methods = {method: {"spans": int(len(group)), "right": round(float((group["verdict"] == "right").mean()), 4)}
               for method, group in judged.groupby("method")}
    by_threshold = []
    for threshold in THRESHOLDS:
        linked = (judged["method"] == "alias") | ((judged["method"] == "embedding") & (judged["score"] >= threshold))
        by_threshold.append({"threshold": threshold, "linked": round(float(linked.mean()), 4),
                             "precision": round(float(right[linked].mean()), 4) if linked.any() else None,
                             "links": int(linked.sum())})
    return {"spans": int(len(sample)), "judged": int(len(judged)), "unjudged": int(len(sample) - len(judged)),
            "methods": methods, "by_threshold": by_threshold}


def choose_judged_threshold(table: dict, target: float = 0.85) -> float:
    """The lowest threshold whose judged links reach `target` precision (the most precise one if none does)."""
    rows = [row for row in table["by_threshold"] if row["precision"] is not None]
    reaching = [row["threshold"] for row in rows if row["precision"] >= target]
    return reaching[0] if reaching else max(rows, key=lambda row: row["precision"])["threshold"]


def coverage(docs: list, split: str, linker: Linker) -> dict:
    """The share of a split's gold spans that get a concept, in all and per label, and by method."""
    linked = top_links(gold_spans(docs, split), docs, linker)
    has = linked["concept_id"] != ""
    return {"spans": int(len(linked)), "linked": round(float(has.mean()), 4),
            "by_label": {label: round(float(has[linked["label"] == label].mean()), 4) for label in sorted(set(linked["label"]))},
            "by_method": {method: int(count) for method, count in linked.loc[has, "method"].value_counts().items()}}
