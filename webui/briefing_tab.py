"""The "Briefing" tab: formal drafts for officials, downloadable as DOCX or Markdown.

Moved out of app.py unchanged; the briefing's content is composed by assistant.briefing.
"""
from __future__ import annotations

import functools
import html
import re
from typing import Any

import gradio as gr

from assistant.api import ASK_EVENTS, ASK_WORKERS
from assistant.errors import AssistantError

BRIEF_KINDS = {"Kota / provinsi": "city", "Pasangan kota": "pair", "Topik": "topic"}


def make_briefing(assistant: Any, subject: str, kind_label: str, title: str, date: str,
                  fmt: str) -> tuple[str, str | None]:
    """(Markdown preview or an Indonesian error, path of the file to download)."""
    import tempfile
    from pathlib import Path

    from assistant.briefing import to_markdown, write_briefing

    try:
        briefing = assistant.brief(subject or "", kind=BRIEF_KINDS.get(kind_label), title=title or None,
                                   date=date or None)
        out_dir = Path(tempfile.mkdtemp(prefix="briefing-"))
        slug = re.sub(r"[^a-z0-9]+", "-", (subject or "briefing").lower()).strip("-")[:40] or "briefing"
        path = out_dir / f"briefing-{slug}.{'docx' if fmt == 'DOCX' else 'md'}"
        write_briefing(briefing, path, "docx" if fmt == "DOCX" else "md")
    except AssistantError as exc:
        return f"**Tidak bisa menyusun briefing:** {html.escape(exc.message)}", None
    return escape_markdown_html(to_markdown(briefing)), str(path)


def escape_markdown_html(text: str) -> str:
    """Briefing text comes from sources: show any markup in it as text."""
    return html.escape(text, quote=False)


def build_briefing_tab(assistant: Any) -> None:
    """Briefing drafts for officials: formal, fully cited, downloadable as DOCX or Markdown."""
    gr.Markdown("Susun draf briefing formal dengan sumber lengkap. Isi nama kota (mis. *Surabaya*), "
                "pasangan (*Surabaya–Busan*), atau topik (*manfaat dan tantangan sister city*).")
    with gr.Row(elem_classes="akk-brief"):
        subject = gr.Textbox(label="Subjek", placeholder="Surabaya", scale=3)
        kind = gr.Radio(list(BRIEF_KINDS), value="Kota / provinsi", label="Jenis", scale=2)
    with gr.Row(elem_classes="akk-brief"):
        title = gr.Textbox(label="Judul (opsional)")
        date = gr.Textbox(label="Tanggal (opsional)", placeholder="23 November 2026")
        fmt = gr.Radio(["DOCX", "Markdown"], value="DOCX", label="Format unduhan")
    button = gr.Button("Susun briefing", variant="primary")
    download = gr.File(label="Unduh briefing", interactive=False)
    preview = gr.Markdown()
    # A briefing runs the answering code several times: it shares the question limit and workers.
    button.click(functools.partial(make_briefing, assistant), [subject, kind, title, date, fmt], [preview, download],
                 concurrency_limit=ASK_WORKERS, concurrency_id=ASK_EVENTS)
