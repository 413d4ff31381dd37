import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skillner.annotate.convert import tokenizer_nlp
from skillner.cli import app
from skillner.extract.mentions import extract_doc, extract_texts, format_result
from skillner.extract.readers import clean_text, read_file
from skillner.pipeline.model import load_model
from skillner.taxonomy.vocabulary import ConceptIndex
from tests.resume_files import write_docx, write_pdf

ROOT = Path(__file__).resolve().parents[1]
RESUME = ROOT / "corpus" / "examples" / "resume.txt"


@pytest.fixture(scope="module")
def concepts():
    return ConceptIndex.load()


@pytest.fixture(scope="module")
def nlp():
    return load_model()


def test_mentions_are_normalised_and_skills_deduplicated_by_concept(concepts):
    doc = tokenizer_nlp().make_doc("Python, SQL, python and Pythons; Node.JS, node js; Foobarology")
    doc.ents = [doc.char_span(s, e, "TECH_TOOL") for s, e in ((0, 6), (8, 11), (13, 19), (24, 31), (33, 40),
                                                               (42, 49), (51, 62))]
    result = extract_doc(doc, concepts)
    assert result["schema_version"] == "6"
    assert [m["start"] for m in result["mentions"]] == [0, 8, 13, 24, 33, 42, 51]
    python = result["skills"][0]
    assert (python["text"], python["count"]) == ("Python", 3)  # case and plural folded onto one concept
    assert python["normalised"]["source"] in ("onet", "esco") and python["normalised"]["concept_id"]
    node = [s for s in result["skills"] if s["text"] == "Node.JS"][0]
    assert node["count"] == 2 and node["normalised"]["preferred_label"]  # punctuation folded
    unknown = [s for s in result["skills"] if s["text"] == "Foobarology"][0]
    assert unknown["normalised"] is None and unknown["count"] == 1


def test_concept_lookup_prefers_the_spans_own_label(concepts):
    assert concepts.lookup("Asana", "TECH_TOOL")["source"] == "onet"
    assert concepts.lookup("Asana", "JOB_SKILL")["source"] == "esco"
    assert concepts.lookup("C#", "TECH_TOOL") != concepts.lookup("C", "TECH_TOOL")


def test_skills_from_a_generated_pdf_and_docx_match_those_from_their_source_text(tmp_path, nlp, concepts):
    source = write_pdf(RESUME.read_text(encoding="utf-8"), tmp_path / "resume.pdf")
    from_text = next(extract_texts(nlp, [clean_text(source)], concepts))
    from_pdf = next(extract_texts(nlp, [read_file(tmp_path / "resume.pdf").text], concepts))
    assert len(from_text["mentions"]) >= 10
    assert [(m["text"], m["label"]) for m in from_pdf["mentions"]] == \
        [(m["text"], m["label"]) for m in from_text["mentions"]]
    write_docx(source, tmp_path / "resume.docx")
    from_docx = next(extract_texts(nlp, [read_file(tmp_path / "resume.docx").text], concepts))
    assert {s["text"] for s in from_docx["skills"]} == {s["text"] for s in from_text["skills"]}


def test_extract_cli_offsets_index_the_extracted_text():
    out = CliRunner().invoke(app, ["extract", str(RESUME), "--with-text"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    assert result["reader"] == "text (utf-8)" and len(result["mentions"]) >= 10
    assert all(result["text"][m["start"]:m["end"]] == m["text"] for m in result["mentions"])


def test_extract_cli_formats(tmp_path):
    out = CliRunner().invoke(app, ["extract", str(RESUME), "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert out.exit_code == 0 and len(rows) >= 10 and rows[0]["file"] == str(RESUME)
    assert any(row["concept_id"] for row in rows)
    out = CliRunner().invoke(app, ["extract", str(RESUME), "--format", "jsonl"])
    assert out.exit_code == 0 and len(out.stdout.strip().splitlines()) == 1
    out = CliRunner().invoke(app, ["extract", str(RESUME), "--format", "table"])
    assert out.exit_code == 0 and out.stdout.startswith("skill (as written)")
    assert format_result({"mentions": [], "skills": []}, "csv").splitlines()[0].startswith("file,text,label")


def test_extract_reads_stdin_and_reports_bad_files_clearly(tmp_path):
    out = CliRunner().invoke(app, ["extract", "-"], input="Skills: Java, SQL, Microsoft Excel, teamwork\n")
    assert out.exit_code == 0 and "Java" in out.stdout
    odd = tmp_path / "resume.xyz"
    odd.write_text("Java")
    out = CliRunner().invoke(app, ["extract", str(odd)])
    assert out.exit_code == 1 and "unsupported format" in out.output
    (tmp_path / "cv.pdf").write_bytes(b"%PDF-1.4 truncated")
    out = CliRunner().invoke(app, ["extract", str(tmp_path / "cv.pdf")])
    assert out.exit_code == 1 and "[corrupt]" in out.output


def test_loose_product_names_reach_their_concepts(concepts):
    assert concepts.lookup("Excel", "TECH_TOOL")["preferred_label"] == "Microsoft Excel"  # vendor left off
    assert concepts.lookup("MS Word", "TECH_TOOL")["preferred_label"] == "Microsoft Word"
    assert concepts.lookup("HTML", "TECH_TOOL")["preferred_label"] == "Hypertext markup language HTML"
    assert concepts.lookup("Microsoft Office", "TECH_TOOL")["preferred_label"] == "Microsoft Office software"
    assert concepts.lookup("account management", "JOB_SKILL") is None  # "software" only completes a tool
    assert concepts.lookup("Foobarology", "TECH_TOOL") is None
