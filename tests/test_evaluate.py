import json

import pytest
from typer.testing import CliRunner

from skillner.cli import app
from skillner.measure.evaluate import Counts, bootstrap_f, match, score

T, J = "TECH_TOOL", "JOB_SKILL"


def test_strict_needs_exact_boundaries_partial_needs_overlap():
    gold = [(0, 10, T)]
    assert match(gold, [(0, 9, T)], typed=True, partial=False) == Counts(0, 1, 1)
    assert match(gold, [(0, 9, T)], typed=True, partial=True) == Counts(1, 1, 1)
    assert match(gold, [(10, 12, T)], typed=True, partial=True) == Counts(0, 1, 1)  # touching is not overlap


def test_typed_needs_same_label_untyped_does_not():
    gold = [(0, 4, T)]
    assert match(gold, [(0, 4, J)], typed=True, partial=False).tp == 0
    assert match(gold, [(0, 4, J)], typed=False, partial=False).tp == 1


def test_a_gold_span_is_matched_at_most_once():
    gold = [(0, 20, T)]
    pred = [(0, 5, T), (6, 20, T)]
    counts = match(gold, pred, typed=True, partial=True)
    assert counts == Counts(1, 2, 1)
    assert counts.prf() == {"p": 0.5, "r": 1.0, "f": pytest.approx(2 / 3)}


def test_a_predicted_span_is_matched_at_most_once():
    gold = [(0, 5, T), (6, 20, T)]
    assert match(gold, [(0, 20, T)], typed=True, partial=True) == Counts(1, 1, 2)


def test_greedy_matching_finds_the_maximum_for_chains_of_overlaps():
    gold = [(0, 4, T), (5, 9, T)]
    pred = [(3, 6, T), (7, 12, T)]
    assert match(gold, pred, typed=True, partial=True).tp == 2


def test_score_shape_and_micro_averages():
    gold = [[(0, 4, T), (10, 20, J)], [(0, 3, J)]]
    pred = [[(0, 4, T), (10, 15, J)], []]
    result = score(gold, pred, n_bootstrap=200)
    assert result["docs"] == 2
    assert result["typed"]["strict"]["p"] == 0.5 and result["typed"]["strict"]["r"] == pytest.approx(1 / 3)
    assert result["typed"]["partial"]["p"] == 1.0 and result["typed"]["partial"]["r"] == pytest.approx(2 / 3)
    assert result["per_label"][T] == {"p": 1.0, "r": 1.0, "f": 1.0, "gold": 1, "pred": 1, "partial_f": 1.0}
    assert result["per_label"][J]["f"] == 0.0 and result["per_label"][J]["partial_f"] == pytest.approx(2 / 3)
    lo, hi = result["ci95"]["untyped_strict_f"]
    assert 0.0 <= lo <= result["untyped"]["strict"]["f"] <= hi <= 1.0


def test_empty_documents_score_zero_without_dividing_by_zero():
    result = score([[], []], [[], []], n_bootstrap=10)
    assert result["untyped"]["strict"] == {"p": 0.0, "r": 0.0, "f": 0.0, "tp": 0, "pred": 0, "gold": 0}


def test_bootstrap_interval_is_degenerate_when_every_document_scores_the_same():
    counts = [Counts(1, 2, 2)] * 30
    assert bootstrap_f(counts, 100, seed=1) == [pytest.approx(0.5), pytest.approx(0.5)]


def test_bootstrap_interval_widens_with_disagreeing_documents():
    counts = [Counts(2, 2, 2)] * 10 + [Counts(0, 2, 2)] * 10
    lo, hi = bootstrap_f(counts, 500, seed=1)
    assert lo < 0.5 < hi


def test_evaluate_doccano_jsonl_with_dotin_labels(tmp_path):
    """A JSONL file in Doccano shape is read through the label map; unknown labels are ignored."""
    from skillner.measure.baseline import build_baseline
    from skillner.measure.evaluate import evaluate

    text = "Worked with Python and Microsoft Excel in Pune."
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps({"text": text, "label": [[12, 18, "Tech Tools"], [23, 38, "Tech Tools"],
                                                        [42, 46, "Location"]]}) + "\n")
    result = evaluate(path, build_baseline(), n_bootstrap=10)
    assert result["docs"] == 1
    assert result["untyped"]["strict"]["gold"] == 2
    assert result["conversion"] == {"unknown_label": 1}


def test_cli_json_is_exactly_one_object(test_spacy):
    runner = CliRunner()
    out = runner.invoke(app, ["evaluate", str(test_spacy), "--json", "--bootstrap", "50"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    for key in ("docs", "typed", "untyped", "per_label", "ci95"):
        assert key in result
    assert result["docs"] == 39  # skill-annotated test resumes
    assert set(result["typed"]) == {"strict", "partial"}
    assert set(result["per_label"]) <= {"TECH_TOOL", "JOB_SKILL", "SOFT_SKILL"}
    assert len(result["ci95"]["untyped_strict_f"]) == 2


def test_cli_missing_file_is_a_clear_error(tmp_path):
    out = CliRunner().invoke(app, ["evaluate", str(tmp_path / "nope.spacy")])
    assert out.exit_code == 1
    assert "no such file" in out.output


def _doc_with_ents(text: str, spans: list[tuple[int, int, str]]):
    from skillner.annotate.convert import tokenizer_nlp

    doc = tokenizer_nlp().make_doc(text)
    doc.ents = [doc.char_span(s, e, label=l) for s, e, l in spans]
    return doc


def test_seen_unseen_recall_splits_gold_by_the_training_labels():
    """"python" was labelled in training (case and plural ignored); "Kubernetes" never was."""
    from skillner.measure.evaluate import seen_unseen_recall, span_key

    text = "Python, Kubernetes and Docker daily"
    gold = _doc_with_ents(text, [(0, 6, T), (8, 18, T), (23, 29, T)])
    pred = [(0, 6, T), (8, 14, T)]  # Python exact, Kubernetes cut short, Docker missed
    result = seen_unseen_recall([gold], [pred], {span_key("pythons"), span_key("Docker")}, n_bootstrap=20)
    assert result["seen"]["gold"] == 2 and result["unseen"]["gold"] == 1
    assert result["seen"]["strict"]["recall"] == 0.5
    assert result["unseen"]["strict"]["recall"] == 0.0 and result["unseen"]["partial"]["recall"] == 1.0
    assert result["unseen_share"] == pytest.approx(1 / 3)
    assert result["seen"]["strict"]["ci95"] == [0.5, 0.5]  # one document: every resample is the same


def test_cli_seen_from_reports_both_groups(test_spacy):
    out = CliRunner().invoke(app, ["evaluate", str(test_spacy), "--json", "--bootstrap", "20",
                                   "--seen-from", str(test_spacy)])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    split = result["seen_unseen"]
    assert split["unseen"]["gold"] == 0  # every gold string of a file is among its own labels
    assert split["seen"]["gold"] == 702
    recall = result["untyped"]["strict"]["r"]
    assert split["seen"]["strict"]["recall"] == pytest.approx(recall)  # all spans seen: the overall recall
    table = CliRunner().invoke(app, ["evaluate", str(test_spacy), "--bootstrap", "0", "--seen-from", str(test_spacy)])
    assert f"seen     702 gold spans: strict {recall:.3f}" in table.output


def test_cli_seen_from_missing_file_is_a_clear_error(test_spacy, tmp_path):
    out = CliRunner().invoke(app, ["evaluate", str(test_spacy), "--seen-from", str(tmp_path / "train.spacy")])
    assert out.exit_code == 1 and "no such file" in out.output
