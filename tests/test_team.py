"""Team-written resumes (corpus/team/raw): the marks become exact spans, the format's errors are
one line with file and line, and the committed files hold what docs/annotation-guidelines.md asks."""

from pathlib import Path

import pytest

from skillner.annotate.team import TeamFormatError, parse_team_file, team_records

RAW = Path(__file__).resolve().parents[1] / "corpus" / "team" / "raw"
DEV = RAW.parent / "dev"
EDGE_WORDS = {"and", "or", "with", "while", "in", "of", "to", "the"}


def test_marks_become_spans_of_the_text_without_them(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("### team-x-01 | occupation: welder | family: Production\n\n"
                    "Skills: [[TIG welding|JOB_SKILL]], [[blueprint reading|JOB_SKILL]]\n"
                    "Ran a [[plasma cutter|TECH_TOOL]] with [[teamwork|SOFT_SKILL]].\n\n"
                    "### team-x-02 | occupation: cook | family: Food Preparation and Serving Related\n"
                    "[[ServSafe|JOB_SKILL]] certified\n", encoding="utf-8")
    first, second = parse_team_file(path)
    assert first.text == "Skills: TIG welding, blueprint reading\nRan a plasma cutter with teamwork."
    assert [(first.text[s.start:s.end], s.label) for s in first.spans] == [
        ("TIG welding", "JOB_SKILL"), ("blueprint reading", "JOB_SKILL"), ("plasma cutter", "TECH_TOOL"),
        ("teamwork", "SOFT_SKILL")]
    assert second.text == "ServSafe certified" and second.meta["written_by"] == "skillner team"
    assert second.meta["family"] == "Food Preparation and Serving Related"


@pytest.mark.parametrize("body,says", [("[[welding|SKILL]]", "unknown label 'SKILL'"),
                                       ("[[welding]]", "a mark that is not"),
                                       ("[[ welding|JOB_SKILL]]", "spaces at its ends")])
def test_a_broken_mark_is_one_line_with_file_and_line(tmp_path, body, says):
    path = tmp_path / "b.txt"
    path.write_text(f"### team-x-01 | occupation: welder | family: Production\n{body}\n", encoding="utf-8")
    with pytest.raises(TeamFormatError, match=says) as caught:
        parse_team_file(path)
    assert str(caught.value).startswith(f"{path}:2:")


@pytest.mark.skipif(not RAW.is_dir(), reason="no team-written resumes yet")
def test_the_team_resumes_are_marked_as_the_guidelines_say():
    records, report = team_records(RAW)
    assert all(r["meta"]["source"] == "team" and r["meta"]["written_by"] == "skillner team" for r in records)
    assert report.problems == [] and report.spans_kept == report.spans_in
    occupations = {r["meta"]["occupation"] for r in records}
    assert len(occupations) == len(records) >= 60
    assert len({r["meta"]["family"] for r in records}) >= 15
    edges = [span for r in records for span in (r["text"][s["start"]:s["end"]] for s in r["spans"])
             if span.split()[0].lower() in EDGE_WORDS or span.split()[-1].lower() in EDGE_WORDS]
    assert edges == []


@pytest.mark.skipif(not DEV.is_dir(), reason="no team-written dev set yet")
def test_the_dev_set_is_large_spread_and_shares_no_occupation_or_text_with_training():
    dev, report = team_records(DEV)
    train, _ = team_records(RAW)
    assert report.problems == [] and report.spans_kept == report.spans_in
    assert len(dev) >= 100 and len({r["meta"]["family"] for r in dev}) >= 20
    assert all(r["meta"]["id"].startswith("team-dev-") and r["meta"]["written_by"] == "skillner team" for r in dev)
    occupations = {r["meta"]["occupation"].lower() for r in train}
    assert [r["meta"]["occupation"] for r in dev if r["meta"]["occupation"].lower() in occupations] == []
    train_lines = {line.strip() for r in train for line in r["text"].splitlines() if len(line.split()) >= 8}
    shared = [line for r in dev for line in r["text"].splitlines() if line.strip() in train_lines]
    assert shared == []
