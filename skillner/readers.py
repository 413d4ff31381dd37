"""Resume files to plain text that keeps line and bullet structure.

Every failure is a `ReadError` with a machine-readable `kind`, so a batch can turn it into
an error row: the file is reported, never skipped. PDF text comes from pypdfium2 (PDFium):
on the two-column resumes in benchmarks/bench_extract.py it reads about 20x faster than
pdfminer.six, and the column split below gives it pdfminer's reading order.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

TEXT_SUFFIXES = {".txt", ".md", ".text"}


class ReadError(ValueError):
    """A file that yields no text; `kind` names why (see `ERROR_KINDS`)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


class UnsupportedFormat(ReadError):
    def __init__(self, message: str):
        super().__init__("unsupported_format", message)


ERROR_KINDS = ("unsupported_format", "empty_file", "not_text", "too_large", "too_many_pages", "corrupt",
               "encrypted", "no_text_layer", "timeout", "crash")


@dataclass(frozen=True)
class Limits:
    """Files beyond these are refused before parsing: a resume is not 20 MB or 50 pages."""

    max_bytes: int = 20_000_000
    max_pages: int = 50


@dataclass
class Extracted:
    text: str
    reader: str
    pages: int | None = None


def read_file(path: Path | str, limits: Limits = Limits()) -> Extracted:
    """The text of one resume file; `-` reads standard input."""
    if str(path) == "-":
        return Extracted(clean_text(sys.stdin.read()), "stdin")
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _READERS:
        raise UnsupportedFormat(f"unsupported format {suffix or '(no extension)'!r} for {path.name}; "
                                f"supported: {', '.join(sorted(_READERS))}")
    size = path.stat().st_size
    if size == 0:
        raise ReadError("empty_file", f"{path.name} is empty (0 bytes)")
    if size > limits.max_bytes:
        raise ReadError("too_large", f"{path.name} is {size:,} bytes, over the limit of {limits.max_bytes:,}")
    return read_bytes(path.read_bytes(), suffix, path.name, limits)


def read_bytes(data: bytes, suffix: str, name: str = "", limits: Limits = Limits()) -> Extracted:
    reader = _READERS.get(suffix.lower())
    if reader is None:
        raise UnsupportedFormat(f"unsupported format {suffix!r} for {name}")
    found = reader(data, name, limits)
    found.text = clean_text(found.text)
    if not found.text.strip():
        if found.reader == "pdfium":
            raise ReadError("no_text_layer", f"{name}: {found.pages} page(s) but no text layer "
                                             "(a scanned PDF? run OCR first)")
        raise ReadError("empty_file", f"{name} holds no text")
    return found


_LINE_END_HYPHEN = re.compile(r"([^\W\d_]+)-\n([a-z]+)")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_BLANK_RUN = re.compile(r"\n{3,}")
# Word endings that a hyphenation break leaves on the next line ("manage-/ment").
_SUFFIXES = frozenset("ment ments tion tions sion sions ing ings ity ities ness ance ence ances ences able ible "
                      "ably ally ical ive ives ous ly ed er ers es est ism ist ists ure ures ise ize ised ized "
                      "ating ation ations ated ator ators ial ian ant ants ent ents ogy ics".split())


def clean_text(text: str) -> str:
    """Unix line ends, hyphenation at line ends undone, runs of blank lines shortened.

    "manage-\nment" becomes "management" (the tail is a word ending, or the document spells
    the word unbroken elsewhere), "cross-\nfunctional" becomes "cross-functional" (Word does
    not hyphenate by default, so a line-end hyphen before a whole word is usually real).
    PDFium's marker for a hyphen it saw at a line end (U+FFFE) counts as such a break; a soft
    hyphen at a line end is always a word broken in two; a dash before a capital or a bullet
    stays as written.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\x00", "")
    text = text.replace("\ufffe", "-\n").replace("\u00ad\n", "").replace("\u00ad", "")
    if "-\n" in text:
        words = set(re.findall(r"[\w-]+", text.lower()))

        def join(match: re.Match) -> str:
            head, tail = match.group(1), match.group(2)
            whole = (head + tail).lower()
            if f"{head}-{tail}".lower() in words and whole not in words:
                return f"{head}-{tail}"
            if whole in words or tail in _SUFFIXES or len(tail) <= 2:
                return head + tail
            return f"{head}-{tail}"

        text = _LINE_END_HYPHEN.sub(join, text)
    text = _TRAILING_SPACE.sub("\n", text)
    return _BLANK_RUN.sub("\n\n", text).strip("\n")


# --- plain text ----------------------------------------------------------------------------
def _read_plain(data: bytes, name: str, limits: Limits) -> Extracted:
    from charset_normalizer import from_bytes

    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
        return Extracted(data.decode(encoding, errors="replace"), f"text ({encoding})")
    if b"\x00" in data:
        sample = data[:4096]
        for encoding, zeros in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
            if zeros.count(0) > 0.9 * len(zeros):  # ASCII-range text in UTF-16 without a BOM
                return Extracted(_printable(data.decode(encoding, errors="replace"), name), f"text ({encoding})")
        raise ReadError("not_text", f"{name} holds NUL bytes: binary data, not text")
    try:
        return Extracted(_printable(data.decode("utf-8"), name), "text (utf-8)")
    except UnicodeDecodeError:
        pass
    best = _likeliest(from_bytes(data))
    if best is None or best.percent_chaos > 20:
        raise ReadError("not_text", f"{name} is not text in any common encoding (binary data?)")
    return Extracted(_printable(str(best), name), f"text ({best.encoding})")


def _likeliest(matches):
    """charset-normalizer's best guess, except that Windows-1252 wins a near tie: mostly-ASCII
    Western text with a few accents fits several code pages equally well, and 1252 (a superset
    of Latin-1) is the one such resumes are written in."""
    best = matches.best()
    for match in matches:
        if (match.encoding == "cp1252" and best is not None and match.percent_chaos <= best.percent_chaos + 0.5
                and match.percent_coherence >= best.percent_coherence - 3):
            return match
    return best


def _printable(text: str, name: str) -> str:
    """Refuse decoded binary: more than 2 % control characters is not a resume."""
    control = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    if control > 0.02 * max(len(text), 1):
        raise ReadError("not_text", f"{name} looks binary ({control} control characters in {len(text)})")
    return text


# --- PDF -----------------------------------------------------------------------------------
def _read_pdf(data: bytes, name: str, limits: Limits) -> Extracted:
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


# --- office formats and HTML ---------------------------------------------------------------
def _read_docx(data: bytes, name: str, limits: Limits) -> Extracted:
    """Paragraphs and tables in document order; list paragraphs get a bullet, table cells of a
    row are separated by " | " (a merged cell once)."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises zip, XML and KeyError alike on a bad file
        raise ReadError("corrupt", f"{name} is not a readable DOCX file ({type(error).__name__}: {error})") from error
    lines = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) not in seen and cell.text.strip():
                        seen.add(id(cell._tc))
                        cells.append(cell.text.strip())
                lines.append(" | ".join(cells))
        else:
            is_list = block._p.pPr is not None and block._p.pPr.numPr is not None
            is_list = is_list or (block.style is not None and block.style.name.startswith("List"))
            lines.append(("• " if is_list and block.text.strip() else "") + block.text)
    return Extracted("\n".join(lines), "python-docx")


