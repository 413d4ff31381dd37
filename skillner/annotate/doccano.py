"""The annotation bridge: move resumes into Doccano and labels (with their timestamps) back.

Speaks Doccano 1.8's REST API (`/v1/...`) directly with httpx. The `doccano-client`
package is not used: 1.2.8 pins `pydantic<2` (which holds spaCy back) and its models drop
the `created_at`/`updated_at` fields the cost ledger needs.

Pitfalls this module handles: log in with `POST /v1/auth/login/` and send
`Authorization: Token ...` with no session cookie (a kept cookie turns on CSRF checks and
POSTs fail with 403); confirming an example (`POST .../states`) is a toggle, so it is only
sent when the example is not confirmed yet; in a non-collaborative project an admin sees
only their own spans, so multi-annotator pulls need a collaborative project.

Secrets (the password, the token, a URL's user:password) never reach a message: the URL is
refused if it carries userinfo, netrc errors name only the file and line, and an answer's
text is scrubbed of both before it is quoted.
"""

from __future__ import annotations

import hashlib
import json
import math
import netrc
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator
from urllib.parse import urlsplit

import httpx

from skillner.pipeline.labels import load_label_map

if TYPE_CHECKING:  # .convert loads spaCy (seconds): imported where used, so a settings error is instant
    from skillner.annotate.convert import CharSpan

