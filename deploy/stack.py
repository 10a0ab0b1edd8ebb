"""Run the whole service on this machine: Chroma server, Redis, N app replicas, nginx (and PostgreSQL).

    .venv/bin/python deploy/stack.py up --replicas 3 --port 8080            # Ctrl-C stops everything
    .venv/bin/python deploy/stack.py up --replicas 3 --postgres --state-dir /srv/asisten

What each part is for (README: "Menjalankan sebagai layanan"):
- `chroma run`   the index server every replica reads; `assistant ingest` fills it once, first.
- Redis          the rate-limit budget shared by every replica (ASSISTANT_REDIS_URL).
- PostgreSQL     feedback from every replica in one database (optional; else one SQLite file).
- replicas       `uvicorn --factory app:create_app`, each on its own port (ASSISTANT_TRUSTED_PROXIES=127.0.0.1).
- nginx          the one public port: spreads requests, skips dead replicas, cuts slow clients.

Everything binds 127.0.0.1 on free ports and keeps its state under --state-dir (a temp dir by
default). The fault tests and the load benchmarks use the same classes, so what they exercise is
what a city runs. PostgreSQL refuses to run as root: as root it runs as the `postgres` user.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_status(url: str, timeout_s: float = 2.0) -> int | None:
    """The HTTP status of a GET (None when nothing answers)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, ValueError):
        return None


def wait_until(predicate, timeout_s: float, what: str, proc: "Proc | None" = None) -> None:
    """Poll predicate until true; fail with the process log tail if it died or time ran out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc is not None and not proc.alive:
            raise RuntimeError(f"{what}: process exited ({proc.popen.returncode})\n{proc.log_tail()}")
        time.sleep(0.2)
    raise RuntimeError(f"{what}: not ready after {timeout_s:.0f} s\n{proc.log_tail() if proc else ''}")


@dataclass
class Proc:
    """One server process in its own process group (so kill() takes its workers too)."""

    name: str
    argv: list[str]
    log: Path
    env: dict[str, str] = field(default_factory=dict)
    user: str | None = None
    cwd: Path = PROJECT_ROOT
    popen: subprocess.Popen | None = None

    def start(self) -> "Proc":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        out = self.log.open("ab")
        extra = {"user": self.user, "group": pwd.getpwnam(self.user).pw_gid, "extra_groups": []} if self.user else {}
        self.popen = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                      env={**os.environ, **self.env}, cwd=self.cwd, start_new_session=True, **extra)
        out.close()
        return self

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send sig to the whole process group (kill -9 by default) and reap it."""
        if not self.alive:
            return
        try:
            os.killpg(self.popen.pid, sig)
        except ProcessLookupError:
            return
        if sig in (signal.SIGKILL, signal.SIGTERM):
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not exit in time."""
        self.kill(signal.SIGTERM)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def postgres_bin(name: str) -> str:
    """Debian keeps initdb/postgres out of PATH, under /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if not found:
        raise RuntimeError(f"{name} not found: install the Debian package postgresql (scripts/bootstrap.sh does)")
    return found


def unprivileged_prefix() -> list[str]:
    """Run without root's power to ignore file permissions (fault tests of read-only folders): as
    root, in a user namespace where we own our files but hold no capabilities."""
    if os.geteuid() != 0:
        return []
    return ["unshare", "--user", "--map-user=1000", "--map-group=1000"]


