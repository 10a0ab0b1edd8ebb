"""AssistantService: what the edges (app.py, the HTTP API, evaluation, briefings) need from the assistant.

core.Assistant is the real one; tests/fakes.py has a fast stand-in for the API and UI tests.
Typing the edges against this Protocol (not against core.Assistant) keeps them importable
without the index, and says in one place what a replacement must provide.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .briefing import Briefing
    from .config import Settings
    from .records import RecordStore
    from .schema import Answer, Hit


class AssistantService(Protocol):
    """Answers, retrieval, briefings and the record tables, behind one facade."""

    @property
    def settings(self) -> Settings: ...

    @property
    def ready(self) -> bool:
        """True once the index is loaded and questions can be answered."""
        ...

    @property
    def records(self) -> RecordStore: ...

    def ask(self, question: str, history: list[dict] | None = None) -> Answer:
        """A cited answer; bad input comes back as Answer(route="invalid"), never an exception."""
        ...

    def retrieve(self, question: str, k: int | None = None) -> list[Hit]:
        """The k best passages for a question."""
        ...

    def standalone(self, question: str, history: list[dict] | None = None) -> str:
        """The question rewritten to stand on its own, given the conversation so far."""
        ...

    def brief(self, subject: str, *, kind: str | None = None, title: str | None = None,
              date: str | None = None) -> Briefing:
        """A formal, fully cited briefing on a city, a pair or a topic."""
        ...
