"""The service against hostile or careless clients: every bad body a 4xx with its kind, slow and
stalled uploads holding no slot, a long text taking turns with the others and bounded in model
time, a key only in the headers that carry one, and the headers a browser needs."""

import json
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest
from spacy.language import Language

from tests.test_service import threaded_server

pytest.importorskip("fastapi", reason="the serve extra: pip install '.[serve]' (make test installs it)")

KEY = {"X-API-Key": "hostile-key"}


@Language.component("skillner_test_sleep")
def _sleep(doc):
    """A slow model: every parse of a segment takes a quarter of a second."""
    time.sleep(0.25)
    return doc


def request(url: str, path: str = "/v1/extract", body: bytes | None = None, headers: dict | None = None,
            kind: str = "application/json") -> tuple[int, dict | str, object]:
    """(status, JSON or text body, headers) of one request."""
    headers = {**({"Content-Type": kind} if body is not None else {}), **(headers or {})}
    call = urllib.request.Request(url + path, data=body, method="POST" if body is not None else "GET", headers=headers)
    try:
        with urllib.request.urlopen(call, timeout=60) as response:
            status, raw, answer_headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, answer_headers = error.code, error.read(), error.headers
    try:
        return status, json.loads(raw), answer_headers
    except ValueError:
        return status, raw.decode(), answer_headers


@pytest.fixture(scope="module")
def ruler_server(ruler_model):
    from skillner.extract.service.app import ServiceSettings

    with threaded_server(ServiceSettings(model=ruler_model, max_concurrent=2, body_timeout=2, timeout=5,
                                         api_key=KEY["X-API-Key"])) as url:
        yield url


def test_bodies_a_parser_chokes_on_get_422_not_text(ruler_server):
    for depth in (1_000, 100_000):  # json.loads raises RecursionError on these
        status, body, _ = request(ruler_server, body=b'{"text": ' + b"[" * depth + b"]" * depth + b"}", headers=KEY)
        assert (status, body["error"]["kind"]) == (422, "not_text") and "nested too deep" in body["error"]["message"]
    status, body, _ = request(ruler_server, body=b'{"text": "Python \\ud800 SQL"}', headers=KEY)  # a lone surrogate
    assert (status, body["error"]["kind"]) == (422, "not_text") and "U+D800" in body["error"]["message"]
    for bad in (b"{", b"\xff\xfe", b'["text"]', b'{"text": 3}'):
        status, body, _ = request(ruler_server, body=bad, headers=KEY)
        assert (status, body["error"]["kind"]) == (422, "not_text"), bad


def test_a_nul_in_json_text_is_a_space_not_a_change_of_encoding(ruler_server):
    status, body, _ = request(ruler_server, path="/v1/extract?with_text=true",
                              body=json.dumps({"text": "Python\u0000SQL and Docker"}).encode(), headers=KEY)
    assert status == 200 and body["text"] == "Python SQL and Docker"
    assert [m["text"] for m in body["mentions"]] == ["Python", "SQL", "Docker"]


def test_the_key_is_taken_from_x_api_key_or_a_bearer_token_only(ruler_server):
    text = json.dumps({"text": "Python"}).encode()
    assert request(ruler_server, body=text, headers={"Authorization": f"Bearer {KEY['X-API-Key']}"})[0] == 200
    assert request(ruler_server, body=text, headers={"Authorization": f"bearer {KEY['X-API-Key']}"})[0] == 200
    for header in ({"Authorization": KEY["X-API-Key"]}, {"Authorization": f"Basic {KEY['X-API-Key']}"}, {}):
        status, body, _ = request(ruler_server, body=text, headers=header)
        assert (status, body["error"]["kind"]) == (401, "unauthorised"), header
    status, health, _ = request(ruler_server, path="/healthz")
    assert status == 200 and health["api_key_required"] is True  # the page shows its key field


def test_unknown_paths_and_bad_parameters_get_their_kind(ruler_server):
    status, body, _ = request(ruler_server, path="/v1/nothing")
    assert (status, body["error"]["kind"]) == (404, "not_found")
    status, body, _ = request(ruler_server, path="/v1/extract")
    assert (status, body["error"]["kind"]) == (405, "method_not_allowed")
    status, body, _ = request(ruler_server, path="/v1/extract?links=lots", body=b'{"text": "Python"}', headers=KEY)
    assert (status, body["error"]["kind"]) == (422, "bad_request") and "links" in body["error"]["message"]


