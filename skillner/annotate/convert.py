"""The canonical labelled format (Prodigy-compatible JSONL) and everything derived from it.

One record per resume: `text`, `tokens`, `spans` (`start`, `end`, `token_start`,
`token_end` inclusive as Prodigy has it, `label`), `answer`, `_input_hash`, `_task_hash`,
`meta`. spaCy `DocBin` files are derived from these records, and records can be read back
from a DocBin, from Prodigy JSONL and from the three Doccano JSONL shapes.

Alignment strategy: a character span that does not fall on token boundaries is expanded to
the smallest enclosing token span (counted and listed as `expanded`). A span that cannot
be kept is listed, never silently dropped: `overlap` when it overlaps a span already kept
(spaCy entities cannot overlap), `empty` when nothing but whitespace is left.

Bad input: a file that cannot be read as JSONL (not UTF-8, a line that is not JSON, a
corrupt or truncated gzip, no records at all) or a `.spacy` file that is not a DocBin is a
`LabelledDataError` naming the file and line. A record or span that is readable but wrong
is skipped, counted and listed as an `InputProblem` (kinds in `RECORD_PROBLEMS` and
`SPAN_PROBLEMS`), so one bad line never costs the rest of the file.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import srsly
from murmurhash import hash_unicode
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span

from skillner.pipeline.labels import load_label_map

SKIPPED_ANSWERS = {"reject", "ignore"}
RECORD_PROBLEMS = ("not_an_object", "missing_text", "malformed_spans")
SPAN_PROBLEMS = ("malformed_span", "no_label", "bad_offsets", "reversed_span", "outside_text")
GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"


class LabelledDataError(ValueError):
    """A labelled-data file that cannot be read at all; `line` is 1-based, None for the whole file."""

    def __init__(self, path: Path | str, message: str, line: int | None = None):
        self.path, self.line, self.message = str(path), line, message
        super().__init__(f"{path}:{line}: {message}" if line is not None else f"{path}: {message}")


@dataclass
class InputProblem:
    """A record or span skipped because it is not labelled data (see RECORD_PROBLEMS, SPAN_PROBLEMS)."""

    kind: str
    doc_id: str
    line: int | None
    detail: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "record"
        return f"{where} (id {self.doc_id}): {self.kind}: {self.detail}"


@dataclass
class CharSpan:
    start: int
    end: int
    label: str


@dataclass
class AlignmentProblem:
    doc_id: str
    kind: str
    start: int
    end: int
    label: str
    text: str
    aligned_text: str | None = None


@dataclass
class ConversionReport:
    """What happened to every span on the way to token-aligned entities."""

    docs: int = 0
    spans_in: int = 0
    spans_kept: int = 0
    counts: Counter = field(default_factory=Counter)
    problems: list[AlignmentProblem] = field(default_factory=list)
    records: int = 0  # records read, skipped ones included
    input_problems: list[InputProblem] = field(default_factory=list)

    def add(self, other: "ConversionReport") -> None:
        self.docs += other.docs
        self.spans_in += other.spans_in
        self.spans_kept += other.spans_kept
        self.counts.update(other.counts)
        self.problems.extend(other.problems)
        self.records += other.records
        self.input_problems.extend(other.input_problems)

    def reject(self, problem: InputProblem) -> None:
        self.counts[problem.kind] += 1
        self.input_problems.append(problem)

    def to_dict(self) -> dict:
        return {
            "records": self.records,
            "docs": self.docs,
            "spans_in": self.spans_in,
            "spans_kept": self.spans_kept,
            "counts": dict(self.counts),
            "problems": [asdict(p) for p in self.problems],
            "input_problems": [asdict(p) for p in self.input_problems],
        }


@lru_cache(maxsize=1)
def tokenizer_nlp() -> Language:
    """A blank English pipeline with skillner's resume tokenizer: the tokens of every record."""
    from spacy.lang.en import English

    from skillner.pipeline import registry  # noqa: F401  (registers the tokenizer)

    return English.from_config({"nlp": {"tokenizer": {"@tokenizers": "skillner.resume_tokenizer.v1"}}})


