"""Text clean-up shared by every reader: line ends, hyphenation broken at line ends, control
characters, blank runs."""

from __future__ import annotations

import re
from collections import Counter

# The head must start a letter run (the look-behind), so a long run of letters with no break
# in it is scanned once: without it the search restarts at every letter (quadratic).
_LINE_END_HYPHEN = re.compile(r"(?<![^\W\d_])([^\W\d_]+)-\n([a-z]+)")
_TRAILING_SPACE = re.compile(r"(?<![ \t])[ \t]+\n")  # look-behind: each run scanned once, as above
_BLANK_RUN = re.compile(r"\n{3,}")
# Word endings that a hyphenation break leaves on the next line ("manage-/ment").
_SUFFIXES = frozenset("ment ments tion tions sion sions ing ings ity ities ness ance ence ances ences able ible "
                      "ably ally ical ive ives ous ly ed er ers es est ism ist ists ure ures ise ize ised ized "
                      "ating ation ations ated ator ators ial ian ant ants ent ents ogy ics".split())
# Word starts that make compounds ("cross-/functional"), not syllables of a longer word.
_COMPOUND_HEADS = frozenset("anti back bi co cross e end front full half hands high low mid multi non off on open "
                             "peer post real self semi third top user well".split())
# Control characters become nothing, except the line separators among them; tab and line feed stay.
_CONTROLS = {code: None for code in [*range(0x20), *range(0x7F, 0xA0)] if chr(code) not in "\t\n"}
_CONTROLS.update({code: "\n" for code in (0x0B, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029)})
# Word draws bullets from the Symbol and Wingdings fonts at private-use codes (U+F000 + the
# font's code): text extracted from its PDFs keeps those codes, which no model has seen.
_SYMBOL_FONT_BULLETS = {0xF0B7: "•", 0xF0A7: "▪", 0xF0D8: "➢", 0xF076: "❖", 0xF06E: "■", 0xF0FC: "✓"}
_CHARACTERS = {**_CONTROLS, **_SYMBOL_FONT_BULLETS}
# A tab's dot leader runs into the text after it ("model.....2022"): the look-behind starts a
# match only at a run's first dot, so a long run is scanned once.
_DOT_LEADER = re.compile(r"(?<!\.)(\.{4,})(?=[^\s.])")


def clean_text(text: str) -> str:
    """Unix line ends, hyphenation at line ends undone, control characters dropped, Word's
    Symbol/Wingdings bullets made real characters, a dot leader parted from the word after it,
    runs of blank lines shortened.

    A line-end hyphen is a word broken in two ("manage-\\nment", "arti-\\ncles" become
    "management", "articles") unless the document says otherwise: it writes the word with the
    hyphen elsewhere, or the head is a word of its own or a compound's start, or the tail is a
    word the document uses elsewhere ("cross-\\nfunctional", "data-\\ndriven" stay hyphenated).
    A whole-word tail joins when the document spells the word unbroken elsewhere. PDFium's
    markers for a hyphen it saw at a line end (U+FFFE, and U+0002 in bounded text) count as
    such a break; a soft hyphen at a line end is always a word broken in two (the PDF reader
    turns the soft hyphens a font draws into "-" before this); a dash before a capital or a
    bullet stays as written.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.replace("\ufffe", "-\n").replace("\x02", "-\n").replace("\u00ad\n", "").replace("\u00ad", "")
    text = _DOT_LEADER.sub(r"\1 ", text.translate(_CHARACTERS))
    if "-\n" in text:
        text = _LINE_END_HYPHEN.sub(_hyphenation_rule(text), text)
    text = _TRAILING_SPACE.sub("\n", text)
    return _BLANK_RUN.sub("\n\n", text).strip("\n")


def _hyphenation_rule(text: str):
    counts = Counter(re.findall(r"[\w-]+", text.lower()))

    def join(match: re.Match) -> str:
        head, tail = match.group(1), match.group(2)
        whole, hyphenated, lower_head = (head + tail).lower(), f"{head}-{tail}".lower(), head.lower()
        if counts[hyphenated] and not counts[whole]:
            return f"{head}-{tail}"
        if counts[whole] or tail in _SUFFIXES or len(tail) <= 2:
            return head + tail
        if (lower_head in _COMPOUND_HEADS or (len(head) >= 4 and counts[lower_head])
                or (len(tail) >= 3 and counts[tail] >= 2)):
            return f"{head}-{tail}"
        return head + tail

    return join
