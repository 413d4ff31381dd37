"""Mention replacement: teach the NER that a skill is a skill by its context and its dictionary
entry, not by its string.

215 labelled resumes name a few hundred tools, and a CNN NER learns those strings by heart:
recall of skills whose text never occurs among the training labels is a third of the rest.
During training this augmenter also yields a copy of a resume in which each skill mention of
a chosen label is, with probability `rate`, swapped for a random name of the same label from
ESCO / O*NET ("Java" -> "Apache Cassandra", "teamwork" -> "show empathy"). The copy keeps the
resume's context and layout, so what stays constant between original and copy is the context
and (with the gazetteer feature) the dictionary match, and that is what the model learns to use.
The original is always yielded too: the labelled strings are not unlearned.
"""

from __future__ import annotations

import random
from typing import Callable, Iterator, Optional

from spacy.language import Language
from spacy.training import Example
from spacy.util import registry

from .gazetteer import vocabulary_patterns


def replacement_names(vocabulary: Optional[str] = None, labels: tuple[str, ...] = ("TECH_TOOL",),
                      max_words: int = 3) -> dict[str, list[str]]:
    """Names per label to swap in: the gazetteer's phrases (taxonomy aliases and loose tool names)
    of at most `max_words` words: resumes write "Vagrant", not "Moz search engine optimization SEO"."""
    names: dict[str, list[str]] = {label: [] for label in labels}
    for pattern in vocabulary_patterns(vocabulary):
        if pattern["label"] in names and len(pattern["pattern"].split()) <= max_words:
            names[pattern["label"]].append(pattern["pattern"])
    return names


@registry.augmenters("skillner.mention_replacement.v1")
def create_mention_replacement(rate: float = 0.5, labels: list[str] = ["TECH_TOOL"],
                               vocabulary: Optional[str] = None, max_words: int = 3,
                               seed: int = 0) -> Callable[[Language, Example], Iterator[Example]]:
    """Yield each example, then a copy with mentions of `labels` replaced at `rate` (when any was)."""
    if not 0 <= rate <= 1:
        raise ValueError(f"rate must be between 0 and 1, not {rate}")
    names = replacement_names(vocabulary, tuple(labels), max_words)
    rng = random.Random(seed)

    def augment(nlp: Language, example: Example) -> Iterator[Example]:
        yield example
        copy = replace_mentions(nlp, example, names, rate, rng)
        if copy is not None:
            yield copy

    return augment


def replace_mentions(nlp: Language, example: Example, names: dict[str, list[str]], rate: float,
                     rng: random.Random) -> Example | None:
    """The example with some mentions swapped for random names of their label; None when none was."""
    reference = example.reference
    pieces, spans, cursor, offset, replaced = [], [], 0, 0, 0
    for ent in reference.ents:
        pool = names.get(ent.label_)
        new = rng.choice(pool) if pool and rng.random() < rate else ent.text
        replaced += new != ent.text
        pieces.append(reference.text[cursor:ent.start_char])
        start = ent.start_char + offset
        spans.append((start, start + len(new), ent.label_))
        pieces.append(new)
        offset += len(new) - len(ent.text)
        cursor = ent.end_char
    if not replaced:
        return None
    pieces.append(reference.text[cursor:])
    doc = nlp.make_doc("".join(pieces))
    ents = [doc.char_span(start, end, label=label, alignment_mode="expand") for start, end, label in spans]
    kept, last_end = [], 0
    for span in ents:  # a name that glues to its neighbour could expand onto the next mention
        if span is not None and span.start >= last_end:
            kept.append(span)
            last_end = span.end
    doc.ents = kept
    return Example(nlp.make_doc(doc.text), doc)
