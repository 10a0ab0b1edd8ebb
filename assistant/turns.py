"""What the router understands of a message (Turn) and what it decides (Decision)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .records import PlaceMatch, RecordQuery, fold
from .routing_data import ASPECTS

Path_ = Literal["records", "articles", "smalltalk", "out_of_scope", "injection"]
INDONESIAN = ("city", "province")
FOREIGN = ("partner", "country")
ARTICLE_ASPECTS = frozenset(ASPECTS)  # what an article question can ask about (prompts/routing.yaml `aspects`)
# A message naming only countries, with at least this many words of need, tells a story set there
# ("kalau kami bawa tari daerah dan makanan khas ke kota kenalan di Eropa, …") rather than asking
# about the country ("bahasa resmi di Kazakhstan?").
STORY_NEED_WORDS = 4


@dataclass(frozen=True)
class Turn:
    """What one message says, before any history is applied."""

    text: str  # corrected, markup-free text the decision is made on
    norm: str  # normalize(text)
    places: tuple[PlaceMatch, ...]
    unknown_names: tuple[str, ...]  # capitalised words that look like a place we don't know
    strong_domain: bool
    weak_domain: bool
    aspects: frozenset[str]
    intents: frozenset[str]  # records cues: twinning, year, focus, list, yes_no, province
    follow_up_cue: bool  # opens with "kalau", "terus", "how about" ...
    more: bool  # "kenapa?", "lanjut", "contohnya?": asks for more of the previous answer
    need: tuple[str, ...]  # the words saying what is asked, beyond places and cues
    aspect_words: tuple[str, ...] = ()  # the aspect cue words as written ("sejarah", "cara")
    set_aside: tuple[PlaceMatch, ...] = ()  # named but not asked about ("selain Darwin", "aku arek …")
    set_aside_words: tuple[str, ...] = ()  # topics named to be left out ("selain budaya, apa lagi?")
    asks_besides: bool = False  # "selain budaya, …?", "selain itu ada lagi?": something besides
    asks_whole: bool = False  # "Jateng total …?", "se-provinsi Aceh": a province with its cities
    order: str | None = None  # "newest"/"oldest": "kota kembarnya yang paling baru?" (prompts `record_order`)

    @property
    def indonesian(self) -> list[PlaceMatch]:
        return [p for p in self.places if p.kind in INDONESIAN]

    @property
    def foreign(self) -> list[PlaceMatch]:
        return [p for p in self.places if p.kind in FOREIGN]

    @property
    def article_aspects(self) -> frozenset[str]:
        return self.aspects & ARTICLE_ASPECTS

    @property
    def need_besides_names(self) -> tuple[str, ...]:
        """The need without the words of names we have no record of: in "Jakarta sama Kairo?" or
        "… kembaran sama Port Moresby?", the name is the partner asked about, not a need."""
        named = {w for name in self.unknown_names for w in fold(name).split()}
        return tuple(w for w in self.need if w not in named)

    @property
    def tells_a_story(self) -> bool:
        """Names only countries, in a story of its own (STORY_NEED_WORDS)."""
        return bool(self.places) and all(p.kind == "country" for p in self.places) \
            and len(self.need) >= STORY_NEED_WORDS

    @property
    def has_topic(self) -> bool:
        """Names what it is about: the domain, an aspect, an information need or a place."""
        return bool(self.strong_domain or self.aspects or self.need or self.places or self.intents - {"list", "yes_no"})


@dataclass(frozen=True)
class Decision:
    """The router's verdict for one turn."""

    path: Path_
    turn: Turn  # the turn as resolved (after borrowing from history)
    standalone: str  # the question rewritten to stand on its own
    smalltalk: str | None = None  # kind of small talk ("greeting", "thanks"...)
    corrections: tuple[tuple[str, str], ...] = ()
    reason: str = ""
    context: tuple[str, ...] = field(default=())  # previous turns it leaned on
    own: Turn | None = None  # the message alone, before anything was borrowed from history
    said_before: str = ""  # a follow-up's previous answer, its first line: not to be said again
    # The conversation's topic so far, even when this turn didn't lean on it: a question in the
    # conversation's own words ("tinggal tanda tangan langsung kejadian dong?") is about that domain.
    in_conversation: bool = False
    message: str = ""  # the message as the user wrote it (what the message models read)

    def record_query(self) -> RecordQuery:
        """What the record tables are asked, for a decision on the records path."""
        turn = self.turn
        typed = self.own.places if self.own is not None else turn.places
        return RecordQuery(self.standalone, turn.places, turn.unknown_names, wants_list="list" in turn.intents,
                           sister_provinces="province" in turn.intents,
                           country_typed=any(p.kind == "country" for p in typed), order=turn.order,
                           set_aside=tuple(p for p in turn.set_aside if p.kind in ("city", "province")),
                           whole_province=turn.asks_whole)
