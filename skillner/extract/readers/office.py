"""Office formats: DOCX, ODT, RTF and legacy .doc (Word 97-2003), all in pure Python."""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib

from skillner.extract.readers.base import Extracted, Limits, ReadError, UnsupportedFormat
from skillner.extract.readers.ocr import ocr_images, ocr_wanted, why_not_read

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _xml_parser():
    """lxml (python-docx's own dependency) without entity expansion or network; its default
    depth limit (256) also stops nesting bombs before they reach our recursive walks."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True)


def _local(node) -> str:
    return node.tag.rsplit("}", 1)[-1]


class _BoundedZip:
    """A zip whose members are read against one budget of decompressed bytes for the whole
    file: the sizes in the zip directory are claims, so reading streams and stops at the
    budget whatever they say (a 1 MB zip bomb would otherwise expand to gigabytes)."""

    def __init__(self, data: bytes, name: str, limits: Limits, kind: str):
        self.name, self.kind, self.budget = name, kind, limits.max_unzipped_bytes
        self.left = self.budget
        if data.startswith(_OLE_MAGIC):
            raise _ole_office_error(data, name, kind)
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zlib.error, ValueError, EOFError, OSError, NotImplementedError) as error:
            raise ReadError("corrupt", f"{name} is not a readable {kind} file ({error})") from error

    def read(self, member: str) -> bytes | None:
        """The member's bytes, or None when the zip has no such member."""
        try:
            info = self.archive.getinfo(member)
        except KeyError:
            return None
        if info.file_size > self.left:
            raise self._too_large(f"{member} claims {info.file_size:,} bytes")
        chunks = []
        try:
            with self.archive.open(info) as stream:
                while chunk := stream.read(1 << 20):
                    self.left -= len(chunk)
                    if self.left < 0:
                        raise self._too_large(f"{member} expands past it")
                    chunks.append(chunk)
        except RuntimeError as error:  # zipfile's "password required"
            raise ReadError("encrypted", f"{self.name}: {member} is password-protected") from error
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as error:
            raise ReadError("corrupt", f"{self.name}: {member} cannot be unzipped ({error})") from error
        return b"".join(chunks)

    def xml(self, member: str):
        """The member parsed, or None when absent."""
        from lxml import etree

        data = self.read(member)
        if data is None:
            return None
        try:
            return etree.fromstring(data, _xml_parser())
        except etree.XMLSyntaxError as error:
            raise ReadError("corrupt", f"{self.name}: {member} is not well-formed XML ({error})") from error

    def _too_large(self, detail: str) -> ReadError:
        return ReadError("too_large", f"{self.name}: a {self.kind} unzips to over {self.budget:,} bytes "
                                      f"of XML ({detail}; a zip bomb?)")


def _ole_office_error(data: bytes, name: str, kind: str) -> ReadError:
    """A DOCX/ODT that is an OLE file: Office's password protection wraps the zip in one."""
    import olefile

    try:
        encrypted = olefile.OleFileIO(data).exists("EncryptedPackage")
    except Exception:  # noqa: BLE001 - olefile raises many types on damaged files: all mean "not readable"
        encrypted = False
    if encrypted:
        return ReadError("encrypted", f"{name} is a password-protected {kind} file")
    return ReadError("corrupt", f"{name} is an OLE file, not a {kind} (zip) file; a .doc renamed?")


class _TextBudget:
    """Counts the characters a reader produces and refuses past `Limits.max_chars`, so a
    document of millions of paragraphs stops early instead of running for minutes."""

    def __init__(self, name: str, limits: Limits):
        self.name, self.limit, self.used = name, limits.max_chars, 0

    def spend(self, text: str) -> str:
        self.used += len(text) + 1
        if self.used > self.limit:
            raise ReadError("too_large", f"{self.name} holds over {self.limit:,} characters of text "
                                         "(not a resume?)")
        return text


# ---------------------------------------------------------------- DOCX

