"""Office readers on real files made here (python-docx, zip) and committed .doc fixtures
(made by LibreOffice from our own text; antiword's text of each is the reference): nested
tables, headers and footers, text boxes, zip bombs, text limits, Word 97-2003 .doc."""

import shutil
import struct
import zipfile
from pathlib import Path

import pytest

from skillner.extract.readers import Limits, ReadError, read_bytes, read_file
from tests.resume_files import write_designer_docx, write_docx, write_zip_bomb_docx

DOC_FIXTURES = Path(__file__).resolve().parent / "data" / "doc"
ODT_FIXTURES = Path(__file__).resolve().parent / "data" / "odt"
HEADER = ["Jane Roe", "jane@example.com | +1 555 0100"]
FOOTER = "Page footer: Jane Roe resume"
COMPETENCIES = [["Python", "SQL", "Apache Spark"], ["Kafka", "Airflow", "dbt"], ["AWS", "Docker", "Kubernetes"],
                ["Terraform", "Tableau", "Power BI"], ["Snowflake", "Scala", "Git"],
                ["Jenkins", "Linux", "Pandas"]]
TEXT_BOX = ["CERTIFICATIONS", "AWS Certified Solutions Architect"]
PROFILE = ["PROFILE", "Data engineer with 6 years of experience."]


