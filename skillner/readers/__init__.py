"""Resume files to plain text that keeps line and bullet structure.

Every failure is a `ReadError` with a machine-readable `kind`, so a batch can turn it into
an error row: the file is reported, never skipped. PDF text comes from pypdfium2 (PDFium):
on the two-column resumes in benchmarks/bench_extract.py it reads about 20x faster than
pdfminer.six, and the column split in `pdf.py` gives it pdfminer's reading order.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .base import ERROR_KINDS, Extracted, Limits, ReadError, UnsupportedFormat
from .clean import clean_text
from .html import read_html
from .office import read_doc, read_docx, read_odt, read_rtf
from .pdf import read_pdf
from .text import TEXT_SUFFIXES, read_plain

__all__ = ["ERROR_KINDS", "Extracted", "Limits", "ReadError", "UnsupportedFormat", "clean_text", "read_bytes",
           "read_file"]


def read_file(path: Path | str, limits: Limits = Limits()) -> Extracted:
    """The text of one resume file; `-` reads standard input."""
    if str(path) == "-":
        return Extracted(clean_text(sys.stdin.read()), "stdin")
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _READERS:
        raise UnsupportedFormat(f"unsupported format {suffix or '(no extension)'!r} for {path.name}; "
                                f"supported: {', '.join(sorted(_READERS))}")
    size = path.stat().st_size
    if size == 0:
        raise ReadError("empty_file", f"{path.name} is empty (0 bytes)")
    if size > limits.max_bytes:
        raise ReadError("too_large", f"{path.name} is {size:,} bytes, over the limit of {limits.max_bytes:,}")
    return read_bytes(path.read_bytes(), suffix, path.name, limits)


def read_bytes(data: bytes, suffix: str, name: str = "", limits: Limits = Limits()) -> Extracted:
    reader = _READERS.get(suffix.lower())
    if reader is None:
        raise UnsupportedFormat(f"unsupported format {suffix!r} for {name}")
    found = reader(data, name, limits)
    found.text = clean_text(found.text)
    if not found.text.strip():
        if found.reader == "pdfium":
            raise ReadError("no_text_layer", f"{name}: {found.pages} page(s) but no text layer "
                                             "(a scanned PDF? run OCR first)")
        raise ReadError("empty_file", f"{name} holds no text")
    return found


_READERS = {**{suffix: read_plain for suffix in TEXT_SUFFIXES}, ".pdf": read_pdf, ".docx": read_docx,
            ".html": read_html, ".htm": read_html, ".odt": read_odt, ".rtf": read_rtf, ".doc": read_doc}
