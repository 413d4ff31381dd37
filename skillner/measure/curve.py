"""Learning curves: F1 against labelled resumes, fitted, extrapolated and priced.

Each point is an independent training process (a CNN trains on one core, so `workers`
runs go at once) on a random subset of the train split, scored on the fixed test split
with skillner's evaluator. Subsets are nested per seed (seed s takes the first n resumes of
its own shuffle), so a larger size only adds resumes. Every run uses the same budget
(a step cap with patience on the fixed dev split) and is cached by (config, data, size,
seed, budget), so an interrupted curve resumes and an added size trains only that size.

The fit is an inverse power law F(n) = a - b * n^(-c) (weighted nonlinear least squares as
in Figueroa et al. 2012), with uncertainty from a parametric bootstrap over the spread of the seeds
at every size (see `bootstrap_fits`).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import curve_fit

from skillner import REPO_ROOT


@dataclass(frozen=True)
class Budget:
    """The training budget, identical at every point of the curve."""

    max_steps: int = 500
    eval_frequency: int = 100
    patience: int = 300


@dataclass
class CurveSpec:
    configs: list[str] = field(default_factory=lambda: ["cpu", "scratch"])
    sizes: list[int] = field(default_factory=list)
    seeds: list[int] = field(default_factory=lambda: [0, 1, 2])
    budget: Budget = field(default_factory=Budget)


def geometric_sizes(smallest: int, largest: int, count: int) -> list[int]:
    """`count` sizes from `smallest` to `largest`, evenly spaced on a log scale."""
    return sorted({int(round(x)) for x in np.geomspace(smallest, largest, count)})


def _file_hash(path: Path) -> str:
    return hashlib.sha1(Path(path).read_bytes()).hexdigest()[:12]


def run_key(config: Path, train: Path, dev: Path, size: int, seed: int, budget: Budget, extra: str = "") -> str:
    parts = [_file_hash(config), _file_hash(train), _file_hash(dev), str(size), str(seed), json.dumps(asdict(budget))]
    return hashlib.sha1("|".join(parts + ([extra] if extra else [])).encode()).hexdigest()[:16]


def random_order(n_docs: int, seed: int) -> list[int]:
    """Train-split indices shuffled by `seed`: the first n of them are the size-n subset."""
    order = list(range(n_docs))
    random.Random(seed).shuffle(order)
    return order


def train_and_score(config: Path, data_dir: Path, size: int, seed: int, budget: Budget, cache: Path,
                    chosen: list[int] | None = None, strategy: str = "random", gpu_id: int = -1) -> dict:
    """One point of the curve, in its own process (which dies with its caller: a killed run
    leaves no training behind to race its retry); cached on disk by its key.

    `chosen` is the list of train-split indices to train on; by default the random subset.
    """
    from skillner.annotate.convert import read_docbin, write_docbin
    from skillner.runtime.processes import die_with_parent

    train, dev, test = data_dir / "train.spacy", data_dir / "dev.spacy", data_dir / "test.spacy"
    extra = "" if chosen is None else f"{strategy}:{hashlib.sha1(json.dumps(chosen).encode()).hexdigest()}"
    key = run_key(config, train, dev, size, seed, budget, extra)
    run_dir = cache / key
    result_path = run_dir / "result.json"
    if result_path.exists():
        return {**json.loads(result_path.read_text()), "cached": True}
    run_dir.mkdir(parents=True, exist_ok=True)
    docs = read_docbin(train)
    chosen = chosen if chosen is not None else random_order(len(docs), seed)[:size]
    write_docbin(run_dir / "train.spacy", [docs[i] for i in chosen])
    (run_dir / "chosen.json").write_text(json.dumps(chosen) + "\n")
    command = [sys.executable, "-m", "skillner.cli", "train", str(config), "--output", str(run_dir / "model"),
               "--paths.train", str(run_dir / "train.spacy"), "--paths.dev", str(dev), "--system.seed", str(seed),
               "--training.max_steps", str(budget.max_steps), "--training.eval_frequency", str(budget.eval_frequency),
               "--training.patience", str(budget.patience), "--gpu-id", str(gpu_id)]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO_ROOT, preexec_fn=die_with_parent)
    seconds = time.perf_counter() - start
    (run_dir / "train.log").write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        raise RuntimeError(f"training {config.stem} size {size} seed {seed} failed; see {run_dir / 'train.log'}")
    from skillner.measure.evaluate import evaluate

    scored = evaluate(test, run_dir / "model" / "model-best", n_bootstrap=100, seen_from=run_dir / "train.spacy")
    result = {"config": config.stem, "strategy": strategy, "size": size, "seed": seed, "strict_f": scored["untyped"]["strict"]["f"],
              "partial_f": scored["untyped"]["partial"]["f"], "typed_strict_f": scored["typed"]["strict"]["f"],
              "unseen_recall": scored["seen_unseen"]["unseen"]["strict"]["recall"],
              "seen_recall": scored["seen_unseen"]["seen"]["strict"]["recall"],
              "train_seconds": round(seconds, 1), "key": key}
    result_path.write_text(json.dumps(result) + "\n")
    return {**result, "cached": False}


RUN_RETRIES = 2  # on Ray: times a run whose worker or node died is started again


class CurveError(RuntimeError):
    """Runs that failed (each named); the others are cached, so a re-run trains only these."""


def run_curve(spec: CurveSpec, data_dir: Path, cache: Path, workers: int = 1, configs_dir: Path | None = None,
              progress=None, strategy: str = "random", reuse: pd.DataFrame | None = None, engine: str = "local",
              address: str | None = None, gpus_per_run: float = 0.0) -> pd.DataFrame:
    """Every (config, size, seed) run, `workers` at a time; cached runs are not trained again.

    `reuse`: an earlier runs table; a random-subset run whose key (config, data, size, seed and
    budget hashed) is in it is taken from it instead of trained, so a fresh clone adds a
    config to the committed curve without re-running the others.

    `random`: independent runs on nested random subsets. `uncertainty`: per (config, seed) a
    chain that starts from the same random smallest subset and grows it with the pool resumes
    the previous model is least sure of (see `uncertainty_ranking`); chains run in parallel.

    `engine="ray"`: each run (or chain) is a Ray task on the cluster at `address` (None: a
    private one here) with one CPU and `gpus_per_run` GPUs, so runs go as wide as the cluster;
    `data_dir`, `cache` and the configs must be on a filesystem every node sees.
    """
    configs_dir = Path(configs_dir or REPO_ROOT / "configs").resolve()
    data_dir, cache = Path(data_dir).resolve(), Path(cache).resolve()  # the same paths for every node
    if strategy not in ("random", "uncertainty"):
        raise ValueError(f"unknown strategy {strategy!r}: use random or uncertainty")
    if engine not in ("local", "ray"):
        raise ValueError(f"unknown engine {engine!r}: use local or ray")
    rows: list[dict] = []

    def record(row: dict) -> dict:
        rows.append(row)
        if progress:
            progress(row)
        return row

    known = {}
    if reuse is not None and "key" in reuse:
        known = {row["key"]: row for row in reuse.to_dict("records") if isinstance(row.get("key"), str)}
    train, dev = data_dir / "train.spacy", data_dir / "dev.spacy"
    gpu_id = 0 if gpus_per_run > 0 else -1  # Ray shows a task only the GPUs it was given
    calls = []  # (function, args, what it is)
    for c in spec.configs:
        for seed in spec.seeds:
            if strategy == "uncertainty":
                calls.append((_chain, (configs_dir / f"{c}.cfg", data_dir, spec, seed, cache, strategy, gpu_id),
                              f"{c} seed {seed} (chain)"))
                continue
            for size in spec.sizes:
                key = run_key(configs_dir / f"{c}.cfg", train, dev, size, seed, spec.budget)
                if key in known:
                    record({**known[key], "cached": True})
                else:
                    calls.append((train_and_score, (configs_dir / f"{c}.cfg", data_dir, size, seed, spec.budget,
                                                    cache, None, strategy, gpu_id), f"{c} size {size} seed {seed}"))
    if engine == "ray":
        _run_on_ray(calls, address, gpus_per_run, record)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for future in [pool.submit(function, *args) for function, args, _ in calls]:
                result = future.result()
                for row in result if isinstance(result, list) else [result]:
                    record(row)
    table = pd.DataFrame(rows)
    table["strategy"] = strategy
    return table.sort_values(["config", "size", "seed"]).reset_index(drop=True)


def _chain(config: Path, data_dir: Path, spec: CurveSpec, seed: int, cache: Path, strategy: str,
           gpu_id: int) -> list[dict]:
    """The uncertainty strategy's runs for one (config, seed), each grown from the last."""
    from skillner.annotate.convert import read_docbin

    n_docs = len(read_docbin(data_dir / "train.spacy"))
    chosen = random_order(n_docs, seed)[:spec.sizes[0]]
    rows = []
    for i, size in enumerate(spec.sizes):
        rows.append(train_and_score(config, data_dir, size, seed, spec.budget, cache, list(chosen), strategy, gpu_id))
        if i + 1 < len(spec.sizes):
            pool = [j for j in range(n_docs) if j not in set(chosen)]
            ranked = uncertainty_ranking(cache / rows[-1]["key"] / "model" / "model-best", data_dir / "train.spacy", pool)
            chosen = chosen + ranked[:spec.sizes[i + 1] - size]
    return rows


