"""PDF text with PDFium, in reading order."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from itertools import pairwise
from statistics import median

from skillner.extract.readers.base import Extracted, Limits, ReadError
from skillner.extract.readers.ocr import is_scanned, ocr_pdf_page, ocr_wanted


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
        texts, ocr_pages, ocr = [], 0, ocr_wanted(limits)
        for index in range(pages):
            page = pdf[index]
            text = _pdf_page_text(page)
            if ocr and is_scanned(page, text):  # OCR a scanned page, and read the others as they are
                text, ocr_pages = ocr_pdf_page(page, name, index + 1), ocr_pages + 1
            texts.append(text)
            page.close()
        return Extracted("\n\n".join(texts), "pdfium+tesseract" if ocr_pages else "pdfium", pages, ocr_pages)
    finally:
        pdf.close()


def _pdf_page_text(page) -> str:
    """A page's text in reading order, rebuilt from its glyphs' positions.

    Neither PDFium's text nor its content-stream order can be trusted as they come: Qt
    (wkhtmltopdf) draws no space glyphs and places each word, or each glyph, on its own, so
    PDFium's text glues words or breaks lines between letters; Skia (Chrome, Google Docs)
    paints floats first, so a right-aligned date comes before its title. So words are cut
    where glyphs are apart (`_words`), lines follow the stream and then the baseline, left to
    right, top to bottom (`_lines`), and a page is read column by column only when a vertical gutter separates two
    real columns (`_is_column_layout`); whole words are assigned to a side, never cut.
    """
    textpage = page.get_textpage()
    try:
        words = _words(_glyphs(textpage))
        return "\n".join(_read(lines, gutter) for lines, gutter in _blocks(_lines(words))) if words else ""
    finally:
        textpage.close()


def _blocks(lines: list[list[_Word]]) -> list[tuple[list[list[_Word]], float | None]]:
    """The page as blocks of lines, each with the gutter it is read around (None: line by
    line). The whole page is one block where it is one column, or two all the way down;
    otherwise a band of lines around a free channel in the middle of the page (Word's
    newspaper columns under a full-width header) is read as two columns on its own."""
    gutter = _column_gutter(lines)
    if gutter is not None:
        return [(lines, gutter)]
    words = [w for line in lines for w in line]
    left, right = min(w.left for w in words), max(w.right for w in words)
    blocks: list[tuple[list[list[_Word]], float | None]] = []
    index = 0
    while index < len(lines):
        band, channel = _band(lines, index, left, right)
        gutter = None if channel is None else (channel[0] + channel[1]) / 2
        if gutter is not None and _is_column_layout(band, gutter):
            blocks.append((band, gutter))
        else:  # a band of rows is not tried again from each of its lines
            blocks += [([line], None) for line in band or lines[index:index + 1]]
        index += len(band) or 1
    return blocks


def _band(lines: list[list[_Word]], start: int, left: float, right: float):
    """The lines from `start` on that leave one channel free, as wide as they are tall and
    within the middle third of the page, and whose right-hand parts begin where the first
    line's does (columns are flush left; a row's right-aligned date is not): with the
    channel, or None where fewer than three lines have words on both sides. A line gap wider
    than the band's first ends it."""
    middle, width = (left + right) / 2, right - left
    band, channel, both, column = [], (middle - width / 6, middle + width / 6), 0, None
    for line in lines[start:]:
        height = max(w.top - w.bottom for w in line)
        free = _free_around(line, channel)
        if free is None or free[1] - free[0] < height:
            break
        right_part = [w for w in line if w.left >= free[1]]
        two_sided = line[0].right <= free[0] and bool(right_part)
        if not band and not two_sided:
            return [], None
        if right_part and column is not None and abs(right_part[0].left - column) > 2:
            break
        if len(band) >= 2 and band[-1][0].baseline - line[0].baseline > 1.3 * (band[0][0].baseline - band[1][0].baseline):
            break
        band.append(line)
        channel, both, column = free, both + two_sided, right_part[0].left if column is None and right_part else column
    while band and not (band[-1][0].right <= channel[0] and band[-1][-1].left >= channel[1]):
        band.pop()
    return (band, channel) if both >= 3 else ([], None)


