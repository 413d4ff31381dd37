"""`skillner batch --engine ray` on a real local Ray: the local engine's rows, and every file
exactly once when an actor, the driver or a node is killed mid-run."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skillner.cli import app
from skillner.extract.batch import BatchError, BatchSettings, run_batch
from tests.resume_files import write_docx, write_pdf
from tests.test_readers import broken

ray = pytest.importorskip("ray", reason="the ray extra: make install-ray (make test installs it)")
from ray.cluster_utils import Cluster  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESUME = (ROOT / "corpus" / "examples" / "resume.txt").read_text(encoding="utf-8")
HOOKS = {"worker_process_setup_hook": "tests.ray_hooks.install", "env_vars": {"PYTHONPATH": str(ROOT)}}


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def by_file(path: Path) -> dict[str, tuple]:
    """What a row says about its file, without the timings that differ between runs."""
    table = {}
    for row in rows(path):
        assert row["file"] not in table, f"{row['file']} has two rows"
        said = row["error"]["kind"] if row["status"] == "error" else (row["mentions"], row["skills"])
        table[row["file"]] = (row["status"], row["sha256"], said)
    return table


def variant(i: int) -> str:
    lines = RESUME.splitlines()
    return "\n".join(lines[i % len(lines):] + lines[:i % len(lines)]) + f"\nCase {i}.\n"


def resumes(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"cv{i:02d}.txt").write_text(variant(i), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory) -> Path:
    """Good resumes in three formats and every kind of broken file the readers know."""
    folder = tmp_path_factory.mktemp("mixed")
    (folder / "broken").mkdir()
    broken(folder / "broken")
    write_pdf(RESUME, folder / "resume.pdf")
    write_docx(RESUME, folder / "resume.docx")
    resumes(folder / "text", 6)
    return folder


@pytest.mark.slow
def test_ray_rows_equal_the_local_engines_rows(ray_head, ruler_model, mixed_folder, tmp_path):
    local = run_batch(mixed_folder, tmp_path / "local.jsonl", BatchSettings(workers=2, chunk_size=4, model=ruler_model))
    on_ray = run_batch(mixed_folder, tmp_path / "ray.jsonl", BatchSettings(
        engine="ray", address=ray_head.address, workers=2, chunk_size=4, model=ruler_model))
    assert by_file(tmp_path / "ray.jsonl") == by_file(tmp_path / "local.jsonl")
    assert on_ray["errors"] == local["errors"] and len(local["errors"]) >= 4
    assert on_ray["ok"] == local["ok"] >= 8 and on_ray["engine"] == "ray" and on_ray["workers"] == 2
    assert on_ray["peak_worker_mb"] > 100  # each actor's peak memory (model and reader process)


@pytest.mark.slow
def test_a_list_of_paths_and_resume_give_the_same_rows_on_both_engines(ray_head, ruler_model, mixed_folder, tmp_path):
    listing = tmp_path / "paths.txt"
    names = ["resume.pdf", "text/cv00.txt", "broken/truncated.pdf", "nowhere.pdf", "text/cv00.txt"]
    listing.write_text("# resumes\n" + "\n".join(f"{mixed_folder}/{name}" for name in names) + "\n\n")
    run_batch(listing, tmp_path / "local.jsonl", BatchSettings(model=ruler_model))
    out = tmp_path / "ray.jsonl"
    out.write_text(json.dumps(rows(tmp_path / "local.jsonl")[0]) + "\n")  # one row done before
    report = run_batch(listing, out, BatchSettings(engine="ray", address=ray_head.address, workers=1, resume=True,
                                                   model=ruler_model))
    assert by_file(out) == by_file(tmp_path / "local.jsonl")
    assert report["already_done"] == 1 and report["files"] == 4  # the repeated path counts once
    assert {name: said[2] for name, said in by_file(out).items() if said[0] == "error"} == {
        f"{mixed_folder}/broken/truncated.pdf": "corrupt", f"{mixed_folder}/nowhere.pdf": "unreadable"}


@pytest.mark.slow
def test_a_relative_folder_and_model_are_read_by_actors_in_another_working_directory(ray_head, ruler_model,
                                                                                     tmp_path, monkeypatch):
    """Ray's workers run in a folder of their own: a path relative to the driver's was 'vanished
    or does not exist' there, for every file, with exit status 0."""
    import shutil

    resumes(tmp_path / "cvs", 3)
    shutil.copytree(ruler_model, tmp_path / "model")
    monkeypatch.chdir(tmp_path)
    report = run_batch(Path("cvs"), Path("rows.jsonl"), BatchSettings(
        engine="ray", address=ray_head.address, workers=1, model=Path("model")))
    assert report["ok"] == 3 and report["errors"] == {}
    assert sorted(row["file"] for row in rows(tmp_path / "rows.jsonl")) == ["cv00.txt", "cv01.txt", "cv02.txt"]


