"""`skillner curve --engine ray`: the local engine's rows from Ray tasks, a killed run retried,
a failed run named, never missing in silence."""

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from skillner.measure.curve import Budget, CurveError, CurveSpec, run_curve

pytest.importorskip("ray", reason="the ray extra: make install-ray (make test installs it)")

ROOT = Path(__file__).resolve().parents[1]
SPEC = CurveSpec(configs=["scratch"], sizes=[3, 6], seeds=[0], budget=Budget(max_steps=6, eval_frequency=3, patience=6))
COMPARED = ["config", "size", "seed", "key", "strict_f", "partial_f", "typed_strict_f", "unseen_recall", "seen_recall"]


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory) -> Path:
    import spacy
    from spacy.tokens import DocBin

    out = tmp_path_factory.mktemp("data")
    for name, n in (("train", 6), ("dev", 3), ("test", 3)):
        docs = list(DocBin().from_disk(ROOT / "build" / "data" / f"{name}.spacy").get_docs(spacy.blank("en").vocab))
        DocBin(docs=docs[:n]).to_disk(out / f"{name}.spacy")
    return out


def _kill_first_training(killed: list, stop: threading.Event) -> None:
    """SIGKILL the first Ray worker seen running a curve run (its training dies with it)."""
    while not stop.is_set() and not killed:
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and (entry / "cmdline").read_bytes().startswith(b"ray::train_and_score"):
                    os.kill(int(entry.name), signal.SIGKILL)
                    killed.append(int(entry.name))
                    break
            except OSError:
                pass
        time.sleep(0.2)


@pytest.mark.slow
def test_the_curve_on_ray_gives_the_local_rows_even_when_a_run_is_killed(ray_head, tiny_data, tmp_path):
    local = run_curve(SPEC, tiny_data, tmp_path / "local", workers=2)
    killed, stop = [], threading.Event()
    killer = threading.Thread(target=_kill_first_training, args=(killed, stop), daemon=True)
    killer.start()
    try:
        on_ray = run_curve(SPEC, tiny_data, tmp_path / "ray", engine="ray", address=ray_head.address)
    finally:
        stop.set()
    assert killed, "no run was seen to kill"
    assert on_ray[COMPARED].to_dict("records") == local[COMPARED].to_dict("records")
    assert not on_ray["cached"].any() and len(on_ray) == 2


@pytest.mark.slow
def test_a_run_that_fails_on_ray_is_named_and_the_others_are_cached(ray_head, tiny_data, tmp_path):
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "scratch.cfg").write_text((ROOT / "configs" / "scratch.cfg").read_text())
    (configs / "broken.cfg").write_text("[nlp]\nlang = \"en\"\npipeline = [\"no_such_component\"]\n")
    spec = CurveSpec(configs=["scratch", "broken"], sizes=[3], seeds=[0], budget=SPEC.budget)
    with pytest.raises(CurveError, match=r"1 run\(s\) failed, the other 1 are done .* broken size 3 seed 0: training"):
        run_curve(spec, tiny_data, tmp_path / "runs", configs_dir=configs, engine="ray", address=ray_head.address)
    spec.configs = ["scratch"]
    again = run_curve(spec, tiny_data, tmp_path / "runs", configs_dir=configs, engine="ray", address=ray_head.address)
    assert again["cached"].tolist() == [True]
