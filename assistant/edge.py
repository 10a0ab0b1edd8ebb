"""What every request meets before the app: who the client is, which hosts are served, access
logs and metrics, and the guard on Gradio's own routes (limits, body size, uploads, bad JSON).

Pure ASGI middlewares (no gradio import): api.py installs them, so they cover the JSON API, the
widget and the Gradio UI that app.py mounts on the same app.
"""
from __future__ import annotations

import ipaddress
import json
import logging
import math
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import metrics
from .config import Settings
from .ratelimit import Limiters

access_log = logging.getLogger("assistant.access")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
# Forwarding headers only a trusted proxy may set. X-Forwarded-Host is dropped from everyone:
# Gradio builds page URLs from it, so passing it on would let a request poison a cache.
_PROXY_HEADERS = {b"x-forwarded-for", b"x-forwarded-proto", b"x-real-ip", b"forwarded", b"x-request-id",
                  b"x-forwarded-prefix", b"x-forwarded-port"}
_ALWAYS_DROPPED = {b"x-forwarded-host"}
MAX_JSON_DEPTH = 32

HOST_REFUSED = "Alamat host ini tidak dilayani. Buka asisten lewat alamat resminya."
UPLOADS_OFF = "Unggah berkas tidak tersedia di layanan ini."
TOO_SLOW = "Permintaannya terlalu lambat terkirim. Coba kirim lagi ya."
BAD_BODY = "Isi permintaan bukan JSON yang valid atau terlalu bersarang."
BAD_TEXT = "Teksnya berisi karakter yang tidak valid. Coba ketik ulang pertanyaannya ya."


class TrustedProxies:
    """Peers (IP or CIDR) whose X-Forwarded-For names the real client."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.networks = [ipaddress.ip_network(e, strict=False) for e in entries]

    def __contains__(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in net for net in self.networks)

    def client(self, peer: str, forwarded_for: str | None) -> str:
        """The client address: the rightmost X-Forwarded-For hop that is not a trusted proxy,
        and only when the peer itself is trusted; otherwise the peer (XFF is then ignored)."""
        if not forwarded_for or peer not in self:
            return peer
        for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
            try:
                ipaddress.ip_address(hop)
            except ValueError:
                return peer  # garbage in the chain: fall back to what we know
            if hop not in self:
                return hop
        return peer


MISCONFIGURED_PROXY = "x-forwarded-for-untrusted"
_warned: list[bool] = []


def _named_in(peer: str, forwarded_for: str) -> bool:
    hops = {h.strip().rsplit(":", 1)[0] if h.count(":") == 1 else h.strip().strip("[]").split("]")[0]
            for h in forwarded_for.split(",")}
    return peer in hops


def _warn_misconfigured() -> None:
    if not _warned:
        _warned.append(True)
        logging.getLogger(__name__).error(
            "uvicorn rewrote the client address from X-Forwarded-For, but ASSISTANT_TRUSTED_PROXIES is empty: "
            "start uvicorn with --no-proxy-headers, or set ASSISTANT_TRUSTED_PROXIES and --forwarded-allow-ips "
            "to the same proxy addresses. Until then these clients share one rate-limit allowance.")


def _host_name(raw: str) -> str:
    """Host header without its port, lowercased ("[::1]:80" -> "::1")."""
    raw = raw.strip().lower()
    if raw.startswith("["):
        return raw[1:raw.find("]")] if "]" in raw else raw
    return raw.rsplit(":", 1)[0] if raw.count(":") == 1 else raw


def _json_error(status: int, message: str, headers: dict[str, str] | None = None) -> tuple[Message, Message]:
    body = json.dumps({"error": message}, ensure_ascii=False).encode("utf-8")
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
           (b"cache-control", b"no-store")]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return ({"type": "http.response.start", "status": status, "headers": raw},
            {"type": "http.response.body", "body": body})


async def send_json_error(send: Send, status: int, message: str, headers: dict[str, str] | None = None) -> None:
    """Answer with the API's one error shape, {"error": "<Indonesian message>"}."""
    start, body = _json_error(status, message, headers)
    await send(start)
    await send(body)