def test_answers_carry_the_headers_that_keep_a_browser_safe_and_docs_need_no_cdn(ruler_server):
    _, page, headers = request(ruler_server, path="/")
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'sha256-" in policy and "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
    _, _, headers = request(ruler_server, body=b'{"text": "Python"}', headers=KEY)
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Content-Security-Policy"].startswith(
        "default-src 'none'")
    status, docs, _ = request(ruler_server, path="/docs")
    assert status == 200 and "/static-offline-docs/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    status, script, headers = request(ruler_server, path="/static-offline-docs/swagger-ui-bundle.js")
    assert status == 200 and "SwaggerUIBundle" in script


def _stall(url: str, sent: bytes) -> socket.socket:
    """A connection that sends its headers and part of its body, then nothing."""
    host, port = url.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)), timeout=30)
    connection.sendall(f"POST /v1/extract HTTP/1.1\r\nHost: {host}\r\nX-API-Key: {KEY['X-API-Key']}\r\n"
                       "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n".encode() + sent)
    return connection


def _answer(connection: socket.socket) -> str:
    answer = b""
    while chunk := connection.recv(4096):
        answer += chunk
    connection.close()
    return answer.decode()


def test_stalled_and_trickling_uploads_hold_no_slot_and_get_408(ruler_server):
    """Twice as many stalled clients as slots: before, each held a slot and every other request got
    503 until they left; now a normal request is served beside them, and they get 408."""
    stalled = [_stall(ruler_server, b'{"text": "Py') for _ in range(4)]
    trickler = _stall(ruler_server, b"")

    def trickle():
        try:
            for byte in b'{"text": "Python and SQL"':
                trickler.send(bytes([byte]))
                time.sleep(0.3)
        except OSError:  # the server closed it at its deadline
            pass

    dripping = threading.Thread(target=trickle)
    dripping.start()
    time.sleep(0.3)
    for _ in range(3):
        status, body, _ = request(ruler_server, body=b'{"text": "Python and SQL"}', headers=KEY)
        assert status == 200 and [m["text"] for m in body["mentions"]] == ["Python", "SQL"]
    for connection in [*stalled, trickler]:
        answer = _answer(connection)
        assert answer.startswith("HTTP/1.1 408") and '"kind":"slow_upload"' in answer, answer
    dripping.join()


@pytest.fixture(scope="module")
def slow_server(ruler_model, tmp_path_factory):
    """A server whose model takes 0.25 s per segment, a 1.5 s model-time limit and two slots."""
    import spacy

    from skillner.extract.service.app import ServiceSettings

    nlp = spacy.load(ruler_model)
    nlp.add_pipe("skillner_test_sleep")
    path = tmp_path_factory.mktemp("models") / "slow"
    nlp.to_disk(path)
    with threaded_server(ServiceSettings(model=path, max_concurrent=2, timeout=1.5, api_key=KEY["X-API-Key"])) as url:
        yield url


def test_a_long_text_takes_turns_with_others_and_its_model_time_is_bounded(slow_server):
    """200,000 characters are 20 segments, 5 s of model time: past the 1.5 s limit it gets 422
    timeout; a short text sent while it parses is answered before it, as turns alternate."""
    from skillner.extract.service.app import SEGMENT_CHARS

    long_text = "Python and SQL.\n" * 12_500
    assert len(long_text) // SEGMENT_CHARS >= 20
    finished, answers = [], {}

    def send(name: str, text: str) -> None:
        answers[name] = request(slow_server, body=json.dumps({"text": text}).encode(), headers=KEY)
        finished.append(name)

    long_one = threading.Thread(target=send, args=("long", long_text))
    long_one.start()
    time.sleep(0.4)
    send("short", "Docker and Java")
    long_one.join()
    assert finished == ["short", "long"]
    assert answers["short"][0] == 200 and [m["text"] for m in answers["short"][1]["mentions"]] == ["Docker", "Java"]
    status, body, _ = answers["long"]
    assert (status, body["error"]["kind"]) == (422, "timeout") and "model time" in body["error"]["message"]


def test_a_text_parsed_in_several_turns_keeps_every_mention_at_its_offsets(slow_server):
    text = "Python and SQL.\n" * 1_500  # 24,000 characters: three segments, 0.75 s of model time
    status, body, _ = request(slow_server, path="/v1/extract?with_text=true", body=json.dumps({"text": text}).encode(),
                              headers=KEY)
    assert status == 200 and len(body["mentions"]) == 3_000
    assert all(body["text"][m["start"]:m["end"]] == m["text"] for m in body["mentions"])
    assert body["mentions"][-1]["start"] == body["text"].rfind("SQL")
