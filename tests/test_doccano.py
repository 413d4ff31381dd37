"""The annotation bridge against a real Doccano server (started by the `doccano` fixture)."""

import json
import subprocess

import pytest

from skillner.annotate.convert import read_jsonl
from skillner.annotate.doccano import Credentials, DoccanoClient, DoccanoError, credentials_from_env, pull, push
from skillner.measure.agreement import agreement

from .conftest import ROOT

pytestmark = pytest.mark.slow
CORPUS = ROOT / "annotations" / "dotin.jsonl.gz"


def spans_of(record):
    return [(s["start"], s["end"], s["label"]) for s in record["spans"]]


@pytest.fixture(scope="module")
def admin(doccano):
    client = DoccanoClient(Credentials(doccano["DOCCANO_URL"], "admin", doccano["DOCCANO_PASSWORD"]))
    yield client
    client.close()


@pytest.fixture(scope="module")
def full_project(admin, tmp_path_factory):
    """All 307 bundled resumes pushed, confirmed and pulled once."""
    records = read_jsonl(CORPUS)
    summary = push(admin, records, "all-resumes", create=True, workers=4)
    project = admin.project("all-resumes")
    for example in admin.examples(project["id"]):
        admin.confirm(project["id"], example["id"])
    out = tmp_path_factory.mktemp("pull") / "all.jsonl"
    pulled = pull(admin, "all-resumes", out, confirmed_only=True)
    return {"records": records, "push": summary, "pull": pulled, "out": out, "project": project}


def test_all_307_resumes_round_trip_with_identical_text_and_spans(full_project):
    records, out = full_project["records"], full_project["out"]
    assert full_project["push"]["uploaded"] == 307
    assert full_project["pull"]["examples"] == 307  # listed past the server's page size of 5
    pulled = {r["text"]: r for r in read_jsonl(out)}
    assert len(pulled) == 307
    for record in records:
        back = pulled[record["text"]]  # identical text, leading/trailing whitespace included
        assert spans_of(back) == spans_of(record), record["meta"]["id"]
        assert back["meta"]["id"] == record["meta"]["id"] and back["meta"]["confirmed"]
        assert back["_input_hash"] == record["_input_hash"]
        assert back["_annotator_id"] == "all-resumes-admin" and back["_timestamp"] > 0
    assert any(any(ord(ch) > 127 for ch in r["text"]) for r in pulled.values())


def test_events_table_has_every_span_and_confirmation(full_project):
    import pandas as pd

    events = pd.read_csv(full_project["out"].with_name("all.events.csv"))
    assert (events["event"] == "span").sum() == sum(len(r["spans"]) for r in full_project["records"])
    assert (events["event"] == "confirmed").sum() == 307
    assert events.loc[events["event"] == "span", "created_at"].notna().all()


def test_push_again_uploads_nothing(admin, full_project):
    again = push(admin, full_project["records"][:20], "all-resumes")
    assert again["uploaded"] == 0 and again["skipped_present"] == 20


def test_incremental_pull_fetches_only_the_new_span(admin, tmp_path):
    records = read_jsonl(CORPUS)[:12]
    push(admin, records, "incremental", create=True)
    out = tmp_path / "inc.jsonl"
    first = pull(admin, "incremental", out)
    assert first["new"] == 12
    project = admin.project("incremental")
    example = admin.examples(project["id"])[3]
    label = admin.span_types(project["id"])["SOFT_SKILL"]
    text = example["text"]
    taken = {i for s in admin.spans(project["id"], example["id"]) for i in range(s["start_offset"], s["end_offset"])}
    start = next(i for i in range(len(text) - 5) if text[i:i + 5].isalpha() and not taken & set(range(i, i + 5))
                 and (i == 0 or not text[i - 1].isalnum()) and not text[i + 5].isalnum())
    admin.create_span(project["id"], example["id"], start, start + 5, label)
    before = {r["meta"]["doccano_example_id"]: r for r in read_jsonl(out)}
    second = pull(admin, "incremental", out)
    assert (second["new"], second["changed"], second["unchanged"], second["deleted"]) == (0, 1, 11, 0)
    after = {r["meta"]["doccano_example_id"]: r for r in read_jsonl(out)}
    assert len(after) == 12
    added = set(spans_of(after[example["id"]])) - set(spans_of(before[example["id"]]))
    assert len(added) == 1 and next(iter(added))[2] == "SOFT_SKILL"
    assert all(after[k] == before[k] for k in before if k != example["id"])
    third = pull(admin, "incremental", out)
    assert third["unchanged"] == 12 and third["changed"] == 0 and read_jsonl(out) == list(after.values())