DEFAULT_URL = "http://127.0.0.1:8000"
PAGE_LIMIT = 100
RETRY_STATUSES = {500, 502, 503, 504}
SPAN_KEYS = ("id", "user", "label", "start_offset", "end_offset", "created_at", "updated_at")
REQUEST_TIMEOUT = 30.0  # seconds to wait for an answer; DOCCANO_REQUEST_TIMEOUT overrides it
CONNECT_TIMEOUT = 5.0  # a reachable server accepts at once; longer means a wrong or dead address
# Failures after which the request never reached the server, or was cut before an answer:
# retried with backoff, for every method (push is idempotent per resume).
TRANSIENT = (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
# Failures that cost a whole timeout each: a GET is tried once more, a POST is not (the server
# may still be working on it, and a second try would wait as long again).
SLOW = (httpx.ConnectTimeout, httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout)


class DoccanoError(RuntimeError):
    """A failure the user can act on, in one line."""


def redact_url(url: str) -> str:
    """The URL with any `user:password@` replaced by `***@`, even when it does not parse."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    if "@" in rest:  # the last @ ends the userinfo: a password may contain '@', '/' or ':'
        rest = "***@" + rest.rpartition("@")[2]
    return scheme + sep + rest


def base_url(url: str) -> str:
    """A Doccano base URL checked up front, so a bad one is one clear line, not an httpx traceback.

    Userinfo is refused rather than used: it would end up in messages and logs, and a
    password belongs in DOCCANO_PASSWORD or netrc.
    """
    shown = redact_url(url.strip())
    url = url.strip().rstrip("/")
    if not url:
        raise DoccanoError(f"DOCCANO_URL is empty: unset it for {DEFAULT_URL}, or give http(s)://HOST[:PORT]")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number in range
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL):
        raise DoccanoError(f"DOCCANO_URL {shown!r} is not a valid URL: give http(s)://HOST[:PORT]") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DoccanoError(f"DOCCANO_URL {shown!r} must start with http:// or https:// and name a host, "
                           f"e.g. {DEFAULT_URL}")
    if "@" in parts.netloc:
        raise DoccanoError(f"DOCCANO_URL {shown!r} carries a user name or password, which is not used: "
                           f"remove it and set DOCCANO_USERNAME and DOCCANO_PASSWORD, or add a netrc entry")
    if not parts.hostname:
        raise DoccanoError(f"DOCCANO_URL {shown!r} names no host: give http(s)://HOST[:PORT]")
    if parts.query or parts.fragment:
        raise DoccanoError("DOCCANO_URL must be the server's base address, without a ?query or #fragment")
    return url


@dataclass(frozen=True)
class Credentials:
    url: str
    username: str
    password: str

    def __repr__(self) -> str:  # never let the password reach a log or traceback
        return f"Credentials(url={redact_url(self.url)!r}, username={self.username!r}, password='***')"


def credentials_from_env(env: dict[str, str] | None = None) -> Credentials:
    """`DOCCANO_URL`, `DOCCANO_USERNAME`, `DOCCANO_PASSWORD`, or a netrc entry for the URL's host.

    The netrc file is `DOCCANO_NETRC` if set, else `~/.netrc`.
    """
    env = os.environ if env is None else env
    url = base_url(env.get("DOCCANO_URL", DEFAULT_URL))
    username, password = env.get("DOCCANO_USERNAME"), env.get("DOCCANO_PASSWORD")
    if not (username and password):
        path = Path(env.get("DOCCANO_NETRC") or Path.home() / ".netrc")
        host = urlsplit(url).hostname
        entry = _netrc_entry(path, host)
        if entry is None:
            raise DoccanoError(f"no Doccano credentials: set DOCCANO_USERNAME and DOCCANO_PASSWORD, "
                               f"or add 'machine {host} login ... password ...' to {path}")
        username, _, password = entry
        if not (username and password):
            raise DoccanoError(f"the entry for {host} in netrc file {path} lacks a login or a password")
    return Credentials(url, username, password)


def _netrc_entry(path: Path, host: str) -> tuple[str, str, str] | None:
    """The netrc entry for `host`, or None when there is no such file or entry.

    A parse error is reported by file and line only: Python's message quotes the offending
    token, which is often the password.
    """
    try:
        return netrc.netrc(str(path)).authenticators(host)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except IsADirectoryError:
        raise DoccanoError(f"netrc file {path} is a directory (set DOCCANO_NETRC to a file)") from None
    except netrc.NetrcParseError as err:
        raise DoccanoError(f"cannot parse netrc file {path}: malformed entry on line "
                           f"{_netrc_error_line(path, err)} (the line is not shown: it may hold a password)") from None
    except UnicodeDecodeError:
        raise DoccanoError(f"cannot read netrc file {path}: it is not UTF-8 text") from None
    except OSError as err:
        raise DoccanoError(f"cannot read netrc file {path}: {err.strerror or type(err).__name__}") from None


def _netrc_error_line(path: Path, err: netrc.NetrcParseError) -> int:
    """The line that holds the bad token: Python counts one line too many when it ends a line."""
    token = re.search(r"'(.*)'$", err.msg)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return err.lineno
    if token:
        for number in range(min(err.lineno, len(lines)), 0, -1):
            if token.group(1) in lines[number - 1].split():
                return number
    return err.lineno


def request_timeout_from_env(env: dict[str, str] | None = None) -> float:
    """`DOCCANO_REQUEST_TIMEOUT`: seconds to wait for an answer (default 30)."""
    env = os.environ if env is None else env
    raw = env.get("DOCCANO_REQUEST_TIMEOUT")
    if raw is None:
        return REQUEST_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise DoccanoError(f"DOCCANO_REQUEST_TIMEOUT must be a number of seconds above 0, not {raw!r}")
    return seconds


def client_from_env(env: dict[str, str] | None = None) -> "DoccanoClient":
    """A logged-in client configured by the DOCCANO_* variables (and netrc)."""
    return DoccanoClient(credentials_from_env(env), timeout=request_timeout_from_env(env))


def _answer(response: httpx.Response):
    """The answer's JSON, or None when it is not JSON (a web page, an empty body)."""
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _has_keys(value, keys: tuple[str, ...]) -> bool:
    """Whether `value`, an object or a list of objects, has every one of `keys`."""
    return not keys or all(isinstance(item, dict) and all(k in item for k in keys)
                           for item in (value if isinstance(value, list) else [value]))


def _with(keys: tuple[str, ...]) -> str:
    return f" with {', '.join(map(repr, keys))}" if keys else ""


class DoccanoClient:
    """A small, retrying client for the parts of Doccano's API that skillner needs.

    A call waits at most `timeout` seconds for an answer. Quick failures (connection refused
    or dropped, 5xx) are retried `retries` times with backoff; a timeout is retried once for a
    GET and never for a POST, so a server that accepts and never answers is reported after
    one timeout at login, and after two for a GET.
    """

    def __init__(self, credentials: Credentials, timeout: float = REQUEST_TIMEOUT, retries: int = 4,
                 backoff: float = 0.5):
        self.credentials = credentials
        self.url = base_url(credentials.url)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.requests = 0
        self._token = ""
        self._me: dict | None = None
        self._http = httpx.Client(base_url=self.url,
                                  timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)))
        try:
            self._login()
        except BaseException:
            self._http.close()
            raise

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "DoccanoClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- transport ---------------------------------------------------------------
    def _send(self, method: str, path: str, **kwargs) -> httpx.Response:
        slow_tries = 2 if method == "GET" else 1
        attempt = 0
        while True:
            attempt += 1
            self._http.cookies.clear()  # a session cookie would switch on CSRF checks
            try:
                self.requests += 1
                response = self._http.request(method, path, **kwargs)
            except SLOW as err:
                if attempt >= slow_tries:
                    raise DoccanoError(self._timeout_message(err, method, path)) from None
            except TRANSIENT as err:
                if attempt > self.retries:
                    raise DoccanoError(f"cannot reach Doccano at {self.url}: {type(err).__name__}; "
                                       f"is the server running (make doccano-up)?") from None
            except httpx.HTTPError as err:  # its message may quote the URL or a proxy's: name it only
                raise DoccanoError(f"cannot talk to Doccano at {self.url}: {type(err).__name__}") from None
            else:
                if response.status_code not in RETRY_STATUSES or attempt > self.retries:
                    return response
            time.sleep(self.backoff * 2 ** (attempt - 1))

    def _timeout_message(self, err: Exception, method: str, path: str) -> str:
        if isinstance(err, httpx.ConnectTimeout):
            return (f"cannot reach Doccano at {self.url}: no connection within {self._http.timeout.connect:g} s; "
                    f"is the address right and the server running?")
        return (f"no answer from {self.url} within {self.timeout:g} s to {method} {path} "
                f"(DOCCANO_REQUEST_TIMEOUT sets the wait); is it a Doccano server, and is it overloaded?")

    def _login(self) -> None:
        response = self._send("POST", "/v1/auth/login/", json={
            "username": self.credentials.username, "password": self.credentials.password})
        answer = _answer(response)
        if response.status_code == 400 and isinstance(answer, dict) and "non_field_errors" in answer:
            raise DoccanoError(f"Doccano at {self.url} rejected the username or password "
                               f"for user {self.credentials.username!r}")
        self._token = self._json(self._check(response, "log in"), "log in", ("key",))["key"]
        self._http.headers["Authorization"] = f"Token {self._token}"

    def _scrub(self, text: str) -> str:
        """Text from the server without the password or token, should it echo them back."""
        for secret in (self.credentials.password, self._token):
            if secret:
                text = text.replace(secret, "***")
        return text

    def _not_doccano(self, response: httpx.Response, expected: str) -> DoccanoError:
        request = response.request
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        return DoccanoError(f"the server at {self.url} is not a Doccano API: {request.method} {request.url.path} "
                            f"answered HTTP {response.status_code} ({kind}), expected {expected}; "
                            f"is DOCCANO_URL the Doccano server's address?")

    def _check(self, response: httpx.Response, what: str) -> httpx.Response:
        if response.is_success:
            return response
        if _answer(response) is None:  # a web page: some other server's, or a proxy's
            raise self._not_doccano(response, f"JSON, to {what}")
        detail = self._scrub(response.text[:200]).replace("\n", " ")
        raise DoccanoError(f"Doccano could not {what} (HTTP {response.status_code}): {detail}")

    def _json(self, response: httpx.Response, what: str, keys: tuple[str, ...] = ()):
        """The answer's JSON; a web page, or JSON without `keys`, means the URL is not Doccano's API."""
        value = _answer(response)
        if value is None or not _has_keys(value, keys):
            raise self._not_doccano(response, f"JSON{_with(keys)}, to {what}")
        return value

    def get(self, path: str, what: str, keys: tuple[str, ...] = (), **params):
        return self._json(self._check(self._send("GET", path, params=params or None), what), what, keys)

    def post(self, path: str, what: str, payload: dict, keys: tuple[str, ...] = ()):
        return self._json(self._check(self._send("POST", path, json=payload), what), what, keys)

    def paginate(self, path: str, what: str, keys: tuple[str, ...] = (), **params) -> Iterator[dict]:
        """Every item of a limit/offset-paginated list, past the server's page size.

        An unpaginated endpoint answers a plain list, a paginated one a page with `results`.
        """
        offset = 0
        while True:
            response = self._check(self._send("GET", path, params={"limit": PAGE_LIMIT, "offset": offset, **params}),
                                   what)
            page = _answer(response)
            items = page if isinstance(page, list) else page.get("results") if isinstance(page, dict) else None
            if not isinstance(items, list) or not _has_keys(items, keys):
                raise self._not_doccano(response, f"a JSON list or a page of 'results'{_with(keys)}, to {what}")
            yield from items
            if isinstance(page, list) or not page.get("next") or not items:
                return
            offset += len(items)

    # --- projects, labels, members -----------------------------------------------
    def me(self) -> dict:
        if self._me is None:
            self._me = self.get("/v1/me", "read the current user", ("id",))
        return self._me

    def find_project(self, name: str) -> dict | None:
        projects = self.paginate("/v1/projects", "list projects", ("id", "name"))
        return next((p for p in projects if p["name"] == name), None)

    def project(self, name: str) -> dict:
        found = self.find_project(name)
        if found is None:
            raise DoccanoError(f"no Doccano project named {name!r} at {self.url} for user "
                               f"{self.credentials.username!r} (use --create to make it)")
        return found

    def create_project(self, name: str, collaborative: bool = True) -> dict:
        return self.post("/v1/projects", f"create project {name!r}", {
            "name": name, "description": "Resumes labelled for skills (skillner)", "guideline": "",
            "project_type": "SequenceLabeling", "resourcetype": "SequenceLabelingProject",
            # Overlaps must be allowed for several annotators to mark the same words in a
            # collaborative project; overlaps within one annotator are reported on pull.
            "collaborative_annotation": collaborative, "random_order": False, "allow_overlapping": True,
            "grapheme_mode": False, "use_relation": False, "tags": []}, ("id",))

    def span_types(self, project_id: int) -> dict[str, int]:
        types = self.paginate(f"/v1/projects/{project_id}/span-types", "list labels", ("id", "text"))
        return {t["text"]: t["id"] for t in types}

    def ensure_span_types(self, project_id: int, labels: Iterable[str]) -> dict[str, int]:
        colours = ["#2e7d32", "#1565c0", "#ef6c00", "#6a1b9a", "#c62828"]
        types = self.span_types(project_id)
        for i, label in enumerate(sorted(set(labels) - set(types))):
            created = self.post(f"/v1/projects/{project_id}/span-types", f"create label {label!r}", {
                "text": label, "background_color": colours[i % len(colours)], "text_color": "#ffffff"}, ("id",))
            types[label] = created["id"]
        return types

    def members(self, project_id: int) -> dict[int, str]:
        members = self.paginate(f"/v1/projects/{project_id}/members", "list members", ("user", "username"))
        return {m["user"]: m["username"] for m in members}

    # --- examples, spans, states ---------------------------------------------------
    def examples(self, project_id: int) -> list[dict]:
        return list(self.paginate(f"/v1/projects/{project_id}/examples", "list examples", ("id", "text", "meta")))

    def create_example(self, project_id: int, text: str, meta: dict) -> dict:
        return self.post(f"/v1/projects/{project_id}/examples", "create an example", {"text": text, "meta": meta},
                         ("id",))

    def spans(self, project_id: int, example_id: int) -> list[dict]:
        return self.get(f"/v1/projects/{project_id}/examples/{example_id}/spans", "list spans", SPAN_KEYS)

    def create_span(self, project_id: int, example_id: int, start: int, end: int, label_id: int) -> dict:
        return self.post(f"/v1/projects/{project_id}/examples/{example_id}/spans", "create a span",
                         {"start_offset": start, "end_offset": end, "label": label_id})

    def states(self, project_id: int, example_id: int) -> list[dict]:
        return list(self.paginate(f"/v1/projects/{project_id}/examples/{example_id}/states", "list confirmations",
                                  ("confirmed_by", "confirmed_at")))

    def confirm(self, project_id: int, example_id: int) -> None:
        """Confirm an example for the current user; a no-op if it already is (the API toggles)."""
        me = self.me()["id"]
        if not any(s["confirmed_by"] == me for s in self.states(project_id, example_id)):
            self.post(f"/v1/projects/{project_id}/examples/{example_id}/states", "confirm an example", {})


