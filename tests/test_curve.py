"""The learning-curve fit on synthetic points, and a small real curve end to end."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skillner.measure.curve import (
    Budget,
    CurveSpec,
    backtest,
    fit_power_law,
    geometric_sizes,
    power_law,
    resumes_needed,
    run_curve,
    summarise_fit,
)

ROOT = Path(__file__).resolve().parents[1]


def synthetic_runs(a=0.72, b=0.9, c=0.55, sizes=(10, 18, 33, 60, 109, 198), seeds=3, noise=0.01, seed=0):
    rng = np.random.default_rng(seed)
    rows = [{"config": "x", "size": n, "seed": s, "strict_f": power_law(n, a, b, c) + rng.normal(0, noise),
             "train_seconds": 1.0} for n in sizes for s in range(seeds)]
    return pd.DataFrame(rows)


def test_fit_recovers_known_parameters():
    runs = synthetic_runs(noise=0.002)
    means = runs.groupby("size")["strict_f"].mean()
    a, b, c = fit_power_law(means.index, means.values)
    assert (a, b, c) == pytest.approx((0.72, 0.9, 0.55), rel=0.05)


def test_targets_below_and_beyond_the_asymptote():
    summary = summarise_fit(synthetic_runs(), targets=[0.6, 0.95], n_boot=200)
    below, beyond = summary["targets"]["0.6"], summary["targets"]["0.95"]
    truth = (0.9 / (0.72 - 0.6)) ** (1 / 0.55)
    assert below["p_reachable"] > 0.9
    assert below["ci80"][0] < truth < below["ci80"][1]
    assert beyond["p_reachable"] < 0.15 and "median" not in beyond
    lo, hi = summary["asymptote_ci80"]
    assert lo < 0.72 < hi


def test_resumes_needed_is_infinite_past_the_asymptote():
    draws = np.array([[0.7, 1.0, 0.5], [0.8, 1.0, 0.5]])
    n = resumes_needed(draws, 0.75)
    assert np.isinf(n[0]) and n[1] == pytest.approx((1.0 / 0.05) ** 2)


def test_backtest_predicts_the_full_size_from_the_first_half():
    result = backtest(synthetic_runs(noise=0.005))
    assert result["fit_sizes"] == [10, 18, 33, 60]
    assert abs(result["error"]) < 0.02 and result["covered"]


def test_geometric_sizes():
    assert geometric_sizes(10, 198, 6) == [10, 18, 33, 60, 109, 198]


@pytest.mark.slow
def test_small_real_curve_end_to_end_and_cache_resumption(tmp_path, curve_data):
    spec = CurveSpec(configs=["scratch"], sizes=[3, 6], seeds=[0], budget=Budget(max_steps=6, eval_frequency=3,
                                                                                  patience=6))
    first = run_curve(spec, curve_data, tmp_path / "runs", workers=2)
    assert len(first) == 2 and not first["cached"].any()
    assert first["strict_f"].between(0, 1).all() and (first["train_seconds"] > 0).all()
    spec.sizes = [3, 6, 9]  # one more size trains only that size
    second = run_curve(spec, curve_data, tmp_path / "runs", workers=2)
    assert second["cached"].tolist() == [True, True, False]
    assert second.iloc[:2]["strict_f"].tolist() == first["strict_f"].tolist()


def test_reused_runs_are_taken_by_key_and_others_trained(tmp_path, curve_data):
    """A runs table from an earlier curve stands in for training where its key matches."""
    spec = CurveSpec(configs=["scratch"], sizes=[3], seeds=[0, 1], budget=Budget(max_steps=4, eval_frequency=2,
                                                                                 patience=4))
    data = curve_data
    from skillner.measure.curve import run_key

    key0 = run_key(ROOT / "configs" / "scratch.cfg", data / "train.spacy", data / "dev.spacy", 3, 0, spec.budget)
    earlier = pd.DataFrame([{"config": "scratch", "size": 3, "seed": 0, "strict_f": 0.123, "train_seconds": 9.0,
                             "key": key0},
                            {"config": "scratch", "size": 3, "seed": 1, "strict_f": 0.456, "train_seconds": 9.0,
                             "key": "stale-inputs"}])
    runs = run_curve(spec, data, tmp_path / "runs", workers=1, reuse=earlier)
    assert runs["cached"].tolist() == [True, False]
    assert runs.iloc[0]["strict_f"] == 0.123 and runs.iloc[1]["strict_f"] != 0.456
    assert 0 <= runs.iloc[1]["unseen_recall"] <= 1 and 0 <= runs.iloc[1]["seen_recall"] <= 1


@pytest.mark.slow
def test_uncertainty_strategy_grows_the_set_with_the_least_certain_resumes(tmp_path, curve_data):
    import json

    from skillner.annotate.convert import read_docbin
    from skillner.measure.curve import random_order, uncertainty_ranking

    data = curve_data
    spec = CurveSpec(configs=["scratch"], sizes=[3, 6], seeds=[0], budget=Budget(max_steps=6, eval_frequency=3,
                                                                                 patience=6))
    runs = run_curve(spec, data, tmp_path / "runs", workers=1, strategy="uncertainty")
    assert runs["strategy"].tolist() == ["uncertainty", "uncertainty"] and runs["size"].tolist() == [3, 6]
    first, second = (json.loads((tmp_path / "runs" / k / "chosen.json").read_text()) for k in runs["key"])
    n_docs = len(read_docbin(data / "train.spacy"))
    assert first == random_order(n_docs, 0)[:3] and second[:3] == first
    pool = [i for i in range(n_docs) if i not in first]
    model = tmp_path / "runs" / runs["key"][0] / "model" / "model-best"
    assert second[3:] == uncertainty_ranking(model, data / "train.spacy", pool)[:3]


def test_compare_strategies_reports_score_and_annotation_hours(tmp_path):
    import json

    from skillner.annotate.convert import tokenizer_nlp
    from skillner.measure.cost import CostSettings
    from skillner.measure.curve import compare_strategies

    nlp = tokenizer_nlp()
    docs = [nlp.make_doc("word " * n) for n in (100, 1000, 200, 300)]
    for key, chosen in (("r", [0, 2]), ("u", [1, 3])):
        (tmp_path / key).mkdir()
        (tmp_path / key / "chosen.json").write_text(json.dumps(chosen))
    random_runs = pd.DataFrame([{"config": "cpu", "size": 2, "seed": 0, "strict_f": 0.40, "key": "r"}])
    other = pd.DataFrame([{"config": "cpu", "size": 2, "seed": 0, "strict_f": 0.45, "key": "u",
                           "strategy": "uncertainty"}])
    section = compare_strategies(random_runs, other, tmp_path, docs, CostSettings.load())
    # prior: max(646 s, 2 s/word) -> random 646 + 646 s = 0.4 h, uncertainty 2000 + 646 s = 0.7 h
    assert "| cpu | 2 | 0.400 | 0.450 | +0.050 | 0.4 | 0.7 |" in section


def test_strategy_gaps_measure_the_offset_from_randoms_fitted_curve():
    from skillner.measure.curve import power_law, strategy_gaps

    sizes = [10, 20, 40, 80, 160]
    rng = np.random.default_rng(0)
    random_runs = pd.DataFrame([{"config": "cpu", "size": n, "seed": s, "hours": n * 0.5,
                                 "strict_f": power_law(n, 0.7, 1.0, 0.5) + rng.normal(0, 0.003)}
                                for n in sizes for s in range(3)])
    # 0.05 better at the same size, on resumes that cost half as much each
    other = pd.DataFrame([{"config": "cpu", "size": n, "seed": s, "hours": n * 0.25,
                           "strict_f": power_law(n, 0.7, 1.0, 0.5) + 0.05} for n in sizes for s in range(3)])
    gap = strategy_gaps(random_runs, other)["cpu"]
    assert gap["runs"] == 9  # first and last size left out
    assert abs(gap["per_resume"]["mean"] - 0.05) < 0.01
    assert gap["per_resume"]["ci95"][0] < 0.05 < gap["per_resume"]["ci95"][1] + 0.01
    assert gap["per_hour"]["mean"] > gap["per_resume"]["mean"]  # cheaper resumes: ahead at equal hours
