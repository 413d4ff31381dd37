"""The cost ledger on hand-made event streams, and the time model on synthetic data."""

import numpy as np
import pandas as pd
import pytest

from skillner.measure.cost import (
    CostSettings,
    fit_time_model,
    ledger_from_events,
    ledger_from_hours,
    ledger_from_prodigy,
    predict_seconds,
)

SETTINGS = CostSettings(hourly_rate=36.0, currency="EUR", idle_cap_seconds=600, overhead=0.5,
                        prior_seconds_per_resume=646.0, prior_seconds_per_span=17.3, prior_seconds_per_word=2.0)
T0 = pd.Timestamp("2026-01-05T09:00:00Z")


def span(example, who, at, words=100):
    t = (T0 + pd.Timedelta(seconds=at)).isoformat()
    return {"example_id": example, "event": "span", "annotator": who, "span_id": hash((example, at)) % 10**6,
            "created_at": t, "updated_at": t, "confirmed_at": None, "words": words}


def confirm(example, who, at, words=100):
    return {"example_id": example, "event": "confirmed", "annotator": who, "span_id": None, "created_at": None,
            "updated_at": None, "confirmed_at": (T0 + pd.Timedelta(seconds=at)).isoformat(), "words": words}


def by_example(ledger, who):
    rows = ledger[ledger["annotator"] == who].set_index("resume_id")
    return {k: (round(v["seconds"], 1), v["source"], v["spans"]) for k, v in rows.iterrows()}


def test_gaps_between_confirmations_idle_cap_and_session_starts():
    events = pd.DataFrame([
        span(1, "ann", 10), span(1, "ann", 50), confirm(1, "ann", 100),  # first of session: 100 - 10
        span(2, "ann", 150), confirm(2, "ann", 300),                     # gap 200
        span(3, "ann", 5000), confirm(3, "ann", 5100),                   # after a break: own span -> 100
        confirm(4, "ann", 5400, words=400),                              # gap 300, no spans needed
        confirm(5, "ann", 90000, words=400),                             # after a break, no span: prior
    ])
    ledger = ledger_from_events(events, SETTINGS)
    assert by_example(ledger, "ann") == {
        1: (90.0, "doccano_first_of_session", 2),
        2: (200.0, "doccano_events", 1),
        3: (100.0, "doccano_first_of_session", 1),
        4: (300.0, "doccano_events", 0),
        5: (800.0, "prior", 0),  # 400 words x 2.0 s beats the 646 s median
    }
    # money: 200 s at 36/h with 50 % overhead
    assert ledger.set_index("resume_id").loc[2, "cost"] == pytest.approx(200 / 3600 * 36 * 1.5)


def test_annotators_are_timed_separately_and_unconfirmed_work_is_kept():
    events = pd.DataFrame([
        span(1, "a", 0), confirm(1, "a", 60),
        span(1, "b", 30), confirm(1, "b", 400),
        confirm(2, "a", 100),
        span(3, "b", 1000), span(3, "b", 1240),  # labelled, never confirmed
    ])
    ledger = ledger_from_events(events, SETTINGS)
    assert by_example(ledger, "a") == {1: (60.0, "doccano_first_of_session", 1), 2: (40.0, "doccano_events", 0)}
    assert by_example(ledger, "b") == {1: (370.0, "doccano_first_of_session", 1),
                                       3: (240.0, "doccano_unconfirmed", 2)}


def test_first_span_long_before_confirmation_is_capped():
    events = pd.DataFrame([span(1, "a", 0), confirm(1, "a", 7200)])
    assert by_example(ledger_from_events(events, SETTINGS), "a")[1][0] == 600.0


def test_prodigy_sessions():
    records = [
        {"text": "w " * 50, "spans": [{}] * 2, "_session_id": "s1", "_annotator_id": "s1", "_timestamp": 1000,
         "meta": {"id": "r1"}},
        {"text": "w " * 50, "spans": [], "_session_id": "s1", "_annotator_id": "s1", "_timestamp": 1250,
         "meta": {"id": "r2"}},
        {"text": "w " * 50, "spans": [], "_session_id": "s1", "_annotator_id": "s1", "_timestamp": 9000,
         "meta": {"id": "r3"}},
        {"text": "w " * 50, "spans": [], "_session_id": "s2", "_annotator_id": "s2", "_timestamp": 1300,
         "meta": {"id": "r1"}},
    ]
    ledger = ledger_from_prodigy(records, SETTINGS)
    got = {(r.resume_id, r.annotator): (r.seconds, r.source) for r in ledger.itertuples()}
    assert got == {("r1", "s1"): (646.0, "prior_first_of_session"), ("r2", "s1"): (250.0, "prodigy_timestamps"),
                   ("r3", "s1"): (646.0, "prior_first_of_session"), ("r1", "s2"): (646.0, "prior_first_of_session")}


