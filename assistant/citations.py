"""Citations: numbering what an answer cites, and checking that each [n] marker holds.

CitationRegistry is the one place numbers are handed out (chat answers, record answers and
briefings all use it): in order of first use, one number per passage, record, record source or
candidate row, so citing the same thing twice reuses its number.

Validity: does each [n] marker point to a passage that really contains what it marks? An answer is split into segments at its markers. The segment that ends at a marker (or a run of
markers such as "[2][3]") is the text since the previous marker or line start. Stripped of list
bullets, leading punctuation and a leading connective ("dan", "atau", "serta"), it must appear in
every passage it cites (whitespace- and case-insensitive). Lines without a marker are framing
("Singkatnya gini:"), not claims.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from .schema import Answer, Chunk, Citation

if TYPE_CHECKING:  # types only: the records package imports this module
    from .records.model import Candidate, Relationship, Source

T = TypeVar("T")

MARKER_RUN = re.compile(r"(?:\s*\[\d+\])+")
MARKER = re.compile(r"\[(\d+)\]")
_LEADING_NOISE = re.compile(r"^(?:[\s\-–—•*;:,.]+|(?:dan|atau|serta|and|or)\b)+", re.I)
_TRAILING_NOISE = re.compile(r"[\s;:,]+$")


@dataclass(frozen=True)
class SegmentCheck:
    segment: str
    cited: tuple[int, ...]
    supported: tuple[bool, ...]  # one per cited number

    @property
    def ok(self) -> bool:
        return all(self.supported)


class CitationRegistry(Generic[T]):
    """Numbers cited things in order of first use; the same key always gets the same number."""

    def __init__(self) -> None:
        self.items: list[T] = []  # items[n - 1] is the entry numbered n
        self._numbers: dict[Hashable, int] = {}

    def number(self, key: Hashable, make: Callable[[int], T]) -> int:
        """The number for key; the first time, make(n) builds the entry it stands for."""
        if key not in self._numbers:
            n = len(self.items) + 1
            self.items.append(make(n))
            self._numbers[key] = n
        return self._numbers[key]


class Citations(CitationRegistry[Citation]):
    """The citations of one chat or record answer."""

    def passage(self, chunk: Chunk) -> int:
        """An indexed passage (article paragraph or record chunk)."""
        return self.number(("passage", chunk.chunk_id), lambda n: Citation.from_chunk(n, chunk))

    def relationship(self, rel: Relationship) -> int:
        """A sister-city relationship: its document, every source URL."""
        return self.number(("record", rel.rel_id), rel.citation)

    def record_source(self, rel: Relationship, source: Source) -> int:
        """One page behind a relationship, with the year it gives."""
        return self.number(("source", rel.rel_id, source.url), lambda n: rel.source_citation(n, source))

    def candidate(self, cand: Candidate) -> int:
        """An unverified candidate row (never cited as a record)."""
        return self.number(("candidate", cand.cand_id, cand.source_url), cand.citation)


def squash(text: str) -> str:
    """Whitespace runs folded and case ignored: how a claim is looked up in a passage."""
    return re.sub(r"\s+", " ", text).strip().casefold()


def clean_segment(segment: str) -> str:
    """The claim a marker vouches for, without bullets and connectives."""
    previous = None
    while previous != segment:
        previous = segment
        segment = _LEADING_NOISE.sub("", segment.strip())
    return _TRAILING_NOISE.sub("", segment)


def marked_segments(answer_text: str) -> list[tuple[str, tuple[int, ...]]]:
    """(claim, cited numbers) for every marker run in the answer."""
    out: list[tuple[str, tuple[int, ...]]] = []
    for line in answer_text.splitlines():
        start = 0
        for run in MARKER_RUN.finditer(line):
            numbers = tuple(int(n) for n in MARKER.findall(run.group()))
            out.append((clean_segment(line[start : run.start()]), numbers))
            start = run.end()
    return out


def check_citations(answer: Answer) -> list[SegmentCheck]:
    """Check every marker of an answer against the passage it cites."""
    passages = {c.n: squash(c.text) for c in answer.citations}
    checks = []
    for segment, numbers in marked_segments(answer.answer):
        claim = squash(segment)
        supported = tuple(bool(claim) and n in passages and claim in passages[n] for n in numbers)
        checks.append(SegmentCheck(segment, numbers, supported))
    return checks


def unmarked_claims(answer_text: str) -> list[str]:
    """Text after the last marker of a line that is long enough to be a claim (used in tests)."""
    leftovers = []
    for line in answer_text.splitlines():
        runs = list(MARKER_RUN.finditer(line))
        if runs:
            tail = clean_segment(line[runs[-1].end() :])
            if len(tail.split()) > 3:
                leftovers.append(tail)
    return leftovers
