"""Skills lists: which lines are a skills section, how items split, what of an item names the skill,
the component that adds the items a NER left, the distant labels they give training, and the
label-free check (`skillner listed-skills`)."""

import json
import subprocess
import sys

import pytest
import spacy
from spacy.tokens import Span
from spacy.training import Example

from skillner.measure.listed import listed_report
from skillner.pipeline.augment import fill_listed
from skillner.pipeline.sections import listed_items, skill_core

RESUME = """Dana Whitfield
Licensed practical nurse · Akron, OH

SUMMARY
Nurse with six years of wound care and medication administration in long-term care.

EXPERIENCE
Charge Nurse, Maple Grove Care Center (2019 to present)
- Performed wound care and IV therapy for 30 residents.

Core Competencies
Wound care | IV therapy     Medication administration
• Proficient in PointClickCare
* Strong knowledge of infection control
Software: Microsoft Excel, Epic (charting, orders)
Dependable, Team player, Detail-oriented

EDUCATION
Diploma in Practical Nursing, Summit Technical College, 2018
Skills: CPR, BLS; Spanish
"""


def items(text):
    return [item.text for item in listed_items(text)]


def test_items_come_from_skills_headings_only_and_split_as_people_list_them():
    assert items(RESUME) == [
        "Wound care", "IV therapy", "Medication administration", "Proficient in PointClickCare",
        "Strong knowledge of infection control", "Microsoft Excel", "Epic (charting, orders)",
        "Dependable", "Team player", "Detail-oriented", "CPR", "BLS", "Spanish"]
    offsets = listed_items(RESUME)
    assert all(RESUME[i.start:i.end] == i.text for i in offsets)
    assert {i.heading for i in offsets} == {"core competencies", "software", "skills"}


def test_lists_under_other_skills_headings_keep_acronyms_and_standards():
    """What a new user's resumes showed: a lone acronym in capitals is an item, not the next
    heading; a standard's number is no date; "Core Qualifications" and "<Anything> Skills" head
    lists, and "Communication Skills" inside a list is an item; a list line ending in a section
    word is items; an achievement line ("Highlights at Acme") heads nothing."""
    text = ("Core Qualifications\nHACCP\nKnife skills\nCompliance: OSHA 29 CFR 1910, ISO 45001\n"
            "Communication Skills\nGlobal Marketing, Marketo, Training\nEXPERIENCE\nCook, Diner, 2015 - 2019\n"
            "Clinical Skills\nWound care\nTools and skills: multimeter, engine rebuilds\nTeaching Experience\n"
            "Taught science\nHighlights at Acme\nWon an award\n: no heading\n")
    assert items(text) == ["HACCP", "Knife skills", "OSHA 29 CFR 1910", "ISO 45001", "Communication Skills",
                           "Global Marketing", "Marketo", "Training", "Wound care", "multimeter", "engine rebuilds"]



def test_a_section_ends_at_the_next_heading_a_dated_line_or_prose():
    text = ("SKILLS\nExcel, Word\nEXPERIENCE\nUsed Excel daily, Word too\n"
            "Technologies\nJava, SQL\nOracle - Gurgaon, 2016 to 2017\nSpring, Hibernate\n"
            "Tools\nGit\nI led a team of five people who shipped our billing system on time and on budget\nJira, Maven")
    assert items(text) == ["Excel", "Word", "Java", "SQL", "Git"]


@pytest.mark.parametrize("item,core", [
    ("Proficient in Microsoft Office", "Microsoft Office"),
    ("Strong knowledge of medical terminology", "medical terminology"),
    ("Excellent written and verbal communication", "written and verbal communication"),
    ("Advanced Excel (pivot tables, VLOOKUP)", "Excel"),
    ("than 1 year), Java", "Java"),
    ("Forklift operation", "Forklift operation"),
    ("Dependable", None), ("Team player", None), ("Results-driven", None), ("2 years", None),
    ("www.indeed.com/r/jane-doe", None), ("ASP.NET", "ASP.NET"),
])
def test_the_skill_inside_an_item(item, core):
    bounds = skill_core(item)
    assert (item[bounds[0]:bounds[1]] if bounds else None) == core


def ner_free_nlp():
    nlp = spacy.blank("en")
    return nlp


def test_the_component_adds_what_the_ner_left_once_and_other_occurrences_of_phrases():
    nlp = ner_free_nlp()
    doc = nlp.make_doc(RESUME)
    epic = RESUME.index("Epic")
    doc.ents = [doc.char_span(epic, epic + 4, label="TECH_TOOL")]
    doc = nlp.add_pipe("skillner_listed_skills")(doc)
    found = [(e.text, e.label_) for e in doc.ents]
    assert ("Epic", "TECH_TOOL") in found and ("PointClickCare", "JOB_SKILL") in found
    assert ("infection control", "JOB_SKILL") in found
    assert not any(text in {"Dependable", "Team player", "Detail-oriented"} for text, _ in found)
    # "wound care" in the summary and the bullet is found through the list; "Spanish", one
    # lower-case word, is not spread to other places
    assert [e.start_char for e in doc.ents if e.text.lower() == "wound care"] == [
        RESUME.index("wound care"), RESUME.index("wound care", RESUME.index("wound care") + 1),
        RESUME.index("Wound care")]
    assert doc.user_data["skillner_listed"] == len(found) - 1
    assert len({(e.start, e.end) for e in doc.ents}) == len(doc.ents)


