"""Follow-up turns rewritten to stand alone: the previous question with its places or aspect
swapped ("kalau Bandung?", "terus tantangannya?"). Pure string work on two Turns."""
from __future__ import annotations

import re

from .records import PlaceMatch
from .routing_data import RoutingData
from .text import Lexicon
from .turns import Turn


_CUE = re.compile(r"^\s*(kalau|kalo|klo|kl|terus|trus|trs|lalu|lantas|nah|dan|and|how about|what about|"
                  r"gimana dengan|bagaimana dengan|gimana kalau|bagaimana kalau|kemudian|selanjutnya)\b[\s,]*", re.I)


def drop_cue(text: str) -> str:
    """ "kalau tantangannya?" -> "tantangannya", "and what about culture?" -> "culture" (openers carry no content)."""
    previous = None
    while previous != text:
        previous, text = text, _CUE.sub("", text)
    return text.strip().rstrip("?!. ")


def without_places(turn: Turn) -> str:
    text = turn.text
    for place in sorted(turn.places, key=lambda p: p.start, reverse=True):
        text = text[: place.start] + " " + text[place.end:]
    return re.sub(r"\s+", " ", text).strip()


def swap_places(previous: Turn, turn: Turn) -> str:
    """The previous question with its places of the same side (Indonesian/foreign) replaced."""
    text = previous.text
    new_local, new_foreign = turn.indonesian, turn.foreign
    replacements: list[tuple[PlaceMatch, str]] = []
    old_local, old_foreign = previous.indonesian, previous.foreign
    if new_local and old_local:
        replacements.append((old_local[0], " dan ".join(p.name for p in new_local)))
        replacements += [(p, "") for p in old_local[1:]]
    if new_foreign and old_foreign:
        replacements.append((old_foreign[0], " dan ".join(p.name for p in new_foreign)))
        replacements += [(p, "") for p in old_foreign[1:]]
    if not replacements:
        # Nothing on the same side to swap: the new places join the previous question
        # ("Surabaya punya kota kembar?" -> "yang di Jepang?").
        return f"{text} {' '.join(p.name for p in turn.places)}"
    for place, name in sorted(replacements, key=lambda r: r[0].start, reverse=True):
        text = text[: place.start] + name + text[place.end:]
    return re.sub(r"\s+", " ", text).strip()


def swap_in_name(previous: Turn, name: str) -> str:
    """The previous question about its place(s), or about a name we had no data for, asked about
    `name` instead ("samarinda?" after "Mataram punya kota kembar?", "kendari?" after "samarinda?")."""
    if not previous.places:
        return re.sub(re.escape(previous.unknown_names[0]), name, previous.text, count=1, flags=re.I)
    text = previous.text
    first, *others = sorted(previous.places, key=lambda p: p.start)
    for place in reversed(others):
        text = text[: place.start] + text[place.end:]
    return re.sub(r"\s+", " ", text[: first.start] + name + text[first.end:]).strip()


def swap_aspect(previous: Turn, rest: str, data: RoutingData, lexicon: Lexicon | None,
                asked: frozenset[str] = frozenset()) -> str:
    """The previous question with one aspect's words replaced by the new ones: an aspect not asked
    again if there is one ("kalau di indonesia contohnya?" after "contoh paling awal, sejarahnya?"
    drops the history, keeps the example), else the first in the text. Chosen by kind and position,
    never by set order, so a conversation reads the same in every process."""
    text = previous.text
    found: list[tuple[bool, int, re.Pattern]] = []
    for name in previous.article_aspects:
        for phrase in data.aspects[name].phrases:
            pattern = re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)", re.I)
            match = pattern.search(text)
            if match:
                found.append((name in asked, match.start(), pattern))
                break  # the aspect's first phrase in its list, as before
    if not found:
        return f"{rest} {text}"
    _, _, pattern = min(found, key=lambda f: (f[0], f[1]))
    return pattern.sub(rest, text, count=1)
