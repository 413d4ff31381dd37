"""The batch job on a real folder: one row per file, errors as rows, kill and resume."""

import csv
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
from skillner.extract.batch import BatchError, BatchSettings, done_keys, run_batch
from skillner.extract.readers import ReadError, read_file
from tests.resume_files import write_docx, write_pdf
from tests.test_readers import broken

ROOT = Path(__file__).resolve().parents[1]
RESUME = (ROOT / "corpus" / "examples" / "resume.txt").read_text(encoding="utf-8")


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_every_file_gets_exactly_one_row_and_bad_files_get_error_rows(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "broken").mkdir()
    expected = {f"broken/{p.name}": _kind(p) for p in broken(folder / "broken").values()}
    write_pdf(RESUME, folder / "sub" / "resume.pdf")
    write_docx(RESUME, folder / "resume.docx")
    (folder / "resume.txt").write_text(RESUME, encoding="utf-8")
    out = tmp_path / "results.jsonl"
    result = CliRunner().invoke(app, ["batch", str(folder), "--out", str(out), "--workers", "2",
                                      "--summary", str(tmp_path / "skills.csv")])
    assert result.exit_code == 0, result.output
    table = {row["file"]: row for row in rows(out)}
    assert set(table) == {"sub/resume.pdf", "resume.docx", "resume.txt", "broken/good.pdf", *expected}
    assert len(rows(out)) == len(table)
    for name, kind in expected.items():  # each row says what reading the file alone says
        assert (table[name]["error"]["kind"] if table[name]["status"] == "error" else "ok") == kind
    for name in ("sub/resume.pdf", "resume.docx", "resume.txt"):
        assert table[name]["status"] == "ok" and len(table[name]["skills"]) >= 10
    errors = sorted(kind for kind in expected.values() if kind != "ok")
    assert len(errors) >= 4 and "errors: " + ", ".join(f"{k} {errors.count(k)}" for k in sorted(set(errors))) in result.output
    skills = list(csv.DictReader((tmp_path / "skills.csv").open()))
    assert int(skills[0]["resumes"]) >= 4  # the same resume in four files
    again = CliRunner().invoke(app, ["batch", str(folder), "--out", str(out)])
    assert again.exit_code == 1 and "--resume" in again.output


def _kind(path: Path) -> str:
    try:
        read_file(path)
    except ReadError as error:
        return error.kind
    return "ok"


def test_a_slow_read_becomes_a_timeout_row(tmp_path):
    write_docx(RESUME, tmp_path / "resume.docx")
    report = run_batch(tmp_path, tmp_path / "out" / "r.jsonl", BatchSettings(timeout=1e-4, glob="*.docx"))
    assert report["errors"] == {"timeout": 1}
    assert rows(tmp_path / "out" / "r.jsonl")[0]["error"]["kind"] == "timeout"


def test_resume_cuts_a_torn_last_line(tmp_path):
    out = tmp_path / "r.jsonl"
    whole = '{"schema_version": "2", "file": "a.txt", "sha256": "1", "status": "ok"}\n'
    out.write_text(whole + '{"schema_version": "2", "file": "b.t', encoding="utf-8")
    assert done_keys(out) == {"a.txt": {"1"}}
    assert out.read_text(encoding="utf-8") == whole


def test_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(BatchError, match="not a folder"):
        run_batch(tmp_path / "nope", tmp_path / "r.jsonl")


@pytest.mark.slow
def test_a_batch_killed_part_way_and_resumed_has_each_file_once(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    lines = RESUME.splitlines()
    for i in range(24):  # distinct contents, so every file has its own hash
        (folder / f"cv{i:02d}.txt").write_text("\n".join(lines[i:] + lines[:i]), encoding="utf-8")
    (folder / "copy.txt").write_text((folder / "cv00.txt").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "results.jsonl"
    script = ("import sys; from pathlib import Path; from skillner.extract.batch import BatchSettings, run_batch; "
              "run_batch(Path(sys.argv[1]), Path(sys.argv[2]), BatchSettings(chunk_size=1, resume=True))")
    process = subprocess.Popen([sys.executable, "-c", script, str(folder), str(out)], start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and (not out.exists() or out.read_text().count("\n") < 3):
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    first = len(rows(out))
    assert 3 <= first < 25, first
    with out.open("a", encoding="utf-8") as handle:  # as if the kill had cut a row in half
        handle.write('{"schema_version": "2", "file": "cv')
    report = run_batch(folder, out, BatchSettings(workers=2, resume=True))
    assert report["already_done"] == first and report["processed"] == 25 - first
    names = [row["file"] for row in rows(out)]
    assert sorted(names) == sorted(p.name for p in folder.iterdir())
