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


def calibrate(table: pd.DataFrame) -> dict:
    """Per method, the isotonic (non-decreasing) precision of its concepts by score, on GRID."""
    from sklearn.isotonic import IsotonicRegression

    points = {}
    for method, group in table.groupby("method"):
        if group["score"].nunique() < 2:
            points[method] = [[1.0, round(float(group["right"].mean()), 4)]]
            continue
        fit = IsotonicRegression(y_min=0, y_max=1, increasing=True, out_of_bounds="clip").fit(group["score"], group["right"])
        points[method] = [[float(x), round(float(y), 4)] for x, y in zip(GRID, fit.predict(GRID))]
    return {"points": points, "fitted_on": {m: int(n) for m, n in table["method"].value_counts().items()}}


def implied_threshold(table: pd.DataFrame, target: float) -> dict:
    """The lowest score at which implied concepts reach `target` precision (against the gold
    skills, which are incomplete: a lower bound), with the precision and count at each."""
    implied = table[table["method"] == "implied"]
    rows = [{"threshold": float(t), "concepts": int((implied["score"] >= t).sum()),
             "precision": round(float(implied.loc[implied["score"] >= t, "right"].mean()), 4) if (implied["score"] >= t).any() else None}
            for t in GRID]
    reaching = [r["threshold"] for r in rows if r["precision"] is not None and r["precision"] >= target]
    return {"target": target, "threshold": reaching[0] if reaching else None, "by_threshold": rows}
