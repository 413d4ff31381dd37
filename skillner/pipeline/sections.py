"""The items a resume lists under a Skills heading, as character spans of its text.

What a person lists under "Skills", "Core Competencies" or "Highlights" is what they claim to be
able to do. Three parts read these lists: the `skillner_listed_skills` component adds the items a
NER left as mentions, the training augmenter (`augment`, `listed = true`) turns the items an
annotator left into distant labels, and `measure.listed` counts how many items the extraction
finds, a check any user can run on a folder of their own resumes without labels.

A section opens at a heading line whose words are a skills heading (`SKILL_HEADINGS`, compared as
`hygiene.heading_key` does, or up to four words ending in a skills word: "Clinical Skills") or at
"Skills: item, item" on one line, and closes at the next line that is some other resume heading
(a known one, `hygiene.DEFAULT_HEADINGS`; a few words ending in a section word, "Teaching
Experience"; a short line in capitals, though a lone capitalised word in a list is an item:
"HACCP"), a dated line (an employer's: a month or a range of years, not a standard's number) or
a sentence. Items are split at commas, semicolons,
pipes, bullets, tabs and runs of spaces, never inside brackets ("Excel (pivot tables, VLOOKUP)"
is one item); a "Category:" before the items of a line is not an item, and nor is a line of
prose (more than `MAX_ITEM_WORDS` words).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from skillner.pipeline.hygiene import DEFAULT_HEADINGS, MONTH, YEAR, YEAR_RANGE, heading_key, is_trait

SKILL_HEADINGS = frozenset(heading_key(h) for h in (
    "skills", "key skills", "technical skills", "core skills", "professional skills", "soft skills",
    "computer skills", "it skills", "skill set", "skillset", "skills summary", "summary of skills",
    "skills and abilities", "skills and expertise", "skills and competencies", "skills and qualifications",
    "skills and certifications", "relevant skills", "additional skills", "other skills", "job skills",
    "core competencies", "key competencies", "competencies", "areas of expertise", "expertise",
    "areas of strength", "technical proficiency", "technical proficiencies", "proficiencies",
    "highlights", "skill highlights", "skills highlights", "strengths", "key strengths",
    "qualifications", "key qualifications", "tools", "tools and technologies", "technologies", "software",
    "technical expertise", "capabilities", "specialties", "specializations", "core strengths",
    "equipment", "tools and equipment", "equipment and tools", "software skills", "computer proficiency",
    "core qualifications", "skills and tools", "tools and skills",
))
# A heading of a few words ending in one of these is a skills heading too ("Clinical Skills",
# "Teaching Competencies", "Tools & Skills"), unless it is one of `OTHER_HEADINGS`.
SKILL_WORDS = frozenset({"skills", "skill", "skillset", "competencies", "competences", "proficiencies", "abilities",
                         "expertise", "strengths", "highlights", "capabilities", "specialties"})
NOT_HEADING_WORDS = frozenset({"at", "of", "for", "in", "your", "my", "our", "with"})
# ... and a heading of a few words ending in one of these opens some other section ("Teaching
# Experience", "Volunteer Work History", "Professional Certifications").
SECTION_WORDS = frozenset({"experience", "education", "employment", "history", "certifications", "certificates",
                           "licenses", "licensure", "projects", "awards", "honors", "references", "interests",
                           "activities", "publications", "summary", "profile", "objective", "languages",
                           "affiliations", "memberships", "accomplishments", "achievements", "training",
                           "volunteering", "background", "overview"})
OTHER_HEADINGS = frozenset(heading_key(h) for h in DEFAULT_HEADINGS) - SKILL_HEADINGS | frozenset(
    heading_key(h) for h in ("experience", "professional experience", "education and training", "employment",
                             "certifications and licenses", "licenses and certifications", "training",
                             "volunteer work", "affiliations", "professional affiliations", "memberships",
                             "accomplishments", "work experience", "career overview", "overview"))
MAX_ITEM_WORDS = 12
MAX_HEADING_WORDS = 5
# Marks of a product's or a standard's name, never of a heading: "SAP S/4HANA", "OSHA 30", "C++".
NAME_MARKS = re.compile(r"[\d/+#]")
# A capitalised line of one word inside a skills list is an item (HACCP, OSHA, HAZWOPER), not the
# next section's heading, unless the heading is a known one.
FLATTENED_LINE = 300
WIDE_GAP = re.compile(r"\s{3,}")
MAX_SKILL_WORDS = 6
# What `doc.user_data[USER_DATA_KEY]` counts: mentions the listed-skills component added.
USER_DATA_KEY = "skillner_listed"
# Where a list line splits: separators outside brackets, and bullets opening an item.
SEPARATOR = re.compile(r"\s*(?:[,;|•·▪●◦■►✓➢❖\t]|\s{2,}|\s-\s)\s*")
BULLET = re.compile(r"^[\s\-*•·▪●◦■►✓➢❖>o]+\s")
CATEGORY = re.compile(r"^(?P<category>[^\W\d][\w &/+'’-]{0,40}):\s*(?=\S)")
# A table's row read as one line, its label cell first: "Databases | SQL Server, Oracle 19c".
TABLE_CATEGORY = re.compile(r"^(?P<category>[^\W\d][\w &/+'’-]{0,40}?)\s+\|\s+(?=[^|]*[,;])")
OPENERS, CLOSERS = "([{", ")]}"


@dataclass(frozen=True)
class Item:
    """One listed item: its characters in the text, and the heading it was listed under."""
    start: int
    end: int
    text: str
    heading: str


def _lines(text: str):
    """(offset, line) of each line; a long line that runs of spaces break up (text taken from a
    web page or a PDF without its line breaks: "Skills     Excel, Word     Experience ...") is
    read as the lines those runs separate."""
    start = 0
    for line in text.splitlines(keepends=True):
        bare = line.rstrip("\r\n")
        if len(bare) > FLATTENED_LINE and WIDE_GAP.search(bare):
            position = 0
            for gap in WIDE_GAP.finditer(bare):
                yield start + position, bare[position:gap.start()]
                position = gap.end()
            yield start + position, bare[position:]
        else:
            yield start, bare
        start += len(line)


def _heading(line: str, in_list: bool = False) -> tuple[str, bool, int] | None:
    """(key, is a skills heading, where the items start) of a heading line, else None;
    `in_list`: the line stands inside a skills list, where a lone capitalised word is an item."""
    stripped = line.strip()
    if not stripped:
        return None
    head, colon, rest = stripped.partition(":")
    key = heading_key(head)
    if colon and rest.strip():  # "Skills: Excel, Word"
        if key in SKILL_HEADINGS or _skills_like(key):
            return key, True, line.index(":") + 1
        if key in OTHER_HEADINGS:  # "Professional Experience: Web Design" closes a list
            return key, False, len(line)
        return None
    if not key or len(key.split()) > MAX_HEADING_WORDS:
        return None
    if key in SKILL_HEADINGS or (_skills_like(key) and (
            stripped.isupper() or (stripped.istitle() and not in_list))):  # in a list: "Communication Skills"
        return key, True, len(line)
    if key in OTHER_HEADINGS or (stripped.isupper() and not any(c in stripped for c in ",;|•")
                                 and not (in_list and (len(key.split()) == 1 or NAME_MARKS.search(stripped)))) or (
            key.split()[-1] in SECTION_WORDS and 2 <= len(key.split()) <= 4 and (stripped.istitle() or stripped.isupper())
            and not any(c in stripped for c in ",;|•")):
        return key, False, len(line)
    return None


# A product's versions, written as a range of years inside a list: "SQL Server 2016–2022".
VERSION_RANGE = re.compile(rf"{YEAR}\s*[-–]\s*{YEAR}")


def _is_dated(line: str) -> bool:
    """Whether a line is an employer's or a school's, not a list: it holds a date at one of its
    ends, or one anywhere when it lists nothing, or a month, or words around a range ("from 2016
    to 2022"); a bare range of years inside a list is a product's versions ("SQL Server
    2016–2022, PostgreSQL 14")."""
    bare = line.strip()
    for date in DATED.finditer(bare):
        if (date.start() == 0 or not bare[date.end():].strip(" .,;|)-–—") or len(SEPARATOR.findall(bare)) < 2
                or not VERSION_RANGE.fullmatch(date.group())):
            return True
    return False


def _skills_like(key: str) -> bool:
    """A heading of up to four words that ends in a skills word ("clinical skills", "tools skills"),
    not an achievement line ("highlights at acme") or an advert's ("market your skills")."""
    words = key.split()
    return (bool(words) and key not in OTHER_HEADINGS and len(words) <= 4 and words[-1] in SKILL_WORDS
            and NOT_HEADING_WORDS.isdisjoint(words))


def _split(line: str, offset: int) -> list[tuple[int, int]]:
    """Character bounds of the items of one list line, split outside brackets."""
    bounds, depth, start, i = [], 0, 0, 0
    while i < len(line):
        char = line[i]
        if char in OPENERS:
            depth += 1
        elif char in CLOSERS:
            depth = max(depth - 1, 0)
        elif depth == 0:
            match = SEPARATOR.match(line, i)
            if match and match.end() > i and (match.group().strip() or match.end() - i >= 2):
                bounds.append((start, i))
                start = i = match.end()
                continue
        i += 1
    bounds.append((start, len(line)))
    items = []
    for begin, end in bounds:
        piece = line[begin:end]
        bullet = BULLET.match(piece)
        if bullet:
            begin += bullet.end()
        while begin < end and not line[begin].isalnum() and line[begin] not in OPENERS + ".#":
            begin += 1
        while end > begin and line[end - 1] in " .:-*\u2013\u2014":
            end -= 1
        if begin < end and any(c.isalpha() for c in line[begin:end]):
            items.append((offset + begin, offset + end))
    return items


def listed_items(text: str) -> list[Item]:
    """Every item listed under a skills heading of `text`, in text order."""
    items: list[Item] = []
    heading = None
    for start, line in _lines(text):
        found = _heading(line, in_list=heading is not None)
        if found is not None:
            key, is_skills, items_from = found
            heading = key if is_skills else None
            if heading is None or items_from >= len(line):
                continue
            body_start = items_from
        elif heading is None or not line.strip():
            continue
        elif _is_dated(line) or (not SEPARATOR.search(line.strip()) and (
                len(line.split()) > MAX_ITEM_WORDS or (len(line.split()) >= 3 and line.rstrip().endswith(".")))):
            heading = None
            continue
        else:
            body_start = 0
        body = line[body_start:]
        category = CATEGORY.match(body.lstrip(" \t-*•")) or TABLE_CATEGORY.match(body.lstrip(" \t-*•"))
        if category and len(category["category"].split()) <= 4:
            body_start += len(body) - len(body.lstrip(" \t-*•")) + category.end()
            body = line[body_start:]
        for begin, end in _split(body, start + body_start):
            if len(text[begin:end].split()) <= MAX_ITEM_WORDS:
                items.append(Item(begin, end, text[begin:end], heading))
    return items


# Words before a skill that say how well it is held, not what it is ("Proficient in Excel").
FILLER = re.compile(
    r"^(?:(?:very |highly |extremely )?(?:strong|excellent|good|great|solid|proven|advanced|basic|working|"
    r"expert|extensive|thorough|in-depth|sound|outstanding|exceptional|superior|effective|demonstrated|"
    r"some|hands-on|practical|general|intermediate|fluent|familiar|knowledgeable|skilled|proficient|"
    r"experienced|competent|certified|trained|capable|comfortable)\b[\s,]*)*"
    r"(?:(?:knowledge|understanding|command|experience|expertise|proficiency|skills?|ability|abilities|"
    r"background|training|familiarity|competence|grasp)\s+(?:of|in|with|to|using|at)\s+|"
    r"(?:in|with|at|of|using|to)\s+|able\s+to\s+|ability\s+to\s+)*", re.IGNORECASE)
# What brackets say of a listed skill rather than name one.
LEVELS = frozenset({"native", "fluent", "conversational", "basic", "intermediate", "advanced", "beginner", "expert",
                    "written", "spoken", "reading", "writing", "current", "expired", "active", "inactive",
                    "pending", "in progress", "mother tongue", "elementary", "limited", "full professional"})
DURATION = re.compile(r"^(?:less than |more than |over |about )?\d+\+?\s*(?:years?|yrs?|months?)\b", re.IGNORECASE)
# What a list says of its holder's record or terms, not a skill: "no preventable collisions",
# "Clean driving record", "Perfect attendance", "Weekend availability", "Able to lift 50 lbs".
# A time phrase ends an item's skill ("CPR and First Aid, renewed 2024"); an item that is only one
# is no skill.
TIME_PHRASE = re.compile(
    rf"[\s,;(-]*\b(?:in|since|through|until|by|renewed|expires?|expiring|valid|current|during|from)\s+"
    rf"(?:\w+\s+)?{YEAR}\b", re.IGNORECASE)
NOT_A_SKILL_ITEM = re.compile(r"\b(?:driving record|safety record|perfect attendance|availability|available|willing to|"
                              r"able to lift|background check|drug screen)\b|^no\s", re.IGNORECASE)
# An address, not a skill: "www.indeed.com/r/jane-doe", "jane@example.com".
NOT_A_NAME = re.compile(r"https?://|www\.|@\S+\.|\.com\b", re.IGNORECASE)
# A line that closes a section: a date (an employer's line: a month and year, a range of years, a
# year after a comma or at the line's end) or a line of prose. A number in a name is no date
# ("OSHA 29 CFR 1910", "ISO 9001", "Windows 2000 Server").
DATED = re.compile(rf"\b{MONTH}\s*'?\d{{2,4}}\b|\b\d{{1,2}}/{YEAR}\b|{YEAR_RANGE}|\b(?:spring|summer|fall|autumn|winter)\s+{YEAR}\b|,\s*{YEAR}\s*$|\(\s*{YEAR}\s*\)|^\W*{YEAR}(?:\W+{YEAR})*\W*$",
                   re.IGNORECASE)


def skill_core(text: str) -> tuple[int, int] | None:
    """Bounds, inside a listed item, of the words that name the skill ("Proficient in Microsoft
    Office" -> "Microsoft Office"); None for a bare trait or an item with nothing left."""
    start = 0
    close, open_ = text.find(")"), text.find("(")
    if close >= 0 and (open_ < 0 or close < open_ or open_ == 0):  # "than 1 year)": a bracket from the line before
        start = close + 1
        while start < len(text) and not text[start].isalnum():
            start += 1
    start += FILLER.match(text[start:]).end()
    end = len(text)
    time = TIME_PHRASE.search(text, start)
    if time:
        end = time.start()
    while end > start and not (text[end - 1].isalnum() or text[end - 1] in ")+#"):
        end -= 1
    core = text[start:end].strip()
    if not core or not any(c.isalpha() for c in core):
        return None
    if is_trait(core) or is_trait(text) or DURATION.match(core) or NOT_A_NAME.search(core) or NOT_A_SKILL_ITEM.search(text):
        return None
    bracket = text.find("(", start, end)
    if bracket > start:  # "Excel (pivot tables, VLOOKUP)": the skill, not what is said of it
        end = bracket
        while end > start and text[end - 1].isspace():
            end -= 1
    return start, end


def bracket_items(text: str) -> list[tuple[int, int]]:
    """Bounds of the names listed in an item's brackets ("Radiation delivery (IMRT, VMAT, SBRT)",
    "Excel (pivot tables, VLOOKUP)"): two or more pieces, each a short name, not a level or a
    duration ("Spanish (fluent, written)", "Java (Less than 1 year)" give none)."""
    found = []
    for bracket in re.finditer(r"\(([^()]*)\)", text):
        pieces = [(m.start() + bracket.start(1), m.end() + bracket.start(1))
                  for m in re.finditer(r"[^,;/]+", bracket.group(1)) if m.group().strip()]
        names = []
        for start, end in pieces:
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1] in " .":
                end -= 1
            piece = text[start:end]
            if (not any(c.isalpha() for c in piece) or len(piece.split()) > 3 or FILLER.match(piece).end() == len(piece)
                    or is_trait(piece) or DURATION.match(piece) or re.search(YEAR, piece)
                    or piece.casefold() in LEVELS):
                break
            names.append((start, end))
        else:
            if len(names) >= 2:
                found += names
    return found


