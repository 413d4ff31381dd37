"""Skills from resumes: each mention with offsets and its ESCO / O*NET concept, and the
distinct skills of a resume with counts. The output schema is documented in
docs/extract-schema.md; `SCHEMA_VERSION` changes whenever a field changes meaning."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from typing import Iterable

from spacy.language import Language
from spacy.tokens import Doc

from .vocabulary import ConceptIndex, normalise_alias

SCHEMA_VERSION = "2"
MENTION_COLUMNS = ["file", "text", "label", "start", "end", "preferred_label", "concept_id", "source"]


def extract_doc(doc: Doc, concepts: ConceptIndex | None = None) -> dict:
    """Mentions in text order and distinct skills (same concept, or same normalised text and
    label when there is no concept), most frequent first."""
    mentions = []
    for ent in doc.ents:
        concept = concepts.lookup(ent.text, ent.label_) if concepts else None
        mentions.append({"text": ent.text, "label": ent.label_, "start": ent.start_char, "end": ent.end_char,
                         "normalised": concept})
    tally: Counter = Counter()
    first: dict = {}
    for mention in mentions:
        key = (mention["normalised"]["concept_id"] if mention["normalised"]
               else (normalise_alias(mention["text"]), mention["label"]))
        tally[key] += 1
        first.setdefault(key, mention)
    skills = [{"text": first[key]["text"], "label": first[key]["label"], "count": count,
               "normalised": first[key]["normalised"]} for key, count in tally.most_common()]
    return {"schema_version": SCHEMA_VERSION, "mentions": mentions, "skills": skills}


def extract_texts(nlp: Language, texts: Iterable[str], concepts: ConceptIndex | None = None,
                  batch_size: int = 16) -> Iterable[dict]:
    """`extract_doc` over `nlp.pipe`, so many texts run at the pipeline's batch speed."""
    for doc in nlp.pipe(texts, batch_size=batch_size):
        yield extract_doc(doc, concepts)


def skill_name(skill: dict) -> str:
    return skill["normalised"]["preferred_label"] if skill.get("normalised") else skill["text"]


def format_result(result: dict, output_format: str) -> str:
    """One resume's result as json (indented), jsonl (one line), csv (one row per mention) or
    table (distinct skills for a person to read)."""
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
            writer.writerow({"file": result.get("file", ""), **{k: mention[k] for k in ("text", "label", "start", "end")},
                             **{k: concept.get(k, "") for k in ("preferred_label", "concept_id", "source")}})
        return buffer.getvalue().rstrip("\n")
    if output_format == "table":
        rows = [f"{'skill (as written)':<34}{'label':<11}{'count':>5}  normalised (source)"]
        for skill in result["skills"]:
            concept = skill["normalised"]
            normalised = f"{concept['preferred_label']} ({concept['source']})" if concept else "-"
            rows.append(f"{skill['text'][:33]:<34}{skill['label']:<11}{skill['count']:>5}  {normalised}")
        return "\n".join(rows)
    raise ValueError(f"unknown format {output_format!r}: use json, jsonl, csv or table")
