"""The types every reader shares: what a file yields, why it yields nothing, and the limits."""

from __future__ import annotations

from dataclasses import dataclass


class ReadError(ValueError):
    """A file that yields no text; `kind` names why (see `ERROR_KINDS`)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


class UnsupportedFormat(ReadError):
    def __init__(self, message: str):
        super().__init__("unsupported_format", message)


ERROR_KINDS = ("unsupported_format", "empty_file", "not_text", "too_large", "too_many_pages", "corrupt",
               "encrypted", "no_text_layer", "unreadable", "timeout", "crash")


@dataclass(frozen=True)
class Limits:
    """Files beyond these are refused before parsing: a resume is not 20 MB or 50 pages."""

    max_bytes: int = 20_000_000
    max_pages: int = 50
    # Zipped formats (DOCX, ODT): the XML unzipped to parse. A resume's document.xml is well
    # under 1 MB; 10 MB of it parses in ~150 MB of memory, where a zip bomb would need gigabytes.
    max_unzipped_bytes: int = 10_000_000
    # Text a reader may produce: spaCy's default max_length; a resume is under 50,000.
    max_chars: int = 1_000_000
    # Pages without a text layer (scans) and image files are read with Tesseract when it is
    # installed (see readers/ocr.py); False keeps them unread, as without Tesseract.
    ocr: bool = True


@dataclass
class Extracted:
    text: str
    reader: str
    pages: int | None = None
    ocr_pages: int = 0  # pages or images read by OCR: their text is less reliable
