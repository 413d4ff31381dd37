"""Remake the .doc fixtures: DOCX written by python-docx, saved as Word 97-2003 by LibreOffice,
and antiword's text of each as the reference (`<name>.antiword.txt`); and ../odt/designer.odt,
the designer-template DOCX of the tests saved as ODT by LibreOffice.

Needs LibreOffice (soffice) and antiword, which CI does not have: the outputs are committed.
Run from the repository root: .venv/bin/python tests/data/doc/make_fixtures.py
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import docx
from docx.oxml import parse_xml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))
from tests.resume_files import write_designer_docx, write_docx
from tests.test_readers_office import COMPETENCIES, FOOTER, HEADER, PROFILE, TEXT_BOX

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def field(paragraph, instruction: str, result: str) -> None:
    """A complex field (begin, instruction, separate, result, end) as Word writes one."""
    runs = (f'<w:r {W}><w:fldChar w:fldCharType="begin"/></w:r>',
            f'<w:r {W}><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>',
            f'<w:r {W}><w:fldChar w:fldCharType="separate"/></w:r>',
            f'<w:r {W}><w:t>{result}</w:t></w:r>',
            f'<w:r {W}><w:fldChar w:fldCharType="end"/></w:r>')
    for run in runs:
        paragraph._p.append(parse_xml(run))


def table_resume(path: Path) -> None:
    """Header and footer (with a PAGE field), a skills table, a hyperlink field."""
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "Jane Roe - Data Engineer - jane.roe@example.com"
    footer = section.footer.paragraphs[0]
    footer.add_run("Jane Roe resume, page ")
    field(footer, "PAGE", "1")
    document.add_paragraph("PROFILE")
    document.add_paragraph("Data engineer with six years of experience building pipelines.")
    portfolio = document.add_paragraph("Portfolio: ")
    field(portfolio, 'HYPERLINK "https://example.com/jane"', "example.com/jane")
    document.add_paragraph("SKILLS")
    table = document.add_table(rows=3, cols=3)
    for row, values in zip(table.rows, [["Python", "SQL", "Apache Spark"], ["Kafka", "Airflow", "dbt"],
                                        ["AWS", "Docker", "Kubernetes"]]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_paragraph("EXPERIENCE")
    document.add_paragraph("Senior Data Engineer, Acme Corp, 2019 to 2024", style="List Bullet")
    document.add_paragraph("Built a streaming platform on Kafka and Spark.", style="List Bullet")
    document.save(str(path))


def unicode_resume(path: Path) -> None:
    """Text outside cp1252, which Word stores as UTF-16 pieces."""
    write_docx("Zoë Łukasiewicz — Ingeniería de datos\n"
               "Kraków, Polska · Москва · 北京 · Αθήνα\n"
               "SKILLS\n• Python, SQL, “Apache Spark”\n• Análisis de datos, Gestión de proyectos\n"
               "• Языки: русский, English, 中文\n• Cost reduction 15 % (€ 2 M)\n"
               "EXPERIENCE\nIngeniera de datos sénior, Café Ñandú S.A., 2019–2024\n"
               "• Diseñó canalizaciones de datos en tiempo real con Apache Kafka y Spark\n"
               "• Reducción de costes en la nube (AWS) del 30 %\n"
               "Инженер данных, ООО «Ромашка», Москва, 2016–2019\n"
               "• Разработка хранилища данных на PostgreSQL\n"
               "数据工程师，北京，2014–2016", path)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        write_docx((HERE.parents[1].parent / "corpus" / "examples" / "resume.txt").read_text(encoding="utf-8"),
                   folder / "resume.docx")
        table_resume(folder / "table.docx")
        unicode_resume(folder / "unicode.docx")
        for source in sorted(folder.glob("*.docx")):
            subprocess.run(["soffice", "--headless", "--convert-to", "doc:MS Word 97", "--outdir", str(folder),
                            str(source)], check=True, capture_output=True)
            target = HERE / source.with_suffix(".doc").name
            shutil.copy(source.with_suffix(".doc"), target)
            text = subprocess.run(["antiword", "-w", "0", "-m", "UTF-8.txt", str(target)], check=True,
                                  capture_output=True, text=True).stdout
            target.with_suffix(".antiword.txt").write_text(text, encoding="utf-8")
        write_designer_docx(folder / "designer.docx", HEADER, FOOTER, PROFILE, COMPETENCIES, TEXT_BOX)
        subprocess.run(["soffice", "--headless", "--convert-to", "odt", "--outdir", str(HERE.parent / "odt"),
                        str(folder / "designer.docx")], check=True, capture_output=True)


if __name__ == "__main__":
    main()
