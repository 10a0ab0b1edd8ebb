"""Domain errors. Messages are Indonesian and say what the user can do about it.

They are raised by the core and turned into user-facing text only at the edges
(cli.py, api.py, app.py) — never shown as a traceback.
"""
from __future__ import annotations

# What every edge (API, chat UI) says when something unexpected breaks: never a traceback.
INTERNAL_ERROR = "Maaf, ada gangguan di server. Coba lagi sebentar lagi ya."


class AssistantError(Exception):
    """Base class: something the user (or operator) can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(AssistantError):
    """A setting has a value the assistant cannot use."""


class InvalidQuestion(AssistantError):
    """The question is empty, too long or otherwise unusable."""


class CorpusError(AssistantError):
    """A corpus file cannot be read; carries the file name and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ServiceUnavailable(AssistantError):
    """A part the service depends on (index, Chroma server, feedback database) is down for now:
    the request may succeed later, so the edge answers 503 with Retry-After, never 400 or 500."""

    def __init__(self, message: str, retry_after_s: int = 5, detail: str | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
        self.detail = detail or message  # for the operator (logs, /healthz); `message` is for everyone


class IndexNotReady(ServiceUnavailable):
    """The Chroma index is missing, incomplete or cannot be opened."""


class StorageUnavailable(ServiceUnavailable):
    """The feedback database cannot be written right now."""


class UnknownPlace(AssistantError):
    """A city, province or country the records don't know; carries near matches."""

    def __init__(self, name: str, suggestions: list[str] | None = None) -> None:
        self.name = name
        self.suggestions = suggestions or []
        hint = f" Mungkin maksudnya: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"Data kota kembar untuk \"{name}\" tidak ditemukan.{hint}")


class OutputError(AssistantError):
    """An export file cannot be written."""


class DocumentError(AssistantError):
    """A document can't be added, listed or removed; carries the file (or id) and the reason."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}.")
        self.name = name
        self.reason = reason
