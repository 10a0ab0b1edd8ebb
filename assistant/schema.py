"""The small value types every layer passes around (no behaviour beyond serialisation)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

# Which path produced an answer; handy for the UI and eval. Adding a route is one line here.
Route = Literal[
    "articles",  # extractive answer from article passages
    "records",  # exact answer from the sister-city tables
    "smalltalk",  # greeting, thanks, "kamu siapa?": a friendly reply with no facts
    "out_of_scope",  # the sources don't cover what was asked: says so and what it can answer
    "injection",  # a request to drop the rules or do something other than answer from sources
    "refusal",  # nothing usable was found for an in-scope question
    "invalid",  # bad input (empty, too long, malformed history): the message says why
]


@dataclass(frozen=True)
class Chunk:
    """One indexed passage: a paragraph or list item of an article, or one sister-city record."""

    chunk_id: str
    source_id: str
    title: str
    section: str
    url: str
    text: str  # the passage exactly as cited
    kind: str = "article"  # "article" | "record"
    metadata: dict = field(default_factory=dict)  # record fields (city, partner, country, ...)

    def embedding_text(self) -> str:
        """What gets embedded: the heading (and a list item's intro) travel with the passage."""
        context = self.metadata.get("context") or ""
        if self.kind == "sentence":
            return f"{self.section}. {context}: {self.text}" if context else f"{self.section}. {self.text}"
        return f"{self.title}. {self.section}. {context + ' ' if context else ''}{self.text}"


@dataclass(frozen=True)
class Hit:
    rank: int
    chunk: Chunk
    score: float

    def to_dict(self) -> dict:
        return {
            "rank": self.rank,
            "source_id": self.chunk.source_id,
            "chunk_id": self.chunk.chunk_id,
            "text": self.chunk.text,
            "score": round(float(self.score), 6),
        }


@dataclass(frozen=True)
class Citation:
    n: int
    source_id: str
    title: str
    section: str
    url: str
    text: str  # the cited passage
    urls: tuple[str, ...] = ()  # every source URL (records often have several)

    @classmethod
    def from_chunk(cls, n: int, chunk: Chunk) -> "Citation":
        """The citation of an indexed passage; a record chunk carries all its source URLs."""
        urls = tuple(chunk.metadata.get("urls") or ([chunk.url] if chunk.url else []))
        return cls(n, chunk.source_id, chunk.title, chunk.section, chunk.url, chunk.text, urls)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["urls"] = list(self.urls or ((self.url,) if self.url else ()))
        return data


@dataclass
class Answer:
    question: str
    answer: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    route: Route = "articles"
    standalone_question: str = ""  # the question after follow-up resolution

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "route": self.route,
            "citations": [c.to_dict() for c in self.citations],
        }
