"""HTTP API (FastAPI) for the widget and other clients: /api/ask, /api/feedback, /healthz, /widget.

Never imports gradio: app.py mounts the Gradio UI onto the app built here, so the security
headers, CORS scope and error format below also hold for the whole site.
"""
from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import PROJECT_ROOT, Settings
from .conversation import validate_history
from .core import check_question
from .errors import INTERNAL_ERROR, AssistantError, InvalidQuestion
from .feedback import FeedbackStore
from .service import AssistantService
from .widget import widget_router

log = logging.getLogger(__name__)

STATIC_DIR = PROJECT_ROOT / "static"
ASK_FIELDS = ("question", "history")
TURN_FIELDS = ("role", "content")
FEEDBACK_FIELDS = ("question", "answer", "rating", "comment", "citations")
# Answering is CPU-bound: a few worker threads keep the CPU busy without starving the
# threadpool Gradio and Starlette share for their own blocking work.
ASK_WORKERS = 4

HTTP_MESSAGES = {
    404: "Alamat ini tidak ada. Coba POST /api/ask atau buka /widget.",
    405: "Metode HTTP ini tidak didukung untuk alamat ini.",
}

class RequestError(Exception):
    """A client mistake, turned into {"error": message} with the given status at the edge."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class RateLimiter:
    """Sliding-window limit per client key; thread-safe, the lock is held only for bookkeeping."""

    def __init__(self, per_minute: int, window_s: float = 60.0, clock=time.monotonic) -> None:
        if per_minute <= 0:
            raise ValueError(f"per_minute harus lebih dari 0 (sekarang {per_minute}).")
        self.limit = per_minute
        self.window = window_s
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._last_sweep = clock()

    def check(self, key: str) -> float:
        """Record one request for key; 0.0 if allowed, else seconds until a slot frees up."""
        now = self.clock()
        with self._lock:
            self._sweep(now)
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(hits[0] + self.window - now, 0.001)
            hits.append(now)
            return 0.0

    def _sweep(self, now: float) -> None:
        # Forget idle clients once a window so memory stays bounded by recent clients only.
        if now - self._last_sweep < self.window:
            return
        self._last_sweep = now
        for key in [k for k, h in self._hits.items() if not h or h[-1] <= now - self.window]:
            del self._hits[key]


class SecurityHeaders:
    """Adds headers for a public page to every response (works with streaming: touches only the start)."""

    def __init__(self, app: ASGIApp, allowed_origins: tuple[str, ...]) -> None:
        self.app = app
        ancestors = " ".join(("'self'", *allowed_origins))
        # The widget is our own static page: a strict policy costs nothing there.
        self.widget_csp = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'; "
            f"frame-ancestors {ancestors}"
        ).encode()
        # Gradio's page relies on inline scripts/styles, so elsewhere only framing is restricted.
        self.page_csp = f"frame-ancestors {ancestors}; object-src 'none'; base-uri 'self'".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        csp = self.widget_csp if path == "/widget" or path.startswith("/widget/") else self.page_csp
        is_api = path.startswith("/api/") or path == "/healthz"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _OWNED_HEADERS]
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"strict-origin-when-cross-origin"),
                    (b"content-security-policy", csp),
                ]
                if is_api:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


_OWNED_HEADERS = {b"x-content-type-options", b"referrer-policy", b"content-security-policy", b"x-frame-options"}


class ApiCORS:
    """CORS for /api/* and /healthz only, and only for the configured origins (never "*")."""

    def __init__(self, app: ASGIApp, allowed_origins: tuple[str, ...]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=list(allowed_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.startswith("/api/") or path == "/healthz":
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def client_key(request: Request) -> str:
    """The rate-limit key: the peer address (X-Forwarded-For is spoofable, so it is not trusted)."""
    return request.client.host if request.client else "unknown"


async def read_json_object(request: Request, max_bytes: int) -> dict[str, Any]:
    """The request body as a JSON object, enforcing the size limit while streaming it in."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            declared_size = int(declared)
        except ValueError:
            raise RequestError(400, "Header Content-Length tidak valid.") from None
        if declared_size > max_bytes:
            raise RequestError(413, _too_large(max_bytes))
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        # Requiring JSON also forces a CORS preflight, so other sites can't post blind "simple" forms.
        raise RequestError(400, "Kirim body berupa JSON dengan header Content-Type: application/json.")
    body = bytearray()
    # The declared length can lie (or be absent with chunked encoding): count what actually arrives.
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise RequestError(413, _too_large(max_bytes))
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise RequestError(400, "Body bukan JSON yang valid. Contoh: {\"question\": \"Apa itu sister city?\"}") from None
    if not isinstance(data, dict):
        raise RequestError(422, "Body harus berupa objek JSON, misalnya {\"question\": \"Apa itu sister city?\"}.")
    return data


def _too_large(max_bytes: int) -> str:
    return f"Permintaannya terlalu besar (maksimal {max_bytes} byte). Coba pertanyaan yang lebih singkat."


def _reject_unknown(data: dict, allowed: tuple[str, ...], where: str = "body") -> None:
    unknown = sorted(k for k in data if k not in allowed)
    if unknown:
        names = ", ".join(repr(k) for k in unknown)
        raise RequestError(422, f"Kolom tidak dikenal di {where}: {names}. Kolom yang boleh: {', '.join(allowed)}.")


def parse_ask(data: dict, max_question_chars: int) -> tuple[str, list[dict] | None]:
    """Validate an /api/ask body; returns (question, history).

    The question and history are checked by the core's own rules (same messages as in the chat);
    a wrong shape is a 422 here, while an empty question reaches ask() and comes back as a 400.
    """
    _reject_unknown(data, ASK_FIELDS)
    if "question" not in data:
        raise RequestError(422, "Kolom 'question' wajib diisi, misalnya {\"question\": \"Apa itu sister city?\"}.")
    history = data.get("history")
    for i, turn in enumerate(history if isinstance(history, list) else []):
        if isinstance(turn, dict):
            _reject_unknown(turn, TURN_FIELDS, where=f"pesan ke-{i + 1} 'history'")
    try:
        question = check_question(data["question"], max_question_chars)
        validate_history(history)
    except InvalidQuestion as exc:
        raise RequestError(422, exc.message) from None
    return question, history


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The one error shape every client sees: {"error": "<Indonesian message>"}."""
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def create_api(assistant: AssistantService, settings: Settings, feedback: FeedbackStore | None = None,
               static_dir: Path = STATIC_DIR) -> FastAPI:
    """The FastAPI app: JSON API, health check and the embeddable widget."""
    # The interactive docs load Swagger/Redoc from a CDN: off, the app must work with no network.
    app = FastAPI(title="Asisten Kota Kembar API", docs_url=None, redoc_url=None, openapi_url=None)
    limiter = RateLimiter(settings.rate_limit_per_minute)
    ask_slots = anyio.CapacityLimiter(ASK_WORKERS)
    store_lock = threading.Lock()
    state: dict[str, FeedbackStore | None] = {"feedback": feedback}

    def feedback_store() -> FeedbackStore:
        # Opened on first use so a read-only deployment that never gets feedback needs no data dir.
        with store_lock:
            if state["feedback"] is None:
                state["feedback"] = FeedbackStore(settings.feedback_db)
            return state["feedback"]

    def enforce_rate_limit(request: Request) -> None:
        wait = limiter.check(client_key(request))
        if wait:
            seconds = max(1, math.ceil(wait))
            raise RequestError(
                429,
                f"Pelan-pelan ya, terlalu banyak pertanyaan dalam semenit "
                f"(maksimal {settings.rate_limit_per_minute}). Coba lagi {seconds} detik lagi.",
                headers={"Retry-After": str(seconds)},
            )

    @app.exception_handler(RequestError)
    async def _request_error(_: Request, exc: RequestError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.headers)

    @app.exception_handler(AssistantError)
    async def _assistant_error(_: Request, exc: AssistantError) -> JSONResponse:
        return error_response(400, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = HTTP_MESSAGES.get(exc.status_code, "Permintaan tidak bisa diproses.")
        return error_response(exc.status_code, message, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error in API", exc_info=exc)
        return error_response(500, INTERNAL_ERROR)

    @app.post("/api/ask")
    async def ask(request: Request) -> JSONResponse:
        """Answer one question (with optional history) as Answer.to_dict()."""
        enforce_rate_limit(request)
        data = await read_json_object(request, settings.max_body_bytes)
        question, history = parse_ask(data, settings.max_question_chars)
        if not assistant.ready:
            return error_response(503, "Asisten masih menyiapkan indeks. Coba lagi sebentar lagi ya.")
        # Off the event loop so health checks, other clients and the UI keep being served.
        try:
            answer = await anyio.to_thread.run_sync(assistant.ask, question, history, limiter=ask_slots)
        except AssistantError:
            raise
        except Exception:
            # Handled here, not by the server-error fallback, so the client gets a clean 500 on a live connection.
            log.exception("assistant.ask failed for a %d-char question", len(question))
            return error_response(500, INTERNAL_ERROR)
        if answer.route == "invalid":
            return error_response(400, answer.answer)
        return JSONResponse(answer.to_dict())

    @app.post("/api/feedback", status_code=201)
    async def post_feedback(request: Request) -> JSONResponse:
        """Store 👍/👎 (+ optional comment) on one answer."""
        enforce_rate_limit(request)
        data = await read_json_object(request, settings.max_body_bytes)
        _reject_unknown(data, FEEDBACK_FIELDS)
        for name in ("question", "answer", "rating"):
            if name not in data:
                raise RequestError(422, f"Kolom '{name}' wajib diisi.")
        store = feedback_store()
        row_id = await anyio.to_thread.run_sync(
            lambda: store.record(data["question"], data["answer"], data["rating"], data.get("comment"),
                                 data.get("citations"))
        )
        return JSONResponse({"id": row_id, "message": "Makasih, umpan baliknya sudah kami catat!"}, status_code=201)

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        """200 when the index is loaded and questions can be answered, else 503."""
        if assistant.ready:
            count = len(assistant.records.relationships)
            return JSONResponse({"status": "ok", "ready": True, "relationships": count})
        return JSONResponse({"status": "unavailable", "ready": False,
                             "error": "Indeks belum siap. Jalankan `assistant ingest` atau tunggu sebentar."},
                            status_code=503)

    app.include_router(widget_router(static_dir, settings.prompts_dir))

    # Outermost first: security headers must also cover CORS preflights and error responses.
    if settings.allowed_origins:
        app.add_middleware(ApiCORS, allowed_origins=settings.allowed_origins)
    app.add_middleware(SecurityHeaders, allowed_origins=settings.allowed_origins)
    return app