def _free_around(line: list[_Word], channel: tuple[float, float]) -> tuple[float, float] | None:
    """The part of `channel` that no word of the line covers, if the words leave one piece of it."""
    low, high = channel
    for word in line:
        if word.right <= low or word.left >= high:
            continue
        if word.left - low >= high - word.right:
            high = word.left
        else:
            low = word.right
        if high <= low:
            return None
    return low, high


def _column_gutter(lines: list[list[_Word]]) -> float | None:
    words = [w for line in lines for w in line]
    gutter = _gutter(words) if words else None
    if gutter is None:
        return None
    gutter = _fewest_words_crossing(lines, gutter)
    return gutter if _is_column_layout(lines, gutter) else None


def _read(lines: list[list[_Word]], gutter: float | None) -> str:
    return "\n".join(_joined(line) for line in lines) if gutter is None else _read_columns(lines, gutter)


def _gutter(words: list[_Word], min_lines: int = 3) -> float | None:
    """An x position that at most 10 % of the word boxes cross, with at least `min_lines`
    boxes (and 5 % of them) wholly on each side; None for a single-column page.
    A candidate only: `_is_column_layout` decides whether the sides are columns or rows.
    Counted by bisection over sorted edges, so a page of many words stays fast."""
    lefts, rights = sorted(w.left for w in words), sorted(w.right for w in words)
    empty_at = Counter(w.right for w in words if w.left >= w.right)  # zero-width: neither side of its own x
    left, right = lefts[0], rights[-1]
    best = None
    for x in sorted({w.right + 1 for w in words}):
        if not left + 0.15 * (right - left) < x < right - 0.15 * (right - left):
            continue
        before = bisect_right(rights, x)
        crossing = bisect_left(lefts, x) - before + empty_at[x]
        after = len(words) - crossing - before
        if (crossing <= 0.1 * len(words) and min(before, after) >= max(min_lines, 0.05 * len(words))
                and (best is None or crossing < best[0])):
            best = (crossing, x)
    return None if best is None else best[1]


# Hyphens as drawn: PDFium's markers for one it took for a line end's (Qt draws every hyphen
# so), and a soft hyphen in a text layer, which was drawn as the font's visible hyphen. One at
# a line end is left to clean_text's hyphenation rules.
_HYPHENS = "\ufffe\x02\u00ad"
# A space wider than this share of the font size, beyond the line's own letter spacing, parts
# two words: tuned on tests/pdf_producers.py's corpus and the LaTeX and office PDFs
# (benchmarks/bench_pdf.py); Qt's and TeX's spaces are positions, not glyphs.
WORD_GAP, GUESS_GAP = 0.1, 0.05


class _Glyph:
    """A drawn character: its loose box (the advance by the font's height, so its height is
    the size as drawn: FPDFText_GetFontSize leaves out the text matrix's scale, which Qt
    uses), its baseline, and what stands between it and the glyph before: `_SPACE` (white
    space the PDF holds), `_GUESS` (a space PDFium guessed from a gap), or None."""

    __slots__ = ("after", "baseline", "bottom", "left", "right", "size", "text", "top")

    def __init__(self, text, left, right, bottom, top, baseline, after):
        self.text, self.left, self.right, self.bottom, self.top, self.baseline, self.after = \
            text, left, right if right > left else left, bottom, top, baseline, after
        self.size = top - bottom if top - bottom > 1.0 else 1.0


_SPACE, _GUESS = "space", "guess"


