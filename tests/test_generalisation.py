import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from skillner.annotate.skillspan import bio_spans, merge_overlaps, read_skillspan
from skillner.cli import app
from skillner.measure.generalisation import (
    DEFAULT_TAXONOMIES,
    MAINSTREAM_NAMES,
    NameMatcher,
    card_lines,
    inside,
    mainstream_check,
    mainstream_names,
    mainstream_recall,
    overlapped,
    precision_warning,
    skillspan_check,
)

from .conftest import MODEL, ROOT


def _line(idx, tokens, skill, knowledge, source="tech"):
    return json.dumps({"idx": idx, "tokens": tokens, "tags_skill": skill, "tags_knowledge": knowledge,
                       "source": source})


@pytest.fixture
def skillspan_file(tmp_path):
    path = tmp_path / "dev.json"
    path.write_text("\n".join([
        _line(1, ["We", "need", "Python", "and", "team", "work"], ["O", "O", "O", "O", "B", "I"],
              ["O", "O", "B", "O", "O", "O"]),
        _line(1, ["Build", "data", "pipelines"], ["B", "I", "I"], ["O", "B", "O"]),
        _line(2, ["Use", "SQL"], ["O", "O"], ["O", "B"], "house"),
        _line(2, ["Use", "SQL"], ["O", "O"], ["O", "B"], "house"),
    ]) + "\n")
    return path


def test_postings_are_one_text_with_exact_gold_offsets(skillspan_file):
    postings, merged = read_skillspan(skillspan_file)
    first = postings[0]
    assert first.text == "We need Python and team work\nBuild data pipelines"
    assert [first.text[a:b] for a, b, _ in first.spans] == ["Python", "team work", "Build data pipelines"]
    assert merged["overlap_dropped"] == 1  # KNOWLEDGE "data" inside SKILL "Build data pipelines"
    assert [(p.idx, p.source) for p in postings] == [(1, "tech"), (2, "house")]
    assert [postings[1].text[a:b] for a, b, _ in postings[1].spans] == ["SQL", "SQL"]
    assert len(read_skillspan(skillspan_file, limit=1)[0]) == 1


def test_bio_and_overlap_merge_keep_the_longer_span():
    assert bio_spans(["B", "I", "O", "I", "B"]) == [(0, 2), (3, 4), (4, 5)]
    kept, counts = merge_overlaps([(0, 3), (1, 2), (0, 3), (5, 6)])
    assert kept == [(0, 3), (5, 6)]
    assert counts == {"identical": 1, "overlap_dropped": 1}


def test_a_bad_skillspan_line_names_its_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(_line(1, ["a"], ["O"], ["O"]) + "\n{not json\n")
    with pytest.raises(ValueError, match="bad.json:2"):
        read_skillspan(path)


def _names(text, names):
    return [text[a:b] for a, b, _ in NameMatcher(names).find(text)]


def test_names_match_at_word_boundaries_only():
    text = "JavaScript, Java; MySQL and SQL. HTML5 or HTML. mail x@sas.name, SAS, C++ and C#"
    assert _names(text, ["Java", "SQL", "HTML", "SAS", "C++", "C#"]) == ["Java", "SQL", "HTML", "SAS", "C++", "C#"]


def test_ordinary_words_need_the_taxonomy_case_other_names_do_not():
    text = "I excel at Excel and EXCEL; slack time on Slack; python and PYTHON; machine  Learning"
    assert _names(text, ["Excel", "Slack", "Python", "machine learning"]) == [
        "Excel", "EXCEL", "Slack", "python", "PYTHON", "machine  Learning"]


def test_longest_name_wins_where_names_overlap():
    text = "Microsoft SQL Server 2016, SQL Server and SQL"
    assert _names(text, ["SQL", "SQL Server", "Microsoft SQL Server"]) == ["Microsoft SQL Server", "SQL Server", "SQL"]


def test_inside_needs_a_containing_prediction_overlapped_any_overlap():
    occurrence = (10, 15, "Excel")
    assert inside(occurrence, [(7, 15, "TECH_TOOL")]) and overlapped(occurrence, [(7, 15, "TECH_TOOL")])
    assert not inside(occurrence, [(12, 20, "TECH_TOOL")]) and overlapped(occurrence, [(12, 20, "TECH_TOOL")])
    assert not overlapped(occurrence, [(15, 20, "TECH_TOOL")])  # touching is not overlap


def test_mainstream_recall_counts_per_corpus_and_name():
    matcher = NameMatcher(["Excel", "Python"])
    corpora = {"resumes": (["MS Excel, Python"], [[(0, 8, "TECH_TOOL"), (12, 14, "TECH_TOOL")]]),
               "postings": (["Python"], [[]])}
    result = mainstream_recall(matcher, corpora, n_bootstrap=20)
    assert result["per_corpus"]["resumes"]["inside"] == 0.5
    assert result["per_corpus"]["resumes"]["overlapped"] == 1.0
    assert result["overall"]["occurrences"] == 3 and result["overall"]["inside"] == pytest.approx(1 / 3)
    assert result["top_names"][0] == {"name": "Python", "found": 0, "total": 2}
    assert result["most_missed"][0]["name"] == "Python"


def test_precision_warning_counts_spans_with_neither_gold_nor_vocabulary_support():
    text = "Python, teamwork, blue sky"
    predicted = [[(0, 6, "TECH_TOOL"), (8, 16, "SOFT_SKILL"), (18, 26, "JOB_SKILL")]]
    gold = [[(8, 12, "SOFT_SKILL")]]
    result = precision_warning([text], gold, predicted, alias_keys={"python"})
    assert (result["predicted"], result["unsupported"]) == (3, 1)
    assert result["examples"] == [{"text": "blue sky", "label": "JOB_SKILL", "count": 1}]