# --- push ------------------------------------------------------------------------------
def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def push(client: DoccanoClient, records: list[dict], project_name: str, create: bool = False,
         model=None, workers: int = 4, label_map: dict[str, str] | None = None) -> dict:
    """Upload resumes with their spans (or a model's predictions) as pre-annotations.

    Idempotent: a resume whose text is already in the project is skipped, so a re-run after
    an interruption uploads only what is missing. `label_map` (default configs/labels.json)
    names the labels that are sent.
    """
    from skillner.annotate.convert import CharSpan, record_char_spans

    label_map = label_map or load_label_map()
    project = client.find_project(project_name)
    if project is None:
        if not create:
            client.project(project_name)  # raises the clear error
        project = client.create_project(project_name)
    pid = project["id"]
    present = {e["meta"].get("skillner_text_key") for e in client.examples(pid)}
    todo = [r for r in records if text_key(r["text"]) not in present]
    if model is not None:
        docs = model.pipe((r["text"] for r in todo), batch_size=16)
        spans_per_record = [[CharSpan(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in docs]
    else:
        spans_per_record = [record_char_spans(r, label_map)[0] for r in todo]
    types = client.ensure_span_types(pid, [s.label for spans in spans_per_record for s in spans] or label_map.values())

    def upload(item) -> int:
        record, spans = item
        # Doccano strips whitespace around a text; keep it in meta so a pull restores the
        # exact text, and shift offsets to the stripped text Doccano shows annotators.
        text = record["text"]
        lead = text[:len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()):] if text.strip() else ""
        meta = {**(record.get("meta") or {}), "skillner_text_key": text_key(text),
                "skillner_lead": lead, "skillner_trail": trail}
        example = client.create_example(pid, text.strip(), meta)
        for span in spans:
            client.create_span(pid, example["id"], span.start - len(lead), span.end - len(lead), types[span.label])
        return len(spans)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        spans_sent = sum(pool.map(upload, zip(todo, spans_per_record)))
    return {"project": project_name, "project_id": pid, "uploaded": len(todo), "skipped_present": len(records) - len(todo),
            "spans": spans_sent, "source": "model" if model is not None else "records"}


# --- pull ------------------------------------------------------------------------------
def _epoch(timestamp: str | None) -> int | None:
    return int(datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()) if timestamp else None


def _fingerprint(example: dict, spans: list[dict], states: list[dict]) -> str:
    key = [example["text"], sorted((s["id"], s["updated_at"]) for s in spans),
           sorted((s["confirmed_by"], s["confirmed_at"]) for s in states)]
    return hashlib.sha1(json.dumps(key).encode()).hexdigest()


def pull(client: DoccanoClient, project_name: str, out_path: Path, confirmed_only: bool = False,
         workers: int = 4) -> dict:
    """Write canonical records (one per example and annotator) and the annotation events.

    Incremental and idempotent: a state file beside the output remembers each example's
    fingerprint (its span ids and update times, its confirmations). Examples whose
    fingerprint is unchanged keep their records as they were; only changed, new and deleted
    examples alter the output, and the summary says how many of each there were.
    """
    from skillner.annotate.convert import ConversionReport, read_jsonl, write_jsonl

    out_path = Path(out_path)
    events_path = out_path.with_name(out_path.name.split(".")[0] + ".events.csv")
    state_path = out_path.with_name(out_path.name.split(".")[0] + ".state.json")
    project = client.project(project_name)
    pid = project["id"]
    label_map = load_label_map()
    users = client.members(pid)
    types = {v: k for k, v in client.span_types(pid).items()}
    examples = client.examples(pid)
    saved = json.loads(state_path.read_text()) if state_path.exists() and out_path.exists() else {}
    # records kept from a pull with another --confirmed-only setting would be the wrong set
    old_state = saved.get("examples", {}) if saved.get("confirmed_only") == confirmed_only else {}
    old_records: dict[str, list[dict]] = {}
    if old_state:
        for record in read_jsonl(out_path):
            old_records.setdefault(str(record["meta"]["doccano_example_id"]), []).append(record)

    def fetch(example: dict):
        return example, client.spans(pid, example["id"]), client.states(pid, example["id"])

    with ThreadPoolExecutor(max_workers=workers) as pool:
        fetched = list(pool.map(fetch, examples))

    records, events, state = [], [], {}
    counts = {"examples": len(examples), "new": 0, "changed": 0, "unchanged": 0}
    report = ConversionReport()
    for example, spans, states in fetched:
        eid = str(example["id"])
        state[eid] = _fingerprint(example, spans, states)
        events.extend(_events(pid, example, spans, states, users, types))
        if old_state.get(eid) == state[eid]:
            counts["unchanged"] += 1
            records.extend(r for r in old_records.get(eid, []) if not confirmed_only or r["meta"]["confirmed"])
            continue
        counts["changed" if eid in old_state else "new"] += 1
        for record, conversion in _example_records(pid, project_name, example, spans, states, users, types, label_map):
            report.add(conversion)
            if confirmed_only and not record["meta"]["confirmed"]:
                continue
            records.append(record)
    counts["deleted"] = len(set(old_state) - set(state))
    counts["unlabelled"] = sum(1 for _, spans, states in fetched if not spans and not states)
    write_jsonl(out_path, records)
    _write_events(events_path, events)
    state_path.write_text(json.dumps({"confirmed_only": confirmed_only, "examples": state}, indent=0,
                                     sort_keys=True) + "\n")
    return {**counts, "records": len(records), "events": len(events), "requests": client.requests,
            "alignment": dict(report.counts), "out": str(out_path), "events_out": str(events_path)}


def _example_records(pid, project_name, example, spans, states, users, types, label_map):
    """One canonical record per annotator who labelled or confirmed the example."""
    from skillner.annotate.convert import CharSpan, make_record

    meta_in = dict(example.get("meta") or {})
    lead, trail = meta_in.pop("skillner_lead", ""), meta_in.pop("skillner_trail", "")
    meta_in.pop("skillner_text_key", None)
    text = lead + example["text"] + trail
    by_user: dict[int, list[dict]] = {}
    for span in spans:
        by_user.setdefault(span["user"], []).append(span)
    confirmed = {s["confirmed_by"]: s["confirmed_at"] for s in states}
    for user in sorted(set(by_user) | set(confirmed)):
        user_spans = by_user.get(user, [])
        char_spans = [CharSpan(s["start_offset"] + len(lead), s["end_offset"] + len(lead), types[s["label"]])
                      for s in user_spans]
        char_spans, unknown = _mapped(char_spans, label_map)
        times = [t for t in [*(s["updated_at"] for s in user_spans), confirmed.get(user)] if t]
        name = users.get(user, f"user-{user}")
        meta = {**meta_in, "doccano_project": project_name, "doccano_example_id": example["id"],
                "annotator": name, "confirmed": user in confirmed}
        meta.setdefault("id", f"doccano-{pid}-{example['id']}")
        record, conversion = make_record(text, char_spans, meta)
        conversion.counts.update(unknown)
        record.update({"_annotator_id": f"{project_name}-{name}", "_session_id": f"{project_name}-{name}",
                       "_timestamp": max(_epoch(t) for t in times) if times else None})
        yield record, conversion


def _mapped(spans: list[CharSpan], label_map: dict[str, str]):
    from skillner.annotate.convert import CharSpan

    kept, unknown = [], {}
    for s in spans:
        label = label_map.get(s.label)
        if label is None:
            unknown["unknown_label"] = unknown.get("unknown_label", 0) + 1
        else:
            kept.append(CharSpan(s.start, s.end, label))
    return kept, unknown


def _events(pid, example, spans, states, users, types) -> list[dict]:
    """The rows of the events table: every span and every confirmation, with its times.

    Offsets are in the resume's original text (Doccano's, shifted by the whitespace it stripped).
    """
    meta = example.get("meta") or {}
    shift = len(meta.get("skillner_lead", ""))
    resume_id = meta.get("id", f"doccano-{pid}-{example['id']}")
    rows = [{"project_id": pid, "example_id": example["id"], "resume_id": resume_id, "event": "span", "annotator": users.get(s["user"]),
             "span_id": s["id"], "label": types.get(s["label"]), "start": s["start_offset"] + shift,
             "end": s["end_offset"] + shift,
             "created_at": s["created_at"], "updated_at": s["updated_at"], "confirmed_at": None,
             "words": len(example["text"].split())} for s in spans]
    rows += [{"project_id": pid, "example_id": example["id"], "resume_id": resume_id, "event": "confirmed",
              "annotator": users.get(s["confirmed_by"]), "span_id": None, "label": None, "start": None, "end": None,
              "created_at": None, "updated_at": None, "confirmed_at": s["confirmed_at"],
              "words": len(example["text"].split())} for s in states]
    return rows


def _write_events(path: Path, rows: list[dict]) -> None:
    import pandas as pd

    columns = ["project_id", "example_id", "resume_id", "event", "annotator", "span_id", "label", "start", "end",
               "created_at", "updated_at", "confirmed_at", "words"]
    table = pd.DataFrame(rows, columns=columns)
    for column in ("span_id", "start", "end"):
        table[column] = table[column].astype("Int64")
    table.sort_values(["example_id", "event", "span_id"], na_position="last").to_csv(path, index=False)
