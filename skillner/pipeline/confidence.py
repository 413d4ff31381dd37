"""A confidence for every skill mention: `span._.confidence`, the calibrated probability that the
mention is a gold skill span with its label.

spaCy's NER decodes greedily and keeps no scores. `ScoredEntityRecognizer` is spaCy's
EntityRecognizer with the same weights and the same greedy decision at each token, made in
Python so that the softmax over the valid actions is kept: a mention's raw score is the product
of the probabilities of its actions (B, I..., L or U), the chance that this decoder, given what
came before, writes exactly this span. Beam search's probability was tried first and rejected:
on dev, 24 % of the greedy mentions were in no final beam (probability 0) and 94 % of the rest
had 0.99 or more.

The raw score is over-confident (mentions scored 0.99 were right 76 % of the time on dev), so
each recogniser carries a Platt calibration, `sigmoid(a * logit(raw) + b)`, fitted on dev with
the pipeline trained on the train split alone (`skillner calibrate`). A span that the span
hygiene trims or splits keeps its entity's confidence (`hygiene.carry_span_extensions`)."""

from __future__ import annotations

import math

import numpy as np
from spacy.language import Language
from spacy.pipeline.ner import DEFAULT_NER_MODEL, EntityRecognizer
from spacy.tokens import Doc, Span
from spacy.util import minibatch

EXTENSION = "confidence"
FACTORY = "skillner_scored_ner"
IDENTITY = (1.0, 0.0)
# Actions scoring this far below the best valid one are left out of the softmax (e^-12 each).
NEGLIGIBLE = 12.0
# Raw scores are clipped to (EPSILON, 1 - EPSILON) before the logit: a product of softmax
# probabilities can round to 1.0.
EPSILON = 1e-6

if not Span.has_extension(EXTENSION):
    Span.set_extension(EXTENSION, default=None)


def logit(p):
    clipped = np.clip(np.asarray(p, dtype=float), EPSILON, 1 - EPSILON)
    return np.log(clipped / (1 - clipped))


def platt(raw, calibration: tuple[float, float] = IDENTITY):
    """sigmoid(a * logit(raw) + b), for one score or an array."""
    a, b = calibration
    return 1 / (1 + np.exp(-(a * logit(raw) + b)))


