"""The canonical labelled format (Prodigy-compatible JSONL) and everything derived from it.

One record per resume: `text`, `tokens`, `spans` (`start`, `end`, `token_start`,
`token_end` inclusive as Prodigy has it, `label`), `answer`, `_input_hash`, `_task_hash`,
`meta`. spaCy `DocBin` files are derived from these records, and records can be read back
from a DocBin, from Prodigy JSONL and from the three Doccano JSONL shapes.

Alignment strategy: a character span that does not fall on token boundaries is expanded to
the smallest enclosing token span (counted and listed as `expanded`). A span that cannot
be kept is listed, never silently dropped: `overlap` when it overlaps a span already kept
(spaCy entities cannot overlap), `empty` when nothing but whitespace is left.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import srsly
from murmurhash import hash_unicode
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span

from .labels import load_label_map

SKIPPED_ANSWERS = {"reject", "ignore"}


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

    def add(self, other: "ConversionReport") -> None:
        self.docs += other.docs
        self.spans_in += other.spans_in
        self.spans_kept += other.spans_kept
        self.counts.update(other.counts)
        self.problems.extend(other.problems)

    def to_dict(self) -> dict:
        return {
            "docs": self.docs,
            "spans_in": self.spans_in,
            "spans_kept": self.spans_kept,
            "counts": dict(self.counts),
            "problems": [asdict(p) for p in self.problems],
        }


@lru_cache(maxsize=1)
def tokenizer_nlp() -> Language:
    """A blank English pipeline with skillner's resume tokenizer: the tokens of every record."""
    from spacy.lang.en import English

    from . import registry  # noqa: F401  (registers the tokenizer)

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


def record_char_spans(record: dict, label_map: dict[str, str] | None = None) -> tuple[list[CharSpan], Counter]:
    """Character spans of a record in any supported shape, labels passed through the label map.

    Shapes: Prodigy (`spans`), Doccano (`label: [[s, e, L]]`), Doccano with relations
    (`entities`), and Doccano's legacy `annotations` list. Unknown labels are counted.
    """
    label_map = load_label_map() if label_map is None else label_map
    raw: list[tuple[int, int, str]] = []
    if "spans" in record:
        raw = [(s["start"], s["end"], s["label"]) for s in record["spans"] or []]
    elif isinstance(record.get("label"), list):
        raw = [(s, e, label) for s, e, label in record["label"]]
    elif "entities" in record:
        raw = [(e["start_offset"], e["end_offset"], e["label"]) for e in record["entities"]]
    elif "annotations" in record:
        raw = [(a["start_offset"], a["end_offset"], a["label"]) for a in record["annotations"]]
    counts: Counter = Counter()
    spans = []
    for start, end, label in raw:
        mapped = label_map.get(str(label))
        if mapped is None:
            counts["unknown_label"] += 1
        else:
            spans.append(CharSpan(int(start), int(end), mapped))
    return spans, counts


def record_id(record: dict, index: int) -> str:
    meta = record.get("meta") or {}
    return str(meta.get("id", record.get("id", index)))


def records_to_docs(
    records: Iterable[dict], nlp: Language | None = None, label_map: dict[str, str] | None = None
) -> tuple[list[Doc], ConversionReport]:
    """Docs with gold entities from records of any shape; rejected/ignored answers are skipped and counted."""
    nlp = nlp or tokenizer_nlp()
    docs: list[Doc] = []
    total = ConversionReport()
    for index, record in enumerate(records):
        if record.get("answer") in SKIPPED_ANSWERS:
            total.counts[f"skipped_{record['answer']}"] += 1
            continue
        spans, counts = record_char_spans(record, label_map)
        doc = nlp.make_doc(record["text"])
        doc_id = record_id(record, index)
        aligned, report = align_spans(doc, spans, doc_id)
        report.counts.update(counts)
        total.add(report)
        doc.ents = aligned
        doc.user_data["id"] = doc_id
        docs.append(doc)
    return docs, total


def docs_to_records(docs: Iterable[Doc]) -> Iterator[dict]:
    for index, doc in enumerate(docs):
        yield doc_to_record(doc, {"id": doc.user_data.get("id", str(index))})


def read_jsonl(path: Path | str) -> list[dict]:
    """Records from JSONL, gzip-compressed when the name ends in `.gz`."""
    path = Path(path)
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    return list(srsly.read_jsonl(path))


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
    nlp = nlp or tokenizer_nlp()
    return list(DocBin().from_disk(path).get_docs(nlp.vocab))


def write_docbin(path: Path | str, docs: Iterable[Doc]) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    DocBin(docs=docs, store_user_data=True).to_disk(path)


def load_labelled(path: Path | str, nlp: Language | None = None, label_map: dict[str, str] | None = None):
    """Gold docs from a `.spacy` DocBin or a JSONL file in Prodigy or Doccano shape."""
    path = Path(path)
    if path.suffix == ".spacy":
        return read_docbin(path, nlp), ConversionReport(docs=0)
    return records_to_docs(read_jsonl(path), nlp, label_map)


def write_split_docbins(records_path: Path, split_dir: Path, out_dir: Path) -> dict:
    """Derive `{split}.spacy` (skill-annotated resumes) and `{split}-all.spacy` (every resume).

    A resume with no skill span at all is taken as not annotated for skills, not as a resume
    without skills: the corpus has 3,000-7,900-word resumes whose only label is a name. Left
    in training they would teach the model that every skill in them is not one; left in dev
    they would steer model selection. They are kept out of `{split}.spacy`, listed in the
    returned summary, and kept in `{split}-all.spacy` so that scores on every resume can
    still be reported.
    """
    from .splits import SPLIT_NAMES, read_split

    records = {record_id(r, i): r for i, r in enumerate(read_jsonl(records_path))}
    summary = {}
    for name in SPLIT_NAMES:
        ids = read_split(split_dir, name)
        missing = [i for i in ids if i not in records]
        if missing:
            raise ValueError(f"{len(missing)} ids of split {name!r} are not in {records_path}: {missing[:5]}")
        docs, report = records_to_docs(records[i] for i in ids)
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
    from .splits import read_split

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
