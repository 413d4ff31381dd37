"""Plain text in whatever encoding a resume was saved in."""

from __future__ import annotations

import re
import unicodedata

from skillner.extract.readers.base import Extracted, Limits, ReadError

TEXT_SUFFIXES = {".txt", ".md", ".text"}
_SAMPLE = 65_536  # characters (or bytes) enough to judge an encoding; a whole 20 MB file is slow in Python
_WIDE = ["utf_16", "utf_16_be", "utf_16_le", "utf_32", "utf_32_be", "utf_32_le"]
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f]")  # control characters but \t \n \f \r
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def read_plain(data: bytes, name: str, limits: Limits) -> Extracted:
    text, encoding = decode(data, name)
    return Extracted(text, f"text ({encoding})")


def decode(data: bytes, name: str) -> tuple[str, str]:
    """The text of `data` and the encoding it was read with: a BOM, else UTF-16 without one
    (only it has NUL bytes), else UTF-8, else charset-normalizer's guess; binary data raises
    `not_text`."""
    from charset_normalizer import from_bytes

    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding
    if b"\x00" in data:
        sample = data[:_SAMPLE]
        little_endian_first = sample[1::2].count(0) >= sample[0::2].count(0)  # NUL high bytes say which end
        for encoding in ("utf-16-le", "utf-16-be") if little_endian_first else ("utf-16-be", "utf-16-le"):
            text = _utf16_text(data, encoding)
            if text is not None:
                return text, encoding
        raise ReadError("not_text", f"{name} holds NUL bytes: binary data, not text")
    try:
        return _printable(data.decode("utf-8"), name), "utf-8"
    except UnicodeDecodeError:
        pass
    guess = _likeliest(from_bytes(data, cp_exclusion=_WIDE), data)  # wide encodings always hold NUL bytes
    if guess is None:
        raise ReadError("not_text", f"{name} is not text in any common encoding (binary data?)")
    text, encoding = guess
    return _printable(text, name), encoding


def _utf16_text(data: bytes, encoding: str) -> str | None:
    """`data` as UTF-16 without a BOM in any script, or None where it does not read as text.

    Text in UTF-16 holds NUL bytes (the high byte of spaces, digits, line ends), which 8-bit
    text never does; binary data with NUL bytes fails here on unpaired surrogates, control
    characters, unassigned or private-use code points, or letters scattered over many scripts
    (text in any language uses one or two scripts, plus Latin; Japanese uses four).
    """
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:  # an odd length or an unpaired surrogate
        return None
    control = odd = 0
    scripts: dict[str, int] = {}
    sample = text[:_SAMPLE]
    for char in sample:
        if char < " ":
            control += char not in "\n\r\t\f"
        elif char > "\x7f":
            category = unicodedata.category(char)
            if category in ("Cn", "Co", "Cs", "Cc"):
                odd += 1
            elif category[0] == "L":
                script = unicodedata.name(char, "?").split()[0]
                scripts[script] = scripts.get(script, 0) + 1
    letters = sorted(scripts.values(), reverse=True)
    if control > 0.02 * len(sample) or odd > 0.005 * len(sample) or sum(letters[:4]) < 0.95 * sum(letters):
        return None
    return text


def _likeliest(matches, data: bytes) -> tuple[str, str] | None:
    """charset-normalizer's best guess, except that Windows-1252 wins a near tie: mostly-ASCII
    Western text with a few accents fits several code pages equally well, and 1252 (a superset
    of Latin-1) is the one such resumes are written in. It also wins where the text is too short
    for any language to show ("caf\xe9" fits forty code pages)."""
    best = matches.best()
    if best is None or best.percent_chaos > 20:
        return None
    for match in matches:
        if (match.encoding == "cp1252" and match.percent_chaos <= best.percent_chaos + 0.5
                and match.percent_coherence >= best.percent_coherence - 3):
            return str(match), "cp1252"
    if best.percent_coherence == 0:
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    return str(best), best.encoding


def _printable(text: str, name: str) -> str:
    """Refuse decoded binary: more than 2 % control characters is not a resume."""
    control = len(_CONTROL.findall(text))
    if control > 0.02 * max(len(text), 1):
        raise ReadError("not_text", f"{name} looks binary ({control} control characters in {len(text)})")
    return text
