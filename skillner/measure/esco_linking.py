"""Linking measured on job-ad sentences labelled with ESCO skills (Decorte et al.'s TECH and
HOUSE validation splits, `corpus/esco-linking`), as the published results are:

- span -> ESCO: each labelled span alone, its ranked skills: accuracy@1, recall@5, MRR;
- sentence -> ESCO: each sentence's ranked skills against the set of its spans' labels: MRR,
  RP@K (hits in the top K over min(K, number of gold skills)) for K = 5, 10.

Rankers, side by side: `sentence` (the whole sentence's embedding against every skill: the
naive baseline), `pipeline` (skillner's document concepts: the NER's mentions, their aliases
and embeddings, and the statement's implied skills), each with the base and the fine-tuned
encoder; and held-out ESCO skills (their alternative labels and descriptions, whose pairs the
fine-tuning never saw) ranked among all skills."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from skillner import REPO_ROOT
from skillner.taxonomy.documents import DocumentLinker, SkillIndex
from skillner.taxonomy.skills import load_skills
from skillner.taxonomy.vocabulary import acronym_pairs

SETS = {"tech": REPO_ROOT / "corpus" / "esco-linking" / "tech_validation_annotations.csv",
        "house": REPO_ROOT / "corpus" / "esco-linking" / "house_validation_annotations.csv"}
NO_LABEL = ("LABEL NOT PRESENT", "UNDERSPECIFIED")


def read_set(path: Path) -> tuple[list[str], list[set[str]], pd.DataFrame]:
    """Sentences with at least one ESCO label, their gold skill ids, and the labelled spans
    (`span`, `concept_id`, one row per distinct sentence, span and label)."""
    ids = dict(zip(load_skills()["preferred_label"], load_skills()["concept_id"]))
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    rows = rows[~rows["label"].isin(NO_LABEL)]
    unknown = sorted(set(rows["label"]) - set(ids))
    if unknown:
        raise ValueError(f"{path}: labels that are not ESCO v1.1.1 preferred labels: {unknown[:5]}")
    rows = rows.assign(concept_id=rows["label"].map(ids))
    gold = rows.groupby("sentence", sort=False)["concept_id"].apply(set)
    spans = rows.drop_duplicates(["sentence", "span", "concept_id"]).reset_index(drop=True)
    return gold.index.tolist(), gold.tolist(), spans[["sentence", "span", "concept_id"]]


def ranking_metrics(ranked: list[list[str]], gold: list[set[str]]) -> dict:
    """MRR and RP@5 / RP@10 of rankings against gold sets (a ranking may be shorter than 10)."""
    def reciprocal(r, g):
        return next((1 / (i + 1) for i, c in enumerate(r) if c in g), 0.0)

    def rp(r, g, k):
        return len(set(r[:k]) & g) / min(k, len(g))

    return {"n": len(gold), "mrr": round(float(np.mean([reciprocal(r, g) for r, g in zip(ranked, gold)])), 4),
            "rp5": round(float(np.mean([rp(r, g, 5) for r, g in zip(ranked, gold)])), 4),
            "rp10": round(float(np.mean([rp(r, g, 10) for r, g in zip(ranked, gold)])), 4),
            "none": round(float(np.mean([not r for r in ranked])), 4)}


def span_metrics(ranked: list[list[str]], gold: list[str]) -> dict:
    def reciprocal(r, g):
        return next((1 / (i + 1) for i, c in enumerate(r) if c == g), 0.0)

    return {"n": len(gold), "acc1": round(float(np.mean([bool(r) and r[0] == g for r, g in zip(ranked, gold)])), 4),
            "r5": round(float(np.mean([g in r[:5] for r, g in zip(ranked, gold)])), 4),
            "mrr": round(float(np.mean([reciprocal(r, g) for r, g in zip(ranked, gold)])), 4)}


def rank_by_embedding(index: SkillIndex, embedder, texts: list[str], k: int = 10) -> list[list[str]]:
    return [[str(index.concept_ids[row]) for row, _ in near] for near in index.nearest(embedder.encode(texts), k)]


def linked_mentions(nlp, texts: list[str], linker) -> list[list[dict]]:
    """Each text's NER mentions with their best concept, as extraction gives them to the
    document linker (`extract.mentions` builds the same from the same call)."""
    docs = list(nlp.pipe(texts))
    queries = [(ent.text, ent.label_, acronym_pairs(doc.text)) for doc in docs for ent in doc.ents]
    links = iter(linker.link(queries))
    return [[{"text": ent.text, "label": ent.label_, "start": ent.start_char, "end": ent.end_char,
              "normalised": next(iter(next(links)), None)} for ent in doc.ents] for doc in docs]


def pipeline_rankings(documents: DocumentLinker, nlp, sentences: list[str], linker, k: int = 10) -> list[list[str]]:
    """ESCO concepts of each sentence as skillner's extraction gives them (its thresholds)."""
    concepts = documents.concepts(sentences, linked_mentions(nlp, sentences, linker))
    return [[c["concept_id"] for c in found if c["source"] == "esco"][:k] for found in concepts]


