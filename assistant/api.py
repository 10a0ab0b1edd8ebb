"""HTTP API (FastAPI) for the widget and other clients: /api/ask, /api/feedback, /healthz, /widget.

Never imports gradio: app.py mounts the Gradio UI onto the app built here, so the security
headers, CORS scope and error format below also hold for the whole site.
"""
from __future__ import annotations

import json
import logging
import math
import threading
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import metrics
from .config import PROJECT_ROOT, Settings
from .conversation import validate_history
from .core import check_question
from .edge import (BAD_TEXT, MAX_JSON_DEPTH, TOO_SLOW, AnsweringEvents, Edge, GradioGuard, has_lone_surrogate,
                   json_depth, rate_limited_message, too_large_message)
from .errors import INTERNAL_ERROR, AssistantError, InvalidQuestion, ServiceUnavailable
from .feedback import open_feedback_store
from .ratelimit import Limiters, make_limiters
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
# Gradio events that run the answering code share this concurrency id: one pool of ASK_WORKERS
# threads, and the edge (edge.GradioGuard) counts them against the same question limit as /api/ask.
ASK_EVENTS = "answering"

HTTP_MESSAGES = {
    404: "Alamat ini tidak ada. Coba POST /api/ask atau buka /widget.",
    405: "Metode HTTP ini tidak didukung untuk alamat ini.",
}
NOT_READY = "Asisten masih menyiapkan indeks. Coba lagi sebentar lagi ya."
RETRY_AFTER_S = 5


