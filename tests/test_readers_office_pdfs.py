"""PDFs printed by an office suite, read as `pdftotext -layout` reads them.

tests/data/office-pdfs holds resumes laid out as people do in Word and Google Docs (dates on
right-aligned tab stops, a borderless two-column table, a page header, bullets, small caps,
newspaper columns, a date column on the left, a plain text in a monospaced font, a table of
labels), each as its DOCX/ODT/TXT source and the PDF
LibreOffice printed from it, with `pdftotext -layout`'s reading beside it (made once by
make_fixtures.py there: LibreOffice and pdftotext are not installed in CI). None of these
layouts comes from skillner's own PDF writers.
"""

import re
import unicodedata
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from skillner.extract.readers import read_file
from skillner.extract.readers.pdf import _blocks, _glyphs, _lines, _words

OFFICE = Path(__file__).resolve().parent / "data" / "office-pdfs"
PDFS = sorted(path.stem for path in OFFICE.glob("*.pdf"))
TWO_COLUMN = {"table-sidebar"}
ONE_COLUMN = [name for name in PDFS if name not in TWO_COLUMN]
DATE = re.compile(r"\b((Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+)?(19|20)\d\d\b", re.IGNORECASE)
LEFT_DATE_ROW = re.compile(rf"^\s*((?:{DATE.pattern})\s*[–-]\s*(?:present|{DATE.pattern}))\s+(\S.*)$", re.IGNORECASE)
BULLETS = "•\uf0b7"


def source(name: str) -> Path:
    stem = name.removesuffix("-tagged")
    return next((path for path in OFFICE.glob(f"{stem}.*") if path.suffix in (".docx", ".odt")),
                OFFICE / f"{stem}.txt")  # a plain text printed as it is


def layout(name: str) -> str:
    return (OFFICE / f"{name}.layout.txt").read_text(encoding="utf-8")


def bare(word: str) -> str:
    return word.strip(".,;:()[]{}<>\"'“”‘’|!?*·" + BULLETS)


def segments(line: str) -> list[str]:
    """The pieces pdftotext sets apart on a line: by wide gaps, or by a tab's dot leader; a
    bullet is no piece."""
    return [" ".join(piece.split()) for piece in re.split(r"\s{3,}|\.{4,}\s*", line.strip()) if bare(piece)]


def reference_words(text: str) -> set[str]:
    """pdftotext's words, their hyphen- and dash-separated parts too."""
    words = {bare(token) for line in text.splitlines() for piece in segments(line) for token in piece.split()}
    return words | {part for word in words for part in re.split(r"[-–/]", word) if part}


def unknown_words(text: str, reference: set[str]) -> list[str]:
    """skillner's words that pdftotext does not read: words cut at a column split, junk, glued words."""
    return [word for word in map(bare, text.split()) if word and word not in reference
            and not all(part in reference for part in re.split(r"[-–/]", word) if part)]


def date_rows(text: str) -> list[tuple[str, str]]:
    """(entry, date) wherever pdftotext lays out a date on an entry's line: flush right after
    it (a right-aligned tab stop) or in a column before it."""
    rows = []
    for line in text.splitlines():
        pieces, left_date = segments(line), LEFT_DATE_ROW.match(line)
        if len(pieces) >= 2 and DATE.search(pieces[-1]) and not DATE.search(pieces[-2]):
            rows.append((pieces[-2], pieces[-1]))
        elif left_date:
            rows.append((" ".join(left_date.group(len(left_date.groups())).split()), left_date.group(1)))
    return rows


def on_one_line(text: str, entry: str, date: str) -> bool:
    return any(entry in line and date in line for line in (" ".join(line.split()) for line in text.splitlines()))


def flat(text: str) -> str:
    """The text without its layout: bullets, line breaks and the DOCX reader's table-cell
    separators ("Databases | SQL Server") are where a reader and a page differ."""
    return " ".join(text.replace(" | ", " ").translate({ord(bullet): " " for bullet in BULLETS}).split())


def split_pages(name: str) -> list[tuple[int, int]]:
    """(page, lines) for each block of a page that pdf.py reads column by column."""
    document = pdfium.PdfDocument(str(OFFICE / f"{name}.pdf"))
    split = []
    try:
        for number, page in enumerate(document, start=1):
            textpage = page.get_textpage()
            lines = _lines(_words(_glyphs(textpage)))
            split += [(number, len(block)) for block, gutter in _blocks(lines) if gutter is not None]
            textpage.close()
            page.close()
    finally:
        document.close()
    return split


@pytest.fixture(scope="module")
def read():
    found = {}

    def read_pdf(name: str) -> str:
        if name not in found:
            found[name] = read_file(OFFICE / f"{name}.pdf").text
        return found[name]

    return read_pdf


def test_the_fixtures_are_there():
    assert len(PDFS) >= 7 and all((OFFICE / f"{name}.layout.txt").is_file() and source(name) for name in PDFS)


@pytest.mark.parametrize("name", PDFS)
def test_every_word_read_is_a_word_pdftotext_reads(read, name):
    """No word cut at a split ("Sac|ramento"), no clipped glyphs, no words glued together."""
    text = read(name)
    assert len(text.split()) >= 100
    assert unknown_words(text, reference_words(layout(name))) == []


def test_a_dot_leader_is_parted_from_the_date_after_it(read):
    """PDFium reads a tab's dot leader with no space before the date ("model.....2022")."""
    lines = read("gdocs-projects").splitlines()
    for entry, date in (("model", "2022"), ("toolkit", "2020")):
        assert any(re.search(rf"\b{entry}\.{{100,}} {date}\b", line) for line in lines), entry


