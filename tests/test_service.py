"""`skillner serve` on a free loopback port: the extract schema over HTTP, an error a client can
act on for every bad file, and a server that outlives files that hang or kill their parser."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skillner.cli import app
from tests.conftest import _free_port
from tests.test_readers import broken

pytest.importorskip("fastapi", reason="the serve extra: pip install '.[serve]' (make test installs it)")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "corpus" / "examples").iterdir())


def post(url: str, path: Path | None = None, text: str | None = None, headers: dict | None = None,
         name: str | None = None, query: str = "") -> tuple[int, dict, object]:
    """(status, JSON body, headers) of POST /v1/extract with a multipart file or JSON text."""
    if path is not None:
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name or path.name}\"\r\n"
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + path.read_bytes() + \
            f"\r\n--{boundary}--\r\n".encode()
        kind = f"multipart/form-data; boundary={boundary}"
    else:
        body, kind = json.dumps({"text": text}).encode(), "application/json"
    request = urllib.request.Request(f"{url}/v1/extract{query}", data=body, method="POST",
                                     headers={"Content-Type": kind, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read()), response.headers
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), error.headers


def wait_until_up(url: str, process: subprocess.Popen | None = None, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except OSError:
            if process is not None and process.poll() is not None:
                raise AssertionError(process.stderr.read())
            time.sleep(0.3)
    raise AssertionError(f"{url} did not come up")


@pytest.fixture(scope="module")
def server():
    """`skillner serve` as a user starts it, with an API key from the environment."""
    port, key = _free_port(), uuid.uuid4().hex
    process = subprocess.Popen([sys.executable, "-m", "skillner.cli", "serve", "--port", str(port)], cwd=ROOT,
                               env={**os.environ, "SKILLNER_API_KEY": key}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process)
        yield url, {"X-API-Key": key}
    finally:
        process.send_signal(signal.SIGTERM)  # a graceful stop, its reader processes included
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise


@pytest.mark.slow
def test_every_example_gives_the_mentions_of_skillner_extract(server):
    url, key = server
    for path in EXAMPLES:
        status, body, _ = post(url, path, headers=key)
        cli = CliRunner().invoke(app, ["extract", str(path)])
        assert status == 200 and cli.exit_code == 0, (path.name, body)
        expected = json.loads(cli.output)
        assert body["mentions"] == expected["mentions"] and body["skills"] == expected["skills"], path.name
        assert body["schema_version"] == expected["schema_version"] and len(body["mentions"]) >= 10
    status, body, _ = post(url, text=(ROOT / "corpus" / "examples" / "resume.txt").read_text(), headers=key)
    assert status == 200 and body["mentions"] == json.loads(
        CliRunner().invoke(app, ["extract", str(ROOT / "corpus" / "examples" / "resume.txt")]).output)["mentions"]


def test_min_confidence_leaves_out_the_less_sure_mentions(server):
    url, key = server
    text = (ROOT / "corpus" / "examples" / "resume.txt").read_text()
    status, everything, _ = post(url, text=text, headers=key)
    assert status == 200 and all(0 < m["confidence"] < 1 for m in everything["mentions"])
    # halfway between two rounded confidences, so rounding in the response cannot move a mention across it
    values = sorted({m["confidence"] for m in everything["mentions"]})
    threshold = (values[len(values) // 2 - 1] + values[len(values) // 2]) / 2
    status, sure, _ = post(url, text=text, headers=key, query=f"?min_confidence={threshold}")
    assert status == 200 and sure["mentions"] == [m for m in everything["mentions"] if m["confidence"] >= threshold]
    assert 0 < len(sure["mentions"]) < len(everything["mentions"])
    assert post(url, text=text, headers=key, query="?min_confidence=1.5")[0] == 422


def test_links_gives_each_mention_its_top_concepts(server):
    url, key = server
    text = "Skills: Microsoft Excel, team management and Python."
    status, plain, _ = post(url, text=text, headers=key)
    status_linked, linked, _ = post(url, text=text, headers=key, query="?links=3")
    assert status == status_linked == 200 and "alias" in linked["linking"]["methods"]
    assert all("links" not in m for m in plain["mentions"])
    for mention in linked["mentions"]:
        assert len(mention["links"]) <= 3 and (mention["links"][:1] or [None])[0] == mention["normalised"]
    excel = next(m for m in linked["mentions"] if m["text"] == "Microsoft Excel")
    assert (excel["normalised"]["method"], excel["normalised"]["category"]) == ("alias", "Spreadsheet software")
    assert post(url, text=text, headers=key, query="?links=21")[0] == 422


def test_each_bad_file_gets_its_4xx_and_kind_and_the_key_is_required(server, tmp_path):
    url, key = server
    for kind, path in broken(tmp_path).items():
        status, body, _ = post(url, path, headers=key)
        assert body["error"]["kind"] == kind, (path.name, body)
        assert status == {"unsupported_format": 415}.get(kind, 422), (path.name, status)
    assert post(url, text="Python", headers={})[0] == 401
    assert post(url, text="Python", headers={"X-API-Key": "wrong"})[0] == 401
    with urllib.request.urlopen(f"{url}/docs", timeout=10) as docs:  # OpenAPI's page, without a key
        assert docs.status == 200 and b"swagger" in docs.read().lower()


def test_an_oversized_upload_is_refused_before_it_is_sent(server):
    url, key = server
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall((f"POST /v1/extract HTTP/1.1\r\nHost: {host}\r\nX-API-Key: {key['X-API-Key']}\r\n"
                            "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 900000000\r\n\r\n"
                            "--x\r\n").encode())  # 900 MB announced, 5 bytes sent
        answer = b""
        while chunk := connection.recv(4096):  # the server answers and closes, not waiting for the body
            answer += chunk
        answer = answer.decode()
    assert answer.startswith("HTTP/1.1 413") and "too_large" in answer


def _hang(data, name, limits):
    time.sleep(3600)


def _crash(data, name, limits):
    os.kill(os.getpid(), signal.SIGKILL)


@contextmanager
def threaded_server(settings):
    """A real uvicorn server on a free port, in a thread of this process (so readers and pipeline
    components that a test registers are the server's too)."""
    import uvicorn

    from skillner.extract.service.app import create_app

    port = _free_port()
    served = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url)
    try:
        yield url
    finally:
        served.should_exit = True
        thread.join(30)


