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


_TEXT_BOX_RUN = """<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
 xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
 xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
 xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
 xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
 xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>
<wp:anchor distT="0" distB="0" distL="114300" distR="114300" simplePos="0" relativeHeight="1" behindDoc="0"
 locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>
<wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH>
<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>
<wp:extent cx="2743200" cy="914400"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapSquare wrapText="bothSides"/>
<wp:docPr id="1" name="Text Box 1"/><wp:cNvGraphicFramePr/><a:graphic>
<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>
<wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="2743200" cy="914400"/></a:xfrm>
<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr><wps:txbx><w:txbxContent>{paragraphs}</w:txbxContent>
</wps:txbx><wps:bodyPr rot="0" vert="horz" wrap="square" anchor="t"/></wps:wsp></a:graphicData></a:graphic>
</wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape type="#_x0000_t202"
 style="position:absolute;width:216pt;height:72pt"><v:textbox><w:txbxContent>{paragraphs}</w:txbxContent>
</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"""


def write_designer_docx(path: Path, header: list[str], footer: str, body: list[str], competencies: list[list[str]],
                        text_box: list[str]) -> None:
    """A resume laid out as designer templates do: name and contact in the page header (a
    distinct first-page header with the same text, and a second section with its own copy),
    a layout table whose right cell holds a nested "Core Competencies" grid, a text box
    written as Word writes it (DrawingML plus its VML fallback copy), and a footer."""
    from xml.sax.saxutils import escape

    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    section = document.sections[0]
    section.different_first_page_header_footer = True
    for part in (section.header, section.first_page_header):
        part.paragraphs[0].text = header[0]
        for line in header[1:]:
            part.add_paragraph(line)
    section.footer.paragraphs[0].text = footer
    for line in body:
        document.add_paragraph(line)
    layout = document.add_table(rows=1, cols=2)
    layout.cell(0, 0).text = "Core Competencies"
    grid = layout.cell(0, 1).add_table(rows=len(competencies), cols=len(competencies[0]))
    for row, values in zip(grid.rows, competencies):
        for cell, value in zip(row.cells, values):
            cell.text = value
    anchor = document.add_paragraph()
    paragraphs = "".join(f"<w:p><w:r><w:t>{escape(line)}</w:t></w:r></w:p>" for line in text_box)
    anchor._p.append(parse_xml(_TEXT_BOX_RUN.format(paragraphs=paragraphs)))
    second = document.add_section()
    second.header.is_linked_to_previous = False
    second.header.paragraphs[0].text = header[0]
    for line in header[1:]:
        second.header.add_paragraph(line)
    document.add_paragraph("References available on request")
    document.save(str(path))


def write_zip_bomb_docx(path: Path, unzipped_bytes: int) -> None:
    """A valid DOCX whose document.xml is `unzipped_bytes` of one repeated paragraph:
    deflate packs it about 1000 to 1, as a zip bomb does. Written in chunks, so making
    a gigabyte costs no gigabyte of memory."""
    import io
    import zipfile

    import docx

    template = io.BytesIO()
    docx.Document().save(template)
    paragraph = b"<w:p><w:r><w:t>Python SQL Excel</w:t></w:r></w:p>"
    chunk = paragraph * (1_000_000 // len(paragraph))
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                bomb.writestr(item, source.read(item))
                continue
            head, tail = source.read(item).split(b"<w:body>")
            with bomb.open(item.filename, "w", force_zip64=unzipped_bytes >= zipfile.ZIP64_LIMIT) as stream:
                stream.write(head + b"<w:body>")
                for _ in range(unzipped_bytes // len(chunk)):
                    stream.write(chunk)
                stream.write(tail)


def write_left_dates_pdf(header: str, entries: list[tuple[str, list[str]]], path: Path) -> list[str]:
    """Dates in a column on the left, each on its entry's first line, the entry (title,
    employer, bullets) running on below it in a column of its own, as a table of date | entry
    in Word or moderncv lays out a CV. `entries` holds (dates, lines); returns the lines in
    reading order, each date with its entry's first line."""
    pdf = _pdf()
    pdf.add_page()
    lines = [_fit(pdf, header)]
    pdf.cell(0, 6, lines[0], align="C", new_x="LMARGIN", new_y="NEXT")
    for dates, entry in entries:
        dates, entry = _fit(pdf, dates), [_fit(pdf, line) for line in entry]
        pdf.ln(2)
        pdf.set_xy(10, pdf.get_y())
        pdf.cell(40, 4.5, dates)
        for line in entry:
            pdf.set_x(55)
            pdf.cell(145, 4.5, line, new_x="LMARGIN", new_y="NEXT")
        lines += [f"{dates} {entry[0]}", *entry[1:]]
    pdf.output(str(path))
    return lines
