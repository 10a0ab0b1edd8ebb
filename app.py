"""Web app: the Gradio UI ("Tanya", "Data", "Briefing") mounted on the HTTP API, fully offline.

    python app.py [--host 127.0.0.1] [--port 7860]
    uvicorn --factory app:create_app --workers N --no-proxy-headers   # replicas: see deploy/stack.py

Thin on purpose: answers come from assistant.core.Assistant, the JSON API and widget from
assistant.api, the UI (tabs, rendering, escaping, wording) from webui/.
"""
from __future__ import annotations

import os

# Before gradio is imported: no analytics/telemetry calls from an offline app.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import argparse  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
from typing import Any, Callable  # noqa: E402

import gradio as gr  # noqa: E402
from fastapi import FastAPI  # noqa: E402

from assistant.admin import mount_admin  # noqa: E402
from assistant.api import ASK_EVENTS, create_api  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.errors import AssistantError  # noqa: E402
from assistant.service import AssistantService  # noqa: E402
from assistant.serving import ServedAssistant  # noqa: E402
from webui import CSS, HEAD, THEME, build_ui, make_briefing  # noqa: E402,F401  (make_briefing is re-exported)

log = logging.getLogger("app")
QUEUE_MAX = 64  # Gradio events waiting beyond this get "queue full" (503) instead of piling up


class LazyFeedback:
    """The feedback store, opened on first use (a read-only data dir must not stop the UI from starting)."""

    def __init__(self, open_store: Callable[[], Any]) -> None:
        self._open = open_store

    def record(self, *args: Any, **kwargs: Any) -> int:
        return self._open().record(*args, **kwargs)

    def add_comment(self, row_id: int, comment: str | None) -> bool:
        return self._open().add_comment(row_id, comment)


def configure_logging() -> None:
    """Plain logs for people, and one JSON line per request on the `assistant.access` logger."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    access = logging.getLogger("assistant.access")
    if not access.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access.addHandler(handler)
        access.setLevel(logging.INFO)
        access.propagate = False
    logging.getLogger("httpx").setLevel(logging.WARNING)  # chromadb logs every HTTP call to its server at INFO


def create_app(assistant: AssistantService | None = None, settings: Settings | None = None) -> FastAPI:
    """The whole site: HTTP API, /widget, /healthz, /metrics and the Gradio UI at "/".

    With no arguments (`uvicorn --factory app:create_app --workers N`) settings come from the
    environment and the Assistant opens in the background: the site answers at once, with 503 +
    Retry-After on questions until the index is ready (Chroma may come up later).
    """
    settings = settings or Settings.from_env()
    configure_logging()
    opened: dict[str, Any] = {}
    if assistant is None:
        assistant = ServedAssistant(settings, feedback=lambda: opened["api"].state.feedback()).start()
    api = create_api(assistant, settings)
    opened["api"] = api
    mount_admin(api, assistant, settings)  # /admin, only when ASSISTANT_ADMIN_TOKEN is set
    demo = build_ui(assistant, LazyFeedback(api.state.feedback))
    # The UI events that run the answering code (concurrency_id ASK_EVENTS) share the question limit.
    answering = [(i, fn) for i, fn in demo.fns.items() if fn.concurrency_id == ASK_EVENTS]
    api.state.answering.fn_indices.update(i for i, _ in answering)
    api.state.answering.api_names.update(fn.api_name for _, fn in answering if fn.api_name)
    # api_open=False: events only through the queue (no direct /run routes that skip it).
    demo.queue(max_size=QUEUE_MAX, api_open=False)
    # No SSR (needs Node), no MCP server, no PWA: nothing that reaches beyond this process.
    # No run history: Gradio would keep every question and the whole chat in the browser's
    # localStorage (a shared library PC keeps them), offer a Hugging Face bucket, and re-serialise
    # up to 100 stored runs after each answer, which made every chat turn slower than the last.
    return gr.mount_gradio_app(api, demo, path="/", theme=THEME, css=CSS, head=HEAD, ssr_mode=False,
                               mcp_server=False, pwa=False, run_history=False, footer_links=["settings"],
                               show_error=False)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn settings that match ours: forwarded headers believed only from ASSISTANT_TRUSTED_PROXIES,
    short keep-alive, no access log of its own (assistant.access writes JSON lines)."""
    return {"proxy_headers": bool(settings.trusted_proxies),
            "forwarded_allow_ips": ",".join(settings.trusted_proxies) or None,
            "timeout_keep_alive": 5, "access_log": False, "log_level": "warning"}


def main(argv: list[str] | None = None) -> int:
    """Start the whole app offline (the index is built in the background on first start)."""
    parser = argparse.ArgumentParser(description="Asisten Kota Kembar: UI web + API + widget (offline).")
    parser.add_argument("--host", default="127.0.0.1", help="alamat (bawaan: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port (bawaan: 7860)")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        print("Menyiapkan indeks (pertama kali bisa agak lama; /healthz menunjukkan kapan siap)…", flush=True)
        app = create_app(settings=settings)
    except AssistantError as exc:
        print(f"Gagal memulai: {exc.message}", file=sys.stderr)
        return 1
    import uvicorn

    if args.host not in settings.allowed_hosts and "*" not in settings.allowed_hosts:
        print(f"Catatan: tambahkan alamat publiknya ke ASSISTANT_ALLOWED_HOSTS (sekarang: "
              f"{', '.join(settings.allowed_hosts)}), selain itu permintaan dijawab 400.", flush=True)
    print(f"Siap: http://{args.host}:{args.port}/  (widget: /widget, API: POST /api/ask)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, **uvicorn_options(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
