"""The HTTP edge of the whole site (API + widget + Gradio), over a real socket with a fake core:
client identity behind proxies, trusted hosts, 405s, read timeouts, malformed input, uploads,
one question limit on every answering path, access logs and metrics."""
from __future__ import annotations

import json
import logging
import socket
import time

import httpx
import pytest

from assistant.config import Settings
from tests.fakes import PASSAGE, FakeAssistant
from tests.servers import BackgroundServer

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def site(tmp_path):
    """start(**settings) -> (url, server, app): the full app (Gradio mounted) on a free port."""
    import app as app_module

    servers: list[BackgroundServer] = []

    def start(**changes):
        settings = Settings().with_(data_dir=tmp_path / "data", **changes)
        application = app_module.create_app(FakeAssistant(), settings)
        server = BackgroundServer(application).start()
        servers.append(server)
        return server.url, application

    yield start
    for server in servers:
        server.stop()


def answering_fn_index(application) -> int:
    return min(application.state.answering.fn_indices)


def join(client: httpx.Client, fn_index: int, data: list) -> httpx.Response:
    return client.post("/gradio_api/queue/join", json={"data": data, "fn_index": fn_index, "session_hash": "s1",
                                                        "trigger_id": 1, "event_data": None})


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(site):
    url, _ = site(rate_limit_per_minute=2)
    with httpx.Client(base_url=url) as c:
        codes = [c.post("/api/ask", json={"question": "halo"}, headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code
                 for i in range(4)]
    assert codes == [200, 200, 429, 429]  # rotating the header does not buy a new allowance

    url, _ = site(rate_limit_per_minute=2, trusted_proxies=("127.0.0.1",))
    with httpx.Client(base_url=url) as c:
        codes = [c.post("/api/ask", json={"question": "halo"}, headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code
                 for i in range(4)]
        assert codes == [200] * 4  # behind a trusted proxy each citizen has their own allowance
        same = [c.post("/api/ask", json={"question": "halo"}, headers={"X-Forwarded-For": "1.2.3.4, 10.9.9.9"})
                for _ in range(3)]
        assert [r.status_code for r in same] == [200, 200, 429]  # the rightmost untrusted hop is the client


def test_unknown_hosts_are_refused_and_forwarded_host_is_never_reflected(site):
    url, _ = site()
    with httpx.Client(base_url=url) as c:
        bad = c.get("/healthz", headers={"Host": "evil.example"})
        assert bad.status_code == 400 and "host" in bad.json()["error"].lower()
        page = c.get("/config", headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"})
        assert page.status_code == 200 and "evil.example" not in page.text
        assert c.get("/", headers={"Host": "localhost"}).status_code == 200


def test_wrong_methods_are_405_with_allow(site):
    url, _ = site()
    with httpx.Client(base_url=url) as c:
        for method, path, allowed in (("GET", "/api/ask", "POST"), ("PUT", "/api/feedback", "POST"),
                                      ("POST", "/healthz", "GET"), ("DELETE", "/metrics", "GET")):
            resp = c.request(method, path)
            assert resp.status_code == 405, (method, path)
            assert resp.headers["allow"] == allowed
            assert "Metode HTTP" in resp.json()["error"]


@pytest.mark.parametrize("path", ["/api/ask", "/gradio_api/queue/join"])
def test_malformed_json_is_400_never_500(site, path):
    url, _ = site()
    with httpx.Client(base_url=url) as c:
        deep = '{"question": ' + "[" * 1000 + "]" * 1000 + "}"
        surrogate = '{"question": "\\ud800 apa itu sister city?", "data": ["\\udfff"], "fn_index": 0, "session_hash": "x"}'
        for body in (deep, surrogate, '{"question": "\\ud800"'):
            resp = c.post(path, content=body, headers=JSON)
            assert resp.status_code == 400, (body[:40], resp.text)
            assert "error" in resp.json() and "Traceback" not in resp.text


def _slow_request(url: str, path: str) -> bytes:
    """Send headers promising 200 body bytes, then only 10, and read what the server says."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     f"Content-Length: 200\r\n\r\n{{\"question\"".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
        return data


@pytest.mark.parametrize("path", ["/api/ask", "/gradio_api/queue/join"])
def test_a_client_trickling_its_body_gets_408(site, path):
    url, _ = site(read_timeout_s=1.0)
    started = time.monotonic()
    reply = _slow_request(url, path)
    assert reply.startswith(b"HTTP/1.1 408"), reply[:100]
    assert time.monotonic() - started < 20  # cut off by the server, not by the client's own timeout


def test_uploads_are_off_and_gradio_bodies_are_capped(site):
    url, application = site(max_ui_body_bytes=20_000)
    with httpx.Client(base_url=url) as c:
        up = c.post("/gradio_api/upload", files={"files": ("a.txt", b"x" * 1000)})
        assert up.status_code == 403 and "Unggah" in up.json()["error"]
        big = c.post("/gradio_api/queue/join", content=json.dumps({"data": ["a" * 30_000], "fn_index": 0}),
                     headers=JSON)
        assert big.status_code == 413 and "terlalu besar" in big.json()["error"]


def test_gradio_run_history_is_off(site):
    """No page of past runs and no Hugging Face bucket hook: questions stay out of the browser's storage."""
    url, _ = site()
    with httpx.Client(base_url=url) as c:
        assert c.get("/gradio_api/runs").status_code == 404
        assert c.post("/gradio_api/run-history/connect", json={}).status_code in (404, 405)
        assert '"run_history":false' in c.get("/config").text.replace(" ", "")


def test_gradio_answering_events_share_the_question_limit_with_the_api(site):
    url, application = site(rate_limit_per_minute=3, ui_rate_limit_per_minute=100)
    ask_event = answering_fn_index(application)
    other_event = min(i for i in range(100) if i not in application.state.answering.fn_indices)
    with httpx.Client(base_url=url) as c:
        assert c.post("/api/ask", json={"question": "halo"}).status_code == 200
        assert c.post("/api/ask", json={"question": "halo"}).status_code == 200
        assert join(c, ask_event, ["Apa itu sister city?", [], [], {}]).status_code == 200
        limited = join(c, ask_event, ["Apa itu sister city?", [], [], {}])
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert "Pelan-pelan" in limited.json()["error"]
        api_name = sorted(application.state.answering.api_names)[0]
        assert c.post(f"/gradio_api/call/{api_name}", json={"data": ["halo", [], [], {}]}).status_code == 429
        # Events that don't answer questions (table filters, clear) have their own, larger allowance.
        assert join(c, other_event, [{}]).status_code == 200


def test_an_answering_event_passes_the_guard_and_streams_the_answer(site):
    url, application = site()
    api_name = "ask"  # the chat box's submit event: (question, messages, turns, answers)
    assert api_name in application.state.answering.api_names
    with httpx.Client(base_url=url, timeout=30) as c:
        started = c.post(f"/gradio_api/call/{api_name}", json={"data": ["Apa itu sister city?", [], [], {}]})
        assert started.status_code == 200, started.text
        event_id = started.json()["event_id"]
        stream = c.get(f"/gradio_api/call/{api_name}/{event_id}")
    assert "event: complete" in stream.text
    assert "kerja sama resmi antara dua kota" in stream.text  # the fake core's cited passage
    assert PASSAGE.split()[0] in stream.text


def test_access_log_is_json_with_request_id_route_status_latency_and_resolved_client(site):
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    handler = Collect()
    logging.getLogger("assistant.access").addHandler(handler)
    try:
        url, _ = site(trusted_proxies=("127.0.0.1",))
        with httpx.Client(base_url=url) as c:
            resp = c.post("/api/ask", json={"question": "halo"},
                          headers={"X-Forwarded-For": "203.0.113.7", "X-Request-ID": "req-123"})
            untrusted_id = c.get("/healthz", headers={"X-Request-ID": "bad id with spaces"}).headers["x-request-id"]
    finally:
        logging.getLogger("assistant.access").removeHandler(handler)
    assert resp.headers["x-request-id"] == "req-123"
    entries = [json.loads(line) for line in lines]
    ask = next(e for e in entries if e["route"] == "/api/ask")
    assert ask["request_id"] == "req-123" and ask["status"] == 200 and ask["client"] == "203.0.113.7"
    assert ask["latency_ms"] >= 0 and ask["method"] == "POST"
    assert untrusted_id != "bad id with spaces" and len(untrusted_id) == 32


def test_metrics_count_requests_refusals_limits_and_readiness(site):
    url, _ = site(rate_limit_per_minute=1)
    with httpx.Client(base_url=url) as c:
        assert c.post("/api/ask", json={"question": "halo"}).status_code == 200
        assert c.post("/api/ask", json={"question": "halo"}).status_code == 429
        text = c.get("/metrics").text
    assert 'assistant_http_requests_total{method="POST",route="/api/ask",status="200"}' in text
    assert 'assistant_rate_limited_total{limit="api"}' in text
    assert "assistant_http_request_duration_seconds_bucket" in text
    assert "assistant_ready 1.0" in text


def test_uvicorns_default_proxy_headers_cannot_be_used_to_rotate_identities(tmp_path):
    """Run with uvicorn's defaults (it trusts X-Forwarded-For from loopback) while the app trusts no
    proxy: the app notices the rewritten peer and keeps such clients in one allowance."""
    import threading

    import uvicorn

    from assistant.api import create_api
    from deploy.stack import free_port

    port = free_port()
    settings = Settings().with_(data_dir=tmp_path, rate_limit_per_minute=2)
    server = uvicorn.Server(uvicorn.Config(create_api(FakeAssistant(), settings), host="127.0.0.1", port=port,
                                           log_level="warning"))  # proxy_headers left at uvicorn's default
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.02)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as c:
            codes = [c.post("/api/ask", json={"question": "halo"}, headers={"X-Forwarded-For": f"10.1.1.{i}"}).status_code
                     for i in range(4)]
    finally:
        server.should_exit = True
        thread.join(10)
    assert codes == [200, 200, 429, 429]


def test_the_gradio_guard_cannot_be_sidestepped_by_spelling(site):
    url, application = site(rate_limit_per_minute=1, ui_rate_limit_per_minute=100)
    ask_event = answering_fn_index(application)
    with httpx.Client(base_url=url) as c:
        assert join(c, ask_event, ["halo", [], [], {}]).status_code == 200
        body = {"data": ["halo", [], [], {}], "fn_index": str(ask_event), "session_hash": "s2"}  # "3" works as 3
        assert c.post("/gradio_api/queue/join", json=body).status_code == 429
        for path in ("//gradio_api/queue/join", "/gradio_api//queue/join/"):
            assert c.post(path, json={**body, "fn_index": ask_event}).status_code == 429, path
        assert c.post("//gradio_api/upload", files={"files": ("a.txt", b"x")}).status_code == 403