def listed_skill_spans(doc: Doc, label_of: Callable[[Span], str], max_words: int = MAX_SKILL_WORDS,
                       other_occurrences: bool = True) -> list[Span]:
    """Spans for the listed items of `doc` (their skill cores) that overlap no entity of `doc.ents`,
    labelled by `label_of`; with `other_occurrences`, also each other place the same words stand in
    the text (case aside) where no entity is. The result overlaps nothing and no entity."""
    taken = [False] * len(doc)
    for ent in doc.ents:
        taken[ent.start:ent.end] = [True] * len(ent)
    found: list[Span] = []
    for item in listed_items(doc.text):
        core = skill_core(item.text)
        if core is None:
            continue
        for begin, end in [core, *bracket_items(item.text)]:
            span = doc.char_span(item.start + begin, item.start + end, alignment_mode="contract")
            if span is None or not len(span) or len(span) > max_words or any(taken[span.start:span.end]):
                continue
            found.append(Span(doc, span.start, span.end, label=label_of(span)))
            taken[span.start:span.end] = [True] * len(span)
    if other_occurrences and found:
        matcher = PhraseMatcher(doc.vocab, attr="LOWER")
        labels = {}
        for span in found:
            if len(span) < 2 and not any(c.isupper() or c.isdigit() for c in span.text[1:]):
                continue  # "Installation" in a list says little about "installation" in a sentence
            labels.setdefault(span.text.casefold(), span.label_)
            matcher.add(span.text.casefold(), [span.as_doc()])
        for span in filter_spans(matcher(doc, as_spans=True)) if labels else ():
            if not any(taken[span.start:span.end]):
                found.append(Span(doc, span.start, span.end, label=labels[span.label_]))
                taken[span.start:span.end] = [True] * len(span)
    return sorted(found, key=lambda span: span.start)


