"""Span hygiene: the last pipeline component, repairing the skill entities a statistical NER
leaves with broken edges or puts on things that are not skills.

Measured on real resumes, about 11 % of predicted mentions had wrong boundaries (a span over a
line break, ending in a tab, "Amazon Web Services (AWS") and about 10 % were not skills (the
candidate's name, a heading such as "LANGUAGES"). Each rule below is a config flag, so a
pipeline can ship with only the rules that do not cost its dev score. Every rule works on the
tokens of one entity (the heading rule also walks to its line's breaks over punctuation only,
the name rule reads the first line once), so a document costs O(tokens). The component only
shrinks entities, splits them, or extends one by the single closing bracket after it when no
other entity starts there, so it never creates overlaps; and what it returns is a fixed point
(running it twice is running it once).

What it changed is counted per rule, per document, in `doc.user_data["skillner_hygiene"]`
(counts add up over runs; a second run adds zeros)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from skillner.taxonomy.titles import load_titles

USER_DATA_KEY = "skillner_hygiene"
# What `doc.user_data[USER_DATA_KEY]` counts: entities split at line breaks, pieces trimmed at
# their edges (or trimmed away), pieces extended by their closing bracket, pieces cut before an
# unmatched bracket, and pieces dropped as headings, as the candidate's name, as made only of
# stop words, numbers and punctuation, as bare traits ("Dependable and punctual") or as a job
# title of two words or more ("Greenhouse Worker", `taxonomy.titles`; one-word titles such as
# "Server" or "Intelligence" are also skills), or as part of a job's or a school's row (`is_row`).
RULES = ("line_break", "edge", "bracket_extended", "bracket_cut", "heading", "name", "not_a_skill", "trait", "title",
         "row")

# str.splitlines' line boundaries: PDF and DOCX readers emit more than "\n".
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
CLOSER_OF = {"(": ")", "[": "]", "{": "}"}
CLOSERS = frozenset(CLOSER_OF.values())
BRACKETS = CLOSERS | frozenset(CLOSER_OF)
# A skill's own marks, kept at an edge when glued to the word they belong to: ".NET" (leading),
# "C#", "F#", "C++" (trailing), where a tokenizer splits them off.
LEADING_MARKS = frozenset({"."})
TRAILING_MARKS = frozenset({"#", "+", "++"})
# Stop words that are also skills when written as one ("Go" the language); upper-case tokens
# ("IT", "AS") are never taken as stop words.
SKILL_STOP_WORDS = frozenset({"go"})
# Bare traits (docs/annotation-guidelines.md): adjectives and phrases that describe a person.
TRAITS = frozenset({
    "dependable", "reliable", "punctual", "motivated", "self-motivated", "hard-working", "hardworking",
    "hard working", "energetic", "detail-oriented", "detail oriented", "organized", "organised",
    "well-organized", "creative", "flexible", "honest", "friendly", "enthusiastic", "team player",
    "quick learner", "fast learner", "self-starter", "self starter", "results-driven", "goal-oriented",
    "passionate", "proactive", "dedicated", "loyal", "responsible", "patient", "outgoing", "personable",
    "professional", "positive attitude", "trustworthy", "compassionate", "caring", "driven", "ambitious",
    "adaptable", "efficient", "diligent", "courteous", "polite", "cheerful", "confident", "independent",
    "analytical", "resourceful", "versatile", "innovative", "meticulous", "thorough", "accurate",
    "dynamic", "committed", "empathetic", "calm", "punctuality", "reliability", "dependability",
    "work ethic", "strong work ethic", "people person", "eager to learn", "willing to learn",
    "physically fit", "able to work independently", "self-directed", "sociable", "upbeat", "careful", "curious",
    "respectful", "collaborative", "alert", "steady", "positive", "energized", "warm", "tactful", "discreet",
    "punctual and dependable", "quick", "helpful", "humble", "mature", "focused", "motivated self-starter",
    "bilingual", "trilingual", "multilingual",
})
TRAIT_SUFFIX = re.compile(r"^[a-z]+-(?:oriented|motivated|driven|minded|focused|starter|directed)$")


def is_trait(text: str) -> bool:
    """A bare trait, or traits joined ("Dependable and punctual", "Careful, self-motivated"):
    every word a trait or a joining word."""
    words = [w for w in re.split(r"[\s,;/]+", re.sub(r"\bself\s+", "self-", text.casefold()).strip(" .!")) if w]
    if not words:
        return False
    if " ".join(words) in TRAITS:
        return True
    return all(w in TRAITS or TRAIT_SUFFIX.match(w) or w in {"and", "&", "very", "highly"} for w in words) and any(
        w in TRAITS or TRAIT_SUFFIX.match(w) for w in words)


# Words that join a skill to the rest of its sentence: a mention never begins or ends with one
# ("customer service while", "and Excel"); docs/annotation-guidelines.md.
JOINERS = frozenset({"and", "or", "with", "while", "in", "of", "to", "the", "for", "at", "by", "on", "as", "from",
                     "including", "etc", "via", "using", "a", "an", "&"})

# Resume section headings, compared as their lower-case words without "and" (so "Skills &
# Abilities" is "skills abilities"). Words that are also skills on a line of their own in a
# skills list ("Training", "Marketing") are left out on purpose.
DEFAULT_HEADINGS = (
    "skills", "technical skills", "key skills", "core skills", "professional skills", "soft skills",
    "computer skills", "it skills", "skill set", "skills summary", "skills and abilities", "skills and expertise",
    "core competencies", "competencies", "areas of expertise", "expertise", "technical proficiency",
    "languages", "languages known", "programming languages", "tools", "technologies",
    "experience", "work experience", "professional experience", "relevant experience", "employment history",
    "work history", "career history", "internships",
    "education", "educational qualifications", "academic qualifications", "qualifications",
    "academic background", "education and training",
    "projects", "academic projects", "personal projects", "project details",
    "certifications", "certificates", "certifications licenses", "licenses", "trainings", "courses",
    "summary", "professional summary", "career summary", "summary of qualifications", "profile",
    "professional profile", "objective", "career objective",
    "achievements", "accomplishments", "awards", "honors", "honors and awards", "publications",
    "interests", "hobbies", "hobbies and interests", "area of interest", "areas of interest", "strengths",
    "key strengths", "references", "personal details", "personal information", "contact",
    "contact information", "additional information", "volunteer experience", "activities",
    "extracurricular activities", "extra curricular activities", "declaration", "responsibilities",
    "roles and responsibilities", "key responsibilities", "links", "assessments", "groups", "military service",
    "resume", "curriculum vitae",
)
# Words of a first line that make it a title, not a person's name ("Python Developer").
TITLE_WORDS = frozenset({
    "resume", "curriculum", "vitae", "cv", "profile", "sample", "template", "developer", "engineer", "manager",
    "analyst", "consultant", "designer", "architect", "administrator", "specialist", "scientist", "assistant",
    "associate", "senior", "junior", "lead", "intern", "officer", "executive", "director", "technician",
    "programmer", "tester", "editor", "accountant", "teacher", "nurse", "sales", "marketing",
})
MAX_NAME_TOKENS = 12
NAME_WORD = re.compile(r"[A-Z]\."  # an initial
                       r"|(?:Mc|Mac|O['’]|D['’])?[A-Z][a-z]+(?:[-'’][A-Z][a-z]+)*"  # McDonald, O'Kon, Mary-Jane
                       r"|[A-Z]{2,}(?:[-'’][A-Z]{2,})*")  # SMITH


def heading_key(text: str) -> str:
    """A heading's lower-case words without "and": "Skills & Abilities:" -> "skills abilities"."""
    return " ".join(word for word in re.findall(r"[^\W_]+", text.casefold()) if word != "and")


