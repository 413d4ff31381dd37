import json
from pathlib import Path

from skillner.annotate.splits import assign_splits, near_duplicate_groups, read_split

ROOT = Path(__file__).resolve().parents[1]
SPLITS = ROOT / "annotations" / "splits"

BASE = ("senior java developer with eight years of experience building payment systems in spring boot "
        "and oracle for retail banks in pune and mumbai worked on microservices kafka and docker")


def test_near_duplicates_are_grouped_transitively():
    texts = {
        "a": BASE,
        "b": BASE + " also jenkins",
        "c": BASE + " also jenkins and ansible",
        "d": "registered nurse in a busy emergency department with triage and patient care experience",
    }
    groups, pairs = near_duplicate_groups(texts, threshold=0.6)
    assert sorted(map(sorted, groups)) == [["a", "b", "c"], ["d"]]
    assert all(p["jaccard"] >= 0.6 for p in pairs)


def test_assignment_is_deterministic_and_keeps_groups_whole():
    groups = [[f"g{i}a", f"g{i}b"] for i in range(10)] + [[f"s{i}"] for i in range(80)]
    first = assign_splits(groups, seed=3)
    assert first == assign_splits(groups, seed=3)
    assert first != assign_splits(groups, seed=4)
    where = {doc_id: name for name, ids in first.items() for doc_id in ids}
    assert all(where[a] == where[b] for a, b in groups[:10])
    assert sum(len(v) for v in first.values()) == 100


def test_committed_splits_cover_the_corpus_once_and_respect_near_duplicates():
    splits = {name: read_split(SPLITS, name) for name in ("train", "dev", "test")}
    ids = [i for v in splits.values() for i in v]
    assert len(ids) == len(set(ids)) == 307
    assert {k: len(v) for k, v in splits.items()} == {"train": 215, "dev": 46, "test": 46}
    where = {i: name for name, v in splits.items() for i in v}
    report = json.loads((SPLITS / "near_duplicates.json").read_text())
    assert len(report["near_duplicate_groups"]) >= 10
    for group in report["near_duplicate_groups"]:
        assert len({where[i] for i in group}) == 1, group
