"""A document's ESCO / O*NET concepts, named or implied, ranked, each traced to its evidence.

The mentions the NER marks get their concepts one by one (`linking.Linker`); a resume also says
what its author can do in statements that name no skill ("Reconciled vendor statements and
posted journal entries"). Here every statement (a line, a bullet, a sentence) and every mention
without an alias concept is embedded by the encoder fine-tuned for skills
(`skillner.train.encoder`) and ranked against ESCO's skills (`SkillIndex`: each skill's preferred
and alternative labels, 99,190 vectors), and the evidence is merged per concept:

- `alias`: a mention's concept from the alias table (score 1);
- `embedding`: a mention's nearest ESCO skill (cosine with its best label, times `mention_weight`);
- `implied`: a statement's nearest ESCO skills (cosine with their best labels), kept from
  `implied_threshold` up.

A concept's score is its best evidence's, plus `agreement_bonus` when a mention and a statement
both support it; `confidence` maps the score of its method to the precision measured on the
esco-linking validation sentences (`calibration`), so it reads as "how often a concept scored so
is right". Every threshold and weight is chosen there (`measure.esco_linking`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from skillner.taxonomy.encoder import SHIPPED_TUNED, TUNED_FILE, Embedder, index_root, nearest_concepts
from skillner.taxonomy.skills import DEFAULT_SKILLS, load_skills, skill_labels

CONCEPT_INDEX_ROOT = index_root()  # build/linking (or the user cache): one folder per encoder
CALIBRATION = Path(__file__).resolve().parent / "data" / "concept_calibration.json"


# --- statements ---------------------------------------------------------------------------
# A statement ends at a line break, at a bullet, or after a sentence's full stop; short pieces
# ("Skills", "2019 - 2021") say nothing a skill could be read from.
_BREAKS = re.compile(r"\n|[•●▪■◦‣⁃∙·]|(?<=[a-z0-9)][.;!?])\s+(?=[A-Z(])|\s{3,}|\t")
_WORD = re.compile(r"[^\W\d_]{2,}")
# A statement says what someone did in running words: at least two lower-case words of three
# letters or more. Names, addresses, headings and "Title, Employer, City, 2019 - 2021" lines
# have none or one, and e-mail addresses and links none at all (judged: 27 of 50 wrong implied
# skills on the team's dev resumes came from such lines).
_RUNNING_WORD = re.compile(r"(?<![\w@.])[a-z][a-z'-]{2,}")
_CONTACT = re.compile(r"@|://|www\.")
MIN_WORDS = 3
MAX_CHARS = 300


def says_something(piece: str) -> bool:
    return len(_RUNNING_WORD.findall(piece)) >= 2 and not _CONTACT.search(piece)


def statements(text: str) -> list[tuple[int, int]]:
    """(start, end) of every statement (MIN_WORDS words or more that `says_something`), cut at
    MAX_CHARS; a text that holds none ("Java, SQL, AWS", a query) is itself the statement."""
    spans, start = [], 0
    for cut in [*_BREAKS.finditer(text), None]:
        end = cut.start() if cut else len(text)
        piece = text[start:end]
        left = len(piece) - len(piece.lstrip(" -–*>:"))
        right = len(piece.rstrip(" ,;:-–"))
        if right > left and len(_WORD.findall(piece)) >= MIN_WORDS and says_something(piece):
            spans.append((start + left, start + min(right, left + MAX_CHARS)))
        start = cut.end() if cut else len(text)
    if not spans and _WORD.search(text) and not _CONTACT.search(text):
        left, right = len(text) - len(text.lstrip()), len(text.rstrip())
        spans.append((left, min(right, left + MAX_CHARS)))
    return spans


# --- the ESCO skill index -----------------------------------------------------------------------
def _file_hash(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# An alternative label's cosine counts this much of a preferred label's: ESCO's alternatives
# ("JS", "manage a team") let a mention or statement find its skill, yet a near tie should go to
# the skill the words name first (validation: span R@5 0.78 -> 0.86 TECH, 0.77 -> 0.81 HOUSE).
ALTERNATIVE_WEIGHT = 0.97
NEAREST_LABELS = 200  # a query's concepts are ranked from this many nearest labels


@dataclass
class SkillIndex:
    """ESCO skills by their preferred and alternative labels (99,190), embedded by one encoder:
    row for row a label's concept, that concept's preferred label, and whether it is the one."""

    concept_ids: np.ndarray
    labels: np.ndarray
    vectors: np.ndarray  # float32, unit length
    preferred: np.ndarray | None = None  # bool; None: every row is a preferred label

    @classmethod
    def build(cls, embedder: Embedder, skills_path: Path = DEFAULT_SKILLS) -> SkillIndex:
        rows = skill_labels(load_skills(skills_path))
        return cls(rows["concept_id"].to_numpy(), rows["preferred_label"].to_numpy(),
                   embedder.encode(rows["text"].tolist()), rows["preferred"].to_numpy())

    @staticmethod
    def folder_for(encoder: str, root: Path = CONCEPT_INDEX_ROOT) -> Path:
        """One index per encoder: the folder name carries its name (and tuned layers' hash)."""
        return Path(root) / ("skills-" + encoder.replace(":", "-").replace("+", "-"))

    def save(self, folder: Path, embedder_name: str, seconds: float, skills_path: Path = DEFAULT_SKILLS) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "vectors.npy", self.vectors.astype(np.float16))
        pd.DataFrame({"concept_id": self.concept_ids, "preferred_label": self.labels, "preferred": self._preferred()}).to_csv(
            folder / "labels.csv.gz", index=False)
        (folder / "meta.json").write_text(json.dumps({
            "encoder": embedder_name, "labels": len(self.concept_ids), "skills": len(set(self.concept_ids)),
            "dimensions": int(self.vectors.shape[1]), "skills_sha256": _file_hash(skills_path),
            "build_seconds": round(seconds, 1), "bytes": (folder / "vectors.npy").stat().st_size}, indent=1) + "\n")
        return folder

    @classmethod
    def load(cls, folder: Path, embedder_name: str, skills_path: Path = DEFAULT_SKILLS) -> SkillIndex | None:
        """The index in `folder`, or None when there is none for this encoder and skill table."""
        meta_path = Path(folder) / "meta.json"
        if not meta_path.is_file() or not (Path(folder) / "labels.csv.gz").is_file():
            return None
        meta = json.loads(meta_path.read_text())
        if meta["encoder"] != embedder_name or meta["skills_sha256"] != _file_hash(skills_path):
            return None
        rows = pd.read_csv(Path(folder) / "labels.csv.gz", dtype={"concept_id": str, "preferred_label": str},
                           keep_default_na=False)
        return cls(rows["concept_id"].to_numpy(), rows["preferred_label"].to_numpy(),
                   np.load(Path(folder) / "vectors.npy").astype(np.float32), rows["preferred"].to_numpy(dtype=bool))

    def _preferred(self) -> np.ndarray:
        return np.ones(len(self.concept_ids), dtype=bool) if self.preferred is None else self.preferred

    def nearest(self, queries: np.ndarray, k: int, chunk: int = 256) -> list[list[tuple[int, float]]]:
        """Per query, its `k` nearest skills as (row of their best label, score), best first;
        the score is the label's cosine, times ALTERNATIVE_WEIGHT for an alternative label."""
        weights = np.where(self._preferred(), 1.0, ALTERNATIVE_WEIGHT).astype(np.float32)
        return nearest_concepts(queries, self.vectors, self.concept_ids, k, NEAREST_LABELS, weights, chunk)


