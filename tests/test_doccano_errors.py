"""Doccano settings and servers that go wrong: one clear line, no secret in it, no long wait.

The servers here are real sockets on 127.0.0.1: one that accepts connections and never
answers, and small HTTP servers that answer like something other than Doccano (a web page,
JSON without the expected keys), as a wrong DOCCANO_URL or a proxy would.
"""

import json
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from skillner.annotate.doccano import (
    Credentials,
    DoccanoClient,
    DoccanoError,
    base_url,
    client_from_env,
    credentials_from_env,
    redact_url,
    request_timeout_from_env,
)

SECRET = "Zq8-not-for-eyes-41x"  # distinctive, so a leak anywhere in the output is found
SKILLNER = Path(sys.executable).parent / "skillner"


# --- servers on loopback ---------------------------------------------------------------
@pytest.fixture
def silent_server():
    """A port that accepts connections (the kernel completes them) and never answers.

    Nothing calls accept() until `attempts()`, which drains the queue: each queued
    connection is one attempt the client made.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(32)

    def attempts() -> int:
        listener.setblocking(False)
        count = 0
        while True:
            try:
                connection, _ = listener.accept()
            except BlockingIOError:
                return count
            connection.close()
            count += 1

    yield f"http://127.0.0.1:{listener.getsockname()[1]}", attempts
    listener.close()


class _Handler(BaseHTTPRequestHandler):
    def _answer(self):
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        path = urlsplit(self.path).path
        self.server.seen.append((self.command, path))
        answer = self.server.reply(self.command, path, body)
        if answer is None:  # stall: hold the connection open without a word
            self.server.release.wait(30)
            return
        status, content_type, payload = answer
        data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    """Start a loopback HTTP server whose answers come from `reply(method, path, body)`."""
    servers = []

    def start(reply):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.reply, server.seen, server.release = reply, [], threading.Event()
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}", server

    yield start
    for server in servers:
        server.release.set()
        server.shutdown()
        server.server_close()


HTML = (200, "text/html; charset=utf-8", "<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>")
TOKEN = {"key": "0123456789abcdef0123456789abcdef01234567"}


def logs_in_then(reply_after_login):
    """A server that answers the login like Doccano, and everything else with `reply_after_login`."""
    def reply(method, path, body):
        if (method, path) == ("POST", "/v1/auth/login/"):
            return 200, "application/json", TOKEN
        return reply_after_login(method, path, body)
    return reply


def client(url, timeout=5.0, **kwargs):
    return DoccanoClient(Credentials(url, "admin", SECRET), timeout=timeout, **kwargs)


# --- the URL ---------------------------------------------------------------------------
@pytest.mark.parametrize("url, says", [
    ("", "DOCCANO_URL is empty"),
    ("   ", "DOCCANO_URL is empty"),
    ("ftp://example.org", "must start with http:// or https://"),
    ("localhost:8000", "must start with http:// or https://"),
    ("127.0.0.1:8000", "must start with http:// or https://"),
    ("http://", "must start with http:// or https://"),
    ("http://:8000", "names no host"),
    ("http://host:99999", "is not a valid URL"),
    ("http://host:port", "is not a valid URL"),
    ("http://[::1", "is not a valid URL"),
    ("http://host\x7f", "is not a valid URL"),
    ("http://127.0.0.1:8000/?next=/", "without a ?query or #fragment"),
])
def test_a_bad_url_is_refused_up_front(url, says):
    with pytest.raises(DoccanoError, match=says.replace("?", r"\?")):
        credentials_from_env({"DOCCANO_URL": url, "DOCCANO_USERNAME": "u", "DOCCANO_PASSWORD": "p"})


@pytest.mark.parametrize("url", [
    f"http://admin:{SECRET}@127.0.0.1:8000",
    f"https://{SECRET}@doccano.example.org/",
    f"http://admin:{SECRET}@doccano.example.org:notaport",  # refused as invalid: still no echo
    f"http://admin:pa/{SECRET}@host",  # an unescaped '/' in the password
    f"admin:{SECRET}@127.0.0.1:8000",  # scheme-less
])
def test_userinfo_in_the_url_is_refused_and_never_echoed(url):
    env = {"DOCCANO_URL": url, "DOCCANO_USERNAME": "u", "DOCCANO_PASSWORD": "p"}
    with pytest.raises(DoccanoError) as raised:
        credentials_from_env(env)
    assert SECRET not in str(raised.value)
    with pytest.raises(DoccanoError) as raised:  # a Credentials built by code is checked too
        DoccanoClient(Credentials(url, "u", "p"))
    assert SECRET not in str(raised.value)
    assert SECRET not in repr(Credentials(url, "u", SECRET))


def test_userinfo_error_says_what_to_use_instead():
    with pytest.raises(DoccanoError, match="set DOCCANO_USERNAME and DOCCANO_PASSWORD, or add a netrc entry"):
        base_url(f"http://admin:{SECRET}@127.0.0.1:8000")


def test_redact_url_hides_every_form_of_userinfo():
    assert redact_url(f"http://admin:{SECRET}@h:1/p") == "http://***@h:1/p"
    assert redact_url(f"http://a:b@c{SECRET}@h") == "http://***@h"  # an '@' in the password
    assert redact_url("https://h:1/p") == "https://h:1/p"


def test_a_good_url_is_normalised():
    assert base_url(" http://127.0.0.1:8000/ ") == "http://127.0.0.1:8000"
    assert base_url("https://example.org/doccano/") == "https://example.org/doccano"
    assert base_url("http://[::1]:8000") == "http://[::1]:8000"
    assert credentials_from_env({"DOCCANO_USERNAME": "u", "DOCCANO_PASSWORD": "p"}).url == "http://127.0.0.1:8000"


# --- netrc -----------------------------------------------------------------------------
def netrc_env(path, url="http://127.0.0.1:8000"):
    return {"DOCCANO_URL": url, "DOCCANO_NETRC": str(path)}


@pytest.mark.parametrize("text, line", [
    (f"machine 127.0.0.1 login alice {SECRET}\n", 1),  # 'password' forgotten: the secret is the bad token
    (f"machine other login bob password x\nmachine 127.0.0.1 login alice {SECRET}\n", 2),
    (f"machine 127.0.0.1\n  login alice\n  password {SECRET} {SECRET}\n", 3),
    (f"machine 127.0.0.1 login alice password x\n{SECRET} trailing\n", 2),
])
def test_a_malformed_netrc_names_file_and_line_only(tmp_path, text, line):
    path = tmp_path / "netrc"
    path.write_text(text)
    with pytest.raises(DoccanoError) as raised:
        credentials_from_env(netrc_env(path))
    message = str(raised.value)
    assert f"cannot parse netrc file {path}: malformed entry on line {line} " in message
    assert SECRET not in message


def test_a_netrc_path_that_is_a_directory_is_one_clear_error(tmp_path):
    with pytest.raises(DoccanoError, match=f"netrc file {tmp_path} is a directory"):
        credentials_from_env(netrc_env(tmp_path))


def test_a_netrc_that_is_not_text_is_one_clear_error(tmp_path):
    path = tmp_path / "netrc"
    path.write_bytes(b"machine 127.0.0.1 login \xff\xfe password x\n")
    with pytest.raises(DoccanoError, match="is not UTF-8 text"):
        credentials_from_env(netrc_env(path))


def test_a_netrc_entry_without_a_password_is_refused_before_login(tmp_path):
    path = tmp_path / "netrc"
    path.write_text("machine 127.0.0.1 login alice\n")
    with pytest.raises(DoccanoError, match="lacks a login or a password"):
        credentials_from_env(netrc_env(path))


def test_a_good_netrc_still_gives_the_credentials(tmp_path):
    path = tmp_path / "netrc"
    path.write_text(f"machine 127.0.0.1 login alice password {SECRET}\n")
    creds = credentials_from_env(netrc_env(path))
    assert (creds.username, creds.password) == ("alice", SECRET) and SECRET not in repr(creds)


# --- a server that never answers --------------------------------------------------------
@pytest.mark.parametrize("raw", ["0", "-1", "nan", "inf", "soon", ""])
def test_a_bad_request_timeout_is_refused(raw):
    with pytest.raises(DoccanoError, match="DOCCANO_REQUEST_TIMEOUT must be a number of seconds above 0"):
        request_timeout_from_env({"DOCCANO_REQUEST_TIMEOUT": raw})


def test_request_timeout_comes_from_the_environment():
    assert request_timeout_from_env({"DOCCANO_REQUEST_TIMEOUT": "2.5"}) == 2.5
    assert request_timeout_from_env({}) == 30.0


def test_a_silent_server_fails_the_login_after_one_timeout(silent_server):
    url, attempts = silent_server
    with pytest.raises(DoccanoError) as raised:
        client(url, timeout=0.3)
    assert str(raised.value).startswith(f"no answer from {url} within 0.3 s to POST /v1/auth/login/")
    assert attempts() == 1  # the login is a POST: not retried after a timeout


def test_a_stalled_get_is_tried_twice_then_reported(http_server):
    url, server = http_server(logs_in_then(lambda method, path, body: None))
    doccano = client(url, timeout=0.3)
    with pytest.raises(DoccanoError, match=f"no answer from {url} within 0.3 s to GET /v1/projects"):
        doccano.find_project("anything")
    assert server.seen.count(("GET", "/v1/projects")) == 2
    assert doccano.requests == 3  # the login, and the GET twice
    doccano.close()


def test_a_refused_connection_is_retried_then_reported(silent_server):
    url, attempts = silent_server
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    with pytest.raises(DoccanoError, match=f"cannot reach Doccano at {closed}: ConnectError"):
        client(closed, retries=2, backoff=0.01)


# --- a server that is not Doccano --------------------------------------------------------
@pytest.mark.parametrize("answer, expected", [
    (HTML, "HTTP 200 (text/html), expected JSON with 'key', to log in"),
    ((404, "text/html", "<html>Not Found</html>"), "HTTP 404 (text/html), expected JSON, to log in"),
    ((405, "text/plain", "Method Not Allowed"), "HTTP 405 (text/plain), expected JSON, to log in"),
    ((200, "application/json", {"status": "ok"}), "HTTP 200 (application/json), expected JSON with 'key'"),
    ((200, "application/json", "not json{"), "HTTP 200 (application/json), expected JSON with 'key'"),
    ((200, "application/json", [1, 2]), "HTTP 200 (application/json), expected JSON with 'key'"),
    ((400, "text/html", "<html>Bad Request</html>"), "HTTP 400 (text/html), expected JSON, to log in"),
])
def test_a_server_that_is_not_doccano_fails_the_login_clearly(http_server, answer, expected):
    url, _ = http_server(lambda method, path, body: answer)
    with pytest.raises(DoccanoError) as raised:
        client(url)
    message = str(raised.value)
    assert message.startswith(f"the server at {url} is not a Doccano API: POST /v1/auth/login/ answered ")
    assert expected in message and "\n" not in message and SECRET not in message


@pytest.mark.parametrize("answer, expected", [
    (HTML, "HTTP 200 (text/html), expected a JSON list or a page of 'results' with 'id', 'name'"),
    ((200, "application/json", {"count": 1}), "expected a JSON list or a page of 'results'"),
    ((200, "application/json", {"results": [{"id": 1}], "next": None}), "with 'id', 'name', to list projects"),
    ((200, "application/json", {"results": "none"}), "expected a JSON list or a page of 'results'"),
    ((502, "text/html", "<html>Bad Gateway</html>"), "HTTP 502 (text/html), expected JSON, to list projects"),
])
def test_answers_without_the_expected_keys_after_login_are_clear(http_server, answer, expected):
    url, _ = http_server(logs_in_then(lambda method, path, body: answer))
    doccano = client(url, retries=1, backoff=0.01)
    with pytest.raises(DoccanoError) as raised:
        doccano.project("resumes")
    message = str(raised.value)
    assert message.startswith(f"the server at {url} is not a Doccano API: GET /v1/projects answered ")
    assert expected in message
    doccano.close()


def test_a_server_that_echoes_the_password_has_it_scrubbed(http_server):
    url, _ = http_server(lambda method, path, body: (403, "application/json", {"detail": body.decode()}))
    with pytest.raises(DoccanoError) as raised:
        client(url)
    assert "Doccano could not log in (HTTP 403)" in str(raised.value) and SECRET not in str(raised.value)


def test_json_400_without_doccanos_shape_is_not_a_wrong_password(http_server):
    url, _ = http_server(lambda method, path, body: (400, "application/json", {"error": "bad request"}))
    with pytest.raises(DoccanoError, match=r"Doccano could not log in \(HTTP 400\)"):
        client(url)


# --- through the command line -----------------------------------------------------------
def run_pull(tmp_path, env):
    """`skillner doccano pull` in a subprocess, with only these settings in its environment."""
    return subprocess.run([str(SKILLNER), "doccano", "pull", "--project", "resumes", "--out", str(tmp_path / "o.jsonl")],
                          capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env})


def assert_one_clear_error(result, says):
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert result.stdout == "" and len(result.stderr.splitlines()) == 1, output
    assert result.stderr.startswith("error: ") and says in result.stderr, output
    assert "Traceback" not in output and SECRET not in output


@pytest.mark.parametrize("url, says", [
    (f"http://admin:{SECRET}@127.0.0.1:8000", "carries a user name or password"),
    ("ftp://127.0.0.1:8000", "must start with http:// or https://"),
    ("127.0.0.1:8000", "must start with http:// or https://"),
    ("", "DOCCANO_URL is empty"),
])
def test_cli_bad_url(tmp_path, url, says):
    assert_one_clear_error(run_pull(tmp_path, {"DOCCANO_URL": url, "DOCCANO_USERNAME": "admin",
                                               "DOCCANO_PASSWORD": SECRET}), says)


def test_cli_malformed_netrc(tmp_path):
    path = tmp_path / "netrc"
    path.write_text(f"machine 127.0.0.1 login admin {SECRET}\n")
    assert_one_clear_error(run_pull(tmp_path, netrc_env(path)), f"cannot parse netrc file {path}: malformed entry "
                                                                 f"on line 1")


def test_cli_netrc_directory(tmp_path):
    assert_one_clear_error(run_pull(tmp_path, netrc_env(tmp_path)), "is a directory")


def test_cli_silent_server(tmp_path, silent_server):
    url, attempts = silent_server
    result = run_pull(tmp_path, {"DOCCANO_URL": url, "DOCCANO_USERNAME": "admin", "DOCCANO_PASSWORD": SECRET,
                                 "DOCCANO_REQUEST_TIMEOUT": "0.5"})
    assert_one_clear_error(result, f"no answer from {url} within 0.5 s")
    assert attempts() == 1


def test_cli_web_page_instead_of_doccano(tmp_path, http_server):
    url, _ = http_server(lambda method, path, body: HTML)
    result = run_pull(tmp_path, {"DOCCANO_URL": url, "DOCCANO_USERNAME": "admin", "DOCCANO_PASSWORD": SECRET})
    assert_one_clear_error(result, f"the server at {url} is not a Doccano API")


def test_cli_bad_request_timeout(tmp_path):
    result = run_pull(tmp_path, {"DOCCANO_USERNAME": "admin", "DOCCANO_PASSWORD": SECRET,
                                 "DOCCANO_REQUEST_TIMEOUT": "-1"})
    assert_one_clear_error(result, "DOCCANO_REQUEST_TIMEOUT must be a number of seconds above 0")


def test_client_from_env_uses_the_request_timeout(http_server):
    url, _ = http_server(logs_in_then(lambda method, path, body: (200, "application/json", [])))
    with client_from_env({"DOCCANO_URL": url, "DOCCANO_USERNAME": "admin", "DOCCANO_PASSWORD": SECRET,
                          "DOCCANO_REQUEST_TIMEOUT": "7"}) as doccano:
        assert doccano.timeout == 7.0 and doccano.find_project("x") is None