def align_spans(doc: Doc, spans: Iterable[CharSpan], doc_id: str) -> tuple[list[Span], ConversionReport]:
    """Token-aligned entity spans for `doc`, expanding misaligned spans and reporting the rest."""
    report = ConversionReport(docs=1)
    kept: list[Span] = []
    taken = [False] * len(doc)
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        report.spans_in += 1
        original = doc.text[span.start:span.end]
        aligned = doc.char_span(span.start, span.end, label=span.label)
        kind = "aligned"
        if aligned is None:
            aligned = doc.char_span(span.start, span.end, label=span.label, alignment_mode="expand")
            kind = "expanded"
        if aligned is None or not aligned.text.strip():
            kind, aligned_text = "empty", None
        elif any(taken[aligned.start:aligned.end]):
            kind, aligned_text = "overlap", aligned.text
        else:
            aligned_text = aligned.text
        if kind != "aligned":
            report.counts[kind] += 1
            report.problems.append(
                AlignmentProblem(doc_id, kind, span.start, span.end, span.label, original, aligned_text)
            )
        if kind in ("empty", "overlap"):
            continue
        taken[aligned.start:aligned.end] = [True] * len(aligned)
        kept.append(aligned)
    report.spans_kept = len(kept)
    return sorted(kept, key=lambda s: s.start), report


def input_hash(text: str) -> int:
    return hash_unicode(json.dumps({"text": text}, ensure_ascii=False))


def task_hash(text: str, spans: list[dict]) -> int:
    key = [input_hash(text), [(s["start"], s["end"], s["label"]) for s in spans]]
    return hash_unicode(json.dumps(key))


def doc_to_record(doc: Doc, meta: dict, answer: str = "accept", extra: dict | None = None) -> dict:
    """A Prodigy-compatible record for a Doc whose entities are the labelled spans."""
    tokens = [
        {"text": t.text, "start": t.idx, "end": t.idx + len(t.text), "id": t.i, "ws": bool(t.whitespace_)}
        for t in doc
    ]
    spans = [
        {"start": e.start_char, "end": e.end_char, "token_start": e.start, "token_end": e.end - 1, "label": e.label_}
        for e in doc.ents
    ]
    record = {
        "text": doc.text,
        "tokens": tokens,
        "spans": spans,
        "answer": answer,
        "_input_hash": input_hash(doc.text),
        "_task_hash": task_hash(doc.text, spans),
        "meta": meta,
    }
    record.update(extra or {})
    return record


def make_record(text: str, spans: Iterable[CharSpan], meta: dict) -> tuple[dict, ConversionReport]:
    """Tokenise, align and wrap one labelled text as a canonical record."""
    doc = tokenizer_nlp().make_doc(text)
    aligned, report = align_spans(doc, spans, str(meta.get("id", "")))
    doc.ents = aligned
    return doc_to_record(doc, meta), report


JSON_TYPES = {dict: "an object", list: "an array", str: "a string", int: "a number", float: "a number",
              bool: "a boolean", type(None): "null"}


def json_type(value) -> str:
    return JSON_TYPES.get(type(value), type(value).__name__)


