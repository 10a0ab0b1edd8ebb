"""Web app: the Gradio UI ("Tanya", "Data", "Briefing") mounted on the HTTP API, fully offline.

    python app.py [--host 127.0.0.1] [--port 7860]
    uvicorn --factory app:create_app --workers N --no-proxy-headers   # replicas: see deploy/stack.py

Thin on purpose: answers come from assistant.core.Assistant, the JSON API and widget from
assistant.api. Everything shown to the user is escaped here, because Gradio renders Markdown/HTML.
"""
from __future__ import annotations

import os

# Before gradio is imported: no analytics/telemetry calls from an offline app.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import argparse  # noqa: E402
import functools  # noqa: E402
import html  # noqa: E402
import logging  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from typing import Any, Callable, Iterator  # noqa: E402

import gradio as gr  # noqa: E402
from fastapi import FastAPI  # noqa: E402

from assistant.api import ASK_WORKERS, create_api  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.errors import INTERNAL_ERROR, AssistantError  # noqa: E402
from assistant.feedback import FeedbackStore  # noqa: E402
from assistant.service import AssistantService  # noqa: E402
from assistant.serving import ServedAssistant  # noqa: E402

log = logging.getLogger("app")
# Every UI event that runs the answering code shares this concurrency id: one pool of ASK_WORKERS
# threads, and the HTTP edge counts them against the same per-client question limit as /api/ask.
ASK_EVENTS = "answering"
QUEUE_MAX = 64  # Gradio events waiting beyond this get "queue full" (503) instead of piling up

STARTERS = [
    "Apa itu sister city?",
    "Surabaya punya kota kembar apa aja?",
    "Apa manfaat kota kembar buat warga?",
    "Kota mana aja yang kembaran sama kota di Jepang?",
]
ALL = "Semua"
STREAM_STEPS = 30  # the answer appears in at most this many updates
STREAM_PAUSE_S = 0.02
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
_MARKER = re.compile(r"\[(\d+)\]")
_BULLET = re.compile(r"^\s*[-•]\s+")

# System fonts only: the default theme would fetch Inter from Google Fonts.
THEME = gr.themes.Soft(primary_hue="emerald", font=["system-ui", "sans-serif"],
                       font_mono=["ui-monospace", "monospace"])
CSS = """
.gradio-container { max-width: 960px !important; margin: 0 auto; }
/* Long unbroken tokens (URLs, pasted code) must wrap instead of widening the page on phones. */
#akk-chat, #akk-chat * { overflow-wrap: anywhere; word-break: break-word; min-width: 0; }
@media (max-width: 480px) {
  .gradio-container { padding: 4px !important; }
  .akk-brief { flex-wrap: wrap !important; }
  .akk-brief > * { min-width: 100% !important; }
  .akk-starters button { flex: 1 1 100% !important; }
}
"""


def escape_text(text: str) -> str:
    """User/model text as Markdown that displays literally (no HTML, no formatting)."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def render_answer(answer: str) -> str:
    """The core's answer (lines, "- " items, [n] markers) as safe Markdown with bold markers."""
    lines = []
    for line in answer.splitlines():
        bullet = bool(_BULLET.match(line))
        body = _BULLET.sub("", line) if bullet else line
        parts = _MARKER.split(body)  # even: text, odd: citation numbers
        rendered = "".join(escape_text(p) if i % 2 == 0 else f"**\\[{p}\\]**" for i, p in enumerate(parts))
        lines.append(f"- {rendered}" if bullet else rendered)
    return "\n".join(lines)


def citation_message(citation: dict) -> dict:
    """One collapsed accordion per citation: click the title to read the passage and its links."""
    title = f"Sumber [{citation['n']}]: {citation['title']}"
    if citation.get("section"):
        title += f" · {citation['section']}"
    urls = citation.get("urls") or ([citation["url"]] if citation.get("url") else [])
    body = [f"> {escape_text(line)}" if line.strip() else ">" for line in citation["text"].splitlines()]
    if citation.get("section"):
        body.append(f"\n**Bagian:** {escape_text(citation['section'])}")
    for url in urls:
        if url.startswith(("http://", "https://")):
            body.append(f"\n**Tautan:** <{html.escape(url, quote=True)}>")
        else:
            body.append(f"\n**Tautan:** {escape_text(url)}")
    # Titles are shown as plain text by Gradio, but strip HTML-ish brackets anyway.
    return {"role": "assistant", "content": "\n".join(body),
            "metadata": {"title": html.escape(title, quote=False), "status": "done"}}