# --- merging the evidence --------------------------------------------------------------------
@dataclass(frozen=True)
class ConceptSettings:
    """What a document's concepts are made of; chosen on the esco-linking validation splits."""

    implied_threshold: float = 0.5
    mention_threshold: float = 0.4
    # a mention's embedding neighbours count this much of their cosine: a short span is matched
    # by many labels, a statement's nearest skills by fewer but better ones
    mention_weight: float = 0.8
    per_statement: int = 5
    per_mention: int = 1
    agreement_bonus: float = 0.05
    max_concepts: int = 50


@dataclass
class Calibration:
    """Per method, the precision measured at each score (isotonic), and the implied threshold
    chosen with it (`skillner link-eval --task esco --calibrate` writes both)."""

    points: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    implied_threshold: float | None = None
    encoder: str | None = None

    @classmethod
    def load(cls, path: Path = CALIBRATION) -> Calibration:
        if not Path(path).is_file():
            return cls()
        saved = json.loads(Path(path).read_text())
        return cls({method: [tuple(p) for p in points] for method, points in saved["points"].items()},
                   saved.get("implied_threshold"), saved.get("encoder"))

    def confidence(self, method: str, score: float) -> float | None:
        points = self.points.get(method)
        if not points:
            return None
        xs, ys = zip(*points)
        return round(float(np.interp(score, xs, ys)), 4)


