"""Load runs with locust against the real deployment (deploy/stack.py: Chroma server, Redis, replicas, nginx).

    .venv/bin/python benchmarks/stack_load.py                      # 1 vs 3 replicas at 10/50/200 users, then the mixed runs
    .venv/bin/python benchmarks/stack_load.py --quick              # small scale: a check that everything works
    .venv/bin/python benchmarks/stack_load.py --replicas 3 --users 50 --seconds 60 --no-mixed

Prints, per run: requests, errors, req/s, p50/p95/p99 (ms), from locust's own statistics.
Throughput runs raise the per-client limit (ASSISTANT_RATE_LIMIT) so the limiter does not decide
the result, and say so. Mixed runs: ABUSERS users send maximal questions (2,000 characters) as fast
as they can while citizens ask ordinary ones: once with limits raised (the query cost bound alone
must keep citizens' p95 <= 1 s) and once with the default limit of 30/min (the abusers get 429s).
Loopback only: every process binds 127.0.0.1; each run is bounded by --seconds.
"""
from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deploy.stack import Stack  # noqa: E402

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
RAISED_LIMIT = "1000000"
ABUSERS = 4  # locustfile.Abuser.fixed_count: locust runs exactly this many of them


def run_locust(url: str, users: int, seconds: int, classes: list[str], out: Path,
               env: dict[str, str] | None = None) -> list[dict]:
    """One headless locust run; returns its stats rows (one per request name, plus "Aggregated")."""
    prefix = out / f"run-{users}-{'-'.join(classes)}"
    cmd = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "-u", str(users),
           "-r", str(min(users, 50)), "-t", f"{seconds}s", "--host", url, "--csv", str(prefix),
           "--only-summary", "--stop-timeout", "10", "--loglevel", "ERROR", *classes]
    subprocess.run(cmd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=seconds + 120)
    with open(f"{prefix}_stats.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def row_line(label: str, row: dict) -> str:
    n, failed = int(row["Request Count"]), int(row["Failure Count"])
    return (f"{label:<38} {n:>6} {failed:>6} {float(row['Requests/s']):>7.1f} {_ms(row['50%']):>7} "
            f"{_ms(row['95%']):>7} {_ms(row['99%']):>7}")


def _ms(value: str) -> str:
    return "-" if value in ("N/A", "") else f"{float(value):.0f}"


HEADER = f"{'run':<38} {'perm':>6} {'error':>6} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7}   (ms)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", default="1,3")
    parser.add_argument("--users", default="10,50,200")
    parser.add_argument("--seconds", type=int, default=30, help="per run (bawaan: 30)")
    parser.add_argument("--citizens", type=int, default=10, help="citizens in the mixed runs (bawaan: 10)")
    parser.add_argument("--no-mixed", action="store_true")
    parser.add_argument("--quick", action="store_true", help="1 and 3 replicas at 10 users, 10 s runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.users, args.seconds = "10", 10
    replica_counts = [int(x) for x in args.replicas.split(",")]
    user_levels = [int(x) for x in args.users.split(",")]
    if max(user_levels) > 500 or args.seconds > 600 or max(replica_counts) > 8:
        parser.error("batas: <=500 users, <=600 s per run, <=8 replicas")
    work = Path(tempfile.mkdtemp(prefix="akk-load-"))
    seed: Path | None = None
    print(f"Throughput: ASSISTANT_RATE_LIMIT dinaikkan ke {RAISED_LIMIT}/menit (limiter tidak menentukan hasil). "
          f"{os.cpu_count()} CPU; locust berjalan di mesin yang sama.", flush=True)
    print(HEADER, flush=True)
    for replicas in replica_counts:
        stack_dir = work / f"stack-{replicas}"
        with Stack(stack_dir, replicas=replicas, seed_index=seed, env={"ASSISTANT_RATE_LIMIT": RAISED_LIMIT,
                                                                        "ASSISTANT_UI_RATE_LIMIT": RAISED_LIMIT}) as stack:
            stack.up()
            for users in user_levels:
                rows = run_locust(stack.url, users, args.seconds, ["Citizen"], stack_dir)
                total = next(r for r in rows if r["Name"] == "Aggregated")
                print(row_line(f"{replicas} replika, {users} klien", total), flush=True)
            if not args.no_mixed and replicas == max(replica_counts):
                mixed(stack, args, stack_dir, "batas dinaikkan", {})
        seed = seed or stack_dir / "chroma"  # the next stack starts from this index: no second ingest
    if not args.no_mixed:
        with Stack(work / "stack-limited", replicas=max(replica_counts), seed_index=seed) as stack:
            stack.up()
            mixed(stack, args, stack.dir, "batas bawaan 30/menit", {"LOAD_CITIZEN_WAIT": "2,4"})
    print(f"CSV locust: {work}", flush=True)
    return 0


def mixed(stack: Stack, args: argparse.Namespace, out: Path, label: str, env: dict[str, str]) -> None:
    """ABUSERS abusive users + args.citizens citizens at once; one line per kind of user."""
    rows = run_locust(stack.url, args.citizens + ABUSERS, max(args.seconds, 20), ["Citizen", "Abuser"], out, env)
    for row in rows:
        if row["Name"] != "Aggregated":
            print(row_line(f"campur ({label}): {row['Name'].split()[0]}", row), flush=True)


if __name__ == "__main__":
    sys.exit(main())
