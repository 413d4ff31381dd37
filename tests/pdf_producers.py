"""Resume PDFs from the producers people use, made from resume contents whose text is known.

Written by the skillner team for the reader tests and benchmarks/bench_pdf.py (no third-party
text: the resumes below are invented). Each layout is an HTML page (or a DOCX, or groff source)
built from one `Resume`, together with its reference: the page's visible text in the order a
person reads it (a header across the page, then the left column, then the right). Each
producer turns the sources into PDFs:

- wkhtmltopdf (Qt's PDF engine: spaces drawn by positioning, no space glyphs),
- headless Chromium's print to PDF (Skia, as Google Docs' export and Chrome's print),
- WeasyPrint (Cairo), LibreOffice Writer (DOCX made with python-docx), groff (gropdf) and
  groff through ghostscript (ps2pdf).

A producer that is not installed is left out by `available_producers`, and the tests that
need it say so: scripts/system-deps.sh installs them all from Debian's packages.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Entry:
    title: str
    place: str
    dates: str
    bullets: tuple[str, ...]


@dataclass(frozen=True)
class Resume:
    name: str
    headline: str
    contact: tuple[tuple[str, str], ...]  # (icon, text)
    summary: str
    experience: tuple[Entry, ...]
    education: tuple[Entry, ...]
    skills: tuple[str, ...]
    languages: tuple[str, ...]


# Icons as a resume template draws them: Font Awesome's private-use glyphs, or emoji.
FONT_AWESOME = {"phone": "\uf095", "email": "\uf0e0", "place": "\uf041", "web": "\uf0ac"}
EMOJI = {"phone": "📞", "email": "✉️", "place": "📍", "web": "🌐"}

NURSE = Resume(
    "Maria Okafor", "Registered Nurse, Critical Care",
    (("phone", "+1 555 0142 778"), ("email", "maria.okafor@example.org"), ("place", "Sacramento, California"),
     ("web", "linkedin.com/in/maria-okafor")),
    "Registered nurse with eight years of intensive care experience, calm under pressure and trusted by "
    "patients, families and physicians alike. Skilled in ventilator management, sepsis protocols and "
    "cross-functional discharge planning.",
    (Entry("Charge Nurse, Intensive Care Unit", "Sutter Medical Center", "Mar 2020 – Present",
           ("Coordinated a team of twelve nurses across day and night shifts",
            "Administered medication through central lines and monitored hemodynamic status",
            "Introduced a bedside handover checklist that cut charting errors by a third")),
     Entry("Staff Nurse, Emergency Department", "Mercy General Hospital", "Jun 2016 – Feb 2020",
           ("Triaged patients using the Emergency Severity Index",
            "Performed wound care, phlebotomy and intravenous cannulation",
            "Educated patients on diabetes self-management and medication adherence"))),
    (Entry("Bachelor of Science in Nursing", "University of California, Davis", "2012 – 2016", ()),),
    ("Critical care nursing", "Ventilator management", "Advanced cardiac life support", "Epic electronic health records",
     "Wound care", "Patient education"),
    ("English (native)", "Igbo (fluent)", "Spanish (conversational)"),
)

ACCOUNTANT = Resume(
    "Daniel Whitcombe", "Senior Accountant",
    (("phone", "+44 20 7946 0381"), ("email", "d.whitcombe@example.com"), ("place", "Leeds, United Kingdom"),
     ("web", "whitcombe-finance.example.com")),
    "A highly competent, reliable and result-driven accountant with ten years in general ledger management, "
    "month-end close and statutory reporting for multi-site manufacturing groups.",
    (Entry("Senior Accountant", "Harrowgate Foods Limited", "Jan 2019 – Present",
           ("Managed the general ledger, accruals and prepayments for four subsidiaries",
            "Prepared consolidated management accounts and variance analysis for the board",
            "Led the migration from Sage to Microsoft Dynamics 365 Business Central")),
     Entry("Assistant Accountant", "Pennine Engineering Group", "Sep 2014 – Dec 2018",
           ("Reconciled bank accounts, payroll and VAT returns every month",
            "Supported external auditors with schedules and sampling",
            "Automated fixed asset registers with Excel macros and Power Query"))),
    (Entry("ACCA Qualified Chartered Certified Accountant", "Association of Chartered Certified Accountants",
           "2017", ()),
     Entry("BSc Accounting and Finance", "University of Leeds", "2010 – 2013", ())),
    ("Financial reporting", "IFRS and UK GAAP", "Payroll", "VAT compliance", "Microsoft Excel", "Power BI", "SAP"),
    ("English (native)", "French (intermediate)"),
)

WELDER = Resume(
    "Tomasz Nowak", "Certified Pipe Welder",
    (("phone", "+1 555 0199 204"), ("email", "tomasz.nowak@example.net"), ("place", "Houston, Texas"),
     ("web", "nowakwelding.example.net")),
    "Pipe welder certified to ASME Section IX with twelve years on refinery turnarounds and offshore "
    "fabrication. Reads isometric drawings, keeps a spotless safety record and mentors apprentices.",
    (Entry("Lead Pipe Welder", "Gulfside Fabrication", "Apr 2018 – Present",
           ("Welded carbon and stainless steel process piping with GTAW and SMAW",
            "Passed radiographic inspection on ninety-eight percent of joints",
            "Trained six apprentices in joint preparation and preheat control")),
     Entry("Structural Welder", "Bayport Steel Erectors", "May 2012 – Mar 2018",
           ("Fabricated and erected structural steel from shop drawings",
            "Operated overhead cranes, plasma cutters and magnetic drills",
            "Followed lockout tagout and confined space entry procedures"))),
    (Entry("Welding Technology Certificate", "San Jacinto College", "2011 – 2012", ()),),
    ("Gas tungsten arc welding", "Shielded metal arc welding", "Blueprint reading", "Rigging",
     "Forklift operation", "OSHA 30"),
    ("English (fluent)", "Polish (native)"),
)

TEACHER = Resume(
    "Aisha Rahman", "Secondary Mathematics Teacher",
    (("phone", "+61 2 9374 4000"), ("email", "aisha.rahman@example.edu"), ("place", "Parramatta, New South Wales"),
     ("web", "mathswithmsrahman.example.edu")),
    "Mathematics teacher who builds confidence in reluctant learners through differentiated instruction, "
    "formative assessment and well-planned group work; head of the school's numeracy program.",
    (Entry("Head of Numeracy", "Parramatta High School", "Jan 2018 – Present",
           ("Planned and delivered lessons for Years 7 to 12, including calculus",
            "Raised the share of students at or above the national standard from 61 to 78 percent",
            "Mentored three graduate teachers through accreditation")),
     Entry("Mathematics Teacher", "Blacktown Girls High School", "Feb 2014 – Dec 2017",
           ("Designed assessment tasks aligned with the syllabus outcomes",
            "Ran the after-school homework club and the mathematics olympiad team",
            "Communicated progress to parents through reports and interviews"))),
    (Entry("Master of Teaching (Secondary)", "University of Sydney", "2012 – 2013", ()),
     Entry("BSc Mathematics", "Macquarie University", "2009 – 2011", ())),
    ("Lesson planning", "Classroom management", "Differentiated instruction", "Google Classroom", "GeoGebra",
     "Student wellbeing"),
    ("English (native)", "Bengali (fluent)"),
)

ENGINEER = Resume(
    "Priya Venkataraman", "Senior Java Developer",
    (("phone", "+91 98450 12345"), ("email", "priya.v@example.in"), ("place", "Hyderabad, Telangana, India"),
     ("web", "github.com/priyav")),
    "Backend developer with nine years building payment and logistics platforms in Java and Kotlin; "
    "comfortable owning services from design review to on-call, and keen on observability.",
    (Entry("Senior Java Developer", "Ledgerline Payments", "Jul 2020 – Present",
           ("Designed event-driven settlement services with Spring Boot and Apache Kafka",
            "Cut p99 latency of the card authorisation API from 480 to 120 milliseconds",
            "Set up CI/CD pipelines with GitHub Actions, Docker and Kubernetes")),
     Entry("Software Engineer", "Cargoflux Logistics", "Aug 2015 – Jun 2020",
           ("Built route optimisation microservices on PostgreSQL and Redis",
            "Wrote integration tests with JUnit 5 and Testcontainers",
            "Migrated a monolith to services behind an API gateway"))),
    (Entry("Bachelor of Technology, Computer Science", "Jawaharlal Nehru Technological University",
           "2011 – 2015", ()),),
    ("Java", "Kotlin", "Spring Boot", "Apache Kafka", "PostgreSQL", "Docker", "Kubernetes", "Grafana"),
    ("English (fluent)", "Telugu (native)", "Hindi (fluent)"),
)

RESUMES = (NURSE, ACCOUNTANT, WELDER, TEACHER, ENGINEER)


@dataclass(frozen=True)
class Source:
    """One layout of one resume: the HTML a browser prints, and the text a person reads from it,
    as blocks in reading order (each `(column, lines)`, column "full", "left" or "right")."""

    name: str
    html: str
    blocks: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def text(self) -> str:
        return "\n".join(line for _, lines in self.blocks for line in lines)


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def _entry_lines(entry: Entry, bullet: str = "") -> list[str]:
    return [f"{entry.title} {entry.dates}", entry.place] + [f"{bullet}{b}" for b in entry.bullets]


def _entry_html(entry: Entry, bullets: str = "ul") -> str:
    items = "".join(f"<li>{_e(b)}</li>" for b in entry.bullets)
    listed = f"<ul>{items}</ul>" if items and bullets == "ul" else "".join(
        f'<p class="b">{bullets} {_e(b)}</p>' for b in entry.bullets)
    return (f'<div class="row"><span class="date">{_e(entry.dates)}</span><b>{_e(entry.title)}</b></div>'
            f'<div>{_e(entry.place)}</div>{listed}')


_STYLE = """
@page { size: A4; margin: 14mm; }
body { font-family: 'DejaVu Sans', sans-serif; font-size: 10pt; line-height: 1.3; margin: 0; }
h1 { font-size: 20pt; margin: 0; } h2 { font-size: 11pt; margin: 10px 0 4px; }
.headline { font-size: 12pt; margin: 2px 0 8px; }
.row { margin-top: 6px; } .date { float: right; }
ul { margin: 2px 0 4px 0; padding-left: 16px; } p { margin: 2px 0; }
.spaced h2 { text-transform: uppercase; letter-spacing: 0.12em; }
.justify p.summary { text-align: justify; }
table { border-collapse: collapse; width: 100%; } td { vertical-align: top; padding: 0 6px 4px 0; }
.icon { font-family: 'FontAwesome'; }
"""


def _page(body: str, classes: str = "", font: str | None = None) -> str:
    style = _STYLE + (f"body {{ font-family: {font}; }}" if font else "")
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><style>{style}</style></head>'
            f'<body class="{classes}">{body}</body></html>')


def _contact(resume: Resume, icons: dict[str, str] | None) -> tuple[str, list[str]]:
    if icons is None:
        return "".join(f"<p>{_e(text)}</p>" for _, text in resume.contact), [t for _, t in resume.contact]
    fa = icons is FONT_AWESOME
    mark = (lambda key: f'<span class="icon">{icons[key]}</span>') if fa else (lambda key: icons[key])
    return ("".join(f"<p>{mark(key)} {_e(text)}</p>" for key, text in resume.contact),
            [f"{icons[key]} {text}" for key, text in resume.contact])


def _main_sections(resume: Resume, bullets: str = "ul", heading=lambda t: t) -> tuple[str, list[str]]:
    body = [f'<h2>{heading("Profile")}</h2><p class="summary">{_e(resume.summary)}</p>',
            f'<h2>{heading("Experience")}</h2>']
    lines = [heading("Profile"), resume.summary, heading("Experience")]
    mark = "" if bullets == "ul" else f"{bullets} "
    for entry in resume.experience:
        body.append(_entry_html(entry, bullets))
        lines += _entry_lines(entry, mark)
    body.append(f'<h2>{heading("Education")}</h2>')
    lines.append(heading("Education"))
    for entry in resume.education:
        body.append(_entry_html(entry, bullets))
        lines += _entry_lines(entry, mark)
    return "".join(body), lines


def _side_sections(resume: Resume, icons: dict[str, str] | None) -> tuple[str, list[str]]:
    contact_html, contact_lines = _contact(resume, icons)
    body = (f"<h2>Contact</h2>{contact_html}<h2>Skills</h2>"
            + "".join(f"<p>{_e(s)}</p>" for s in resume.skills)
            + "<h2>Languages</h2>" + "".join(f"<p>{_e(s)}</p>" for s in resume.languages))
    return body, ["Contact", *contact_lines, "Skills", *resume.skills, "Languages", *resume.languages]


def _header(resume: Resume) -> tuple[str, list[str]]:
    return (f'<h1>{_e(resume.name)}</h1><p class="headline">{_e(resume.headline)}</p>',
            [resume.name, resume.headline])


def one_column(resume: Resume, name: str = "one-column", classes: str = "justify", font=None) -> Source:
    """Contact line under the name, dates right-aligned on each entry's line, skills in a paragraph."""
    head_html, head = _header(resume)
    contact = " | ".join(text for _, text in resume.contact)
    main_html, main = _main_sections(resume)
    skills = ", ".join(resume.skills)
    body = (f"{head_html}<p>{_e(contact)}</p>{main_html}<h2>Skills</h2><p>{_e(skills)}</p>"
            f"<h2>Languages</h2><p>{_e(', '.join(resume.languages))}</p>")
    lines = [*head, contact, *main, "Skills", skills, "Languages", ", ".join(resume.languages)]
    return Source(name, _page(body, classes, font), (("full", tuple(lines)),))