# Dates as resumes write them: a job's range of years ("2017 – present", "Jun 2020 – Feb 2022").
MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
         r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?")
YEAR = r"(?:19|20)\d\d"
YEAR_RANGE = rf"\b{YEAR}\s*(?:-|–|—|to|until)\s*(?:{MONTH}\s*)?(?:{YEAR}|present|current|now|today|date)\b"
# A row of an employer's or a school's entry: title, employer, place and dates, or a degree with
# its field and school. dotin's annotators labelled nothing on such a line (0 of its 5,027 train
# spans), and the guidelines say titles, employers, places and degrees are not skills.
ROW_DATES = re.compile(YEAR_RANGE, re.IGNORECASE)
DEGREE = re.compile(r"^(?:B\.?\s?S\.?c?|B\.?\s?A|M\.?\s?S\.?c?|M\.?\s?A|Ph\.?\s?D|M\.?B\.?A|B\.?\s?E|[BM]\.?\s?Tech|"
                    r"B\.?Com|M\.?Com|BBA|BCA|MCA|A\.?A\.?S)\b\.?(?!\w)|"
                    r"^(?:Bachelor|Master|Associate|Doctor(?:ate)?)(?:'s|’s|s)?\s+(?:of|in|degree)\b", re.IGNORECASE)
