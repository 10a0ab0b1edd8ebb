"""The "Briefing" tab: formal drafts for officials, downloadable as DOCX or Markdown.

The briefing's content is composed by assistant.briefing; the subject text decides whether it is
a city, a pair or a topic, and a place the records don't know offers its near matches as
buttons ("Mungkin maksudnya: Bandung?") that compose that briefing when clicked.
"""
from __future__ import annotations

import html
import re
from typing import Any

import gradio as gr

from assistant.api import ASK_EVENTS, ASK_WORKERS
from assistant.errors import AssistantError, UnknownPlace

BRIEF_KINDS = {"Kota / provinsi": "city", "Pasangan kota": "pair", "Topik": "topic"}
MAX_SUGGESTIONS = 3  # "Mungkin maksudnya: ..." buttons under a briefing subject the records don't know


def briefing_result(assistant: Any, subject: str, kind_label: str, title: str, date: str,
                    fmt: str) -> tuple[str, str | None, list[str]]:
    """(Markdown preview or an Indonesian error, path of the file to download, place names to suggest)."""
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
    except UnknownPlace as exc:
        return f"**Tidak bisa menyusun briefing:** {html.escape(exc.message)}", None, exc.suggestions[:MAX_SUGGESTIONS]
    except AssistantError as exc:
        return f"**Tidak bisa menyusun briefing:** {html.escape(exc.message)}", None, []
    return escape_markdown_html(to_markdown(briefing)), str(path), []


def make_briefing(assistant: Any, subject: str, kind_label: str, title: str, date: str,
                  fmt: str) -> tuple[str, str | None]:
    """(Markdown preview or an Indonesian error, path of the file to download)."""
    preview, path, _ = briefing_result(assistant, subject, kind_label, title, date, fmt)
    return preview, path


def escape_markdown_html(text: str) -> str:
    """Briefing text comes from sources: show any markup in it as text."""
    return html.escape(text, quote=False)


def build_briefing_tab(assistant: Any) -> None:
    """Briefing drafts for officials: formal, fully cited, downloadable as DOCX or Markdown."""
    gr.Markdown("Susun draf briefing formal dengan sumber lengkap. Isi nama kota (mis. *Surabaya*), "
                "pasangan (*Surabaya–Busan*), atau topik (*manfaat dan tantangan sister city*); "
                "jenisnya dikenali dari isian.")
    with gr.Row(elem_classes="akk-brief"):
        subject = gr.Textbox(label="Subjek", placeholder="Surabaya", scale=3, elem_id="akk-brief-subject")
        kind = gr.Radio(list(BRIEF_KINDS), value="Kota / provinsi", label="Jenis", scale=2)
    with gr.Row(elem_classes="akk-brief"):
        title = gr.Textbox(label="Judul (opsional)")
        date = gr.Textbox(label="Tanggal (opsional)", placeholder="23 November 2026")
        fmt = gr.Radio(["DOCX", "Markdown"], value="DOCX", label="Format unduhan")
    button = gr.Button("Susun briefing", variant="primary")
    status = gr.Markdown(elem_id="akk-brief-status")  # why a briefing could not be made
    with gr.Row(visible=False, elem_id="akk-brief-suggestions") as suggestion_row:
        suggestions = [gr.Button(size="sm", visible=False, scale=0, min_width=120) for _ in range(MAX_SUGGESTIONS)]
    download = gr.File(label="Unduh briefing", interactive=False, visible=False)
    preview = gr.Markdown()

    def run(subject_text: str, kind_label: str, title_text: str, date_text: str, fmt_label: str) -> tuple:
        """Compose the briefing; an unknown place shows its near matches as buttons under the message."""
        shown, path, names = briefing_result(assistant, subject_text, kind_label, title_text, date_text, fmt_label)
        buttons = [gr.update(value=names[i], visible=True) if i < len(names) else gr.update(visible=False)
                   for i in range(MAX_SUGGESTIONS)]
        if path is None:
            return (shown, "", gr.update(value=None, visible=False), gr.update(visible=bool(names)), *buttons)
        return ("", shown, gr.update(value=path, visible=True), gr.update(visible=False), *buttons)

    def pick(name: str, kind_label: str, title_text: str, date_text: str, fmt_label: str) -> tuple:
        """A suggestion clicked: it becomes the subject and the briefing is composed right away."""
        return (name, *run(name, kind_label, title_text, date_text, fmt_label))

    outputs = [status, preview, download, suggestion_row, *suggestions]
    # A briefing runs the answering code several times: it shares the question limit and workers.
    compose: dict = {"concurrency_limit": ASK_WORKERS, "concurrency_id": ASK_EVENTS}
    button.click(run, [subject, kind, title, date, fmt], outputs, **compose)
    subject.submit(run, [subject, kind, title, date, fmt], outputs, **compose)
    for suggestion in suggestions:
        suggestion.click(pick, [suggestion, kind, title, date, fmt], [subject, *outputs], **compose)
