"""Resume PDFs from every common producer, read word for word against the text they were made from.

tests/pdf_producers.py lays out invented resumes (one column, two columns, sidebars on either
side, right-aligned dates, a date table, emoji and Font Awesome icons, typed bullets, a long
page, Word's tab stops and table sidebars, groff) and prints them with wkhtmltopdf, headless
Chromium, WeasyPrint, LibreOffice, groff and ghostscript. The reference is the source text, in
the order a person reads the page, not another extractor's reading.
"""

import shutil
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from skillner.extract.readers import read_file
from skillner.extract.readers.clean import clean_text
from skillner.extract.readers.pdf import _GUESS, _blocks, _glyphs, _lines, _read, _words
from tests.pdf_producers import (
    HTML_PRODUCERS,
    agreement,
    available_producers,
    build_corpus,
    corpus_names,
    in_order,
    words,
)

RESUME = Path(__file__).resolve().parents[1] / "corpus" / "examples" / "resume.txt"
ALL = [*HTML_PRODUCERS, "libreoffice", "groff", "groff-ghostscript"]
PRODUCERS = available_producers()


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    return {(producer, source.name): (source, pdf)
            for producer, source, pdf in build_corpus(tmp_path_factory.mktemp("pdf-producers"), PRODUCERS)}


@pytest.fixture(scope="session")
def read(corpus):
    texts = {}

    def read_pdf(producer: str, name: str) -> str:
        if (producer, name) not in texts:
            texts[producer, name] = read_file(corpus[producer, name][1]).text
        return texts[producer, name]

    return read_pdf


@pytest.mark.parametrize("producer,name", corpus_names(ALL))
def test_a_generated_pdf_reads_as_its_source(corpus, read, producer, name):
    if producer not in PRODUCERS:
        pytest.skip(f"{producer} is not installed (scripts/system-deps.sh installs it)")
    source, _ = corpus[producer, name]
    text = read(producer, name)
    unknown = sorted(set(words(text)) - set(words(source.text)))
    assert unknown == [], "glued or split words"
    precision, recall = agreement(text, source.text)
    assert precision >= 0.99 and recall >= 0.99
    assert in_order(text, source) >= 0.99, "columns or rows out of reading order"


@pytest.mark.parametrize("name", ["sidebar-left", "sidebar-right", "two-columns"])
def test_columns_come_one_after_the_other(corpus, read, name):
    """The header, then the whole left column, then the whole right one, word for word."""
    for producer in [producer for producer in PRODUCERS if producer in HTML_PRODUCERS]:
        source, _ = corpus[producer, name]
        assert words(read(producer, name)) == [w for _, lines in source.blocks for w in words("\n".join(lines))], producer


def needs(*producers: str):
    missing = sorted(set(producers) - set(PRODUCERS))
    return pytest.mark.skipif(bool(missing), reason=f"not installed: {missing} (scripts/system-deps.sh installs them)")


@needs("chromium")
def test_emoji_do_not_shift_the_letters_after_them(corpus, read):
    """The Skia scramble's cause ("📍 yderabad, H T elangana"): PDFium gives a character beyond
    the BMP two indices, one per UTF-16 half, so a reader that walks PDFium's text while asking
    for boxes by index puts every later letter in the box of the one before it."""
    _, pdf = corpus["chromium", "sidebar-right"]
    document = pdfium.PdfDocument(pdf)
    try:
        textpage = document[0].get_textpage()
        units = [pdfium_c.FPDFText_GetUnicode(textpage.raw, i) for i in range(textpage.count_chars())]
        assert any(0xD800 <= unit < 0xDC00 for unit in units), "the page must hold emoji for this test to mean anything"
        assert len(textpage.get_text_range()) < len(units)
    finally:
        document.close()
    lines = read("chromium", "sidebar-right").splitlines()
    for contact in ("📞 +44 20 7946 0381", "✉️ d.whitcombe@example.com", "📍 Leeds, United Kingdom"):
        assert contact in lines