def _glyphs(textpage) -> list[_Glyph]:
    """The page's glyphs in content-stream order (PDFium's guessed line breaks are dropped:
    Qt's glyphs drawn one by one each get one). Read by PDFium's character index, not from
    its text: a character beyond the BMP (an emoji) takes two indices, one per UTF-16 half,
    so the text's positions drift from the boxes after the first one."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    handle, box, x, y = textpage.raw, pdfium_c.FS_RECTF(), ctypes.c_double(), ctypes.c_double()
    box_p, x_p, y_p = ctypes.byref(box), ctypes.byref(x), ctypes.byref(y)
    generated = pdfium_c.FPDFText_IsGenerated
    # The two calls made for every glyph go through prototypes without argument types: ctypes'
    # checks of them cost twice the call (bench_pdf.py); the arguments are made right here.
    bare, raw_handle = ctypes.CFUNCTYPE(ctypes.c_int), ctypes.cast(handle, ctypes.c_void_p)
    loose_box = bare(ctypes.cast(pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_void_p).value)
    origin = bare(ctypes.cast(pdfium_c.FPDFText_GetCharOrigin, ctypes.c_void_p).value)
    count = pdfium_c.FPDFText_CountChars(handle)
    buffer = (ctypes.c_ushort * (count + 1))()
    pdfium_c.FPDFText_GetText(handle, 0, count, buffer)
    units = buffer[:count]  # one UTF-16 unit per index
    index, glyphs, after = 0, [], None
    while index < count:
        code, first = units[index], index
        index += 1
        if 0xD800 <= code < 0xDC00 and index < count and 0xDC00 <= units[index] < 0xE000:
            code, index = 0x10000 + ((code - 0xD800) << 10) + (units[index] - 0xDC00), index + 1
        char = chr(code) if not 0xD800 <= code < 0xE000 else "\ufffd"
        if char.isspace() or char == "\x00":
            if after is not _SPACE:
                if not generated(handle, first):
                    after = _SPACE
                elif char == " ":
                    after = _GUESS
            continue
        loose_box(raw_handle, first, box_p)
        origin(raw_handle, first, x_p, y_p)
        bottom, top = box.bottom, box.top
        if top - bottom < 1.0:  # a font without metrics: its size, as the text matrix leaves it
            size = pdfium_c.FPDFText_GetFontSize(handle, first)
            bottom, top = y.value - 0.2 * size, y.value + 0.8 * size
        glyphs.append(_Glyph("-" if char in _HYPHENS else char, box.left, box.right, bottom, top, y.value, after))
        after = None
    return glyphs


class _Word:
    __slots__ = ("baseline", "bottom", "left", "right", "text", "top")

    def __init__(self, glyph: _Glyph):
        self.text, self.left, self.right, self.bottom, self.top, self.baseline = \
            glyph.text, glyph.left, glyph.right, glyph.bottom, glyph.top, glyph.baseline


def _words(glyphs: list[_Glyph]) -> list[_Word]:
    """Glyphs joined into words. A run is glyphs in stream order on one baseline (or raised
    or lowered from it by less than half their height: "mc²"), none far left of the last (a
    ligature's second letter shares its first one's box); within it, a
    word ends at a space the PDF holds, and where the gap to the next glyph is wider than the
    run's letter spacing (its median gap between adjacent glyphs: letter-spaced headings stay
    whole) by `WORD_GAP` of the glyphs' height, or by `GUESS_GAP` where PDFium guessed a
    space there too."""
    words: list[_Word] = []
    runs: list[list[_Glyph]] = []
    last = None
    for glyph in glyphs:
        if last is None or abs(glyph.baseline - last.baseline) > 0.5 * max(glyph.size, last.size) \
                or glyph.left < last.left - 0.25 * glyph.size:
            runs.append([glyph])
        else:
            runs[-1].append(glyph)
        last = glyph
    for run in runs:
        gaps = [b.left - a.right for a, b in pairwise(run) if b.after is None]
        spacing = min(max(median(gaps), 0.0), 0.5 * run[0].size) if len(gaps) >= 4 else 0.0
        current, last = None, None
        for glyph in run:
            if current is not None:
                size = glyph.size if glyph.size > last.size else last.size
                if glyph.after is _SPACE or glyph.left - last.right > spacing + size * (
                        GUESS_GAP if glyph.after is _GUESS else WORD_GAP):
                    current = None
            if current is None:
                current = _Word(glyph)
                words.append(current)
            else:
                current.text += glyph.text
                if glyph.right > current.right:
                    current.right = glyph.right
                if glyph.bottom < current.bottom:
                    current.bottom = glyph.bottom
                if glyph.top > current.top:
                    current.top = glyph.top
            last = glyph
    return words


def _lines(words: list[_Word]) -> list[list[_Word]]:
    """Words grouped into lines, top of the page first, each line left to right.

    First, words that follow each other in the content stream, each just right of the last
    and on nearly its baseline, are one line however much the baselines drift along it: the
    text layer a scanner's OCR lays over a skewed page climbs a little from word to word.
    Then lines on one baseline are joined: a row's two ends share their baseline exactly
    (a right-aligned date painted before its title); a sidebar's lines only by chance, so
    that tolerance is tight."""
    chains: list[list[_Word]] = []
    for word in words:
        last = chains[-1][-1] if chains else None
        height = last.top - last.bottom if last else 0.0
        if last and 0 <= word.left - last.right <= 2 * height and abs(word.baseline - last.baseline) <= 0.25 * height:
            chains[-1].append(word)
        else:
            chains.append([word])
    lines: list[list[_Word]] = []
    for chain in sorted(chains, key=lambda c: -c[0].baseline):
        line = lines[-1] if lines else None
        if line and line[0].baseline - chain[0].baseline <= 0.08 * (line[0].top - line[0].bottom):
            line.extend(chain)
        else:
            lines.append(list(chain))
    return [sorted(line, key=lambda w: w.left) for line in lines]


def _is_column_layout(lines: list[list[_Word]], gutter: float, min_lines: int = 3) -> bool:
    """Whether the gutter separates two columns, not the two ends of rows.

    Each side must hold `min_lines` lines of several words. And a row (a job title with its
    date or place right-aligned on the same baseline) is not a column: where most lines that
    have text on both sides, and most lines on the right side, end in a short fragment flush
    with the right margin, the page is one column of rows. (A right-aligned sidebar has its
    own baselines: few of its lines share one with the main column.) Nor is a column of
    labels on the left (dates beside their entries): see `_is_label_column`. Nor are sides
    that most lines join with no more than a word space: in a monospaced font (a plain text
    printed as it is) every line's spaces fall on one grid, so some x is free all the way down.
    """
    start = _right_column_start(lines, gutter)
    split = [line for line in lines if not _spans_gutter(line, gutter, start)]
    sides = [([w for w in line if w.right <= gutter], [w for w in line if w.left >= gutter]) for line in split]
    if min(sum(len(side[s]) > 1 for side in sides) for s in (0, 1)) < min_lines:
        return False
    if _is_label_column(sides):
        return False
    margin = max(w.right for line in lines for w in line)
    width = margin - min(w.left for line in lines for w in line)
    both = [(left, right) for left, right in sides if left and right]
    if both and median(right[0].left - left[-1].right for left, right in both) < median(
            max(w.top - w.bottom for w in left + right) for left, right in both):
        return False  # most "gutters" are a word space: monospaced text, whose spaces align down the page
    rows = sum(1 for _, right in both if margin - right[-1].right < 0.02 * width
               and right[-1].right - right[0].left < 0.4 * width)
    # A table of labels in the page's flow: a label beside the first line of what it heads, which
    # runs on below it on the right alone ("Databases | SQL Server, ...").
    # Not where one comes every other line: a double-spaced sidebar beside a column (as in
    # `_is_label_column`).
    labels, continued, in_values = [], 0, False
    for i, (left, right) in enumerate(sides):
        if left and right:
            after = sides[i + 1] if i + 1 < len(sides) else ([], [])
            in_values = bool(after[1]) and not after[0]
            labels += [i] if in_values else []
        elif right and in_values:
            continued += 1
        else:
            in_values = False
    if len(labels) < 2 or median(after - before - 1 for before, after in pairwise(labels)) < 2:
        labels, continued = [], 0
    rows_or_labels = rows + len(labels)
    return (rows_or_labels < 0.5 * len(both)
            or rows_or_labels + continued < 0.5 * sum(1 for _, right in sides if right))


def _fewest_words_crossing(lines: list[list[_Word]], gutter: float) -> float:
    """The gutter moved to where the fewest whole words cross it (ties: the nearest): PDFium's
    text rectangles can merge a sidebar line's last word with others, so the rectangle-based
    guess may sit inside the sidebar, where its longer lines run past it."""
    words = [w for line in lines for w in line]
    lefts, rights = sorted(w.left for w in words), sorted(w.right for w in words)
    low, high = lefts[0] + 0.15 * (rights[-1] - lefts[0]), rights[-1] - 0.15 * (rights[-1] - lefts[0])

    def crossing(x: float) -> int:
        return bisect_left(lefts, x) - bisect_right(rights, x)

    candidates = [gutter] + [x + 0.5 for x in rights if low < x + 0.5 < high]
    return min(candidates, key=lambda x: (crossing(x), abs(x - gutter)))


def _right_column_start(lines: list[list[_Word]], gutter: float) -> float | None:
    """Where the right column's lines begin: the commonest left edge right of the gutter."""
    starts = Counter(round(right[0].left) for line in lines
                     if (right := [w for w in line if w.left >= gutter]) and not any(w.left < gutter < w.right for w in line))
    return starts.most_common(1)[0][0] if starts else None