PAGE_KEY = {"X-API-Key": "page-key"}


@pytest.fixture()
def fragile_server(monkeypatch, ruler_model):
    """A server whose readers of `.hang` and `.crash` files hang or die (as PDFium might), with one
    request at a time, a 2 s read limit and an API key."""
    from skillner.extract import readers
    from skillner.extract.service.app import ServiceSettings

    monkeypatch.setitem(readers._READERS, ".hang", _hang)
    monkeypatch.setitem(readers._READERS, ".crash", _crash)
    with threaded_server(ServiceSettings(model=ruler_model, timeout=2, max_concurrent=1,
                                         api_key=PAGE_KEY["X-API-Key"])) as url:
        yield url


def test_a_hanging_or_killing_file_costs_its_request_and_excess_requests_get_503(fragile_server, tmp_path):
    url = fragile_server
    (tmp_path / "stuck.hang").write_text("x")
    (tmp_path / "boom.crash").write_text("x")
    started = time.monotonic()
    assert post(url, tmp_path / "boom.crash", headers=PAGE_KEY)[:2] == (422, {"error": {
        "kind": "crash", "message": "reading it killed the reader process"}})
    waiting = {}
    hanging = threading.Thread(target=lambda: waiting.update(answer=post(url, tmp_path / "stuck.hang",
                                                                         headers=PAGE_KEY)))
    hanging.start()
    time.sleep(0.5)  # the hanging request holds the only slot
    status, body, headers = post(url, text="Python and SQL", headers=PAGE_KEY)
    assert status == 503 and body["error"]["kind"] == "busy" and headers["Retry-After"] == "1"
    hanging.join(30)
    assert waiting["answer"][0] == 422 and waiting["answer"][1]["error"]["kind"] == "timeout"
    assert time.monotonic() - started < 20
    status, body, _ = post(url, text="Python and SQL", headers=PAGE_KEY)  # the server, and a fresh reader, go on
    assert status == 200 and [m["text"] for m in body["mentions"]] == ["Python", "SQL"]


@pytest.mark.slow
def test_the_page_shows_the_skills_of_an_uploaded_resume_in_a_real_browser(fragile_server, tmp_path):
    """Headless Chromium (Debian's chromium and chromium-driver) opens `/`, uploads a resume,
    and the highlighted skills are read from the DOM; the screenshot is kept in build/test-artifacts."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    if not Path("/usr/bin/chromedriver").exists():
        pytest.fail("chromium-driver is not installed: make test installs it (scripts/system-deps.sh)")
    resume = tmp_path / "cv.txt"
    resume.write_text("Jane Doe\nSkills: Python, SQL and Docker.\nStrong communication with clients.\n")
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    browser = webdriver.Chrome(options=options, service=webdriver.ChromeService("/usr/bin/chromedriver"))
    try:
        browser.get(fragile_server + "/")
        WebDriverWait(browser, 30).until(lambda b: b.find_element(By.ID, "key").is_displayed())  # a key is asked for
        browser.find_element(By.ID, "key").send_keys(PAGE_KEY["X-API-Key"])
        browser.find_element(By.ID, "file").send_keys(str(resume))
        WebDriverWait(browser, 60).until(lambda b: "mentions" in b.find_element(By.ID, "status").text)
        marks = [tuple(pair) for pair in browser.execute_script(  # the label, and the span's own text
            "return [...document.querySelectorAll('#text mark.entity')].map(m => [m.dataset.label, m.firstChild.textContent])")]
        assert marks == [("TECH_TOOL", "Python"), ("TECH_TOOL", "SQL"), ("TECH_TOOL", "Docker"),
                         ("SOFT_SKILL", "communication")]
        rows = browser.find_elements(By.CSS_SELECTOR, "#skills tbody tr")
        assert len(rows) == 4 and "Python" in rows[0].text
        assert rows[0].text.endswith("—")  # an entity ruler gives no confidence
        assert browser.find_element(By.ID, "download").get_attribute("href").startswith("blob:")
        # the page ran under its Content-Security-Policy: nothing of it was refused
        refused = [entry["message"] for entry in browser.get_log("browser") if "Content Security Policy" in entry["message"]]
        assert not refused, refused
        artefacts = ROOT / "build" / "test-artifacts"
        artefacts.mkdir(parents=True, exist_ok=True)
        assert browser.save_screenshot(str(artefacts / "page.png"))
    finally:
        browser.quit()