_REL_TYPES = ("header", "footer", "footnotes", "endnotes", "styles")
# Elements that only wrap content (content controls, custom XML, tracked insertions, ...):
# rows and cells are found through them.
_WRAPPERS = frozenset(["sdt", "sdtContent", "customXml", "ins", "moveTo", "smartTag", "AlternateContent", "Choice"])
# Inline elements whose text is not shown: deleted or moved-away revisions, field instructions,
# properties, and the VML fallback Word writes beside every DrawingML text box.
_HIDDEN = frozenset(["pPr", "rPr", "del", "moveFrom", "instrText", "delText", "Fallback", "tblPr", "trPr", "tcPr",
                     "sectPr"])
_INLINE_TEXT = {"tab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "-", "softHyphen": "\u00ad"}
# Header and footer slots of a section, in the order they are read.
_HEADER_REFS = ("headerReference", "footerReference")


class _DocxWalker:
    """WordprocessingML to lines in document order: paragraphs, tables (nested ones too),
    text boxes once each, list paragraphs bulleted."""

    def __init__(self, list_styles: set[str], budget: _TextBudget):
        self.list_styles, self.budget = list_styles, budget

    def blocks(self, container) -> list[str]:
        lines = []
        for child in container:
            tag = _local(child)
            if tag == "p":
                lines.extend(self.paragraph(child))
            elif tag == "tbl":
                lines.extend(self.table(child))
            elif tag not in _HIDDEN:
                lines.extend(self.blocks(child))
        return lines

    def paragraph(self, paragraph) -> list[str]:
        """The paragraph's line, then the lines of text boxes anchored in it."""
        text, boxes = [], []
        self._inline(paragraph, text, boxes)
        line = "".join(text)
        if line.strip() and self._is_list(paragraph):
            line = "• " + line
        return [self.budget.spend(line), *boxes]

    def _inline(self, node, text: list[str], boxes: list[str]) -> None:
        for child in node:
            tag = _local(child)
            if tag == "t":
                text.append(child.text or "")
            elif tag in _INLINE_TEXT:
                text.append(_INLINE_TEXT[tag])
            elif tag == "txbxContent":
                boxes.extend(self.blocks(child))
            elif tag not in _HIDDEN:
                self._inline(child, text, boxes)

    def _is_list(self, paragraph) -> bool:
        properties = next((child for child in paragraph if _local(child) == "pPr"), None)
        if properties is None:
            return False
        for child in properties:
            tag = _local(child)
            if tag == "numPr":
                number = next((item for item in child if _local(item) == "numId"), None)
                if number is None or _attribute(number, "val") != "0":
                    return True
            elif tag == "pStyle" and _attribute(child, "val") in self.list_styles:
                return True
        return False

    def table(self, table) -> list[str]:
        """A row of one-line cells is one line, cells joined by " | "; a row where a cell holds
        several lines (paragraphs, a nested table, a layout column) gives each line its own,
        cell after cell, so nested rows and layout columns stay separate."""
        lines = []
        for row in _children(table, "tr"):
            lines.extend(_row_lines(["\n".join(self.blocks(cell)).strip() for cell in _children(row, "tc")]))
        return lines


def _row_lines(cells: list[str]) -> list[str]:
    """One table row: one-line cells joined by " | " on one line, else each cell's lines in turn."""
    cells = [cell for cell in cells if cell]
    if all("\n" not in cell for cell in cells):
        return [" | ".join(cells)]
    return cells


def _children(node, tag: str):
    """Children named `tag`, looking through wrapper elements but not into nested tables."""
    for child in node:
        name = _local(child)
        if name == tag:
            yield child
        elif name in _WRAPPERS:
            yield from _children(child, tag)


def _attribute(node, name: str) -> str | None:
    for key, value in node.attrib.items():
        if key.rsplit("}", 1)[-1] == name:
            return value
    return None


def _docx_relations(docx: _BoundedZip, main: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, member path) for the main part's headers, footers, notes, styles."""
    rels = docx.xml(posixpath.join(posixpath.dirname(main), "_rels", posixpath.basename(main) + ".rels"))
    relations = {}
    for rel in [] if rels is None else rels:
        kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
        target = rel.get("Target") or ""
        if kind in _REL_TYPES and rel.get("TargetMode") != "External":
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(posixpath.dirname(main), target)
            relations[rel.get("Id")] = (kind, posixpath.normpath(path))
    return relations


def _main_part(docx: _BoundedZip) -> str:
    """The main document part named in _rels/.rels (word/document.xml in files Word writes)."""
    rels = docx.xml("_rels/.rels")
    for rel in [] if rels is None else rels:
        if (rel.get("Type") or "").endswith("/officeDocument"):
            return posixpath.normpath((rel.get("Target") or "").lstrip("/"))
    return "word/document.xml"


def read_docx(data: bytes, name: str, limits: Limits) -> Extracted:
    """Everything Word shows, in document order: headers first (each distinct one once), the
    body with tables (nested tables too) and text boxes (once, not also the VML fallback),
    then footnotes, endnotes and footers. The XML is walked directly; python-docx's API skips
    nested tables, headers and text boxes."""
    docx = _BoundedZip(data, name, limits, "DOCX")
    main = _main_part(docx)
    root = docx.xml(main)
    if root is None:
        raise ReadError("corrupt", f"{name} is a zip file but not a DOCX (no {main})")
    relations = _docx_relations(docx, main)
    list_styles = set()
    for kind, path in relations.values():
        styles = docx.xml(path) if kind == "styles" else None
        for style in [] if styles is None else styles:
            style_name = next((_attribute(child, "val") for child in style if _local(child) == "name"), "")
            if _local(style) == "style" and (style_name or "").startswith("List"):
                list_styles.add(_attribute(style, "styleId"))
    walker = _DocxWalker(list_styles, _TextBudget(name, limits))

    def part_lines(relation_ids, kind: str) -> list[str]:
        """Each distinct header (or footer) once: sections and first/even pages repeat them."""
        lines, seen = [], set()
        for rel_id in relation_ids:
            rel_kind, path = relations.get(rel_id, ("", ""))
            part = docx.xml(path) if rel_kind == kind and path not in seen else None
            seen.add(path)
            text = "\n".join(line for line in walker.blocks(part) if line.strip()) if part is not None else ""
            if text and text not in seen:
                seen.add(text)
                lines.append(text)
        return lines

    references = [(_local(ref), _attribute(ref, "id")) for section in root.iter("{*}sectPr") for ref in section
                  if _local(ref) in _HEADER_REFS]
    headers = part_lines([rel_id for tag, rel_id in references if tag == "headerReference"], "header")
    footers = part_lines([rel_id for tag, rel_id in references if tag == "footerReference"], "footer")
    notes = []
    for kind in ("footnotes", "endnotes"):
        part = next((docx.xml(path) for rel_kind, path in relations.values() if rel_kind == kind), None)
        for note in [] if part is None else part:
            if _attribute(note, "type") in (None, "normal"):
                notes.extend(walker.blocks(note))
    body = walker.blocks(root)
    text = "\n".join([*headers, *body, *notes, *footers])
    if not text.strip() and any(member.startswith("word/media/") for member in docx.archive.namelist()):
        return _docx_pictures(docx, name, limits)
    return Extracted(text, "docx (XML)")


def _docx_pictures(docx: _BoundedZip, name: str, limits: Limits) -> Extracted:
    """A DOCX with pictures and no text (a scan pasted into Word): the pictures' text by OCR,
    in the order Word numbered them (image1, image2, ..., image10)."""
    media = sorted((member for member in docx.archive.namelist() if member.startswith("word/media/")),
                   key=lambda member: [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", member)])
    if not ocr_wanted(limits):
        raise ReadError("no_text_layer", f"{name} holds no text, only {len(media)} picture(s) (a scan?); "
                                         f"{why_not_read(limits, tried=False)}")
    text, read = ocr_images([docx.read(member) for member in media], name, limits)
    return Extracted(text, "docx+tesseract", None, read)


# ---------------------------------------------------------------- ODT

_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_MAX_SPACES = 100  # <text:s text:c="..."/> repeats a space; a layout never needs more


# Not shown as text: deleted tracked changes, comments, a footnote's number in the text.
_ODF_HIDDEN = frozenset(["tracked-changes", "annotation", "note-citation"])
_NEWLINES = re.compile(r"\n+")
_ODF_HEADERS = frozenset(["header", "header-first", "header-left"])
_ODF_FOOTERS = frozenset(["footer", "footer-first", "footer-left"])


def read_odt(data: bytes, name: str, limits: Limits) -> Extracted:
    """OpenDocument text from content.xml (a zip member): headings and paragraphs one per line,
    list items bulleted, tables and text frames walked like the body (a frame's paragraphs get
    lines of their own); the page headers and footers of styles.xml first and last, each
    distinct one once."""
    odt = _BoundedZip(data, name, limits, "ODT")
    root = odt.xml("content.xml")
    if root is None:
        raise ReadError("corrupt", f"{name} is a zip file but not an ODT (no content.xml)")
    budget = _TextBudget(name, limits)

    def spaces(node) -> str:
        count = node.get(f"{{{_ODF_TEXT}}}c", "1")
        return " " * min(int(count), _MAX_SPACES) if count.isdigit() else " "

    def inline(node) -> str:
        out = [node.text or ""]
        for child in node:
            tag = _local(child)
            if tag in ("p", "h"):  # inside a text frame or a note anchored in this paragraph
                out.append("\n" + inline(child) + "\n")
            elif tag not in _ODF_HIDDEN:
                out.append(spaces(child) if tag == "s" else {"tab": "\t", "line-break": "\n"}.get(tag)
                           or inline(child))
            out.append(child.tail or "")
        return "".join(out)

    def walk(node, bullet: bool, lines: list[str]) -> list[str]:
        for child in node:
            tag = _local(child)
            if tag in ("p", "h"):
                text = _NEWLINES.sub("\n", inline(child)).strip("\n")
                lines.append(budget.spend(("• " if bullet and text.strip() else "") + text))
                bullet = False
            elif tag == "table-row":
                lines.extend(_row_lines(["\n".join(walk(cell, False, [])).strip() for cell in child]))
            elif tag not in _ODF_HIDDEN:
                walk(child, bullet or tag == "list-item", lines)
        return lines

    styles = odt.xml("styles.xml")
    headers, footers = [], []
    for page in [] if styles is None else styles.iter("{*}master-page"):
        for part in page:
            target = headers if _local(part) in _ODF_HEADERS else footers if _local(part) in _ODF_FOOTERS else None
            text = "\n".join(line for line in walk(part, False, []) if line.strip()) if target is not None else ""
            if text and text not in headers + footers:
                target.append(text)
    body = walk(root, False, [])
    return Extracted("\n".join([*headers, *body, *footers]), "odt (content.xml)")


# ---------------------------------------------------------------- RTF

def read_rtf(data: bytes, name: str, limits: Limits) -> Extracted:
    from striprtf.striprtf import rtf_to_text

    if not data.lstrip().startswith(b"{\\rtf"):
        raise ReadError("corrupt", f"{name} does not start with an RTF header")
    return Extracted(rtf_to_text(data.decode("latin-1"), errors="ignore"), "striprtf")


# ---------------------------------------------------------------- .doc (Word 97-2003)

_WORD97_NFIB = 0x00C1  # Word 97 and every later binary Word writes this or more
# Characters with a meaning in Word's text stream ([MS-DOC] 2.8.25): paragraph, line, page,
# section and column breaks become line ends; a non-breaking hyphen a hyphen; an optional
# hyphen a soft hyphen (clean_text removes it); anchors for pictures, notes and drawings go.
_DOC_CHARACTERS = str.maketrans({"\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x0e": "\n", "\x1e": "-",
                                 "\x1f": "\u00ad", **{chr(code): None for code in (1, 2, 3, 4, 5, 6, 8, 0x0f, 0x10,
                                                                                  0x11, 0x12, 0x16, 0x17, 0x18,
                                                                                  0x19, 0x1a, 0x1b, 0x1c, 0x1d)}})


def read_doc(data: bytes, name: str, limits: Limits) -> Extracted:
    """Legacy Word (97-2003) read directly from its OLE streams with olefile: the FIB, the
    piece table (8-bit cp1252 and UTF-16 pieces), fields shown by their result, table cells
    joined by " | "; headers and footers (each distinct one once) around the main text, then
    footnotes, endnotes and text boxes. Needs no antiword or LibreOffice. Files saved as
    RTF or DOCX under a .doc name (Word and web sites do this) go to those readers."""
    if data.lstrip().startswith(b"{\\rtf"):
        return read_rtf(data, name, limits)
    if data.startswith(b"PK\x03\x04"):
        return read_docx(data, name, limits)
    if not data.startswith(_OLE_MAGIC):
        raise ReadError("corrupt", f"{name} is not a Word .doc file (no OLE header)")
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            if ole.exists("EncryptedPackage"):
                raise ReadError("encrypted", f"{name} is password-protected")
            if not ole.exists("WordDocument"):
                raise ReadError("corrupt", f"{name} is an OLE file without a WordDocument stream (not Word)")
            word = ole.openstream("WordDocument").read()
            fib = _Fib(word, name)
            table_name = "1Table" if fib.flags & 0x0200 else "0Table"
            if not ole.exists(table_name):
                raise ReadError("corrupt", f"{name}: the {table_name} stream is missing")
            table = ole.openstream(table_name).read()
    except ReadError:
        raise
    except Exception as error:  # olefile raises OSError, struct.error, IndexError ... on damaged files
        raise ReadError("corrupt", f"{name} is not a readable .doc file ({type(error).__name__}: {error})") from error
    try:
        text = _doc_text(word, table, fib, name, limits)
    except (struct.error, IndexError) as error:
        raise ReadError("corrupt", f"{name}: damaged Word text tables ({error})") from error
    return Extracted(text, "doc (olefile)")


class _Fib:
    """The parts of Word's File Information Block the text needs ([MS-DOC] 2.5.1)."""

    def __init__(self, word: bytes, name: str):
        if len(word) < 0x9A or struct.unpack_from("<H", word, 0)[0] != 0xA5EC:
            raise ReadError("corrupt", f"{name}: the WordDocument stream has no Word header")
        n_fib, = struct.unpack_from("<H", word, 2)
        self.flags, = struct.unpack_from("<H", word, 0x0A)
        if self.flags & 0x0100:  # fEncrypted (also set, with fObfuscated, for XOR obfuscation)
            raise ReadError("encrypted", f"{name} is password-protected")
        if n_fib < _WORD97_NFIB:
            raise UnsupportedFormat(f"{name} is a Word 6/95 file (format {n_fib}); save it as .docx")
        offset = 32
        csw, = struct.unpack_from("<H", word, offset)
        offset += 2 + 2 * csw
        cslw, = struct.unpack_from("<H", word, offset)
        lw = struct.unpack_from(f"<{cslw}i", word, offset + 2)
        offset += 2 + 4 * cslw
        count, = struct.unpack_from("<H", word, offset)
        if cslw < 10 or count < 34:
            raise ReadError("corrupt", f"{name}: the Word header is too short for a Word 97 file")
        pairs = struct.unpack_from("<68I", word, offset + 2)
        # ccpText, ccpFtn, ccpHdd, (macro), ccpAtn, ccpEdn, ccpTxbx: the stories, in CP order.
        self.stories = [max(0, value) for value in lw[3:10]]
        self.plcf_hdd = pairs[22:24]   # fcPlcfHdd, lcbPlcfHdd: header story boundaries
        self.clx = pairs[66:68]        # fcClx, lcbClx: the piece table


def _doc_text(word: bytes, table: bytes, fib: _Fib, name: str, limits: Limits) -> str:
    stories = _doc_stories(word, table, fib, name, limits)
    main, footnotes, header_story, _macro, _annotations, endnotes, boxes = stories
    headers, footers = _doc_headers(header_story, table, fib)
    parts = [*headers, main, footnotes, endnotes, boxes, *footers]
    return "\n".join(part.strip("\n") for part in (_doc_render(part) for part in parts) if part.strip())


def _doc_stories(word: bytes, table: bytes, fib: _Fib, name: str, limits: Limits) -> list[str]:
    """The document's characters through the piece table, cut into its stories (main text,
    footnotes, headers, macros, annotations, endnotes, text boxes)."""
    fc, lcb = fib.clx
    clx = table[fc:fc + lcb]
    position = 0
    while position < len(clx) and clx[position] == 0x01:  # Prc: formatting of fast-saved pieces
        position += 3 + struct.unpack_from("<H", clx, position + 1)[0]
    if position >= len(clx) or clx[position] != 0x02:
        raise ReadError("corrupt", f"{name}: no piece table in the Word text tables")
    size, = struct.unpack_from("<I", clx, position + 1)
    plc = clx[position + 5:position + 5 + size]
    pieces = (len(plc) - 4) // 12
    cps = struct.unpack_from(f"<{pieces + 1}I", plc, 0)
    total = sum(fib.stories)
    if total > limits.max_chars:
        raise ReadError("too_large", f"{name} holds {total:,} characters of text, over the limit of "
                                     f"{limits.max_chars:,}")
    chunks, have = [], 0
    for index in range(pieces):
        start, end = cps[index], min(cps[index + 1], total)
        if have >= total or end <= start:
            continue
        fc_value, = struct.unpack_from("<I", plc, 4 * (pieces + 1) + 8 * index + 2)
        count = end - start
        if fc_value & 0x40000000:  # fCompressed: one cp1252 byte per character at fc / 2
            offset = (fc_value & 0x3FFFFFFF) // 2
            chunks.append(word[offset:offset + count].decode("cp1252", errors="replace"))
        else:
            offset = fc_value & 0x3FFFFFFF
            chunks.append(word[offset:offset + 2 * count].decode("utf-16-le", errors="replace"))
        have += count
    text = "".join(chunks)
    stories, start = [], 0
    for length in fib.stories:
        stories.append(text[start:start + length])
        start += length
    return stories


def _doc_headers(header_story: str, table: bytes, fib: _Fib) -> tuple[list[str], list[str]]:
    """Distinct headers and footers: the header story is cut by PlcfHdd into six separator
    stories, then six per section (even/odd header, even/odd footer, first header/footer)."""
    fc, lcb = fib.plcf_hdd
    if not header_story or lcb < 8:
        return [], []
    cps = struct.unpack_from(f"<{lcb // 4}I", table, fc)
    headers, footers = [], []
    for index in range(6, len(cps) - 1):
        text = header_story[cps[index]:cps[index + 1]]
        target = headers if (index - 6) % 6 in (0, 1, 4) else footers
        if text.strip() and text not in target:
            target.append(text)
    return headers, footers


_FIELD_MARKS = re.compile("([\x13\x14\x15])")  # field begin, separator (result follows), end


def _doc_render(text: str) -> str:
    """Word's text stream as lines: fields keep their result only (nested fields too), table
    cells end in \\x07 and a row in a second one, special characters mapped or dropped."""
    out, fields = [], []  # fields: for each open field, whether its result has begun
    for piece in _FIELD_MARKS.split(text):
        if piece == "\x13":
            fields.append(False)
        elif piece == "\x14":
            if fields:
                fields[-1] = True
        elif piece == "\x15":
            if fields:
                fields.pop()
        elif all(fields):
            out.append(piece)
    rendered = "".join(out).translate(_DOC_CHARACTERS)
    rows = []
    for line in rendered.split("\n"):
        if "\x07" in line:
            line = line.replace("\x07\x07", "\n").replace("\x07", " | ").strip(" |")
            line = "\n".join(row.rstrip(" |").strip() for row in line.split("\n"))
        rows.append(line)
    return "\n".join(rows)