def _shown(value, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "…"


def _span_entries(record: dict) -> tuple[str, object]:
    """The record's shape and its span entries (not yet known to be a list).

    Shapes: Prodigy (`spans`), Doccano (`label: [[s, e, L]]`), Doccano with relations
    (`entities`), and Doccano's legacy `annotations` list.
    """
    if "spans" in record:
        return "spans", record["spans"]
    if isinstance(record.get("label"), list):
        return "label", record["label"]
    for name in ("entities", "annotations"):
        if name in record:
            return name, record[name]
    return "spans", []


def _checked_span(shape: str, entry, text_length: int | None) -> tuple[tuple[int, int, str] | None, str, str]:
    """(start, end, label) of one span entry, or None with the problem kind and what is wrong."""
    if shape == "label":
        if not (isinstance(entry, list) and len(entry) == 3):
            return None, "malformed_span", f"{_shown(entry)} is not [start, end, label]"
        start, end, label = entry
    else:
        if not isinstance(entry, dict):
            return None, "malformed_span", f"{_shown(entry)} is {json_type(entry)}, not an object"
        keys = ("start", "end") if shape == "spans" else ("start_offset", "end_offset")
        start, end, label = entry.get(keys[0]), entry.get(keys[1]), entry.get("label")
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
        return None, "bad_offsets", f"{_shown(entry)}: offsets must be whole numbers"
    if start > end:
        return None, "reversed_span", f"{_shown(entry)}: start {start} is after end {end}"
    if start < 0 or (text_length is not None and end > text_length):
        return None, "outside_text", f"{_shown(entry)}: offsets outside the text (0-{text_length})"
    if not isinstance(label, str) or not label.strip():
        return None, "no_label", f"{_shown(entry)}: no label"
    return (start, end, label), "", ""


def record_spans(
    record: dict, label_map: dict[str, str], doc_id: str = "", line: int | None = None
) -> tuple[list[CharSpan] | None, Counter, list[InputProblem]]:
    """Character spans of a record in any supported shape, labels passed through the label map.

    Unknown labels are counted; a span that is not a span (see SPAN_PROBLEMS) is skipped and
    listed. None instead of spans when the span field itself is not a list (`malformed_spans`).
    """
    shape, entries = _span_entries(record)
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        return None, Counter(malformed_spans=1), [
            InputProblem("malformed_spans", doc_id, line, f"`{shape}` is {json_type(entries)}, not a list")]
    text = record.get("text")
    text_length = len(text) if isinstance(text, str) else None
    counts: Counter = Counter()
    problems = []
    spans = []
    for number, entry in enumerate(entries, 1):
        checked, kind, detail = _checked_span(shape, entry, text_length)
        if checked is None:
            counts[kind] += 1
            problems.append(InputProblem(kind, doc_id, line, f"span {number} {detail}"))
            continue
        start, end, label = checked
        mapped = label_map.get(label)
        if mapped is None:
            counts["unknown_label"] += 1
        else:
            spans.append(CharSpan(start, end, mapped))
    return spans, counts, problems


def record_char_spans(record: dict, label_map: dict[str, str] | None = None) -> tuple[list[CharSpan], Counter]:
    """Character spans of a record and counts of what was left out (see `record_spans`)."""
    spans, counts, _ = record_spans(record, load_label_map() if label_map is None else label_map)
    return spans or [], counts


def record_id(record: dict, index: int) -> str:
    meta = record.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    return str(meta.get("id", record.get("id", index)))


@dataclass
class CheckedRecord:
    """A record with text, and its valid spans."""

    record: dict
    doc_id: str
    line: int | None
    spans: list[CharSpan]


def check_records(
    values: Iterable, label_map: dict[str, str] | None = None, lines: Sequence[int] | None = None,
    skip_answers: bool = True,
) -> tuple[list[CheckedRecord], ConversionReport]:
    """The records that carry text, each with its valid spans; everything else counted and listed.

    A value that is not an object, has no text, or whose span field is not a list is skipped
    as a record; a bad span is skipped alone. With `skip_answers`, Prodigy's rejected and
    ignored answers are skipped and counted too. `lines` gives each value's line in its file.
    """
    label_map = load_label_map() if label_map is None else label_map
    report = ConversionReport()
    checked = []
    for index, value in enumerate(values):
        line = lines[index] if lines is not None else None
        report.records += 1
        if not isinstance(value, dict):
            report.reject(InputProblem("not_an_object", str(index), line, f"{json_type(value)}, not an object"))
            continue
        doc_id = record_id(value, index)
        answer = value.get("answer")
        if skip_answers and isinstance(answer, str) and answer in SKIPPED_ANSWERS:
            report.counts[f"skipped_{answer}"] += 1
            continue
        text = value.get("text")
        if not isinstance(text, str):
            detail = "no `text`" if text is None else f"`text` is {json_type(text)}, not a string"
            report.reject(InputProblem("missing_text", doc_id, line, detail))
            continue
        spans, counts, problems = record_spans(value, label_map, doc_id, line)
        report.counts.update(counts)
        report.input_problems.extend(problems)
        if spans is not None:
            checked.append(CheckedRecord(value, doc_id, line, spans))
    return checked, report


def skipped_summary(records: int, counts: dict) -> str:
    """Why no document came out of the records: "all 3 records skipped (missing_text 2, skipped_reject 1)"."""
    reasons = ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items())
                        if kind in RECORD_PROBLEMS or kind.startswith("skipped_"))
    return f"all {records} records skipped ({reasons})"


