"""Plain text, HTML, standard input and the read dispatch: encodings in any script, files that
cannot be read, deep or odd HTML, and reader failures that must become typed errors."""

import io
import os
import struct
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skillner.cli import app
from skillner.extract import readers
from skillner.extract.readers import ERROR_KINDS, Limits, ReadError, clean_text, read_bytes, read_file
from tests.resume_files import write_docx, write_pdf

ROOT = Path(__file__).resolve().parents[1]
RESUME = (ROOT / "corpus" / "examples" / "resume.txt").read_text(encoding="utf-8")
RESUMES = {
    "Russian": "Опыт работы: разработка на Python и SQL.\nНавыки: управление проектами, Excel\n",
    "Greek": "Εμπειρία: ανάπτυξη λογισμικού σε Python\nΔεξιότητες: SQL, Excel\n",
    "Japanese": "職務経歴: Python と SQL による開発、プロジェクト管理。\nスキル: Excel\n",
    "Arabic": "الخبرة: تطوير البرمجيات بلغة بايثون\nالمهارات: SQL\n",
    "Chinese": "工作经历：使用 Python 和 SQL 进行软件开发。\n技能：项目管理\n",
    "Hindi": "अनुभव: पायथन में सॉफ्टवेयर विकास\nकौशल: SQL\n",
}


def kind_of(call, *args) -> str:
    with pytest.raises(ReadError) as caught:
        call(*args)
    assert caught.value.kind in ERROR_KINDS
    return caught.value.kind


@pytest.mark.parametrize("language", sorted(RESUMES))
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_read_in_any_script(language, encoding):
    text = RESUMES[language] * 3
    got = read_bytes(text.encode(encoding), ".txt", "cv.txt")
    assert got.text == clean_text(text) and got.reader == f"text ({encoding})"


def test_a_short_text_with_one_accent_is_not_read_as_utf16():
    # charset-normalizer alone calls these four bytes UTF-16 ("捡曩")
    assert read_bytes(b"caf\xe9", ".txt", "cv.txt").text == "café"


def test_binary_data_with_nul_bytes_is_not_text(tmp_path):
    write_docx("Jane Roe\nPython", tmp_path / "cv.docx")
    write_pdf("Jane Roe\nPython", tmp_path / "cv.pdf")
    for source in ("cv.docx", "cv.pdf"):
        assert kind_of(read_bytes, (tmp_path / source).read_bytes(), ".txt", "cv.txt") == "not_text"
    assert kind_of(read_bytes, struct.pack("<200d", *range(200)), ".txt", "cv.txt") == "not_text"


def test_control_characters_never_reach_the_text():
    raw = "Skills:\x01 Python,\x1b SQL\x7f\x85\vExcel\tWord\n" + "Experience at Acme\n" * 20
    got = read_bytes(raw.encode("utf-8"), ".txt", "cv.txt")
    assert [line for line in got.text.splitlines() if line][:2] == ["Skills: Python, SQL", "Excel\tWord"]
    assert not any(ord(c) < 32 and c not in "\n\t" or 0x7f <= ord(c) <= 0x9f for c in got.text)


