"""The widget's routes over a real socket (fake core): GET and HEAD, wording filled in, nothing else served."""
from __future__ import annotations

import json
import re

import httpx
import pytest

from assistant.api import create_api
from assistant.config import Settings
from assistant.prompts import load_phrases
from assistant.widget import TEXT_MARKER, WIDGET_FILES, widget_text_json
from tests.fakes import FakeAssistant
from tests.servers import BackgroundServer


@pytest.fixture(scope="module")
def widget_client(tmp_path_factory):
    settings = Settings().with_(data_dir=tmp_path_factory.mktemp("widget"))
    with BackgroundServer(create_api(FakeAssistant(), settings)) as server:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            yield client


def _embedded_text(body: str) -> dict:
    match = re.search(r'<script type="application/json" id="akk-text">(.*?)</script>', body, re.S)
    assert match, "the widget page carries its wording as JSON"
    return json.loads(match.group(1))


def test_widget_page_carries_its_wording_from_prompts(widget_client):
    resp = widget_client.get("/widget")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
    assert TEXT_MARKER not in resp.text
    text = _embedded_text(resp.text)
    phrases = load_phrases(Settings().prompts_dir, "widget")
    assert text["new_chat"] == phrases.raw("new_chat") and text["starters"] == phrases.raw("starters")
    assert '<html lang="id">' in resp.text


def test_embed_loader_is_javascript_with_the_wording_filled_in(widget_client):
    resp = widget_client.get("/widget/embed.js")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/javascript")
    assert TEXT_MARKER not in resp.text
    assert '"launcher_open"' in resp.text


@pytest.mark.parametrize("path", ["/widget", "/widget/widget.js", "/widget/widget.css", "/widget/embed.js"])
def test_head_is_answered_like_get_without_a_body(widget_client, path):
    head = widget_client.head(path)
    get = widget_client.get(path)
    assert head.status_code == 200 == get.status_code
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert "frame-ancestors" in head.headers["content-security-policy"]


def test_only_the_listed_files_are_served(widget_client):
    for name in WIDGET_FILES:
        assert widget_client.get(f"/widget/{name}").status_code == 200, name
    for path in ("/widget/../pyproject.toml", "/widget/..%2Fpyproject.toml", "/widget/widget.yaml", "/widget/x.js"):
        resp = widget_client.get(path)
        assert resp.status_code == 404, path
        assert "error" in resp.json()


def test_wording_cannot_close_the_script_block(tmp_path):
    (tmp_path / "widget.yaml").write_text('title: "</script><script>alert(1)</script>"\n', encoding="utf-8")
    encoded = widget_text_json(tmp_path)
    assert "</script" not in encoded
    assert json.loads(encoded)["title"] == "</script><script>alert(1)</script>"