def records_to_docs(
    records: Iterable, nlp: Language | None = None, label_map: dict[str, str] | None = None,
    lines: Sequence[int] | None = None,
) -> tuple[list[Doc], ConversionReport]:
    """Docs with gold entities from records of any shape; rejected/ignored answers and bad
    records or spans are skipped and counted (see `check_records`)."""
    nlp = nlp or tokenizer_nlp()
    docs: list[Doc] = []
    checked, total = check_records(records, label_map, lines)
    for item in checked:
        doc = nlp.make_doc(item.record["text"])
        aligned, report = align_spans(doc, item.spans, item.doc_id)
        total.add(report)
        doc.ents = aligned
        doc.user_data["id"] = item.doc_id
        docs.append(doc)
    return docs, total


def docs_to_records(docs: Iterable[Doc]) -> Iterator[dict]:
    for index, doc in enumerate(docs):
        yield doc_to_record(doc, {"id": doc.user_data.get("id", str(index))})


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _has_lone_surrogate(value) -> bool:
    """Whether a parsed JSON value holds a lone UTF-16 surrogate, which is no text (nor UTF-8)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if any("\ud800" <= c <= "\udfff" for c in item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _parse_line(path: Path, number: int, data: bytes):
    try:
        line = data.decode("utf-8")
    except UnicodeDecodeError as err:
        hint = " (UTF-16? save it as UTF-8)" if number == 1 and data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise LabelledDataError(path, f"not UTF-8 text (byte {err.start + 1} of the line){hint}", number) from None
    try:
        value = json.loads(line)
    except json.JSONDecodeError as err:
        raise LabelledDataError(path, f"not JSON: {err.msg} at column {err.colno}", number) from None
    except ValueError as err:  # a number past Python's limit on digits
        raise LabelledDataError(path, f"not JSON: {err}", number) from None
    except RecursionError:
        raise LabelledDataError(path, "JSON nested too deeply", number) from None
    if _SURROGATE_ESCAPE.search(line) and _has_lone_surrogate(value):
        raise LabelledDataError(path, "a lone UTF-16 surrogate (\\ud800-\\udfff) is not text", number)
    return value


def iter_jsonl(path: Path | str) -> Iterator[tuple[int, object]]:
    """(line number, value) for every non-blank line of a JSONL file; LabelledDataError when it cannot be read.

    Gzip is recognised by its first bytes, not the name; a UTF-8 byte-order mark is skipped.
    """
    path = Path(path)
    number = 0
    try:
        with open(path, "rb") as raw:
            compressed = raw.read(2) == GZIP_MAGIC
            raw.seek(0)
            stream = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
            try:
                for number, data in enumerate(stream, 1):
                    if number == 1 and data.startswith(UTF8_BOM):
                        data = data[len(UTF8_BOM):]
                    if data.strip():
                        yield number, _parse_line(path, number, data)
            except (OSError, EOFError, zlib.error) as err:
                if not compressed:
                    raise
                where = f" after line {number}" if number else ""
                raise LabelledDataError(path, f"corrupt or truncated gzip{where} ({err})") from None
    except OSError as err:
        raise LabelledDataError(path, f"cannot read: {err.strerror or err}") from None


def read_jsonl(path: Path | str) -> list[dict]:
    """Records from JSONL, gzip-compressed or not; LabelledDataError when the file cannot be read."""
    return [value for _, value in iter_jsonl(path)]


def read_records(path: Path | str) -> tuple[list, list[int]]:
    """Every JSONL value and its line number; a file without one is a LabelledDataError."""
    numbered = list(iter_jsonl(path))
    if not numbered:
        raise LabelledDataError(path, "no records: the file is empty")
    return [value for _, value in numbered], [number for number, _ in numbered]


def read_resumes(path: Path | str) -> list[dict]:
    """Records that commands needing every resume's text (split, cost, push) can rely on: each
    an object with a string `text`, or a LabelledDataError naming the first line that is not."""
    records, lines = read_records(path)
    for record, line in zip(records, lines):
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise LabelledDataError(path, "not a resume record (a JSON object with a string \"text\")", line)
    return records


def write_jsonl(path: Path | str, records: Iterable[dict]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        # mtime=0 keeps the file byte-identical across re-imports, so git sees no change.
        with open(path, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz:
            for record in records:
                gz.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
    else:
        srsly.write_jsonl(path, records)


def read_docbin(path: Path | str, nlp: Language | None = None) -> list[Doc]:
    """The docs of a DocBin file; LabelledDataError when it is not one."""
    nlp = nlp or tokenizer_nlp()
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise LabelledDataError(path, f"cannot read: {err.strerror or err}") from None
    try:
        return list(DocBin().from_bytes(data).get_docs(nlp.vocab))
    except Exception as err:  # a damaged DocBin fails in zlib, msgpack, numpy or spaCy, each with its own error
        raise LabelledDataError(path, f"not a spaCy DocBin ({type(err).__name__}: {str(err)[:120]})") from None


def write_docbin(path: Path | str, docs: Iterable[Doc]) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    DocBin(docs=docs, store_user_data=True).to_disk(path)


def load_labelled(path: Path | str, nlp: Language | None = None, label_map: dict[str, str] | None = None):
    """Gold docs from a `.spacy` DocBin or a JSONL file in Prodigy or Doccano shape, and the report.

    A file that yields no document at all (empty, or every record skipped) is a
    LabelledDataError: there is nothing to score or convert.
    """
    path = Path(path)
    if path.suffix == ".spacy":
        docs = read_docbin(path, nlp)
        if not docs:
            raise LabelledDataError(path, "no documents in this DocBin")
        return docs, ConversionReport(docs=len(docs), records=len(docs))
    values, lines = read_records(path)
    docs, report = records_to_docs(values, nlp, label_map, lines)
    if not docs:
        first = f"; first: {report.input_problems[0]}" if report.input_problems else ""
        raise LabelledDataError(path, f"no documents with text: {skipped_summary(report.records, report.counts)}"
                                      f"{first}")
    return docs, report


def write_split_docbins(records_path: Path, split_dir: Path, out_dir: Path) -> dict:
    """Derive `{split}.spacy` (skill-annotated resumes) and `{split}-all.spacy` (every resume).

    A resume with no skill span at all is taken as not annotated for skills, not as a resume
    without skills: the corpus has 3,000-7,900-word resumes whose only label is a name. Left
    in training they would teach the model that every skill in them is not one; left in dev
    they would steer model selection. They are kept out of `{split}.spacy`, listed in the
    returned summary, and kept in `{split}-all.spacy` so that scores on every resume can
    still be reported.
    """
    from skillner.annotate.splits import SPLIT_NAMES, read_split

    values, lines = read_records(records_path)
    records = {record_id(r, i): (r, line) for i, (r, line) in enumerate(zip(values, lines)) if isinstance(r, dict)}
    summary = {}
    for name in SPLIT_NAMES:
        ids = read_split(split_dir, name)
        missing = [i for i in ids if i not in records]
        if missing:
            raise ValueError(f"{len(missing)} ids of split {name!r} are not in {records_path}: {missing[:5]}")
        docs, report = records_to_docs([records[i][0] for i in ids], lines=[records[i][1] for i in ids])
        if report.input_problems:
            raise LabelledDataError(records_path, f"split {name!r} has bad records: "
                                    + "; ".join(map(str, report.input_problems[:3])))
        if report.counts.get("overlap") or report.counts.get("empty"):
            raise ValueError(f"canonical records of split {name!r} are not aligned: {dict(report.counts)}")
        annotated = [d for d in docs if d.ents]
        write_docbin(Path(out_dir) / f"{name}.spacy", annotated)
        write_docbin(Path(out_dir) / f"{name}-all.spacy", docs)
        summary[name] = {"docs": len(annotated), "all_docs": len(docs),
                         "without_skill_spans": [d.user_data["id"] for d in docs if not d.ents]}
    return summary


def write_pretraining_text(records_path: Path, split_dir: Path, skillspan_files: list[Path], out_path: Path) -> dict:
    """Unlabelled in-domain text for `spacy pretrain`: train-split resumes plus SkillSpan postings.

    Only the train split's resumes are used, so dev and test text never shapes the encoder.
    SkillSpan comes one sentence per line; sentences are joined back into postings.
    """
    from skillner.annotate.splits import read_split

    train_ids = set(read_split(split_dir, "train"))
    texts = [r["text"] for i, r in enumerate(read_jsonl(records_path)) if record_id(r, i) in train_ids]
    resumes = len(texts)
    for path in skillspan_files:
        postings: dict[int, list[str]] = {}
        for line in srsly.read_jsonl(path):
            postings.setdefault(line["idx"], []).append(" ".join(line["tokens"]))
        texts.extend("\n".join(sentences) for sentences in postings.values())
    write_jsonl(out_path, ({"text": t} for t in texts if t.strip()))
    return {"resumes": resumes, "postings": len(texts) - resumes, "words": sum(len(t.split()) for t in texts)}


def to_doccano(record: dict) -> dict:
    """A canonical record in Doccano's JSONL import shape (`label: [[start, end, label]]`)."""
    return {"text": record["text"], "label": [[s["start"], s["end"], s["label"]] for s in record["spans"]],
            "meta": record.get("meta") or {}}