def heldout_metrics(index: SkillIndex, embedder, heldout: set[str], limit: int = 300, seed: int = 0) -> dict:
    """Held-out ESCO skills' alternative labels and descriptions ranked among all skills."""
    skills = load_skills()
    held = skills[skills["concept_id"].isin(heldout)].sample(frac=1, random_state=seed).head(limit)
    out = {}
    alternatives = [(a, c) for c, alts in zip(held["concept_id"], held["alt_labels"]) for a in alts.split("\n")[:1] if a]
    for name, pairs in (("alternative_label", alternatives),
                        ("description", [(d, c) for d, c in zip(held["description"], held["concept_id"]) if d])):
        texts, gold = zip(*pairs)
        out[name] = span_metrics(rank_by_embedding(index, embedder, list(texts)), list(gold))
    return out


def evaluate(encoders: dict[str, tuple], nlp=None, linker=None, heldout: set[str] | None = None,
             sets: dict[str, Path] = SETS) -> dict:
    """`encoders`: name -> (Embedder, SkillIndex, DocumentLinker or None). Every ranker on
    every set; the pipeline needs `nlp` and `linker` (the mention linker)."""
    report = {"sets": {}, "encoders": {name: embedder.name for name, (embedder, _, _) in encoders.items()}}
    loaded = {name: read_set(path) for name, path in sets.items()}
    for set_name, (sentences, gold, spans) in loaded.items():
        rows = report["sets"][set_name] = {"sentences": len(sentences), "spans": len(spans)}
        for enc_name, (embedder, index, documents) in encoders.items():
            started = time.time()
            rows[f"span/{enc_name}"] = span_metrics(rank_by_embedding(index, embedder, spans["span"].tolist()),
                                                    spans["concept_id"].tolist())
            rows[f"sentence/{enc_name}"] = ranking_metrics(rank_by_embedding(index, embedder, sentences), gold)
            if documents is not None and nlp is not None:
                rows[f"pipeline/{enc_name}"] = ranking_metrics(pipeline_rankings(documents, nlp, sentences, linker), gold)
            rows[f"seconds/{enc_name}"] = round(time.time() - started, 1)
    if heldout:
        report["heldout"] = {name: heldout_metrics(index, embedder, heldout) for name, (embedder, index, _) in encoders.items()}
    return report


# --- calibration and the implied threshold ---------------------------------------------------
GRID = np.round(np.arange(0.30, 1.001, 0.05), 2)


def evidence_table(documents: DocumentLinker, nlp, linker, sets: dict[str, Path] = SETS) -> pd.DataFrame:
    """Every (sentence, concept, method) the document linker finds with its thresholds at 0: the
    best score and whether the concept is among the sentence's gold skills."""
    from dataclasses import replace

    loose = DocumentLinker(documents.index, documents.embedder,
                           replace(documents.settings, implied_threshold=0.0, mention_threshold=0.0), documents.calibration)
    rows = []
    for set_name, path in sets.items():
        sentences, gold, _ = read_set(path)
        for number, (evidence, wanted) in enumerate(zip(loose.candidates(sentences, linked_mentions(nlp, sentences, linker)), gold)):
            best: dict[tuple[str, str], float] = {}
            for item in evidence:
                key = (item["concept_id"], item["method"])
                best[key] = max(best.get(key, 0.0), item["score"])
            rows.extend({"set": set_name, "sentence": number, "concept_id": c, "method": m, "score": s, "right": c in wanted}
                        for (c, m), s in best.items())
    return pd.DataFrame(rows)