def _run_on_ray(calls: list, address: str | None, gpus_per_run: float, record) -> None:
    """Each call a Ray task; rows recorded as tasks end. A task whose worker dies is retried
    (`RUN_RETRIES`); one that still fails, or whose training fails, is named in a CurveError
    once every other run has ended (and been cached)."""
    from skillner.runtime.cluster import ClusterError, connect, first_line, import_ray

    try:
        ray = import_ray("curve")
        connected_here = connect(ray, address)
    except ClusterError as error:
        raise CurveError(str(error)) from None
    try:
        pending = {ray.remote(function).options(num_cpus=1, num_gpus=gpus_per_run, max_retries=RUN_RETRIES)
                   .remote(*args): what for function, args, what in calls}
        failed = []
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            what = pending.pop(done[0])
            try:
                result = ray.get(done[0])
            except ray.exceptions.RayError as error:
                failed.append(f"{what}: {first_line(error.cause if getattr(error, 'cause', None) else error)}")
                continue
            for row in result if isinstance(result, list) else [result]:
                record(row)
        if failed:
            raise CurveError(f"{len(failed)} run(s) failed, the other {len(calls) - len(failed)} are done and "
                             "cached (run again to retry only these): " + "; ".join(failed))
    finally:
        if connected_here:
            ray.shutdown()


