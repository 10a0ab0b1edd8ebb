"""What a briefing is made of: sections of cited sentences, relationship tables, numbered sources.

Pure data: composed by compose.py, written out by export.py.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Literal, get_args

BriefingKind = Literal["city", "pair", "topic"]  # a city or province, a pair of cities, a topic
KINDS: tuple[str, ...] = get_args(BriefingKind)


@dataclass
class Sentence:
    """One sentence of a briefing and the numbers of the sources that support it."""

    text: str
    citations: list[int] = field(default_factory=list)
    kind: str = "article"  # "article" (rewrite of source_text) | "record" (from record fields) | "framing"
    source_text: str = ""  # for kind "article": the source sentence this is the formal rewrite of
    paragraph: int = 0  # sentences with the same number are printed as one paragraph
    locator: str = ""  # for kind "article": the section of the cited article the sentence comes from

    @property
    def factual(self) -> bool:
        return self.kind != "framing"


@dataclass
class TableRow:
    """One relationship as a row of a relationships table."""

    partner: str
    country: str
    year: str
    focus: str
    status: str
    confidence: str
    sources: list[int]
    rel_id: str = ""
    city: str = ""  # the Indonesian side (topic tables hold rows of many cities)

    @property
    def pair(self) -> str:
        """ "Bandung–Braunschweig": both sides in one cell (topic tables)."""
        return f"{self.city}–{self.partner}" if self.city else self.partner


# Which TableRow field fills each column, in order.
PLACE_FIELDS = ("partner", "country", "year", "focus", "status", "confidence", "sources")
TOPIC_FIELDS = ("pair", "country", "year", "focus", "status", "confidence", "sources")


@dataclass
class RelationshipTable:
    """Recorded relationships with a header row: of one city/pair, or those that fit a topic."""

    columns: list[str]
    rows: list[TableRow]
    fields: tuple[str, ...] = PLACE_FIELDS

    def cells(self, row: TableRow) -> list[str]:
        """The row's cells in column order; sources as [n] markers."""
        return ["".join(f"[{n}]" for n in row.sources) if name == "sources" else str(getattr(row, name))
                for name in self.fields]


@dataclass
class Section:
    heading: str
    sentences: list[Sentence] = field(default_factory=list)
    table: RelationshipTable | None = None


@dataclass(frozen=True)
class SourceEntry:
    """A numbered source: one document (an article, or a page behind the records).

    `sections` are the parts of an article the briefing quotes (its locators); `pairs` the
    relationships a records page supports. `kind` orders the list (pemerintah, berita, rujukan,
    blog; prompts/sources.yaml) and marks the weaker kinds.
    """

    n: int
    title: str
    url: str
    kind: str = ""
    publisher: str = ""
    sections: tuple[str, ...] = ()
    pairs: tuple[str, ...] = ()
    group: str = ""  # the heading of its kind in the list ("Sumber resmi pemerintah")
    mark: str = ""  # what a weaker kind is flagged with ("rujukan sekunder"); "" for the strong kinds


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)


@dataclass
class Briefing:
    title: str
    date: str
    subject: str
    kind: BriefingKind
    sections: list[Section]
    sources: list[SourceEntry]  # in list order: government, news, reference, blogs; numbered 1..n
    notes: list[str] = field(default_factory=list)  # how the document was put together (omissions)
    author: str = ""  # who drafted it (Settings.author); "" = not configured
    organisation: str = ""  # on whose behalf (Settings.org_name); "" = not configured
    created: _dt.datetime = field(default_factory=_now)  # when it was composed (UTC)

    def source(self, n: int) -> SourceEntry | None:
        """The source entry numbered n, or None."""
        return next((s for s in self.sources if s.n == n), None)

    def section(self, heading: str) -> Section | None:
        """The section with this heading, or None."""
        return next((s for s in self.sections if s.heading == heading), None)