class RequestError(Exception):
    """A client mistake, turned into {"error": message} with the given status at the edge."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


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
            allow_headers=["Content-Type", "Idempotency-Key"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.startswith("/api/") or path == "/healthz":
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def client_key(request: Request) -> str:
    """The rate-limit key: the client as resolved by edge.Edge (X-Forwarded-For only from trusted proxies)."""
    return request.client.host if request.client else "unknown"


async def read_json_object(request: Request, max_bytes: int, timeout_s: float = 15.0) -> dict[str, Any]:
    """The request body as a JSON object, enforcing the size limit and read timeout while streaming it in."""
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
    # A client that trickles its body would hold a connection for ever: it gets a deadline.
    try:
        with anyio.fail_after(timeout_s):
            async for chunk in request.stream():
                body += chunk
                if len(body) > max_bytes:
                    raise RequestError(413, _too_large(max_bytes))
    except TimeoutError:
        raise RequestError(408, TOO_SLOW, {"Connection": "close"}) from None
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: ~1,000-deep nesting
        raise RequestError(400, "Body bukan JSON yang valid. Contoh: {\"question\": \"Apa itu sister city?\"}") from None
    if json_depth(data) > MAX_JSON_DEPTH:
        raise RequestError(400, f"JSON-nya terlalu bersarang (maksimal {MAX_JSON_DEPTH} tingkat).")
    if has_lone_surrogate(data):  # "\ud800" parses, but can't be encoded again: refuse it here
        raise RequestError(400, BAD_TEXT)
    if not isinstance(data, dict):
        raise RequestError(422, "Body harus berupa objek JSON, misalnya {\"question\": \"Apa itu sister city?\"}.")
    return data


def _too_large(max_bytes: int) -> str:
    return too_large_message(max_bytes)


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


def create_api(assistant: AssistantService, settings: Settings, feedback: Any | None = None,
               static_dir: Path = STATIC_DIR, limiters: Limiters | None = None) -> FastAPI:
    """The FastAPI app: JSON API, health check, metrics and the embeddable widget.

    `app.state.answering` lists the Gradio events that answer questions (app.py fills it in), so
    they share the question limit with /api/ask; `app.state.feedback()` opens the feedback store.
    """
    # The interactive docs load Swagger/Redoc from a CDN: off, the app must work with no network.
    app = FastAPI(title="Asisten Kota Kembar API", docs_url=None, redoc_url=None, openapi_url=None)
    limiters = limiters or make_limiters(settings)
    ask_slots = anyio.CapacityLimiter(ASK_WORKERS)
    store_lock = threading.Lock()
    state: dict[str, Any] = {"feedback": feedback}
    answering = AnsweringEvents()

    def feedback_store() -> Any:
        # Opened on first use so a read-only deployment that never gets feedback needs no data dir;
        # a failed open (read-only dir, database down) is retried on the next request.
        with store_lock:
            if state["feedback"] is None:
                state["feedback"] = open_feedback_store(settings)
            return state["feedback"]

    app.state.answering = answering
    app.state.feedback = feedback_store
    app.state.limiters = limiters

    def enforce_rate_limit(request: Request) -> None:
        wait = limiters.questions.check(client_key(request))
        if wait:
            seconds = max(1, math.ceil(wait))
            raise RequestError(429, rate_limited_message(settings.rate_limit_per_minute, seconds),
                               headers={"Retry-After": str(seconds)})

    @app.exception_handler(RequestError)
    async def _request_error(_: Request, exc: RequestError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.headers)

    @app.exception_handler(ServiceUnavailable)
    async def _unavailable(_: Request, exc: ServiceUnavailable) -> JSONResponse:
        metrics.UNAVAILABLE.labels(type(exc).__name__).inc()
        return error_response(503, exc.message, {"Retry-After": str(exc.retry_after_s)})

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
        data = await read_json_object(request, settings.max_body_bytes, settings.read_timeout_s)
        question, history = parse_ask(data, settings.max_question_chars)
        if not assistant.ready:
            raise ServiceUnavailable(getattr(assistant, "last_error", None) or NOT_READY)
        # Off the event loop so health checks, other clients and the UI keep being served.
        try:
            answer = await anyio.to_thread.run_sync(assistant.ask, question, history, limiter=ask_slots)
        except AssistantError:
            raise  # ServiceUnavailable (Chroma down mid-request) -> 503, others -> 400
        except Exception:
            # Handled here, not by the server-error fallback, so the client gets a clean 500 on a live connection.
            log.exception("assistant.ask failed for a %d-char question", len(question))
            return error_response(500, INTERNAL_ERROR)
        if answer.refused:
            metrics.REFUSALS.labels(answer.route or "refusal").inc()
        if answer.route == "invalid":
            return error_response(400, answer.answer)
        return JSONResponse(answer.to_dict())

    @app.post("/api/feedback", status_code=201)
    async def post_feedback(request: Request) -> JSONResponse:
        """Store 👍/👎 (+ optional comment) on one answer; an Idempotency-Key makes retries safe."""
        enforce_rate_limit(request)
        data = await read_json_object(request, settings.max_body_bytes, settings.read_timeout_s)
        _reject_unknown(data, FEEDBACK_FIELDS)
        for name in ("question", "answer", "rating"):
            if name not in data:
                raise RequestError(422, f"Kolom '{name}' wajib diisi.")
        key = request.headers.get("idempotency-key")

        def store_row() -> int:
            return feedback_store().record(data["question"], data["answer"], data["rating"], data.get("comment"),
                                           data.get("citations"), idempotency_key=key)

        row_id = await anyio.to_thread.run_sync(store_row)
        return JSONResponse({"id": row_id, "message": "Makasih, umpan baliknya sudah kami catat!"}, status_code=201)

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        """200 when questions can be answered and feedback stored; else 503 + Retry-After and what is wrong."""
        health = getattr(assistant, "health", None)
        checks = await anyio.to_thread.run_sync(health) if health else {}
        ready = bool(assistant.ready) and all(c.ok for c in checks.values())
        metrics.READY.set(1 if ready else 0)
        body: dict[str, Any] = {"status": "ok" if ready else "unavailable", "ready": ready,
                                "checks": {name: {"ok": c.ok, **({"detail": c.detail} if c.detail else {})}
                                           for name, c in checks.items()}}
        if ready:
            records = getattr(assistant, "records", None)
            body["relationships"] = len(getattr(records, "relationships", ()) or ())
            return JSONResponse(body)
        failing = [c.detail for c in checks.values() if not c.ok and c.detail]
        body["error"] = failing[0] if failing else (getattr(assistant, "last_error", None) or NOT_READY)
        return JSONResponse(body, status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)})

    @app.get("/metrics", include_in_schema=False)
    async def metrics_endpoint() -> Response:
        """Prometheus metrics (summed over uvicorn workers in multi-process mode)."""
        metrics.READY.set(1 if assistant.ready else 0)
        body, content_type = metrics.render(settings)
        return Response(body, media_type=content_type)

    # Wrong methods on our own routes: 405 with Allow, not the UI's 404 (Gradio is mounted at "/").
    own_routes = {"/api/ask": "POST", "/api/feedback": "POST", "/healthz": "GET", "/metrics": "GET"}
    for path, allowed in own_routes.items():
        others = [m for m in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD") if m != allowed
                  and not (allowed == "GET" and m == "HEAD")]
        app.add_api_route(path, _method_not_allowed(allowed), methods=others, include_in_schema=False)

    app.include_router(widget_router(static_dir, settings.prompts_dir))

    # Outermost last: the edge (client, host, logs) sees everything, security headers cover
    # CORS preflights and error responses, and Gradio's routes get the same limits as the API.
    app.add_middleware(GradioGuard, settings=settings, limiters=limiters, answering=answering)
    if settings.allowed_origins:
        app.add_middleware(ApiCORS, allowed_origins=settings.allowed_origins)
    app.add_middleware(SecurityHeaders, allowed_origins=settings.allowed_origins)
    app.add_middleware(Edge, settings=settings)
    return app


def _method_not_allowed(allowed: str):
    async def method_not_allowed() -> JSONResponse:
        return error_response(405, HTTP_MESSAGES[405], {"Allow": allowed})

    return method_not_allowed

