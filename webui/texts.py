"""The web UI's phrases (prompts/ui.yaml), loaded once per app."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.prompts import Phrases, load_phrases

from .render import RenderTexts


def ui_phrases(assistant: Any = None) -> Phrases:
    """prompts/ui.yaml from the assistant's settings (or the project's own prompts/)."""
    settings = getattr(assistant, "settings", None)
    prompts_dir = Path(settings.prompts_dir) if settings is not None else Settings().prompts_dir
    return load_phrases(prompts_dir, "ui")


def render_texts(phrases: Phrases) -> RenderTexts:
    """The subset of phrases the HTML renderer needs."""
    return RenderTexts(
        sources_summary=phrases.raw("sources_summary"),
        cite_prefix=phrases.raw("cite_prefix"),
        section_label=phrases.raw("section_label"),
        links_label=phrases.raw("links_label"),
        no_link=phrases.raw("no_link"),
        note_prefixes=tuple(phrases.raw("note_prefixes")),
    )
