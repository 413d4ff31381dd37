"""The taxonomies as knowledge the NER learns to weigh: gazetteer matches as token features.

A `span_ruler` (spaCy's own component, patterns stored with the pipeline) marks every
case-insensitive match of an ESCO / O*NET alias in `doc.spans["gazetteer"]`, overlaps kept.
`skillner.GazetteerEmbed.v1` is spaCy's MultiHashEmbed with one more input: per token, a
one-hot of its position (begin, inside, last, unit) in a match of each vocabulary label. The
embedding's Maxout learns how much a match is worth, so the 215 labelled resumes teach *how
to use* a dictionary entry rather than which strings are skills: a tool the labels never
showed ("Kubernetes") but ESCO or O*NET list gets the same feature as one they did.
Unlike a dictionary voter added after the NER, a match the labels contradict ("Testing" in a
sentence) is outweighed by its context.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import List, Optional

import numpy
from spacy.ml.featureextractor import FeatureExtractor
from spacy.ml.staticvectors import StaticVectors
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import HashEmbed, Maxout, Model, chain, concatenate, list2ragged, ragged2list, with_array
from thinc.types import Floats2d, Ragged

from skillner.taxonomy.vocabulary import (
    DEFAULT_VOCABULARY,
    LABELS,
    STOPLIST,
    load_vocabulary,
    loose_product_names,
    normalise_alias,
    one_label_per_alias,
)

SPANS_KEY = "gazetteer"
POSITIONS = ("B", "I", "L", "U")


def vocabulary_patterns(vocabulary_path: Path | str | None = None) -> list[dict]:
    """One phrase pattern per lower-cased alias; an alias under several labels keeps the most specific.

    Tools also match as resumes write them ("Kafka", "AWS": `loose_product_names`) where that
    shorter name belongs to one product only and is neither a taxonomy alias, nor a plain word
    the taxonomies use in lower case ("Word", "Office"), nor stop-listed."""
    vocab = one_label_per_alias(load_vocabulary(Path(vocabulary_path) if vocabulary_path else DEFAULT_VOCABULARY))
    patterns = [{"label": label, "pattern": alias} for alias, label in vocab[["alias", "label"]].itertuples(index=False)]
    aliases = set(vocab["lower"])
    plain = plain_words(vocab)  # "word", "office"
    loose = Counter(name.lower() for alias in vocab.loc[vocab["label"] == "TECH_TOOL", "alias"]
                    for name in set(loose_product_names(alias)))
    seen = set()
    for alias in vocab.loc[vocab["label"] == "TECH_TOOL", "alias"]:
        for name in loose_product_names(alias):
            key = name.lower()
            if (loose[key] == 1 and key not in aliases and key not in seen and key not in plain
                    and normalise_alias(name) not in STOPLIST):
                seen.add(key)
                patterns.append({"label": "TECH_TOOL", "pattern": name})
    return patterns


def plain_words(vocab) -> set[str]:
    """Words the taxonomies write in lower case somewhere: ordinary words, not product names."""
    return {word for alias in vocab["alias"] for word in alias.split() if word.islower()}


@registry.misc("skillner.gazetteer_patterns.v1")
def gazetteer_patterns(vocabulary: Optional[str] = None) -> list[dict]:
    """Patterns for the `gazetteer` span ruler, read at `initialize` (null: the bundled vocabulary)."""
    return vocabulary_patterns(vocabulary)


def gazetteer_features(spans_key: str = SPANS_KEY, labels: tuple[str, ...] = LABELS) -> Model[List[Doc], List[Floats2d]]:
    """Per doc, a (tokens x labels*4) 0/1 array: the token's place in each matched span."""
    index = {label: i * len(POSITIONS) for i, label in enumerate(labels)}
    width = len(labels) * len(POSITIONS)

    def forward(model: Model, docs: List[Doc], is_train: bool):
        out = []
        for doc in docs:
            arr = numpy.zeros((len(doc), width), dtype="float32")
            for span in doc.spans[spans_key] if spans_key in doc.spans else ():
                base = index.get(span.label_)
                if base is None:
                    continue
                if len(span) == 1:
                    arr[span.start, base + 3] = 1
                else:
                    arr[span.start, base] = 1
                    arr[span.start + 1:span.end - 1, base + 1] = 1
                    arr[span.end - 1, base + 2] = 1
            out.append(model.ops.asarray2f(arr))
        return out, lambda d_out: []

    return Model("gazetteer_features", forward, dims={"nO": width})


@registry.architectures("skillner.GazetteerEmbed.v1")
def gazetteer_embed(
    width: int,
    attrs: List[str],
    rows: List[int],
    include_static_vectors: bool = False,
    spans_key: str = SPANS_KEY,
) -> Model[List[Doc], List[Floats2d]]:
    """spaCy's MultiHashEmbed.v2 (same layers, same seeds) plus the gazetteer one-hots before its Maxout."""
    if len(rows) != len(attrs):
        raise ValueError(f"Mismatched lengths: {len(rows)} vs {len(attrs)}")
    seed = 7
    embeddings = []
    for attr, n_rows in zip(attrs, rows):
        embeddings.append(HashEmbed(width, n_rows, column=len(embeddings), dropout=0.0, seed=seed))
        seed += 1
    gazetteer = gazetteer_features(spans_key)
    concat_size = width * (len(embeddings) + include_static_vectors) + gazetteer.get_dim("nO")
    hashed: Model = chain(FeatureExtractor(attrs), list2ragged(), with_array(concatenate(*embeddings)))
    branches = [hashed]
    if include_static_vectors:
        branches.append(StaticVectors(width, dropout=0.0))
    branches.append(chain(gazetteer, list2ragged()))
    max_out: Model[Ragged, Ragged] = with_array(Maxout(width, concat_size, nP=3, dropout=0.0, normalize=True))
    return chain(concatenate(*branches), max_out, ragged2list())