def test_the_component_takes_the_gazetteers_label_for_an_exact_match():
    nlp = ner_free_nlp()
    doc = nlp.make_doc("SKILLS\nMicrosoft Excel, payroll")
    doc.spans["gazetteer"] = [Span(doc, 2, 4, label="TECH_TOOL")]
    doc = nlp.add_pipe("skillner_listed_skills")(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("Microsoft Excel", "TECH_TOOL"), ("payroll", "JOB_SKILL")]


def test_distant_labels_fill_only_what_the_annotator_left():
    nlp = ner_free_nlp()
    reference = nlp.make_doc("SKILLS\nPayroll, QuickBooks, bank reconciliation\nDid bank reconciliation weekly.")
    reference.ents = [Span(reference, 4, 5, label="TECH_TOOL")]  # QuickBooks, labelled
    example = fill_listed(Example(nlp.make_doc(reference.text), reference), lambda span: "JOB_SKILL")
    assert [(e.text, e.label_, e.start_char) for e in example.reference.ents] == [
        ("Payroll", "JOB_SKILL", 7), ("QuickBooks", "TECH_TOOL", 16), ("bank reconciliation", "JOB_SKILL", 28),
        ("bank reconciliation", "JOB_SKILL", 52)]
    untouched = nlp.make_doc("Did payroll weekly.")
    same = Example(nlp.make_doc(untouched.text), untouched)
    assert fill_listed(same, lambda span: "JOB_SKILL") is same


