"""Deterministic stand-ins for assistant.core.Assistant, for unit tests of the API/UI logic only.

The integration tests (tests/test_api.py's contract tests, tests/test_browser.py) use the real
Assistant; these fakes exist so edge logic (rate limits, body limits, errors) is tested fast.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

from assistant.errors import InvalidQuestion
from assistant.schema import Answer, Citation


@dataclass(frozen=True)
class FakeRelationship:
    """Same fields as assistant.records.Relationship."""

    city_name: str
    province: str
    partner_city: str
    partner_country: str
    year: int | None
    year_values_seen: tuple = ()
    focus: tuple[str, ...] = ()
    status: str = "aktif"
    confidence: str = "tinggi"
    source_urls: tuple[str, ...] = ()


@dataclass
class FakeRecords:
    relationships: list[FakeRelationship] = field(default_factory=list)


PASSAGE = "Kota kembar (sister city) adalah kerja sama resmi antara dua kota di negara berbeda."


class FakeAssistant:
    """Answers every question with one fixed cited passage; records calls; can be gated or not ready."""

    def __init__(self, ready: bool = True, gate: threading.Event | None = None) -> None:
        self.ready = ready
        self.gate = gate  # when set, ask() blocks until the test opens the gate
        self.started = threading.Event()
        self.calls: list[tuple[str, list[dict] | None]] = []
        self._lock = threading.Lock()
        self.records = FakeRecords([
            FakeRelationship("Surabaya", "Jawa Timur", "Busan", "Korea Selatan", 1994, (1994,),
                             ("ekonomi", "pendidikan"), "aktif", "tinggi", ("https://example.org/busan",)),
            FakeRelationship("Bandung", "Jawa Barat", "Braunschweig", "Jerman", 1960, (1960,),
                             ("budaya",), "aktif", "sedang", ("https://example.org/bs",)),
        ])

    def ask(self, question: str, history: list[dict] | None = None) -> Answer:
        """Echo the question back with one citation; empty questions come back as route "invalid"."""
        self.started.set()
        if self.gate is not None:
            self.gate.wait(30)
        with self._lock:
            self.calls.append((question, history))
        if not question.strip():
            return Answer(question, "Pertanyaannya masih kosong nih.", refused=True, route="invalid")
        if question.strip() == "raise":
            raise InvalidQuestion("Pertanyaan ini sengaja ditolak oleh tes.")
        if question.strip() == "crash":
            raise RuntimeError("bug di dalam core")
        citation = Citation(1, "mengenal-konsep-twin-cities", "Mengenal Konsep Twin Cities", "Pengertian",
                            "https://example.org/twin", PASSAGE)
        return Answer(question, f"Singkatnya gini:\n- {PASSAGE} [1]", refused=False, citations=[citation])
