"""Plain text in whatever encoding a resume was saved in."""

from __future__ import annotations

from .base import Extracted, Limits, ReadError

TEXT_SUFFIXES = {".txt", ".md", ".text"}


def read_plain(data: bytes, name: str, limits: Limits) -> Extracted:
    from charset_normalizer import from_bytes

    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
        return Extracted(data.decode(encoding, errors="replace"), f"text ({encoding})")
    if b"\x00" in data:
        sample = data[:4096]
        for encoding, zeros in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
            if zeros.count(0) > 0.9 * len(zeros):  # ASCII-range text in UTF-16 without a BOM
                return Extracted(_printable(data.decode(encoding, errors="replace"), name), f"text ({encoding})")
        raise ReadError("not_text", f"{name} holds NUL bytes: binary data, not text")
    try:
        return Extracted(_printable(data.decode("utf-8"), name), "text (utf-8)")
    except UnicodeDecodeError:
        pass
    best = _likeliest(from_bytes(data))
    if best is None or best.percent_chaos > 20:
        raise ReadError("not_text", f"{name} is not text in any common encoding (binary data?)")
    return Extracted(_printable(str(best), name), f"text ({best.encoding})")


def _likeliest(matches):
    """charset-normalizer's best guess, except that Windows-1252 wins a near tie: mostly-ASCII
    Western text with a few accents fits several code pages equally well, and 1252 (a superset
    of Latin-1) is the one such resumes are written in."""
    best = matches.best()
    for match in matches:
        if (match.encoding == "cp1252" and best is not None and match.percent_chaos <= best.percent_chaos + 0.5
                and match.percent_coherence >= best.percent_coherence - 3):
            return match
    return best


def _printable(text: str, name: str) -> str:
    """Refuse decoded binary: more than 2 % control characters is not a resume."""
    control = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    if control > 0.02 * max(len(text), 1):
        raise ReadError("not_text", f"{name} looks binary ({control} control characters in {len(text)})")
    return text
