"""The HTTP service: `POST /v1/extract` (a file, or JSON text) answers with the extract schema
(docs/extract-schema.md), `GET /healthz`, OpenAPI at `/docs`, and a page at `/`.

Each server process loads the model once, at start-up, after forking one reader process per
concurrent request (`readers.guard.IsolatedReader`): a file that hangs or kills its parser
costs that request an error and the reader a restart, never the server. At most
`max_concurrent` requests are read and parsed at once; one more gets 503 with `Retry-After`
instead of a queue. A body larger than the upload limit is refused with 413 from its
`Content-Length` before any of it is read, or as soon as the bytes read pass the limit.
Uploads stay in memory or, for multipart parts over 1 MB, in a private temporary folder
(mode 0700) that is removed with the server; nothing is written elsewhere.
"""

from __future__ import annotations

import asyncio
import hmac
import os
import queue
import shutil
import tempfile
import threading
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse

from ..linking import Linker, LinkSettings
from ..readers import Limits, ReadError, read_bytes, reader_suffix
from ..readers.guard import IsolatedReader

API_KEY_ENV = "SKILLNER_API_KEY"
MULTIPART_SLACK = 64 * 1024  # a multipart body's boundaries and headers, beyond the file itself
STATUS = {"unsupported_format": 415, "too_large": 413}  # every other kind of a bad file: 422
PAGE = Path(__file__).with_name("page.html")


@dataclass
class ServiceSettings:
    model: Path | None = None
    limits: Limits = field(default_factory=Limits)
    timeout: float = 60.0  # seconds to read one file (parsing is bounded by Limits.max_chars)
    max_concurrent: int = 4
    api_key: str | None = None  # requests must carry it (X-API-Key or Authorization: Bearer)
    linking: LinkSettings = field(default_factory=LinkSettings)


class _State:
    """What one server process holds: the model, its concept table and the reader processes."""

    def __init__(self, settings: ServiceSettings):
        self.settings = settings
        self.readers: queue.Queue[IsolatedReader] = queue.Queue()
        for _ in range(settings.max_concurrent):  # forked before the model loads: cheap
            self.readers.put(IsolatedReader())
        from ..evaluate import load_model

        self.nlp, self.linker = load_model(settings.model), Linker.load(settings.linking)
        self.parse_lock = threading.Lock()  # one parse at a time per process: --workers for more
        self.slots = asyncio.Semaphore(settings.max_concurrent)

    def close(self) -> None:
        while not self.readers.empty():
            self.readers.get().kill()


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
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

    app = FastAPI(title="skillner", version="1", lifespan=lifespan,
                  description="Skills from resumes: each mention with offsets, label and ESCO / O*NET concept.")
    app.add_middleware(_UploadLimit, max_bytes=settings.limits.max_bytes + MULTIPART_SLACK)

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok", "model": holder["state"].nlp.meta.get("name"),
                "concurrent": settings.max_concurrent}

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
            return _error(401, "unauthorised", f"this service needs an API key (header X-API-Key)")
        state: _State = holder["state"]
        if state.slots.locked():
            return _error(503, "busy", f"{settings.max_concurrent} requests are being served; try again",
                          {"Retry-After": "1"})
        async with state.slots:
            try:
                name, data, suffix = await _upload(request)
                result = await run_in_threadpool(_extract, state, name, data, suffix, with_text, min_confidence, links)
            except ReadError as error:
                return _error(STATUS.get(error.kind, 422), error.kind, str(error))
        return JSONResponse(result)

    return app


def _authorised(request: Request, key: str) -> bool:
    given = request.headers.get("x-api-key") or request.headers.get("authorization", "").removeprefix("Bearer ")
    return hmac.compare_digest(given.encode(), key.encode())


def _error(status: int, kind: str, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": {"kind": kind, "message": message}}, status_code=status, headers=headers)


async def _upload(request: Request) -> tuple[str, bytes | str, str]:
    """(name, bytes of a file or the JSON text, suffix), or the ReadError a client can act on."""
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json"):
        try:
            body = await request.json()
        except ValueError:
            raise ReadError("not_text", "the JSON body could not be parsed") from None
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            raise ReadError("not_text", 'a JSON body must be {"text": "..."}')
        return "text", body["text"], ".txt"
    if not kind.startswith("multipart/form-data"):
        raise ReadError("unsupported_format", "send a multipart form with a `file` part, or JSON {\"text\": ...}")
    form = await request.form()
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


def _extract(state: _State, name: str, data: bytes | str, suffix: str, with_text: bool, min_confidence: float,
             links: int) -> dict:
    from ..extract import extract_texts

    limits = state.settings.limits
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > limits.max_bytes:
        raise ReadError("too_large", f"{name} is {len(data):,} bytes, over the limit of {limits.max_bytes:,}")
    reader = state.readers.get()
    try:
        extracted = reader.call(read_bytes, (data, suffix, name, limits), state.settings.timeout)
    finally:
        state.readers.put(reader)
    with state.parse_lock:
        result = next(extract_texts(state.nlp, [extracted.text], state.linker, min_confidence=min_confidence, links=links))
    return {"schema_version": result["schema_version"], "file": name, "reader": extracted.reader,
            "pages": extracted.pages, "ocr_pages": extracted.ocr_pages, "chars": len(extracted.text),
            **({"text": extracted.text} if with_text else {}), "linking": result["linking"], "mentions": result["mentions"],
            "skills": result["skills"]}


class _UploadLimit:
    """413 for a body over `max_bytes`: from Content-Length before reading, else once the bytes
    read pass it (a chunked upload), so an oversized upload is never held whole."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            return await self._refuse(send, int(length))
        seen, started = 0, False

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _TooLarge(seen)
            return message

        async def watched(message):
            nonlocal started
            started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge as error:
            if not started:
                await self._refuse(send, error.seen)

    async def _refuse(self, send, size: int) -> None:
        await JSONResponse({"error": {"kind": "too_large", "message": f"the upload is over {size:,} bytes; the "
                                      f"limit is {self.max_bytes - MULTIPART_SLACK:,} bytes"}},
                           status_code=413, headers={"Connection": "close"})({"type": "http"}, None, send)


class _TooLarge(Exception):
    def __init__(self, seen: int):
        self.seen = seen


def app_from_env() -> FastAPI:
    """The app as `skillner serve` configures it (its options travel to each worker process in
    SKILLNER_SERVE_* variables; the API key in SKILLNER_API_KEY)."""
    import json

    limits = json.loads(os.environ.get("SKILLNER_SERVE_LIMITS", "{}"))
    return create_app(ServiceSettings(model=Path(os.environ["SKILLNER_SERVE_MODEL"]) if os.environ.get(
        "SKILLNER_SERVE_MODEL") else None, limits=Limits(**limits),
        timeout=float(os.environ.get("SKILLNER_SERVE_TIMEOUT", 60)),
        max_concurrent=int(os.environ.get("SKILLNER_SERVE_CONCURRENT", 4)),
        api_key=os.environ.get(API_KEY_ENV) or None,
        linking=LinkSettings(**json.loads(os.environ.get("SKILLNER_SERVE_LINKING", "{}")))))
