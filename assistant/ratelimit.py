"""Per-client rate limits, shared by every replica when Redis is configured.

Built on the `limits` library (moving window). Storage is Redis when ASSISTANT_REDIS_URL is set,
so N replicas (and N uvicorn workers each) share one budget per client instead of allowing
N × the limit; otherwise it is this process's memory, the single-process default. If Redis stops
answering, each process falls back to its own memory until Redis is back: clients stay limited
(per process) rather than being refused or let through unlimited.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from .config import Settings

log = logging.getLogger(__name__)

REDIS_TIMEOUT_S = 0.5  # a slow Redis must not slow every request down
RETRY_SHARED_AFTER_S = 5.0


class RateLimiter:
    """`check(client)` records one request and says how long to wait (0.0 = allowed)."""

    def __init__(self, per_minute: int, storage_url: str | None = None, name: str = "questions") -> None:
        if per_minute <= 0:
            raise ValueError(f"per_minute harus lebih dari 0 (sekarang {per_minute}).")
        self.limit = per_minute
        self.name = name
        self.item = RateLimitItemPerMinute(per_minute, namespace=f"akk-{name}")
        self._local = MovingWindowRateLimiter(MemoryStorage())
        self._shared: MovingWindowRateLimiter | None = None
        self._shared_down_until = 0.0
        if storage_url:
            storage = storage_from_string(storage_url, socket_timeout=REDIS_TIMEOUT_S,
                                          socket_connect_timeout=REDIS_TIMEOUT_S)
            self._shared = MovingWindowRateLimiter(storage)

    @property
    def shared(self) -> bool:
        """True when the budget is shared through Redis right now."""
        return self._shared is not None and time.monotonic() >= self._shared_down_until

    def check(self, client: str) -> float:
        """Count one request from client; 0.0 if allowed, else seconds until it may try again."""
        if self.shared:
            try:
                return self._hit(self._shared, client)
            except Exception as exc:  # redis-py raises ConnectionError, TimeoutError, ResponseError…
                log.warning("rate limit storage unreachable (%s: %s); limiting per process for now",
                            type(exc).__name__, exc)
                self._shared_down_until = time.monotonic() + RETRY_SHARED_AFTER_S
        return self._hit(self._local, client)

    def _hit(self, limiter: MovingWindowRateLimiter, client: str) -> float:
        if limiter.hit(self.item, client):
            return 0.0
        reset_at, _ = limiter.get_window_stats(self.item, client)
        return max(reset_at - time.time(), 0.001)


@dataclass(frozen=True)
class Limiters:
    """questions: every answering path (API, widget, Gradio chat); ui: Gradio's other events."""

    questions: RateLimiter
    ui: RateLimiter


def make_limiters(settings: Settings) -> Limiters:
    """The two limits from settings, on Redis when configured."""
    return Limiters(
        questions=RateLimiter(settings.rate_limit_per_minute, settings.redis_url, "questions"),
        ui=RateLimiter(settings.ui_rate_limit_per_minute, settings.redis_url, "ui"),
    )