def _spans_gutter(line: list[_Word], gutter: float, column_start: float | None) -> bool:
    """Whether a line runs across the gutter: a word crosses it, or the gap there between its
    words is narrower than the line is tall (a word space) and what follows the gap does not
    begin where the right column's lines begin (a sidebar line that ends near the gutter, beside
    a main-column line, is two columns, not one line)."""
    if any(w.left < gutter < w.right for w in line):
        return True
    left = [w for w in line if w.right <= gutter]
    right = [w for w in line if w.left >= gutter]
    if not (left and right) or right[0].left - left[-1].right >= max(w.top - w.bottom for w in line):
        return False
    return column_start is None or abs(right[0].left - column_start) > 1


def _is_label_column(sides: list[tuple[list[_Word], list[_Word]]]) -> bool:
    """Whether the left side is a column of labels, each on its entry's first line (dates in
    the left cell of a table, beside a job that runs on below them): most lines with text on
    both sides have none on the left in the line after. Not where the labels come every other
    line: that is a sidebar with a blank line between its items, sharing baselines with the
    main column by chance."""
    paired = [i for i, (left, right) in enumerate(sides) if left and right]
    labels = [i for i in paired if i + 1 == len(sides) or not sides[i + 1][0]]
    if len(labels) < 2 or len(labels) < 0.8 * len(paired):
        return False
    return median(after - before - 1 for before, after in pairwise(labels)) >= 2


