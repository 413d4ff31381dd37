"""Real resume files made from bundled resume text, for the reader tests and the benchmark.

Each writer returns the text it laid out, so a test can compare what a reader gets back
with what went in.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _pdf():
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    if _FONT.exists():
        pdf.add_font("body", fname=str(_FONT))
        pdf.set_font("body", size=9)
    else:  # the core font is Latin-1 only: text is narrowed to it in `_fit`
        pdf.set_font("Helvetica", size=9)
    return pdf


def _fit(pdf, text: str) -> str:
    return text if pdf.font_family == "body" else text.encode("latin-1", "replace").decode("latin-1")


def wrap(text: str, width: int) -> str:
    """Lines wrapped as a word processor would, so the PDF's line breaks are the text's own."""
    return "\n".join(textwrap.fill(line, width) if line.strip() else "" for line in text.splitlines())


def write_pdf(text: str, path: Path, width: int = 100) -> str:
    """One column, one text line per PDF line; returns the text laid out."""
    pdf = _pdf()
    text = _fit(pdf, wrap(text, width))
    pdf.add_page()
    for line in text.splitlines():
        pdf.cell(0, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return text


def write_two_column_pdf(header: str, left: str, right: str, path: Path) -> str:
    """A header across the page, then a sidebar and a main column written row by row (as a
    table-based resume template does), so the content stream interleaves the two columns.
    Returns the text in reading order: header, the whole sidebar, the whole main column."""
    pdf = _pdf()
    header, left, right = _fit(pdf, header), _fit(pdf, wrap(left, 30)), _fit(pdf, wrap(right, 70))
    pdf.add_page()
    pdf.cell(0, 6, header, new_x="LMARGIN", new_y="NEXT")
    left_lines, right_lines = left.splitlines(), right.splitlines()
    for i in range(max(len(left_lines), len(right_lines))):
        if pdf.get_y() > 270:
            raise ValueError("two-column sample must fit on one page")
        y = pdf.get_y()
        if i < len(left_lines):
            pdf.set_xy(10, y)
            pdf.cell(55, 4.5, left_lines[i])
        if i < len(right_lines):
            pdf.set_xy(70, y)
            pdf.cell(130, 4.5, right_lines[i])
        pdf.set_xy(10, y + 4.5)
    pdf.output(str(path))
    return "\n".join([header, left, right])


def write_encrypted_pdf(text: str, path: Path) -> None:
    pdf = _pdf()
    pdf.set_encryption(owner_password="owner-secret", user_password="user-secret")
    pdf.add_page()
    pdf.multi_cell(0, 5, _fit(pdf, text[:2000]))
    pdf.output(str(path))


def write_image_pdf(path: Path) -> None:
    """A scan: one page that is a picture of text, with no text layer."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 1100), "white")
    ImageDraw.Draw(image).text((40, 40), "Skills: Python, SQL, project management", fill="black")
    pdf = _pdf()
    pdf.add_page()
    pdf.image(image, x=10, y=10, w=190)
    pdf.output(str(path))


def write_docx(text: str, path: Path, skills_table: list[list[str]] | None = None) -> None:
    """Paragraphs as they are, bullet lines ("• ...") as Word list items, and an optional
    table at the end (skills laid out in cells, as many templates do)."""
    import docx

    document = docx.Document()
    for line in text.splitlines():
        if line.startswith("• "):
            document.add_paragraph(line[2:], style="List Bullet")
        else:
            document.add_paragraph(line)
    if skills_table:
        table = document.add_table(rows=len(skills_table), cols=len(skills_table[0]))
        for row, values in zip(table.rows, skills_table):
            for cell, value in zip(row.cells, values):
                cell.text = value
    document.save(str(path))