def test_hours_file_is_spread_by_prior_weight_and_checked():
    resumes = pd.DataFrame({"resume_id": ["a", "b"], "words": [323, 646], "spans": [0, 0]})
    hours = pd.DataFrame({"annotator": ["x"], "hours": [1.0], "resume_ids": ["a;b"]})
    ledger = ledger_from_hours(hours, resumes, SETTINGS).set_index("resume_id")
    assert ledger["seconds"].sum() == pytest.approx(3600)
    assert ledger.loc["b", "seconds"] == pytest.approx(3600 * 1292 / (646 + 1292))
    with pytest.raises(ValueError, match="not in the data"):
        ledger_from_hours(pd.DataFrame({"annotator": ["x"], "hours": [1.0], "resume_ids": ["zz"]}), resumes, SETTINGS)


def test_time_model_recovers_known_rates_despite_idle_outliers():
    rng = np.random.default_rng(0)
    words = rng.integers(100, 2000, 200)
    spans = rng.integers(0, 60, 200)
    seconds = 60 + 0.8 * words + 12 * spans + rng.normal(0, 20, 200)
    seconds[:8] += 20000  # sessions left open
    ledger = pd.DataFrame({"words": words, "spans": spans, "seconds": seconds, "source": "doccano_events"})
    model = fit_time_model(ledger)
    assert model.coef_ == pytest.approx([0.8, 12.0], rel=0.05)
    assert predict_seconds(model, [1000], [20])[0] == pytest.approx(60 + 800 + 240, rel=0.05)


def test_settings_file_loads():
    settings = CostSettings.load()
    assert settings.prior_seconds_per_resume == 646.0 and settings.idle_cap_seconds > 0


def test_cli_ledger_and_report_from_events(tmp_path):
    from typer.testing import CliRunner

    from skillner.cli import app

    rows = [span(1, "a", 0), confirm(1, "a", 60), confirm(2, "a", 160)]
    for row, name in zip(rows, ["dotin-7", "dotin-7", "dotin-9"]):
        row["resume_id"] = name
    pd.DataFrame(rows).to_csv(tmp_path / "e.events.csv", index=False)
    runner = CliRunner()
    out = runner.invoke(app, ["cost", "ledger", "--events", str(tmp_path / "e.events.csv"),
                              "--out", str(tmp_path / "ledger.csv")])
    assert out.exit_code == 0, out.output
    ledger = pd.read_csv(tmp_path / "ledger.csv")
    assert list(ledger["resume_id"]) == ["dotin-7", "dotin-9"] and list(ledger["seconds"]) == [60.0, 100.0]
    rep = runner.invoke(app, ["cost", "report", str(tmp_path / "ledger.csv"), "--out-dir", str(tmp_path / "r")])
    assert rep.exit_code == 0, rep.output
    assert (tmp_path / "r" / "cost.png").stat().st_size > 1000
    assert "| a | 2 |" in (tmp_path / "r" / "report.md").read_text()
    both = runner.invoke(app, ["cost", "ledger", "--events", "x.csv", "--prior"])
    assert both.exit_code == 1 and "exactly one source" in both.output


def test_cli_predict_fits_the_ledger_and_prices_new_resumes(tmp_path):
    import json

    from typer.testing import CliRunner

    from skillner.cli import app

    rng = np.random.default_rng(1)
    words = rng.integers(100, 1500, 40)
    spans = rng.integers(0, 40, 40)
    pd.DataFrame({"resume_id": range(40), "annotator": "a", "seconds": 30 + 0.5 * words + 10 * spans,
                  "words": words, "spans": spans, "source": "doccano_events", "cost": 0.0, "currency": "EUR"}
                 ).to_csv(tmp_path / "ledger.csv", index=False)
    (tmp_path / "new.jsonl").write_text(json.dumps({"text": "Python SQL " * 100}) + "\n")
    out = CliRunner().invoke(app, ["cost", "predict", str(tmp_path / "ledger.csv"), str(tmp_path / "new.jsonl")])
    assert out.exit_code == 0, out.output
    assert "0.50 s/word" in out.output and "10.0 s/span" in out.output