def _read_columns(lines: list[list[_Word]], gutter: float) -> str:
    """Full-width lines as they are; between them, each band of lines as the left side's lines,
    then the right's, unless the band is rows after all: a table of labels and what they head
    inside a one-column page ("Databases | SQL Server, ...", `_is_label_column`), or lines of
    which one alone has words right of the gutter (a justified gap happens to fall there)."""
    out: list[str] = []
    band: list[list[_Word]] = []
    start = _right_column_start(lines, gutter)

    def flush() -> None:
        sides = [([w for w in line if w.right <= gutter], [w for w in line if w.left >= gutter]) for line in band]
        paired = sum(1 for left, right in sides if left and right)
        if (paired <= 1 and all(left for left, _ in sides)) or _is_label_column(sides):
            out.extend(_joined(line) for line in band)
        else:
            out.extend(_joined(left) for left, _ in sides if left)
            out.extend(_joined(right) for _, right in sides if right)
        band.clear()

    for line in lines:
        if _spans_gutter(line, gutter, start):
            flush()
            out.append(_joined(line))
        else:
            band.append(line)
    flush()
    return "\n".join(out)


# Words further apart than this many times their height are in separate cells (a list set in
# two columns with tabs or spaces, a right-aligned date): joined by two spaces, as a text file
# holds them, so a list's items stay apart (`pipeline.sections` splits at runs of spaces). A
# bullet before its indented text is not a cell.
CELL_GAP = 1.5


def _joined(words: list[_Word]) -> str:
    if not words:
        return ""
    parts = [words[0].text]
    for before, word in pairwise(words):
        wide = (word.left - before.right > CELL_GAP * max(before.top - before.bottom, word.top - word.bottom)
                and any(c.isalnum() for c in before.text))  # not a bullet's hanging indent
        parts += ["  " if wide else " ", word.text]
    return "".join(parts)