def uncertainty_ranking(model_dir: Path, train: Path, pool: list[int], beam_width: int = 8) -> list[int]:
    """Pool indices, least sure first: per word, the summed margin loss 1 - |2p - 1| of the
    entities a beam search finds (p = the beam's probability of that entity)."""
    import spacy

    from skillner.annotate.convert import read_docbin

    nlp = spacy.load(model_dir)
    ner = nlp.get_pipe(nlp.pipe_names[0])
    docs = read_docbin(train, nlp)
    scores = {}
    for start in range(0, len(pool), 16):
        batch = pool[start:start + 16]
        texts = [nlp.make_doc(docs[i].text) for i in batch]
        for i, doc, ents in zip(batch, texts, ner.scored_ents(ner.beam_parse(texts, beam_width=beam_width))):
            scores[i] = sum(1 - abs(2 * p - 1) for p in ents.values()) / max(len(doc), 1)
    return sorted(pool, key=lambda i: (-scores[i], i))


# --- the fit -------------------------------------------------------------------------------
def power_law(n, a, b, c):
    return a - b * np.power(n, -c)


def fit_power_law(sizes, scores, sigma=None) -> tuple[float, float, float]:
    """Weighted least squares fit of F(n) = a - b n^-c, with a in [0, 1] and c in (0, 3]."""
    sizes, scores = np.asarray(sizes, dtype=float), np.asarray(scores, dtype=float)
    p0 = [min(scores.max() + 0.05, 1.0), max(scores.max() - scores.min(), 0.1) * sizes.min() ** 0.5, 0.5]
    params, _ = curve_fit(power_law, sizes, scores, p0=p0, sigma=sigma, bounds=([0, 0, 1e-3], [1, np.inf, 3]),
                          maxfev=20000)
    return tuple(float(x) for x in params)


