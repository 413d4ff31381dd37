"""Skills from resumes: each mention with offsets and its ESCO / O*NET concept, and the
distinct skills of a resume with counts. The output schema is documented in
docs/extract-schema.md; `SCHEMA_VERSION` changes whenever a field changes meaning."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from typing import Iterable, Sequence

from spacy.language import Language
from spacy.tokens import Doc

from skillner.pipeline.confidence import EXTENSION
from skillner.taxonomy.linking import Linker
from skillner.taxonomy.vocabulary import ConceptIndex, acronym_pairs, normalise_alias, split_acronym

SCHEMA_VERSION = "6"
TABLE_CONCEPTS = 25  # the table shows the best concepts; JSON has them all
MENTION_COLUMNS = ["file", "text", "label", "start", "end", "confidence", "preferred_label", "concept_id", "source",
                   "score", "method", "category"]


def extract_doc(doc: Doc, linker: Linker | ConceptIndex | None = None, min_confidence: float = 0.0,
                links: int = 0) -> dict:
    """`extract_docs` for one doc."""
    return extract_docs([doc], linker, min_confidence, links)[0]


def extract_docs(docs: Sequence[Doc], linker: Linker | ConceptIndex | None = None, min_confidence: float = 0.0,
                 links: int = 0) -> list[dict]:
    """Per doc, mentions in text order and distinct skills, most frequent first. A mention's
    `normalised` is its best concept (`Linker`: aliases, then embeddings; the docs' mentions are
    linked in one call), and with `links` K > 0 its `links` are its top K. Mentions are one skill
    when they share a concept (and, for a family concept, the member's name), or, without one,
    their `skill_key` text, whatever their labels: a skill's `label` is its most frequent one.
    Mentions below `min_confidence` are left out (one without a confidence too, unless it is 0)."""
    linker = Linker(linker) if isinstance(linker, ConceptIndex) else linker
    per_doc, queries = [], []
    for doc in docs:
        acronyms = acronym_pairs(doc.text)
        kept = []
        for ent in doc.ents:
            confidence = ent._.get(EXTENSION)  # registered by importing .confidence
            if min_confidence > 0 and (confidence is None or confidence < min_confidence):
                continue
            kept.append({"text": ent.text, "label": ent.label_, "start": ent.start_char, "end": ent.end_char,
                         "confidence": None if confidence is None else round(confidence, 4)})
            queries.append((ent.text, ent.label_, acronyms))
        per_doc.append((kept, acronyms))
    found = iter(linker.link(queries, k=max(links, 1)) if linker else [[] for _ in queries])
    results = []
    for mentions, acronyms in per_doc:
        for mention in mentions:
            concepts = next(found)
            mention["normalised"] = concepts[0] if concepts else None
            if links:
                mention["links"] = concepts
        keys = [skill_key(m["text"], m["normalised"], linker.concepts if linker else None, acronyms) for m in mentions]
        result = {"schema_version": SCHEMA_VERSION, "mentions": mentions, "skills": _skills(keys, mentions)}
        if linker:
            result["linking"] = linker.method
        results.append(result)
    if linker and linker.documents is not None:
        documents = linker.documents.concepts([doc.text for doc in docs], [m for m, _ in per_doc])
        for result, concepts in zip(results, documents):
            result["concepts"] = concepts
    return results


def _skills(keys: list[str], mentions: list[dict]) -> list[dict]:
    grouped: dict[str, list[dict]] = {}
    for key, mention in zip(keys, mentions):
        grouped.setdefault(key, []).append(mention)
    skills = []
    for key, group in sorted(grouped.items(), key=lambda kv: -len(kv[1])):  # stable: first seen first
        labels = Counter(mention["label"] for mention in group)
        confidences = [m["confidence"] for m in group if m["confidence"] is not None]
        skills.append({"text": group[0]["text"], "label": labels.most_common(1)[0][0], "labels": dict(labels.most_common()),
                       "count": len(group), "confidence": max(confidences, default=None),
                       "normalised": group[0]["normalised"], "key": key})
    return skills


# A text is parsed in segments of at most this many characters, cut at line breaks, and each
# `nlp.pipe` call takes at most BATCH_CHARS: the model's memory grows with the text in one call
# (four 400,000-character resumes in one batch took 5 GB), and no segment reaches spaCy's
# max_length, so any text a reader may return (`Limits.max_chars`) can be parsed.
SEGMENT_CHARS = 50_000
BATCH_CHARS = 100_000


def extract_texts(nlp: Language, texts: Iterable[str], linker: Linker | ConceptIndex | None = None,
                  batch_chars: int = BATCH_CHARS, segment_chars: int = SEGMENT_CHARS,
                  min_confidence: float = 0.0, links: int = 0) -> Iterable[dict]:
    """`extract_docs` over `nlp.pipe`, so many texts run at the pipeline's batch speed (and
    their mentions are linked in one call per batch); a long text is parsed in segments whose
    entities are merged back with their offsets."""
    for texts_batch in _batches(texts, batch_chars):
        pieces = [(i, piece) for i, text in enumerate(texts_batch) for piece in split_segments(text, segment_chars)]
        docs: list[list[Doc]] = [[] for _ in texts_batch]
        for piece_batch in _batches(pieces, batch_chars, size=lambda item: len(item[1])):
            for (i, _), doc in zip(piece_batch, nlp.pipe([p for _, p in piece_batch], batch_size=len(piece_batch))):
                docs[i].append(doc)
        # from_docs moves span extension values (the confidences) to the joined offsets
        joined = [parts[0] if len(parts) == 1 else Doc.from_docs(parts, ensure_whitespace=False) for parts in docs]
        yield from extract_docs(joined, linker, min_confidence, links)


def split_segments(text: str, limit: int = SEGMENT_CHARS) -> list[str]:
    """`text` in pieces of at most `limit` characters that join back to it, cut after a line
    break (a line longer than `limit` after a space, else anywhere)."""
    pieces, start = [], 0
    while len(text) - start > limit:
        end = start + limit
        cut = text.rfind("\n", start, end) + 1 or text.rfind(" ", start, end) + 1 or end
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


def _batches(items: Iterable, budget: int, size=len) -> Iterable[list]:
    """Consecutive items in lists whose sizes add up to at most `budget` (an item larger than
    the budget alone)."""
    batch, total = [], 0
    for item in items:
        if batch and total + size(item) > budget:
            yield batch
            batch, total = [], 0
        batch.append(item)
        total += size(item)
    if batch:
        yield batch


def skill_key(text: str, concept: dict | None, concepts: ConceptIndex | None = None,
              acronyms: dict[str, str] | None = None) -> str:
    """What makes two mentions one skill: the concept id (with "#name" for a member of a family
    concept: Scrum and Kanban stay apart), else "text:" and the normalised text, an acronym read
    as its expansion ("GitHub-Actions" -> "text:github action"; "QLT" in a resume that writes
    "Quantum Ledger Toolkit (QLT)" -> "text:quantum ledger toolkit")."""
    if concept:
        name = concept.get("name", concept["preferred_label"])
        return concept["concept_id"] + ("" if name == concept["preferred_label"] else f"#{name}")
    if concepts:
        return "text:" + concepts.text_key(text, acronyms)
    split = split_acronym(text)
    return "text:" + normalise_alias(split[0] if split else text)


def skill_name(skill: dict) -> str:
    """A skill's name for people: its concept's (or family member's) name, else as written."""
    concept = skill.get("normalised")
    return concept.get("name", concept["preferred_label"]) if concept else skill["text"]


def format_result(result: dict, output_format: str, text: str | None = None) -> str:
    """One resume's result as json (indented), jsonl (one line), csv (one row per mention) or
    table (distinct skills, then concepts, for a person to read; with `text`, each concept
    quotes its first piece of evidence instead of giving its offsets)."""
    if output_format == "json":
        return json.dumps(result, ensure_ascii=False, indent=1)
    if output_format == "jsonl":
        return json.dumps(result, ensure_ascii=False)
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, MENTION_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for mention in result["mentions"]:
            concept = mention["normalised"] or {}
            writer.writerow({"file": result.get("file", ""), **{k: mention[k] for k in ("text", "label", "start", "end", "confidence")},
                             **{k: concept.get(k, "") for k in MENTION_COLUMNS[6:]}})
        return buffer.getvalue().rstrip("\n")
    if output_format == "table":
        rows = [f"{'skill (as written)':<34}{'label':<11}{'count':>5} {'conf':>5}  normalised (source)"]
        for skill in result["skills"]:
            concept = skill["normalised"]
            how = "" if not concept or concept.get("method", "alias") == "alias" else f", ~{concept['score']:.2f}"
            normalised = f"{concept['preferred_label']} ({concept['source']}{how})" if concept else "-"
            confidence = "-" if skill["confidence"] is None else f"{skill['confidence']:.2f}"
            rows.append(f"{skill['text'][:33]:<34}{skill['label']:<11}{skill['count']:>5} {confidence:>5}  {normalised}")
        if result.get("concepts"):
            rows += ["", f"{'concept the resume supports':<44}{'source':<7}{'method':<10}{'score':>6} {'conf':>5}  evidence"]
            for concept in result["concepts"][:TABLE_CONCEPTS]:
                confidence = "-" if concept["confidence"] is None else f"{concept['confidence']:.2f}"
                more = len(concept["evidence"]) - 1
                first = next(e for e in concept["evidence"] if e["method"] == concept["method"])  # what scored it
                if text is not None:
                    quoted = " ".join(text[first["start"]:first["end"]].split())
                    where = f'"{quoted[:57]}..."' if len(quoted) > 60 else f'"{quoted}"'
                else:
                    where = f"chars {first['start']}-{first['end']}"
                rows.append(f"{concept['preferred_label'][:43]:<44}{concept['source']:<7}{concept['method']:<10}"
                            f"{concept['score']:>6.2f} {confidence:>5}  {where}{f' +{more}' if more > 0 else ''}")
        return "\n".join(rows)
    raise ValueError(f"unknown format {output_format!r}: use json, jsonl, csv or table")