class Edge:
    """Outermost: resolves the client behind trusted proxies, refuses unknown hosts, gives every
    request an id, and writes one JSON access-log line and the metrics when it is answered."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.proxies = TrustedProxies(settings.trusted_proxies)
        self.any_host = "*" in settings.allowed_hosts
        self.hosts = {h.lower().strip("[]") for h in settings.allowed_hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        peer = scope["client"][0] if scope.get("client") else "unknown"
        headers = {k: v for k, v in scope.get("headers", [])}
        trusted = peer in self.proxies
        forwarded_for = headers.get(b"x-forwarded-for", b"").decode("latin-1") or None
        client = self.proxies.client(peer, forwarded_for)
        if forwarded_for and not self.proxies.networks and _named_in(peer, forwarded_for):
            # uvicorn's own proxy-header handling (its default trusts loopback) already replaced the
            # peer with a header value we were told not to trust: one shared identity, so rotating
            # the header can't buy new allowances. Fix: --no-proxy-headers or matching settings.
            client = MISCONFIGURED_PROXY
            _warn_misconfigured()
        given_id = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given_id if trusted and _REQUEST_ID.match(given_id) else uuid.uuid4().hex
        dropped = _ALWAYS_DROPPED | (set() if trusted else _PROXY_HEADERS)
        scope["headers"] = [(k, v) for k, v in scope.get("headers", []) if k not in dropped]
        scope["client"] = (client, scope["client"][1] if scope.get("client") else 0)
        proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").lower()
        if trusted and proto in ("http", "https"):
            scope["scheme"] = proto
        scope.setdefault("state", {})["request_id"] = request_id
        status = [500]

        async def send_logged(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"x-request-id", request_id.encode())]}
            await send(message)

        try:
            host = _host_name(headers.get(b"host", b"").decode("latin-1"))
            if not self.any_host and host not in self.hosts:
                await send_json_error(send_logged, 400, HOST_REFUSED)
            else:
                await self.app(scope, receive, send_logged)
        finally:
            self._log(scope, client, request_id, status[0], time.perf_counter() - started)

    @staticmethod
    def _log(scope: Scope, client: str, request_id: str, status: int, elapsed: float) -> None:
        route = metrics.route_label(scope.get("path", ""))
        method = scope.get("method", "")
        method = method if method in ("GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH") else "OTHER"
        metrics.REQUESTS.labels(route, method, str(status)).inc()
        metrics.LATENCY.labels(route).observe(elapsed)
        if status == 429:
            metrics.RATE_LIMITED.labels("gradio" if route.startswith("/gradio_api") else "api").inc()
        access_log.info(json.dumps({
            "ts": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "request_id": request_id, "method": method, "route": route,
            "path": scope.get("path", "")[:200], "status": status,
            "latency_ms": round(elapsed * 1000, 1), "client": client,
        }, ensure_ascii=True))


@dataclass
class AnsweringEvents:
    """Gradio events that run the answering code, filled in by app.py once the UI is built."""

    fn_indices: set[int] = field(default_factory=set)
    api_names: set[str] = field(default_factory=set)

    def covers(self, api_name: str | None, fn_index: object) -> bool:
        try:  # Gradio accepts "3" and 3.0 for 3: so must we
            index = int(fn_index) if fn_index is not None and not isinstance(fn_index, bool) else None
        except (TypeError, ValueError):
            index = None
        return (api_name or "") in self.api_names or index in self.fn_indices


# The admin page's form posts (assistant/admin.py): multipart uploads behind a login, with their
# own size limit (ASSISTANT_MAX_UPLOAD_MB) and form token. Exact paths only, nothing else slips by.
ADMIN_FORMS = re.compile(r"/admin/documents(?:/[A-Za-z0-9._-]+/remove)?")


class GradioGuard:
    """Gradio's own routes under the same rules as the API: the question limit for events that
    answer questions (another limit for the rest), a body limit and read timeout, no uploads,
    and a clear 400 for JSON Python can't take (1,000-deep nesting, lone surrogates)."""

    def __init__(self, app: ASGIApp, settings: Settings, limiters: Limiters, answering: AnsweringEvents) -> None:
        self.app = app
        self.settings = settings
        self.limiters = limiters
        self.answering = answering

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        # Everything with a body except our own /api/* routes (they enforce the same rules
        # themselves): Gradio's routes, and any path spelled to slip past a prefix check.
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS") or path.startswith("/api/") \
                or ADMIN_FORMS.fullmatch(path):
            await self.app(scope, receive, send)
            return
        route = path.rsplit("gradio_api/", 1)[-1].strip("/").split("/")
        if route[0] in ("upload", "process_recording"):
            # No component in this UI takes a file: anonymous uploads would only fill the disk.
            await send_json_error(send, 403, UPLOADS_OFF)
            return
        body = await read_body(receive, send, self.settings.max_ui_body_bytes, self.settings.read_timeout_s)
        if body is None:
            return
        data = parse_json_safely(body) if body else {}
        if data is _INVALID:
            await send_json_error(send, 400, BAD_BODY)
            return
        if data is _BAD_TEXT:
            await send_json_error(send, 400, BAD_TEXT)
            return
        api_name = None
        if route[0] in ("call", "run", "api") and len(route) > 1:
            api_name = route[-1]
        fn_index = data.get("fn_index") if isinstance(data, dict) else None
        is_event = route[0] in ("queue", "call", "run", "api", "stream", "component_server")
        if is_event:
            limiter = self.limiters.questions if self.answering.covers(api_name, fn_index) or (
                route[0] != "queue" and api_name is None) else self.limiters.ui
            wait = limiter.check(scope["client"][0] if scope.get("client") else "unknown")
            if wait:
                seconds = max(1, math.ceil(wait))
                await send_json_error(send, 429, rate_limited_message(limiter.limit, seconds),
                                      {"Retry-After": str(seconds)})
                return
        await self.app(scope, _replay(body), send)


