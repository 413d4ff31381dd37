"""Turn resume files into plain text. Plain text only for now; the user-facing formats
(PDF, DOCX, HTML, ...) come with the extraction issue."""

from __future__ import annotations

import sys
from pathlib import Path

TEXT_SUFFIXES = {".txt", ".md", ".text"}


class UnsupportedFormat(ValueError):
    """The file's format has no reader."""


def read_text(path: Path | str) -> str:
    """The text of a resume file; `-` reads standard input."""
    if str(path) == "-":
        return sys.stdin.read()
    path = Path(path)
    if path.suffix.lower() not in TEXT_SUFFIXES:
        raise UnsupportedFormat(f"unsupported format {path.suffix or '(none)'!r} for {path}; "
                                f"supported: {', '.join(sorted(TEXT_SUFFIXES))}")
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
