import os
from pathlib import Path

import pytest

os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # the tests' own Ray clusters; Ray reads it on import

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "build" / "data"
MODEL = ROOT / "models" / "skillner-cpu"


@pytest.fixture(scope="session")
def small_data(tmp_path_factory) -> Path:
    """Five training and three dev resumes from the real splits, for real training runs that stay short."""
    import spacy
    from spacy.tokens import DocBin

    out = tmp_path_factory.mktemp("data")
    for name, n in (("train", 5), ("dev", 3)):
        docs = list(DocBin().from_disk(DATA / f"{name}.spacy").get_docs(spacy.blank("en").vocab))[:n]
        DocBin(docs=docs).to_disk(out / f"{name}.spacy")
    return out


@pytest.fixture(scope="session")
def curve_data(tmp_path_factory) -> Path:
    """Twenty training, four dev and four test resumes from the real splits: learning-curve runs
    train, score and rank by uncertainty on real resumes in seconds, not minutes."""
    import spacy
    from spacy.tokens import DocBin

    out = tmp_path_factory.mktemp("curve-data")
    for name, n in (("train", 20), ("dev", 4), ("test", 4)):
        docs = list(DocBin().from_disk(DATA / f"{name}.spacy").get_docs(spacy.blank("en").vocab))[:n]
        DocBin(docs=docs).to_disk(out / f"{name}.spacy")
    return out


@pytest.fixture(scope="session")
def test_spacy() -> Path:
    path = DATA / "test.spacy"
    assert path.exists(), "run `make data` first (make test does)"
    return path


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def doccano(tmp_path_factory):
    """A real Doccano server on 127.0.0.1 and a free port, started by scripts/doccano.sh."""
    import os
    import secrets
    import subprocess

    home = tmp_path_factory.mktemp("doccano")
    env = {**os.environ, "DOCCANO_PORT": str(_free_port()), "DOCCANO_HOME": str(home),
           "DOCCANO_USERNAME": "admin", "DOCCANO_PASSWORD": secrets.token_urlsafe(12)}
    script = ROOT / "scripts" / "doccano.sh"
    subprocess.run(["bash", str(script), "install"], check=True, env=env)
    started = subprocess.run(["bash", str(script), "up"], env=env, capture_output=True, text=True)
    if started.returncode != 0:  # the script prints the server's log tails on failure
        pytest.fail(f"Doccano did not start:\n{started.stdout}\n{started.stderr}")
    try:
        yield {"DOCCANO_URL": f"http://127.0.0.1:{env['DOCCANO_PORT']}", "DOCCANO_USERNAME": "admin",
               "DOCCANO_PASSWORD": env["DOCCANO_PASSWORD"], "script": script, "env": env}
    finally:
        subprocess.run(["bash", str(script), "down"], env=env, capture_output=True)


@pytest.fixture(scope="module")
def ray_head():
    """A real Ray head on this machine with 2 CPUs (ray.cluster_utils starts its processes), per
    module: its idle system processes would otherwise slow every later test."""
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 2, "object_store_memory": 200 * 2**20,
                                                            "include_dashboard": False})
    yield cluster
    cluster.shutdown()


@pytest.fixture(scope="session")
def ruler_model(tmp_path_factory) -> Path:
    """A pipeline that loads in a blink (an entity ruler of a few tools and skills), for tests
    of what happens around the model, where a worker or actor is started again and again."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(
        [{"label": "TECH_TOOL", "pattern": name} for name in ("Python", "SQL", "Java", "Docker", "Excel")]
        + [{"label": "SOFT_SKILL", "pattern": [{"LOWER": "communication"}]}])
    path = tmp_path_factory.mktemp("models") / "ruler"
    nlp.to_disk(path)
    return path
