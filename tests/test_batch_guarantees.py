"""What `skillner batch` and `extract` promise whatever happens to a file: one row per listed
path, one batch per --out, no orphan process after a kill, bad settings refused up front, and
reading bounded in time and memory."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skillner.cli import app
from skillner.extract.batch import BatchError, BatchSettings, run_batch
from skillner.extract.batch.files import list_entries
from skillner.extract.batch.local import _locked
from skillner.extract.mentions import extract_texts, split_segments
from skillner.extract.readers import Limits, ReadError
from skillner.extract.readers.guard import IsolatedReader, load_bytes
from skillner.pipeline.model import load_model

ROOT = Path(__file__).resolve().parents[1]
RESUME = (ROOT / "corpus" / "examples" / "resume.txt").read_text(encoding="utf-8")


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def variant(i: int) -> str:
    lines = RESUME.splitlines()
    return "\n".join(lines[i:] + lines[:i])


@pytest.mark.slow
def test_every_listed_path_gets_exactly_one_row_whatever_happens_to_it(tmp_path):
    folder, outside = tmp_path / "in", tmp_path / "outside"
    (folder / "sub").mkdir(parents=True)
    outside.mkdir()
    for i, name in enumerate(["a.txt", "b.txt", "c.txt", "edited.txt", "vanished.txt", "UPPER.TXT"]):
        (folder / name).write_text(variant(i), encoding="utf-8")
    (outside / "linked.txt").write_text(variant(7), encoding="utf-8")
    (folder / "long.txt").write_text(("Python and SQL developer.\n" * 1200), encoding="utf-8")  # 31,200 chars
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.txt"), "wb") as handle:  # a Latin-1 file name
        handle.write(variant(8).encode())
    (folder / "gone.txt").symlink_to(tmp_path / "missing.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    os.mkfifo(folder / "pipe.txt")
    (folder / "sub" / "out").symlink_to(outside)  # a symlinked folder is followed
    (folder / "sub" / "up").symlink_to(folder)  # a loop back to an ancestor
    out = tmp_path / "rows.jsonl"
    new_content = variant(9) + "\nAlso Kubernetes.\n"

    def meddle(row):  # after the first row, edit one file not read yet and delete another
        if not (folder / "edited.txt").read_text(encoding="utf-8") == new_content:
            (folder / "edited.txt").write_text(new_content, encoding="utf-8")
            (folder / "vanished.txt").unlink()

    settings = BatchSettings(glob="**/*.txt", chunk_size=1, limits=Limits(max_chars=20_000))
    report = run_batch(folder, out, settings, progress=meddle)
    table = {row["file"]: row for row in rows(out)}
    assert len(rows(out)) == len(table) == report["files"] == 13
    kinds = {name: row["error"]["kind"] if row["status"] == "error" else "ok" for name, row in table.items()}
    assert kinds == {"UPPER.TXT": "ok", "a.txt": "ok", "b.txt": "ok", "c.txt": "ok", "caf\\xe9.txt": "ok",
                     "edited.txt": "ok", "gone.txt": "unreadable", "long.txt": "too_large", "loop.txt": "unreadable",
                     "pipe.txt": "unreadable", "sub/out/linked.txt": "ok", "sub/up": "unreadable",
                     "vanished.txt": "unreadable"}
    assert table["caf\\xe9.txt"]["file_hex"] == b"caf\xe9.txt".hex()
    assert "vanished" in table["vanished.txt"]["error"]["message"]
    assert "dangling" in table["gone.txt"]["error"]["message"] and "FIFO" in table["pipe.txt"]["error"]["message"]
    assert "loop" in table["loop.txt"]["error"]["message"] and "loop" in table["sub/up"]["error"]["message"]
    edited = table["edited.txt"]  # the hash and the text of the content that was read, not listed
    assert edited["sha256"] == hashlib.sha256(new_content.encode()).hexdigest()
    assert abs(edited["chars"] - len(new_content)) <= 2
    # the dangling link now resolves: --retry-errors reads it again, and it still has one row
    (tmp_path / "missing.txt").write_text(variant(10), encoding="utf-8")
    again = run_batch(folder, out, BatchSettings(glob="**/*.txt", resume=True, retry_errors=True,
                                                 limits=Limits(max_chars=20_000)))
    names = [row["file"] for row in rows(out)]
    assert sorted(names) == sorted(set(names)) == sorted(set(table) - {"vanished.txt"})  # no longer listed
    assert {row["file"]: row["status"] for row in rows(out)}["gone.txt"] == "ok"
    assert again["already_done"] == 13 - 5  # timeout/crash/unreadable rows are retried, the rest are kept


def test_unreadable_files_and_folders_get_rows_when_permissions_deny_them(tmp_path):
    """Root reads everything, so the check runs as `nobody` in a child process."""
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "cv.txt").write_text(RESUME, encoding="utf-8")
    (folder / "secret.txt").write_text(RESUME, encoding="utf-8")
    (folder / "open.txt").write_text(RESUME, encoding="utf-8")
    os.chmod(folder / "locked", 0o700)
    os.chmod(folder / "secret.txt", 0o600)
    for path in (tmp_path, folder, folder / "open.txt"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    if os.geteuid() == 0:
        for parent in tmp_path.parents:  # let nobody reach the folder
            if parent != Path("/"):
                os.chmod(parent, os.stat(parent).st_mode | 0o011)
    read_end, write_end = os.pipe()
    pid = os.fork()  # no new interpreter: nobody may not be allowed to run this one
    if pid == 0:
        try:
            if os.geteuid() == 0:
                os.setgid(65534)
                os.setuid(65534)
            found = {}
            for entry in list_entries(folder, "**/*.txt"):
                try:
                    load_bytes(entry.path, entry.file)
                    found[entry.file] = entry.problem or "ok"
                except ReadError as error:
                    found[entry.file] = entry.problem or f"{error.kind}: {error}"
            os.write(write_end, json.dumps(found).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as answer:
        found = json.loads(answer.read())
    os.waitpid(pid, 0)
    assert found["open.txt"] == "ok"
    assert found["secret.txt"].startswith("unreadable") and "Permission denied" in found["secret.txt"]
    assert "cannot be listed" in found["locked"] and "Permission denied" in found["locked"]


def test_the_glob_matches_any_case_and_never_leaves_the_folder(tmp_path):
    (tmp_path / "a").mkdir()
    for name in ("CV.PDF", "cv.pdf", "a/Other.Pdf", "note.txt"):
        (tmp_path / name).write_bytes(b"x")
    assert [e.file for e in list_entries(tmp_path, "**/*.pdf")] == ["CV.PDF", "a/Other.Pdf", "cv.pdf"]
    assert [e.file for e in list_entries(tmp_path, "*.pdf")] == ["CV.PDF", "cv.pdf"]
    for bad in ("", "../x/*", "a/../../*", "/etc/*"):
        with pytest.raises(BatchError):
            run_batch(tmp_path, tmp_path / "o.jsonl", BatchSettings(glob=bad))
    assert not (tmp_path / "o.jsonl").exists()


def _run(*args, **kwargs):
    return CliRunner().invoke(app, [str(a) for a in args], **kwargs)


def test_bad_settings_and_outputs_are_one_line_errors_and_write_nothing(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "cv.txt").write_text(RESUME, encoding="utf-8")
    out = tmp_path / "rows.jsonl"
    for options, says in ((["--timeout", "-1"], "--timeout"), (["--timeout", "nan"], "--timeout"),
                          (["--max-mb", "0"], "--max-mb"), (["--max-mb", "nan"], "--max-mb"),
                          (["--workers", "0"], "--workers"), (["--glob", ""], "--glob"),
                          (["--glob", "../*"], "climbs out"), (["--max-pages", "0"], "--max-pages"),
                          (["--retry-errors"], "--resume"), (["--summary", out], "--summary")):
        result = _run("batch", folder, "--out", out, *options)
        assert result.exit_code == 1 and says in result.output, (options, result.output)
        assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
        assert not out.exists() and not Path(str(out) + ".lock").exists()
    out.write_text("", encoding="utf-8")
    os.link(out, tmp_path / "same.csv")  # a hard link to --out is --out too
    result = _run("batch", folder, "--out", out, "--summary", tmp_path / "same.csv")
    assert result.exit_code == 1 and "--summary" in result.output
    for target, says in ((tmp_path, "is a folder"), (Path("/dev/null"), "not a regular file")):
        result = _run("batch", folder, "--out", target)
        assert result.exit_code == 1 and says in result.output and "Traceback" not in result.output
    piped = subprocess.run([sys.executable, "-m", "skillner.cli", "batch", str(folder), "--out", "/dev/stdout"],
                           cwd=ROOT, capture_output=True, text=True)  # stdout a pipe, as in `... | less`
    assert piped.returncode == 1 and "not a regular file" in piped.stderr and "Traceback" not in piped.stderr


@pytest.mark.parametrize("content, says", [
    ("my notes\nline two without newline", "not a skillner results file"),
    ('{"schema_version": "2", "file": "a.txt", "sha256": "1", "status": "ok"}\nnot json\n', "not JSON"),
    ('{"schema_version": "2", "file": "a.txt", "status": "ok"}\n', "no sha256"),
    ('{"schema_version": "2", "file": "a.txt", "sha256": "1", "status": "ok"}\n{"garbage', "not a row"),
])
def test_resume_leaves_a_file_that_is_not_a_skillner_results_file_untouched(tmp_path, content, says):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "cv.txt").write_text(RESUME, encoding="utf-8")
    out = tmp_path / "notes.jsonl"
    out.write_text(content, encoding="utf-8")
    result = _run("batch", folder, "--out", out, "--resume")
    assert result.exit_code == 1 and says in result.output and "Traceback" not in result.output, result.output
    assert out.read_text(encoding="utf-8") == content


def test_a_second_batch_on_the_same_out_is_refused_naming_the_first(tmp_path):
    (tmp_path / "cv.txt").write_text(RESUME, encoding="utf-8")
    out = tmp_path / "rows.jsonl"
    with _locked(out):  # what a running batch holds
        with pytest.raises(BatchError, match=f"another batch \\(pid {os.getpid()}\\)"):
            run_batch(tmp_path, out, BatchSettings(glob="*.txt"))
    assert not out.exists()


def test_a_batch_writing_through_a_symlink_is_the_same_out_and_the_link_stays_a_link(tmp_path, ruler_model):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"cv{i}.txt").write_text(variant(i), encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    out, link = tmp_path / "rows.jsonl", tmp_path / "link.jsonl"
    out.write_text("", encoding="utf-8")
    link.symlink_to(out)
    with _locked(out):  # a batch writing rows.jsonl
        with pytest.raises(BatchError, match="another batch"):
            run_batch(folder, link, BatchSettings(glob="*.txt", model=ruler_model))
    with _locked(out):
        with pytest.raises(BatchError, match="another batch"):  # through a relative link too
            run_batch(folder, Path(os.path.relpath(link)), BatchSettings(glob="*.txt", model=ruler_model))
    run_batch(folder, link, BatchSettings(glob="*.txt", model=ruler_model, resume=True))
    run_batch(folder, link, BatchSettings(glob="*.txt", model=ruler_model, resume=True, retry_errors=True))
    assert link.is_symlink() and sorted(row["file"] for row in rows(out)) == [
        "cv0.txt", "cv1.txt", "cv2.txt", "empty.txt"]


@pytest.mark.slow
def test_a_write_the_disk_refuses_is_one_line_and_resume_finishes_with_every_file_once(tmp_path, ruler_model):
    """The file-size limit (RLIMIT_FSIZE) makes the kernel refuse writes past half the rows, as a
    full disk does (EFBIG where a full disk says ENOSPC): the run stops with one line naming
    what was kept, and --resume on a roomy disk cuts the torn row and writes the rest."""
    import resource

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(12):
        (folder / f"cv{i:02d}.txt").write_text(variant(i), encoding="utf-8")
    out, whole = tmp_path / "rows.jsonl", tmp_path / "whole.jsonl"
    command = [sys.executable, "-m", "skillner.cli", "batch", str(folder), "--out", str(out), "--model",
               str(ruler_model)]
    # The limit: half of what the rows take here (they carry concepts where the ESCO index is built).
    subprocess.run([*command[:6], str(whole), *command[7:]], cwd=ROOT, capture_output=True, check=True)
    limit = whole.stat().st_size // 2
    refused = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, preexec_fn=lambda: resource.setrlimit(
        resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY)))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr, refused.stderr
    said = refused.stderr.strip().splitlines()[-1]
    assert said.startswith("error: cannot write") and "whole row(s) written before are kept" in said
    assert "--resume" in said and out.stat().st_size == limit
    kept = int(said.split("the ", 1)[1].split(" whole")[0])
    assert 0 < kept < 12 and len(out.read_bytes().split(b"\n")) == kept + 1  # the kept rows and a torn one
    finished = subprocess.run(command + ["--resume"], cwd=ROOT, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert sorted(row["file"] for row in rows(out)) == [f"cv{i:02d}.txt" for i in range(12)]


def test_extract_into_a_full_device_is_one_line(tmp_path, ruler_model):
    (tmp_path / "cv.txt").write_text(RESUME, encoding="utf-8")
    with open("/dev/full", "w") as full:  # every write: ENOSPC
        done = subprocess.run([sys.executable, "-m", "skillner.cli", "extract", str(tmp_path / "cv.txt"), "--model",
                               str(ruler_model)], cwd=ROOT, stdout=full, stderr=subprocess.PIPE, text=True)
    assert done.returncode == 1 and done.stderr.strip() == (
        "error: cannot write the result to standard output (No space left on device)")


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def _command(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""  # gone meanwhile


def _wait_for(condition, seconds: float = 120) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("kill", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_batch_leaves_no_process_behind_and_refuses_a_second_run_meanwhile(tmp_path, kill):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(40):
        (folder / f"cv{i:02d}.txt").write_text(variant(i % 20) + f"\n{i}", encoding="utf-8")
    out = tmp_path / "rows.jsonl"
    marker = f"SKILLNER_TEST_{uuid.uuid4().hex}"
    driver = subprocess.Popen([sys.executable, "-m", "skillner.cli", "batch", str(folder), "--out", str(out),
                               "--workers", "2"], cwd=ROOT, env={**os.environ, marker: "1"},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert _wait_for(lambda: out.exists() and out.read_text().count("\n") >= 2), driver.stderr.read()
        assert len(_processes_with(marker)) >= 3  # the driver, two workers (and their readers)
        second = _run("batch", folder, "--out", out, "--resume")
        assert second.exit_code == 1 and f"another batch (pid {driver.pid})" in second.output
        driver.send_signal(kill)
        driver.wait(60)
        assert _wait_for(lambda: not _processes_with(marker), 30), _processes_with(marker)
        if kill == signal.SIGTERM:
            assert driver.returncode == 128 + signal.SIGTERM and "--resume" in driver.stderr.read()
    finally:
        if driver.poll() is None:
            driver.kill()
    written = rows(out)  # whole rows only, each file once
    assert len({row["file"] for row in written}) == len(written) < 40


def test_a_chunk_past_its_deadline_kills_its_pool_and_costs_each_file_one_timeout_row(tmp_path, monkeypatch):
    """The watchdog for a worker stuck where no read timeout reaches (here: every deadline is
    0.5 s, shorter than loading the model, so every chunk, then every file alone, overruns)."""
    from skillner.extract.batch import local

    for i in range(3):
        (tmp_path / f"cv{i}.txt").write_text(variant(i), encoding="utf-8")
    marker = f"SKILLNER_TEST_{uuid.uuid4().hex}"
    monkeypatch.setenv(marker, "1")
    monkeypatch.setattr(local, "_deadline", lambda chunk, settings, queued: time.monotonic() + 0.5)
    out = tmp_path / "out" / "rows.jsonl"
    report = run_batch(tmp_path, out, BatchSettings(glob="*.txt", chunk_size=2, workers=2))
    assert sorted(row["file"] for row in rows(out)) == ["cv0.txt", "cv1.txt", "cv2.txt"]
    assert report["errors"] == {"timeout": 3}
    def left():  # multiprocessing's resource tracker serves this test process as long as it lives
        return [command for command in map(_command, _processes_with(marker))
                if command and b"resource_tracker" not in command]

    assert _wait_for(lambda: not left(), 30), left()


def _die():
    """A reader killed by the kernel, as a segfault in C code would be (SIGKILL: no core dump)."""
    os.kill(os.getpid(), signal.SIGKILL)


def test_reading_is_bounded_in_time_memory_and_crashes():
    with IsolatedReader(memory_mb=300) as reader:
        with pytest.raises(ReadError) as caught:
            reader.call(time.sleep, (30,), 1.0)
        assert caught.value.kind == "timeout"
        with pytest.raises(ReadError) as caught:
            reader.call(bytearray, (2_000_000_000,), 10)
        assert caught.value.kind == "too_large"
        with pytest.raises(ReadError) as caught:
            reader.call(_die, (), 10)
        assert caught.value.kind == "crash"
        assert reader.call(len, ("still serving",), 10) == 13  # a fresh child after each failure


def test_extract_has_a_read_timeout(tmp_path):
    """Standard input that never ends (a pipe nobody writes to) stands for any reader stuck."""
    start = time.monotonic()
    stuck = subprocess.Popen([sys.executable, "-m", "skillner.cli", "extract", "-", "--timeout", "2"], cwd=ROOT,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        error = stuck.stderr.read()  # returns when extract exits, stdin still open
    finally:
        stuck.stdin.close()
        stuck.wait(60)
    assert stuck.returncode == 1 and "[timeout]" in error and "Traceback" not in error, error
    assert time.monotonic() - start < 60
    cv = tmp_path / "cv.txt"
    cv.write_text(RESUME, encoding="utf-8")
    for options in (["--timeout", "0"], ["--timeout", "nan"], ["--max-mb", "-1"]):
        result = _run("extract", cv, *options)
        assert result.exit_code == 1 and options[0] in result.output


def test_a_vanished_or_non_regular_file_is_unreadable(tmp_path):
    with pytest.raises(ReadError) as caught:
        load_bytes(tmp_path / "nope.txt", "nope.txt")
    assert caught.value.kind == "unreadable" and "vanished" in str(caught.value)
    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(ReadError) as caught:  # never blocks on the FIFO
        load_bytes(tmp_path / "pipe.txt", "pipe.txt")
    assert caught.value.kind == "unreadable"


def test_a_text_longer_than_the_models_max_length_is_parsed_in_segments():
    nlp = load_model()
    text = (RESUME + "\n") * 4
    whole = next(extract_texts(nlp, [text]))
    nlp.max_length = 2_000  # as if the text were over spaCy's 1,000,000 characters
    with pytest.raises(ValueError, match="E088"):
        list(nlp.pipe([text]))
    parts = next(extract_texts(nlp, [text], segment_chars=1_500, batch_chars=3_000))
    assert all(text[m["start"]:m["end"]] == m["text"] for m in parts["mentions"])
    same = {(m["text"], m["start"]) for m in whole["mentions"]} & {(m["text"], m["start"]) for m in parts["mentions"]}
    assert len(same) >= 0.9 * len(whole["mentions"])  # only spans at a cut may differ
    pieces = split_segments(text, 1_500)
    assert "".join(pieces) == text and max(map(len, pieces)) <= 1_500
    assert all(piece.endswith("\n") for piece in pieces[:-1])


@pytest.mark.slow
def test_the_largest_allowed_text_goes_through_a_batch(tmp_path):
    """A file of Limits.max_chars characters (over spaCy's max_length once a line is added):
    one ok row; a character more is a `too_large` row."""
    limits = Limits()
    line = "Senior engineer: Python, SQL, Docker, Kubernetes and stakeholder management.\n"
    text = (line * (limits.max_chars // len(line) + 1))[:limits.max_chars - 1] + "\n"
    (tmp_path / "long.txt").write_text(text, encoding="utf-8")
    (tmp_path / "longer.txt").write_text(text + "x\n", encoding="utf-8")
    out = tmp_path / "out" / "rows.jsonl"
    report = run_batch(tmp_path, out, BatchSettings(glob="*.txt"))
    table = {row["file"]: row for row in rows(out)}
    assert table["long.txt"]["status"] == "ok" and table["long.txt"]["chars"] >= limits.max_chars - 2
    assert len(table["long.txt"]["mentions"]) > 10_000
    assert table["longer.txt"]["error"]["kind"] == "too_large"
    assert report["peak_worker_mb"] < 2_500  # the bound measured in benchmarks/bench_batch_memory.py