class ListedSkills:
    """Adds the items of a resume's skills lists that the NER left, as mentions (see
    `listed_skill_spans`): what a person lists under Skills is a skill. The label is the one of
    the gazetteer match that covers the item exactly, when there is one, else JOB_SKILL."""

    def __init__(self, name: str = "skillner_listed_skills", *, max_words: int = MAX_SKILL_WORDS,
                 other_occurrences: bool = True, spans_key: str = "gazetteer", default_label: str = "JOB_SKILL",
                 confidence: float | None = None):
        self.name = name
        self.confidence = confidence
        self.max_words = max_words
        self.other_occurrences = other_occurrences
        self.spans_key = spans_key
        self.default_label = default_label

    def __call__(self, doc: Doc) -> Doc:
        matches = {(s.start, s.end): s.label_ for s in doc.spans.get(self.spans_key, ())}

        def label_of(span: Span) -> str:
            return matches.get((span.start, span.end), self.default_label)

        added = listed_skill_spans(doc, label_of, self.max_words, self.other_occurrences)
        if added:
            doc.ents = sorted(list(doc.ents) + added, key=lambda span: span.start)
            if self.confidence is not None and Span.has_extension("confidence"):
                for span in added:
                    doc.user_data[("._.", "confidence", span.start_char, span.end_char)] = self.confidence
        doc.user_data[USER_DATA_KEY] = doc.user_data.get(USER_DATA_KEY, 0) + len(added)
        return doc


@Language.factory("skillner_listed_skills",
                  default_config={"max_words": MAX_SKILL_WORDS, "other_occurrences": True, "spans_key": "gazetteer",
                                  "default_label": "JOB_SKILL", "confidence": None})
def make_listed_skills(nlp: Language, name: str, max_words: int, other_occurrences: bool, spans_key: str,
                       default_label: str, confidence: float | None) -> ListedSkills:
    """Add after the NERs and before span hygiene. `confidence`: the `span._.confidence` of the
    mentions it adds (the share of such additions that were gold on the multi-occupation dev set)."""
    return ListedSkills(name, max_words=max_words, other_occurrences=other_occurrences, spans_key=spans_key,
                        default_label=default_label, confidence=confidence)
