"""Functions skillner registers with spaCy's config system, under versioned names.

They are also declared as entry points in pyproject.toml, so a trained pipeline loads with
plain `spacy.load` wherever skillner is installed.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Callable

import spacy
from spacy.language import Language
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, registry

logger = logging.getLogger(__name__)

# Resumes glue list items together: "node.js/Javascript", "C++(Data", "Eclipse[Pydev]",
# "Windows~Linux". Splitting on these characters lets annotated skills fall on token
# boundaries instead of being swallowed by one token.
RESUME_INFIXES = [r"[/\(\)\[\]~|•,;]"]
RESUME_PREFIXES = [r"[•\-/~|]"]
RESUME_SUFFIXES = [r"[•\-/~|]"]
# spaCy keeps anything that looks like a domain or path ("node.js/Javascript") in one
# token; in resumes only real links should stay whole.
URL_MATCH = re.compile(r"^(?:[a-z]+://|www\.)\S+$", re.IGNORECASE)


@registry.tokenizers("skillner.resume_tokenizer.v1")
def create_resume_tokenizer() -> Callable[[Language], object]:
    """spaCy's default tokenizer plus infixes for the separators resumes use between skills."""

    def make_tokenizer(nlp: Language):
        tokenizer = registry.tokenizers.get("spacy.Tokenizer.v1")()(nlp)
        infixes = list(nlp.Defaults.infixes) + RESUME_INFIXES
        tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
        prefixes = list(nlp.Defaults.prefixes) + RESUME_PREFIXES
        tokenizer.prefix_search = compile_prefix_regex(prefixes).search
        suffixes = list(nlp.Defaults.suffixes) + RESUME_SUFFIXES
        tokenizer.suffix_search = compile_suffix_regex(suffixes).search
        tokenizer.url_match = URL_MATCH.match
        return tokenizer

    return make_tokenizer


@registry.callbacks("skillner.copy_weights.v1")
def copy_weights(source: str, component: str = "ner", layers: list[str] = ["tok2vec", "lower"]):
    """After initialisation, copy pretrained layers of `component` from the `source` pipeline.

    This is how the transfer-learned config starts its NER encoder from en_core_web_sm's
    OntoNotes-trained NER while keeping a fresh output layer for skillner's own labels.
    Layers are copied with their attributes (hash-embedding seeds included), so the copied
    embedding rows keep their meaning.
    """

    def after_init(nlp: Language) -> Language:
        source_model = spacy.load(source).get_pipe(component).model
        target_model = nlp.get_pipe(component).model
        for layer in layers:
            target_model.get_ref(layer).from_bytes(source_model.get_ref(layer).to_bytes())
            logger.info("Copied %s.%s weights from %s", component, layer, source)
        return nlp

    return after_init


@registry.callbacks("skillner.load_encoder.v1")
def load_encoder(path: str, component: str = "ner"):
    """After initialisation, load `spacy pretrain` weights into the encoder inside `component`.

    spaCy's own `init_tok2vec` expects a separate tok2vec component; the NER here keeps its
    encoder inline (as en_core_web_sm's does), as the first layer of its `tok2vec` reference.
    configs/pretrain.cfg pretrains exactly that layer's architecture.
    """

    def after_init(nlp: Language) -> Language:
        encoder = nlp.get_pipe(component).model.get_ref("tok2vec").layers[0]
        with open(path, "rb") as weights:
            encoder.from_bytes(weights.read())
        logger.info("Loaded pretrained encoder weights from %s into %s", path, component)
        return nlp

    return after_init


def export_ner_encoder(pipeline: str, path: Path) -> Path:
    """Write the encoder inside a pipeline's NER in `spacy pretrain`'s weight format.

    Pretraining can then continue from en_core_web_sm's OntoNotes-trained encoder on
    in-domain text, instead of starting from random weights.
    """
    encoder = spacy.load(pipeline).get_pipe("ner").model.get_ref("tok2vec").layers[0]
    Path(path).write_bytes(encoder.to_bytes())
    return Path(path)
