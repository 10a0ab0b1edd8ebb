"""HTTP API over a real socket: uvicorn on 127.0.0.1 serving create_api(...).

Contract tests use the real Assistant (real index, built once per session by conftest's
`real_assistant`); edge logic that needs a controllable core (a gate, a crash) uses tests/fakes.py.
"""
from __future__ import annotations

import threading
from types import SimpleNamespace

import httpx
import pytest

from assistant.api import create_api
from assistant.config import Settings
from assistant.feedback import FeedbackStore
from assistant.ratelimit import RateLimiter
from tests.fakes import FakeAssistant
from tests.servers import BackgroundServer

HOST_ORIGIN = "http://127.0.0.1:9"  # a page origin we allow; nothing needs to listen there
CITATION_KEYS = {"n", "source_id", "title", "section", "url", "text", "urls"}


@pytest.fixture(scope="module")
def real_server(real_assistant, real_settings):
    """The real API with CORS allowed for HOST_ORIGIN and a feedback DB in the session temp dir."""
    settings = real_settings.with_(allowed_origins=(HOST_ORIGIN,), rate_limit_per_minute=1000)
    with BackgroundServer(create_api(real_assistant, settings)) as server:
        yield server


@pytest.fixture(scope="module")
def client(real_server):
    with httpx.Client(base_url=real_server.url, timeout=120) as c:
        yield c


def fake_server(tmp_path, **settings_changes) -> tuple[BackgroundServer, FakeAssistant]:
    fake = settings_changes.pop("assistant", None) or FakeAssistant()
    settings = Settings().with_(data_dir=tmp_path, **settings_changes)
    return BackgroundServer(create_api(fake, settings)), fake


# --- the contract, against the real pipeline -------------------------------------------------

@pytest.mark.slow
def test_ask_returns_answer_contract_with_citations(client):
    resp = client.post("/api/ask", json={"question": "Apa itu sister city?"})
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/json")
    data = resp.json()
    assert set(data) == {"question", "answer", "refused", "route", "citations"}
    assert data["question"] == "Apa itu sister city?"
    assert data["refused"] is False
    assert data["citations"], data
    for citation in data["citations"]:
        assert set(citation) == CITATION_KEYS
        assert citation["text"].strip()
        assert f"[{citation['n']}]" in data["answer"]


@pytest.mark.slow
def test_ask_records_question_cites_records_and_follow_up_uses_history(client):
    first = client.post("/api/ask", json={"question": "Surabaya punya kota kembar apa aja?"}).json()
    assert not first["refused"]
    assert any(c["source_id"].startswith("record:surabaya--") for c in first["citations"])
    history = [{"role": "user", "content": first["question"]}, {"role": "assistant", "content": first["answer"]}]
    follow = client.post("/api/ask", json={"question": "kalau Bandung?", "history": history}).json()
    assert any(c["source_id"].startswith("record:bandung--") for c in follow["citations"]), follow


