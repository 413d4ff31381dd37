"""Readers on real files made by the tests: PDFs (one and two columns), DOCX with a table,
HTML, ODT, RTF, text in several encodings, and deliberately broken files."""

import zipfile
from pathlib import Path

import pytest
from PIL import Image

from skillner.extract.readers import Limits, ReadError, clean_text, read_bytes, read_file
from tests.resume_files import write_docx, write_encrypted_pdf, write_pdf, write_scanned_pdf, write_two_column_pdf

ROOT = Path(__file__).resolve().parents[1]
RESUME = (ROOT / "corpus" / "examples" / "resume.txt").read_text(encoding="utf-8")


def words(text: str) -> list[str]:
    return text.split()


def test_pdf_text_is_the_text_laid_out(tmp_path):
    source = write_pdf(RESUME, tmp_path / "resume.pdf")
    got = read_file(tmp_path / "resume.pdf")
    assert got.reader == "pdfium" and got.pages == 2
    assert words(got.text) == words(source)
    # line structure survives: every bullet starts its own line
    assert sum(line.startswith("•") for line in got.text.splitlines()) == source.count("\n•") + source.startswith("•")


def test_two_column_pdf_reads_sidebar_then_main_column(tmp_path):
    lines = RESUME.splitlines()
    sidebar = "SKILLS\nSAP Ariba\nStrategic sourcing\nAccount management\nNegotiation\nSalesforce CRM"
    source = write_two_column_pdf("Willard Bergnaum - CES Associate Consultant", sidebar, "\n".join(lines[5:30]),
                                  tmp_path / "two.pdf")
    got = read_file(tmp_path / "two.pdf")
    assert words(got.text) == words(source)
    assert "\nSAP Ariba\nStrategic sourcing\n" in got.text  # sidebar skills stay one per line


def test_docx_keeps_bullets_and_table_cells(tmp_path):
    text = "Willard Bergnaum\nSKILLS\n• Strategic sourcing\n• Account management\nWORK EXPERIENCE"
    write_docx(text, tmp_path / "resume.docx", skills_table=[["Python", "SQL"], ["SAP Ariba", "Excel"]])
    got = read_file(tmp_path / "resume.docx")
    assert got.text.splitlines() == ["Willard Bergnaum", "SKILLS", "• Strategic sourcing", "• Account management",
                                     "WORK EXPERIENCE", "Python | SQL", "SAP Ariba | Excel"]


def test_html_lists_and_blocks_become_lines(tmp_path):
    page = ("<html><head><title>x</title><style>p{}</style></head><body><h1>Jane Roe</h1>"
            "<p>Data <b>engineer</b></p><ul><li>Python</li><li>Apache Spark</li></ul>"
            "<table><tr><td>SQL</td><td>Excel</td></tr></table><script>var a;</script></body></html>")
    (tmp_path / "cv.html").write_text(page, encoding="utf-8")
    got = read_file(tmp_path / "cv.html")
    assert [line for line in got.text.splitlines() if line.strip()] == [
        "Jane Roe", "Data engineer", "• Python", "• Apache Spark", "SQL | Excel"]


def test_odt_and_rtf(tmp_path):
    content = ('<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
               '<text:h>Jane Roe</text:h><text:p>Skills:<text:s/>Python</text:p>'
               '<text:list><text:list-item><text:p>SQL</text:p></text:list-item></text:list>'
               '</office:text></office:body></office:document-content>')
    with zipfile.ZipFile(tmp_path / "cv.odt", "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", content)
    assert read_file(tmp_path / "cv.odt").text.splitlines() == ["Jane Roe", "Skills: Python", "• SQL"]
    (tmp_path / "cv.rtf").write_bytes(rb"{\rtf1\ansi{\fonttbl\f0 Arial;}\f0 Jane Roe\par Skills: Python, SQL\par}")
    assert read_file(tmp_path / "cv.rtf").text.splitlines() == ["Jane Roe", "Skills: Python, SQL"]


@pytest.mark.parametrize("text,encoding", [
    ("Déjà vu: René Müller, Zürich – café. " + RESUME[:1500], "cp1252"),
    ("Опыт работы: разработка на Python и SQL, управление проектами. " * 10, "cp1251"),
    ("Skills: Python, SQL, Excel\n" * 5, "utf-16"),
    ("Skills: Python, SQL, Excel\n" * 5, "utf-16-le"),
])
def test_text_in_common_encodings_is_detected(text, encoding):
    got = read_bytes(text.encode(encoding), ".txt", "cv.txt")
    assert got.text == clean_text(text)


def test_clean_text_undoes_line_end_hyphenation_only_inside_words():
    assert clean_text("project manage-\nment\nFront-\nEnd\n-\nbullet\r\n\n\n\nend") == \
        "project management\nFront-\nEnd\n-\nbullet\n\nend"
    # a whole word after the hyphen keeps it, unless the document writes the word unbroken
    assert clean_text("cross-\nfunctional teams, self-\nmotivated") == "cross-functional teams, self-motivated"
    assert clean_text("data base-\nline; the baseline") == "data baseline; the baseline"
    # PDFium's line-end hyphen marker and a soft hyphen
    assert clean_text("develop\ufffement, cross\ufffefunctional, soft\u00ad\nware") == \
        "development, cross-functional, software"


def broken(tmp_path: Path) -> dict[str, Path]:
    good = tmp_path / "good.pdf"
    write_pdf(RESUME, good)
    files = {"corrupt": tmp_path / "truncated.pdf", "encrypted": tmp_path / "locked.pdf",
             "no_text_layer": tmp_path / "scan.pdf", "empty_file": tmp_path / "empty.txt",
             "not_text": tmp_path / "junk.txt", "unsupported_format": tmp_path / "resume.pages"}
    files["corrupt"].write_bytes(good.read_bytes()[:2000])
    write_encrypted_pdf(RESUME, files["encrypted"])
    write_scanned_pdf([Image.new("L", (1240, 1754), 255)], files["no_text_layer"])  # a blank scan: OCR finds nothing
    files["empty_file"].write_bytes(b"")
    files["not_text"].write_bytes(bytes(range(256)) * 20)
    files["unsupported_format"].write_bytes(b"PK\x03\x04")  # Apple Pages
    return files


def test_broken_files_raise_read_errors_of_their_kind(tmp_path):
    for kind, path in broken(tmp_path).items():
        with pytest.raises(ReadError) as caught:
            read_file(path)
        assert caught.value.kind == kind, (path.name, str(caught.value))


def test_limits_refuse_large_files_and_long_pdfs(tmp_path):
    write_pdf(RESUME, tmp_path / "cv.pdf")
    with pytest.raises(ReadError) as caught:
        read_file(tmp_path / "cv.pdf", Limits(max_pages=1))
    assert caught.value.kind == "too_many_pages"
    with pytest.raises(ReadError) as caught:
        read_file(tmp_path / "cv.pdf", Limits(max_bytes=100))
    assert caught.value.kind == "too_large"


def test_the_schema_document_lists_every_error_kind():
    import re

    from skillner.extract.readers import ERROR_KINDS

    schema = (ROOT / "docs" / "extract-schema.md").read_text(encoding="utf-8")
    table = schema[schema.index("| kind | cause |"):schema.index("## Skill frequencies")]
    assert re.findall(r"^\| `(\w+)` \|", table, flags=re.M) == list(ERROR_KINDS)
