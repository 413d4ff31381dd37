"""Text clean-up shared by every reader: line ends, hyphenation broken at line ends, blank runs."""

from __future__ import annotations

import re

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