def _by_size(runs: pd.DataFrame, metric: str):
    grouped = runs.groupby("size")[metric]
    sizes = np.array(sorted(grouped.groups))
    return sizes, [grouped.get_group(s).to_numpy() for s in sizes]


def bootstrap_fits(runs: pd.DataFrame, metric: str = "strict_f", n: int = 500, seed: int = 0) -> np.ndarray:
    """Parameter draws (a, b, c) from refits to perturbed means.

    With a handful of seeds per size, resampling the runs themselves understates the noise
    (three values resampled give 2/3 of the variance, in a few discrete patterns). Instead each
    size's mean is drawn from its sampling distribution, mean + sd/sqrt(k) * t(k-1), which is
    wide when seeds disagree or are few. Checked on synthetic curves with known parameters
    (tests/test_curve.py).
    """
    sizes, groups = _by_size(runs, metric)
    means = np.array([g.mean() for g in groups])
    ses = np.array([_standard_error(g) for g in groups])
    dof = np.array([max(len(g) - 1, 1) for g in groups])
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(n):
        sample = means + ses * rng.standard_t(dof)
        try:
            draws.append(fit_power_law(sizes, sample, ses))
        except RuntimeError:
            continue
    return np.array(draws)


def _standard_error(values: np.ndarray) -> float:
    """Standard error of a size's mean, floored so that agreeing seeds do not claim certainty."""
    return max(values.std(ddof=1) if len(values) > 1 else 0.0, 0.01) / np.sqrt(len(values))


def resumes_needed(params: np.ndarray, target: float) -> np.ndarray:
    """n at which each fitted law reaches `target`; inf where its asymptote is below it."""
    a, b, c = params[:, 0], params[:, 1], params[:, 2]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        n = np.where(a > target, np.power(b / np.maximum(a - target, 1e-12), 1.0 / c), np.inf)
    return n


def summarise_fit(runs: pd.DataFrame, targets: list[float], metric: str = "strict_f", n_boot: int = 500) -> dict:
    """Point fit, asymptote interval and, per target, resumes needed with an 80 % interval."""
    sizes, groups = _by_size(runs, metric)
    means = [g.mean() for g in groups]
    point = fit_power_law(sizes, means, [_standard_error(g) for g in groups])
    draws = bootstrap_fits(runs, metric, n_boot)
    out = {"params": dict(zip("abc", point)), "asymptote_ci80": np.percentile(draws[:, 0], [10, 90]).tolist(),
           "asymptote_ci95": np.percentile(draws[:, 0], [2.5, 97.5]).tolist(), "bootstrap_fits": len(draws),
           "sizes": sizes.tolist(), "mean": means, "targets": {}}
    for target in targets:
        needed = resumes_needed(draws, target)
        reachable = np.isfinite(needed)
        entry = {"p_reachable": float(reachable.mean()),
                 "point": float(resumes_needed(np.array([point]), target)[0])}
        if reachable.mean() >= 0.5:
            with np.errstate(invalid="ignore"):
                lo, mid, hi = np.percentile(np.where(reachable, needed, np.inf), [10, 50, 90])
            entry.update({"median": float(mid), "ci80": [float(lo), float(hi)]})
        out["targets"][str(target)] = entry
    out["_draws"] = draws
    return out


