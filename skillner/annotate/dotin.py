"""Import the dotin resume corpus (one XML file per resume) into character spans.

The plain text of a resume is the text content of its `<cv>` element, so offsets are
rebuilt while walking the tree. Upstream defects are repaired chunk by chunk (so span
boundaries survive every repair) and counted, never hidden:
double-escaped entities (`&amp;amp;` arrives as a literal `&amp;`), UTF-8 bytes written
out as `\\xNN` text, private-use bullet glyphs, mojibake (ftfy),
and spans carrying leading/trailing whitespace (trimmed).
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import ftfy

from skillner.annotate.convert import CharSpan, ConversionReport, make_record, write_jsonl
from skillner.pipeline.labels import load_label_map

_ESCAPED_BYTES = re.compile(r"(?:\\x[0-9a-fA-F]{2})+")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_LEFTOVER_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);")
_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False, uncurl_quotes=False, fix_latin_ligatures=False,
    fix_character_width=False, normalization=None, explain=False,
)


@dataclass
class ImportedResume:
    doc_id: str
    text: str
    spans: list[CharSpan]
    source_labels: Counter = field(default_factory=Counter)
    fixes: Counter = field(default_factory=Counter)


def _decode_escaped_bytes(match: re.Match) -> str:
    """`\\xe2\\x80\\xa2` written out as text upstream becomes the character it encoded."""
    raw = bytes(int(h, 16) for h in match.group(0).split("\\x")[1:])
    return raw.decode("utf-8", errors="replace")


def clean_chunk(chunk: str, fixes: Counter) -> str:
    """Undo upstream double escaping and mojibake in one piece of text, counting each fix."""
    if _LEFTOVER_ENTITY.search(chunk):
        fixes["double_escaped_entity"] += len(_LEFTOVER_ENTITY.findall(chunk))
        chunk = _LEFTOVER_ENTITY.sub(lambda m: html.unescape(m.group(0)), chunk)
    if _ESCAPED_BYTES.search(chunk):
        fixes["escaped_utf8_bytes"] += len(_ESCAPED_BYTES.findall(chunk))
        chunk = _ESCAPED_BYTES.sub(_decode_escaped_bytes, chunk)
    if _PRIVATE_USE.search(chunk):
        fixes["private_use_bullet"] += len(_PRIVATE_USE.findall(chunk))
        chunk = _PRIVATE_USE.sub("•", chunk)
    fixed = ftfy.fix_text(chunk, config=_FTFY_CONFIG)
    if fixed != chunk:
        fixes["ftfy_repair"] += 1  # mojibake, control characters
    return fixed


def parse_dotin(xml_text: str, doc_id: str, label_map: dict[str, str] | None = None) -> ImportedResume:
    """Parse one dotin XML document into text and mapped, whitespace-trimmed spans."""
    label_map = load_label_map() if label_map is None else label_map
    root = ET.fromstring(xml_text)
    fixes: Counter = Counter()
    source_labels: Counter = Counter()
    parts: list[str] = []
    spans: list[CharSpan] = []
    offset = 0

    def append(chunk: str | None) -> None:
        nonlocal offset
        if chunk:
            chunk = clean_chunk(chunk, fixes)
            parts.append(chunk)
            offset += len(chunk)

    append(root.text)
    for element in root:
        start = offset
        append("".join(element.itertext()))
        end = offset
        source = element.get("type", element.tag)
        source_labels[source] += 1
        label = label_map.get(source)
        if label is None:
            fixes["dropped_label"] += 1
        else:
            text = "".join(parts)[start:end] if end > start else ""
            trimmed_start = start + (len(text) - len(text.lstrip()))
            trimmed_end = end - (len(text) - len(text.rstrip()))
            if trimmed_end <= trimmed_start:
                fixes["empty_span"] += 1
            else:
                if (trimmed_start, trimmed_end) != (start, end):
                    fixes["whitespace_trimmed"] += 1
                spans.append(CharSpan(trimmed_start, trimmed_end, label))
        append(element.tail)
    return ImportedResume(doc_id, "".join(parts), spans, source_labels, fixes)


def iter_dotin(folder: Path, label_map: dict[str, str] | None = None):
    """Yield every resume in a folder of dotin XML files, in numeric id order."""
    files = sorted(Path(folder).glob("*.xml"), key=lambda p: (len(p.stem), p.stem))
    for path in files:
        yield parse_dotin(path.read_text(encoding="utf-8"), f"dotin-{path.stem}", label_map)


def import_dotin(folder: Path, out_path: Path, report_path: Path, label_map: dict[str, str] | None = None) -> dict:
    """Write the corpus as canonical JSONL plus a report of every repair and alignment problem."""
    records = []
    conversion = ConversionReport()
    fixes: Counter = Counter()
    source_labels: Counter = Counter()
    empty = []
    for resume in iter_dotin(folder, label_map):
        record, report = make_record(resume.text, resume.spans, {"id": resume.doc_id, "source": "dotin"})
        records.append(record)
        conversion.add(report)
        fixes.update(resume.fixes)
        source_labels.update(resume.source_labels)
        if not record["spans"]:
            empty.append(resume.doc_id)
    write_jsonl(out_path, records)
    summary = {
        "source": str(folder),
        "resumes": len(records),
        "resumes_without_skill_spans": empty,
        "source_labels": dict(source_labels),
        "text_repairs": dict(fixes),
        "alignment": conversion.to_dict(),
    }
    Path(report_path).write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return summary