def test_second_annotator_in_a_collaborative_project(admin, doccano, tmp_path):
    records = read_jsonl(CORPUS)[20:23]
    push(admin, records, "two-annotators", create=True)
    project = admin.project("two-annotators")
    user = admin.post("/v1/users/create", "create a user", {
        "username": "annotator2", "email": "a2@example.org", "password1": "Xq7-annot-2!", "password2": "Xq7-annot-2!"})
    roles = {r["name"]: r["id"] for r in admin.get("/v1/roles", "list roles")}
    admin.post(f"/v1/projects/{project['id']}/members", "add a member", {"user": user["id"], "role": roles["annotator"]})
    second = DoccanoClient(Credentials(doccano["DOCCANO_URL"], "annotator2", "Xq7-annot-2!"))
    example = admin.examples(project["id"])[0]
    theirs = admin.spans(project["id"], example["id"])[:2]  # the annotator agrees on two spans only
    for s in theirs:
        second.create_span(project["id"], example["id"], s["start_offset"], s["end_offset"], s["label"])
    second.confirm(project["id"], example["id"])
    out = tmp_path / "two.jsonl"
    pull(admin, "two-annotators", out)
    pulled = read_jsonl(out)
    ids = {r["_annotator_id"] for r in pulled}
    assert ids == {"two-annotators-admin", "two-annotators-annotator2"}
    mine = [r for r in pulled if r["_annotator_id"] == "two-annotators-annotator2"]
    assert len(mine) == 1 and len(mine[0]["spans"]) == 2 and mine[0]["meta"]["confirmed"]
    result = agreement(pulled)
    (pair,) = result["pairs"]
    n_admin = len(admin.spans(project["id"], example["id"])) - 2
    assert pair["docs"] == 1 and pair["strict_f"] == pytest.approx(2 * 2 / (n_admin + 2))
    second.close()


def run_cli(args, env):
    """The CLI in a subprocess, so that only the environment carries the credentials."""
    return subprocess.run([str(ROOT / ".venv" / "bin" / "skillner"), *args], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "HOME": env.get("HOME", "/tmp"), **env})


def test_cli_errors_are_one_clear_line(doccano, tmp_path):
    good = {k: doccano[k] for k in ("DOCCANO_URL", "DOCCANO_USERNAME", "DOCCANO_PASSWORD")}
    wrong = run_cli(["doccano", "pull", "--project", "x", "--out", str(tmp_path / "x.jsonl")],
                    {**good, "DOCCANO_PASSWORD": "not-the-password"})
    assert wrong.returncode == 1 and "rejected the username or password" in wrong.stderr
    assert len(wrong.stderr.strip().splitlines()) == 1 and "not-the-password" not in wrong.stderr
    missing = run_cli(["doccano", "pull", "--project", "no-such-project", "--out", str(tmp_path / "x.jsonl")], good)
    assert missing.returncode == 1 and "no Doccano project named 'no-such-project'" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_a_url_with_a_wrong_path_is_not_taken_for_the_api(doccano, tmp_path):
    """Doccano answers unknown paths with its web app's HTML page: that is reported, not parsed."""
    env = {k: doccano[k] for k in ("DOCCANO_USERNAME", "DOCCANO_PASSWORD")}
    wrong = run_cli(["doccano", "pull", "--project", "x", "--out", str(tmp_path / "x.jsonl")],
                    {**env, "DOCCANO_URL": doccano["DOCCANO_URL"] + "/projects"})
    assert wrong.returncode == 1 and "is not a Doccano API" in wrong.stderr, wrong.stderr
    assert len(wrong.stderr.strip().splitlines()) == 1 and "Traceback" not in wrong.stderr
    assert doccano["DOCCANO_PASSWORD"] not in wrong.stdout + wrong.stderr


def test_a_stopped_server_is_a_clear_error(doccano, tmp_path):
    env = dict(doccano["env"])
    subprocess.run(["bash", str(doccano["script"]), "down"], env=env, check=True, capture_output=True)
    try:
        down = run_cli(["doccano", "pull", "--project", "x", "--out", str(tmp_path / "x.jsonl")],
                       {k: doccano[k] for k in ("DOCCANO_URL", "DOCCANO_USERNAME", "DOCCANO_PASSWORD")})
        assert down.returncode == 1 and "cannot reach Doccano" in down.stderr
        assert len(down.stderr.strip().splitlines()) == 1
    finally:
        subprocess.run(["bash", str(doccano["script"]), "up"], env=env, check=True, capture_output=True)


