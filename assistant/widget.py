"""The embeddable widget's routes: /widget (the chat page) and /widget/<asset>, GET and HEAD.

Only the files named in WIDGET_FILES are served (a fixed map, so no request path can reach
anything else). The page and the embed loader get the widget's wording (prompts/widget.yaml)
filled in as JSON, so every phrase lives in prompts/ and the browser needs no extra request.
"""
from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from .prompts import load_phrases

WIDGET_FILES = {
    "widget.html": "text/html; charset=utf-8",
    "widget.js": "text/javascript; charset=utf-8",
    "widget.css": "text/css; charset=utf-8",
    "embed.js": "text/javascript; charset=utf-8",
    "embed-example.html": "text/html; charset=utf-8",
    "embed-inline-example.html": "text/html; charset=utf-8",
}
TEXT_MARKER = "__AKK_TEXT__"  # where widget.html and embed.js receive the phrases
TEMPLATED = ("widget.html", "embed.js")
HEADERS = {"Cache-Control": "no-cache"}


def widget_text_json(prompts_dir: Path) -> str:
    """prompts/widget.yaml as JSON that is safe inside <script> (no "</script>" can close it)."""
    phrases = load_phrases(prompts_dir, "widget")
    data = {key: phrases.raw(key) for key in phrases.keys()}
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def widget_router(static_dir: Path, prompts_dir: Path) -> APIRouter:
    """Routes for the widget page and its assets (HEAD too: uptime monitors use it)."""
    router = APIRouter()
    text = widget_text_json(prompts_dir)

    def serve(name: str) -> Response:
        path = static_dir / name
        if name not in WIDGET_FILES or not path.is_file():
            raise StarletteHTTPException(404)
        if name in TEMPLATED:
            body = path.read_text(encoding="utf-8").replace(TEXT_MARKER, text)
            return Response(body, media_type=WIDGET_FILES[name], headers=HEADERS)
        return FileResponse(path, media_type=WIDGET_FILES[name], headers=HEADERS)

    @router.api_route("/widget", methods=["GET", "HEAD"], include_in_schema=False)
    async def widget() -> Response:
        """The embeddable chat widget page."""
        return serve("widget.html")

    @router.api_route("/widget/{name}", methods=["GET", "HEAD"], include_in_schema=False)
    async def widget_asset(name: str) -> Response:
        """The widget's script, style, embed loader and example host pages."""
        return serve(name)

    return router
