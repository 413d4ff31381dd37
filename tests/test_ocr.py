"""OCR of scans with Tesseract: image-only PDF pages (alone or beside typed pages), image-only
DOCX and image files; and, with OCR off or not installed, the error that says how to turn it on."""

import struct
import time
import zlib
from collections import Counter
from pathlib import Path

import pytest

from skillner.extract.readers import Limits, ReadError, ocr, read_file
from tests.resume_files import scan_pages, write_image_pdf, write_picture_docx, write_scanned_pdf

ROOT = Path(__file__).resolve().parents[1]
# The bundled resume and a technical skills section, so the scan holds "Python" and "SQL".
RESUME = (ROOT / "corpus" / "examples" / "resume.txt").read_text(encoding="utf-8") + (
    "\nTECHNICAL SKILLS\nPython, SQL, PostgreSQL, Docker, Kubernetes, Salesforce CRM, Microsoft Excel\n")
needs_tesseract = pytest.mark.skipif(not ocr.ocr_available(), reason="Tesseract with English data is not installed "
                                     "(scripts/system-deps.sh installs it; the ocr extra installs pytesseract)")


def recall(source: str, got: str) -> float:
    """The share of the source's words (with repeats) that the OCR text has."""
    expected = Counter(source.split())
    return sum((expected & Counter(got.split())).values()) / sum(expected.values())


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@pytest.fixture(scope="module")
def scan(tmp_path_factory):
    """The resume as two scanned pages at 150 dpi, and the text laid out on them."""
    return scan_pages(RESUME, tmp_path_factory.mktemp("scan"))


@needs_tesseract
def test_scanned_pdf_is_read_by_ocr_with_its_words_lines_and_bullets(scan, tmp_path):
    pages, source = scan
    write_scanned_pdf(pages, tmp_path / "scan.pdf")
    got = read_file(tmp_path / "scan.pdf")
    assert (got.reader, got.pages, got.ocr_pages) == ("pdfium+tesseract", 2, 2)
    assert recall(source, got.text) >= 0.97, got.text
    assert "Python, SQL, PostgreSQL" in got.text
    assert "\nSAP ARIBA -\n" in got.text  # line structure: a heading stays a line of its own
    bullets = [line for line in got.text.splitlines() if line.startswith("• ")]
    assert len(bullets) >= 0.9 * source.count("•")


@needs_tesseract
def test_mixed_pdf_reads_the_text_layer_and_ocrs_only_the_scanned_pages(scan, tmp_path):
    pages, _ = scan
    cover = "Willard Bergnaum - cover letter\nI apply for the CES Associate Consultant role."
    write_scanned_pdf(pages[1:], tmp_path / "mixed.pdf", text_before=cover)
    got = read_file(tmp_path / "mixed.pdf")
    assert (got.reader, got.pages, got.ocr_pages) == ("pdfium+tesseract", 2, 1)
    assert got.text.startswith(cover)
    assert "Python, SQL" in got.text


@needs_tesseract
def test_a_scan_under_a_scanner_apps_stamp_is_still_ocred(scan, tmp_path):
    pages, source = scan
    write_scanned_pdf(pages, tmp_path / "stamped.pdf", stamp="Scanned with CamScanner")
    got = read_file(tmp_path / "stamped.pdf")
    assert (got.reader, got.ocr_pages) == ("pdfium+tesseract", 2)
    assert recall(source, got.text) >= 0.97


@needs_tesseract
def test_docx_holding_only_pictures_is_read_by_ocr(scan, tmp_path):
    pages, source = scan
    write_picture_docx(pages, tmp_path / "scan.docx")
    got = read_file(tmp_path / "scan.docx")
    assert (got.reader, got.ocr_pages) == ("docx+tesseract", 2)
    assert recall(source, got.text) >= 0.97
    assert got.text.index("Willard Bergnaum") < got.text.index("Python, SQL")  # pages in order


@needs_tesseract
@pytest.mark.parametrize("suffix", [".png", ".jpg", ".tiff"])
def test_image_files_are_read_by_ocr(scan, tmp_path, suffix):
    pages, _ = scan
    path = tmp_path / f"scan{suffix}"
    if suffix == ".tiff":  # a multi-page TIFF, as scanners save a document (copies: an earlier save left
        # Pillow's PNG settings on the pictures, which the TIFF writer would take up)
        pages[0].copy().save(path, save_all=True, append_images=[page.copy() for page in pages[1:]])
    else:
        pages[1].save(path)
    got = read_file(path)
    assert got.reader == "tesseract" and got.ocr_pages == got.pages == (2 if suffix == ".tiff" else 1)
    assert "Python, SQL, PostgreSQL" in got.text


@needs_tesseract
def test_a_line_in_a_small_font_is_read(tmp_path):
    write_image_pdf(tmp_path / "scan.pdf")  # Pillow's default font, about 7 pt on the page
    got = read_file(tmp_path / "scan.pdf")
    assert "Python, SQL, project management" in got.text and got.ocr_pages == 1


@needs_tesseract
def test_a_page_with_nothing_to_read_is_still_no_text_layer(tmp_path):
    from PIL import Image

    write_scanned_pdf([Image.new("L", (1240, 1754), 255)], tmp_path / "blank.pdf")
    with pytest.raises(ReadError) as caught:
        read_file(tmp_path / "blank.pdf")
    assert caught.value.kind == "no_text_layer" and "OCR found no text" in str(caught.value)


