"""The annotation-cost ledger: how many seconds (and how much money) each labelled resume took.

One row per (resume, annotator), from whichever evidence exists, best first:
- Doccano events (`skillner doccano pull` writes them): an annotator's confirmations are put
  in time order, and the gap before an example's confirmation, capped at the idle limit, is
  its active time. The first example of a session (no earlier confirmation, or a gap over
  the cap) gets the time from its own first span to its confirmation instead, and the prior
  when it has no span.
- Prodigy `_timestamp` / `_session_id`: the same rule on answer times within a session.
- A hand-kept CSV of hours per batch (`annotator,hours,resume_ids` with ids separated by
  `;`), spread over the batch's resumes in proportion to their prior time.
- Otherwise the prior from `configs/cost.toml` (seconds per resume, span and word).
Cost is active time × hourly rate × (1 + review overhead).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from skillner import REPO_ROOT

DEFAULT_SETTINGS = REPO_ROOT / "configs" / "cost.toml"
LEDGER_COLUMNS = ["resume_id", "annotator", "seconds", "words", "spans", "source", "cost", "currency"]


@dataclass(frozen=True)
class CostSettings:
    hourly_rate: float
    currency: str
    idle_cap_seconds: float
    overhead: float
    prior_seconds_per_resume: float
    prior_seconds_per_span: float
    prior_seconds_per_word: float

    @classmethod
    def load(cls, path: Path | None = None) -> "CostSettings":
        data = tomllib.loads(Path(path or DEFAULT_SETTINGS).read_text(encoding="utf-8"))
        prior = data["prior"]
        return cls(float(data["hourly_rate"]), data["currency"], float(data["idle_cap_seconds"]),
                   float(data["overhead"]), float(prior["seconds_per_resume"]), float(prior["seconds_per_span"]),
                   float(prior["seconds_per_word"]))

    def prior_seconds(self, words, spans):
        """The prior's time for a resume: the larger of the per-word and per-span estimates,
        never below the median resume (both figures come from the same public export)."""
        return np.maximum(self.prior_seconds_per_resume,
                          np.maximum(np.asarray(words) * self.prior_seconds_per_word,
                                     np.asarray(spans) * self.prior_seconds_per_span))

    def money(self, seconds):
        return np.asarray(seconds) / 3600.0 * self.hourly_rate * (1.0 + self.overhead)


def _finish(rows: pd.DataFrame, settings: CostSettings) -> pd.DataFrame:
    rows = rows.assign(cost=settings.money(rows["seconds"]).round(4), currency=settings.currency)
    return rows[LEDGER_COLUMNS].sort_values(["annotator", "resume_id"]).reset_index(drop=True)


def _sessions(times: pd.Series, cap: float) -> pd.Series:
    """Seconds since the previous event when within the cap, NaN where a session starts."""
    gaps = times.diff().dt.total_seconds()
    return gaps.where(gaps <= cap)


def ledger_from_events(events: pd.DataFrame, settings: CostSettings) -> pd.DataFrame:
    """The ledger from a Doccano events table (rows `span` and `confirmed`)."""
    events = events.copy()
    if "resume_id" in events:  # report skillner's resume ids, not Doccano's example ids
        names = events.groupby("example_id")["resume_id"].first()
    else:
        names = pd.Series({i: i for i in events["example_id"].unique()})
    for column in ("created_at", "updated_at", "confirmed_at"):
        events[column] = pd.to_datetime(events[column], utc=True, format="ISO8601")
    spans = events[events["event"] == "span"]
    span_stats = spans.groupby(["example_id", "annotator"]).agg(
        spans=("span_id", "count"), first_span=("created_at", "min"), last_span=("updated_at", "max"))
    words = events.groupby("example_id")["words"].max()
    confirmed = events[events["event"] == "confirmed"][["example_id", "annotator", "confirmed_at"]]
    rows = []
    for annotator, group in confirmed.groupby("annotator"):
        group = group.sort_values("confirmed_at").reset_index(drop=True)
        group["gap"] = _sessions(group["confirmed_at"], settings.idle_cap_seconds)
        for row in group.itertuples():
            stats = span_stats.loc[(row.example_id, annotator)] if (row.example_id, annotator) in span_stats.index else None
            n_spans = int(stats["spans"]) if stats is not None else 0
            if not np.isnan(row.gap):
                seconds, source = row.gap, "doccano_events"
            elif stats is not None:
                own = (row.confirmed_at - stats["first_span"]).total_seconds()
                seconds, source = min(max(own, 0.0), settings.idle_cap_seconds), "doccano_first_of_session"
            else:
                seconds, source = float(settings.prior_seconds(words[row.example_id], 0)), "prior"
            rows.append({"resume_id": row.example_id, "annotator": annotator, "seconds": float(seconds),
                         "words": int(words[row.example_id]), "spans": n_spans, "source": source})
    done = {(r["resume_id"], r["annotator"]) for r in rows}
    for (example_id, annotator), stats in span_stats.iterrows():
        if (example_id, annotator) not in done:  # labelled but never confirmed
            own = (stats["last_span"] - stats["first_span"]).total_seconds()
            rows.append({"resume_id": example_id, "annotator": annotator,
                         "seconds": float(min(max(own, 0.0), settings.idle_cap_seconds)),
                         "words": int(words[example_id]), "spans": int(stats["spans"]), "source": "doccano_unconfirmed"})
    table = pd.DataFrame(rows, columns=LEDGER_COLUMNS[:6])
    table["resume_id"] = table["resume_id"].map(names)
    return _finish(table, settings)


def ledger_from_prodigy(records: list[dict], settings: CostSettings) -> pd.DataFrame:
    """The ledger from Prodigy-style records with `_timestamp` (seconds) and `_session_id`."""
    table = pd.DataFrame({
        "resume_id": [str((r.get("meta") or {}).get("id", r.get("_input_hash"))) for r in records],
        "annotator": [r.get("_annotator_id") or r.get("_session_id") or "unknown" for r in records],
        "session": [r.get("_session_id") or r.get("_annotator_id") or "unknown" for r in records],
        "timestamp": [r.get("_timestamp") for r in records],
        "words": [len(r["text"].split()) for r in records],
        "spans": [len(r.get("spans") or []) for r in records],
    })
    table["time"] = pd.to_datetime(table["timestamp"], unit="s", utc=True)
    table = table.sort_values(["session", "time"])
    table["seconds"] = table.groupby("session")["time"].transform(lambda t: _sessions(t, settings.idle_cap_seconds))
    first = table["seconds"].isna()
    table.loc[first, "seconds"] = settings.prior_seconds(table.loc[first, "words"], table.loc[first, "spans"])
    table["source"] = np.where(first, "prior_first_of_session", "prodigy_timestamps")
    table.loc[table["timestamp"].isna(), "source"] = "prior"
    return _finish(table, settings)


def ledger_from_hours(hours: pd.DataFrame, resumes: pd.DataFrame, settings: CostSettings) -> pd.DataFrame:
    """Spread hand-kept hours per batch over the batch's resumes (columns `resume_id, words, spans`)."""
    resumes = resumes.set_index("resume_id")
    rows = []
    for batch in hours.itertuples():
        ids = [i.strip() for i in str(batch.resume_ids).split(";") if i.strip()]
        missing = [i for i in ids if i not in resumes.index]
        if missing:
            raise ValueError(f"hours file names resumes that are not in the data: {missing[:5]}")
        part = resumes.loc[ids]
        weights = settings.prior_seconds(part["words"], part["spans"])
        seconds = batch.hours * 3600.0 * weights / weights.sum()
        rows += [{"resume_id": i, "annotator": batch.annotator, "seconds": float(s), "words": int(w),
                  "spans": int(n), "source": "hours_file"}
                 for i, s, w, n in zip(ids, seconds, part["words"], part["spans"])]
    return _finish(pd.DataFrame(rows, columns=LEDGER_COLUMNS[:6]), settings)