def _two(resume: Resume, name: str, left_width: int, sidebar: str, icons, classes: str = "") -> Source:
    head_html, head = _header(resume)
    main_html, main = _main_sections(resume)
    side_html, side = _side_sections(resume, icons)
    if sidebar == "left":
        cols = (side_html, main_html), (side, main)
    else:
        cols = (main_html, side_html), (main, side)
    body = (f'{head_html}<div style="overflow: hidden">'
            f'<div style="float: left; width: {left_width}%">{cols[0][0]}</div>'
            f'<div style="float: right; width: {96 - left_width}%">{cols[0][1]}</div></div>')
    blocks = (("full", tuple(head)), ("left", tuple(cols[1][0])), ("right", tuple(cols[1][1])))
    return Source(name, _page(body, classes), blocks)


def sidebar_left(resume: Resume) -> Source:
    """A narrow sidebar (contact with Font Awesome icons, skills, languages) left of the main column."""
    return _two(resume, "sidebar-left", 30, "left", FONT_AWESOME, "spaced")


def sidebar_right(resume: Resume) -> Source:
    """The main column, then a narrow sidebar on the right with emoji before the contact lines."""
    return _two(resume, "sidebar-right", 64, "right", EMOJI)


def two_columns(resume: Resume) -> Source:
    """Two columns of equal width, the contact lines plain."""
    return _two(resume, "two-columns", 47, "left", None, "justify")


