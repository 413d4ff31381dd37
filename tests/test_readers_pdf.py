"""PDF reading order and hyphens on real LaTeX resumes (../shared/data/real-pdfs), the bundled
examples and generated one-column resumes with right-aligned dates, compared with the text of
`pdftotext -layout` (tests/data/real-pdfs, made once: pdftotext is not installed in CI)."""

import re
import unicodedata
from pathlib import Path

import pytest

from skillner.extract.readers import clean_text, read_file
from tests.resume_files import (
    write_dated_rows_pdf,
    write_left_dates_pdf,
    write_right_sidebar_pdf,
    write_two_column_pdf,
)

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "real-pdfs"
REFERENCE = ROOT / "tests" / "data" / "real-pdfs"
EXAMPLES = ROOT / "corpus" / "examples"
RESUME = (EXAMPLES / "resume.txt").read_text(encoding="utf-8")
PDFS = {**{name: REAL / f"{name}.pdf" for name in ("awesome-cv-cv", "awesome-cv-resume",
                                                    "awesome-cv-resume-twocolumn", "moderncv-classic")},
        **{name: EXAMPLES / f"{name}.pdf" for name in ("resume-dotin-5", "resume-dotin-27-two-column")}}
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/data/real-pdfs not available")
DATE = re.compile(r"\b((Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+)?(19|20)\d\d\b")
DASHES = re.compile(r"[-–—/]")


def bare(word: str) -> str:
    """A word without the punctuation around it; the soft hyphen the font draws is a hyphen."""
    return word.replace("\u00ad", "-").strip(".,;:()[]{}<>\"'“”‘’|!?*•·")


def layout(name: str) -> str:
    return (REFERENCE / f"{name}.layout.txt").read_text(encoding="utf-8")


def segments(line: str) -> list[str]:
    """The pieces pdftotext -layout set apart by wide gaps: columns, or the two ends of a row."""
    return [" ".join(piece.split()) for piece in re.split(r"\s{3,}", line.strip()) if piece.strip()]