def isotonic_points(scores, right) -> list[list[float]]:
    """The isotonic (non-decreasing) precision of right/wrong outcomes by score, on GRID."""
    from sklearn.isotonic import IsotonicRegression

    fit = IsotonicRegression(y_min=0, y_max=1, increasing=True, out_of_bounds="clip").fit(scores, right)
    return [[float(x), round(float(y), 4)] for x, y in zip(GRID, fit.predict(GRID))]


def calibrate(table: pd.DataFrame, judged: pd.DataFrame, alias_precision: float) -> dict:
    """Per method, precision by score, each from the best evidence there is for it: implied
    concepts from their judged sample on resumes (`judged`: score, verdict), a mention's
    embedding neighbours from the validation sentences' gold (`table`: a labelled span's
    skill is its gold, so this gold is complete enough), alias links from the judged links."""
    implied = judged[judged["verdict"].isin(["right", "wrong"])]
    embedding = table[table["method"] == "embedding"]
    return {"points": {"alias": [[1.0, round(alias_precision, 4)]],
                       "embedding": isotonic_points(embedding["score"], embedding["right"]),
                       "implied": isotonic_points(implied["score"], implied["verdict"] == "right")},
            "fitted_on": {"alias": "reports/linking/judged.json (dev alias links)",
                          "embedding": f"{len(embedding)} mention neighbours of the esco-linking validation sentences",
                          "implied": f"{len(implied)} judged implied concepts (reports/linking/implied-judged.csv)"}}


def by_floor(documents: DocumentLinker, nlp, linker, floors=(0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6),
             sets: dict[str, Path] = SETS) -> list[dict]:
    """The pipeline's sentence -> ESCO ranking for each implied threshold: what a higher one
    (fewer, more precise implied skills) costs the ranking."""
    from dataclasses import replace

    loaded = {name: read_set(path) for name, path in sets.items()}
    mentions = {name: linked_mentions(nlp, sentences, linker) for name, (sentences, _, _) in loaded.items()}
    rows = []
    for floor in floors:
        linker_at = DocumentLinker(documents.index, documents.embedder, replace(documents.settings, implied_threshold=floor),
                                   documents.calibration)
        row = {"floor": floor}
        for name, (sentences, gold, _) in loaded.items():
            found = linker_at.concepts(sentences, mentions[name])
            row[name] = ranking_metrics([[c["concept_id"] for c in f if c["source"] == "esco"][:10] for f in found], gold)
        rows.append(row)
    return rows


