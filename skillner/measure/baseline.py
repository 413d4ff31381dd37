"""Dictionary baseline: exact, case-insensitive phrase match of the ESCO + O*NET vocabulary.

This is the floor every trained model must clear. It is a blank English tokenizer plus
spaCy's ``entity_ruler`` with ``phrase_matcher_attr="LOWER"`` (a PhraseMatcher), so:

* matching is case-insensitive but otherwise exact on spaCy tokens;
* overlapping matches are resolved longest-first, then leftmost (EntityRuler behaviour),
  so ``doc.ents`` never overlaps ("Microsoft Excel" beats "Excel");
* an alias listed under several labels gets one label, by ``LABEL_PRIORITY``: the most
  specific list wins (O*NET/ESCO tool names beat ESCO skill concepts that list products
  as alternative labels, e.g. "Google Sheets" under "use spreadsheets software"; the
  curated transversal list beats the catch-all JOB_SKILL);
* patterns carry no ``id``: EntityRuler checks ``len(self)`` on every doc by summing over
  pattern keys, and one key per concept made that ~100x slower (11 ms/sentence). Link a
  span to its concept afterwards via ``normalise_alias`` on the vocabulary instead.
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language

from skillner.annotate.convert import tokenizer_nlp
from skillner.taxonomy.vocabulary import DEFAULT_VOCABULARY, load_vocabulary, one_label_per_alias


def build_baseline(vocabulary_path: Path | None = None) -> Language:
    """Return ``spacy.blank("en")`` + an ``entity_ruler`` loaded with the vocabulary.

    One pattern per lower-cased alias (label chosen by ``LABEL_PRIORITY``), so the
    PhraseMatcher never yields the same span twice with different labels.
    """
    vocab = one_label_per_alias(load_vocabulary(vocabulary_path or DEFAULT_VOCABULARY))
    nlp = tokenizer_nlp().__class__.from_config(tokenizer_nlp().config)  # the resume tokenizer, fresh pipeline
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "validate": False})
    ruler.add_patterns(
        [
            {"label": label, "pattern": alias}
            for alias, label in vocab[["alias", "label"]].itertuples(index=False)
        ]
    )
    nlp.meta.update(name="skillner_dictionary_baseline", description=__doc__.splitlines()[0])
    return nlp


def save_baseline(path: Path, vocabulary_path: Path | None = None) -> Path:
    """Build the baseline and store it as a pipeline directory loadable by ``spacy.load``."""
    build_baseline(vocabulary_path).to_disk(path)
    return Path(path)
