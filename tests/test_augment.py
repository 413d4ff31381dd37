"""Mention replacement: the copy keeps the resume around the swapped names, and its spans are right."""

import random

import pytest
from spacy.training import Example

from skillner.annotate.convert import tokenizer_nlp
from skillner.pipeline.augment import create_mention_replacement, replace_mentions

NAMES = {"TECH_TOOL": ["Apache Cassandra", "Vagrant", "C++"]}


@pytest.fixture(scope="module")
def nlp():
    return tokenizer_nlp()


def example(nlp, text, spans):
    doc = nlp.make_doc(text)
    doc.ents = [doc.char_span(s, e, label=l) for s, e, l in spans]
    return Example(nlp.make_doc(text), doc)


def test_every_tool_is_swapped_at_rate_one_and_the_rest_of_the_text_stays(nlp):
    eg = example(nlp, "Used Java, SQL and teamwork daily.", [(5, 9, "TECH_TOOL"), (11, 14, "TECH_TOOL"),
                                                                 (19, 27, "SOFT_SKILL")])
    copy = replace_mentions(nlp, eg, NAMES, 1.0, random.Random(0))
    ents = [(e.text, e.label_) for e in copy.reference.ents]
    assert [label for _, label in ents] == ["TECH_TOOL", "TECH_TOOL", "SOFT_SKILL"]
    assert all(text in NAMES["TECH_TOOL"] for text, _ in ents[:2]) and ents[2][0] == "teamwork"
    text = copy.reference.text
    assert text.startswith("Used ") and text.endswith(" and teamwork daily.") and ", " in text
    assert copy.predicted.text == text and len(copy.predicted.ents) == 0  # the model predicts on a bare copy


def test_no_copy_when_nothing_was_swapped(nlp):
    eg = example(nlp, "Used Java daily.", [(5, 9, "TECH_TOOL")])
    assert replace_mentions(nlp, eg, NAMES, 0.0, random.Random(0)) is None
    eg = example(nlp, "Good at teamwork.", [(8, 16, "SOFT_SKILL")])
    assert replace_mentions(nlp, eg, NAMES, 1.0, random.Random(0)) is None  # no tool to swap


def test_the_augmenter_yields_the_original_first_and_a_copy_at_its_rate(nlp):
    augment = create_mention_replacement(rate=1.0, labels=["TECH_TOOL"])
    eg = example(nlp, "Java and Python", [(0, 4, "TECH_TOOL"), (9, 15, "TECH_TOOL")])
    out = list(augment(nlp, eg))
    assert out[0] is eg and len(out) == 2
    assert all(e.text not in ("Java", "Python") for e in out[1].reference.ents)
    assert len(out[1].reference.ents) == 2
    with pytest.raises(ValueError):
        create_mention_replacement(rate=1.5)


def test_fill_labels_unlabelled_tool_names_with_their_exact_case_only(nlp):
    """Distant supervision: "Kubernetes" in prose becomes a tool; the verb "excel" and a labelled span stay as they are."""
    from skillner.pipeline.augment import fill_tools, tool_matcher

    text = "Ran Kubernetes and kubernetes clusters; excel at Docker work."
    eg = example(nlp, text, [(49, 55, "JOB_SKILL")])  # "Docker" labelled otherwise by the annotator
    filled = fill_tools(nlp, eg, tool_matcher(nlp, ["Kubernetes", "Docker", "Excel", "Source"]))
    assert [(e.text, e.label_) for e in filled.reference.ents] == [("Kubernetes", "TECH_TOOL"), ("Docker", "JOB_SKILL")]
    assert filled.predicted is eg.predicted
    unchanged = example(nlp, "Nothing to see here.", [])
    assert fill_tools(nlp, unchanged, tool_matcher(nlp, ["Kubernetes"])) is unchanged
