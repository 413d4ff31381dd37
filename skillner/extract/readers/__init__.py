"""Resume files to plain text that keeps line and bullet structure.

Every failure is a `ReadError` with a machine-readable `kind`, so a batch can turn it into
an error row: the file is reported, never skipped. PDF text comes from pypdfium2 (PDFium),
rebuilt from the glyphs' positions by `pdf.py`: on PDFs from six producers and on real LaTeX
and office PDFs it reads every word, and the columns in order, where pdfminer.six, pdfplumber
and poppler do not, at under a fifth of the model's time per resume (benchmarks/bench_pdf.py).
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from skillner.extract.readers.base import ERROR_KINDS, Extracted, Limits, ReadError, UnsupportedFormat
from skillner.extract.readers.clean import clean_text
from skillner.extract.readers.html import read_html
from skillner.extract.readers.ocr import IMAGE_SUFFIXES, read_image, why_not_read
from skillner.extract.readers.office import read_doc, read_docx, read_odt, read_rtf
from skillner.extract.readers.pdf import read_pdf
from skillner.extract.readers.text import TEXT_SUFFIXES, read_plain

__all__ = ["ERROR_KINDS", "Extracted", "Limits", "ReadError", "UnsupportedFormat", "clean_text", "read_bytes",
           "read_file", "read_stdin", "reader_suffix"]


def read_file(path: Path | str, limits: Limits = Limits()) -> Extracted:
    """The text of one resume file; `-` reads standard input as a text file."""
    if str(path) == "-":
        return read_bytes(read_stdin(limits), ".txt", "stdin", limits)
    path = Path(path)
    suffix = reader_suffix(path.name)
    return read_bytes(_read_regular_file(path, limits), suffix, path.name, limits)


def reader_suffix(name: str) -> str:
    """The lower-case suffix of a file name a reader takes, or UnsupportedFormat saying which do."""
    suffix = os.path.splitext(name)[1].lower()
    if suffix not in _READERS:
        raise UnsupportedFormat(f"unsupported format {suffix or '(no extension)'!r} for {name}; "
                                f"supported: {', '.join(sorted(_READERS))}")
    return suffix


def open_regular_file(path: Path | str, name: str) -> int:
    """A descriptor open for reading on a regular file; a file that cannot be read (no
    permission, vanished, a directory, FIFO or device) is `unreadable`. O_NONBLOCK keeps a FIFO
    from blocking the open; the check on the open descriptor leaves no race. The caller closes it."""
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ReadError("unreadable", f"{name} vanished or does not exist (deleted or moved?)") from None
    except OSError as error:
        raise ReadError("unreadable", f"{name} cannot be opened ({error.strerror or type(error).__name__})") from None
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        raise ReadError("unreadable", f"{name} is not a regular file (a directory, FIFO or device)")
    return handle


def _read_regular_file(path: Path, limits: Limits) -> bytes:
    """The bytes of a regular file, at most `limits.max_bytes` (see `open_regular_file`)."""
    handle = open_regular_file(path, path.name)
    try:
        with os.fdopen(handle, "rb", closefd=False) as stream:
            data = stream.read(limits.max_bytes + 1)
    except OSError as error:
        raise ReadError("unreadable", f"{path.name} could not be read ({error.strerror or type(error).__name__})") from None
    finally:
        os.close(handle)
    _check_size(data, path.name, limits)
    return data


def read_stdin(limits: Limits) -> bytes:
    """Standard input as bytes (its encoding is detected like a file's), at most `limits.max_bytes`."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise ReadError("unreadable", "standard input is closed or not a byte stream")
    try:
        data = stream.read(limits.max_bytes + 1)
    except OSError as error:
        raise ReadError("unreadable", f"standard input could not be read ({error.strerror or type(error).__name__})") from None
    _check_size(data, "stdin", limits)
    return data


def _check_size(data: bytes, name: str, limits: Limits) -> None:
    if not data:
        raise ReadError("empty_file", f"{name} is empty (0 bytes)")
    if len(data) > limits.max_bytes:
        raise ReadError("too_large", f"{name} is over the limit of {limits.max_bytes:,} bytes")


def read_bytes(data: bytes, suffix: str, name: str = "", limits: Limits = Limits()) -> Extracted:
    reader = _READERS.get(suffix.lower())
    if reader is None:
        raise UnsupportedFormat(f"unsupported format {suffix!r} for {name}")
    try:
        found = reader(data, name, limits)
    except ReadError:
        raise
    except MemoryError:
        raise ReadError("too_large", f"{name}: reading it ran out of memory") from None
    except Exception as error:  # a reader library failing in a way it does not document: the file is at fault
        raise ReadError("corrupt", f"{name}: {reader.__name__} failed ({type(error).__name__}: {str(error)[:200]})") \
            from error
    found.text = clean_text(found.text)
    if not found.text.strip():
        if found.reader.startswith("pdfium") or found.ocr_pages:
            raise ReadError("no_text_layer", f"{name}: {found.pages} page(s) but no text layer (a scan?); "
                                             f"{why_not_read(limits, tried=found.ocr_pages > 0)}")
        raise ReadError("empty_file", f"{name} holds no text")
    if len(found.text) > limits.max_chars:  # every reader's text, so a caller can always parse it
        raise ReadError("too_large", f"{name} holds {len(found.text):,} characters of text, over the limit of "
                                     f"{limits.max_chars:,}")
    return found


_READERS = {**{suffix: read_plain for suffix in TEXT_SUFFIXES}, ".pdf": read_pdf, ".docx": read_docx,
            ".html": read_html, ".htm": read_html, ".odt": read_odt, ".rtf": read_rtf, ".doc": read_doc,
            **{suffix: read_image for suffix in IMAGE_SUFFIXES}}