def precision_floor(judged: pd.DataFrame, min_precision: float = 0.3, step: float = 0.05) -> dict:
    """The implied threshold, chosen on judged implied concepts of dev resumes: the lowest
    score from which every `step`-wide band of judged concepts is right at least
    `min_precision` of the time (below it, implied skills are mostly noise)."""
    from skillner.taxonomy.documents import says_something

    judged = judged[judged["verdict"].isin(["right", "wrong"]) & judged["statement"].map(says_something)]
    band = (judged["score"] // step * step).round(2)
    table = judged.assign(band=band, right=judged["verdict"] == "right").groupby("band")["right"].agg(["sum", "size"])
    table["precision"] = (table["sum"] / table["size"]).round(4)
    edges = sorted(table.index)
    chosen = next((edge for edge in edges if (table.loc[table.index >= edge, "precision"] >= min_precision).all()), None)
    return {"min_precision": min_precision, "threshold": None if chosen is None else float(chosen),
            "bands": [{"band": float(b), "right": int(r["sum"]), "judged": int(r["size"]), "precision": float(r["precision"])}
                      for b, r in table.iterrows()]}


# --- implied skills judged on resumes ----------------------------------------------------------
IMPLIED_COLUMNS = ["set", "resume", "start", "end", "statement", "concept", "concept_id", "score", "band", "band_size",
                   "verdict", "note"]
BANDS = (0.3, 0.4, 0.5, 0.6, 1.01)


def implied_sample(named_docs: dict[str, list], documents: DocumentLinker, nlp, linker, per_band: int,
                   seed: int = 0, previous: pd.DataFrame | None = None) -> pd.DataFrame:
    """Implied concepts of resumes drawn at random for a person to judge: `per_band` per set
    (named lists of texts) and score band (BANDS), each row with its band's size, so precision
    from any threshold up can be weighted back to what extraction gives. A concept that a
    mention names too is not implied alone: left out. With `previous` (a judged sample), its
    rows that are still found come first with their verdicts, so a ranker change asks a person
    to judge only what it changed."""
    from dataclasses import replace

    loose = DocumentLinker(documents.index, documents.embedder, replace(documents.settings, implied_threshold=BANDS[0]),
                           documents.calibration)
    drawn = []
    for set_name, texts in named_docs.items():
        found = []
        for number, concepts in enumerate(loose.concepts(texts, linked_mentions(nlp, texts, linker))):
            for concept in concepts:
                if concept["method"] != "implied" or any(e["method"] != "implied" for e in concept["evidence"]):
                    continue
                first = concept["evidence"][0]
                found.append({"set": set_name, "resume": number, "start": first["start"], "end": first["end"],
                              "statement": texts[number][first["start"]:first["end"]], "concept": concept["preferred_label"],
                              "concept_id": concept["concept_id"], "score": concept["score"], "verdict": "", "note": ""})
        frame = pd.DataFrame(found)
        frame["band"] = pd.cut(frame["score"], BANDS, right=False, labels=[str(b) for b in BANDS[:-1]]).astype(str)
        frame["band_size"] = frame.groupby("band")["score"].transform("size")
        if previous is not None:
            key = ["set", "resume", "start", "end", "concept_id"]
            judged = previous[previous["verdict"].isin(["right", "wrong"])].drop_duplicates(key)
            frame = frame.drop(columns=["verdict", "note"]).merge(
                judged[key + ["verdict", "note"]].astype({"resume": int, "start": int, "end": int}), on=key, how="left")
            frame[["verdict", "note"]] = frame[["verdict", "note"]].fillna("")
        for _, band in frame.groupby("band"):
            shuffled = band.sample(frac=1, random_state=seed)
            drawn.append(shuffled.sort_values("verdict", ascending=False, kind="stable").head(per_band))
    return pd.concat(drawn, ignore_index=True)[IMPLIED_COLUMNS]


def judged_implied(sample: pd.DataFrame, target: float) -> dict:
    """Per set and band the judged precision, and per threshold (a band's lower edge) the
    precision of everything from it up, each band weighted by its size; the lowest threshold
    whose pooled precision reaches `target`. Rows whose statement extraction no longer reads
    (`documents.says_something`) are left out."""
    from skillner.taxonomy.documents import says_something

    judged = sample[sample["verdict"].isin(["right", "wrong"])].assign(right=lambda f: f["verdict"] == "right")
    # rows drawn before statements had to say something: those left count, and each band's size
    # shrinks by the share of its drawn rows that went
    kept = judged["statement"].map(says_something)
    share = kept.groupby([judged["set"], judged["band"]]).mean()
    judged = judged[kept]
    bands = judged.groupby(["set", "band"]).agg(judged=("right", "size"), precision=("right", "mean"),
                                                size=("band_size", "first")).reset_index()
    bands["size"] = [round(size * share[(s, b)]) for s, b, size in zip(bands["set"], bands["band"], bands["size"])]
    by_threshold = []
    for edge in BANDS[:-1]:
        up = bands[bands["band"].astype(float) >= edge]
        weight = up["size"].sum()
        pooled = float((up["precision"] * up["size"]).sum() / weight) if weight else None
        per_set = {name: round(float((g["precision"] * g["size"]).sum() / g["size"].sum()), 4)
                   for name, g in up.groupby("set")}
        by_threshold.append({"threshold": edge, "concepts": int(weight), "judged": int(up["judged"].sum()),
                             "precision": None if pooled is None else round(pooled, 4), "by_set": per_set})
    reaching = [row["threshold"] for row in by_threshold if row["precision"] is not None and row["precision"] >= target]
    return {"target": target, "judged": int(len(judged)), "unjudged": int(len(sample) - len(judged)),
            "threshold": reaching[0] if reaching else None, "by_threshold": by_threshold,
            "bands": bands.assign(precision=bands["precision"].round(4)).to_dict("records")}
