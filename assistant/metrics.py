"""Prometheus metrics for the HTTP service (served at /metrics).

With several uvicorn workers, each worker is its own process: prometheus-client's multi-process
mode (PROMETHEUS_MULTIPROC_DIR, set before start, one empty folder per replica) lets any worker
answer /metrics with the sum over all of them.
"""
from __future__ import annotations

from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Gauge, Histogram,
                               generate_latest, multiprocess)

from .config import Settings

REQUESTS = Counter("assistant_http_requests_total", "HTTP requests answered", ["route", "method", "status"])
LATENCY = Histogram("assistant_http_request_duration_seconds", "Time to answer an HTTP request", ["route"],
                    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
REFUSALS = Counter("assistant_refusals_total", "Questions answered with a refusal", ["reason"])
RATE_LIMITED = Counter("assistant_rate_limited_total", "Requests refused with 429", ["limit"])
UNAVAILABLE = Counter("assistant_unavailable_total", "Requests refused with 503", ["reason"])
# livemin: with several workers the replica counts as ready only if every live worker is.
READY = Gauge("assistant_ready", "1 when this replica can answer questions", multiprocess_mode="livemin")
# livesum: how many of a replica's workers have opened the Assistant (deploy/stack.py waits for all).
READY_WORKERS = Gauge("assistant_ready_workers", "Workers of this replica that have opened the Assistant",
                      multiprocess_mode="livesum")

ROUTES = ("/api/ask", "/api/feedback", "/healthz", "/metrics")


def route_label(path: str) -> str:
    """A small fixed set of labels (never the raw path: that would let clients create time series)."""
    if path in ROUTES:
        return path
    if path == "/widget" or path.startswith("/widget/"):
        return "/widget"
    if path.startswith("/gradio_api/"):
        parts = path.split("/")
        return "/gradio_api/" + (parts[2] if len(parts) > 2 and parts[2] in ("queue", "call", "run", "upload",
                                                                             "heartbeat", "info", "file=") else "other")
    if path in ("/", "/config"):
        return "/"
    return "other"


def render(settings: Settings) -> tuple[bytes, str]:
    """(body, content type) of the current metrics; summed over workers in multi-process mode."""
    if settings.metrics_dir is not None:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(settings.metrics_dir))
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
