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

With `fill`, both also get weak labels first (distant supervision): an occurrence of a tool
name that the annotator left unlabelled ("Kubernetes" in a sentence of prose) becomes a
TECH_TOOL span, where it overlaps no labelled span. Only product-like names are used (a capital
or a digit, at most `max_words` words), matched with their exact case, so the verb "excel" or
the word "access" never become tools. With `listed`, the items a resume lists under a Skills
heading that the annotator left unlabelled become spans too, and so do their other occurrences
(`pipeline.sections.listed_skill_spans`), labelled as the gazetteer labels the item's words,
else JOB_SKILL. With `fill_skills`, an occurrence of an ESCO skill named as resumes name it
(`taxonomy.phrases`: "wound care" from "carry out wound care"), case aside, becomes a span of
its label where it overlaps no labelled span.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Callable, Iterator, Optional

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Span
from spacy.training import Example
from spacy.util import filter_spans, registry

from skillner.pipeline.gazetteer import plain_words, vocabulary_patterns
from skillner.pipeline.sections import listed_skill_spans
from skillner.taxonomy.phrases import object_phrases
from skillner.taxonomy.vocabulary import DEFAULT_VOCABULARY, load_vocabulary


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
                               vocabulary: Optional[str] = None, max_words: int = 3, fill: bool = False,
                               seed: int = 0, listed: bool = False,
                               fill_skills: bool = False) -> Callable[[Language, Example], Iterator[Example]]:
    """Yield each example, then a copy with mentions of `labels` replaced at `rate` (when any was);
    with `fill`, unlabelled tool names are labelled in both first, and with `listed`, unlabelled
    skills-list items."""
    if not 0 <= rate <= 1:
        raise ValueError(f"rate must be between 0 and 1, not {rate}")
    names = replacement_names(vocabulary, tuple(labels), max_words)
    rng = random.Random(seed)
    matchers: dict[int, PhraseMatcher] = {}
    label_of = alias_labeller(vocabulary) if listed else None
    skill_matchers: dict[int, PhraseMatcher] = {}

    def augment(nlp: Language, example: Example) -> Iterator[Example]:
        if label_of is not None:
            example = fill_listed(example, label_of)
        if fill_skills:
            if id(nlp.vocab) not in skill_matchers:
                skill_matchers[id(nlp.vocab)] = skill_matcher(nlp, vocabulary)
            example = fill_matches(example, skill_matchers[id(nlp.vocab)])
        if fill:
            if id(nlp.vocab) not in matchers:
                matchers[id(nlp.vocab)] = tool_matcher(nlp, names.get("TECH_TOOL", []), vocabulary)
            example = fill_tools(nlp, example, matchers[id(nlp.vocab)])
        yield example
        copy = replace_mentions(nlp, example, names, rate, rng)
        if copy is not None:
            yield copy

    return augment


def alias_labeller(vocabulary: Optional[str] = None) -> Callable[[Span], str]:
    """The gazetteer's label of a span's lower-cased text, JOB_SKILL for text it does not hold."""
    labels = {pattern["pattern"].lower(): pattern["label"] for pattern in vocabulary_patterns(vocabulary)}
    return lambda span: labels.get(span.text.lower(), "JOB_SKILL")


def with_added(example: Example, new: list[Span]) -> Example:
    """The example with `new` (spans of its reference that overlap no entity) added to its gold entities."""
    if not new:
        return example
    doc = example.reference.copy()
    doc.ents = sorted(list(doc.ents) + [Span(doc, s.start, s.end, label=s.label_) for s in new],
                      key=lambda span: span.start)
    return Example(example.predicted, doc)


def fill_listed(example: Example, label_of: Callable[[Span], str]) -> Example:
    """The example with the skills-list items its labels left (and their other occurrences) labelled."""
    return with_added(example, listed_skill_spans(example.reference, label_of))


def tool_matcher(nlp: Language, names: list[str], vocabulary: Optional[str] = None) -> PhraseMatcher:
    """Exact-case matcher of the product-like names among `names`: some word has a capital or a digit
    and is not a capitalised ordinary word ("Source", "Management System" are left out)."""
    plain = plain_words(load_vocabulary(Path(vocabulary) if vocabulary else DEFAULT_VOCABULARY))
    matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    product_like = [name for name in names
                    if any(any(c.isupper() or c.isdigit() for c in word) and word.lower() not in plain
                           for word in name.split())]
    matcher.add("TECH_TOOL", list(nlp.tokenizer.pipe(product_like)))
    return matcher


def skill_matcher(nlp: Language, vocabulary: Optional[str] = None) -> PhraseMatcher:
    """Case-insensitive matcher of ESCO's skills as resumes name them, keyed by their label."""
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    by_label: dict[str, list[str]] = {}
    for phrase, label in object_phrases(vocabulary).items():
        by_label.setdefault(label, []).append(phrase)
    for label, phrases in by_label.items():
        matcher.add(label, list(nlp.tokenizer.pipe(phrases)))
    return matcher


def fill_tools(nlp: Language, example: Example, matcher: PhraseMatcher) -> Example:
    """The example with every unlabelled tool-name occurrence that overlaps no labelled span labelled TECH_TOOL."""
    return fill_matches(example, matcher)


def fill_matches(example: Example, matcher: PhraseMatcher) -> Example:
    """The example with every match of `matcher` that overlaps no labelled span labelled as the
    matcher's key says (the longest of overlapping matches)."""
    reference = example.reference
    taken = [False] * len(reference)
    for ent in reference.ents:
        taken[ent.start:ent.end] = [True] * len(ent)
    new = [span for span in filter_spans(matcher(reference, as_spans=True)) if not any(taken[span.start:span.end])]
    return with_added(example, new)


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