def table_dates(resume: Resume) -> Source:
    """A borderless table: dates in a left column, each entry beside them (title, then bullets)."""
    head_html, head = _header(resume)
    rows, lines = [], [*head, " | ".join(t for _, t in resume.contact)]
    for heading, entries in (("Experience", resume.experience), ("Education", resume.education)):
        rows.append(f'<tr><td colspan="2"><h2>{heading}</h2></td></tr>')
        lines.append(heading)
        for entry in entries:
            bullets = "".join(f"<li>{_e(b)}</li>" for b in entry.bullets)
            rows.append(f'<tr><td style="width: 24%">{_e(entry.dates)}</td><td><b>{_e(entry.title)}</b><br>'
                        f'{_e(entry.place)}{f"<ul>{bullets}</ul>" if bullets else ""}</td></tr>')
            lines += [f"{entry.dates} {entry.title}", entry.place, *entry.bullets]
    skills = ", ".join(resume.skills)
    body = (f"{head_html}<p>{_e(lines[2])}</p><table>{''.join(rows)}</table>"
            f"<h2>Skills</h2><p>{_e(skills)}</p>")
    return Source("table-dates", _page(body), (("full", (*lines, "Skills", skills)),))


def emoji_bullets(resume: Resume) -> Source:
    """Emoji before each contact line and heading, bullets typed as characters ("▪ ")."""
    head_html, head = _header(resume)
    contact_html, contact = _contact(resume, EMOJI)
    icon = {"Profile": "👤", "Experience": "💼", "Education": "🎓"}
    main_html, main = _main_sections(resume, bullets="▪", heading=lambda t: f"{icon[t]} {t}")
    skills = "".join(f"<p>• {_e(s)}</p>" for s in resume.skills)
    body = f"{head_html}{contact_html}{main_html}<h2>🛠️ Skills</h2>{skills}"
    lines = [*head, *contact, *main, "🛠️ Skills", *(f"• {s}" for s in resume.skills)]
    return Source("emoji-bullets", _page(body), (("full", tuple(lines)),))