def stream_steps(markdown: str) -> Iterator[str]:
    """Growing prefixes of the answer, cut at word boundaries, so the reply appears progressively."""
    words = markdown.split(" ")
    step = max(1, len(words) // STREAM_STEPS)
    for end in range(step, len(words), step):
        yield " ".join(words[:end])
    yield markdown


def build_chat_tab(assistant: AssistantService, feedback: FeedbackStore) -> None:
    """"Tanya": streamed, cited answers with a collapsible passage per citation and 👍/👎 + comment."""
    max_chars = assistant.settings.max_question_chars if hasattr(assistant, "settings") else 2_000
    chatbot = gr.Chatbot(label="Obrolan", height=480, allow_tags=False, sanitize_html=True,
                         layout="bubble", buttons=["copy"], elem_id="akk-chat",
                         placeholder="Tanya apa saja soal kota kembar. Klik judul 'Sumber [n]' di bawah jawaban untuk membaca kutipannya.")
    raw_history = gr.State([])  # what the core sees: unescaped {"role","content"} turns
    answers = gr.State({})  # chatbot message index -> answer dict, for feedback
    with gr.Row():
        box = gr.Textbox(placeholder="Tulis pertanyaanmu…", show_label=False, scale=5, max_lines=4,
                         max_length=max_chars, elem_id="akk-question")
        send = gr.Button("Kirim", variant="primary", scale=1, min_width=80)
    with gr.Row(elem_classes="akk-starters"):
        starter_buttons = [gr.Button(q, size="sm") for q in STARTERS]
    with gr.Accordion("Beri komentar untuk jawaban yang kamu nilai", open=False):
        last_rated = gr.State(None)
        comment = gr.Textbox(label="Komentar (opsional)", max_lines=4, max_length=1_000)
        comment_btn = gr.Button("Kirim komentar", size="sm")
    status = gr.Markdown("", elem_id="akk-feedback-status")
    clear = gr.Button("Mulai obrolan baru", size="sm", variant="secondary")

    def respond(question: str, chat: list, turns: list, known: dict) -> Iterator[tuple]:
        """Ask the core, then stream the answer and append its citations (generator: Gradio streams it)."""
        chat, turns, known = list(chat or []), list(turns or []), dict(known or {})
        if not (question or "").strip():
            yield chat, turns, known, "", "Pertanyaannya masih kosong nih."
            return
        chat.append({"role": "user", "content": escape_text(question)})
        chat.append({"role": "assistant", "content": "_Sebentar, aku cari dulu…_"})
        yield chat, turns, known, "", ""
        try:
            answer = assistant.ask(question, turns)
            data = answer.to_dict()
        except AssistantError as exc:
            chat[-1] = {"role": "assistant", "content": escape_text(exc.message)}
            yield chat, turns, known, "", ""
            return
        except Exception:  # never a traceback in the chat
            log.exception("ask failed")
            chat[-1] = {"role": "assistant", "content": escape_text(INTERNAL_ERROR)}
            yield chat, turns, known, "", ""
            return
        answer_index = len(chat) - 1
        for partial in stream_steps(render_answer(data["answer"])):
            chat[answer_index] = {"role": "assistant", "content": partial}
            yield chat, turns, known, "", ""
            time.sleep(STREAM_PAUSE_S)
        for citation in data["citations"]:
            chat.append(citation_message(citation))
        for i in range(answer_index, len(chat)):
            known[i] = data  # rating a citation accordion rates its answer
        turns += [{"role": "user", "content": question}, {"role": "assistant", "content": data["answer"]}]
        yield chat, turns, known, "", ""

    def rate(known: dict, like: gr.LikeData) -> tuple[str, int | None]:
        """Store 👍/👎 for the rated answer right away; the comment box can add text to that row."""
        data = (known or {}).get(like.index if isinstance(like.index, int) else like.index[0])
        if data is None:
            return "Nilai jawaban asisten ya, bukan pertanyaanmu.", None
        if like.liked is True or like.liked == "Like":
            rating = "up"
        elif like.liked is False or like.liked == "Dislike":
            rating = "down"
        else:
            return "Penilaian dibatalkan.", None
        try:
            row_id = feedback.record(data["question"], data["answer"], rating, None, data["citations"])
        except AssistantError as exc:
            return exc.message, None
        return "Makasih! Mau tambah komentar? Buka bagian komentar di atas.", row_id

    def add_comment(row_id: int | None, text: str) -> tuple[str, str]:
        """Attach the optional comment to the last 👍/👎."""
        if row_id is None:
            return "Kasih 👍 atau 👎 dulu ke salah satu jawaban, baru tulis komentarnya ya.", text
        try:
            feedback.add_comment(row_id, text)
        except AssistantError as exc:
            return exc.message, text
        return "Komentar tersimpan. Makasih!", ""

    outputs = [chatbot, raw_history, answers, box, status]
    ask_args: dict = {"concurrency_limit": ASK_WORKERS, "concurrency_id": ASK_EVENTS, "show_progress": "minimal"}
    box.submit(respond, [box, chatbot, raw_history, answers], outputs, **ask_args)
    send.click(respond, [box, chatbot, raw_history, answers], outputs, **ask_args)
    for button, question in zip(starter_buttons, STARTERS):
        button.click(functools.partial(respond, question), [chatbot, raw_history, answers], outputs, **ask_args)
    chatbot.like(rate, [answers], [status, last_rated])
    comment_btn.click(add_comment, [last_rated, comment], [status, comment])
    clear.click(lambda: ([], [], {}, "", "", None), None, [chatbot, raw_history, answers, box, status, last_rated])


def relationship_rows(assistant: AssistantService) -> list[list]:
    """Every relationship as a table row (city, province, partner, country, year, status, confidence, sources)."""
    rows = []
    for rel in assistant.records.relationships:
        rows.append([rel.city_name, rel.province, rel.partner_city, rel.partner_country,
                     "" if rel.year is None else str(rel.year), rel.status, rel.confidence,
                     "\n".join(rel.source_urls)])
    return sorted(rows, key=lambda r: (r[0], r[2]))


TABLE_HEADERS = ["Kota", "Provinsi", "Kota mitra", "Negara", "Tahun", "Status", "Keyakinan", "Sumber"]


def filter_rows(rows: list[list], text: str, country: str, confidence: str) -> list[list]:
    """Rows matching a free-text query (any column) and the country/confidence dropdowns."""
    needle = (text or "").strip().lower()
    return [
        r for r in rows
        if (not needle or any(needle in str(cell).lower() for cell in r))
        and (country in (None, "", ALL) or r[3] == country)
        and (confidence in (None, "", ALL) or r[6] == confidence)
    ]


def build_data_tab(assistant: AssistantService) -> None:
    """"Data kota kembar": every relationship in a searchable, filterable table."""
    rows = relationship_rows(assistant)
    countries = [ALL] + sorted({r[3] for r in rows if r[3]})
    confidences = [ALL] + sorted({r[6] for r in rows if r[6]})
    gr.Markdown(f"**{len(rows)} hubungan kota kembar** dari data yang bersumber. Kolom *Sumber* berisi tautan aslinya.")
    with gr.Row():
        text = gr.Textbox(label="Cari (kota, provinsi, negara…)", scale=3)
        country = gr.Dropdown(countries, value=ALL, label="Negara", scale=2)
        confidence = gr.Dropdown(confidences, value=ALL, label="Keyakinan", scale=1)
    count = gr.Markdown(f"Menampilkan {len(rows)} baris.")
    table = gr.Dataframe(value=rows, headers=TABLE_HEADERS, datatype="str", interactive=False, wrap=True,
                         max_height=600, elem_id="akk-table")

    def apply(t: str, c: str, conf: str) -> tuple[list[list], str]:
        shown = filter_rows(rows, t, c, conf)
        return shown, f"Menampilkan {len(shown)} dari {len(rows)} baris."

    for control in (text, country, confidence):
        control.change(apply, [text, country, confidence], [table, count], show_progress="hidden")


BRIEF_KINDS = {"Kota / provinsi": "city", "Pasangan kota": "pair", "Topik": "topic"}


def make_briefing(assistant: AssistantService, subject: str, kind_label: str, title: str, date: str,
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


def build_briefing_tab(assistant: AssistantService) -> None:
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
    button.click(functools.partial(make_briefing, assistant), [subject, kind, title, date, fmt], [preview, download],
                 concurrency_limit=ASK_WORKERS, concurrency_id=ASK_EVENTS)


def tab_builders(assistant: AssistantService, feedback: FeedbackStore) -> list[tuple[str, Callable[[AssistantService], None]]]:
    """The UI tabs in order; each builder is called inside its gr.Tab with the Assistant."""
    tabs: list[tuple[str, Callable[[AssistantService], None]]] = [
        ("Tanya", functools.partial(build_chat_tab, feedback=feedback)),
        ("Data", build_data_tab),  # short labels: three tabs must fit a 360 px phone
    ]
    tabs.append(("Briefing", build_briefing_tab))
    return tabs


def build_ui(assistant: AssistantService, feedback: FeedbackStore) -> gr.Blocks:
    """The Gradio Blocks for the whole UI."""
    with gr.Blocks(title="Asisten Kota Kembar", analytics_enabled=False) as demo:
        gr.Markdown("## Asisten Kota Kembar\nTanya soal kota kembar (sister city) pakai bahasa santai. "
                    "Setiap fakta ada nomor sumbernya [n]; klik judul \"Sumber [n]\" di bawah jawaban untuk membaca kutipannya.")
        with gr.Tabs():
            for label, builder in tab_builders(assistant, feedback):
                with gr.Tab(label):
                    builder(assistant)
    return demo


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
    demo = build_ui(assistant, LazyFeedback(api.state.feedback))
    answering = [(i, fn) for i, fn in demo.fns.items() if fn.concurrency_id == ASK_EVENTS]
    api.state.answering.fn_indices.update(i for i, _ in answering)
    api.state.answering.api_names.update(fn.api_name for _, fn in answering if fn.api_name)
    # api_open=False: events only through the queue (no direct /run routes that skip it).
    demo.queue(max_size=QUEUE_MAX, api_open=False)
    # No SSR (needs Node), no MCP server, no PWA: nothing that reaches beyond this process.
    return gr.mount_gradio_app(api, demo, path="/", theme=THEME, css=CSS, ssr_mode=False,
                               mcp_server=False, pwa=False, footer_links=["settings"], show_error=False)


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
