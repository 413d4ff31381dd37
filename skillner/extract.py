"""Skills from one resume: each mention with its offsets, and a per-resume tally."""

from __future__ import annotations

from collections import Counter

from spacy.language import Language

SCHEMA_VERSION = "1"


def extract_doc(doc) -> dict:
    """The skills of an annotated Doc: mentions in order, and distinct skills with counts."""
    mentions = [{"text": e.text, "label": e.label_, "start": e.start_char, "end": e.end_char} for e in doc.ents]
    tally = Counter((m["text"].lower(), m["label"]) for m in mentions)
    first = {}
    for m in mentions:
        first.setdefault((m["text"].lower(), m["label"]), m["text"])
    skills = [{"text": first[key], "label": key[1], "count": n} for key, n in tally.most_common()]
    return {"schema_version": SCHEMA_VERSION, "mentions": mentions, "skills": skills}


def extract_text(nlp: Language, text: str) -> dict:
    return extract_doc(nlp(text))


def format_table(result: dict) -> str:
    rows = [f"{'skill':<40}{'label':<12}{'count':>6}"]
    rows += [f"{s['text'][:39]:<40}{s['label']:<12}{s['count']:>6}" for s in result["skills"]]
    return "\n".join(rows)