def test_shipped_name_list_has_the_mainstream_tools_and_no_excluded_names():
    names = pd.read_csv(MAINSTREAM_NAMES, dtype=str, keep_default_na=False)
    assert list(names.columns) == ["name", "source", "flag"]
    assert {"Excel", "SQL", "Python", "Haskell", "AWS"} <= set(names.name)
    assert not {"R", "Go", "Google", "Accounting software", "Project"} & set(names.name)
    assert names.name.str.casefold().is_unique


@pytest.mark.skipif(not DEFAULT_TAXONOMIES.is_dir(), reason="shared taxonomies not available")
def test_shipped_name_list_is_what_the_taxonomies_give():
    shipped = pd.read_csv(MAINSTREAM_NAMES, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(mainstream_names(DEFAULT_TAXONOMIES), shipped)


def test_shipped_model_on_a_few_skillspan_postings():
    import spacy

    result = skillspan_check(spacy.load(MODEL), ROOT / "corpus" / "skillspan" / "dev.json", n_bootstrap=50, limit=3)
    assert result["postings"] == 3
    strict, partial = result["strict"], result["partial"]
    assert strict["gold"] > 0 and strict["pred"] > 0
    assert 0 < strict["f"] <= partial["f"] <= 1
    assert strict["ci95"][0] <= strict["f"] <= strict["ci95"][1]
    assert sum(s["postings"] for s in result["per_source"].values()) == 3


def test_cli_names_a_missing_file(tmp_path):
    result = CliRunner().invoke(app, ["generalisation", "--skillspan", str(tmp_path / "none.json")])
    assert result.exit_code == 1
    assert "none.json" in result.output


def test_mainstream_recall_splits_occurrences_by_whether_training_labelled_them():
    matcher = NameMatcher(["Excel", "Drupal"])
    corpora = {"resumes": (["Excel and DRUPAL"], [[(0, 5, "TECH_TOOL")]])}
    split = mainstream_recall(matcher, corpora, n_bootstrap=0, seen={"excel"})["by_training"]
    assert (split["seen"]["occurrences"], split["seen"]["inside"]) == (1, 1.0)
    assert (split["unseen"]["occurrences"], split["unseen"]["inside"]) == (1, 0.0)


@pytest.fixture
def two_resumes(tmp_path):
    from spacy.tokens import DocBin

    from skillner.annotate.convert import load_labelled

    docs, _ = load_labelled(ROOT / "build" / "data" / "dev.spacy")
    small = tmp_path / "small.spacy"
    DocBin(docs=docs[:2], store_user_data=True).to_disk(small)
    return small


def test_mainstream_check_with_the_shipped_model_and_the_shipped_name_list(tmp_path, two_resumes):
    import spacy

    result = mainstream_check(spacy.load(MODEL), two_resumes, ROOT / "corpus" / "skillspan" / "dev.json",
                              taxonomy_dir=tmp_path / "absent", n_bootstrap=20, limit=2, train=two_resumes)
    assert result["names_from"] == str(MAINSTREAM_NAMES)
    found = result["per_corpus"]["dev_resumes"]["occurrences"] + result["per_corpus"]["skillspan"]["occurrences"]
    assert found == result["overall"]["occurrences"] > 0
    assert result["overall"]["inside"] <= result["overall"]["overlapped"]
    assert result["precision_warning"]["predicted"] > 0


def test_cli_writes_the_whole_report(tmp_path, skillspan_file, two_resumes):
    small = two_resumes
    out = tmp_path / "report.json"
    team = tmp_path / "team"
    team.mkdir()
    (team / "a.txt").write_text(
        "### team-dev-x-01 | occupation: welder | family: Production\nWelder\nSKILLS\n[[TIG welding|JOB_SKILL]], "
        "[[Microsoft Excel|TECH_TOOL]]\n### team-dev-x-02 | occupation: cook | family: Food Preparation and Serving "
        "Related\nRan the [[grill|TECH_TOOL]] and did [[food safety|JOB_SKILL]] checks.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["generalisation", "--model", str(MODEL), "--dev", str(small), "--train",
                                      str(small), "--skillspan", str(skillspan_file), "--out", str(out),
                                      "--occupations", str(team), "--team-train", str(small)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["dev"]["docs"] == 2 and report["skillspan"]["postings"] == 2
    assert report["skillspan"]["repeated_sentences"] == 1
    mainstream = report["mainstream"]
    assert sum(r["occurrences"] for r in mainstream["by_training"].values()) == mainstream["overall"]["occurrences"]
    assert "SkillSpan dev (2 postings" in result.output
    card = "\n".join(card_lines(report))
    assert f"| strict | {report['skillspan']['strict']['p']:.3f} |" in card and "names unseen in training" in card
    occupations = report["occupations"]
    assert set(occupations["per_family"]) == {"Production", "Food Preparation and Serving Related"}
    assert occupations["overall"]["strict"]["gold"] == 4 and occupations["per_family"]["Production"]["listed_items"] == 2
    assert "| Production | 1 |" in card and "team-written dev set, 2 resumes" in card


def test_precision_warning_with_concepts_spares_known_tools(tmp_path):
    from skillner.taxonomy.vocabulary import ConceptIndex

    text = "Photoshop, blue sky"
    predicted = [[(0, 9, "TECH_TOOL"), (11, 19, "JOB_SKILL")]]
    result = precision_warning([text], [[]], predicted, alias_keys=set(), concepts=ConceptIndex.load())
    assert (result["unsupported"], result["unsupported_loose"]) == (2, 1)
    assert result["fraction_loose"] == 0.5
