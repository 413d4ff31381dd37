import json
from pathlib import Path

from typer.testing import CliRunner

from skillner.cli import app
from skillner.extract import extract_doc
from skillner.convert import tokenizer_nlp

ROOT = Path(__file__).resolve().parents[1]
RESUME = ROOT / "corpus" / "examples" / "resume.txt"


def test_extract_doc_lists_mentions_and_tallies_case_insensitively():
    doc = tokenizer_nlp().make_doc("Python, SQL and python")
    doc.ents = [doc.char_span(0, 6, "TECH_TOOL"), doc.char_span(8, 11, "TECH_TOOL"), doc.char_span(16, 22, "TECH_TOOL")]
    result = extract_doc(doc)
    assert [m["start"] for m in result["mentions"]] == [0, 8, 16]
    assert result["skills"][0] == {"text": "Python", "label": "TECH_TOOL", "count": 2}
    assert result["schema_version"] == "1"


def test_extract_cli_on_the_bundled_resume_finds_skills_with_true_offsets():
    out = CliRunner().invoke(app, ["extract", str(RESUME)])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    text = RESUME.read_text(encoding="utf-8")
    assert len(result["mentions"]) >= 10
    assert all(text[m["start"]:m["end"]] == m["text"] for m in result["mentions"])


def test_extract_reads_stdin_and_rejects_unknown_formats(tmp_path):
    out = CliRunner().invoke(app, ["extract", "-"], input="Skills: Java, SQL, Microsoft Excel, teamwork\n")
    assert out.exit_code == 0 and "Java" in out.stdout
    odd = tmp_path / "resume.xyz"
    odd.write_text("Java")
    out = CliRunner().invoke(app, ["extract", str(odd)])
    assert out.exit_code == 1 and "unsupported format" in out.output
