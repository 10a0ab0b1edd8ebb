"""The small value types every layer passes around (no behaviour beyond serialisation)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


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
    # Which path produced it ("articles", "records", "refusal", "invalid"); handy for the UI and eval.
    route: str = "articles"
    standalone_question: str = ""  # the question after follow-up resolution

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "citations": [c.to_dict() for c in self.citations],
        }
