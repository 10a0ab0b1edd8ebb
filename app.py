"""Web app: the Gradio UI ("Tanya", "Data", "Briefing") mounted on the HTTP API, fully offline.

    python app.py [--host 127.0.0.1] [--port 7860]

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

import gradio as gr  # noqa: E402
from fastapi import FastAPI  # noqa: E402

from assistant.api import create_api  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.errors import AssistantError  # noqa: E402
from assistant.feedback import FeedbackStore  # noqa: E402
from assistant.service import AssistantService  # noqa: E402
from webui import CSS, HEAD, THEME, build_ui, make_briefing  # noqa: E402,F401  (make_briefing is re-exported)

log = logging.getLogger("app")


def create_app(assistant: AssistantService, settings: Settings) -> FastAPI:
    """The HTTP API (+ /widget) with the Gradio UI mounted at "/"."""
    feedback = FeedbackStore(settings.feedback_db)
    api = create_api(assistant, settings, feedback=feedback)
    demo = build_ui(assistant, feedback)
    # No SSR (needs Node), no MCP server, no PWA: nothing that reaches beyond this process.
    return gr.mount_gradio_app(api, demo, path="/", theme=THEME, css=CSS, head=HEAD, ssr_mode=False,
                               mcp_server=False, pwa=False, footer_links=["settings"], show_error=False)


def main(argv: list[str] | None = None) -> int:
    """Start the whole app offline (builds the index on first start)."""
    parser = argparse.ArgumentParser(description="Asisten Kota Kembar: UI web + API + widget (offline).")
    parser.add_argument("--host", default="127.0.0.1", help="alamat (bawaan: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port (bawaan: 7860)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        from assistant.core import Assistant

        settings = Settings.from_env()
        print("Menyiapkan indeks (pertama kali bisa agak lama)…", flush=True)
        assistant = Assistant.from_settings(settings)
        app = create_app(assistant, settings)
    except AssistantError as exc:
        print(f"Gagal memulai: {exc.message}", file=sys.stderr)
        return 1
    import uvicorn

    print(f"Siap: http://{args.host}:{args.port}/  (widget: /widget, API: POST /api/ask)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
