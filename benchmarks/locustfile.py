"""Locust users for the load runs (benchmarks/stack_load.py runs them against deploy/stack.py).

    locust -f benchmarks/locustfile.py --headless -u 50 -r 50 -t 30s --host http://127.0.0.1:8080 Citizen
    locust -f benchmarks/locustfile.py --headless -u 14 -r 14 -t 60s --host http://127.0.0.1:8080 Citizen Abuser

Citizen asks ordinary questions; Abuser (always exactly ABUSERS of them) sends maximal questions
(2,000 characters: "a" + combining accents, the costliest input found). Each user binds its own
loopback address (127.0.0.N), so nginx and the replicas see distinct clients, as they would see
distinct citizens: per-client rate limits apply per user, as in production.
Environment: LOAD_CITIZEN_WAIT="min,max" seconds between a citizen's questions (default 0: as fast as possible).
"""
from __future__ import annotations

import itertools
import os
import random

from locust import HttpUser, between, constant, task
from requests.adapters import HTTPAdapter

from load_questions import QUESTIONS  # locust puts this folder on sys.path
MAXIMAL = "a" + "\u0301" * 1990
ABUSERS = 4
_addresses = itertools.count(0)


def _wait():
    raw = os.environ.get("LOAD_CITIZEN_WAIT", "")
    if not raw:
        return constant(0)
    low, high = (float(x) for x in raw.split(","))
    return between(low, high)


class SourceAddressAdapter(HTTPAdapter):
    """Connections from one fixed loopback address."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        return super().init_poolmanager(*args, **kwargs)


class _LoopbackUser(HttpUser):
    abstract = True

    def on_start(self) -> None:
        n = next(_addresses)
        self.client.mount("http://", SourceAddressAdapter(f"127.0.{1 + n // 250}.{2 + n % 250}"))


class Citizen(_LoopbackUser):
    """An ordinary user of the widget/API."""

    wait_time = _wait()

    @task
    def ask(self) -> None:
        self.client.post("/api/ask", json={"question": random.choice(QUESTIONS)}, name="citizen /api/ask")


class Abuser(_LoopbackUser):
    """Sends the most expensive question the API accepts, as fast as it can."""

    fixed_count = ABUSERS
    wait_time = constant(0)

    @task
    def ask(self) -> None:
        self.client.post("/api/ask", json={"question": MAXIMAL}, name="abuser /api/ask (maximal)")