SKILLSPAN_LABELS = {"KNOWLEDGE": "TECH_TOOL", "SKILL": "JOB_SKILL"}


def skillspan_docbin(path: Path | str, out: Path | str, label_map: dict[str, str] = SKILLSPAN_LABELS) -> Counter:
    """SkillSpan postings as a DocBin of extra training text, one doc per posting; returns counts.

    KNOWLEDGE (tools, languages, fields: "Python", "SQL") becomes TECH_TOOL and SKILL (what one
    does: "build data pipelines", "work in a team") JOB_SKILL: the nearest dotin labels. Soft
    skills sit inside SKILL there, so typed scores suffer; the untyped target does not.
    A span that does not fall on the resume tokenizer's tokens is counted, never dropped silently."""
    from skillner.annotate.skillspan import read_skillspan

    nlp = tokenizer_nlp()
    postings, merged = read_skillspan(Path(path))
    counts = Counter({f"merged_{k}": v for k, v in merged.items()})
    docs = []
    for posting in postings:
        doc = nlp.make_doc(posting.text)
        ents = []
        for start, end, layer in posting.spans:
            span = doc.char_span(start, end, label=label_map[layer])
            counts["spans" if span is not None else "misaligned"] += 1
            if span is not None:
                ents.append(span)
        doc.ents = ents
        docs.append(doc)
    counts["postings"] = len(docs)
    write_docbin(out, docs)
    return counts
