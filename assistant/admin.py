"""Admin page for officials: upload documents, see the document list and index status, remove a
document. A FastAPI router with a plain HTML page (no JavaScript, no Gradio).

Not public: it exists only when ASSISTANT_ADMIN_TOKEN is set (404 otherwise), and every request
needs either `Authorization: Bearer <token>` or HTTP basic auth (user ASSISTANT_ADMIN_USER,
password = the token), so a browser simply asks for a login. Forms carry a token derived from
the admin token, because a browser re-sends basic-auth credentials on a forged cross-site POST.
Every change goes to the append-only change log (data/changes.jsonl) with the acting user.

    mount_admin(app, assistant, settings)   # what app.py calls
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import html
import logging
from typing import Any
from urllib.parse import quote

import anyio
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from .changelog import read_changes
from .config import Settings
from .documents import ORIGIN_ADDED, DocumentLibrary, add_document, remove_document
from .errors import AssistantError
from .prompts import Phrases, load_phrases

log = logging.getLogger(__name__)

PREFIX = "/admin"
REALM = "Admin Asisten Kota Kembar"
NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 1.5rem auto; padding: 0 1rem; color: #1f2933; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { border-bottom: 1px solid #d9e2ec; padding: .4rem .5rem; text-align: left; vertical-align: top; }
th { background: #f0f4f8; } code { font-size: .85rem; word-break: break-all; }
.note { padding: .6rem .8rem; border-radius: 6px; margin: 1rem 0; }
.ok { background: #e3f9e5; border: 1px solid #91e697; } .err { background: #ffe3e3; border: 1px solid #ff9b9b; }
form.upload { display: grid; grid-template-columns: max-content 1fr; gap: .5rem 1rem; align-items: center; }
form.upload button { grid-column: 2; justify-self: start; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; } dt { color: #52606d; }
"""


class AdminDenied(Exception):
    """The request is not authenticated as the admin."""


def core_assistant(service: Any) -> Any | None:
    """The core.Assistant behind what app.py serves (ServedAssistant opens it in the background);
    None while it is still opening."""
    inner = getattr(service, "assistant", None)
    if inner is not None:
        return inner
    return service if hasattr(service, "index") else None


def _csrf_token(settings: Settings) -> str:
    return hmac.new((settings.admin_token or "").encode(), b"admin-form", hashlib.sha256).hexdigest()


def authenticate(request: Request, settings: Settings) -> str:
    """The acting user ("admin:<user>" or "admin:token") or AdminDenied."""
    token = settings.admin_token or ""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and token and hmac.compare_digest(value.strip().encode(), token.encode()):
        return "admin:token"
    if scheme.lower() == "basic":
        try:
            user, _, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            raise AdminDenied from None
        user_ok = hmac.compare_digest(user.encode(), settings.admin_user.encode())
        # "&", not "and": both comparisons always run, so timing doesn't tell which one failed.
        if token and user_ok & hmac.compare_digest(password.encode(), token.encode()):
            return f"admin:{user}"
    raise AdminDenied


def index_status(assistant: Any) -> dict[str, Any]:
    """What the status box shows: model, chunk counts, readiness."""
    retriever = getattr(assistant, "retriever", None)
    keyword = getattr(retriever, "keyword", None)
    return {
        "embedder": getattr(assistant.index, "model", ""),
        "chunks": len(assistant.index.passage_ids()),
        "entries": assistant.index.count(),  # passages + their sentence entries
        "keyword": len(keyword) if keyword is not None and hasattr(keyword, "__len__") else None,
        "relationships": len(getattr(assistant.records, "relationships", ()) or ()),
        "ready": bool(getattr(assistant, "ready", False)),
    }


