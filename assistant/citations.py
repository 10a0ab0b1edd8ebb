"""Citation validity: does each [n] marker point to a passage that really contains what it marks?

An answer is split into segments at its markers. The segment that ends at a marker (or a run of
markers such as "[2][3]") is the text since the previous marker or line start. Stripped of list
bullets, leading punctuation and a leading connective ("dan", "atau", "serta"), it must appear in
every passage it cites (whitespace- and case-insensitive). Lines without a marker are framing
("Singkatnya gini:"), not claims.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .schema import Answer

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


def _squash(text: str) -> str:
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
    passages = {c.n: _squash(c.text) for c in answer.citations}
    checks = []
    for segment, numbers in marked_segments(answer.answer):
        claim = _squash(segment)
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