def backtest(runs: pd.DataFrame, metric: str = "strict_f", n_boot: int = 300) -> dict:
    """Fit on the sizes up to half the largest, predict the largest; error and 80 % coverage."""
    largest = runs["size"].max()
    early = runs[runs["size"] <= largest / 2]
    measured = float(runs[runs["size"] == largest][metric].mean())
    if early["size"].nunique() < 3:
        return {"skipped": "fewer than 3 sizes up to half the data"}
    sizes, groups = _by_size(early, metric)
    point = fit_power_law(sizes, [g.mean() for g in groups], [_standard_error(g) for g in groups])
    draws = bootstrap_fits(early, metric, n_boot)
    predictions = power_law(largest, draws[:, 0], draws[:, 1], draws[:, 2])
    lo, hi = np.percentile(predictions, [10, 90])
    predicted = float(power_law(largest, *point))
    return {"fit_sizes": sizes.tolist(), "predict_size": int(largest), "predicted": predicted, "measured": measured,
            "error": predicted - measured, "ci80": [float(lo), float(hi)], "covered": bool(lo <= measured <= hi)}


# --- the report ----------------------------------------------------------------------------
def seconds_per_resume(ledger_path: Path | None, train_docs, settings) -> tuple[float, str]:
    """Annotator seconds per resume: the ledger's mean where one exists, else the prior on the
    train resumes (labelled as such)."""
    if ledger_path and Path(ledger_path).exists():
        ledger = pd.read_csv(ledger_path)
        return float(ledger["seconds"].mean()), f"ledger {ledger_path} ({len(ledger)} rows)"
    words = [len(d) for d in train_docs]
    spans = [len(d.ents) for d in train_docs]
    prior = float(np.mean(settings.prior_seconds(words, spans)))
    return prior, ("prior (no ledger): a public Label Studio export's 646 s per resume median, 17.3 s per span, "
                   "2.0 s per word, applied to the train resumes")


