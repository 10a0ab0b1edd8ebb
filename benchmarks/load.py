"""Load benchmark for POST /api/ask: p50/p95 latency, throughput and errors at 10 and 50 clients.

    python benchmarks/load.py                       # starts the API in-process on 127.0.0.1
    python benchmarks/load.py --url http://127.0.0.1:7860 --requests 100

Bounded: every level stops after --requests requests or --seconds seconds, whichever comes first.
Loopback only: any --url that is not 127.0.0.1/localhost is refused. When it starts the API
itself it raises the per-client rate limit (all clients share one IP here), and says so; against
--url the server's own limit applies and 429s are counted as errors.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from load_questions import QUESTIONS  # noqa: E402  (this folder is on sys.path when run as a script)
BENCH_RATE_LIMIT = 1_000_000


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def run_level(url: str, clients: int, total: int, seconds: float) -> dict:
    """clients threads share a budget of `total` requests and a deadline; returns the figures."""
    latencies: list[float] = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    issued = [0]
    deadline = time.monotonic() + seconds

    def client(worker: int) -> None:
        with httpx.Client(base_url=url, timeout=120) as http:
            while time.monotonic() < deadline:
                with lock:
                    if issued[0] >= total:
                        return
                    n = issued[0]
                    issued[0] += 1
                question = QUESTIONS[(n + worker) % len(QUESTIONS)]
                started = time.perf_counter()
                try:
                    code = http.post("/api/ask", json={"question": question}).status_code
                except httpx.HTTPError as exc:
                    code = type(exc).__name__
                elapsed = time.perf_counter() - started
                with lock:
                    statuses[code] += 1
                    if code == 200:
                        latencies.append(elapsed)

    threads = [threading.Thread(target=client, args=(w,)) for w in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    done = sum(statuses.values())
    return {
        "clients": clients, "requests": done, "ok": len(latencies), "errors": done - len(latencies),
        "statuses": dict(statuses), "wall_s": wall, "throughput": done / wall if wall else 0.0,
        "p50": percentile(latencies, 50) if latencies else float("nan"),
        "p95": percentile(latencies, 95) if latencies else float("nan"),
        "mean": statistics.fmean(latencies) if latencies else float("nan"),
    }


def start_local_api():
    """Build the real Assistant and serve create_api on a free loopback port, rate limit raised."""
    from assistant.api import create_api
    from assistant.config import Settings
    from assistant.core import Assistant
    from tests.servers import BackgroundServer  # loopback uvicorn in a thread: test tooling, reused here

    settings = Settings.from_env()
    settings = settings.with_(rate_limit_per_minute=BENCH_RATE_LIMIT)
    t0 = time.perf_counter()
    assistant = Assistant.from_settings(settings)
    print(f"Assistant siap dalam {time.perf_counter() - t0:.1f} s (embedder {settings.embedder}).")
    server = BackgroundServer(create_api(assistant, settings)).start()
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="API yang sudah jalan (hanya 127.0.0.1/localhost)")
    parser.add_argument("--clients", default="10,50", help="jumlah klien per tingkat, dipisah koma (bawaan: 10,50)")
    parser.add_argument("--requests", type=int, default=200, help="maksimal permintaan per tingkat (bawaan: 200)")
    parser.add_argument("--seconds", type=float, default=60.0, help="maksimal detik per tingkat (bawaan: 60)")
    args = parser.parse_args(argv)
    levels = [int(c) for c in args.clients.split(",") if c.strip()]
    if not levels or min(levels) <= 0 or max(levels) > 200 or args.requests > 10_000 or args.seconds > 600:
        parser.error("batas: 1..200 klien, <=10000 permintaan, <=600 detik per tingkat")

    server = None
    if args.url:
        host = urlparse(args.url).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            parser.error("demi keamanan, --url hanya boleh ke 127.0.0.1/localhost")
        url = args.url.rstrip("/")
        print(f"Target: {url} (rate limit server sendiri berlaku; 429 dihitung sebagai error)")
    else:
        server = start_local_api()
        url = server.url
        print(f"Target: {url} (API in-process; rate limit dinaikkan ke {BENCH_RATE_LIMIT}/menit khusus benchmark,"
              " karena semua klien berbagi satu IP)")
    try:
        with httpx.Client(base_url=url, timeout=120) as http:  # warm-up: first ask loads lazy state
            http.post("/api/ask", json={"question": QUESTIONS[0]})
        print(f"{'klien':>5} {'perm':>5} {'ok':>5} {'error':>5} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7}  status")
        for clients in levels:
            r = run_level(url, clients, args.requests, args.seconds)
            print(f"{r['clients']:>5} {r['requests']:>5} {r['ok']:>5} {r['errors']:>5} {r['p50'] * 1000:>8.0f} "
                  f"{r['p95'] * 1000:>8.0f} {r['throughput']:>7.1f}  {r['statuses']}", flush=True)
    finally:
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
