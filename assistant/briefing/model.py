"""What a briefing is made of: sections of cited sentences, a relationships table, numbered sources.

Pure data: composed by compose.py, written out by export.py.
"""
from __future__ import annotations

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

    @property
    def factual(self) -> bool:
        return self.kind != "framing"


@dataclass
class TableRow:
    """One relationship as a row of the relationships table."""

    partner: str
    country: str
    year: str
    focus: str
    status: str
    confidence: str
    sources: list[int]
    rel_id: str = ""


@dataclass
class RelationshipTable:
    """The recorded relationships of a city (or one pair), with a header row."""

    columns: list[str]
    rows: list[TableRow]

    def cells(self, row: TableRow) -> list[str]:
        """The row's cells in column order; sources as [n] markers."""
        markers = "".join(f"[{n}]" for n in row.sources)
        return [row.partner, row.country, row.year, row.focus, row.status, row.confidence, markers]


@dataclass
class Section:
    heading: str
    sentences: list[Sentence] = field(default_factory=list)
    table: RelationshipTable | None = None


@dataclass(frozen=True)
class SourceEntry:
    """A numbered source: an article section or a page behind the records."""

    n: int
    title: str
    url: str
    section: str


@dataclass
class Briefing:
    title: str
    date: str
    subject: str
    kind: BriefingKind
    sections: list[Section]
    sources: list[SourceEntry]
    notes: list[str] = field(default_factory=list)  # how the document was put together (omissions)

    def source(self, n: int) -> SourceEntry | None:
        """The source entry numbered n, or None."""
        return next((s for s in self.sources if s.n == n), None)

    def section(self, heading: str) -> Section | None:
        """The section with this heading, or None."""
        return next((s for s in self.sections if s.heading == heading), None)
