"""The HTTP service: `POST /v1/extract` (a file, or JSON text) answers with the extract schema
(docs/extract-schema.md), `GET /healthz`, OpenAPI at `/docs` (Swagger UI served from this
process, by fastapi-offline), and a page at `/`.

Each server process loads the model once, at start-up, after forking one reader process per
concurrent request (`readers.guard.IsolatedReader`): a file that hangs or kills its parser
costs that request an error and the reader a restart, never the server.

A request's body is read whole, within `body_timeout` seconds, before it takes one of the
`max_concurrent` slots: a client that stalls or trickles its upload holds a connection, never a
slot, and gets 408 when its time is up. A body over the upload limit is refused with 413 from
its `Content-Length` before any of it is read, or as soon as the bytes read pass the limit. With
every slot taken, one more request gets 503 with `Retry-After` instead of a queue. Parsing takes
turns: a text is parsed in segments of `SEGMENT_CHARS`, each in the order the requests asked
(`_Turns`), so a long text delays the others by one segment at a time, and a text whose own
model time passes `timeout` gets 422 `timeout`. Every bad input is a 4xx with a `kind`.

Uploads stay in memory or, for multipart parts over 1 MB, in a private temporary folder
(mode 0700) that is removed with the server; nothing is written elsewhere.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import hashlib
import hmac
import json
import os
import queue
import re
import shutil
import tempfile
import threading
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from skillner.extract.mentions import extract_docs, split_segments
from skillner.extract.readers import Extracted, Limits, ReadError, clean_text, read_bytes, reader_suffix
from skillner.extract.readers.guard import IsolatedReader
from skillner.taxonomy.linking import Linker, LinkSettings

API_KEY_ENV = "SKILLNER_API_KEY"
MULTIPART_SLACK = 64 * 1024  # a multipart body's boundaries and headers, beyond the file itself
STATUS = {"unsupported_format": 415, "too_large": 413, "slow_upload": 408}  # every other bad file: 422
PAGE = Path(__file__).with_name("page.html")
# Characters parsed in one turn: about 0.4 s of model time on one core, the longest a request
# waits behind another's long text per turn.
SEGMENT_CHARS = 10_000


@dataclass
class ServiceSettings:
    model: Path | None = None
    limits: Limits = field(default_factory=Limits)
    timeout: float = 60.0  # seconds to read one file, and of model time to parse its text
    body_timeout: float = 30.0  # seconds for a request's body to arrive whole
    max_concurrent: int = 4
    api_key: str | None = None  # requests must carry it (X-API-Key or Authorization: Bearer)
    linking: LinkSettings = field(default_factory=LinkSettings)


class _Turns:
    """A lock granted in the order it was asked for. `threading.Lock` is not fair: a long text
    that releases and takes it again between segments could keep the waiting requests out."""

    def __init__(self):
        self._changed = threading.Condition()
        self._waiting: collections.deque = collections.deque()
        self._held = False

    def __enter__(self) -> None:
        ticket = object()
        with self._changed:
            self._waiting.append(ticket)
            while self._held or self._waiting[0] is not ticket:
                self._changed.wait()
            self._waiting.popleft()
            self._held = True

    def __exit__(self, *exc) -> None:
        with self._changed:
            self._held = False
            self._changed.notify_all()


class _State:
    """What one server process holds: the model, its concept table and the reader processes."""

    def __init__(self, settings: ServiceSettings):
        self.settings = settings
        self.readers: queue.Queue[IsolatedReader] = queue.Queue()
        for _ in range(settings.max_concurrent):  # forked before the model loads: cheap
            self.readers.put(IsolatedReader())
        from skillner.pipeline.model import load_model

        self.nlp, self.linker = load_model(settings.model), Linker.load(settings.linking)
        self.turns = _Turns()  # one parse at a time per process: --workers for more
        self.slots = asyncio.Semaphore(settings.max_concurrent)

    def close(self) -> None:
        while not self.readers.empty():
            self.readers.get().kill()


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    from fastapi_offline import FastAPIOffline

    settings = settings or ServiceSettings(api_key=os.environ.get(API_KEY_ENV) or None)
    holder: dict = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        previous = tempfile.tempdir
        private = tempfile.mkdtemp(prefix="skillner-uploads-")  # mode 0700
        tempfile.tempdir = private  # where multipart parsing spools large parts
        try:
            holder["state"] = _State(settings)
            yield
        finally:
            if "state" in holder:
                holder["state"].close()
            tempfile.tempdir = previous  # a later app in this process must not use the removed folder
            shutil.rmtree(private, ignore_errors=True)

    app = FastAPIOffline(title="skillner", version="1", lifespan=lifespan, redoc_url=None,
                         description="Skills from resumes: each mention with offsets, label and ESCO / O*NET concept.")
    app.add_middleware(_SecurityHeaders)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        where = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        return _error(422, "bad_request", where)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        kind = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "bad_request")
        return _error(error.status_code, kind, str(error.detail), getattr(error, "headers", None))

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok", "model": holder["state"].nlp.meta.get("name"),
                "concurrent": settings.max_concurrent, "api_key_required": bool(settings.api_key)}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> str:
        return PAGE.read_text(encoding="utf-8")

    @app.post("/v1/extract")
    async def extract(request: Request, with_text: bool = False,
                      min_confidence: float = Query(0.0, ge=0, le=1, description="Leave out mentions below it"),
                      links: int = Query(0, ge=0, le=20, description="Give each mention its top K concepts")
                      ) -> JSONResponse:
        """A multipart `file` (any format `skillner extract` reads) or JSON `{"text": ...}`."""
        if settings.api_key and not _authorised(request, settings.api_key):
            return _error(401, "unauthorised", "this service needs an API key (header X-API-Key, or "
                                               "Authorization: Bearer KEY)")
        state: _State = holder["state"]
        try:
            body = await _receive(request, settings)  # before a slot: a slow client holds none
            if state.slots.locked():
                return _error(503, "busy", f"{settings.max_concurrent} requests are being served; try again",
                              {"Retry-After": "1"})
            async with state.slots:
                name, data, suffix = await _upload(request, body, settings.limits)
                result = await run_in_threadpool(_extract, state, name, data, suffix, with_text, min_confidence, links)
        except ReadError as error:
            status = STATUS.get(error.kind, 422)
            return _error(status, error.kind, str(error), {"Connection": "close"} if status in (408, 413) else None)
        except ClientDisconnect:
            return _error(400, "disconnected", "the client went away before its request was read")
        return JSONResponse(result)

    return app


def _authorised(request: Request, key: str) -> bool:
    given = request.headers.get("x-api-key")
    if given is None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        given = token.strip() if scheme.lower() == "bearer" else ""
    return hmac.compare_digest(given.encode(), key.encode())


def _error(status: int, kind: str, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": {"kind": kind, "message": message}}, status_code=status, headers=headers)


async def _receive(request: Request, settings: ServiceSettings) -> bytes:
    """The whole body, within `body_timeout` seconds and the upload limit (from Content-Length
    before reading, else as the bytes arrive, so an oversized upload is never held whole)."""
    limit = settings.limits.max_bytes + MULTIPART_SLACK
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise _too_large(int(length), limit)
    chunks, size = [], 0

    async def read() -> None:
        nonlocal size
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large(size, limit)
            chunks.append(chunk)

    try:
        await asyncio.wait_for(read(), settings.body_timeout)
    except asyncio.TimeoutError:
        raise ReadError("slow_upload", f"the request body did not arrive within {settings.body_timeout:g} s "
                                       f"({size:,} bytes came)") from None
    return b"".join(chunks)


def _too_large(size: int, limit: int) -> ReadError:
    return ReadError("too_large", f"the upload is over {size:,} bytes; the limit is {limit - MULTIPART_SLACK:,} bytes")


async def _upload(request: Request, body: bytes, limits: Limits) -> tuple[str, bytes | str, str]:
    """(name, bytes of a file or the JSON text, suffix), or the ReadError a client can act on."""
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json"):
        return "text", _json_text(body, limits), ".txt"
    if not kind.startswith("multipart/form-data"):
        raise ReadError("unsupported_format", "send a multipart form with a `file` part, or JSON {\"text\": ...}")

    async def replay() -> dict:  # the body already read, for the form parser
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form()
    except HTTPException as error:  # Starlette's word for a malformed multipart body
        raise ReadError("corrupt", f"the multipart form could not be parsed ({error.detail})") from None
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise ReadError("unsupported_format", "the form has no `file` part")
    name = Path(upload.filename or "upload").name
    suffix = reader_suffix(name)
    data = await upload.read()
    await upload.close()
    if not data:
        raise ReadError("empty_file", f"{name} is empty (0 bytes)")
    return name, data, suffix


def _json_text(body: bytes, limits: Limits) -> str:
    """The text of a `{"text": ...}` body: it is already text, so it is never decoded again as
    bytes; a NUL is a space (it never sits inside a word), a lone surrogate is refused."""
    try:
        parsed = json.loads(body)
    except RecursionError:
        raise ReadError("not_text", "the JSON body is nested too deep") from None
    except ValueError as error:  # not JSON, or not UTF-8
        raise ReadError("not_text", f"the JSON body could not be parsed ({error})") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("text"), str):
        raise ReadError("not_text", 'a JSON body must be {"text": "..."}')
    text = parsed["text"]
    surrogate = re.search("[\ud800-\udfff]", text)
    if surrogate:
        raise ReadError("not_text", f"the text holds a lone surrogate (U+{ord(surrogate.group()):04X} at character "
                                    f"{surrogate.start():,}), which is not a character")
    if len(text) > limits.max_chars:
        raise ReadError("too_large", f"the text is {len(text):,} characters, over the limit of {limits.max_chars:,}")
    return text


def _extract(state: _State, name: str, data: bytes | str, suffix: str, with_text: bool, min_confidence: float,
             links: int) -> dict:
    limits = state.settings.limits
    if isinstance(data, str):
        extracted = Extracted(clean_text(data.replace("\x00", " ")), "text (json)")
        if not extracted.text.strip():
            raise ReadError("empty_file", "the text is empty (nothing but spaces and control characters)")
    else:
        reader = state.readers.get()
        try:
            extracted = reader.call(read_bytes, (data, suffix, name, limits), state.settings.timeout)
        finally:
            state.readers.put(reader)
    result = _parse(state, extracted.text, min_confidence, links)
    return {"schema_version": result["schema_version"], "file": name, "reader": extracted.reader,
            "pages": extracted.pages, "ocr_pages": extracted.ocr_pages, "chars": len(extracted.text),
            **({"text": extracted.text} if with_text else {}), "linking": result["linking"], "mentions": result["mentions"],
            "skills": result["skills"], **({"concepts": result["concepts"]} if "concepts" in result else {})}


def _parse(state: _State, text: str, min_confidence: float, links: int) -> dict:
    """The text parsed a segment per turn, its mentions linked in one more turn; past
    `timeout` seconds of its own model time, `ReadError("timeout")`."""
    from spacy.tokens import Doc

    timeout, spent, docs = state.settings.timeout, 0.0, []
    for piece in split_segments(text, SEGMENT_CHARS):
        if spent > timeout:
            raise ReadError("timeout", f"parsing its {len(text):,} characters took over {timeout:g} s of model "
                                       "time; send a shorter text")
        with state.turns:
            started = time.monotonic()
            docs.append(state.nlp(piece))
            spent += time.monotonic() - started
    # from_docs moves span extension values (the confidences) to the joined offsets
    doc = docs[0] if len(docs) == 1 else Doc.from_docs(docs, ensure_whitespace=False)
    with state.turns:
        return next(iter(extract_docs([doc], state.linker, min_confidence, links)))


class _SecurityHeaders:
    """Headers that keep a browser from sniffing a JSON answer into a page, framing the page, or
    running a script the page did not bring: the page's own script and style are allowed by
    their hashes, Swagger UI's files come from this server."""

    def __init__(self, app):
        self.app = app
        page = PAGE.read_text(encoding="utf-8")
        hashes = {tag: " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
                                for body in re.findall(rf"<{tag}>(.*?)</{tag}>", page, re.S))
                  for tag in ("script", "style")}
        common = "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        self.policies = {
            "/": f"default-src 'none'; script-src {hashes['script']}; style-src {hashes['style']}; "
                 f"connect-src 'self'; img-src 'self' data:; {common}",
            "/docs": f"default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
                     f"img-src 'self' data:; connect-src 'self'; {common}",
        }
        self.default = f"default-src 'none'; {common}"

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        policy = self.policies.get(scope["path"], self.default).encode()

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-content-type-options", b"nosniff"),
                                      (b"x-frame-options", b"DENY"), (b"referrer-policy", b"no-referrer"),
                                      (b"content-security-policy", policy)]
            await send(message)

        await self.app(scope, receive, with_headers)


def app_from_env() -> FastAPI:
    """The app as `skillner serve` configures it (its options travel to each worker process in
    SKILLNER_SERVE_* variables; the API key in SKILLNER_API_KEY)."""
    limits = json.loads(os.environ.get("SKILLNER_SERVE_LIMITS", "{}"))
    return create_app(ServiceSettings(model=Path(os.environ["SKILLNER_SERVE_MODEL"]) if os.environ.get(
        "SKILLNER_SERVE_MODEL") else None, limits=Limits(**limits),
        timeout=float(os.environ.get("SKILLNER_SERVE_TIMEOUT", 60)),
        body_timeout=float(os.environ.get("SKILLNER_SERVE_BODY_TIMEOUT", 30)),
        max_concurrent=int(os.environ.get("SKILLNER_SERVE_CONCURRENT", 4)),
        api_key=os.environ.get(API_KEY_ENV) or None,
        linking=LinkSettings(**json.loads(os.environ.get("SKILLNER_SERVE_LINKING", "{}")))))