@pytest.mark.slow
def test_reading_that_crashes_or_hangs_costs_one_row_and_a_file_that_kills_its_actor_too(ray_head, ruler_model,
                                                                                         tmp_path):
    folder = resumes(tmp_path / "in", 6)
    for name in ("pdfium.crash", "stuck.hang", "actor.fatal"):
        (folder / name).write_text("x")
    ray.init(address=ray_head.address, runtime_env=HOOKS)  # run_batch uses this connection
    try:
        report = run_batch(folder, tmp_path / "rows.jsonl", BatchSettings(
            engine="ray", workers=2, chunk_size=3, timeout=3, glob="*", model=ruler_model))
    finally:
        ray.shutdown()
    table = by_file(tmp_path / "rows.jsonl")
    assert {name: said[2] for name, said in table.items() if said[0] == "error"} == {
        "pdfium.crash": "crash", "stuck.hang": "timeout", "actor.fatal": "crash"}
    assert sum(said[0] == "ok" for said in table.values()) == 6 == report["ok"]
    assert "killed its Ray actor 3 time(s)" in next(r for r in rows(tmp_path / "rows.jsonl") if r["file"] == "actor.fatal")["error"]["message"]


def _actor_pids() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and b"MapWorker" in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            pass
    return found


@pytest.mark.slow
def test_an_actor_killed_mid_run_costs_no_file_and_no_duplicate(ray_head, ruler_model, tmp_path):
    folder = resumes(tmp_path / "in", 24)
    killed = []

    def kill_an_actor(row):
        if not killed:
            killed.extend(_actor_pids()[:1])
            assert killed, "no actor process found"
            os.kill(killed[0], signal.SIGKILL)

    ray.init(address=ray_head.address, runtime_env=HOOKS)  # .txt read slowly: the kill comes mid-run
    try:
        report = run_batch(folder, tmp_path / "rows.jsonl", BatchSettings(
            engine="ray", workers=2, chunk_size=2, model=ruler_model), progress=kill_an_actor)
    finally:
        ray.shutdown()
    run_batch(folder, tmp_path / "local.jsonl", BatchSettings(workers=2, model=ruler_model))
    assert killed and report["ok"] == 24
    assert by_file(tmp_path / "rows.jsonl") == by_file(tmp_path / "local.jsonl")


