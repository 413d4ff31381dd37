"""Fuzzing the readers: whatever the bytes, `read_bytes` returns an `Extracted` without control
characters or raises a `ReadError` of a documented kind, never anything else.

Pure random bytes rarely get past a format's magic number, so most examples are real files
written by tests/resume_files.py (PDF, DOCX, ODT, RTF, HTML, text, PNG) with bytes flipped,
cut, inserted, deleted or repeated, and zipped documents with their XML mutated and zipped
again. The default run is small enough for every test run; the `slow` one is ten times
larger and lets OCR read what it can.
"""

import functools
import io
import re
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillner.extract.readers import _READERS, ERROR_KINDS, Extracted, Limits, ReadError, read_bytes
from tests.resume_files import write_docx, write_pdf, write_two_column_pdf

ROOT = Path(__file__).resolve().parents[1]
RESUME = (ROOT / "corpus" / "examples" / "resume.txt").read_text(encoding="utf-8")
SUFFIXES = sorted(_READERS)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # every control character but \t and \n
NO_OCR = Limits(ocr=False)  # pages without text would each cost a Tesseract run
MAGIC = [b"", b"%PDF-1.7\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf1\\ansi ", b"<html><body>",
         b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"II*\x00", b"\xff\xfe", b"\xef\xbb\xbf"]
# Pieces of each format's syntax: inserted, they reach deeper than random bytes.
TOKENS = [b"obj", b"endobj", b"stream\n", b"endstream", b"/Length 99999999", b"xref\n0 1\n", b"trailer", b"<<",
          b">>", b"/Type /Page", b"<w:p>", b"</w:p>", b"<w:tbl><w:tr><w:tc>", b"<w:t>", b"</w:body>",
          b"<text:p>", b"<text:list><text:list-item>", b"<text:s text:c=\"999999999\"/>", b"&#0;", b"&#xD800;",
          b"<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\">]>", b"&a;", b"<![CDATA[", b"{\\", b"\\par", b"\\u-1?",
          b"\\bin99999 ", b"<div>", b"<table><tr><td>", b"<meta charset=\"utf-16\">", b"<meta charset=\"zlib\">",
          b"\x00", b"\xff\xfe", b"\xd8\x00", b"\r", b"\x02", b"\x1b", b"\xad"]


@functools.lru_cache(maxsize=None)
def seeds() -> tuple[tuple[str, bytes], ...]:
    """(suffix, bytes) of real, readable files of every kind the tests can write."""
    from PIL import Image, ImageDraw

    text = RESUME[:1200]
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        write_pdf(text, folder / "cv.pdf")
        write_two_column_pdf("Jane Roe", "SKILLS\nPython\nSQL\nExcel", text[:500], folder / "two.pdf")
        write_docx(text[:600], folder / "cv.docx", skills_table=[["Python", "SQL"], ["SAP Ariba", "Excel"]])
        found = [(path.suffix, path.read_bytes()) for path in sorted(folder.iterdir())]
    content = ('<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
               '<text:h>Jane Roe</text:h><text:p>Skills:<text:s/>Python<text:tab/>SQL</text:p>'
               '<text:list><text:list-item><text:p>Excel</text:p></text:list-item></text:list>'
               '</office:text></office:body></office:document-content>')
    odt = io.BytesIO()
    with zipfile.ZipFile(odt, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", content)
    picture = Image.new("L", (400, 60), 255)
    ImageDraw.Draw(picture).text((10, 20), "Skills: Python, SQL", fill=0)
    png = io.BytesIO()
    picture.save(png, format="PNG")
    html = ('<html><head><meta charset="utf-8"><title>CV</title><style>p{}</style></head><body><h1>Jane Roe</h1>'
            '<p>R&amp;D <b>engineer</b></p><ul><li>Python</li><li>Apache Spark</li></ul><table><tr><td>SQL</td>'
            '<td>Excel</td></tr></table><script>var a = "<p>";</script></body></html>')
    return (*found, (".odt", odt.getvalue()), (".png", png.getvalue()), (".html", html.encode("utf-8")),
            (".rtf", rb"{\rtf1\ansi{\fonttbl\f0 Arial;}\f0 Jane Roe\par Skills: Python, SQL\par\u8226? Excel\par}"),
            (".txt", text.encode("cp1252", errors="replace")), (".txt", text.encode("utf-16-le")))


def check(data: bytes, suffix: str, limits: Limits) -> None:
    try:
        got = read_bytes(data, suffix, f"fuzz{suffix}", limits)
    except ReadError as error:
        assert error.kind in ERROR_KINDS, (error.kind, str(error))
        return
    assert isinstance(got, Extracted) and got.text.strip()
    assert not CONTROL.search(got.text), repr(CONTROL.search(got.text).group())


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """`data` with up to eight edits: a byte flipped, the file cut, a token or random bytes
    inserted, a span deleted or repeated."""
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        edit = draw(st.sampled_from(["flip", "cut", "insert", "delete", "repeat"]))
        if edit == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif edit == "cut":
            del data[at:]
        elif edit == "insert":
            data[at:at] = draw(st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=16))
        elif edit == "delete":
            del data[at:at + draw(st.integers(1, 64))]
        else:
            data[at:at] = data[at:at + draw(st.integers(1, 256))] * draw(st.integers(1, 50))
    return bytes(data)


@st.composite
def mutated_file(draw) -> tuple[str, bytes]:
    """A real file with its bytes mutated, or, for a zipped document, one member mutated and
    the archive rebuilt (so that the XML parser, not the zip CRC check, meets the damage)."""
    suffix, data = draw(st.sampled_from(seeds()))
    if suffix in (".docx", ".odt") and draw(st.booleans()):
        source = zipfile.ZipFile(io.BytesIO(data))
        names = source.namelist()
        target = draw(st.sampled_from([name for name in names if name.endswith(".xml")]))
        rebuilt = io.BytesIO()
        with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in names:
                member = source.read(name)
                archive.writestr(name, draw(mutated(member)) if name == target else member)
        return suffix, rebuilt.getvalue()
    return suffix, draw(mutated(data))


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SLOW = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                          HealthCheck.data_too_large])


def test_the_seeds_are_read():
    for suffix, data in seeds():
        if suffix != ".png":  # an image needs OCR, which NO_OCR refuses
            assert read_bytes(data, suffix, f"seed{suffix}", NO_OCR).text.strip(), suffix


@FAST
@given(st.sampled_from(SUFFIXES), st.sampled_from(MAGIC), st.binary(max_size=2048))
def test_random_bytes_in_every_format(suffix, magic, data):
    check(magic + data, suffix, Limits())


@FAST
@given(mutated_file())
def test_mutated_real_files(case):
    check(case[1], case[0], NO_OCR)


@FAST
@given(mutated_file(), st.sampled_from(SUFFIXES))
def test_real_files_under_another_suffix(case, suffix):
    check(case[1], suffix, NO_OCR)


@pytest.mark.slow
@SLOW
@given(mutated_file())
def test_mutated_real_files_at_length_with_ocr(case):
    check(case[1], case[0], Limits())


@pytest.mark.slow
@SLOW
@given(st.sampled_from(SUFFIXES), st.sampled_from(MAGIC), st.binary(max_size=65536))
def test_random_bytes_at_length(suffix, magic, data):
    check(magic + data, suffix, Limits())