def stdin_of(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_stdin_is_read_as_bytes_like_a_text_file(monkeypatch):
    text = "Déjà vu: René Müller, Zürich – café. " + RESUME[:1500]
    stdin_of(monkeypatch, text.encode("cp1252"))
    assert read_file("-").text == clean_text(text)
    stdin_of(monkeypatch, RESUMES["Russian"].encode("utf-16-le"))
    assert read_file("-").text == clean_text(RESUMES["Russian"])
    stdin_of(monkeypatch, bytes(range(256)) * 20)
    assert kind_of(read_file, "-") == "not_text"
    stdin_of(monkeypatch, b"")
    assert kind_of(read_file, "-") == "empty_file"
    stdin_of(monkeypatch, b"Skills: Python, SQL\n" * 10)
    assert kind_of(read_file, "-", Limits(max_bytes=100)) == "too_large"
    monkeypatch.setattr(sys, "stdin", None)  # started with stdin closed
    assert kind_of(read_file, "-") == "unreadable"


def test_extract_on_binary_stdin_is_a_one_line_error():
    out = CliRunner().invoke(app, ["extract", "-"], input=bytes(range(256)) * 20)
    assert out.exit_code == 1 and "[not_text]" in out.output and "Traceback" not in out.output


def test_files_that_cannot_be_read_are_unreadable(tmp_path):
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # no writer: opening it for reading would block
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    for path in (folder, fifo, tmp_path / "dangling.txt", tmp_path / "loop.txt", tmp_path / "vanished.txt"):
        with pytest.raises(ReadError) as caught:
            read_file(path)
        assert caught.value.kind == "unreadable" and path.name in str(caught.value), str(caught.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")
def test_a_file_without_read_permission_is_unreadable(tmp_path):
    locked = tmp_path / "cv.txt"
    locked.write_text("Skills: Python")
    locked.chmod(0)
    assert kind_of(read_file, locked) == "unreadable"


def test_a_file_is_read_at_most_up_to_the_limit(tmp_path):
    (tmp_path / "cv.txt").write_bytes(b"Skills: Python\n" * 100)
    assert kind_of(read_file, tmp_path / "cv.txt", Limits(max_bytes=1499)) == "too_large"
    assert "Python" in read_file(tmp_path / "cv.txt", Limits(max_bytes=1500)).text


@pytest.mark.parametrize("failure", [RecursionError("maximum recursion depth exceeded"),
                                     zipfile.BadZipFile("Bad CRC-32"), struct.error("unpack requires a buffer"),
                                     IndexError("list index out of range"), KeyError("word/document.xml")])
def test_a_reader_library_failing_becomes_a_corrupt_file(monkeypatch, failure):
    def failing_reader(data, name, limits):
        raise failure

    monkeypatch.setitem(readers._READERS, ".docx", failing_reader)
    with pytest.raises(ReadError) as caught:
        read_bytes(b"PK\x03\x04", ".docx", "cv.docx")
    assert caught.value.kind == "corrupt"
    assert str(caught.value).startswith("cv.docx: ") and type(failure).__name__ in str(caught.value)


def test_a_reader_out_of_memory_is_too_large(monkeypatch):
    def hungry_reader(data, name, limits):
        raise MemoryError

    monkeypatch.setitem(readers._READERS, ".pdf", hungry_reader)
    assert kind_of(read_bytes, b"%PDF-1.7", ".pdf", "cv.pdf") == "too_large"


def html_lines(page: bytes | str) -> list[str]:
    data = page.encode("utf-8") if isinstance(page, str) else page
    return [line for line in read_bytes(data, ".html", "cv.html").text.splitlines() if line.strip()]


def test_html_entities_whitespace_and_hidden_parts():
    page = ("<!DOCTYPE html><html><head><title>CV</title><script>if (a<b) {x = '</p>'}</script></head>"
            "<body><!-- a comment --><h1>Jane&nbsp;Roe</h1>\n<p>R&amp;D &eacute;quipe &#x41;WS,\n   "
            "Python &#8211; SQL</p><noscript>enable JS</noscript><template><p>hidden</p></template>"
            "<pre>line one\n  line two</pre>before<br>after</body></html>")
    assert html_lines(page) == ["Jane Roe", "R&D équipe AWS, Python – SQL", "line one", "line two", "before",
                                "after"]


def test_html_without_closing_tags_and_with_nested_tables():
    page = ("<html><head><title>CV</title><p>Jane Roe<ul><li>Python<li>SQL</ul>"
            "<table><tr><td>Skills<td><table><tr><th>Excel<th>Word</table><tr><td>Spark<td>Kafka</table>")
    assert html_lines(page) == ["Jane Roe", "• Python", "• SQL", "Skills |", "Excel | Word", "Spark | Kafka"]


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r", "utf-8"])
def test_html_charset_declared_in_meta(encoding):
    page = f'<html><head><meta charset="{encoding}"></head><body><p>Опыт работы: Python</p></body></html>'
    assert html_lines(page.encode(encoding)) == ["Опыт работы: Python"]
    http_equiv = page.replace(f'<meta charset="{encoding}">',
                              f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">')
    assert html_lines(http_equiv.encode(encoding)) == ["Опыт работы: Python"]


def test_html_encoding_undeclared_or_wrongly_declared_or_utf16():
    body = "<html><body><p>Déjà vu: René Müller, Zürich, café</p><p>Python</p></body></html>"
    assert html_lines(body.encode("cp1252")) == ["Déjà vu: René Müller, Zürich, café", "Python"]
    wrong = body.replace("<body>", '<head><meta charset="utf-8"></head><body>')
    assert html_lines(wrong.encode("cp1252")) == ["Déjà vu: René Müller, Zürich, café", "Python"]
    for encoding in ("utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"):
        assert html_lines(body.encode(encoding)) == ["Déjà vu: René Müller, Zürich, café", "Python"]
    for label in ("x-unknown", "zlib", "base64"):  # no such charset, or a codec that is not a text encoding
        odd = body.replace("<body>", f'<head><meta charset="{label}"></head><body>')
        assert html_lines(odd.encode("utf-8")) == ["Déjà vu: René Müller, Zürich, café", "Python"]


def test_html_with_invalid_bytes_or_binary_data():
    assert html_lines(b'<meta charset="utf-8"><p>Python \xff\xfe SQL</p>')[-1].endswith("SQL")
    assert kind_of(read_bytes, bytes(range(256)) * 20, ".html", "cv.html") == "not_text"
    assert kind_of(read_bytes, b"<html><head><title>x</title></head><body></body></html>", ".html",
                   "cv.html") == "empty_file"


def test_deeply_nested_html_is_read_whole():
    # 100,000 nested divs: BeautifulSoup took minutes (quadratic), a recursive walk overflows the stack
    depth = 100_000
    page = "<html><body>" + "<div>x " * depth + "<p>Python</p>" + "</div>" * depth + "</body></html>"
    lines = html_lines(page)
    assert lines.count("x") == depth and lines[-1] == "Python"


def test_no_reader_returns_more_text_than_the_limit():
    page = "<html><body>" + "<p>Python, SQL and Excel</p>" * 2000 + "</body></html>"
    assert kind_of(read_bytes, page.encode(), ".html", "cv.html", Limits(max_chars=10_000)) == "too_large"
    assert kind_of(read_bytes, b"Skills: Python\n" * 1000, ".txt", "cv.txt", Limits(max_chars=10_000)) == "too_large"
    assert len(read_bytes(page.encode(), ".html", "cv.html", Limits(max_chars=60_000)).text) <= 60_000