class ScoredEntityRecognizer(EntityRecognizer):
    """spaCy's NER whose greedy decoding keeps each action's probability and sets
    `span._.confidence` on the entities it adds (entities already on the doc keep theirs)."""

    def __init__(self, *args, calibration: tuple[float, float] = IDENTITY, **kwargs):
        super().__init__(*args, **kwargs)
        self.calibration = tuple(calibration)

    def __call__(self, doc: Doc) -> Doc:
        self.set_scored_annotations([doc])
        return doc

    def pipe(self, docs, *, batch_size: int = 256):
        """As spaCy's: batches sorted by length, documents yielded in order."""
        error_handler = self.get_error_handler()
        for batch in minibatch(docs, size=batch_size):
            try:
                for sub in minibatch(sorted(batch, key=len), size=max(batch_size // 4, 2)):
                    self.set_scored_annotations(sub)
                yield from batch
            except Exception as error:  # noqa: BLE001 - spaCy's error handler decides
                error_handler(self.name, self, batch, error)

    def set_scored_annotations(self, docs: list[Doc]) -> None:
        before = [{(e.start, e.end) for e in doc.ents} for doc in docs]
        states, action_probs = self.scored_parse(docs)
        self.set_annotations(docs, states)
        for doc, preset, probs in zip(docs, before, action_probs):
            for ent in doc.ents:
                if (ent.start, ent.end) not in preset:
                    raw = math.prod(probs.get(i, 1.0) for i in range(ent.start, ent.end))
                    ent._.set(EXTENSION, float(platt(raw, self.calibration)))

    def scored_parse(self, docs: list[Doc]):
        """Greedy decoding as spaCy's `greedy_parse` (the best valid action at each step), with
        the softmax probability of each action taken, per document by token index."""
        self._ensure_labels_are_added(docs)
        states = self.moves.init_batch(docs)
        action_probs: list[dict[int, float]] = [{} for _ in docs]
        if not any(len(doc) for doc in docs):
            return states, action_probs
        names = [self.moves.get_class_name(i) for i in range(self.moves.n_moves)]
        model = self.model.predict(docs)
        todo = [(i, state) for i, state in enumerate(states) if not state.is_final()]
        while todo:
            scores = model.predict([state for _, state in todo])
            for (i, state), row in zip(todo, scores):
                best, mass = self._best_valid(state, row, names)
                action_probs[i][state.B(0)] = 1 / mass
                self.moves.apply_transition(state, names[best])
            todo = [(i, state) for i, state in todo if not state.is_final()]
        model.clear_memory()
        return states, action_probs


    def _best_valid(self, state, row: np.ndarray, names: list[str]) -> tuple[int, float]:
        """The best valid action (the first of equal scores, as spaCy's C code picks) and the
        softmax mass of the valid actions relative to it. Validity is asked in score order, and
        only down to NEGLIGIBLE below the best valid score: an action further down adds under
        e^-NEGLIGIBLE to the mass. `is_valid` parses the action's name, so this is what costs."""
        order = np.argsort(-row, kind="stable")
        best, mass = -1, 0.0
        for action in order:
            if best >= 0 and row[action] < row[best] - NEGLIGIBLE:
                break
            if self.moves.is_valid(state, names[action]):
                if best < 0:
                    best = int(action)
                mass += float(np.exp(row[action] - row[best]))
        return best, mass


@Language.factory(
    FACTORY,
    assigns=["doc.ents", "token.ent_iob", "token.ent_type", f"span._.{EXTENSION}"],
    default_config={"moves": None, "update_with_oracle_cut_size": 100, "model": DEFAULT_NER_MODEL,
                    "incorrect_spans_key": None, "scorer": {"@scorers": "spacy.ner_scorer.v1"},
                    "calibration": list(IDENTITY)},
    default_score_weights={"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None},
)
def make_scored_ner(nlp: Language, name: str, model, moves, update_with_oracle_cut_size: int,
                    incorrect_spans_key: str | None, scorer, calibration: list[float]) -> ScoredEntityRecognizer:
    return ScoredEntityRecognizer(nlp.vocab, model, name=name, moves=moves,
                                  update_with_oracle_cut_size=update_with_oracle_cut_size,
                                  incorrect_spans_key=incorrect_spans_key, scorer=scorer, calibration=calibration)


def scored_ner_names(nlp: Language) -> list[str]:
    """The pipeline's entity recognisers, scored or not yet."""
    return [name for name in nlp.pipe_names if nlp.get_pipe_meta(name).factory in ("ner", FACTORY)]


def with_confidence(nlp: Language, calibrations: dict[str, tuple[float, float]] | None = None) -> Language:
    """`nlp` with every greedy spaCy NER swapped, in place and with its weights, for a scored one
    (so any skillner-trained pipeline gives confidences); `calibrations` (name -> (a, b)) sets
    theirs. A beam NER is left alone: its mentions get no confidence."""
    for name in scored_ner_names(nlp):
        pipe = nlp.get_pipe(name)
        calibration = tuple((calibrations or {}).get(name, getattr(pipe, "calibration", IDENTITY)))
        if getattr(pipe, "calibration", None) == calibration or pipe.cfg.get("beam_width", 1) != 1:
            continue
        _rebuild(nlp, name, FACTORY, calibration=list(calibration))
    return nlp


def without_confidence(nlp: Language) -> Language:
    """The inverse of `with_confidence`: spaCy's own `ner` (greedy decoding in C, no scores) with
    the same weights, in place; what the scored decoding is checked and timed against."""
    for name in scored_ner_names(nlp):
        _rebuild(nlp, name, "ner")
    return nlp


def _rebuild(nlp: Language, name: str, factory: str, **settings) -> None:
    """Pipe `name` made again by `factory` with its weights and config (and `settings`)."""
    weights = nlp.get_pipe(name).to_bytes()
    config = {k: v for k, v in nlp.config["components"][name].items() if k not in ("factory", "calibration")}
    nlp.replace_pipe(name, factory, config={**config, **settings}).from_bytes(weights)
