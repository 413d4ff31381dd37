"""Office formats: DOCX, ODT, RTF and legacy .doc."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from .base import Extracted, Limits, ReadError, UnsupportedFormat


def read_docx(data: bytes, name: str, limits: Limits) -> Extracted:
    """Paragraphs and tables in document order; list paragraphs get a bullet, table cells of a
    row are separated by " | " (a merged cell once)."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises zip, XML and KeyError alike on a bad file
        raise ReadError("corrupt", f"{name} is not a readable DOCX file ({type(error).__name__}: {error})") from error
    lines = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) not in seen and cell.text.strip():
                        seen.add(id(cell._tc))
                        cells.append(cell.text.strip())
                lines.append(" | ".join(cells))
        else:
            is_list = block._p.pPr is not None and block._p.pPr.numPr is not None
            is_list = is_list or (block.style is not None and block.style.name.startswith("List"))
            lines.append(("• " if is_list and block.text.strip() else "") + block.text)
    return Extracted("\n".join(lines), "python-docx")


_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def read_odt(data: bytes, name: str, limits: Limits) -> Extracted:
    """OpenDocument text from content.xml (a zip member, no extra library): headings and
    paragraphs one per line, list items bulleted."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            root = ElementTree.fromstring(archive.read("content.xml"))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as error:
        raise ReadError("corrupt", f"{name} is not a readable ODT file ({error})") from error
    lines = []

    def inline(node) -> str:
        out = [node.text or ""]
        for child in node:
            tag = child.tag.rsplit("}", 1)[-1]
            out.append({"s": " " * int(child.get(f"{{{_ODF_TEXT}}}c", "1")), "tab": "\t",
                        "line-break": "\n"}.get(tag, "") or inline(child))
            out.append(child.tail or "")
        return "".join(out)

    def walk(node, bullet: bool) -> None:
        for child in node:
            tag = child.tag.rsplit("}", 1)[-1]
            if tag in ("p", "h"):
                lines.append(("• " if bullet else "") + inline(child))
                bullet = False
            else:
                walk(child, bullet or tag == "list-item")

    walk(root, False)
    return Extracted("\n".join(lines), "odt (content.xml)")


def read_rtf(data: bytes, name: str, limits: Limits) -> Extracted:
    from striprtf.striprtf import rtf_to_text

    if not data.lstrip().startswith(b"{\\rtf"):
        raise ReadError("corrupt", f"{name} does not start with an RTF header")
    return Extracted(rtf_to_text(data.decode("latin-1"), errors="ignore"), "striprtf")


def read_doc(data: bytes, name: str, limits: Limits) -> Extracted:
    """Legacy Word through a standard tool on PATH: antiword, else LibreOffice."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "resume.doc"
        source.write_bytes(data)
        if shutil.which("antiword"):
            done = subprocess.run(["antiword", str(source)], capture_output=True, text=True, timeout=60)
            if done.returncode != 0:
                raise ReadError("corrupt", f"{name}: antiword failed ({done.stderr.strip()[:200]})")
            return Extracted(done.stdout, "antiword")
        office = shutil.which("soffice") or shutil.which("libreoffice")
        if office:
            subprocess.run([office, "--headless", "--convert-to", "txt:Text", "--outdir", folder, str(source)],
                           capture_output=True, timeout=120)
            converted = Path(folder) / "resume.txt"
            if not converted.exists():
                raise ReadError("corrupt", f"{name}: LibreOffice could not convert it")
            return Extracted(converted.read_text(encoding="utf-8", errors="replace"), "libreoffice")
    raise UnsupportedFormat(f"{name}: .doc needs antiword or LibreOffice on PATH (or save it as .docx)")