def resume_table(records: list[dict]) -> pd.DataFrame:
    """`resume_id, annotator, words, spans` of labelled records."""
    return pd.DataFrame({
        "resume_id": [str((r.get("meta") or {}).get("id", i)) for i, r in enumerate(records)],
        "annotator": [r.get("_annotator_id") or "unknown" for r in records],
        "words": [len(r["text"].split()) for r in records],
        "spans": [len(r.get("spans") or []) for r in records],
    })


def ledger_from_prior(records: list[dict], settings: CostSettings) -> pd.DataFrame:
    """The prior alone, labelled as such, for data with no timing evidence at all."""
    table = resume_table(records)
    table["seconds"] = settings.prior_seconds(table["words"], table["spans"])
    table["source"] = "prior"
    return _finish(table, settings)


def fit_time_model(ledger: pd.DataFrame, exclude_sources: tuple[str, ...] = ("prior", "prior_first_of_session")):
    """Robust regression of seconds on words and spans, on measured rows only (Huber loss,
    so a few forgotten-open sessions do not drag the line)."""
    from sklearn.linear_model import HuberRegressor

    measured = ledger[~ledger["source"].isin(exclude_sources)]
    if len(measured) < 3:
        raise ValueError(f"need at least 3 measured ledger rows to fit a time model, have {len(measured)}")
    X = measured[["words", "spans"]].to_numpy(dtype=float)
    model = HuberRegressor(max_iter=5000).fit(X, measured["seconds"].to_numpy(dtype=float))
    return model


