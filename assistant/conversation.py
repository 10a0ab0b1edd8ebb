"""Follow-up questions: turn "kalau Bandung?" into a question that stands on its own.

The previous user question is the template. A follow-up that names a new place swaps it for
the place the previous question named; one that names a new aspect ("kalau tantangannya?")
swaps the aspect; anything else is appended to the previous question so retrieval still
sees its topic.
"""
from __future__ import annotations

import re
from typing import Callable, Protocol, Sequence

from .errors import InvalidQuestion

FOLLOW_UP_CUE = re.compile(
    r"^\s*(kalau|kalo|klo|kl|trus|terus|lalu|lantas|nah|gimana dengan|bagaimana dengan|bgmn dengan|"
    r"bagaimana kalau|gimana kalau|how about|what about|and|dan|sama|kalau untuk|untuk|"
    r"yang soal|yang tentang|yang bagian|soal|tentang)\b[\s,]*",
    re.I,
)
# Aspects a question can be about; a follow-up naming another aspect replaces the old one.
ASPECTS: dict[str, tuple[str, ...]] = {
    "manfaat": ("manfaatnya", "manfaat", "keuntungannya", "keuntungan", "benefit", "benefits", "peluangnya", "peluang"),
    "tantangan": ("tantangannya", "tantangan", "hambatannya", "hambatan", "kendalanya", "kendala", "risikonya",
                  "risiko", "challenges", "challenge"),
    "sejarah": ("sejarahnya", "sejarah", "asal-usulnya", "asal usul", "history"),
    "tips": ("tipsnya", "tips", "caranya", "cara", "langkahnya"),
    "contoh": ("contohnya", "contoh", "examples", "example"),
}
MAX_FOLLOW_UP_WORDS = 7


class Place(Protocol):
    start: int
    end: int
    name: str


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
    return cleaned[-20:]  # older turns don't help resolve a follow-up


def _aspect_of(text: str) -> tuple[str, str] | None:
    lowered = text.lower()
    for aspect, words in ASPECTS.items():
        for word in words:
            if re.search(rf"\b{re.escape(word)}\b", lowered):
                return aspect, word
    return None


def looks_like_follow_up(question: str) -> bool:
    """Short, or opening with a cue such as "kalau" / "terus" / "how about"."""
    return bool(FOLLOW_UP_CUE.match(question)) or len(question.split()) <= 3


def resolve_follow_up(
    question: str,
    history: Sequence[dict],
    find_places: Callable[[str], Sequence[Place]],
) -> str:
    """The question rewritten to stand alone, using the last user question as context."""
    previous = next((t["content"] for t in reversed(history) if t["role"] == "user" and t["content"].strip()), None)
    if not previous or not looks_like_follow_up(question) or len(question.split()) > MAX_FOLLOW_UP_WORDS:
        return question
    rest = FOLLOW_UP_CUE.sub("", question).strip().rstrip("?!. ").strip()
    if not rest:
        return previous
    new_places = list(find_places(rest))
    old_places = list(find_places(previous))
    if new_places and old_places:
        # Swap the place(s) of the previous question for the new one(s), keeping its wording.
        old = sorted(old_places, key=lambda p: p.start)
        replacement = " dan ".join(p.name for p in new_places)
        if len(old) >= 2 and len(new_places) == 1:
            # "Sejak kapan Padang sama Hildesheim?" -> "kalau Bandung?": a new city, same question shape.
            old = old[:1]
        rewritten = previous[: old[0].start] + replacement + previous[old[-1].end :]
        return rewritten
    new_aspect = _aspect_of(rest)
    old_aspect = _aspect_of(previous)
    if new_aspect and old_aspect and new_aspect[0] != old_aspect[0]:
        return re.sub(rf"\b{re.escape(old_aspect[1])}\b", new_aspect[0], previous, count=1, flags=re.I)
    if new_places:
        return f"{rest} {previous}"
    return f"{rest} — {previous}"