def write_dated_rows_pdf(header: str, jobs: list[tuple[str, str, str, str, list[str]]], skills: list[str],
                         path: Path) -> list[str]:
    """One column in the style of Jake's resume and awesome-cv: each job's title with its dates
    right-aligned on the same baseline, the employer with its place right-aligned below, short
    bullets, then short skill lines. Right-aligned fragments leave a clear vertical channel, so
    a reader can take the rows for two columns. `jobs` holds (title, dates, employer, place,
    bullets); returns the lines in reading order, each row as "left right"."""
    pdf = _pdf()
    pdf.add_page()
    lines = [_fit(pdf, header)]
    pdf.cell(0, 6, lines[0], align="C", new_x="LMARGIN", new_y="NEXT")
    for title, dates, employer, place, bullets in jobs:
        pdf.ln(2)
        for left, right in ((title, dates), (employer, place)):
            left, right = _fit(pdf, left), _fit(pdf, right)
            y = pdf.get_y()
            pdf.cell(0, 4.5, left)
            pdf.set_xy(pdf.l_margin, y)
            pdf.cell(0, 4.5, right, align="R", new_x="LMARGIN", new_y="NEXT")
            lines.append(f"{left} {right}")
        for bullet in bullets:
            pdf.cell(0, 4.5, _fit(pdf, f"• {bullet}"), new_x="LMARGIN", new_y="NEXT")
            lines.append(_fit(pdf, f"• {bullet}"))
    pdf.ln(2)
    for line in skills:
        pdf.cell(0, 4.5, _fit(pdf, line), new_x="LMARGIN", new_y="NEXT")
        lines.append(_fit(pdf, line))
    pdf.output(str(path))
    return lines


def write_right_sidebar_pdf(main: str, sidebar: list[str], path: Path) -> str:
    """A main column on the left and a sidebar on the right, its lines right-aligned and spaced
    wider than the main column's, written alternately (so the content stream interleaves them).
    Returns the text in reading order: the main column, then the sidebar."""
    pdf = _pdf()
    main_lines = _fit(pdf, wrap(main, 75)).splitlines()
    sidebar = [_fit(pdf, line) for line in sidebar]
    pdf.add_page()
    for i in range(max(len(main_lines), len(sidebar))):
        if i < len(main_lines):
            pdf.set_xy(10, 20 + 4.5 * i)
            pdf.cell(135, 4.5, main_lines[i])
        if i < len(sidebar):
            pdf.set_xy(150, 22 + 7 * i)
            pdf.cell(50, 4.5, sidebar[i], align="R")
    pdf.output(str(path))
    return "\n".join(main_lines + sidebar)


def scan_pages(text: str, folder: Path, dpi: int = 150) -> tuple[list, str]:
    """Pictures of `text` laid out as `write_pdf` does, one grey-level image per page as a
    flatbed scanner at `dpi` makes them; returns (images, text laid out)."""
    import pypdfium2 as pdfium

    source = write_pdf(text, folder / "scan-source.pdf")
    document = pdfium.PdfDocument(folder / "scan-source.pdf")
    images = [page.render(scale=dpi / 72, grayscale=True).to_pil().copy() for page in document]
    document.close()
    (folder / "scan-source.pdf").unlink()
    return images, source


def write_scanned_pdf(pages: list, path: Path, text_before: str | None = None, stamp: str | None = None) -> None:
    """An image-only PDF, one A4 page per picture; `text_before` adds a page with a text
    layer first (a mixed PDF: a typed cover page, then scans); `stamp` is a line of text a
    scanner app writes at the foot of each scanned page ("Scanned with ...")."""
    pdf = _pdf()
    if text_before is not None:
        pdf.add_page()
        for line in _fit(pdf, text_before).splitlines():
            pdf.cell(0, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    for image in pages:
        pdf.add_page()
        pdf.image(image, x=0, y=0, w=210, h=297)
        if stamp is not None:
            pdf.set_xy(150, 290)
            pdf.cell(50, 4, _fit(pdf, stamp))
    pdf.output(str(path))


def write_picture_docx(pages: list, path: Path) -> None:
    """A DOCX holding only pictures (a scan pasted into Word), one per page."""
    import io

    import docx
    from docx.shared import Mm

    document = docx.Document()
    for image in pages:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        document.add_picture(buffer, width=Mm(170))
    document.save(str(path))
