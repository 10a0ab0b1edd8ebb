"""Conversation history as the API and chat pass it: a list of {"role", "content"} messages.

Only the shape is checked here; what the history means for a follow-up ("kalau Bandung?") is
the router's business (assistant/routing.py).
"""
from __future__ import annotations

from .errors import InvalidQuestion

MAX_TURNS = 20  # older turns don't help resolve a follow-up


def validate_history(history: object) -> list[dict]:
    """Check the {"role", "content"} list; raise InvalidQuestion with a clear reason."""
    if history is None:
        return []
    if not isinstance(history, list):
        raise InvalidQuestion("Riwayat percakapan harus berupa daftar pesan.")
    cleaned = []
    for i, turn in enumerate(history):
        if not isinstance(turn, dict) or turn.get("role") not in ("user", "assistant"):
            raise InvalidQuestion(f"Pesan ke-{i + 1} di riwayat harus punya role 'user' atau 'assistant'.")
        content = turn.get("content")
        if not isinstance(content, str):
            raise InvalidQuestion(f"Pesan ke-{i + 1} di riwayat harus punya content berupa teks.")
        cleaned.append({"role": turn["role"], "content": content})
    return cleaned[-MAX_TURNS:]
