"""Resumes the skillner team wrote and labelled (`corpus/team/raw/*.txt`), as canonical records.

The raw files are written to be read and labelled by a person: each resume opens with a header
line, `### <id> | occupation: <title> | family: <O*NET job family>`, and each skill is marked
where it stands as `[[span text|LABEL]]` (docs/annotation-guidelines.md says what is marked).
Reading them strips the marks, keeps their character offsets, and aligns them to skillner's
tokens like every other source; every record says in its meta that the team wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from skillner.annotate.convert import CharSpan, ConversionReport, make_record
from skillner.pipeline.labels import SKILL_LABELS

HEADER = re.compile(r"^### (?P<id>[\w-]+) \| occupation: (?P<occupation>[^|]+?) \| family: (?P<family>.+?)\s*$")
MARK = re.compile(r"\[\[(?P<text>[^\[\]|]+)\|(?P<label>[A-Z_]+)\]\]")
WRITTEN_BY = "skillner team"


class TeamFormatError(ValueError):
    """A raw file that breaks the format: named with its file and line."""


@dataclass
class TeamResume:
    id: str
    occupation: str
    family: str
    text: str
    spans: list[CharSpan] = field(default_factory=list)

    @property
    def meta(self) -> dict:
        return {"id": self.id, "source": "team", "written_by": WRITTEN_BY, "occupation": self.occupation,
                "family": self.family}


def parse_team_file(path: Path) -> list[TeamResume]:
    """Every resume of one raw file, its marks turned into character spans."""
    resumes: list[TeamResume] = []
    body: list[tuple[int, str]] = []
    header = None
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        match = HEADER.match(line)
        if match:
            if header is not None:
                resumes.append(_resume(path, header, body))
            header, body = (number, match), []
        elif line.startswith("###"):
            raise TeamFormatError(f"{path}:{number}: a header must read '### ID | occupation: ... | family: ...'")
        elif header is None:
            if line.strip():
                raise TeamFormatError(f"{path}:{number}: text before the first resume's header")
        else:
            body.append((number, line))
    if header is not None:
        resumes.append(_resume(path, header, body))
    return resumes


def _resume(path: Path, header: tuple[int, re.Match], body: list[tuple[int, str]]) -> TeamResume:
    number, match = header
    resume = TeamResume(match["id"], match["occupation"].strip(), match["family"].strip(), "")
    while body and not body[-1][1].strip():
        body.pop()
    while body and not body[0][1].strip():
        body.pop(0)
    pieces: list[str] = []
    offset = 0
    for line_number, line in body:
        position = 0
        for mark in MARK.finditer(line):
            if mark["label"] not in SKILL_LABELS:
                raise TeamFormatError(f"{path}:{line_number}: unknown label {mark['label']!r}")
            if mark["text"] != mark["text"].strip():
                raise TeamFormatError(f"{path}:{line_number}: span {mark['text']!r} has spaces at its ends")
            before = line[position:mark.start()]
            pieces.append(before)
            offset += len(before)
            resume.spans.append(CharSpan(offset, offset + len(mark["text"]), mark["label"]))
            pieces.append(mark["text"])
            offset += len(mark["text"])
            position = mark.end()
        rest = line[position:] + "\n"
        if "[[" in rest or "]]" in rest:
            raise TeamFormatError(f"{path}:{line_number}: a mark that is not [[text|LABEL]]")
        pieces.append(rest)
        offset += len(rest)
    resume.text = "".join(pieces).rstrip("\n")
    if not resume.text.strip():
        raise TeamFormatError(f"{path}:{number}: resume {resume.id} has no text")
    return resume


def team_records(folder: Path) -> tuple[list[dict], ConversionReport]:
    """Canonical records of every raw file in `folder`, ids unique across them."""
    records, report, seen = [], ConversionReport(), set()
    for path in sorted(Path(folder).glob("*.txt")):
        for resume in parse_team_file(path):
            if resume.id in seen:
                raise TeamFormatError(f"{path}: resume id {resume.id} is used twice")
            seen.add(resume.id)
            record, aligned = make_record(resume.text, resume.spans, resume.meta)
            records.append(record)
            report.add(aligned)
    return records, report
