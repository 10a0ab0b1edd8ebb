"""What a briefing subject names: a city or province, a pair of places, or a topic.

"Surabaya" is a city, "Surabaya–Busan" (or "Surabaya dan Busan", "Busan - Surabaya") a pair with
the Indonesian side first, "manfaat sister city" a topic, whichever kind the user selected. A
name the records don't know becomes UnknownPlace with near matches, never a topic briefing about
a misspelt city.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import UnknownPlace
from ..records import PlaceMatch, RecordStore, slug
from .model import BriefingKind

# "Surabaya–Busan", "Surabaya - Busan", "Surabaya-Busan", "Surabaya dan Busan", "Surabaya & Busan".
_PAIR_SEPARATORS = (r"\s*[–—]\s*", r"\s+-\s+", r"-", r"\s+dan\s+", r"\s*&\s*", r"\s+dengan\s+", r"\s*/\s*")


@dataclass(frozen=True)
class Subject:
    """What a briefing is about: a place (city), two places (pair) or a topic (text only)."""

    kind: BriefingKind
    text: str
    city: PlaceMatch | None = None
    partner: PlaceMatch | None = None


def _exact_place(records: RecordStore, text: str, kinds: tuple[str, ...],
                 elsewhere: frozenset[str] = frozenset(), kind_elsewhere: str = "city") -> tuple[PlaceMatch | None, PlaceMatch | None]:
    """(exact match covering the whole text, fuzzy match) for a name.

    A name the records lack but an added document names (`elsewhere`, casefolded) is a place too:
    the briefing is then written from that document.
    """
    matches = [m for m in records.find_places(text) if m.kind in kinds]
    stripped = text.strip()
    for m in matches:
        if m.start == 0 and m.end == len(stripped):
            return (None, m) if m.fuzzy else (m, None)
    if stripped.casefold() in elsewhere:
        return PlaceMatch(kind_elsewhere, slug(stripped), stripped, 0, len(stripped), typed=stripped), None
    return None, None


def _unknown(records: RecordStore, name: str, fuzzy: PlaceMatch | None) -> UnknownPlace:
    suggestions = ([fuzzy.name] if fuzzy else []) + records.suggest(name)
    return UnknownPlace(name, list(dict.fromkeys(suggestions))[:3])


def _looks_like_a_name(text: str) -> bool:
    """ "Surabya", "Kota Atlantis": short and capitalised, unlike a topic phrase."""
    words = text.split()
    return 1 <= len(words) <= 3 and all(w[:1].isupper() for w in words if w.casefold() != "kota")


def resolve_subject(subject: str, records: RecordStore, kind: str | None,
                    elsewhere: frozenset[str] = frozenset()) -> Subject:
    """Decide what the briefing is about; UnknownPlace for names the records don't know.

    The text decides, whatever `kind` (the selector in the app, --city/--pair/--topic in the CLI)
    says: two known places are a pair, one known city or province is a city, a topic phrase is a
    topic. The hint only settles what the text leaves open: a capitalised unknown name is a
    misspelt place (UnknownPlace with suggestions) unless "topic" was chosen and nothing known is
    close to it. A near match of a known place always raises, so "Surabya" never becomes a topic.
    """
    home = ("city", "province")
    for separator in _PAIR_SEPARATORS:
        parts = [p.strip() for p in re.split(separator, subject) if p.strip()]
        if len(parts) != 2:
            continue
        # The Indonesian side comes first; a name known only from a document takes its side's role.
        sides = [_exact_place(records, p, home + ("partner",), elsewhere, role)
                 for p, role in zip(parts, ("city", "partner"))]
        if all(exact for exact, _ in sides):
            first, second = sides[0][0], sides[1][0]
            if first.kind == "partner" and second.kind in home:
                first, second = second, first  # "Busan–Surabaya": the Indonesian side leads
            return Subject("pair", subject, first, second)
        if any(exact for exact, _ in sides):
            for part, (exact, fuzzy) in zip(parts, sides):
                if exact is None and (fuzzy is not None or _looks_like_a_name(part)):
                    raise _unknown(records, part, fuzzy)
    exact, fuzzy = _exact_place(records, subject, home, elsewhere)
    if exact is not None:
        return Subject("city", subject, exact)
    if fuzzy is not None or (kind != "topic" and _looks_like_a_name(subject)):
        raise _unknown(records, subject, fuzzy)
    return Subject("topic", subject)
