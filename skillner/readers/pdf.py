"""PDF text with PDFium, in reading order."""

from __future__ import annotations

from .base import Extracted, Limits, ReadError


def read_pdf(data: bytes, name: str, limits: Limits) -> Extracted:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise ReadError("encrypted", f"{name} is encrypted (password protected)") from error
        raise ReadError("corrupt", f"{name} is not a readable PDF ({error})") from error
    try:
        pages = len(pdf)
        if pages > limits.max_pages:
            raise ReadError("too_many_pages", f"{name} has {pages} pages, over the limit of {limits.max_pages}")
        texts = []
        for index in range(pages):
            page = pdf[index]
            texts.append(_pdf_page_text(page))
            page.close()
        return Extracted("\n\n".join(texts), "pdfium", pages)
    finally:
        pdf.close()


def _pdf_page_text(page) -> str:
    """A page's text in reading order: full-width bands top to bottom, and inside a band with
    a vertical gutter, the left column before the right one.

    PDFium returns text in content-stream order, which for a resume laid out as a two-column
    table interleaves the columns line by line.
    """
    textpage = page.get_textpage()
    try:
        rects = [textpage.get_rect(i) for i in range(textpage.count_rects())]
        if not rects:
            return ""
        gutter = _gutter(rects)
        if gutter is None:
            return textpage.get_text_range()
        parts = []
        for top, bottom, split in _bands(rects, gutter):
            if split:
                parts.append(textpage.get_text_bounded(right=gutter, top=top, bottom=bottom))
                parts.append(textpage.get_text_bounded(left=gutter, top=top, bottom=bottom))
            else:
                parts.append(textpage.get_text_bounded(top=top, bottom=bottom))
        return "\n".join(part for part in parts if part.strip())
    finally:
        textpage.close()


def _gutter(rects, min_lines: int = 3) -> float | None:
    """An x position that at most 10 % of the text rectangles cross, with at least `min_lines`
    rectangles (and 5 % of them) wholly on each side; None for a single-column page."""
    left, right = min(r[0] for r in rects), max(r[2] for r in rects)
    best = None
    for x in sorted({r[2] + 1 for r in rects}):
        if not left + 0.15 * (right - left) < x < right - 0.15 * (right - left):
            continue
        crossing = sum(1 for r in rects if r[0] < x < r[2])
        before = sum(1 for r in rects if r[2] <= x)
        after = len(rects) - crossing - before
        if crossing <= 0.1 * len(rects) and min(before, after) >= max(min_lines, 0.05 * len(rects)):
            if best is None or crossing < best[0]:
                best = (crossing, x)
    return None if best is None else best[1]


def _bands(rects, gutter: float):
    """(top, bottom, split) bands from the top of the page: a rectangle crossing the gutter
    is a full-width band of its own; the text between such rectangles is split at the gutter."""
    crossing = sorted((r for r in rects if r[0] < gutter < r[2]), key=lambda r: -r[3])
    top = max(r[3] for r in rects) + 1
    bottom_of_page = min(r[1] for r in rects) - 1
    bands = []
    for rect in crossing:
        if rect[3] < top:
            bands.append((top, rect[3], True))
        bands.append((rect[3], rect[1], False))
        top = min(top, rect[1])
    bands.append((top, bottom_of_page, True))
    return [(t, b, split) for t, b, split in bands if t > b]
