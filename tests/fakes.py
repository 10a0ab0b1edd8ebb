"""Deterministic stand-ins for assistant.core.Assistant, for unit tests of the API/UI logic only.

The integration tests (tests/test_api.py's contract tests, tests/test_browser.py) use the real
Assistant; these fakes exist so edge logic (rate limits, body limits, errors) is tested fast.
FakeAssistant satisfies assistant.service.AssistantService and is built from the real value
types (Answer, Citation, Relationship, RecordStore), so a change to them shows up here too.
"""
from __future__ import annotations

import threading

from assistant.briefing import Briefing
from assistant.config import Settings
from assistant.errors import InvalidQuestion
from assistant.records import RecordStore, Relationship, slug
from assistant.schema import Answer, Citation, Hit


def fake_relationship(city: str, province: str, partner: str, country: str, year: str, focus: tuple[str, ...],
                      status: str, confidence: str, url: str) -> Relationship:
    """A real Relationship with one source URL (the id scheme of the record tables)."""
    city_id = slug(city).replace("-", "_")
    return Relationship(
        rel_id=f"{city_id}--{slug(partner)}", city_id=city_id, city_name=city, province=province,
        partner_city=partner, partner_country=country, year=year, year_values_seen=(year,) if year else (),
        focus=focus, status=status, confidence=confidence, n_sources=1, source_types=("official",),
        source_urls=(url,),
    )


PASSAGE = "Kota kembar (sister city) adalah kerja sama resmi antara dua kota di negara berbeda."


class FakeAssistant:
    """Answers every question with one fixed cited passage; records calls; can be gated or not ready."""

    def __init__(self, ready: bool = True, gate: threading.Event | None = None) -> None:
        self.settings = Settings()
        self.ready = ready
        self.gate = gate  # when set, ask() blocks until the test opens the gate
        self.started = threading.Event()
        self.calls: list[tuple[str, list[dict] | None]] = []
        self._lock = threading.Lock()
        self.records = RecordStore([
            fake_relationship("Surabaya", "Jawa Timur", "Busan", "Korea Selatan", "1994", ("ekonomi", "pendidikan"),
                              "aktif", "tinggi", "https://example.org/busan"),
            fake_relationship("Bandung", "Jawa Barat", "Braunschweig", "Jerman", "1960", ("budaya",),
                              "aktif", "sedang", "https://example.org/bs"),
        ], [])

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

    def retrieve(self, question: str, k: int | None = None) -> list[Hit]:
        """No index behind the fake: nothing is retrieved."""
        return []

    def standalone(self, question: str, history: list[dict] | None = None) -> str:
        """Follow-ups are not resolved by the fake."""
        return question

    def brief(self, subject: str, *, kind: str | None = None, title: str | None = None,
              date: str | None = None) -> Briefing:
        """The fake writes no briefings: the subject is reported as not understood."""
        raise InvalidQuestion(f"Briefing tidak tersedia di asisten tiruan ({subject!r}).")