class DocumentLinker:
    """Text and its linked mentions -> the document's concepts (see the module docstring)."""

    def __init__(self, index: SkillIndex, embedder: Embedder, settings: ConceptSettings = ConceptSettings(),
                 calibration: Calibration | None = None):
        self.index, self.embedder, self.settings = index, embedder, settings
        self.calibration = Calibration.load() if calibration is None else calibration

    @classmethod
    def load(cls, settings: ConceptSettings | None = None, root: Path = CONCEPT_INDEX_ROOT,
             build: bool = False, log=None, implied_threshold: float | None = None) -> DocumentLinker | None:
        """The tuned encoder (the base one if the package ships none) and its index; None when
        the index is not built and `build` is false. Without `settings`, the implied threshold
        is `implied_threshold`, else the calibrated one where it was calibrated for this encoder."""
        import time

        tuned = SHIPPED_TUNED if (SHIPPED_TUNED / TUNED_FILE).is_file() else None
        name = Embedder.name_for(tuned)
        folder = SkillIndex.folder_for(name, root)
        index = SkillIndex.load(folder, name)
        if index is None and not build:
            return None  # checked before the encoder is loaded: a process without the index pays nothing
        embedder = Embedder(tuned=tuned)
        calibration = Calibration.load()
        if calibration.encoder != name:
            calibration = Calibration()  # measured for another encoder: its numbers do not hold here
        if settings is None:
            chosen = implied_threshold if implied_threshold is not None else calibration.implied_threshold
            settings = ConceptSettings(**({"implied_threshold": chosen} if chosen is not None else {}))
        if index is None:
            started = time.time()
            index = SkillIndex.build(embedder)
            index.save(folder, embedder.name, time.time() - started)
            if log:
                log(f"ESCO skill index for {embedder.name}: {len(index.labels):,} labels of {len(set(index.concept_ids)):,} skills in {time.time() - started:.0f} s -> {folder}")
        return cls(index, embedder, settings, calibration)

    @property
    def method(self) -> dict:
        """How the concepts were found, for the output's `concepts_by` field."""
        return {"encoder": self.embedder.name, "skills": len(set(self.index.concept_ids)),
                "implied_threshold": self.settings.implied_threshold}

    def candidates(self, texts: Sequence[str], mentions: Sequence[Sequence[dict]]) -> list[list[dict]]:
        """Per document, every piece of evidence: (concept, method, score, start, end)."""
        s = self.settings
        queries: dict[str, None] = {}
        spans_per_doc = [statements(text) for text in texts]
        for text, spans, found in zip(texts, spans_per_doc, mentions):
            queries.update((text[a:b], None) for a, b in spans)
            queries.update((m["text"], None) for m in found if not _alias(m))
        order = list(queries)
        near = dict(zip(order, self.index.nearest(self.embedder.encode(order), max(s.per_statement, s.per_mention))
                        if order else []))
        out = []
        for text, spans, found in zip(texts, spans_per_doc, mentions):
            evidence = []
            for m in found:
                concept = _alias(m)
                if concept:
                    evidence.append({**_concept_fields(concept), "method": "alias", "score": 1.0,
                                     "start": m["start"], "end": m["end"], "text": m["text"]})
                    continue
                for row, score in near[m["text"]][:s.per_mention]:
                    if score >= s.mention_threshold:
                        evidence.append({**self._skill(row), "method": "embedding", "score": score * s.mention_weight,
                                         "start": m["start"], "end": m["end"], "text": m["text"]})
            for a, b in spans:
                for row, score in near[text[a:b]][:s.per_statement]:
                    if score >= s.implied_threshold:
                        evidence.append({**self._skill(row), "method": "implied", "score": score,
                                         "start": a, "end": b, "text": text[a:b]})
            out.append(evidence)
        return out

    def _skill(self, row: int) -> dict:
        return {"concept_id": str(self.index.concept_ids[row]), "preferred_label": str(self.index.labels[row]), "source": "esco"}

    def concepts(self, texts: Sequence[str], mentions: Sequence[Sequence[dict]]) -> list[list[dict]]:
        """Per document, its concepts best first, each with its evidence."""
        return [self.merge(evidence) for evidence in self.candidates(texts, mentions)]

    def merge(self, evidence: list[dict]) -> list[dict]:
        grouped: dict[str, list[dict]] = {}
        for item in evidence:
            grouped.setdefault(item["concept_id"], []).append(item)
        concepts = []
        for concept_id, items in grouped.items():
            best = max(items, key=lambda e: (e["score"], METHOD_ORDER[e["method"]]))
            methods = {e["method"] for e in items}
            agree = "implied" in methods and len(methods) > 1
            score = min(1.0, best["score"] + (self.settings.agreement_bonus if agree else 0.0))
            spans = sorted({(e["start"], e["end"], e["method"]) for e in items})
            concepts.append({"concept_id": concept_id, "preferred_label": best["preferred_label"],
                             "source": best["source"], "score": round(score, 4),
                             "confidence": self.calibration.confidence(best["method"], score),
                             "method": best["method"],
                             "evidence": [{"start": a, "end": b, "method": m} for a, b, m in spans]})
        concepts.sort(key=lambda c: (-c["score"], c["preferred_label"]))
        return concepts[:self.settings.max_concepts]


METHOD_ORDER = {"alias": 2, "embedding": 1, "implied": 0}  # on a tie, the most direct evidence names the method


def _alias(mention: dict) -> dict | None:
    concept = mention.get("normalised")
    return concept if concept and concept.get("method", "alias") == "alias" else None


def _concept_fields(concept: dict) -> dict:
    return {"concept_id": concept["concept_id"], "preferred_label": concept["preferred_label"], "source": concept["source"]}