ROW_BULLETS = "-–•*·▪●◦■►✓➢❖>"
MAX_ROW_WORDS = 20


def is_row(line: str) -> bool:
    """Whether a line is an entry's row, not a sentence or a list: a short line, no bullet, that
    holds a job's range of years or opens with a degree."""
    stripped = line.strip()
    return (bool(stripped) and stripped[0] not in ROW_BULLETS and len(stripped.split()) <= MAX_ROW_WORDS
            and (bool(ROW_DATES.search(stripped)) or bool(DEGREE.match(stripped))))


def is_line_break(token: Token) -> bool:
    return not LINE_BREAKS.isdisjoint(token.text)


def is_junk(token: Token) -> bool:
    """Whitespace, punctuation or a symbol: a token with no letter or digit."""
    return not any(char.isalnum() for char in token.text)


def is_leading_mark(doc: Doc, i: int, end: int) -> bool:
    """".NET": a leading mark glued to a word inside the span."""
    return (doc[i].text in LEADING_MARKS and i + 1 < end and not doc[i].whitespace_
            and not is_junk(doc[i + 1]))


def is_trailing_mark(doc: Doc, start: int, i: int) -> bool:
    """"C#", "C++": a trailing mark glued to a word inside the span."""
    return (doc[i].text in TRAILING_MARKS and i > start and not doc[i - 1].whitespace_
            and not is_junk(doc[i - 1]))


def is_joiner(token: Token) -> bool:
    return token.lower_ in JOINERS and not token.is_upper or token.text == "&"


def is_stop_word(token: Token) -> bool:
    return token.is_stop and not token.is_upper and token.lower_ not in SKILL_STOP_WORDS


def is_brackets(token: Token) -> bool:
    return all(char in BRACKETS for char in token.text)


def is_closing(token: Token) -> bool:
    return all(char in CLOSERS for char in token.text)


def bracket_scan(doc: Doc, start: int, end: int) -> tuple[set[int], list[str], int]:
    """Brackets of doc[start:end], character by character (a token such as "Lee}Python" holds
    one): the tokens holding an unmatched closing bracket (one of the wrong kind included), the
    closing brackets still owed at the end, and the last token boundary before which every
    bracket is matched."""
    unmatched_closers: set[int] = set()
    owed: list[str] = []
    balanced_end = start
    for i in range(start, end):
        for char in doc[i].text:
            if char in CLOSER_OF:
                owed.append(CLOSER_OF[char])
            elif char in CLOSERS:
                if owed and owed[-1] == char:
                    owed.pop()
                else:
                    unmatched_closers.add(i)
        if not owed and not unmatched_closers:
            balanced_end = i + 1
    return unmatched_closers, owed, balanced_end