def predict_seconds(model, words, spans) -> np.ndarray:
    """Predicted active seconds for unlabelled resumes; spans can come from a model's predictions."""
    X = np.column_stack([np.asarray(words, dtype=float), np.asarray(spans, dtype=float)])
    return np.maximum(model.predict(X), 0.0)


def report(ledger: pd.DataFrame, out_dir: Path, settings: CostSettings) -> dict:
    """Seconds and money per resume, per span and per annotator; a markdown summary and a plot."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    per_annotator = ledger.groupby("annotator").agg(
        resumes=("resume_id", "count"), seconds=("seconds", "sum"), spans=("spans", "sum"), cost=("cost", "sum"))
    per_annotator["seconds_per_resume"] = per_annotator["seconds"] / per_annotator["resumes"]
    summary = {
        "currency": settings.currency, "hourly_rate": settings.hourly_rate, "overhead": settings.overhead,
        "resumes": int(ledger["resume_id"].nunique()), "rows": len(ledger),
        "hours": float(ledger["seconds"].sum() / 3600), "cost": float(ledger["cost"].sum()),
        "median_seconds_per_resume": float(ledger["seconds"].median()),
        "cost_per_resume": float(ledger["cost"].sum() / max(len(ledger), 1)),
        "seconds_per_span": float(ledger["seconds"].sum() / max(ledger["spans"].sum(), 1)),
        "cost_per_span": float(ledger["cost"].sum() / max(ledger["spans"].sum(), 1)),
        "sources": ledger["source"].value_counts().to_dict(),
        "per_annotator": per_annotator.round(2).reset_index().to_dict(orient="records"),
    }
    lines = [f"# Annotation cost ({len(ledger)} resume-annotator rows)", "",
             f"- {summary['hours']:.1f} annotator hours, {summary['cost']:.2f} {settings.currency} "
             f"at {settings.hourly_rate} {settings.currency}/h with {settings.overhead:.0%} review overhead",
             f"- median {summary['median_seconds_per_resume']:.0f} s per resume; "
             f"{summary['seconds_per_span']:.1f} s and {summary['cost_per_span']:.3f} {settings.currency} per span",
             f"- where the times come from: {summary['sources']}", "",
             "| annotator | resumes | hours | s/resume | spans | cost |", "|---|---|---|---|---|---|"]
    for row in summary["per_annotator"]:
        lines.append(f"| {row['annotator']} | {row['resumes']} | {row['seconds'] / 3600:.2f} | "
                     f"{row['seconds_per_resume']:.0f} | {row['spans']} | {row['cost']:.2f} |")
    (out_dir / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    fig, ax = plt.subplots(figsize=(6, 4))
    for source, part in ledger.groupby("source"):
        ax.scatter(part["words"], part["seconds"], s=12, label=source, alpha=0.7)
    ax.set_xlabel("words in resume")
    ax.set_ylabel("active seconds")
    ax.set_title("Annotation time per resume")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out_dir / "cost.png", dpi=120)
    plt.close(fig)
    return summary