@pytest.mark.slow
def test_healthz_ok_when_ready(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "ok" and body["relationships"] > 0


@pytest.mark.slow
def test_script_question_comes_back_as_json_data(client):
    question = "<script>window.__pwned=1</script> apa itu kota kembar?"
    resp = client.post("/api/ask", json={"question": question})
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/json")
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.json()["question"] == question  # echoed verbatim as a JSON string; escaping is the UI's job


@pytest.mark.slow
def test_body_over_limit_is_413_by_header_and_by_stream(client, real_settings):
    big = b'{"question": "' + b"a" * real_settings.max_body_bytes + b'"}'
    resp = client.post("/api/ask", content=big, headers={"Content-Type": "application/json"})
    assert resp.status_code == 413
    assert "terlalu besar" in resp.json()["error"]

    def chunks():  # no Content-Length: httpx sends Transfer-Encoding: chunked
        for i in range(0, len(big), 1024):
            yield big[i:i + 1024]

    resp = client.post("/api/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert resp.status_code == 413
    assert "terlalu besar" in resp.json()["error"]


@pytest.mark.slow
def test_non_json_and_malformed_json_are_400(client):
    resp = client.post("/api/ask", content="question=halo", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status_code == 400
    assert "Content-Type: application/json" in resp.json()["error"]
    resp = client.post("/api/ask", content='{"question": "halo"', headers={"Content-Type": "application/json"})
    assert resp.status_code == 400
    assert "bukan JSON yang valid" in resp.json()["error"]


@pytest.mark.slow
def test_unknown_field_and_bad_types_are_422(client):
    resp = client.post("/api/ask", json={"question": "halo", "temperature": 2})
    assert resp.status_code == 422
    assert "Kolom tidak dikenal" in resp.json()["error"] and "'temperature'" in resp.json()["error"]
    resp = client.post("/api/ask", json={"question": "halo", "history": [{"role": "system", "content": "x"}]})
    assert resp.status_code == 422 and "role" in resp.json()["error"]
    resp = client.post("/api/ask", json=["halo"])
    assert resp.status_code == 422 and "objek JSON" in resp.json()["error"]


@pytest.mark.slow
def test_question_too_long_and_empty_question_are_clear_errors(client, real_settings):
    resp = client.post("/api/ask", json={"question": "kota " * real_settings.max_question_chars})
    assert resp.status_code == 422
    assert "kepanjangan" in resp.json()["error"]
    resp = client.post("/api/ask", json={"question": "   "})
    assert resp.status_code == 400
    assert "kosong" in resp.json()["error"]


@pytest.mark.slow
def test_cors_allows_only_configured_origin(client):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    ok = client.options("/api/ask", headers={"Origin": HOST_ORIGIN, **preflight})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == HOST_ORIGIN
    bad = client.options("/api/ask", headers={"Origin": "http://evil.example", **preflight})
    assert "access-control-allow-origin" not in bad.headers
    simple = client.post("/api/ask", json={"question": "Apa itu sister city?"}, headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


@pytest.mark.slow
def test_widget_is_frameable_only_by_allowed_origins(client):
    resp = client.get("/widget")
    assert resp.status_code == 200
    csp = resp.headers["content-security-policy"]
    assert f"frame-ancestors 'self' {HOST_ORIGIN}" in csp
    assert "script-src 'self'" in csp
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["referrer-policy"]
    assert "x-frame-options" not in resp.headers  # it would override frame-ancestors in old browsers
    assert client.get("/widget/widget.js").headers["content-type"].startswith("text/javascript")


@pytest.mark.slow
def test_feedback_endpoint_stores_rows(client, real_settings):
    answer = client.post("/api/ask", json={"question": "Apa manfaat kota kembar?"}).json()
    resp = client.post("/api/feedback", json={"question": answer["question"], "answer": answer["answer"],
                                              "rating": "up", "comment": "jelas", "citations": answer["citations"]})
    assert resp.status_code == 201
    row_id = resp.json()["id"]
    rows = {r["id"]: r for r in FeedbackStore(real_settings.feedback_db).rows()}
    assert rows[row_id]["comment"] == "jelas" and rows[row_id]["rating"] == "up"
    bad = client.post("/api/feedback", json={"question": "q", "answer": "a", "rating": "bagus"})
    assert bad.status_code == 400 and "Penilaian harus" in bad.json()["error"]


@pytest.mark.slow
def test_rate_limit_answers_429_with_retry_after_per_client(real_assistant, real_settings):
    settings = real_settings.with_(rate_limit_per_minute=3)
    with BackgroundServer(create_api(real_assistant, settings)) as server:
        with httpx.Client(base_url=server.url, timeout=120) as c:
            codes = [c.post("/api/ask", json={"question": "Apa itu sister city?"}).status_code for _ in range(3)]
            limited = c.post("/api/ask", json={"question": "Apa itu sister city?"})
        assert codes == [200, 200, 200]
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert "Coba lagi" in limited.json()["error"]
        # Another client (a different loopback address) still gets answers.
        other = httpx.HTTPTransport(local_address="127.0.0.2")
        with httpx.Client(base_url=server.url, transport=other, timeout=120) as c2:
            assert c2.post("/api/ask", json={"question": "Apa itu sister city?"}).status_code == 200


# --- edge logic with a controllable fake core -----------------------------------------------

def test_healthz_503_when_not_ready(tmp_path):
    server, _ = fake_server(tmp_path, assistant=FakeAssistant(ready=False))
    with server, httpx.Client(base_url=server.url) as c:
        resp = c.get("/healthz")
        assert resp.status_code == 503 and resp.json()["status"] != "ok"
        assert int(resp.headers["retry-after"]) >= 1
        ask = c.post("/api/ask", json={"question": "halo"})
        assert ask.status_code == 503 and "menyiapkan" in ask.json()["error"]
        assert int(ask.headers["retry-after"]) >= 1


def test_event_loop_keeps_serving_while_an_answer_is_computed(tmp_path):
    gate = threading.Event()
    server, fake = fake_server(tmp_path, assistant=FakeAssistant(gate=gate))
    with server, httpx.Client(base_url=server.url, timeout=30) as c:
        result: dict = {}
        slow = threading.Thread(target=lambda: result.update(r=c.post("/api/ask", json={"question": "halo"})))
        slow.start()
        assert fake.started.wait(10)
        try:
            # The ask is blocked inside the core; the server must still answer others.
            with httpx.Client(base_url=server.url, timeout=5) as other:
                assert other.get("/healthz").status_code == 200
            assert slow.is_alive()
        finally:
            gate.set()
        slow.join(10)
        assert result["r"].status_code == 200


def test_assistant_error_is_400_and_crash_is_500_without_traceback(tmp_path):
    server, _ = fake_server(tmp_path)
    with server, httpx.Client(base_url=server.url) as c:
        resp = c.post("/api/ask", json={"question": "raise"})
        assert resp.status_code == 400
        assert resp.json() == {"error": "Pertanyaan ini sengaja ditolak oleh tes."}
        crash = c.post("/api/ask", json={"question": "crash"})
        assert crash.status_code == 500
        assert "gangguan" in crash.json()["error"] and "Traceback" not in crash.text
        missing = c.get("/api/tidak-ada")
        assert missing.status_code == 404 and "tidak ada" in missing.json()["error"]


def test_no_cors_headers_when_no_origins_configured(tmp_path):
    server, _ = fake_server(tmp_path)
    with server, httpx.Client(base_url=server.url) as c:
        resp = c.post("/api/ask", json={"question": "halo"}, headers={"Origin": HOST_ORIGIN})
        assert resp.status_code == 200
        assert not any(h.startswith("access-control-") for h in resp.headers)
        assert "frame-ancestors 'self'" in c.get("/widget").headers["content-security-policy"]


def test_rate_limiter_moving_window_per_client():
    limiter = RateLimiter(2)
    assert limiter.check("a") == 0.0 and limiter.check("a") == 0.0
    wait = limiter.check("a")
    assert 0 < wait <= 60  # the third request in a minute waits until the first leaves the window
    assert limiter.check("b") == 0.0  # one client's limit never affects another


def test_rate_limiter_is_thread_safe():
    limiter = RateLimiter(100)
    allowed: list[bool] = []
    lock = threading.Lock()

    def hammer() -> None:
        for _ in range(50):
            ok = limiter.check("same-client") == 0.0
            with lock:
                allowed.append(ok)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert allowed.count(True) == 100  # exactly the limit, never more under contention


@pytest.mark.slow
def test_briefing_tab_offers_a_docx_download(real_assistant):
    from docx import Document

    import app

    preview, path = app.make_briefing(real_assistant, "Surabaya–Busan", "Pasangan kota", "", "", "DOCX")
    assert path and path.endswith(".docx")
    assert "Busan" in preview and "[1]" in preview
    headings = [p.text for p in Document(path).paragraphs if p.style.name.startswith("Heading")]
    assert "Sumber" in headings
    message, none = app.make_briefing(real_assistant, "Kotaantahberantah", "Kota / provinsi", "", "", "DOCX")
    assert none is None and "tidak ditemukan" in message


def test_feedback_idempotency_key_stores_a_retried_post_once(tmp_path):
    server, _ = fake_server(tmp_path)
    body = {"question": "Apa itu sister city?", "answer": "Kerja sama [1]", "rating": "up"}
    with server, httpx.Client(base_url=server.url) as c:
        first = c.post("/api/feedback", json=body, headers={"Idempotency-Key": "4f1c-77"})
        retry = c.post("/api/feedback", json=body, headers={"Idempotency-Key": "4f1c-77"})
        bad_key = c.post("/api/feedback", json=body, headers={"Idempotency-Key": "dua kata"})
    assert first.status_code == retry.status_code == 201
    assert first.json()["id"] == retry.json()["id"]
    assert bad_key.status_code == 400 and "Idempotency-Key" in bad_key.json()["error"]
    assert FeedbackStore(tmp_path / "feedback.sqlite3").count() == 1


def test_feedback_storage_fault_is_503_with_retry_after_never_400(tmp_path):
    server, _ = fake_server(tmp_path)
    body = {"question": "q", "answer": "a", "rating": "up"}
    with server, httpx.Client(base_url=server.url) as c:
        assert c.post("/api/feedback", json=body).status_code == 201
        db = tmp_path / "feedback.sqlite3"
        for suffix in ("", "-wal", "-shm"):  # the database file is damaged under the running server
            path = db.with_name(db.name + suffix)
            if path.exists():
                path.write_bytes(b"\x00rusak" * 1024)
        resp = c.post("/api/feedback", json=body, headers={"Idempotency-Key": "k-1"})
        assert resp.status_code == 503, resp.text
        assert int(resp.headers["retry-after"]) >= 1
        assert "Coba lagi" in resp.json()["error"] and "sqlite" not in resp.text.lower()
        assert c.post("/api/feedback", json={**body, "rating": "meh"}).status_code == 400  # validation stays 400


def test_service_answers_503_until_the_index_opens_then_serves(tmp_path):
    """Start before the index is available: 503 + Retry-After with the reason, then ready on its own."""
    from assistant.errors import IndexNotReady
    from assistant.serving import ServedAssistant

    gate = threading.Event()
    attempts = []

    def opener(settings):
        attempts.append(1)
        if not gate.is_set():
            raise IndexNotReady("Server indeks (uji) tidak bisa dihubungi.")
        opened = FakeAssistant()
        opened.index = SimpleNamespace(is_complete=lambda: True, heartbeat=lambda: None)  # what health() asks
        return opened

    settings = Settings().with_(data_dir=tmp_path)
    service = ServedAssistant(settings, opener=opener).start()
    with BackgroundServer(create_api(service, settings)) as server, httpx.Client(base_url=server.url) as c:
        health = c.get("/healthz")
        assert health.status_code == 503 and int(health.headers["retry-after"]) >= 1
        assert "tidak bisa dihubungi" in health.json()["error"]
        ask = c.post("/api/ask", json={"question": "halo"})
        assert ask.status_code == 503 and "tidak bisa dihubungi" in ask.json()["error"]
        assert service.records.relationships  # the data table works before the index does
        gate.set()
        assert service.wait_ready(30)
        # Healthy at once: the failing checks cached a moment ago are dropped when the index opens.
        assert c.get("/healthz").status_code == 200
        assert c.post("/api/ask", json={"question": "halo"}).status_code == 200
    service.stop()
    assert len(attempts) >= 2