@pytest.mark.slow
def test_a_driver_killed_mid_run_then_resumed_has_every_file_once(ray_head, tmp_path):
    folder = resumes(tmp_path / "in", 64)  # rows come 16 at a time: a kill after the first 16 leaves work undone
    out = tmp_path / "rows.jsonl"
    driver = subprocess.Popen([sys.executable, "-m", "skillner.cli", "batch", str(folder), "--out", str(out),
                               "--engine", "ray", "--address", ray_head.address, "--actors", "2"], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 240
        while not (out.exists() and out.read_text().count("\n") >= 3):
            assert driver.poll() is None and time.monotonic() < deadline, driver.stderr.read()
            time.sleep(0.2)
        driver.send_signal(signal.SIGKILL)
        driver.wait(30)
    finally:
        if driver.poll() is None:
            driver.kill()
    before = len(rows(out))
    assert 3 <= before < 64
    again = CliRunner().invoke(app, ["batch", str(folder), "--out", str(out), "--engine", "ray", "--address",
                                     ray_head.address, "--actors", "2", "--resume"])
    assert again.exit_code == 0, again.output
    assert f"{before} already done" in again.output
    table = by_file(out)  # each file once (rows equal to the local engine's: the first test)
    assert sorted(table) == sorted(path.name for path in folder.iterdir())
    assert all(status == "ok" and sha256 == hashlib.sha256((folder / name).read_bytes()).hexdigest()
               for name, (status, sha256, _) in table.items())


@pytest.mark.slow
def test_a_node_lost_mid_run_costs_no_file_once_resumed(ruler_model, tmp_path):
    """Two nodes on this machine: the actor's node is removed after the first row, a fresh
    node joins; the run ends with every file once, at most after one --resume."""
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0, "object_store_memory": 150 * 2**20,
                                                            "include_dashboard": False})
    try:
        first = cluster.add_node(num_cpus=1, object_store_memory=150 * 2**20)
        folder, out = resumes(tmp_path / "in", 20), tmp_path / "rows.jsonl"
        lost = []

        def lose_the_node(row):
            if not lost:
                cluster.add_node(num_cpus=1, object_store_memory=150 * 2**20)
                cluster.remove_node(first)
                lost.append(first)

        settings = BatchSettings(engine="ray", address=cluster.address, workers=1, chunk_size=2, model=ruler_model)
        try:
            run_batch(folder, out, settings, progress=lose_the_node)
        except BatchError as error:  # the job lost blocks it cannot rebuild: it says how to finish
            assert "--resume" in str(error)
            settings.resume = True
            run_batch(folder, out, settings)
        assert lost
    finally:
        cluster.shutdown()
    run_batch(folder, tmp_path / "local.jsonl", BatchSettings(workers=2, model=ruler_model))
    assert by_file(out) == by_file(tmp_path / "local.jsonl")


def test_no_cluster_at_the_address_no_ray_and_a_missing_source_are_one_line_errors(tmp_path, monkeypatch):
    resumes(tmp_path / "in", 1)
    out = tmp_path / "rows.jsonl"
    for address, says in (("127.0.0.1:1", "no Ray cluster at --address 127.0.0.1:1 (Connection refused)"),
                          ("somewhere", "is not auto, HOST:PORT or ray://HOST:PORT")):
        result = CliRunner().invoke(app, ["batch", str(tmp_path / "in"), "--out", str(out), "--engine", "ray",
                                          "--address", address])
        assert result.exit_code == 1 and says in result.output, result.output
    result = CliRunner().invoke(app, ["batch", str(tmp_path / "none"), "--out", str(out), "--engine", "ray"])
    assert result.exit_code == 1 and "is not a folder: batch takes a folder" in result.output
    result = CliRunner().invoke(app, ["batch", str(tmp_path / "in"), "--out", str(out), "--actors", "2"])
    assert result.exit_code == 1 and "--actors goes with --engine ray" in result.output
    monkeypatch.setitem(sys.modules, "ray", None)  # as if the extra were not installed
    with pytest.raises(BatchError, match=r"pip install 'skillner-resumes\[ray\]'"):
        run_batch(tmp_path / "in", out, BatchSettings(engine="ray"))
    assert not out.exists()  # nothing was written by any of them


def test_a_resume_given_where_a_list_of_paths_was_meant_is_refused(tmp_path):
    (tmp_path / "cv.txt").write_text(RESUME, encoding="utf-8")
    with pytest.raises(BatchError, match="is not a list of resume paths: none of the"):
        run_batch(tmp_path / "cv.txt", tmp_path / "rows.jsonl", BatchSettings())