def test_the_report_scores_items_not_traits_per_group():
    text = "Skills: Excel, payroll, Dependable"
    excel = text.index("Excel")
    report = listed_report([("office", "a.txt", text, [(excel, excel + 5)]), ("office", "b.txt", "No list here.", []),
                            ("care", "c.txt", "SKILLS\nwound care", [])])
    assert report["items"] == 3 and report["found"] == 1 and report["traits_not_scored"] == 1
    assert report["groups"]["office"] == {"items": 2, "found": 1, "share": 0.5, "resumes": 2, "without_list": 1}
    assert report["lowest_group"] == "care" and report["most_missed"][:1] == [("payroll", 1)]
    assert [(r["resume"], r["items"], r["found"]) for r in report["per_resume"]] == [
        ("a.txt", 2, 1), ("b.txt", 0, 0), ("c.txt", 1, 0)]


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "skillner.cli", *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.slow
def test_listed_skills_reads_a_folder_per_occupation_and_names_what_it_could_not_read(tmp_path):
    (tmp_path / "nurse").mkdir()
    (tmp_path / "nurse" / "a.txt").write_text(RESUME, encoding="utf-8")
    (tmp_path / "welder").mkdir()
    (tmp_path / "welder" / "b.txt").write_text("SKILLS\nMIG welding, TIG welding, Python\n", encoding="utf-8")
    (tmp_path / "welder" / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    (tmp_path / "welder" / "notes.xyz").write_text("x")
    out = tmp_path / "report.json"
    done = run("listed-skills", str(tmp_path), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "broken.pdf" in done.stderr and "notes.xyz" in done.stderr
    report = json.loads(out.read_text())
    assert set(report["groups"]) == {"nurse", "welder"} and report["groups"]["welder"]["items"] == 3
    assert report["items"] == 13 - 3 + 3 and 0 < report["share"] <= 1
    assert len(report["not_read"]) == 2
    missing = run("listed-skills", str(tmp_path / "nope"))
    assert missing.returncode == 1 and missing.stderr.strip() == f"error: no such file or folder: {tmp_path / 'nope'}"


def test_import_team_writes_a_docbin_and_a_broken_mark_is_one_line(tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    (good / "a.txt").write_text("### team-x-01 | occupation: welder | family: Production\n"
                                "Skills: [[TIG welding|JOB_SKILL]], [[forklift|TECH_TOOL]]\n", encoding="utf-8")
    out = tmp_path / "team.spacy"
    done = run("import-team", str(good), "--out", str(out), "--jsonl", str(tmp_path / "team.jsonl"))
    assert done.returncode == 0, done.stderr
    assert "1 team-written resumes, 2/2 spans kept, 1 job families" in done.stdout
    from skillner.annotate.convert import read_docbin

    assert [e.text for e in read_docbin(out)[0].ents] == ["TIG welding", "forklift"]
    (good / "a.txt").write_text("### team-x-01 | occupation: welder | family: Production\n[[TIG|SKILL]]\n")
    broken = run("import-team", str(good), "--out", str(out))
    assert broken.returncode == 1 and broken.stderr.count("\n") == 1 and "unknown label 'SKILL'" in broken.stderr


def test_text_without_its_line_breaks_still_has_its_skills_list():
    flat = ("ACCOUNTANT     Summary     Staff accountant with five years of month-end close and audit support for "
            "manufacturing clients, known for clean workpapers and on-time filings across three ledgers.     "
            "Experience     Accountant  01/2019 to Current   Company Name  City , State   Prepared journal entries "
            "and account reconciliations for twelve entities.     Skills     Accounts payable, general ledger, "
            "QuickBooks, Microsoft Excel, payroll     Education     B.S. : Accounting  State University")
    assert items(flat) == ["Accounts payable", "general ledger", "QuickBooks", "Microsoft Excel", "payroll"]
    assert all(flat[i.start:i.end] == i.text for i in listed_items(flat))


def test_a_sample_to_judge_draws_from_both_places_and_precision_counts_only_verdicts():
    from skillner.measure.listed import judged_precision, sample_mentions

    skills_at = RESUME.index("Wound care |")
    prose_at = RESUME.index("wound care and medication")
    mentions = [(skills_at, skills_at + 10, "JOB_SKILL"), (prose_at, prose_at + 10, "JOB_SKILL")]
    rows = sample_mentions([("care", "a.txt", RESUME, mentions)], 2)
    assert sorted(r["where"] for r in rows) == ["running text", "skills list"]
    assert all("[[" + r["text"] + "]]" in r["context"] and r["verdict"] == "" for r in rows)
    rows[0]["verdict"], rows[1]["verdict"] = "skill", "not"
    result = judged_precision(rows + [{"where": "running text", "group": "care", "verdict": ""}])
    assert result["all"] == {"judged": 2, "skills": 1, "precision": 0.5} and result["unjudged"] == 1
    assert result["places"] == {"running text": {"judged": 1, "skills": 0, "precision": 0.0},
                                "skills list": {"judged": 1, "skills": 1, "precision": 1.0}}
    assert list(result["groups"]) == ["care"]


def test_a_time_phrase_ends_an_items_skill_and_records_or_terms_are_none():
    def core(text):
        found = skill_core(text)
        return found and text[found[0]:found[1]]

    assert core("CPR and First Aid, renewed 2024") == "CPR and First Aid"
    assert core("DOT medical card, current through 2026") == "DOT medical card"
    assert [core(t) for t in ("Windows 2000", "OSHA 29 CFR 1910")] == ["Windows 2000", "OSHA 29 CFR 1910"]
    assert [core(t) for t in ("Clean driving record", "no preventable collisions since 2014", "Certified in 2019",
                              "Weekend and holiday availability", "Perfect attendance in 2022 and 2023")] == [None] * 5


def test_a_list_closes_at_a_year_alone_and_at_another_heading_with_a_colon():
    """Flattened text: a skills list runs on into what follows unless these close it."""
    summary = "Summary     " + "Ran the office of a busy community centre with many volunteers. " * 5  # one long line
    assert items(summary + "    Skills    Excel  Word    2016    Acme Corp  Halifax") == ["Excel", "Word"]
    assert items("SKILLS\nExcel, Word\nProfessional Experience: Web Design\nAcme Corp, Halifax") == ["Excel", "Word"]


def test_names_listed_in_an_items_brackets_are_skills_too_but_levels_and_durations_are_not():
    from skillner.pipeline.sections import bracket_items

    def names(text):
        return [text[a:b] for a, b in bracket_items(text)]

    assert names("Radiation delivery (IMRT, VMAT, SBRT)") == ["IMRT", "VMAT", "SBRT"]
    assert names("Excel (pivot tables, VLOOKUP)") == ["pivot tables", "VLOOKUP"]
    assert [names(t) for t in ("Italian (native)", "Spanish (fluent, written)", "Java (Less than 1 year)",
                               "CPR (AHA, 2023)")] == [[]] * 4
    nlp = ner_free_nlp()
    doc = nlp.add_pipe("skillner_listed_skills")(nlp.make_doc("SKILLS\nRadiation delivery (IMRT, VMAT), ARIA"))
    assert [e.text for e in doc.ents] == ["Radiation delivery", "IMRT", "VMAT", "ARIA"]


def test_a_tables_label_cell_and_a_products_versions_do_not_break_a_list():
    """A Word table row read as "label | values" lists its values; "2016–2022" after a product is
    its versions, while an employer's dates still close the list; "SAP S/4HANA" in capitals is
    an item, not a heading."""
    text = ("Technical Skills\nDatabases | Microsoft SQL Server 2016–2022, PostgreSQL 14, Oracle 19c\n"
            "Automation | PowerShell, Ansible\nACCRUALS\nSAP S/4HANA\nCOUPA\n"
            "Senior DBA, Carolina Bank, Charlotte, NC, 2018 – Present\nIndex tuning, PowerShell")
    assert items(text) == ["Microsoft SQL Server 2016–2022", "PostgreSQL 14", "Oracle 19c", "PowerShell", "Ansible",
                           "ACCRUALS", "SAP S/4HANA", "COUPA"]