def whole_line(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """Token bounds of the line around doc[start:end] when the span holds all its words (only
    whitespace and punctuation between it and the line's breaks), else None. The walk stops at
    the first word, so over a document it costs O(tokens)."""
    line_start = start
    while line_start > 0 and not is_line_break(doc[line_start - 1]):
        if not is_junk(doc[line_start - 1]):
            return None
        line_start -= 1
    line_end = end
    while line_end < len(doc) and not is_line_break(doc[line_end]):
        if not is_junk(doc[line_end]):
            return None
        line_end += 1
    return line_start, line_end


def carry_span_extensions(doc: Doc, pairs: Iterable[tuple[Span, Span]]) -> None:
    """Give each repaired piece the span extension values (such as `span._.confidence`) of the
    entity it came from: spaCy keys them by character offsets, which a repair changes."""
    by_offsets: dict[tuple[int, int], list[tuple[str, object]]] = {}
    for key, value in doc.user_data.items():
        if isinstance(key, tuple) and len(key) == 4 and key[0] == "._.":
            by_offsets.setdefault((key[2], key[3]), []).append((key[1], value))
    for source, piece in pairs:
        for name, value in by_offsets.get((source.start_char, source.end_char), ()):
            doc.user_data[("._.", name, piece.start_char, piece.end_char)] = value


class SpanHygiene:
    """Repairs `doc.ents` in place; see the module docstring for the rules."""

    def __init__(self, name: str = "skillner_span_hygiene", *, split_lines: bool = True, trim_edges: bool = True,
                 balance_brackets: bool = True, drop_headings: bool = True, drop_names: bool = True,
                 drop_non_skills: bool = True, extra_headings: Iterable[str] = (), trim_joiners: bool = True,
                 drop_traits: bool = True, drop_titles: bool = True, drop_rows: bool = True):
        self.name = name
        self.split_lines = split_lines
        self.trim_edges = trim_edges
        self.trim_joiners = trim_joiners
        self.drop_traits = drop_traits
        self.drop_rows = drop_rows
        self.titles = load_titles() if drop_titles else frozenset()
        self.balance_brackets = balance_brackets
        self.drop_headings = drop_headings
        self.drop_names = drop_names
        self.drop_non_skills = drop_non_skills
        self.headings = frozenset(heading_key(h) for h in (*DEFAULT_HEADINGS, *extra_headings))

    def __call__(self, doc: Doc) -> Doc:
        counts: Counter = Counter()
        ents = list(doc.ents)
        name_line = self.name_line(doc, ents) if self.drop_names and ents else None
        kept, sources = [], []
        for n, ent in enumerate(ents):
            next_start = ents[n + 1].start if n + 1 < len(ents) else len(doc)
            pieces = self.line_pieces(doc, ent.start, ent.end) if self.split_lines else [(ent.start, ent.end)]
            if pieces != [(ent.start, ent.end)]:
                counts["line_break"] += 1
            for start, end in pieces:
                can_extend = end == ent.end and ent.end < next_start
                repaired = self.repair(doc, start, end, can_extend, counts)
                if repaired is None:
                    continue
                reason = self.not_a_skill(doc, *repaired, name_line)
                if reason:
                    counts[reason] += 1
                    continue
                kept.append(Span(doc, *repaired, label=ent.label, kb_id=ent.kb_id))
                sources.append(ent)
        if [(e.start, e.end) for e in kept] != [(e.start, e.end) for e in ents]:
            doc.ents = kept
            carry_span_extensions(doc, zip(sources, kept))
        stats = doc.user_data.setdefault(USER_DATA_KEY, dict.fromkeys(RULES, 0))
        for rule, count in counts.items():
            stats[rule] = stats.get(rule, 0) + count
        return doc

    @staticmethod
    def line_pieces(doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
        """The runs of doc[start:end] between tokens that hold a line break."""
        pieces, piece_start = [], start
        for i in range(start, end):
            if is_line_break(doc[i]):
                if piece_start < i:
                    pieces.append((piece_start, i))
                piece_start = i + 1
        if piece_start < end:
            pieces.append((piece_start, end))
        return pieces

    def repair(self, doc: Doc, start: int, end: int, can_extend: bool, counts: Counter) -> tuple[int, int] | None:
        """doc[start:end] with junk edges trimmed and brackets balanced (by taking the closing
        bracket right after it, when `can_extend`, or by cutting before the first unmatched
        bracket); None when nothing is left."""
        trimmed = False
        while start < end and ((self.trim_edges and is_junk(doc[start]) and not is_leading_mark(doc, start, end))
                               or (self.trim_joiners and is_joiner(doc[start]))):
            start, trimmed = start + 1, True
        if self.balance_brackets and start < end and is_brackets(doc[start]):
            counts["bracket_cut"] += 1
            while start < end and is_brackets(doc[start]):
                start += 1
        unmatched_closers, owed, balanced_end = bracket_scan(doc, start, end)
        if self.balance_brackets and (unmatched_closers or owed):
            if (not unmatched_closers and len(owed) == 1 and can_extend and end < len(doc)
                    and doc[end].text == owed[0]):
                end += 1
                counts["bracket_extended"] += 1
            else:
                end = balanced_end
                counts["bracket_cut"] += 1
            unmatched_closers = set()
        while True:
            before = (start, end)
            if self.trim_edges:
                while (end > start and is_junk(doc[end - 1]) and not is_trailing_mark(doc, start, end - 1)
                       and not (is_closing(doc[end - 1]) and end - 1 not in unmatched_closers)):
                    end, trimmed = end - 1, True
            if self.trim_joiners:
                while end > start and is_joiner(doc[end - 1]):
                    end, trimmed = end - 1, True
            if (start, end) == before:
                break
        if trimmed:
            counts["edge"] += 1
        return (start, end) if start < end else None

    def not_a_skill(self, doc: Doc, start: int, end: int, name_line: tuple[int, int] | None) -> str | None:
        """Which drop rule, if any, says doc[start:end] is not a skill."""
        if self.drop_non_skills and all(is_junk(t) or t.like_num or is_stop_word(t) for t in doc[start:end]):
            return "not_a_skill"
        if name_line and name_line[0] <= start and end <= name_line[1]:
            return "name"
        if self.drop_headings and self.is_heading(doc, start, end):
            return "heading"
        text = doc[start:end].text
        if self.drop_traits and is_trait(text):
            return "trait"
        if self.titles and " " in text and text.lower() in self.titles:
            return "title"
        if self.drop_rows and (line := self.line_text(doc, start, end)) is not None and is_row(line):
            return "row"
        return None

    @staticmethod
    def line_text(doc: Doc, start: int, end: int, limit: int = 3 * MAX_ROW_WORDS) -> str | None:
        """The text of doc[start:end]'s line when it is short (the walk to its breaks stops
        after `limit` tokens each way, so a document costs O(tokens) however long its lines)."""
        line_start = start
        while line_start > 0 and not is_line_break(doc[line_start - 1]):
            line_start -= 1
            if start - line_start > limit:
                return None
        line_end = end
        while line_end < len(doc) and not is_line_break(doc[line_end]):
            line_end += 1
            if line_end - end > limit:
                return None
        return doc[line_start:line_end].text if line_start < line_end else None

    def is_heading(self, doc: Doc, start: int, end: int) -> bool:
        """A span that holds every word of its line, where the line is a known heading or an
        all-caps line ending in ":"."""
        line = whole_line(doc, start, end)
        if line is None or any(is_line_break(t) for t in doc[start:end]):
            return False
        text = doc[line[0]:line[1]].text.strip()
        return heading_key(text) in self.headings or (text.endswith(":") and text.isupper())

    @staticmethod
    def name_line(doc: Doc, ents: list[Span]) -> tuple[int, int] | None:
        """Token bounds of the document's first non-empty line when it looks like a person's
        name: 2-4 capitalised words, no digits, no title word, no word tagged as a skill on a
        later line."""
        first = next((t.i for t in doc if not t.is_space), None)
        if first is None:
            return None
        end = first
        while end < len(doc) and not is_line_break(doc[end]):
            end += 1
            if end - first > MAX_NAME_TOKENS:
                return None
        words = doc[first:end].text.split()
        if not 2 <= len(words) <= 4 or not all(NAME_WORD.fullmatch(w) for w in words):
            return None
        lowered = {w.casefold().strip(".") for w in words}
        if lowered & TITLE_WORDS:
            return None
        skill_words = {t.lower_ for e in ents if e.start >= end for t in e}
        return None if lowered & skill_words else (first, end)


@Language.factory(
    "skillner_span_hygiene",
    default_config={"split_lines": True, "trim_edges": True, "balance_brackets": True, "drop_headings": True,
                    "drop_names": True, "drop_non_skills": True, "extra_headings": [], "trim_joiners": True,
                    "drop_traits": True, "drop_titles": True, "drop_rows": True},
)
def make_span_hygiene(nlp: Language, name: str, split_lines: bool, trim_edges: bool, balance_brackets: bool,
                      drop_headings: bool, drop_names: bool, drop_non_skills: bool,
                      extra_headings: list[str], trim_joiners: bool, drop_traits: bool, drop_titles: bool,
                      drop_rows: bool) -> SpanHygiene:
    """Add last, after every NER: `nlp.add_pipe("skillner_span_hygiene", last=True)`."""
    return SpanHygiene(name, split_lines=split_lines, trim_edges=trim_edges, balance_brackets=balance_brackets,
                       drop_headings=drop_headings, drop_names=drop_names, drop_non_skills=drop_non_skills,
                       extra_headings=extra_headings, trim_joiners=trim_joiners, drop_traits=drop_traits,
                       drop_titles=drop_titles, drop_rows=drop_rows)