@needs_tesseract
def test_broken_and_oversized_images_get_their_error_kind(tmp_path):
    (tmp_path / "cut.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    header = struct.pack(">IIBBBBB", 30_000, 30_000, 8, 0, 0, 0, 0)  # claims 900 million pixels
    (tmp_path / "huge.png").write_bytes(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
                                        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 30_001)) + png_chunk(b"IEND", b""))
    for name, kind in (("cut.png", "corrupt"), ("huge.png", "too_large")):
        with pytest.raises(ReadError) as caught:
            read_file(tmp_path / name)
        assert caught.value.kind == kind, str(caught.value)


def test_with_ocr_off_a_scan_is_no_text_layer_and_an_image_unsupported(scan, tmp_path):
    pages, _ = scan
    write_scanned_pdf(pages[:1], tmp_path / "scan.pdf")
    write_picture_docx(pages[:1], tmp_path / "scan.docx")
    pages[0].save(tmp_path / "scan.png")
    off = Limits(ocr=False)
    for name in ("scan.pdf", "scan.docx"):
        with pytest.raises(ReadError) as caught:
            read_file(tmp_path / name, off)
        assert caught.value.kind == "no_text_layer" and "OCR is switched off" in str(caught.value)
    with pytest.raises(ReadError) as caught:
        read_file(tmp_path / "scan.png", off)
    assert caught.value.kind == "unsupported_format" and "needs OCR" in str(caught.value)


def test_without_tesseract_the_error_says_what_to_install(scan, tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "ocr_available", lambda: False)
    write_scanned_pdf(scan[0][:1], tmp_path / "scan.pdf")
    with pytest.raises(ReadError) as caught:
        read_file(tmp_path / "scan.pdf")
    assert caught.value.kind == "no_text_layer"
    assert "skillner-resumes[ocr]" in str(caught.value) and "apt-get install tesseract-ocr" in str(caught.value)


@needs_tesseract
@pytest.mark.slow
def test_skills_from_a_scan_are_the_skills_from_its_text(scan, tmp_path):
    from skillner.extract.mentions import extract_texts, skill_name
    from skillner.extract.readers import clean_text
    from skillner.pipeline.model import load_model

    pages, source = scan
    write_scanned_pdf(pages, tmp_path / "scan.pdf")
    scanned = read_file(tmp_path / "scan.pdf").text
    from_text, from_scan = ({skill_name(skill).lower() for skill in result["skills"]}
                            for result in extract_texts(load_model(), [clean_text(source), scanned]))
    assert {"python", "sql"} <= from_scan
    assert len(from_text & from_scan) >= 0.9 * len(from_text | from_scan), (from_text ^ from_scan)


def test_a_huge_scanned_page_is_rendered_within_the_pixel_limit(tmp_path, monkeypatch):
    from fpdf import FPDF
    from PIL import Image

    pdf = FPDF(format=(5000, 5000))  # mm: a 14,000-point page, 3.5 billion pixels at 300 dpi
    pdf.add_page()
    pdf.image(Image.new("L", (400, 400), 255), x=0, y=0, w=5000, h=5000)
    pdf.output(str(tmp_path / "poster.pdf"))
    rendered = []
    monkeypatch.setattr(ocr, "ocr_available", lambda: True)
    monkeypatch.setattr(ocr, "ocr_image", lambda image, where: rendered.append(image.size) or "Python")
    assert read_file(tmp_path / "poster.pdf").text == "Python"
    assert rendered and rendered[0][0] * rendered[0][1] <= 1.001 * ocr.MAX_PIXELS  # PDFium rounds up


def tesseracts() -> set[int]:
    """The pids of every tesseract program running on this machine (a zombie, killed but not yet
    reaped by PID 1, runs no more)."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "tesseract" \
                    and (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                found.add(int(entry.name))
        except OSError:  # it ended while we looked
            pass
    return found


def watch_tesseracts(seen: set[int], stop) -> None:
    while not stop.is_set():
        seen.update(tesseracts())
        stop.wait(0.05)


@needs_tesseract
@pytest.mark.parametrize("how", ["extract", "batch"])
def test_a_read_past_its_timeout_leaves_no_tesseract_running(scan, tmp_path, how, ruler_model):
    """A slow scan (a 4-page TIFF: Tesseract needs seconds) read with a 1 s timeout: the reader
    is killed with its process group, so the tesseract it started is gone too, not orphaned."""
    import threading

    from typer.testing import CliRunner

    from skillner.cli import app
    from skillner.extract.readers.guard import read_isolated

    pages, _ = scan
    path = tmp_path / "slow" / "scan.tiff"
    path.parent.mkdir()
    pages[0].copy().save(path, save_all=True, append_images=[page.copy() for page in pages[1:] + pages])
    before, seen, stop = tesseracts(), set(), threading.Event()
    watcher = threading.Thread(target=watch_tesseracts, args=(seen, stop))
    watcher.start()
    try:
        if how == "extract":
            with pytest.raises(ReadError) as error:
                read_isolated(path, timeout=1.0)
            assert error.value.kind == "timeout"
        else:
            out = tmp_path / "rows.jsonl"
            result = CliRunner().invoke(app, ["batch", str(path.parent), "--out", str(out), "--timeout", "1",
                                              "--model", str(ruler_model)])
            assert result.exit_code == 0, result.output
            assert '"kind": "timeout"' in out.read_text()
    finally:
        stop.set()
        watcher.join()
    started = seen - before
    assert started, "the scan was read before tesseract could be seen: make it slower"
    time.sleep(0.5)  # a killed process needs a moment to leave the process table
    assert not started & tesseracts(), "tesseract kept running after its reader was killed"
