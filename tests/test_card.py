"""The model card says what the metrics say: seen/unseen recall and the generalisation checks."""

import json

from skillner.measure.card import render_card

from .conftest import MODEL, ROOT


def _split(seen_recall, unseen_recall):
    def group(gold, recall):
        return {"gold": gold, "strict": {"recall": recall, "tp": int(gold * recall), "ci95": [recall - 0.05, recall + 0.05]},
                "partial": {"recall": recall + 0.1, "tp": 0, "ci95": None}}
    return {"train": "build/data/traindev.spacy", "train_strings": 10, "seen": group(400, seen_recall),
            "unseen": group(300, unseen_recall), "unseen_share": 300 / 700}


def test_card_reports_seen_and_unseen_recall_and_the_generalisation_checks():
    metrics = json.loads((MODEL / "metrics.json").read_text())
    metrics["test"]["model"]["seen_unseen"] = _split(0.812, 0.345)
    metrics["test"]["dictionary_baseline"]["seen_unseen"] = _split(0.2, 0.1)
    metrics["generalisation"] = json.loads((ROOT / "reports" / "generalisation" / "ensemble-dev.json").read_text())
    card = render_card(MODEL, metrics, None)
    assert "## Generalisation: skills the training labels never showed" in card
    assert "| model, unseen | 300 | 0.345 [0.295, 0.395] | 0.445 |" in card
    assert "| model, seen | 400 | 0.812 [0.762, 0.862] | 0.912 |" in card
    assert "SkillSpan dev" in card and "Mainstream tools" in card


def test_card_without_seen_unseen_has_no_generalisation_section():
    metrics = json.loads((MODEL / "metrics.json").read_text())
    for entry in (metrics["test"]["model"], metrics["test"]["dictionary_baseline"]):
        entry.pop("seen_unseen", None)
    metrics.pop("generalisation", None)
    assert "## Generalisation" not in render_card(MODEL, metrics, None)
