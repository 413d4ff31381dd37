"""`make dist`'s wheels installed into a fresh virtualenv, used from outside the repository:
`skillner extract`, `skillner batch` and `spacy.load` find the model with no path."""

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESUME = ROOT / "corpus" / "examples" / "resume.txt"


@pytest.mark.slow
def test_the_wheels_work_in_a_fresh_venv_outside_the_repository(tmp_path):
    subprocess.run(["make", "dist"], cwd=ROOT, check=True, capture_output=True)
    wheels = sorted((ROOT / "dist").glob("*.whl"))
    assert [w.name.split("-")[0] for w in wheels] == ["en_skillner_resumes_cpu", "skillner_resumes"]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # the dependencies (spaCy, pandas, ...) come from this environment, never from the network;
    # a path added by a .pth file is not a site dir, so the checkout's editable skillner stays out
    site = Path(subprocess.run([venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([venv / "bin" / "pip", "install", "--quiet", "--no-deps", "--no-index", *wheels], check=True)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "cvs").mkdir(parents=True)
    (elsewhere / "cvs" / "cv.txt").write_text(RESUME.read_text(encoding="utf-8"), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "SKILLNER_LINK_INDEX")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")  # where an installed skillner keeps its link index: none yet

    def run(*command):
        return subprocess.run(command, cwd=elsewhere, env=env, check=True, capture_output=True, text=True).stdout

    where = run(venv / "bin" / "python", "-c", "import skillner, spacy; nlp = spacy.load('en_skillner_resumes_cpu'); "
                                              "print(skillner.__file__); print(nlp.pipe_names)")
    assert where.startswith(str(venv)) and "ner" in where  # the installed package, not the checkout
    installed = json.loads(run(venv / "bin" / "skillner", "extract", "cvs/cv.txt"))
    assert installed["linking"]["methods"] == ["alias"]  # no index in its cache: aliases, and it says so
    here = json.loads(subprocess.run([sys.executable, "-m", "skillner.cli", "extract", str(RESUME), "--linking", "aliases"],
                                     cwd=ROOT, check=True, capture_output=True, text=True).stdout)
    assert installed["mentions"] == here["mentions"] and len(installed["mentions"]) >= 10
    assert any(m["normalised"] for m in installed["mentions"])  # the alias table came with the wheel
    run(venv / "bin" / "skillner", "batch", "cvs", "--out", "rows.jsonl")
    row = json.loads((elsewhere / "rows.jsonl").read_text())
    assert row["status"] == "ok" and row["mentions"] == here["mentions"]