_BLOCK_TAGS = {"p", "div", "section", "article", "header", "footer", "ul", "ol", "table", "tr", "h1", "h2",
               "h3", "h4", "h5", "h6", "pre", "blockquote", "dl", "dt", "dd", "main", "aside", "nav"}


def _read_html(data: bytes, name: str, limits: Limits) -> Extracted:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "html.parser")
    for tag in soup(["script", "style", "noscript", "head", "template"]):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.name == "br":
            tag.replace_with("\n")
        elif tag.name == "li":
            tag.insert(0, "\n• ")
        elif tag.name in ("td", "th"):
            tag.insert(0, " | " if tag.find_previous_sibling(["td", "th"]) else "")
        elif tag.name in _BLOCK_TAGS:
            tag.insert(0, "\n")
            tag.append("\n")
    lines = [" ".join(line.split()) for line in soup.get_text().split("\n")]
    return Extracted("\n".join(lines), "beautifulsoup4")


_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _read_odt(data: bytes, name: str, limits: Limits) -> Extracted:
    """OpenDocument text from content.xml (a zip member, no extra library): headings and
    paragraphs one per line, list items bulleted."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            root = ElementTree.fromstring(archive.read("content.xml"))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as error:
        raise ReadError("corrupt", f"{name} is not a readable ODT file ({error})") from error
    lines = []

    def inline(node) -> str:
        out = [node.text or ""]
        for child in node:
            tag = child.tag.rsplit("}", 1)[-1]
            out.append({"s": " " * int(child.get(f"{{{_ODF_TEXT}}}c", "1")), "tab": "\t",
                        "line-break": "\n"}.get(tag, "") or inline(child))
            out.append(child.tail or "")
        return "".join(out)

    def walk(node, bullet: bool) -> None:
        for child in node:
            tag = child.tag.rsplit("}", 1)[-1]
            if tag in ("p", "h"):
                lines.append(("• " if bullet else "") + inline(child))
                bullet = False
            else:
                walk(child, bullet or tag == "list-item")

    walk(root, False)
    return Extracted("\n".join(lines), "odt (content.xml)")


def _read_rtf(data: bytes, name: str, limits: Limits) -> Extracted:
    from striprtf.striprtf import rtf_to_text

    if not data.lstrip().startswith(b"{\\rtf"):
        raise ReadError("corrupt", f"{name} does not start with an RTF header")
    return Extracted(rtf_to_text(data.decode("latin-1"), errors="ignore"), "striprtf")


def _read_doc(data: bytes, name: str, limits: Limits) -> Extracted:
    """Legacy Word through a standard tool on PATH: antiword, else LibreOffice."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "resume.doc"
        source.write_bytes(data)
        if shutil.which("antiword"):
            done = subprocess.run(["antiword", str(source)], capture_output=True, text=True, timeout=60)
            if done.returncode != 0:
                raise ReadError("corrupt", f"{name}: antiword failed ({done.stderr.strip()[:200]})")
            return Extracted(done.stdout, "antiword")
        office = shutil.which("soffice") or shutil.which("libreoffice")
        if office:
            subprocess.run([office, "--headless", "--convert-to", "txt:Text", "--outdir", folder, str(source)],
                           capture_output=True, timeout=120)
            converted = Path(folder) / "resume.txt"
            if not converted.exists():
                raise ReadError("corrupt", f"{name}: LibreOffice could not convert it")
            return Extracted(converted.read_text(encoding="utf-8", errors="replace"), "libreoffice")
    raise UnsupportedFormat(f"{name}: .doc needs antiword or LibreOffice on PATH (or save it as .docx)")


_READERS = {**{suffix: _read_plain for suffix in TEXT_SUFFIXES}, ".pdf": _read_pdf, ".docx": _read_docx,
            ".html": _read_html, ".htm": _read_html, ".odt": _read_odt, ".rtf": _read_rtf, ".doc": _read_doc}
