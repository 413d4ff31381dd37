"""HTML resumes (saved web pages, exports of online builders)."""

from __future__ import annotations

import codecs
import re

from skillner.extract.readers.base import Extracted, Limits
from skillner.extract.readers.text import decode

_BLOCK_TAGS = {"p", "div", "section", "article", "header", "footer", "ul", "ol", "table", "tr", "h1", "h2",
               "h3", "h4", "h5", "h6", "pre", "blockquote", "dl", "dt", "dd", "main", "aside", "nav", "li", "body"}
_HIDDEN_TAGS = {"script", "style", "noscript", "head", "template", "title"}
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_TAG = re.compile(rb"<[^<>]*>")


def read_html(data: bytes, name: str, limits: Limits) -> Extracted:
    """Blocks and <br> become lines, list items get a bullet, the cells of a table row are
    joined by " | "; scripts, styles and the head are dropped.

    libxml2 (through lxml, which python-docx already needs) parses, and the text is collected
    from its start/end/data events: linear time, no tree in memory, no recursion however deep
    the nesting (BeautifulSoup took minutes on 100,000 nested divs).
    """
    from lxml import etree

    collector = _TextCollector()
    # huge_tree: libxml2 before 2.14 refuses nesting deeper than 256 levels without it
    parser = etree.HTMLParser(target=collector, huge_tree=True, no_network=True)
    parser.feed(_decode_html(data, name))
    parser.close()
    return Extracted(collector.text(), "lxml (html)")


def _decode_html(data: bytes, name: str) -> str:
    """The page as text: in the charset its <meta> declares when the bytes fit it, else as a
    text file is read (BOM, UTF-16, UTF-8), else in the encoding guessed from the text between
    the tags (markup alone looks like any encoding)."""
    declared = _META_CHARSET.search(data[:4096])
    if declared and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        try:
            encoding = codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            encoding = None
        if encoding in ("latin-1", "iso8859-1", "ascii"):
            encoding = "cp1252"  # what browsers read these labels as
        if encoding is not None and not encoding.startswith("utf-16"):  # a UTF-16 page has no ASCII <meta>
            try:
                return data.decode(encoding)
            except (UnicodeDecodeError, LookupError):  # LookupError: a codec that is not a text encoding
                pass  # a wrong declaration (a UTF-8 label on a Windows-1252 page is common): detect instead
    if b"\x00" in data:  # UTF-16: tags cannot be cut out of its bytes
        return decode(data, name)[0]
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        encoding = decode(_TAG.sub(b" ", data), name)[1]
        return data.decode(encoding, errors="replace")


class _TextCollector:
    """An lxml parser target that writes the visible text as lines."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.hidden = 0  # depth inside <script>, <style>, <head> ...
        self.preformatted = 0
        self.cells_in_row: list[int] = []  # one counter per open <tr>, nested tables included

    def start(self, tag: str, attributes) -> None:
        if tag in _HIDDEN_TAGS:
            self.hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "tr":
            self.cells_in_row.append(0)
        elif tag in ("td", "th") and self.cells_in_row:
            if self.cells_in_row[-1]:
                self.parts.append(" | ")
            self.cells_in_row[-1] += 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("• ")
        elif tag == "pre":
            self.preformatted += 1

    def end(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self.hidden = max(self.hidden - 1, 0)
        elif tag == "tr" and self.cells_in_row:
            self.cells_in_row.pop()
        elif tag == "pre":
            self.preformatted = max(self.preformatted - 1, 0)
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def data(self, text: str) -> None:
        if not self.hidden:
            self.parts.append(text if self.preformatted else text.replace("\n", " "))  # other spaces go in text()

    def close(self) -> None:
        pass

    def text(self) -> str:
        lines = "".join(self.parts).split("\n")
        return "\n".join(" ".join(line.split()) for line in lines)