@pytest.fixture(scope="module")
def designer(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("docx") / "designer.docx"
    write_designer_docx(path, HEADER, FOOTER, PROFILE, COMPETENCIES, TEXT_BOX)
    return path


def test_docx_nested_table_keeps_every_item_one_row_per_line(designer):
    lines = read_file(designer).text.splitlines()
    assert [" | ".join(row) for row in COMPETENCIES] == [line for line in lines if " | " in line and "@" not in line]
    assert lines.index("Core Competencies") < lines.index("Python | SQL | Apache Spark")


def test_docx_headers_and_footers_once_at_top_and_bottom(designer):
    text = read_file(designer).text
    lines = text.splitlines()
    # three header parts (first page, default, second section) hold the same two lines
    assert lines[:2] == HEADER and text.count(HEADER[1]) == 1
    assert lines[-1] == FOOTER and text.count(FOOTER) == 1
    assert "References available on request" in lines


def test_docx_text_box_read_once_not_also_its_vml_fallback(designer):
    text = read_file(designer).text
    assert text.count(TEXT_BOX[1]) == 1
    lines = text.splitlines()
    assert lines.index(TEXT_BOX[0]) + 1 == lines.index(TEXT_BOX[1])


def test_docx_vml_text_box_revisions_fields_and_content_controls(tmp_path):
    """Old-style (VML-only) text box, a tracked deletion and insertion, a field's instruction and
    result, a content control around a paragraph: text as Word shows it."""
    import docx
    from docx.oxml import parse_xml

    namespaces = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
                  'xmlns:v="urn:schemas-microsoft-com:vml"')
    document = docx.Document()
    document.add_paragraph("Jane Roe")._p.append(parse_xml(
        f'<w:r {namespaces}><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>Scrum Master</w:t></w:r>'
        '</w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r>'))
    document.add_paragraph("Languages: ")._p.extend(parse_xml(f'<w:p {namespaces}>{xml}</w:p>')[0] for xml in (
        '<w:del w:id="1" w:author="x"><w:r><w:delText>Cobol, </w:delText></w:r></w:del>',
        '<w:ins w:id="2" w:author="x"><w:r><w:t>Go, </w:t></w:r></w:ins>',
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
        '<w:r><w:instrText> HYPERLINK "https://go.dev" </w:instrText></w:r>',
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>', '<w:r><w:t>Rust</w:t></w:r>',
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'))
    body = document.element.body
    body.insert(len(body) - 1, parse_xml(f'<w:sdt {namespaces}><w:sdtContent><w:p><w:r><w:t>Kanban</w:t></w:r>'
                                         '</w:p></w:sdtContent></w:sdt>'))
    document.save(str(tmp_path / "cv.docx"))
    assert read_file(tmp_path / "cv.docx").text.splitlines() == ["Jane Roe", "Scrum Master", "Languages: Go, Rust",
                                                                 "Kanban"]


def test_docx_zip_bomb_refused_as_too_large(tmp_path):
    bomb = tmp_path / "bomb.docx"
    write_zip_bomb_docx(bomb, 200_000_000)
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(ReadError) as caught:
        read_file(bomb)
    assert caught.value.kind == "too_large" and "zip bomb" in str(caught.value)


def test_docx_unzip_budget_covers_all_parts_together(designer):
    with zipfile.ZipFile(designer) as archive:
        document = archive.getinfo("word/document.xml").file_size
    with pytest.raises(ReadError) as caught:
        read_file(designer, Limits(max_unzipped_bytes=document + 2000))
    assert caught.value.kind == "too_large"


def _lie_about_size(path: Path, member: str, claimed: int) -> None:
    """Rewrite the zip so `member` claims `claimed` bytes unzipped in both its headers."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, claimed)  # local header
    position = data.find(b"PK\x01\x02")  # central directory entries
    while position != -1:
        name_length, = struct.unpack_from("<H", data, position + 28)
        if data[position + 46:position + 46 + name_length] == member.encode():
            struct.pack_into("<I", data, position + 24, claimed)
        position = data.find(b"PK\x01\x02", position + 4)
    path.write_bytes(bytes(data))


def test_docx_whose_zip_understates_sizes_is_refused(tmp_path):
    bomb = tmp_path / "liar.docx"
    write_zip_bomb_docx(bomb, 50_000_000)
    _lie_about_size(bomb, "word/document.xml", 1000)
    with pytest.raises(ReadError) as caught:
        read_file(bomb)
    assert caught.value.kind in ("corrupt", "too_large")


def test_docx_with_too_much_text_stops_at_max_chars(tmp_path):
    write_docx("\n".join(f"Skill number {index}" for index in range(2000)), tmp_path / "long.docx")
    assert len(read_file(tmp_path / "long.docx").text) > 20_000
    with pytest.raises(ReadError) as caught:
        read_file(tmp_path / "long.docx", Limits(max_chars=10_000))
    assert caught.value.kind == "too_large"


def test_docx_list_styles_and_numbering_get_bullets(tmp_path):
    write_docx("Jane Roe\n• Python\n• SQL", tmp_path / "cv.docx")
    assert read_file(tmp_path / "cv.docx").text.splitlines() == ["Jane Roe", "• Python", "• SQL"]


def _odt(path: Path, body: str) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", '<office:document-content '
                         'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                         'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
                         f'<office:body><office:text>{body}</office:text></office:body></office:document-content>')


def test_odt_zip_bomb_and_space_bomb_are_bounded(tmp_path):
    _odt(tmp_path / "bomb.odt", "<text:p>Python SQL</text:p>" * 200_000)
    with pytest.raises(ReadError) as caught:
        read_file(tmp_path / "bomb.odt", Limits(max_unzipped_bytes=1_000_000))
    assert caught.value.kind == "too_large"
    _odt(tmp_path / "spaces.odt", '<text:p>A<text:s text:c="999999999"/>B<text:s text:c="x"/>C</text:p>')
    assert read_file(tmp_path / "spaces.odt").text == "A" + " " * 100 + "B C"


def test_odt_from_libreoffice_keeps_header_footer_nested_table_and_frame():
    """designer.odt is the designer DOCX above saved by LibreOffice (tests/data/doc/make_fixtures.py)."""
    lines = read_file(ODT_FIXTURES / "designer.odt").text.splitlines()
    assert lines[:2] == HEADER and lines[-1] == FOOTER
    assert [" | ".join(row) for row in COMPETENCIES] == [line for line in lines if " | " in line and "@" not in line]
    assert lines.count(TEXT_BOX[1]) == 1 and "References available on request" in lines


def test_odt_frame_paragraphs_are_lines_and_deleted_text_is_not_read(tmp_path):
    _odt(tmp_path / "frame.odt", '<text:tracked-changes><text:changed-region><text:deletion><text:p>Cobol'
         '</text:p></text:deletion></text:changed-region></text:tracked-changes>'
         '<text:p>Jane Roe<draw:frame xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0">'
         '<draw:text-box><text:p>SKILLS</text:p><text:p>Python</text:p></draw:text-box></draw:frame></text:p>')
    assert read_file(tmp_path / "frame.odt").text.splitlines() == ["Jane Roe", "SKILLS", "Python"]


def test_ole_file_named_docx_is_an_error_of_its_kind(tmp_path):
    (tmp_path / "renamed.docx").write_bytes((DOC_FIXTURES / "table.doc").read_bytes())
    with pytest.raises(ReadError) as caught:
        read_file(tmp_path / "renamed.docx")
    assert caught.value.kind == "corrupt" and ".doc renamed" in str(caught.value)


# ---------------------------------------------------------------- .doc

def _words(text: str) -> list[str]:
    """Words without antiword's table rules ("|Python   |SQL   |") or ours (" | ")."""
    return text.replace("|", " ").split()


@pytest.mark.parametrize("name", ["resume", "table", "unicode"])
def test_doc_text_has_antiwords_words(name):
    got = read_file(DOC_FIXTURES / f"{name}.doc")
    reference = _words((DOC_FIXTURES / f"{name}.antiword.txt").read_text(encoding="utf-8"))
    if name == "table":  # antiword leaves out headers and footers; we put them first and last
        header, footer = "Jane Roe - Data Engineer - jane.roe@example.com", "Jane Roe resume, page 1"
        assert got.text.splitlines()[0] == header and got.text.splitlines()[-1] == footer
        reference = header.split() + reference + footer.split()
    assert _words(got.text) == reference
    assert got.reader == "doc (olefile)"


def test_doc_tables_fields_and_unicode_pieces():
    table = read_file(DOC_FIXTURES / "table.doc").text.splitlines()
    assert ["Python | SQL | Apache Spark", "Kafka | Airflow | dbt", "AWS | Docker | Kubernetes"] == \
        [line for line in table if " | " in line]
    assert "Portfolio: example.com/jane" in table  # the field's result, not its HYPERLINK instruction
    assert not any(char in "".join(table) for char in "\x07\x13\x14\x15")
    unicode = read_file(DOC_FIXTURES / "unicode.doc").text
    assert "Zoë Łukasiewicz — Ingeniería de datos" in unicode and "数据工程师，北京，2014–2016" in unicode


def _set_fib_flag(path: Path, flag: int) -> None:
    import olefile

    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        word = bytearray(ole.openstream("WordDocument").read())
        struct.pack_into("<H", word, 0x0A, struct.unpack_from("<H", word, 0x0A)[0] | flag)
        ole.write_stream("WordDocument", bytes(word))


def test_doc_encrypted_corrupt_and_renamed_files(tmp_path):
    locked = tmp_path / "locked.doc"
    shutil.copy(DOC_FIXTURES / "table.doc", locked)
    _set_fib_flag(locked, 0x0100)  # fEncrypted, as Word sets it when a password protects the file
    cases = {"encrypted": locked, "corrupt": tmp_path / "junk.doc", "corrupt ": tmp_path / "truncated.doc"}
    cases["corrupt"].write_bytes(b"This is not a Word file at all" * 10)
    cases["corrupt "].write_bytes((DOC_FIXTURES / "table.doc").read_bytes()[:3000])
    for kind, path in cases.items():
        with pytest.raises(ReadError) as caught:
            read_file(path)
        assert caught.value.kind == kind.strip(), (path.name, str(caught.value))
    write_docx("Jane Roe\nPython", tmp_path / "saved-as.doc")  # a DOCX under a .doc name
    assert read_file(tmp_path / "saved-as.doc").text == "Jane Roe\nPython"
    (tmp_path / "rtf.doc").write_bytes(rb"{\rtf1\ansi Jane Roe\par Python\par}")
    assert read_file(tmp_path / "rtf.doc").text.splitlines() == ["Jane Roe", "Python"]


def _word_streams(pieces: list[tuple[str, bool, int]]) -> tuple[bytes, bytes]:
    """A WordDocument and a 1Table stream for `pieces` (text, compressed, offset in the stream),
    laid out as a fast save leaves them: a formatting (Prc) entry, then pieces out of file order."""
    word = bytearray(4096)
    struct.pack_into("<HH", word, 0, 0xA5EC, 0x00C1)
    struct.pack_into("<H", word, 0x0A, 0x0200 | 0x0004)  # fWhichTblStm (1Table), fComplex (fast-saved)
    struct.pack_into("<H", word, 32, 14)
    struct.pack_into("<H", word, 62, 22)
    struct.pack_into("<i", word, 64 + 12, sum(len(text) for text, _, _ in pieces))  # ccpText
    struct.pack_into("<H", word, 152, 93)
    cps, descriptors = [0], b""
    for text, compressed, offset in pieces:
        encoded = text.encode("cp1252" if compressed else "utf-16-le")
        word[offset:offset + len(encoded)] = encoded
        cps.append(cps[-1] + len(text))
        descriptors += struct.pack("<HIH", 0, offset * 2 | 0x40000000 if compressed else offset, 0)
    plc = struct.pack(f"<{len(cps)}I", *cps) + descriptors
    clx = b"\x01\x02\x00\x00\x00" + b"\x02" + struct.pack("<I", len(plc)) + plc
    struct.pack_into("<II", word, 154 + 33 * 8, 0, len(clx))  # fcClx, lcbClx
    return bytes(word), clx


def test_doc_piece_table_joins_8_bit_and_utf16_pieces_in_cp_order():
    from skillner.extract.readers import office

    word, table = _word_streams([("Skills: Python, SQL\r", True, 3000),
                                 ("Zoë Łukasiewicz \x13 HYPERLINK x \x14CV\x15\r", False, 2000),
                                 ("Cell\x07Two\x07\x07", True, 2500)])
    fib = office._Fib(word, "fast.doc")
    assert office._doc_text(word, table, fib, "fast.doc", Limits()).splitlines() == \
        ["Skills: Python, SQL", "Zoë Łukasiewicz CV", "Cell | Two"]


def test_doc_every_truncation_is_a_read_error():
    data = (DOC_FIXTURES / "table.doc").read_bytes()
    for end in range(0, len(data), 512):
        try:
            read_bytes(data[:end], ".doc", "cut.doc")
        except ReadError:
            pass