def test_cli_push_and_pull_use_environment_credentials(doccano, tmp_path):
    env = {k: doccano[k] for k in ("DOCCANO_URL", "DOCCANO_USERNAME", "DOCCANO_PASSWORD")}
    source = tmp_path / "few.jsonl"
    chosen = read_jsonl(CORPUS)[30:33]
    source.write_text("".join(json.dumps(r) + "\n" for r in chosen))
    pushed = run_cli(["doccano", "push", str(source), "--project", "cli", "--create"], env)
    assert pushed.returncode == 0, pushed.stderr
    assert "pushed 3 resumes" in pushed.stdout and doccano["DOCCANO_PASSWORD"] not in pushed.stdout + pushed.stderr
    pulled = run_cli(["doccano", "pull", "--project", "cli", "--out", str(tmp_path / "cli.jsonl")], env)
    assert pulled.returncode == 0 and "3 new" in pulled.stdout
    # a resume nobody labelled or confirmed is not labelled data: it is counted, not written
    labelled = sum(1 for r in chosen if r["spans"])
    assert len(read_jsonl(tmp_path / "cli.jsonl")) == labelled
    assert f"{3 - labelled} unlabelled" in pulled.stdout


def test_credentials_from_netrc(tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login alice password s3cret\n")
    netrc.chmod(0o600)
    creds = credentials_from_env({"DOCCANO_URL": "http://127.0.0.1:9", "DOCCANO_NETRC": str(netrc)})
    assert (creds.username, creds.password) == ("alice", "s3cret") and "s3cret" not in repr(creds)
    with pytest.raises(DoccanoError, match="no Doccano credentials"):
        credentials_from_env({"DOCCANO_URL": "http://10.0.0.1:9", "DOCCANO_NETRC": str(netrc)})


def test_pre_annotation_uploads_the_models_predictions(doccano, tmp_path):
    import spacy

    env = {k: doccano[k] for k in ("DOCCANO_URL", "DOCCANO_USERNAME", "DOCCANO_PASSWORD")}
    texts = [{"text": "Skills: Python, SQL, Microsoft Excel, team leadership and payroll processing."},
             {"text": "Built REST APIs in Java and Spring Boot; strong communication skills."}]
    source = tmp_path / "raw.jsonl"
    source.write_text("".join(json.dumps(t) + "\n" for t in texts))
    pushed = run_cli(["doccano", "push", str(source), "--project", "suggested", "--create", "--pre-annotate",
                      "default"], env)
    assert pushed.returncode == 0, pushed.stderr
    nlp = spacy.load(ROOT / "models" / "skillner-cpu")
    expected = {t["text"]: sorted((e.start_char, e.end_char, e.label_) for e in nlp(t["text"]).ents) for t in texts}
    assert sum(map(len, expected.values())) >= 3
    client = DoccanoClient(credentials_from_env(env))
    project = client.project("suggested")
    names = {v: k for k, v in client.span_types(project["id"]).items()}
    for example in client.examples(project["id"]):
        got = sorted((s["start_offset"], s["end_offset"], names[s["label"]]) for s in client.spans(project["id"], example["id"]))
        assert got == expected[example["text"]]
    client.close()


def test_fix_push_review_sends_originals_and_proposals(doccano, tmp_path):
    env = {k: doccano[k] for k in ("DOCCANO_URL", "DOCCANO_USERNAME", "DOCCANO_PASSWORD")}
    text = "Skills: Python, SQL. Python again; no change here"
    source = tmp_path / "labels.jsonl"
    records = [{"text": text, "spans": [{"start": 8, "end": 15, "label": "TECH_TOOL"}], "meta": {"id": "a"}},
               {"text": "Nothing to fix: Java", "spans": [{"start": 16, "end": 20, "label": "TECH_TOOL"}],
                "meta": {"id": "b"}}]
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    fixed = run_cli(["annotations", "fix", str(source), "--out", str(tmp_path / "fixed.jsonl"),
                     "--push-review", "review"], env)
    assert fixed.returncode == 0, fixed.stderr
    assert "sent 1 resumes with proposals" in fixed.stdout
    client = DoccanoClient(credentials_from_env(env))
    project = client.project("review")
    names = {v: k for k, v in client.span_types(project["id"]).items()}
    [example] = client.examples(project["id"])
    got = sorted((s["start_offset"], s["end_offset"], names[s["label"]]) for s in client.spans(project["id"], example["id"]))
    assert got == [(8, 14, "TECH_TOOL?"), (8, 15, "TECH_TOOL"), (21, 27, "TECH_TOOL?")]
    assert [f["rule"] for f in example["meta"]["skillner_fixes"]] == ["trim_edges", "label_repeats"]
    client.close()
