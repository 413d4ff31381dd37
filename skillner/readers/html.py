"""HTML resumes (saved web pages, exports of online builders)."""

from __future__ import annotations

from .base import Extracted, Limits

_BLOCK_TAGS = {"p", "div", "section", "article", "header", "footer", "ul", "ol", "table", "tr", "h1", "h2",
               "h3", "h4", "h5", "h6", "pre", "blockquote", "dl", "dt", "dd", "main", "aside", "nav"}


def read_html(data: bytes, name: str, limits: Limits) -> Extracted:
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
