"""Make the office-suite resume fixtures in this folder (run once; LibreOffice and pdftotext are
not installed in CI, so the outputs are committed).

Each resume is written with python-docx the way people lay one out in Word or Google Docs
(right-aligned tab stops for dates, a borderless two-column table, a page header, bullets,
small caps, section columns), or kept as a plain text file (`PLAIN_TEXT`), then printed to PDF by LibreOffice (`soffice --headless`), with
Calibri and Arial replaced by their metric twins Carlito and Liberation Sans as on a Linux
desktop. Beside each PDF: `NAME.layout.txt` (`pdftotext -layout`, the reference reading) and
`NAME.txt` (the text as written, one paragraph a line).

    apt-get install libreoffice-writer-nogui fonts-crosextra-carlito fonts-liberation2 poppler-utils
    .venv/bin/python tests/data/office-pdfs/make_fixtures.py
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import docx
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Inches, Pt, RGBColor

HERE = Path(__file__).resolve().parent
# A tagged PDF/A-2b export: the second way Word users get a PDF ("Save as PDF/A").
TAGGED = ('pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"},'
          '"SelectPdfVersion":{"type":"long","value":"2"}}')


class Resume:
    """A python-docx document plus the text it holds, one paragraph a line."""

    def __init__(self, font: str, size: float, margin: float = 0.75):
        self.doc = docx.Document()
        normal = self.doc.styles["Normal"]
        normal.font.name, normal.font.size = font, Pt(size)
        normal.paragraph_format.space_after = Pt(2)
        for style in ("List Bullet", "Title", "Heading 1", "Heading 2"):
            self.doc.styles[style].font.name = font
        section = self.doc.sections[0]
        section.page_width, section.page_height = Inches(8.5), Inches(11)
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Inches(margin)
        self.width = 8.5 - 2 * margin
        self.lines: list[str] = []

    def para(self, *runs, align=None, style=None, tabs=(), container=None, space_before=0):
        """A paragraph of runs: a string, or (text, {"bold": True, "italic": ..., "small_caps": ...,
        "size": pt, "color": "RRGGBB"}); tab stops as (inches, alignment, leader)."""
        target = container if container is not None else self.doc
        paragraph = target.add_paragraph(style=style)
        if align is not None:
            paragraph.alignment = align
        paragraph.paragraph_format.space_before = Pt(space_before)
        for position, alignment, *leader in tabs:
            paragraph.paragraph_format.tab_stops.add_tab_stop(Inches(position), alignment, *leader)
        text = ""
        for run in runs:
            value, look = (run, {}) if isinstance(run, str) else run
            added = paragraph.add_run(value)
            added.bold, added.italic = look.get("bold"), look.get("italic")
            added.font.small_caps = look.get("small_caps")
            added.font.all_caps = look.get("caps")
            if "size" in look:
                added.font.size = Pt(look["size"])
            if "color" in look:
                added.font.color.rgb = RGBColor.from_string(look["color"])
            text += value
        self.lines.append(text.replace("\t", " "))
        return paragraph

    def bullets(self, items, container=None):
        for item in items:
            self.para(*(item if isinstance(item, tuple) else (item,)), style="List Bullet", container=container)

    def right_tab(self, left, right, left_look=None, right_look=None, container=None, width=None):
        """A row: `left` at the margin, `right` flush right on a right-aligned tab stop."""
        return self.para((left, left_look or {"bold": True}), ("\t" + right, right_look or {}),
                         tabs=[(width or self.width, WD_TAB_ALIGNMENT.RIGHT)], container=container)

    def heading(self, text, rule=True, small_caps=False, align=None, size=12):
        paragraph = self.para((text, {"bold": True, "small_caps": small_caps, "size": size}), align=align,
                              space_before=8)
        if rule:  # Word's "bottom border" under a section heading
            paragraph._p.get_or_add_pPr().append(parse_xml(
                f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="6" w:space="1" w:color="444444"/></w:pBdr>'))
        return paragraph

    def save(self, name: str, source_suffix: str = ".docx", tagged: bool = False) -> None:
        with tempfile.TemporaryDirectory() as work:
            work = Path(work)
            self.doc.save(str(work / f"{name}.docx"))
            source = work / f"{name}.docx"
            if source_suffix == ".odt":
                soffice(work, "odt", source)
                source = work / f"{name}.odt"
            soffice(work, "pdf", source)
            shutil.copy(source, HERE / source.name)
            shutil.copy(work / f"{name}.pdf", HERE / f"{name}.pdf")
            if tagged:
                (work / "tagged").mkdir()
                soffice(work / "tagged", TAGGED, source)
                shutil.copy(work / "tagged" / f"{name}.pdf", HERE / f"{name}-tagged.pdf")
        (HERE / f"{name}.txt").write_text("\n".join(self.lines) + "\n", encoding="utf-8")
        for pdf in [f"{name}.pdf"] + ([f"{name}-tagged.pdf"] if tagged else []):
            subprocess.run(["pdftotext", "-layout", pdf, pdf.replace(".pdf", ".layout.txt")], cwd=HERE, check=True)


def soffice(out_dir: Path, target: str, source: Path) -> None:
    subprocess.run(["soffice", "--headless", "--convert-to", target, "--outdir", str(out_dir), str(source)],
                   check=True, capture_output=True)


def borderless(table, widths):
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = Inches(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = Inches(width)


def shade(cell, fill: str) -> None:
    cell._tc.get_or_add_tcPr().append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>'))


def columns(section, count: int) -> None:
    """Newspaper columns for a section (Layout > Columns in Word)."""
    section._sectPr.find(qn("w:cols")).set(qn("w:num"), str(count))


CENTRE = WD_ALIGN_PARAGRAPH.CENTER


def word_tab_dates() -> None:
    """Word, Calibri: centred name, dates and places on right-aligned tab stops (Jake's-resume style)."""
    r = Resume("Calibri", 10.5)
    r.para(("Daniel Okafor", {"bold": True, "size": 20}), align=CENTRE)
    r.para("Sacramento, CA  |  (916) 555-0148  |  daniel.okafor@example.com  |  github.com/dokafor", align=CENTRE)
    r.heading("EXPERIENCE")
    jobs = [
        ("Senior Software Engineer", "Mar 2021 – Present", "Harbor Logistics", "Sacramento, CA",
         ["Designed RESTful services in Java 17 and Spring Boot that route 40,000 shipments a day",
          "Moved the order history from Oracle to Cassandra and cut p99 read latency from 900 ms to 60 ms",
          "Introduced Hibernate second-level caching and Redis for the rate tables",
          "Mentored four engineers and ran the weekly architecture review"]),
        ("Software Engineer", "Jun 2018 – Feb 2021", "Pinecrest Health Systems", "Roseville, CA",
         ["Built patient scheduling APIs with Node.js, TypeScript and PostgreSQL",
          "Wrote Terraform modules for AWS ECS, RDS and CloudFront",
          "Set up GitHub Actions pipelines with unit, contract and load tests"]),
        ("Software Engineering Intern", "Summer 2017", "Valley Credit Union", "Folsom, CA",
         ["Automated loan report generation in Python and pandas, saving 12 hours a week"]),
    ]
    for title, dates, company, place, items in jobs:
        r.right_tab(title, dates)
        r.right_tab(company, place, {"italic": True}, {"italic": True})
        r.bullets(items)
    r.heading("EDUCATION")
    r.right_tab("California State University, Sacramento", "Aug 2014 – May 2018")
    r.right_tab("B.S. in Computer Science, minor in Mathematics", "GPA 3.7", {"italic": True}, {"italic": True})
    r.heading("SKILLS")
    for label, items in (("Languages", "Java, Python, TypeScript, SQL, Bash"),
                         ("Frameworks", "Spring Boot, Hibernate, Express, React"),
                         ("Data", "PostgreSQL, Cassandra, Redis, Kafka"),
                         ("Tools", "Docker, Kubernetes, Terraform, AWS, Git, Jenkins")):
        r.para((f"{label}: ", {"bold": True}), items)
    r.save("word-tab-dates", tagged=True)


def gdocs_projects() -> None:
    """Google Docs style, Arial: title and subtitle, "Company — Title" then a grey small-caps date
    line, and a projects section with dates on a right tab and a dot leader."""
    r = Resume("Arial", 10, margin=0.8)
    r.para(("Priya Raman", {"size": 24}))
    r.para(("Data Analyst", {"size": 13, "color": "666666"}))
    r.para("Austin, TX · 512-555-0199 · priya.raman@example.org · linkedin.com/in/praman")
    r.heading("Experience", rule=False, size=13)
    for company, title, dates, items in (
            ("Blue River Health", "Data Analyst", "June 2019 – Present",
             ["Built Tableau dashboards for readmission rates used by 30 clinic managers",
              "Wrote SQL and dbt models over a Snowflake warehouse of claims data",
              "Forecast staffing needs with Python (statsmodels, scikit-learn)"]),
            ("Lone Star Grocers", "Business Intelligence Intern", "May 2018 – August 2018",
             ["Cleaned point-of-sale data in Excel and Power Query",
              "Presented weekly sales insights to regional directors"])):
        r.para((company, {"bold": True}), " — ", (title, {"italic": True}))
        r.para((dates, {"small_caps": True, "color": "777777", "size": 9}))
        r.bullets(items)
    r.heading("Projects", rule=False, size=13)
    for name, dates, text in (("Austin bike-share demand model", "2022",
                               "Gradient boosting on weather and event data; R² of 0.81 on held-out months."),
                              ("Open data cleaning toolkit", "2020 – 2021",
                               "A small pandas library for messy city datasets, 150 stars on GitHub.")):
        r.para((name, {"bold": True}), "\t" + dates, tabs=[(r.width, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)])
        r.para(text)
    r.heading("Education", rule=False, size=13)
    r.para(("The University of Texas at Austin", {"bold": True}), " — B.A. Economics, 2019")
    r.heading("Skills", rule=False, size=13)
    r.para("SQL, Python, R, Tableau, Power BI, Excel, dbt, Snowflake, A/B testing, statistics, data visualization")
    r.save("gdocs-projects")


def table_sidebar() -> None:
    """Word, a borderless two-column table: a shaded skills sidebar left, experience right."""
    r = Resume("Calibri", 10, margin=0.6)
    r.para(("MARCUS LINDQVIST", {"bold": True, "size": 22}))
    r.para(("Data Engineer  ·  Minneapolis, MN  ·  marcus.lindqvist@example.net  ·  612-555-0107", {"size": 10}))
    table = r.doc.add_table(rows=1, cols=2)
    borderless(table, (2.2, 5.1))
    side, main = table.cell(0, 0), table.cell(0, 1)
    shade(side, "E8EEF4")
    side.paragraphs[0].text = ""
    r.para(("Core Skills", {"bold": True, "size": 12}), container=side)
    r.bullets(["Python and PySpark", "SQL and data modelling", "Apache Airflow", "Apache Kafka", "dbt",
               "AWS Glue and Redshift", "Docker", "Great Expectations"], container=side)
    r.para(("Certifications", {"bold": True, "size": 12}), container=side, space_before=8)
    r.bullets(["AWS Certified Data Analytics", "Databricks Data Engineer Associate"], container=side)
    r.para(("Languages", {"bold": True, "size": 12}), container=side, space_before=8)
    r.bullets(["English (native)", "Swedish (fluent)"], container=side)
    main.paragraphs[0].text = ""
    r.para(("Profile", {"bold": True, "size": 12}), container=main)
    r.para("Data engineer with six years of building batch and streaming pipelines for retail and "
           "logistics, who cares about tested, documented data that analysts can trust.", container=main)
    r.para(("Experience", {"bold": True, "size": 12}), container=main, space_before=8)
    for title, place, dates, items in (
            ("Senior Data Engineer", "Northstar Retail, Minneapolis", "2021 – present",
             ["Rebuilt the nightly sales pipeline on Airflow and PySpark, from 5 hours to 40 minutes",
              "Streamed store inventory events through Kafka into Redshift",
              "Added data quality checks with Great Expectations to 120 tables"]),
            ("Data Engineer", "Prairie Freight, St. Paul", "2018 – 2021",
             ["Built dbt models for the finance team's revenue reporting",
              "Migrated cron jobs and shell scripts to AWS Glue",
              "Wrote the team's SQL style guide and code review checklist"])):
        r.para((title, {"bold": True}), container=main)
        r.para((f"{place}  |  {dates}", {"italic": True}), container=main)
        r.bullets(items, container=main)
    r.para(("Education", {"bold": True, "size": 12}), container=main, space_before=8)
    r.para("M.S. Information Systems, University of Minnesota, 2018", container=main)
    r.save("table-sidebar")


def header_nurse() -> None:
    """Word, Times New Roman, a registered nurse: name and contact in the page header, licences,
    dates on right-aligned tab stops, bullets."""
    r = Resume("Times New Roman", 11, margin=0.9)
    header = r.doc.sections[0].header
    header.paragraphs[0].text = ""
    name = header.paragraphs[0].add_run("Grace Whitfield, RN, BSN")
    name.bold, name.font.size = True, Pt(16)
    header.paragraphs[0].alignment = CENTRE
    contact = header.add_paragraph("Columbus, OH  •  (614) 555-0162  •  grace.whitfield@example.com")
    contact.alignment = CENTRE
    r.lines += ["Grace Whitfield, RN, BSN", "Columbus, OH  •  (614) 555-0162  •  grace.whitfield@example.com"]
    r.heading("Professional Summary", small_caps=True)
    r.para("Registered nurse with eight years of acute care experience in cardiac step-down and medical-surgical "
           "units. Known for calm triage, clear patient education and precise medication administration.")
    r.heading("Licenses and Certifications", small_caps=True)
    r.bullets(["Registered Nurse, Ohio Board of Nursing, License RN.512345",
               "Basic Life Support (BLS) and Advanced Cardiac Life Support (ACLS), American Heart Association",
               "Progressive Care Certified Nurse (PCCN)"])
    r.heading("Clinical Experience", small_caps=True)
    for title, dates, place, items in (
            ("Charge Nurse, Cardiac Step-Down Unit", "Jan 2020 – Present", "Riverside Methodist Hospital, Columbus",
             ["Coordinate care for a 28-bed unit and assign patients to a team of 9 nurses",
              "Monitor telemetry and titrate heparin and insulin drips per protocol",
              "Precept new graduate nurses and lead monthly sepsis simulations",
              "Document care in Epic and audit charts for fall-risk compliance"]),
            ("Staff Nurse, Medical-Surgical Unit", "Jul 2016 – Dec 2019", "Mount Carmel West, Columbus",
             ["Provided wound care, IV therapy and post-operative assessment for 5–6 patients a shift",
              "Taught discharge plans and medication schedules to patients and families",
              "Served on the unit's infection control committee"])):
        r.right_tab(title, dates)
        r.para((place, {"italic": True}))
        r.bullets(items)
    r.heading("Education", small_caps=True)
    r.right_tab("Bachelor of Science in Nursing, The Ohio State University", "2016")
    r.heading("Skills", small_caps=True)
    r.para("Patient assessment, telemetry monitoring, IV insertion, wound care, medication administration, "
           "patient education, Epic EHR, Spanish (conversational)")
    r.save("header-nurse")


def left_dates_teacher() -> None:
    """Europass-like layout saved as ODT: a borderless table whose narrow left column holds the
    dates, right-aligned, and whose right column holds the job, its school and its duties."""
    r = Resume("Liberation Serif", 11, margin=0.8)
    r.para(("Elena Marquez", {"bold": True, "size": 20}), align=CENTRE)
    r.para("Secondary English Teacher  ·  Tucson, AZ  ·  elena.marquez@example.edu", align=CENTRE)
    for section, rows in (
            ("Teaching Experience", [
                ("Aug 2019 – present", "English Teacher, Grades 10–12", "Sonoran Ridge High School, Tucson",
                 ["Teach five sections of American literature and AP English Language",
                  "Raised the AP pass rate from 48% to 71% in three years",
                  "Designed a project-based unit on local journalism with the Arizona Daily Star"]),
                ("Aug 2015 – Jun 2019", "English and Reading Teacher, Grade 8", "Desert Willow Middle School, Tucson",
                 ["Taught reading intervention with Read 180 and guided reading groups",
                  "Coached the debate club to two state finals"]),
                ("Jan 2015 – May 2015", "Student Teacher", "Catalina Foothills High School",
                 ["Planned and taught a nine-week poetry unit under a mentor teacher"])]),
            ("Education", [
                ("2013 – 2015", "M.Ed. Secondary Education", "University of Arizona", []),
                ("2009 – 2013", "B.A. English Literature", "Northern Arizona University", [])])):
        r.heading(section)
        table = r.doc.add_table(rows=len(rows), cols=2)
        borderless(table, (1.6, 5.3))
        for row, (dates, title, place, items) in zip(table.rows, rows):
            row.cells[0].paragraphs[0].text = ""
            row.cells[1].paragraphs[0].text = ""
            row.cells[0]._tc.remove(row.cells[0].paragraphs[0]._p)
            row.cells[1]._tc.remove(row.cells[1].paragraphs[0]._p)
            r.para((dates, {"color": "555555"}), align=WD_ALIGN_PARAGRAPH.RIGHT, container=row.cells[0])
            r.para((title, {"bold": True}), container=row.cells[1])
            r.para((place, {"italic": True}), container=row.cells[1])
            r.bullets(items, container=row.cells[1])
    r.heading("Skills")
    r.para("Curriculum design, differentiated instruction, classroom management, Google Classroom, Canvas, "
           "formative assessment, Spanish (fluent)")
    r.save("left-dates-teacher", source_suffix=".odt")


def smallcaps_sales() -> None:
    """Word, Calibri: centred small-caps headings between rules, bold figures inside bullets,
    employer and dates on one line with a right tab, a sales manager."""
    r = Resume("Calibri", 11)
    r.para(("Thomas Brennan", {"small_caps": True, "bold": True, "size": 22}), align=CENTRE)
    r.para("Denver, CO  ·  720-555-0133  ·  tbrennan@example.com", align=CENTRE)
    r.heading("Summary", small_caps=True, align=CENTRE)
    r.para("Regional sales manager with eleven years in B2B software and medical devices. I build teams that "
           "sell on value, keep a clean pipeline and close the quarter without discounting.")
    r.heading("Professional Experience", small_caps=True, align=CENTRE)
    for company, dates, title, items in (
            ("Summit MedTech", "April 2019 – Present", "Regional Sales Manager, Mountain West",
             [("Grew territory revenue ", ("from $8.2M to $14.6M", {"bold": True}), " in four years"),
              "Hired and coached a team of seven account executives; two promoted to managers",
              "Ran forecasting and pipeline reviews in Salesforce and Gong",
              ("Won the ", ("President's Club", {"bold": True}), " award in 2021 and 2023")]),
            ("Copperline Software", "June 2013 – March 2019", "Senior Account Executive",
             ["Sold a logistics SaaS platform to mid-market distributors",
              ("Closed ", ("$3.1M", {"bold": True}), " in new annual recurring revenue in 2018, 142% of quota"),
              "Negotiated multi-year contracts with procurement and legal teams"])):
        r.right_tab(company, dates, {"bold": True, "small_caps": True})
        r.para((title, {"italic": True}))
        r.bullets(items)
    r.heading("Education", small_caps=True, align=CENTRE)
    r.right_tab("University of Colorado Boulder, B.S. Business Administration", "2012")
    r.heading("Skills", small_caps=True, align=CENTRE)
    r.para("Consultative selling, negotiation, territory planning, forecasting, Salesforce, HubSpot, "
           "contract management, team leadership")
    r.save("smallcaps-sales")


def two_page_devops() -> None:
    """Word, Calibri, two pages: right-tab dates, a skills list set in two newspaper columns
    (a continuous section break with two columns), bold lead-ins in bullets."""
    r = Resume("Calibri", 11)
    r.para(("Aisha Karimova", {"bold": True, "size": 20}))
    r.para("Site Reliability Engineer  |  Seattle, WA  |  aisha.k@example.dev  |  +1 206 555 0171")
    r.heading("Technical Skills")
    columns(r.doc.add_section(WD_SECTION.CONTINUOUS), 2)
    r.bullets(["Kubernetes, Helm, Argo CD", "Terraform and Pulumi", "AWS (EKS, Lambda, IAM)", "Google Cloud Platform",
               "Prometheus, Grafana, Loki", "Python, Go, Bash", "PostgreSQL and MySQL", "Linux and networking",
               "Incident management", "Chaos engineering"])
    columns(r.doc.add_section(WD_SECTION.CONTINUOUS), 1)
    r.heading("Experience")
    jobs = [
        ("Senior Site Reliability Engineer, Cascade Payments", "Feb 2022 – Present", [
            ("Migrated ", ("40 services", {"bold": True}), " from virtual machines to Kubernetes on EKS with Helm and Argo CD"),
            "Wrote Terraform modules for networking, IAM roles and RDS used by twelve teams",
            "Cut alert noise by 70% by rewriting Prometheus rules around service level objectives",
            "Led the incident review practice and wrote blameless postmortems for every Sev 1",
            "Built a Go command line tool that rotates database credentials through Vault"]),
        ("Site Reliability Engineer, Evergreen Media", "Mar 2019 – Jan 2022", [
            "Ran the video transcoding fleet on Google Cloud Platform with managed instance groups",
            ("Reduced monthly cloud spend by ", ("$85,000", {"bold": True}), " with preemptible nodes and rightsizing"),
            "Introduced Grafana Loki for logs and retired a self-hosted Elasticsearch cluster",
            "Ran quarterly game days with chaos engineering experiments in staging",
            "Wrote runbooks and trained developers for the on-call rotation"]),
        ("Systems Administrator, Puget Sound Community College", "Jul 2016 – Feb 2019", [
            "Automated Linux patching with Ansible across 300 hosts",
            "Administered PostgreSQL and MySQL servers for the student information system",
            "Replaced a tape backup system with restic and object storage",
            "Managed VLANs, firewalls and the campus VPN"]),
        ("IT Support Technician, Rainier Dental Group", "Jun 2014 – Jun 2016", [
            "Supported 60 staff across four clinics by phone and on site",
            "Imaged laptops and managed Active Directory accounts"]),
    ]
    for title, dates, duties in jobs:
        r.right_tab(title, dates)
        r.bullets(duties)
    r.heading("Education")
    r.right_tab("B.S. Information Technology, Western Washington University", "2014")
    r.heading("Certifications")
    r.bullets(["Certified Kubernetes Administrator (CKA), 2021", "AWS Certified Solutions Architect – Associate, 2020",
               "HashiCorp Certified: Terraform Associate, 2022"])
    r.heading("Volunteering")
    r.right_tab("Mentor, Seattle Girls Who Code", "2019 – Present")
    r.para("Teach weekly Python and Linux workshops to high school students and review their capstone projects.")
    r.heading("Selected Talks")
    for talk, year in (("Migrating payments to Kubernetes without downtime, KubeCon North America", "2023"),
                       ("Alerting on SLOs, not symptoms, SREcon Americas", "2022"),
                       ("Terraform at twelve teams, HashiConf Digital", "2021")):
        r.right_tab(talk, year, {})
    r.save("two-page-devops")


def label_table_dba() -> None:
    """Word, a one-column page with a two-column table of skills in its flow: a label cell
    ("Databases") beside the values it heads, which wrap onto more lines; bordered, as Word's
    default table is. Written by the team."""
    r = Resume("Calibri", 11, margin=0.8)
    r.para(("Siddharth Raghunathan", {"bold": True, "size": 18}))
    r.para("Senior Database Administrator · Charlotte, NC · 704-555-0124 · sid.r@example.com")
    r.heading("Summary")
    r.para("Database administrator with ten years running SQL Server and PostgreSQL for a regional bank: high "
           "availability, backup and recovery, performance tuning and audit-ready security.")
    r.heading("Technical Skills")
    rows = (("Databases", "Microsoft SQL Server 2016–2022, PostgreSQL 14, Oracle 19c, Amazon RDS"),
            ("HA / DR", "Always On availability groups, log shipping, backup and recovery, disaster recovery testing"),
            ("Tuning", "query optimization, index tuning, Query Store, execution plan analysis"),
            ("Automation", "PowerShell, T-SQL, dbatools, Ansible, Git"),
            ("Monitoring & security", "SolarWinds DPA, Redgate SQL Monitor, SOX compliance, role-based access control"))
    table = r.doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, values in rows:
        cells = table.add_row().cells
        cells[0].width, cells[1].width = Inches(2.6), Inches(4.3)
        cells[0].paragraphs[0].add_run(label).bold = True
        cells[1].paragraphs[0].add_run(values)
        r.lines += [label, values]
    r.heading("Experience")
    r.right_tab("Senior Database Administrator", "2018 – Present")
    r.para(("Carolina Piedmont Bank, Charlotte, NC", {"italic": True}))
    r.bullets(["Managed 140 SQL Server instances and 30 PostgreSQL clusters holding 45 TB of data.",
               "Built Always On availability groups across two data centers and ran quarterly DR failover tests.",
               "Cut average batch runtime by 38% through index tuning and query rewrites.",
               "Automated patching and backup checks with PowerShell and dbatools."])
    r.right_tab("Database Administrator", "2014 – 2018")
    r.para(("Queen City Health Systems, Charlotte, NC", {"italic": True}))
    r.bullets(["Supported Epic Clarity and SQL Server reporting databases; migrated 20 databases to new hardware."])
    r.heading("Education")
    r.para("B.Tech., Computer Science, Anna University, 2013")
    r.save("label-table-dba")


# A resume kept as a plain text file and printed as it is (LibreOffice sets a .txt in Liberation
# Mono, wrapping its long lines): every space sits on one grid, so word spaces line up down the
# page like a gutter; the equipment is two columns padded with spaces. Written by the team.
PLAIN_TEXT = """\
JORDAN PELLETIER
Journeyman Sheet Metal Worker — SMART Local 112
Ashgrove, WI · 555-332-0980 · jpelletier.tinner@example.com

PROFILE
Journeyman sheet metal worker with 12 years of commercial HVAC ductwork fabrication and installation. At home in the shop on the plasma table and brake, and on site hanging duct from scissor lifts. I read drawings well, lay out fittings fast, and keep crews safe.

SKILLS & ABILITIES
• Blueprint reading
• Duct layout and fabrication
• Pattern development
• CNC plasma cutting
• Press brake and shear operation
• Spiral duct installation
• TIG and MIG welding
• Spot welding
• SMACNA standards
• Scissor lift and boom lift
• OSHA 30 Construction
• Crew leadership

EXPERIENCE
Journeyman Sheet Metal Worker | Halvorsen Mechanical, Ashgrove, WI | 2017 – present
- Laid out and fabricated rectangular and round fittings from shop drawings, to SMACNA standards.
- Programmed and ran a Lockformer Vulcan CNC plasma table and a 10-ft press brake.
- Installed supply, return and exhaust duct in hospitals and schools, including fire dampers and VAV boxes.
- Sealed and pressure-tested duct systems and fixed leaks before balancing.
- Led a crew of three apprentices and checked their work each day.

Sheet Metal Apprentice | Northway Air Systems, Green Ridge, WI | 2012 – 2017
- Cut, bent and seamed galvanized and stainless sheet with shears, brakes and Pittsburgh lock formers.
- Welded stainless kitchen exhaust hoods with TIG.
- Hung duct with threaded rod and strut and installed diffusers and grilles.

EQUIPMENT
  Lockformer Vulcan plasma table    Press brake
  Pittsburgh lock former            Spot welder
  Scissor lift                      Boom lift

EDUCATION & TRAINING
Five-year sheet metal apprenticeship, Wisconsin Sheet Metal JATC, 2017
High School Diploma, Ashgrove Senior High, 2011

CERTIFICATIONS
OSHA 30 · AWS D9.1 sheet metal welding · NFPA 70E awareness · First Aid/CPR
"""


def plain_text_sheet_metal() -> None:
    name = "plain-text-sheet-metal"
    (HERE / f"{name}.txt").write_text(PLAIN_TEXT, encoding="utf-8")
    with tempfile.TemporaryDirectory() as work:
        soffice(Path(work), "pdf", HERE / f"{name}.txt")
        shutil.copy(Path(work) / f"{name}.pdf", HERE / f"{name}.pdf")
    subprocess.run(["pdftotext", "-layout", f"{name}.pdf", f"{name}.layout.txt"], cwd=HERE, check=True)


if __name__ == "__main__":
    for make in (word_tab_dates, gdocs_projects, table_sidebar, header_nurse, left_dates_teacher, smallcaps_sales,
                 two_page_devops, plain_text_sheet_metal, label_table_dba):
        make()
