"""ESCO's skills as resumes name them: the object of a verb-phrase label.

ESCO names most skills as something done ("carry out wound care", "manage the general ledger",
"operate forklift"); a resume names the thing ("wound care", "general ledger", "forklift").
Stripping the leading verb (and an article) of a JOB_SKILL or SOFT_SKILL alias gives the noun
phrase a nurse or a bookkeeper writes. Only names of two to four words with no preposition or
article inside are kept: one word left over ("people", "budgets") is too often an ordinary word,
and "instruction on music principles" is a clause, not a name. They serve as weak labels in
training (`augment`, `fill_skills`) and, optionally, as gazetteer entries.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from skillner.taxonomy.vocabulary import DEFAULT_VOCABULARY, load_vocabulary

# Leading verbs of ESCO's skill labels (the most frequent first words, verbs only).
VERBS = frozenset("""
manage perform use ensure operate provide maintain develop conduct oversee monitor apply prepare assess
supervise make create implement handle advise work analyse undertake check evaluate design utilise control
keep identify plan assist understand organise communicate produce set interpret determine inspect tend
coordinate arrange support administer establish take write execute help give follow test install repair
examine employ clean comprehend watch promote complete teach run assemble study select adjust apply
carry deliver lead train measure adapt read record process sell build collaborate liaise negotiate
participate recognise report maintain compile operate treat educate demonstrate instruct calculate
analyze organize utilize recognize""".split())
PARTICLES = frozenset({"out", "up", "on", "with", "in", "to"})  # "carry out", "set up", "work with"
ARTICLES = frozenset({"the", "a", "an"})
# Words that make what is left a clause, not a name: "instruction on music principles" is dropped.
CLAUSE_WORDS = frozenset({"and", "or", "of", "to", "in", "for", "with", "on", "at", "by", "from", "as", "the", "a",
                          "an", "about", "into", "over", "through", "across", "under", "within", "between",
                          "against", "according", "during", "when", "their", "its", "your", "other", "new"})
WORD = re.compile(r"^[a-z][a-z0-9&'/+.-]*$")


def object_phrase(alias: str) -> str | None:
    """The noun phrase after the leading verb of `alias`, or None when it has no leading verb or
    what is left is not a phrase of 2-4 plain words."""
    words = alias.split()
    if len(words) < 3:
        return None
    head = words[0].lower()
    stem = head[:-3] if head.endswith("ing") else head
    if head not in VERBS and stem not in VERBS and stem + "e" not in VERBS:
        return None
    rest = words[1:]
    if rest and rest[0].lower() in PARTICLES and head in {"carry", "set", "work", "carrying", "setting", "working"}:
        rest = rest[1:]
    while rest and rest[0].lower() in ARTICLES:
        rest = rest[1:]
    if not 2 <= len(rest) <= 4 or any(word.lower() in CLAUSE_WORDS for word in rest):
        return None
    if not all(WORD.match(word.lower()) for word in rest) or rest[-1].lower().endswith("ly"):
        return None
    return " ".join(rest)


@lru_cache(maxsize=4)
def object_phrases(vocabulary: str | None = None) -> dict[str, str]:
    """Lower-cased object phrase -> label (JOB_SKILL or SOFT_SKILL) over the vocabulary's skill
    aliases; a phrase that is itself an alias under another label is left out."""
    vocab = load_vocabulary(Path(vocabulary) if vocabulary else DEFAULT_VOCABULARY)
    taken = dict(zip(vocab["alias"].str.lower(), vocab["label"]))
    phrases: dict[str, str] = {}
    for alias, label in vocab.loc[vocab["label"] != "TECH_TOOL", ["alias", "label"]].itertuples(index=False):
        phrase = object_phrase(alias)
        if phrase is None:
            continue
        key = phrase.lower()
        if taken.get(key, label) == label:
            phrases.setdefault(key, label)
    return phrases