def long_page(resumes: tuple[Resume, ...] = RESUMES) -> Source:
    """Two pages and more: every resume's profile and experience under one name, in a serif font."""
    first = resumes[0]
    merged = Resume(first.name, first.headline, first.contact, " ".join(r.summary for r in resumes),
                    tuple(e for r in resumes for e in r.experience), tuple(e for r in resumes for e in r.education),
                    tuple(s for r in resumes for s in r.skills), first.languages)
    return one_column(merged, "long-page", "spaced", font="'Liberation Serif', serif; font-size: 12pt")


LAYOUTS = (
    lambda: one_column(ENGINEER),
    lambda: sidebar_left(NURSE),
    lambda: sidebar_right(ACCOUNTANT),
    lambda: two_columns(TEACHER),
    lambda: table_dates(WELDER),
    lambda: emoji_bullets(ENGINEER),
    long_page,
)


def sources() -> list[Source]:
    return [make() for make in LAYOUTS]


# --- producers ---------------------------------------------------------------------------------

def _run(command: list[str], timeout: float = 120, **kwargs) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=timeout, **kwargs)


def _chromium(html_path: Path, pdf: Path) -> None:
    with tempfile.TemporaryDirectory() as profile:
        _run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
              html_path.as_uri()])


def _wkhtmltopdf(html_path: Path, pdf: Path) -> None:
    _run(["wkhtmltopdf", "--quiet", "--page-size", "A4", "--encoding", "utf-8", str(html_path), str(pdf)],
         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


def _weasyprint(html_path: Path, pdf: Path) -> None:
    import weasyprint

    weasyprint.HTML(filename=str(html_path)).write_pdf(str(pdf))


HTML_PRODUCERS = {"chromium": ("chromium", _chromium), "wkhtmltopdf": ("wkhtmltopdf", _wkhtmltopdf),
                  "weasyprint": (None, _weasyprint)}


def available_producers() -> list[str]:
    found = []
    for producer, (program, _) in HTML_PRODUCERS.items():
        if program is None:
            try:
                import weasyprint  # noqa: F401
            except (ImportError, OSError):  # OSError: Pango is missing
                continue
        elif not shutil.which(program):
            continue
        found.append(producer)
    if shutil.which("soffice"):
        found.append("libreoffice")
    if shutil.which("groff"):
        found.append("groff")
        if shutil.which("ps2pdf"):
            found.append("groff-ghostscript")
    return found


def docx_source(resume: Resume, path: Path, sidebar: bool = False) -> Source:
    """A Word resume as people make one: dates on a right-aligned tab stop after each title,
    bulleted duties; with `sidebar`, the page is a borderless two-cell table, contact, skills
    and languages in the narrow left cell (read first), the rest in the right one."""
    import docx
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Mm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    document.styles["Normal"].font.name, document.styles["Normal"].font.size = "Liberation Sans", Pt(10)
    width = section.page_width - section.left_margin - section.right_margin
    document.add_heading(resume.name, level=1)
    document.add_paragraph(resume.headline)
    head, side, main = [resume.name, resume.headline], [], []
    if sidebar:
        table = document.add_table(rows=1, cols=2)
        left, right = table.rows[0].cells
        for column, cell, share in ((table.columns[0], left, Mm(62)), (table.columns[1], right, width - Mm(62))):
            column.width = cell.width = share
        left.text, width = "Contact", width - Mm(62) - Mm(6)
        for line in [*(t for _, t in resume.contact), "Skills", *resume.skills, "Languages", *resume.languages]:
            left.add_paragraph(line)
        side = ["Contact", *(t for _, t in resume.contact), "Skills", *resume.skills, "Languages", *resume.languages]
        body, first = right, True
    else:
        contact = " | ".join(t for _, t in resume.contact)
        document.add_paragraph(contact)
        head.append(contact)
        body, first = document, False
    for heading, entries in (("Experience", resume.experience), ("Education", resume.education)):
        if first:
            body.text, first = heading, False
        else:
            body.add_paragraph(heading)
        main.append(heading)
        for entry in entries:
            row = body.add_paragraph()
            row.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
            row.add_run(entry.title).bold = True
            row.add_run(f"\t{entry.dates}")
            body.add_paragraph(entry.place)
            main += [f"{entry.title} {entry.dates}", entry.place]
            for bullet in entry.bullets:
                body.add_paragraph(bullet, style="List Bullet")
                main.append(bullet)
    if not sidebar:
        for heading, items in (("Skills", resume.skills), ("Languages", resume.languages)):
            document.add_heading(heading, level=2)
            document.add_paragraph(", ".join(items))
            main += [heading, ", ".join(items)]
    document.save(str(path))
    blocks = (("full", tuple(head)), ("left", tuple(side)), ("right", tuple(main))) if sidebar else \
        (("full", tuple(head + main)),)
    return Source(path.stem, "", blocks)


def groff_source(resume: Resume, path: Path) -> Source:
    """A plain one-column resume in groff's ms macros, as a Unix user types one."""
    lines = [resume.name, resume.headline, *(t for _, t in resume.contact), "Profile", resume.summary, "Experience"]
    out = [".nr PS 10", ".nr HM 2c", ".nr FM 2c", ".LP", f".B \"{resume.name}\"", ".br", resume.headline, ".br"]
    out += [line for _, t in resume.contact for line in (t, ".br")]
    out += [".SH", "Profile", ".LP", resume.summary, ".SH", "Experience"]
    for entry in resume.experience:
        out += [".LP", f".B \"{entry.title}, {entry.place}\"", entry.dates]
        lines.append(f"{entry.title}, {entry.place} {entry.dates}")
        for bullet in entry.bullets:
            out += [".IP \\(bu 2", bullet]
            lines.append(f"• {bullet}")
    out += [".SH", "Skills", ".LP", ", ".join(resume.skills)]
    lines += ["Skills", ", ".join(resume.skills)]
    assert not any(re.match(r"['.]", line) for line in lines), "groff would read such a text line as a request"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return Source(path.stem, "", (("full", tuple(lines)),))


DOCX = {"word-tabs-accountant": (ACCOUNTANT, False), "word-sidebar-welder": (WELDER, True),
        "word-sidebar-teacher": (TEACHER, True)}
GROFF = {"groff-aisha": TEACHER, "groff-tomasz": WELDER}


def corpus_names(producers: list[str]) -> list[tuple[str, str]]:
    """(producer, source name) for every PDF `build_corpus` makes, without making them."""
    names = [(producer, source.name) for producer in producers if producer in HTML_PRODUCERS for source in sources()]
    names += [("libreoffice", name) for name in DOCX if "libreoffice" in producers]
    return names + [(producer, name) for producer in ("groff", "groff-ghostscript") if producer in producers
                    for name in GROFF]


def build_corpus(folder: Path, producers: list[str] | None = None) -> list[tuple[str, Source, Path]]:
    """Every layout through every available producer: (producer, source, pdf) for each PDF."""
    producers = available_producers() if producers is None else producers
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    html_sources = sources()
    for source in html_sources:
        (folder / f"{source.name}.html").write_text(source.html, encoding="utf-8")
    for producer in producers:
        if producer not in HTML_PRODUCERS:
            continue
        for source in html_sources:
            pdf = folder / f"{producer}--{source.name}.pdf"
            HTML_PRODUCERS[producer][1](folder / f"{source.name}.html", pdf)
            made.append((producer, source, pdf))
    if "libreoffice" in producers:
        docs = [docx_source(resume, folder / f"{name}.docx", sidebar) for name, (resume, sidebar) in DOCX.items()]
        with tempfile.TemporaryDirectory() as profile:
            _run(["soffice", f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--convert-to", "pdf",
                  "--outdir", str(folder), *(str(folder / f"{d.name}.docx") for d in docs)], timeout=300)
        for doc in docs:
            pdf = folder / f"libreoffice--{doc.name}.pdf"
            (folder / f"{doc.name}.pdf").rename(pdf)
            made.append(("libreoffice", doc, pdf))
    for producer in ("groff", "groff-ghostscript"):
        if producer not in producers:
            continue
        for name, resume in GROFF.items():
            source = groff_source(resume, folder / f"{name}.ms")
            pdf = folder / f"{producer}--{source.name}.pdf"
            ms = str(folder / f"{source.name}.ms")
            if producer == "groff":
                pdf.write_bytes(subprocess.run(["groff", "-ms", "-Kutf8", "-Tpdf", ms], check=True,
                                               capture_output=True, timeout=60).stdout)
            else:
                ps = subprocess.run(["groff", "-ms", "-Kutf8", "-Tps", ms], check=True, capture_output=True,
                                    timeout=60).stdout
                subprocess.run(["ps2pdf", "-", str(pdf)], input=ps, check=True, capture_output=True, timeout=60)
            made.append((producer, source, pdf))
    return made


# --- comparison --------------------------------------------------------------------------------

_EDGE = re.compile(r"^[^\w]+|[^\w]+$")
_SAME = str.maketrans({"\u00ad": "-", "’": "'", "‘": "'"})  # a drawn soft hyphen; groff's typographic quotes


def words(text: str) -> list[str]:
    """A text's words as a reader should give them back: case, ligatures, icons, bullets and
    the punctuation at a word's ends aside ("(native)" is "native"); a token of no letter or
    digit (an emoji, a bullet, a dash) is no word."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_SAME)
    return [w for w in (_EDGE.sub("", token) for token in text.split()) if w]


def agreement(read: str, reference: str) -> tuple[float, float]:
    """Word precision and recall of `read` against `reference`, as multisets."""
    from collections import Counter

    got, want = Counter(words(read)), Counter(words(reference))
    common = sum((got & want).values())
    return common / max(sum(got.values()), 1), common / max(sum(want.values()), 1)


def in_order(read: str, source: Source) -> float:
    """The share of the reference's words that come back in reading order: the longest
    common subsequence of the two word sequences over the reference's length. Columns read
    line by line across the page interleave and score near a half."""
    from difflib import SequenceMatcher

    got, want = words(read), words(source.text)
    matcher = SequenceMatcher(None, got, want, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(len(want), 1)