def document_rows(assistant: Any) -> list[dict[str, Any]]:
    """The document list with the chunk counts actually in the index."""
    counts = assistant.index.chunk_counts()
    return [d.to_dict() for d in DocumentLibrary(assistant.settings.corpus_dir).list(indexed_counts=counts)]


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def render_page(assistant: Any, settings: Settings, phrases: Phrases, message: str = "", error: str = "") -> str:
    """The whole admin page as HTML (every value escaped)."""
    status = index_status(assistant)
    docs = document_rows(assistant)
    labels = phrases.raw("status_labels")
    csrf = _csrf_token(settings)
    out = [f"<!DOCTYPE html><html lang='id'><head><meta charset='utf-8'>"
           f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
           f"<title>{_e(phrases.get('page_title'))}</title><style>{STYLE}</style></head><body>",
           f"<h1>{_e(phrases.get('heading'))}</h1><p>{_e(phrases.get('intro'))}</p>"]
    if message:
        out.append(f"<div class='note ok' role='status'>{_e(message)}</div>")
    if error:
        out.append(f"<div class='note err' role='alert'>{_e(error)}</div>")
    state = phrases.get("status_ready") if status["ready"] else phrases.get("status_not_ready")
    out.append(f"<h2>{_e(phrases.get('status_heading'))}</h2><dl id='status'>")
    for key, value in (("state", state), ("embedder", status["embedder"]), ("chunks", status["chunks"]),
                       ("keyword", status["keyword"]), ("documents", len(docs)),
                       ("relationships", status["relationships"])):
        out.append(f"<dt>{_e(labels[key])}</dt><dd data-key='{key}'>{_e(value)}</dd>")
    out.append("</dl>")
    upload = phrases.raw("upload_labels")
    out.append(
        f"<h2>{_e(phrases.get('upload_heading'))}</h2>"
        f"<form class='upload' method='post' action='{PREFIX}/documents' enctype='multipart/form-data'>"
        f"<input type='hidden' name='csrf' value='{csrf}'>"
        f"<label for='file'>{_e(upload['file'])}</label>"
        f"<input id='file' type='file' name='file' required accept='.md,.markdown,.txt,.html,.htm,.docx,.pdf'>"
        f"<label for='title'>{_e(upload['title'])}</label><input id='title' name='title' maxlength='200'>"
        f"<label for='url'>{_e(upload['url'])}</label><input id='url' name='url' type='url'>"
        f"<label for='date'>{_e(upload['date'])}</label><input id='date' name='date' placeholder='2025-02-18'>"
        f"<button type='submit'>{_e(upload['submit'])}</button></form>"
    )
    out.append(f"<h2>{_e(phrases.get('list_heading'))}</h2>")
    if not docs:
        out.append(f"<p>{_e(phrases.get('no_documents'))}</p>")
    else:
        out.append("<table id='documents'><thead><tr>" + "".join(f"<th>{_e(c)}</th>" for c in phrases.raw("columns"))
                   + "</tr></thead><tbody>")
        for doc in docs:
            remove = ""
            if doc["origin"] == ORIGIN_ADDED:
                remove = (f"<form method='post' action='{PREFIX}/documents/{quote(doc['doc_id'], safe='')}/remove'>"
                          f"<input type='hidden' name='csrf' value='{csrf}'>"
                          f"<button type='submit' aria-label='{_e(phrases.get('remove_button'))} {_e(doc['doc_id'])}'>"
                          f"{_e(phrases.get('remove_button'))}</button></form>")
            title = _e(doc["title"])
            if doc["url"].startswith(("http://", "https://")):
                title = f"<a href='{_e(doc['url'])}' rel='noopener noreferrer'>{title}</a>"
            origin = doc["origin"] if doc["origin"] == ORIGIN_ADDED else phrases.get("origin_seed")
            out.append(f"<tr data-doc-id='{_e(doc['doc_id'])}'><td><code>{_e(doc['doc_id'])}</code></td><td>{title}</td>"
                       f"<td>{_e(doc['format'])}</td><td>{_e(doc['chunks'])}</td><td>{_e(doc['added'] or '')}</td>"
                       f"<td>{_e(origin)}</td><td>{remove}</td></tr>")
        out.append("</tbody></table>")
    out.append(f"<h2>{_e(phrases.get('log_heading'))}</h2>")
    changes = list(reversed(read_changes(settings.data_dir, limit=20)))
    if not changes:
        out.append(f"<p>{_e(phrases.get('log_empty'))}</p>")
    else:
        out.append("<table id='changes'><tbody>")
        for entry in changes:
            what = entry.get("doc_id") or entry.get("table") or ""
            out.append(f"<tr><td>{_e(entry.get('time'))}</td><td>{_e(entry.get('actor'))}</td>"
                       f"<td>{_e(entry.get('action'))}</td><td><code>{_e(what)}</code></td>"
                       f"<td>{_e(entry.get('title', ''))}</td></tr>")
        out.append("</tbody></table>")
    out.append("</body></html>")
    return "".join(out)


