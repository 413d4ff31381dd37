from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "build" / "data"
MODEL = ROOT / "models" / "skillner-cpu"


@pytest.fixture(scope="session")
def test_spacy() -> Path:
    path = DATA / "test.spacy"
    assert path.exists(), "run `make data` first (make test does)"
    return path