def reference_words(text: str) -> set[str]:
    """pdftotext's words, their hyphen-separated parts, and each line-end break joined both
    ways ("Con-" + "sul": "Consul", "Con-sul") with the first word of each piece of the next line."""
    words: set[str] = set()
    lines = [line for line in text.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        following = lines[index + 1:index + 4]  # the next line of the same column may come later
        for piece in segments(line):
            tokens = [bare(token) for token in piece.split()]
            words.update(tokens)
            words.update(part for token in tokens for part in DASHES.split(token) if part)
            if tokens and tokens[-1].endswith("-"):
                head = tokens[-1].rstrip("-")
                for start in (bare(piece.split()[0]) for line in following for piece in segments(line)):
                    words.update({head + start, f"{head}-{start}"})
    return words


def unknown_words(text: str, reference: set[str]) -> list[str]:
    """skillner's words that pdftotext does not read: cut words and junk. Formulas are left
    out: pdftotext puts a subscript on a line of its own ("lim" / "n→∞")."""
    return [word for word in map(bare, text.split()) if word and word not in reference
            and not all(part in reference for part in DASHES.split(word) if part)
            and any(char.isalpha() for char in word) and not any(unicodedata.category(char) == "Sm" for char in word)]


def date_rows(text: str) -> list[tuple[str, str]]:
    """(title, date) where pdftotext lays out a date at the end of a row, set apart from its title."""
    rows = []
    for line in text.splitlines():
        pieces = segments(line.replace("\u00ad", "-"))
        if len(pieces) >= 2 and DATE.search(pieces[-1]) and not DATE.search(pieces[-2]):
            rows.append((pieces[-2], pieces[-1]))
    return rows


def on_one_line(text: str, left: str, right: str) -> bool:
    return any(left in line and right in line for line in (" ".join(line.split()) for line in text.splitlines()))


def row_lines(text: str) -> list[str]:
    """The lines read, each with its runs of spaces as one: a row's cells (a title and its
    right-aligned date) are joined by two spaces."""
    return [" ".join(line.split()) for line in text.splitlines()]


@pytest.fixture(scope="module")
def read():
    found = {}

    def read_pdf(name: str) -> str:
        if name not in found:
            found[name] = read_file(PDFS[name]).text
        return found[name]

    return read_pdf


@pytest.mark.parametrize("name", [pytest.param(name, marks=needs_real) if path.parent == REAL else name
                                  for name, path in PDFS.items()])
def test_every_word_read_is_a_word_pdftotext_reads(read, name):
    """No word cut at a column split ("Sac|ramento"), no clipped glyphs ("aaged pojects"),
    no words glued ("andwrote"), no control characters ("mem\\x02ory")."""
    text = read(name)
    assert unknown_words(text, reference_words(layout(name))) == []
    assert [char for char in text if unicodedata.category(char) == "Cc" and char not in "\n\t"] == []


@needs_real
@pytest.mark.parametrize("name,rows", [("awesome-cv-cv", 22), ("awesome-cv-resume", 9),
                                       ("awesome-cv-resume-twocolumn", 4)])
def test_dates_stay_on_their_jobs_line(read, name, rows):
    """A date right-aligned on a job's baseline is the end of that row, not a column."""
    expected = date_rows(layout(name))
    assert len(expected) == rows
    assert [row for row in expected if not on_one_line(read(name), *row)] == []


@needs_real
def test_rows_of_awesome_cv_read_as_rows(read):
    text = row_lines(read("awesome-cv-resume"))
    for line in ("DevOps Engineer Sep. 2023 - Mar. 2024", "Dunamu Inc. Seoul, S.Korea",
                 "Founding Member & Site Reliability Engineer & Infrastructure Team Lead Mar. 2021 - Jun. 2023"):
        assert line in text
    cv = row_lines(read("awesome-cv-cv"))
    for line in ("Freelance Penetration Tester Sep. 2013, Mar. 2011 - Oct. 2011", "Member Jun. 2012 - PRESENT"):
        assert line in cv


@needs_real
@pytest.mark.parametrize("name", ["awesome-cv-cv", "awesome-cv-resume"])
def test_hyphens_drawn_as_soft_hyphens_are_kept(read, name):
    """Awesome-CV's font draws "multi-master" with U+00AD: a visible hyphen, not a soft one."""
    reference = layout(name)
    drawn = {bare(word) for word in reference.split() if re.search(r"\w\u00ad\w", word)}
    assert len(drawn) >= 15
    words = {bare(word) for word in read(name).split()}
    assert drawn <= words
    written_unhyphenated = {bare(word) for word in reference.split()}  # "microservices" is both
    assert not {word.replace("-", "") for word in drawn} & words - written_unhyphenated
    assert "high-impact" in words or name == "awesome-cv-cv"


@needs_real
def test_hyphenation_at_line_ends_is_undone(read):
    """The font's hyphen at a line end breaks a word in two ("Con-/sul") or ends a compound's
    head ("multi-/account"): joined or kept as the rest of the document says."""
    words = set(read("awesome-cv-resume").split())
    assert {"Consul,", "enterprise", "multi-account,"} <= words
    assert not {"Con-sul,", "en-terprise", "multiaccount,"} & words


@needs_real
def test_two_column_resume_is_not_interleaved(read):
    flat = " ".join(read("awesome-cv-resume-twocolumn").split())
    for passage in (("Lorem ipsum dolor sit amet, consectetur adipiscing elit. Duis ullamcorper neque sit amet lectus "
                     "facilisis sed luctus nisl iaculis. Vivamus at neque arcu, sed tempor quam."),
                    ("Implemented overall Android application logic and wrote API server for community service, "
                     "along with lead engineer who designed bidding protocol on raw socket and implemented API server "
                     "for bidding."),
                    "Got a Chun Shin-Il Scholarship which is given to promising students in CSE Dept."):
        assert passage in flat


JOBS = [
    ("Software Engineer", "Jan 2020 – Present", "Acme Analytics", "Sacramento, CA",
     ["Built REST APIs with Hibernate and Spring", "Ran Cassandra clusters"]),
    ("Data Analyst", "Jun 2017 – Dec 2019", "Blue River Health", "Austin, TX",
     ["Wrote SQL reports for managers", "Automated Excel dashboards"]),
    ("Research Assistant", "Sep 2015 – May 2017", "State University", "Davis, CA",
     ["Trained models in Python", "Cleaned survey data"]),
    ("Intern", "Summer 2014", "Northwind Traders", "Remote", ["Tested the web shop"]),
]
SKILLS = ["Languages: Python, Java, SQL", "Tools: Git, Docker, Kubernetes", "Cloud: AWS, GCP"]


def test_right_aligned_dates_and_places_stay_on_their_rows(tmp_path):
    """Jake's-resume rows leave a clear vertical channel before the dates; it is not a gutter."""
    lines = write_dated_rows_pdf("Jane Roe · jane@example.com · Sacramento, CA", JOBS, SKILLS, tmp_path / "cv.pdf")
    assert row_lines(read_file(tmp_path / "cv.pdf").text) == lines


def test_rows_inside_a_two_column_page_stay_rows(tmp_path):
    """A real sidebar is still read before the main column, its words and its line-end
    hyphen ("on-/premise") intact: cutting the page with bounded text lost that hyphen."""
    sidebar = "SKILLS\nPython and SQL\nApache Spark\nData modelling\nPower BI dashboards\nTeam leadership"
    main = ("Data Engineer at Acme Analytics, Sacramento, since January 2020\n"
            "Built batch and streaming pipelines on Apache Spark and Kafka for the finance and sales teams, "
            "and moved the reporting warehouse from on-premise servers to BigQuery.")
    source = write_two_column_pdf("Jane Roe - Data Engineer", sidebar, main, tmp_path / "two.pdf")
    got = read_file(tmp_path / "two.pdf").text
    assert got.split() == clean_text(source).split()
    assert "\nPython and SQL\nApache Spark\n" in got


def test_clean_text_hyphens_and_control_characters():
    # PDFium's line-end marker in bounded text is a line-end hyphen, never a character
    assert clean_text("mem\x02ory and wrote; Con\ufffesul, arti-\ncles") == "memory and wrote; Consul, articles"
    # a compound stays hyphenated when its head or tail is a word the document uses
    assert clean_text("well-\nknown, cloud-\nnative, native") == "well-known, cloud-native, native"
    assert clean_text("data-\ndriven; the data") == "data-driven; the data"
    assert clean_text("a\x00b\x12c\x1bd\x7fe\x9ff\tg\x0bh") == "abcdef\tg\nh"
    # outside PDFs a soft hyphen is invisible
    assert clean_text("Ent\u00adwicklung, soft\u00ad\nware") == "Entwicklung, software"


def test_line_end_hyphen_search_is_linear():
    """40,000 letters without a break once took 25 s: the search restarted at every letter."""
    letters = "a" * 40_000
    assert clean_text(f"{letters} manage-\nment {letters}x-\ny") == f"{letters} management {letters}xy"
    # the same for a long run of spaces that no line end follows (40,000 took 5 s)
    assert clean_text(" " * 40_000 + "x \ny") == " " * 40_000 + "x\ny"


def test_right_aligned_sidebar_is_still_a_column(tmp_path):
    """A sidebar right-aligned like a date column, but on baselines of its own: read after
    the main column, not woven into it as the content stream has it."""
    sidebar = ["Python and SQL", "Apache Spark", "Data modelling", "Power BI dashboards", "Team leadership",
               "Stakeholder management"]
    source = write_right_sidebar_pdf(" ".join(RESUME.split()[:260]), sidebar, tmp_path / "cv.pdf")
    got = read_file(tmp_path / "cv.pdf").text
    assert got.split() == clean_text(source).split()
    assert got.endswith("\n".join(sidebar))


def test_a_left_date_column_stays_beside_its_entries(tmp_path):
    """Dates on the left, each on its entry's first line with the entry running on below: rows
    with a label, not a column of dates followed by a column of jobs."""
    entries = [(dates, [title, f"{employer}, {place}", *(f"• {bullet}" for bullet in bullets)])
               for title, dates, employer, place, bullets in JOBS]
    lines = write_left_dates_pdf("Jane Roe · jane@example.com · Sacramento, CA", entries, tmp_path / "cv.pdf")
    assert row_lines(read_file(tmp_path / "cv.pdf").text) == lines


def test_a_sidebar_with_blank_lines_between_its_items_is_still_a_column(tmp_path):
    """Each item of a double-spaced sidebar shares a baseline with a main-column line, as a
    date column's labels do; but one comes every other line, not at the head of an entry."""
    sidebar = "SKILLS\n\nPython and SQL\n\nApache Spark\n\nData modelling\n\nPower BI dashboards\n\nTeam leadership"
    source = write_two_column_pdf("Jane Roe - Data Engineer", sidebar, " ".join(RESUME.split()[:200]),
                                  tmp_path / "two.pdf")
    got = read_file(tmp_path / "two.pdf").text
    assert got.split() == clean_text(source).split()
    assert "\nSKILLS\nPython and SQL\nApache Spark\n" in got


def test_clean_text_symbol_font_bullets_and_dot_leaders():
    """Word's bullets at the Symbol and Wingdings fonts' private-use codes become the bullets
    they draw; a dot leader run into a date is parted from it, an ellipsis is left alone."""
    assert clean_text("\uf0b7 Python \uf0a7 SQL \uf0d8 Git \uf076 Jira \uf06e Excel \uf0fc Agile") == \
        "• Python ▪ SQL ➢ Git ❖ Jira ■ Excel ✓ Agile"
    assert clean_text("Thesis model.......2022 and so on...\nB.Sc....... 2019, x.y") == \
        "Thesis model....... 2022 and so on...\nB.Sc....... 2019, x.y"


def test_sidebar_lines_that_run_past_the_rectangle_gutter_stay_in_their_column(tmp_path):
    """Benchmark-style two-column PDFs (30-character sidebar lines beside the main column):
    PDFium's rectangles put the first gutter guess inside the sidebar, where a long sidebar
    word crosses it; the gutter moves to where no word crosses, so no line becomes full-width."""
    from skillner.annotate.convert import read_jsonl

    texts = [r["text"] for r in read_jsonl(ROOT / "annotations" / "dotin.jsonl.gz")]
    for index in (2, 16, 34, 36):  # the four that the rectangle gutter read out of order
        lines = [line for line in texts[index].splitlines() if line.strip()]
        sidebar, main = (line[:30] for line in lines[1:12]), (line[:70] for line in lines[12:50])
        path = tmp_path / f"two-{index}.pdf"
        source = write_two_column_pdf(lines[0][:60], "\n".join(sidebar), "\n".join(main), path)
        assert read_file(path).text.split() == source.split(), index
