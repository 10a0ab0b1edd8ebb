"""The Assistant as a long-running server needs it: opened in the background, ready only when it
honestly is, and back on its feet without a restart.

- Starting never blocks or exits because the index is unavailable: a thread keeps trying to open
  it (Chroma server not up yet, an ingest still running elsewhere, a broken index being rebuilt)
  and the service answers 503 with a clear message until it can.
- Readiness (`health()`) checks the three things an answer and a feedback post need: the index is
  complete (its manifest, written last by ingest, matches), Chroma answers, and the feedback
  store can be written. Checks are cached for a moment so health probes can't hammer Chroma.
- The record tables (corpus CSV) are loaded at once: the UI's data table needs no index.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from . import metrics
from .config import Settings
from .errors import AssistantError, IndexNotReady, ServiceUnavailable
from .records import RecordStore
from .schema import Answer

log = logging.getLogger(__name__)

STARTING = "Asisten masih menyiapkan indeks. Coba lagi sebentar lagi ya."
RETRY_MIN_S, RETRY_MAX_S = 0.5, 10.0
CHECK_TTL_S = 2.0


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str = ""


class ServedAssistant:
    """An AssistantService (assistant/service.py) for api.py and app.py, plus health() and last_error."""

    def __init__(self, settings: Settings, opener: Callable[[Settings], Any] | None = None,
                 feedback: Callable[[], Any] | None = None) -> None:
        self.settings = settings
        self._opener = opener or _open_assistant
        self._feedback = feedback  # returns the feedback store (may raise StorageUnavailable)
        self.records, self.record_errors = RecordStore.load(settings.corpus_dir / "records", settings.prompts_dir)
        self.assistant: Any = None
        self.last_error = STARTING
        self._checks: tuple[float, dict[str, Check]] | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "ServedAssistant":
        """Open the Assistant in a background thread, retrying until it works or stop() is called."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._open_until_ready, name="assistant-open", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def wait_ready(self, timeout_s: float) -> bool:
        """Block until the Assistant is open (python app.py, tests); False on timeout."""
        deadline = time.monotonic() + timeout_s
        while self.assistant is None and time.monotonic() < deadline and not self._stop.is_set():
            time.sleep(0.05)
        return self.assistant is not None

    def _open_until_ready(self) -> None:
        delay = RETRY_MIN_S
        while not self._stop.is_set():
            try:
                assistant = self._opener(self.settings)
            except AssistantError as exc:
                self.last_error = exc.message
            except Exception as exc:  # a bug or an unexpected library error: keep serving 503s, log it
                log.exception("opening the assistant failed")
                self.last_error = f"{STARTING} ({type(exc).__name__})"
            else:
                self.records = assistant.records
                self.record_errors = getattr(assistant, "record_errors", [])
                self.assistant = assistant
                with self._lock:
                    self._checks = None  # the "not open yet" checks of a moment ago no longer hold
                metrics.READY_WORKERS.set(1)
                log.info("assistant ready")
                return
            log.warning("assistant not ready, retrying in %.1f s: %s", delay, self.last_error)
            self._stop.wait(delay)
            delay = min(delay * 2, RETRY_MAX_S)

    # --- what api.py and app.py call -------------------------------------------------------

    @property
    def ready(self) -> bool:
        """The index is open: questions can be answered (a Chroma outage then shows per request)."""
        return self.assistant is not None and bool(self.assistant.ready)

    def _require(self) -> Any:
        if self.assistant is None:
            raise IndexNotReady(self.last_error)
        return self.assistant

    def ask(self, question: str, history: list[dict] | None = None) -> Answer:
        return self._require().ask(question, history)

    def retrieve(self, question: str, k: int | None = None):
        return self._require().retrieve(question, k)

    def brief(self, subject: str, **kwargs):
        return self._require().brief(subject, **kwargs)

    def standalone(self, question: str, history: list[dict] | None = None) -> str:
        return self._require().standalone(question, history)

    def health(self) -> dict[str, Check]:
        """{"index", "chroma", "feedback"} -> Check; cached for CHECK_TTL_S."""
        with self._lock:
            now = time.monotonic()
            if self._checks and now - self._checks[0] < CHECK_TTL_S:
                return self._checks[1]
            checks = {"index": self._check_index(), "chroma": self._check_chroma(), "feedback": self._check_feedback()}
            self._checks = (now, checks)
            return checks

    def _check_index(self) -> Check:
        if self.assistant is None:
            return Check(False, self.last_error)
        try:
            if not self.assistant.index.is_complete():
                return Check(False, "Indeks belum lengkap (ingest belum selesai). Jalankan `assistant ingest`.")
        except ServiceUnavailable as exc:
            return Check(False, exc.message)
        return Check(True)

    def _check_chroma(self) -> Check:
        if self.assistant is None:
            return Check(False, self.last_error)
        try:
            self.assistant.index.heartbeat()
        except ServiceUnavailable as exc:
            return Check(False, exc.message)
        return Check(True)

    def _check_feedback(self) -> Check:
        if self._feedback is None:
            return Check(True, "tidak dipakai")
        try:
            self._feedback().check_writable()
        except ServiceUnavailable as exc:
            return Check(False, exc.detail)
        except AssistantError as exc:
            return Check(False, exc.message)
        return Check(True)


WARM_UP_QUESTION = "Apa manfaat kota kembar buat Surabaya?"


def _open_assistant(settings: Settings) -> Any:
    from .core import Assistant  # heavy (embedder, Chroma): only when actually opening

    assistant = Assistant.from_settings(settings)
    # The first answer builds the router, speller and keyword index (~1 s): paid here, before the
    # replica says it is ready, not by its first citizen (measured: a fresh replica's first answers
    # were the only ones over 1 s in the load runs).
    started = time.perf_counter()
    try:
        assistant.ask(WARM_UP_QUESTION)
    except Exception:  # warming up is an optimisation: a failure here shows again on real questions
        log.exception("warm-up question failed")
    log.info("warm-up answer took %.0f ms", (time.perf_counter() - started) * 1000)
    return assistant