@needs("wkhtmltopdf")
def test_spaces_drawn_by_position_part_words(corpus):
    """wkhtmltopdf draws no space glyph at all; words are parted by the gaps between glyphs
    alone, even where PDFium guesses no space (as with wkhtmltopdf 0.12 on Qt 4.8)."""
    source, pdf = corpus["wkhtmltopdf", "one-column"]
    document = pdfium.PdfDocument(pdf)
    try:
        textpage = document[0].get_textpage()
        handle = textpage.raw
        assert not any(pdfium_c.FPDFText_GetUnicode(handle, i) == 32 and not pdfium_c.FPDFText_IsGenerated(handle, i)
                       for i in range(textpage.count_chars()))
        glyphs = _glyphs(textpage)
    finally:
        document.close()
    for glyph in glyphs:  # PDFium's guessed spaces taken away
        if glyph.after is _GUESS:
            glyph.after = None
    read = clean_text("\n".join(_read(block, gutter) for block, gutter in _blocks(_lines(_words(glyphs)))))
    assert sorted(set(words(read)) - set(words(source.text))) == []
    assert min(agreement(read, source.text)) >= 0.99


@pytest.mark.parametrize("producer", ["chromium", "weasyprint", "wkhtmltopdf"])
def test_letter_spaced_headings_stay_whole(read, producer):
    if producer not in PRODUCERS:
        pytest.skip(f"{producer} is not installed (scripts/system-deps.sh installs it)")
    """Headings set in capitals with letter spacing (0.12 em) read as words, not "C O N TA C T"
    (pdftotext's reading of the Chromium PDF)."""
    lines = read(producer, "sidebar-left").splitlines()
    assert {"CONTACT", "SKILLS", "LANGUAGES", "PROFILE", "EXPERIENCE"} <= set(lines)


@needs("chromium")
def test_rows_painted_out_of_order_are_read_in_place(read):
    """Chromium paints floats first, so a right-aligned date comes before every other line in
    the content stream; it is read on its title's line."""
    lines = [" ".join(line.split()) for line in read("chromium", "one-column").splitlines()]  # a row's cells: 2 spaces
    assert "Senior Java Developer Jul 2020 – Present" in lines
    assert "Software Engineer Aug 2015 – Jun 2020" in lines


@needs("chromium")
def test_a_resume_over_pages_is_read_whole(corpus, read):
    source, pdf = corpus["chromium", "long-page"]
    assert read_file(pdf).pages >= 2
    assert min(agreement(read("chromium", "long-page"), source.text)) >= 0.99


@pytest.mark.skipif(not shutil.which("tesseract"), reason="Tesseract is not installed (scripts/system-deps.sh installs it)")
def test_a_skewed_scans_ocr_layer_keeps_its_word_order(tmp_path):
    """A searchable PDF as scanner apps make them (Tesseract's text layer over the page image):
    on a page scanned 1 degree askew each word sits a little higher than the last, so lines are
    followed along the content stream, not cut at one baseline."""
    from difflib import SequenceMatcher

    from tests.resume_files import scan_pages

    images, _ = scan_pages(RESUME.read_text(encoding="utf-8")[:2500], tmp_path, dpi=200)
    readings = []
    for angle in (0, 1):
        images[0].rotate(angle, expand=True, fillcolor=255).save(tmp_path / f"page-{angle}.png")
        subprocess.run(["tesseract", str(tmp_path / f"page-{angle}.png"), str(tmp_path / f"page-{angle}"), "pdf"],
                       check=True, capture_output=True, timeout=120)
        readings.append(words(read_file(tmp_path / f"page-{angle}.pdf").text))
    straight, skewed = readings
    assert len(straight) > 250
    matched = sum(block.size for block in SequenceMatcher(None, skewed, straight, autojunk=False).get_matching_blocks())
    assert matched / len(straight) >= 0.97
