"""Fine-tuning the skill encoder: taxonomy pairs, a real (short) training run, its tuned layers
loaded over the base weights; and the ranking measures of `link-eval --task esco`."""

import json
import subprocess
import sys

import numpy as np
import pytest

from skillner.measure.esco_linking import SETS, ranking_metrics, read_set, span_metrics
from skillner.taxonomy.skills import load_skills
from skillner.train.encoder import heldout_skills, taxonomy_pairs

from .conftest import ROOT

pytest.importorskip("transformers")


def test_pairs_leave_the_heldout_skills_out_and_say_where_they_come_from():
    skills = load_skills()
    pairs = taxonomy_pairs(None, onet_tasks=False, heldout_share=0.05)
    held = skills[skills["concept_id"].isin(heldout_skills(skills, 0.05, 0))]
    assert 0.03 < len(held) / len(skills) < 0.07
    assert not set(pairs["positive"]) & (set(held["preferred_label"]) - set(skills["preferred_label"].drop(held.index)))
    assert set(pairs["source"]) == {"esco-alternative", "esco-template", "esco-description"}
    described = skills.iloc[0]
    assert ((pairs["query"] == described["description"]) & (pairs["positive"] == described["preferred_label"])).any() \
        or described["concept_id"] in set(held["concept_id"])
    with pytest.raises(ValueError, match="taxonomies folder"):
        taxonomy_pairs(None, onet_tasks=True)


@pytest.mark.slow
def test_a_short_fine_tuning_changes_the_top_layers_and_loads_over_the_base(tmp_path):
    from skillner.taxonomy.encoder import TUNED_FILE, Embedder
    from skillner.train.encoder import fine_tune

    pairs = taxonomy_pairs(None, onet_tasks=False).head(200)
    meta = fine_tune(pairs, tmp_path / "enc", steps=3, batch_size=8, trainable_layers=1, log=lambda _: None)
    assert (tmp_path / "enc" / TUNED_FILE).is_file() and meta["trainable_layers"] == 1
    assert meta["floats"] < 2_000_000 and json.loads((tmp_path / "enc" / "meta.json").read_text())["steps"] == 3
    base, tuned = Embedder(), Embedder(tuned=tmp_path / "enc")
    assert tuned.name.startswith(base.name + "+skills:") and tuned.name != base.name
    a, b = base.encode(["manage budgets", "Drew blood"]), tuned.encode(["manage budgets", "Drew blood"])
    assert not np.allclose(a, b) and np.allclose(np.linalg.norm(b, axis=1), 1, atol=1e-5)
    assert (a @ b.T).diagonal().min() > 0.9  # three small steps move the vectors, not scramble them


def test_ranking_measures_follow_the_published_definitions():
    gold = [{"a", "b"}, {"c"}, {"d", "e", "f", "g", "h", "i"}]
    ranked = [["x", "a", "b"], ["c"], ["d", "x", "e", "x", "x", "f"]]
    got = ranking_metrics(ranked, gold)
    # MRR (1/2 + 1 + 1) / 3; RP@5 (2/2 + 1/1 + 2/5) / 3; RP@10 (1 + 1 + 3/6) / 3
    assert got["mrr"] == pytest.approx(2.5 / 3, abs=1e-4) and got["rp5"] == pytest.approx(2.4 / 3, abs=1e-4)
    assert got["rp10"] == pytest.approx(2.5 / 3, abs=1e-4) and got["none"] == 0
    spans = span_metrics([["a", "b"], ["x", "y", "z", "w", "v", "b"], []], ["a", "b", "c"])
    assert spans == {"n": 3, "acc1": pytest.approx(1 / 3, abs=1e-4), "r5": pytest.approx(1 / 3, abs=1e-4),
                     "mrr": pytest.approx((1 + 1 / 6) / 3, abs=1e-4)}


def test_the_validation_sets_read_as_sentences_with_esco_skills():
    sentences, gold, spans = read_set(SETS["tech"])
    assert len(sentences) == 75 and len(gold) == 75 and all(gold)
    assert set(spans["concept_id"]) <= set(load_skills()["concept_id"])
    sentences, gold, _ = read_set(SETS["house"])
    assert len(sentences) == 61


def test_commands_refuse_bad_input_in_one_line(tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "skillner.cli", *args], cwd=ROOT, capture_output=True, text=True)

    bad_task = run("link-eval", "--task", "nonsense")
    assert bad_task.returncode != 0 and "--task must be heldout or esco" in bad_task.stderr
    no_taxonomies = run("train-encoder", "--taxonomies", str(tmp_path), "--out", str(tmp_path / "enc"))
    assert no_taxonomies.returncode != 0 and "no onet-29.3 folder" in no_taxonomies.stderr
    bad_threshold = run("extract", str(ROOT / "corpus" / "examples" / "resume.txt"), "--implied-threshold", "1.5")
    assert bad_threshold.returncode != 0 and "--implied-threshold must be between 0 and 1" in bad_threshold.stderr
    assert "Traceback" not in bad_task.stderr + no_taxonomies.stderr + bad_threshold.stderr
    assert not (tmp_path / "enc").exists()