class Stack:
    """The service's processes, started one by one; stop() ends every one it started."""

    def __init__(self, state_dir: Path | None = None, replicas: int = 1, workers: int = 1, port: int | None = None,
                 postgres: bool = False, env: dict[str, str] | None = None, seed_index: Path | None = None) -> None:
        self.dir = Path(state_dir or tempfile.mkdtemp(prefix="akk-stack-"))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.replica_count = replicas
        self.workers = workers
        self.port = port or free_port()
        self.use_postgres = postgres
        self.extra_env = dict(env or {})
        self.seed_index = seed_index  # an existing index folder to start Chroma from (tests, benchmarks)
        self.procs: dict[str, Proc] = {}
        self.replica_ports: list[int] = []
        self.redis_port = self.chroma_port = self.postgres_port = 0
        self._pg_dir: Path | None = None

    # --- the parts ------------------------------------------------------------------------

    def start_redis(self) -> Proc:
        self.redis_port = self.redis_port or free_port()
        data = self.dir / "redis"
        data.mkdir(exist_ok=True)
        proc = Proc("redis", ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no", "--dir", str(data)], self.dir / "logs/redis.log")
        self.procs["redis"] = proc.start()
        wait_until(lambda: _tcp_open(self.redis_port), 20, "redis", proc)
        return proc

    def start_postgres(self) -> Proc:
        """A throwaway cluster (trust auth on 127.0.0.1), run as `postgres` when we are root."""
        self.postgres_port = self.postgres_port or free_port()
        user = "postgres" if os.geteuid() == 0 else None
        if self._pg_dir is None:
            # Its own folder under /tmp: PostgreSQL's user must own it and reach it (pytest's are 0700 root).
            self._pg_dir = Path(tempfile.mkdtemp(prefix="akk-pg-"))
            if user:
                entry = pwd.getpwnam(user)
                os.chown(self._pg_dir, entry.pw_uid, entry.pw_gid)
            init = Proc("initdb", [postgres_bin("initdb"), "-D", str(self._pg_dir / "data"), "-U", "postgres",
                                   "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                        self.dir / "logs/initdb.log", user=user, cwd=self._pg_dir).start()
            if init.popen.wait(120) != 0:
                raise RuntimeError(f"initdb failed\n{init.log_tail()}")
        proc = Proc("postgres", [postgres_bin("postgres"), "-D", str(self._pg_dir / "data"), "-p", str(self.postgres_port),
                                 "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self._pg_dir}",
                                 "-c", "fsync=on", "-c", "max_connections=200"],
                    self.dir / "logs/postgres.log", user=user, cwd=self._pg_dir)
        self.procs["postgres"] = proc.start()
        wait_until(lambda: _tcp_open(self.postgres_port), 60, "postgres", proc)
        return proc

    @property
    def database_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.postgres_port}/postgres"

    def start_chroma(self) -> Proc:
        self.chroma_port = self.chroma_port or free_port()
        if self.seed_index is not None and not (self.dir / "chroma").exists():
            # `chroma run --path` reads the same on-disk format as the embedded store: no re-embedding.
            shutil.copytree(self.seed_index, self.dir / "chroma")
        chroma = shutil.which("chroma", path=str(BIN)) or shutil.which("chroma") or "chroma"
        proc = Proc("chroma", [chroma, "run", "--path", str(self.dir / "chroma"), "--host", "127.0.0.1",
                               "--port", str(self.chroma_port)], self.dir / "logs/chroma.log")
        self.procs["chroma"] = proc.start()
        wait_until(lambda: http_status(f"http://127.0.0.1:{self.chroma_port}/api/v2/heartbeat") == 200,
                   90, "chroma", proc)
        return proc

    def app_env(self) -> dict[str, str]:
        """The environment every replica and the ingest run with."""
        env = {
            "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", "GRADIO_ANALYTICS_ENABLED": "False",
            "ASSISTANT_TRUSTED_PROXIES": "127.0.0.1", "ASSISTANT_DATA_DIR": str(self.dir / "data"),
            "ASSISTANT_INDEX_DIR": str(self.dir / "unused-index"),
        }
        if self.chroma_port:
            env.update(CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(self.chroma_port))
        if self.redis_port:
            env["ASSISTANT_REDIS_URL"] = f"redis://127.0.0.1:{self.redis_port}/0"
        if self.postgres_port:
            env["ASSISTANT_DATABASE_URL"] = self.database_url
        env.update(self.extra_env)
        return env

    def ingest_proc(self) -> Proc:
        """`assistant ingest` against the Chroma server (not started; the caller may kill it midway)."""
        return Proc("ingest", [sys.executable, "-m", "assistant.cli", "ingest"], self.dir / "logs/ingest.log",
                    env=self.app_env())

    def ingest(self, timeout_s: float = 600) -> None:
        proc = self.ingest_proc().start()
        if proc.popen.wait(timeout_s) != 0:
            raise RuntimeError(f"ingest failed\n{proc.log_tail()}")

    def start_replica(self, i: int, wait: bool = True, unprivileged: bool = False) -> Proc:
        while len(self.replica_ports) <= i:
            self.replica_ports.append(free_port())
        port = self.replica_ports[i]
        env = self.app_env()
        if self.workers > 1:
            # One metrics folder per replica, emptied at start, shared by its workers.
            metrics_dir = self.dir / f"metrics-{i}"
            shutil.rmtree(metrics_dir, ignore_errors=True)
            metrics_dir.mkdir(parents=True)
            env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        argv = [sys.executable, "-m", "uvicorn", "--factory", "app:create_app", "--host", "127.0.0.1",
                "--port", str(port), "--workers", str(self.workers), "--no-access-log", "--log-level", "warning",
                "--timeout-keep-alive", "5", "--forwarded-allow-ips", env["ASSISTANT_TRUSTED_PROXIES"]]
        if unprivileged:
            argv = unprivileged_prefix() + argv
        proc = Proc(f"replica-{i}", argv, self.dir / f"logs/replica-{i}.log", env=env)
        self.procs[proc.name] = proc.start()
        if wait:
            wait_until(lambda: self.replica_ready(i), 180, proc.name, proc)
        return proc

    def replica_ready(self, i: int) -> bool:
        """Every worker of replica i has opened the Assistant. With several workers one /healthz 200
        says only that the worker which answered is ready; the metrics count them all."""
        url = self.replica_url(i)
        if http_status(f"{url}/healthz") != 200:
            return False
        if self.workers == 1:
            return True
        try:
            with urllib.request.urlopen(f"{url}/metrics", timeout=2.0) as resp:
                text = resp.read().decode()
        except (OSError, ValueError):
            return False
        return any(line.split()[-1] == f"{float(self.workers)}" for line in text.splitlines()
                   if line.startswith("assistant_ready_workers"))

    def start_nginx(self) -> Proc:
        ndir = self.dir / "nginx"
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (ndir / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=3s;" for p in self.replica_ports)
        conf = (TEMPLATE.read_text().replace("@@DIR@@", str(ndir)).replace("@@PORT@@", str(self.port))
                .replace("@@SERVERS@@", servers).replace("@@CONN_PER_CLIENT@@", "512")
                # As root, workers would switch to an unprivileged user that can't reach this folder.
                .replace("@@USER@@", "user root;" if os.geteuid() == 0 else ""))
        (ndir / "nginx.conf").write_text(conf)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"  # /usr/sbin is not on every PATH
        proc = Proc("nginx", [nginx, "-c", str(ndir / "nginx.conf"), "-p", str(ndir), "-g", "daemon off;"],
                    self.dir / "logs/nginx.log")
        self.procs["nginx"] = proc.start()
        wait_until(lambda: _tcp_open(self.port), 20, "nginx", proc)
        return proc

    # --- all of it ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def replica_url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.replica_ports[i]}"

    def up(self) -> "Stack":
        """Start everything in dependency order; the index is filled before any replica starts."""
        try:
            self.start_redis()
            if self.use_postgres:
                self.start_postgres()
            self.start_chroma()
            self.ingest()
            for i in range(self.replica_count):
                self.start_replica(i, wait=False)
            for i in range(self.replica_count):
                proc = self.procs[f"replica-{i}"]
                wait_until(lambda i=i: self.replica_ready(i), 180, proc.name, proc)
            self.start_nginx()
            wait_until(lambda: http_status(f"{self.url}/healthz") == 200, 30, "nginx -> replicas", self.procs["nginx"])
        except BaseException:
            self.down()
            raise
        (self.dir / "stack.json").write_text(json.dumps(self.describe(), indent=2))
        return self

    def describe(self) -> dict:
        return {"url": self.url, "replicas": [self.replica_url(i) for i in range(len(self.replica_ports))],
                "chroma_port": self.chroma_port, "redis_port": self.redis_port,
                "database_url": self.database_url if self.postgres_port else None,
                "pids": {name: p.pid for name, p in self.procs.items() if p.alive}, "state_dir": str(self.dir)}

    def down(self) -> None:
        """Stop every process this stack started (newest first) and remove PostgreSQL's folder."""
        for proc in reversed(list(self.procs.values())):
            proc.stop()
        if self._pg_dir is not None:
            shutil.rmtree(self._pg_dir, ignore_errors=True)
            self._pg_dir = None

    def __enter__(self) -> "Stack":
        return self

    def __exit__(self, *exc: object) -> None:
        self.down()


def _tcp_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Jalankan seluruh layanan di loopback (Chroma, Redis, replika, nginx).")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="mulai semuanya; Ctrl-C menghentikan semuanya")
    up.add_argument("--replicas", type=int, default=3)
    up.add_argument("--workers", type=int, default=1, help="uvicorn --workers per replika")
    up.add_argument("--port", type=int, default=8080, help="port nginx (bawaan: 8080)")
    up.add_argument("--postgres", action="store_true", help="umpan balik di PostgreSQL (bawaan: SQLite)")
    up.add_argument("--state-dir", help="folder data (bawaan: folder sementara baru)")
    args = parser.parse_args(argv)
    if not 1 <= args.replicas <= 16 or not 1 <= args.workers <= 16:
        parser.error("--replicas dan --workers: 1..16")
    stack = Stack(Path(args.state_dir) if args.state_dir else None, args.replicas, args.workers, args.port, args.postgres)
    print(f"Memulai di {stack.dir} …", flush=True)
    stack.up()
    info = stack.describe()
    print(json.dumps(info, indent=2), flush=True)
    print(f"Siap: {stack.url}/  (Ctrl-C untuk berhenti; log di {stack.dir}/logs)", flush=True)
    stopping = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stopping.update(now=True))
    try:
        while not stopping["now"]:
            for proc in list(stack.procs.values()):
                if not proc.alive:
                    # A crashed part is started again (a city would let systemd do this).
                    print(f"{proc.name} berhenti (kode {proc.popen.returncode}); dijalankan lagi. "
                          f"Log: {proc.log}", file=sys.stderr, flush=True)
                    proc.start()
            time.sleep(2)
    except KeyboardInterrupt:
        pass
    finally:
        stack.down()
    return 0


if __name__ == "__main__":
    sys.exit(main())