def create_admin_router(assistant: Any, settings: Settings) -> APIRouter:
    """The /admin routes (the caller decides whether to mount them: see mount_admin)."""
    phrases = load_phrases(settings.prompts_dir, "admin")
    router = APIRouter(prefix=PREFIX, include_in_schema=False)

    def denied(request: Request) -> Response:
        if "text/html" in request.headers.get("accept", ""):
            body = f"<!DOCTYPE html><html lang='id'><body><p>{_e(phrases.get('unauthorized'))}</p></body></html>"
            response: Response = HTMLResponse(body, status_code=401)
        else:
            response = JSONResponse({"error": phrases.get("unauthorized")}, status_code=401)
        response.headers["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
        response.headers.update(NO_STORE)
        return response

    def not_ready(request: Request) -> Response:
        message = phrases.get("not_ready")
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"error": message}, status_code=503, headers={**NO_STORE, "Retry-After": "5"})
        body = f"<!DOCTYPE html><html lang='id'><body><p>{_e(message)}</p></body></html>"
        return HTMLResponse(body, status_code=503, headers={**NO_STORE, "Retry-After": "5"})

    def back(message: str = "", error: str = "") -> RedirectResponse:
        # Post/redirect/get: a reload of the page never re-submits the upload.
        query = f"?ok={quote(message)}" if message else f"?galat={quote(error)}" if error else ""
        return RedirectResponse(f"{PREFIX}{query}", status_code=303, headers=NO_STORE)

    def wants_json(request: Request) -> bool:
        return "application/json" in request.headers.get("accept", "")

    def reply(request: Request, status: int, message: str = "", error: str = "",
              data: dict | None = None) -> Response:
        if wants_json(request):
            body = {**(data or {}), **({"message": message} if message else {}), **({"error": error} if error else {})}
            return JSONResponse(body, status_code=status, headers=NO_STORE)
        return back(message, error)

    async def form_with_csrf(request: Request):
        form = await request.form(max_files=1, max_fields=10)
        if not hmac.compare_digest(str(form.get("csrf", "")).encode(), _csrf_token(settings).encode()):
            return None
        return form


    def gate(request: Request) -> tuple[str, Any] | Response:
        """Who is asking and the ready core assistant, or the response that turns them away."""
        try:
            actor = authenticate(request, settings)
        except AdminDenied:
            return denied(request)
        core = core_assistant(assistant)
        if core is None:
            return not_ready(request)
        return actor, core

    @router.get("")
    async def page(request: Request, ok: str = "", galat: str = "") -> Response:
        gated = gate(request)
        if isinstance(gated, Response):
            return gated
        _, core = gated
        body = await anyio.to_thread.run_sync(lambda: render_page(core, settings, phrases, ok[:500], galat[:500]))
        return HTMLResponse(body, headers=NO_STORE)

    @router.get("/api/documents")
    async def list_documents(request: Request) -> Response:
        gated = gate(request)
        if isinstance(gated, Response):
            return gated
        _, core = gated
        rows = await anyio.to_thread.run_sync(lambda: document_rows(core))
        return JSONResponse(rows, headers=NO_STORE)

    @router.get("/api/status")
    async def status(request: Request) -> Response:
        gated = gate(request)
        if isinstance(gated, Response):
            return gated
        _, core = gated
        return JSONResponse(await anyio.to_thread.run_sync(lambda: index_status(core)), headers=NO_STORE)

    @router.post("/documents")
    async def upload(request: Request) -> Response:
        gated = gate(request)
        if isinstance(gated, Response):
            return gated
        actor, core = gated
        limit_mb = settings.max_upload_bytes // (1024 * 1024)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > settings.max_upload_bytes + 64 * 1024:
            return reply(request, 413, error=phrases.get("too_large", mb=limit_mb))
        form = await form_with_csrf(request)
        if form is None:
            return reply(request, 403, error=phrases.get("bad_form"))
        upload = form.get("file")
        if upload is None or isinstance(upload, str) or not upload.filename:
            return reply(request, 400, error=phrases.get("no_file"))
        data = await upload.read(settings.max_upload_bytes + 1)
        if len(data) > settings.max_upload_bytes:
            return reply(request, 413, error=phrases.get("too_large", mb=limit_mb))
        fields = {k: (str(form.get(k) or "").strip() or None) for k in ("title", "url", "date")}
        try:
            result = await anyio.to_thread.run_sync(
                lambda: add_document(core, data, upload.filename, actor=actor, **fields))
        except AssistantError as exc:
            return reply(request, 400, error=exc.message)
        except Exception:
            log.exception("admin upload failed for %s", upload.filename)
            return reply(request, 500, error=phrases.get("internal_error"))
        message = phrases.get("added", doc_id=result.doc_id, title=result.title, format=result.format,
                              chunks=result.chunks)
        return reply(request, 201, message=message, data=result.to_dict())

    @router.post("/documents/{doc_id}/remove")
    async def remove(request: Request, doc_id: str) -> Response:
        gated = gate(request)
        if isinstance(gated, Response):
            return gated
        actor, core = gated
        if await form_with_csrf(request) is None:
            return reply(request, 403, error=phrases.get("bad_form"))
        try:
            doc = await anyio.to_thread.run_sync(lambda: remove_document(core, doc_id, actor=actor))
        except AssistantError as exc:
            return reply(request, 400, error=exc.message)
        return reply(request, 200, message=phrases.get("removed", doc_id=doc.doc_id, title=doc.title),
                     data=doc.to_dict())

    return router


def mount_admin(app: FastAPI, assistant: Any, settings: Settings) -> bool:
    """Add the admin routes when ASSISTANT_ADMIN_TOKEN is set; returns whether they were added."""
    if not settings.admin_token:
        return False
    if not (hasattr(assistant, "index") or hasattr(assistant, "assistant")):
        # Documents live in the real index: core.Assistant, or the ServedAssistant that opens it.
        log.warning("admin page needs core.Assistant (with an index); not mounted for %s", type(assistant).__name__)
        return False
    app.include_router(create_admin_router(assistant, settings))
    return True