def build_report(runs: pd.DataFrame, baseline_f: float, targets: list[float], out_dir: Path,
                 seconds_per_doc: float, cost_source: str, settings, wall_seconds: float | None = None) -> dict:
    """fit.json, curve.png and report.md from the runs table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    money_per_doc = float(settings.money(seconds_per_doc))
    fits, backtests = {}, {}
    for config, part in runs.groupby("config"):
        fits[config] = summarise_fit(part, targets)
        backtests[config] = backtest(part)
    savings = {config: transfer_savings(fits[config]["_draws"], fits["scratch"]["_draws"], targets, money_per_doc)
               for config in fits if config != "scratch" and "scratch" in fits}
    _plot(runs, fits, baseline_f, out_dir / "curve.png", seconds_per_doc)
    fit_json = {"targets": targets, "baseline_f": baseline_f, "seconds_per_resume": seconds_per_doc,
                "money_per_resume": money_per_doc, "currency": settings.currency, "cost_source": cost_source,
                "fits": {c: {k: v for k, v in f.items() if k != "_draws"} for c, f in fits.items()},
                "backtest": backtests, "transfer_savings": savings, "wall_seconds": wall_seconds,
                "sum_run_seconds": float(runs["train_seconds"].sum()), "generalisation": _unseen_table(runs)}
    (out_dir / "fit.json").write_text(json.dumps(fit_json, indent=1) + "\n")
    (out_dir / "report.md").write_text(_markdown(runs, fit_json), encoding="utf-8")
    return fit_json


def transfer_savings(draws: np.ndarray, scratch_draws: np.ndarray, targets: list[float], money_per_doc: float) -> dict:
    """Per target, resumes (and money) a config needs fewer than `scratch`, from paired fit draws."""
    savings = {}
    for target in targets:
        a = resumes_needed(draws, target)
        b = resumes_needed(scratch_draws, target)
        k = min(len(a), len(b))
        with np.errstate(invalid="ignore"):
            diff = b[:k] - a[:k]
        both = np.isfinite(diff)
        entry = {"p_both_reachable": float(both.mean())}
        if both.mean() >= 0.5:
            lo, mid, hi = np.percentile(diff[both], [10, 50, 90])
            entry.update({"resumes_saved_median": float(mid), "ci80": [float(lo), float(hi)],
                          "money_saved_median": float(mid * money_per_doc)})
        savings[str(target)] = entry
    return savings


def _unseen_table(runs: pd.DataFrame) -> dict:
    """Mean strict recall of never-labelled vs labelled skill strings per config and size (runs that measured it)."""
    if "unseen_recall" not in runs:
        return {}
    measured = runs.dropna(subset=["unseen_recall"])
    return {config: {str(int(size)): {"unseen_recall": float(g["unseen_recall"].mean()),
                                      "seen_recall": float(g["seen_recall"].mean()), "runs": len(g)}
                     for size, g in part.groupby("size")}
            for config, part in measured.groupby("config")}


def _plot(runs, fits, baseline_f, path, seconds_per_doc) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    largest = runs["size"].max()
    grid = np.geomspace(runs["size"].min(), largest * 8, 200)
    for (config, part), colour in zip(runs.groupby("config"), ["#1565c0", "#ef6c00", "#2e7d32"]):
        stats = part.groupby("size")["strict_f"].agg(["mean", "min", "max"])
        ax.plot(stats.index, stats["mean"], "o", color=colour, label=f"{config} (mean of seeds)")
        ax.fill_between(stats.index, stats["min"], stats["max"], color=colour, alpha=0.15)
        draws = fits[config]["_draws"]
        curves = power_law(grid[None, :], draws[:, :1], draws[:, 1:2], draws[:, 2:3])
        lo, hi = np.percentile(curves, [10, 90], axis=0)
        p = fits[config]["params"]
        ax.plot(grid, power_law(grid, p["a"], p["b"], p["c"]), "-", color=colour, lw=1)
        ax.fill_between(grid, lo, hi, color=colour, alpha=0.08, label=f"{config} fit, 80 % band")
    ax.axhline(baseline_f, color="grey", ls="--", lw=1, label="dictionary baseline (0 labelled resumes)")
    ax.axvline(largest, color="black", ls=":", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("labelled resumes")
    ax.set_ylabel("untyped strict F1 (test split)")
    ax.legend(fontsize=7, loc="lower right")
    top = ax.secondary_xaxis("top", functions=(lambda n: n * seconds_per_doc / 3600,
                                                lambda h: h * 3600 / seconds_per_doc))
    top.set_xlabel("annotator hours")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _markdown(runs: pd.DataFrame, fit: dict) -> str:
    cur = fit["currency"]
    lines = ["# How many labelled resumes does skill extraction need?", "",
             f"{len(runs)} training runs: configs {', '.join(sorted(runs['config'].unique()))}, sizes "
             f"{', '.join(str(int(s)) for s in sorted(runs['size'].unique()))}, {runs['seed'].nunique()} seeds each, all scored on the same "
             f"test split (untyped strict F1). Dictionary baseline (no labelled data): {fit['baseline_f']:.3f}.",
             f"One resume costs {fit['seconds_per_resume']:.0f} s of annotation, {fit['money_per_resume']:.2f} {cur} "
             f"({fit['cost_source']}).", ""]
    for config, f in fit["fits"].items():
        p = f["params"]
        lo, hi = f["asymptote_ci80"]
        bound = " The asymptote sits at the fit's bound of 1.0: the measured sizes show no saturation yet, so the ceiling is not identified by these data." if p["a"] > 0.999 else ""
        lines += [f"## {config}", "",
                  f"F(n) = {p['a']:.3f} - {p['b']:.3f} n^-{p['c']:.3f}; asymptote {p['a']:.3f} "
                  f"(80 % interval {lo:.3f}-{hi:.3f}).{bound}", "",
                  "| target F1 | resumes needed (80 % interval) | P(reachable) | annotator hours | cost |",
                  "|---|---|---|---|---|"]
        largest = int(runs["size"].max())
        for target, t in f["targets"].items():
            if "median" in t:
                n, (a, b) = t["median"], t["ci80"]
                hours = n * fit["seconds_per_resume"] / 3600
                span = f"{a:.0f}-{b:.0f}" if np.isfinite(b) else f"{a:.0f}-not reachable"
                far = " (far beyond the data: read as an order of magnitude)" if n > 4 * largest else ""
                lines.append(f"| {target} | {n:.0f} ({span}){far} | {t['p_reachable']:.2f} | {hours:.0f} | "
                             f"{n * fit['money_per_resume']:.0f} {cur} |")
            else:
                lines.append(f"| {target} | not reachable with this model | {t['p_reachable']:.2f} | | |")
        bt = fit["backtest"][config]
        if "skipped" in bt:
            lines += ["", f"Backtest: {bt['skipped']}."]
        else:
            lines += ["", f"Backtest: fitted on sizes {bt['fit_sizes']}, predicted F1 {bt['predicted']:.3f} at "
                          f"{bt['predict_size']} resumes, measured {bt['measured']:.3f} (error {bt['error']:+.3f}); "
                          f"80 % interval {bt['ci80'][0]:.3f}-{bt['ci80'][1]:.3f} "
                          f"{'covers' if bt['covered'] else 'does not cover'} the measured value."]
        lines.append("")
    for config, savings in fit["transfer_savings"].items():
        lines += [f"## What transfer saves ({config} against scratch)", "",
                  "| target F1 | resumes saved (80 % interval) | annotator hours saved | money saved | P(both reach it) |",
                  "|---|---|---|---|---|"]
        for target, s in savings.items():
            if "resumes_saved_median" in s:
                hours = s["resumes_saved_median"] * fit["seconds_per_resume"] / 3600
                lines.append(f"| {target} | {s['resumes_saved_median']:.0f} ({s['ci80'][0]:.0f} to "
                             f"{s['ci80'][1]:.0f}) | {hours:.0f} | {s['money_saved_median']:.0f} {cur} | "
                             f"{s['p_both_reachable']:.2f} |")
            else:
                lines.append(f"| {target} | - | - | - | {s['p_both_reachable']:.2f} |")
        lines.append("")
    if fit.get("generalisation"):
        lines += ["## Generalisation: recall of skill strings the training subset never labelled", "",
                  "Strict recall on the test split of gold spans whose text (normalised) is / is not among the",
                  "labels of the resumes that run trained on; mean over seeds. Runs trained before this was",
                  "recorded have no entry.", "",
                  "| config | resumes | unseen recall | seen recall | runs |", "|---|---|---|---|---|"]
        for config, by_size in fit["generalisation"].items():
            for size, g in by_size.items():
                lines.append(f"| {config} | {size} | {g['unseen_recall']:.3f} | {g['seen_recall']:.3f} | {g['runs']} |")
        lines.append("")
    if fit.get("wall_seconds"):
        lines.append(f"Wall time {fit['wall_seconds'] / 60:.1f} min for {fit['sum_run_seconds'] / 60:.1f} min of "
                     f"runs (speed-up {fit['sum_run_seconds'] / fit['wall_seconds']:.2f}).")
    return "\n".join(lines) + "\n"


def compare_strategies(random_runs: pd.DataFrame, other: pd.DataFrame, cache: Path, train_docs, settings) -> str:
    """Markdown: the other strategy against random selection, per resume and per annotator hour.

    The hours of a run are the prior's seconds of the resumes it was trained on, so a
    strategy that picks long resumes pays for them. Beyond the table, each run of the other
    strategy is set against random selection's fitted curve at the same resumes and at the
    same hours; the mean gap with a t interval over those runs is the answer.
    """
    def hours(row) -> float:
        stored = cache / str(row.get("key", "")) / "chosen.json"
        chosen = (json.loads(stored.read_text()) if row.get("key") and stored.exists()
                  else random_order(len(train_docs), int(row["seed"]))[:int(row["size"])])
        docs = [train_docs[i] for i in chosen]
        return float(np.sum(settings.prior_seconds([len(d) for d in docs], [len(d.ents) for d in docs])) / 3600)

    strategy = other["strategy"].iloc[0]
    random_runs, other = random_runs.copy(), other.copy()
    lines = [f"## {strategy} selection against random", "",
             "Mean test F1 over seeds; hours are the prior's annotation time of the resumes trained on.", "",
             f"| config | resumes | random F1 | {strategy} F1 | difference | random hours | {strategy} hours |",
             "|---|---|---|---|---|---|---|"]
    for table in (random_runs, other):
        table["hours"] = [hours(row) for _, row in table.iterrows()]
    for (config, size), part in other.groupby(["config", "size"]):
        base = random_runs[(random_runs["config"] == config) & (random_runs["size"] == size)]
        if base.empty:
            continue
        diff = part["strict_f"].mean() - base["strict_f"].mean()
        lines.append(f"| {config} | {size} | {base['strict_f'].mean():.3f} | {part['strict_f'].mean():.3f} | "
                     f"{diff:+.3f} | {base['hours'].mean():.1f} | {part['hours'].mean():.1f} |")
    gaps = strategy_gaps(random_runs, other)
    if gaps:
        lines += ["", f"Each {strategy} run against random selection's fitted curve (the first size, shared by both, "
                  "and the full train split, identical for both, left out); mean gap with a 95 % interval:", "",
                  "| config | runs | F1 gap at equal resumes | F1 gap at equal hours |", "|---|---|---|---|"]
        for config, gap in gaps.items():
            lines.append(f"| {config} | {gap['runs']} | {_gap_text(gap['per_resume'])} | {_gap_text(gap['per_hour'])} |")
        lines += ["", "An interval that includes 0 means no measurable difference at this many runs."]
    return "\n".join(lines) + "\n"


def strategy_gaps(random_runs: pd.DataFrame, other: pd.DataFrame) -> dict:
    """Per config: other's F1 minus random's fitted F1 at the same size, and at the same hours.

    Random selection's power law is fitted to its runs against resumes and, separately, against
    hours. The smallest and largest sizes are left out: there both strategies train on the
    same resumes.
    """
    from scipy import stats

    out = {}
    for config, part in other.groupby("config"):
        base = random_runs[random_runs["config"] == config]
        inner = part[(part["size"] > part["size"].min()) & (part["size"] < part["size"].max())]
        if base["size"].nunique() < 3 or len(inner) < 2:
            continue
        entry = {"runs": len(inner)}
        for name, x in (("per_resume", "size"), ("per_hour", "hours")):
            law = fit_power_law(base[x], base["strict_f"])
            gap = inner["strict_f"].to_numpy() - power_law(inner[x].to_numpy(dtype=float), *law)
            half = stats.t.ppf(0.975, len(gap) - 1) * gap.std(ddof=1) / np.sqrt(len(gap))
            entry[name] = {"mean": float(gap.mean()), "ci95": [float(gap.mean() - half), float(gap.mean() + half)]}
        out[config] = entry
    return out


def _gap_text(gap: dict) -> str:
    return f"{gap['mean']:+.3f} [{gap['ci95'][0]:+.3f}, {gap['ci95'][1]:+.3f}]"