@pytest.mark.parametrize("name", PDFS)
def test_no_control_characters(read, name):
    assert [char for char in read(name) if unicodedata.category(char) == "Cc" and char not in "\n\t"] == []


@pytest.mark.parametrize("name", PDFS)
def test_bullets_are_readable_characters(read, name):
    """Word draws "•" from the Symbol font at its private-use code U+F0B7; a reader should give
    the bullet (the DOCX reader does), not a character the model has never seen."""
    assert [char for char in read(name) if unicodedata.category(char) == "Co"] == []
    assert read(name).count("•") >= 5


@pytest.mark.parametrize("name", ONE_COLUMN)
def test_one_column_pages_are_not_split(name):
    """Only Word's newspaper section (five lines of skills in two columns) is read as columns."""
    assert split_pages(name) == ([(1, 5)] if name == "two-page-devops" else [])


def test_two_column_table_is_read_column_by_column():
    assert [page for page, _ in split_pages("table-sidebar")] == [1]


@pytest.mark.parametrize("name,rows", [("word-tab-dates", 4), ("word-tab-dates-tagged", 4), ("gdocs-projects", 2),
                                       ("header-nurse", 3), ("smallcaps-sales", 3), ("two-page-devops", 9),
                                       ("left-dates-teacher", 5)])
def test_dates_stay_on_their_entrys_line(read, name, rows):
    expected = date_rows(layout(name))
    assert len(expected) == rows
    assert [row for row in expected if not on_one_line(read(name), *row)] == []


def test_rows_of_a_word_resume_read_as_rows(read):
    lines = [" ".join(line.split()) for line in read("word-tab-dates").splitlines()]  # cells are two spaces apart
    for row in ("Senior Software Engineer Mar 2021 – Present", "Harbor Logistics Sacramento, CA",
                "California State University, Sacramento Aug 2014 – May 2018",
                "B.S. in Computer Science, minor in Mathematics GPA 3.7"):
        assert row in lines


def test_sidebar_table_is_not_interleaved(read):
    """The skills sidebar, then the experience, each whole, as in the DOCX."""
    written = (OFFICE / "table-sidebar.txt").read_text(encoding="utf-8").splitlines()
    sidebar, main = written[2:written.index("Profile")], written[written.index("Profile"):]
    text = flat(read("table-sidebar"))
    assert flat(" ".join(sidebar)) in text
    assert flat(" ".join(main)) in text
    assert text.index(flat(" ".join(sidebar))) < text.index(flat(" ".join(main)))


def test_full_width_line_above_a_sidebar_table_stays_whole(read):
    assert "Data Engineer · Minneapolis, MN · marcus.lindqvist@example.net · 612-555-0107" in read("table-sidebar")


def test_skills_in_newspaper_columns_keep_their_order(read):
    """Word's two-column section: the first column, then the second, as written."""
    written = (OFFICE / "two-page-devops.txt").read_text(encoding="utf-8").splitlines()
    skills = written[written.index("Technical Skills") + 1:written.index("Experience")]
    assert len(skills) == 10 and flat(" ".join(skills)) in flat(read("two-page-devops"))


def test_page_header_is_read_once_at_the_top(read):
    text = read("header-nurse")
    assert text.startswith("Grace Whitfield, RN, BSN\nColumbus, OH")
    assert text.count("Grace Whitfield") == 1


@pytest.fixture(scope="module")
def model():
    from skillner.pipeline.model import load_model
    from skillner.taxonomy.vocabulary import ConceptIndex

    return load_model(), ConceptIndex.load()


@pytest.mark.slow
def test_skills_from_the_pdf_are_those_from_its_docx(read, model):
    """The model finds the same skills in the PDF as in the document it was printed from. Line
    breaks and bullets are layout (a PDF wraps a paragraph that the DOCX keeps on one line, and
    the model's spans move with them), so both texts are compared without them."""
    from skillner.extract.mentions import extract_texts

    nlp, concepts = model
    for name in PDFS:
        from_pdf, from_source = extract_texts(nlp, [flat(read(name)), flat(read_file(source(name)).text)], concepts)
        skills = [sorted((skill["text"].lower(), skill["label"]) for skill in found["skills"])
                  for found in (from_pdf, from_source)]
        assert len(skills[1]) >= 2, name
        assert skills[0] == skills[1], name


def test_a_plain_text_printed_in_a_monospaced_font_is_read_in_order(read):
    """Liberation Mono puts every space on one grid, so some x is free of words down the whole
    page; the word spaces there are not a gutter (this page was read as two columns before)."""
    assert split_pages("plain-text-sheet-metal") == []
    written = (OFFICE / "plain-text-sheet-metal.txt").read_text(encoding="utf-8")
    assert flat(read("plain-text-sheet-metal")) == flat(written)


def test_cells_padded_with_spaces_stay_apart(read):
    """A list set in two columns with spaces keeps its items apart (two spaces, as the text file
    has a run of them), so the skills-list reader splits them; a bullet's indent does not."""
    lines = read("plain-text-sheet-metal").splitlines()
    assert "Pittsburgh lock former  Spot welder" in lines and "Scissor lift  Boom lift" in lines
    assert "• Blueprint reading" in lines


def test_a_table_of_labels_in_a_one_column_page_is_read_row_by_row(read):
    """Each label stays beside what it heads, and the experience after the table stays after it
    (read as two columns before: every label, then "Experience", then the values)."""
    lines = read("label-table-dba").splitlines()
    assert "Databases  Microsoft SQL Server 2016–2022," in lines
    assert "Automation  PowerShell, T-SQL, dbatools, Ansible, Git" in lines
    assert lines.index("Technical Skills") < lines.index("Databases  Microsoft SQL Server 2016–2022,") < lines.index(
        "Experience") < lines.index("Senior Database Administrator  2018 – Present")
