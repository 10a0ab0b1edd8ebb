"""The Gradio web UI ("Tanya", "Data", "Briefing"): thin over assistant.core.Assistant.

Kept out of the core package (assistant/ never imports gradio) and out of app.py (which only
builds and serves the app). Wording lives in prompts/ui.yaml; look and behaviour in assets/.
"""
from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.config import Settings
from assistant.feedback import FeedbackStore
from assistant.prompts import load_phrases

from .briefing_tab import build_briefing_tab, make_briefing
from .chat import build_chat_tab
from .data_tab import build_data_tab
from .texts import ui_phrases

ASSETS = Path(__file__).parent / "assets"

# System fonts only (the default theme would fetch Inter from Google Fonts). The Soft theme's
# greens on pale green fail WCAG contrast: labels and primary buttons use darker shades.
THEME = gr.themes.Soft(primary_hue="emerald", font=["system-ui", "sans-serif"],
                       font_mono=["ui-monospace", "monospace"]).set(
    color_accent="*primary_700",
    color_accent_soft="*primary_50",
    block_label_text_color="*neutral_700",
    block_label_text_color_dark="*neutral_200",
    block_label_background_fill="*neutral_100",
    block_label_background_fill_dark="*neutral_800",
    block_title_text_color="*neutral_800",
    block_title_text_color_dark="*neutral_100",
    body_text_color_subdued="*neutral_600",
    body_text_color_subdued_dark="*neutral_300",
    button_primary_background_fill="*primary_700",
    button_primary_background_fill_hover="*primary_800",
    button_primary_background_fill_dark="*primary_700",
    button_primary_background_fill_hover_dark="*primary_600",
    button_primary_text_color="white",
    button_primary_text_color_dark="white",
    input_placeholder_color="*neutral_500",
    link_text_color="*primary_800",
    link_text_color_visited="*primary_900",
)
CSS = (ASSETS / "app.css").read_text(encoding="utf-8")


def page_head(prompts_dir: Path | None = None) -> str:
    """<head> additions: app.js (page language, [n] -> passage, new answer kept in view) and its labels."""
    phrases = load_phrases(prompts_dir or Settings().prompts_dir, "ui")
    labels = json.dumps(phrases.raw("gradio_labels"), ensure_ascii=False).replace("<", "\\u003c")
    script = (ASSETS / "app.js").read_text(encoding="utf-8")
    return f"<script>window.AKK_LABELS = {labels};</script>\n<script>\n{script}\n</script>"


HEAD = page_head()

__all__ = ["CSS", "HEAD", "THEME", "build_ui", "make_briefing"]


def build_ui(assistant: Any, feedback: FeedbackStore) -> gr.Blocks:
    """The Gradio Blocks for the whole UI."""
    phrases = ui_phrases(assistant)
    with gr.Blocks(title=phrases.get("page_title"), analytics_enabled=False) as demo:
        gr.HTML(f'<header class="akk-header"><h1>{html.escape(phrases.get("heading"))}</h1>'
                f'<p>{html.escape(phrases.get("intro"))}</p></header>', elem_id="akk-header",
                js_on_load=None)
        with gr.Tabs(elem_id="akk-tabs"):
            with gr.Tab(phrases.get("tab_chat"), elem_id="akk-tab-chat"):
                build_chat_tab(assistant, feedback, phrases)
            with gr.Tab(phrases.get("tab_data"), elem_id="akk-tab-data"):
                build_data_tab(assistant, phrases)
            with gr.Tab(phrases.get("tab_briefing"), elem_id="akk-tab-briefing"):
                build_briefing_tab(assistant)
    return demo