def rate_limited_message(limit: int, seconds: int) -> str:
    """The 429 text, the same on every path."""
    return (f"Pelan-pelan ya, terlalu banyak pertanyaan dalam semenit (maksimal {limit}). "
            f"Coba lagi {seconds} detik lagi.")


def too_large_message(max_bytes: int) -> str:
    """The 413 text, the same on every path."""
    return f"Permintaannya terlalu besar (maksimal {max_bytes} byte). Coba pertanyaan yang lebih singkat."


async def read_body(receive: Receive, send: Send, max_bytes: int, timeout_s: float) -> bytes | None:
    """The whole request body, or None after answering 413 (too big) or 408 (too slow) itself."""
    body = bytearray()
    try:
        with anyio.fail_after(timeout_s):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return None
                body += message.get("body", b"")
                if len(body) > max_bytes:
                    await send_json_error(send, 413, too_large_message(max_bytes))
                    return None
                if not message.get("more_body", False):
                    return bytes(body)
    except TimeoutError:
        await send_json_error(send, 408, TOO_SLOW, {"Connection": "close"})
        return None


def _replay(body: bytes) -> Receive:
    sent = [False]

    async def receive() -> Message:
        if not sent[0]:
            sent[0] = True
            return {"type": "http.request", "body": body, "more_body": False}
        await anyio.sleep_forever()  # the app only waits here for a disconnect that never needs handling
        return {"type": "http.disconnect"}

    return receive


_INVALID = object()
_BAD_TEXT = object()


def parse_json_safely(body: bytes) -> object:
    """JSON, or _INVALID (not JSON, nested too deep) / _BAD_TEXT (lone surrogates), never an exception."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: ~1,000-deep nesting
        return _INVALID
    if json_depth(data) > MAX_JSON_DEPTH:
        return _INVALID
    return _BAD_TEXT if has_lone_surrogate(data) else data


def json_depth(value: object) -> int:
    """How deeply lists/objects nest in a parsed JSON value (iterative: no recursion limit)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


_SURROGATE = re.compile("[\ud800-\udfff]")


def has_lone_surrogate(value: object) -> bool:
    """True if any string in a parsed JSON value holds an unpaired surrogate (it can't be UTF-8)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
