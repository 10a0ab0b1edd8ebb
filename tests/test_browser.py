"""End-to-end in headless Debian chromium: the widget embedded cross-origin, and the Gradio chat at 360px.

The app (real Assistant, real index) runs in a uvicorn thread; a host page on another loopback
port embeds /widget in an iframe, so the widget is cross-origin exactly as on a partner site.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from tests.servers import BackgroundServer, free_port

pytestmark = pytest.mark.browser

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
XSS = "<script>window.__pwned=1</script>"


@pytest.fixture(scope="module")
def servers(real_assistant, real_settings):
    """(app_url, host_url): the full app and a host page on another origin that iframes /widget."""
    app_module = pytest.importorskip("app")
    host_port = free_port()
    host_origin = f"http://127.0.0.1:{host_port}"
    settings = real_settings.with_(allowed_origins=(host_origin,), rate_limit_per_minute=1000)
    app_server = BackgroundServer(app_module.create_app(real_assistant, settings), host="localhost").start()
    page = (PROJECT_ROOT / "static" / "embed-example.html").read_text(encoding="utf-8")
    page = page.replace("http://127.0.0.1:7860/widget", f"{app_server.url}/widget")
    assert f"{app_server.url}/widget" in page
    host = Starlette(routes=[Route("/", lambda _: HTMLResponse(page))])
    host_server = BackgroundServer(host, port=host_port).start()
    yield app_server.url, host_server.url
    host_server.stop()
    app_server.stop()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):  # a skipped browser test in CI would hide a missing install step
            pytest.fail("Debian chromium is missing at /usr/bin/chromium (scripts/bootstrap.sh --browser installs it)")
        pytest.skip("Debian chromium not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _offsite_requests(page, allowed: tuple[str, ...]) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if not r.url.startswith(allowed + ("data:", "blob:")) else None)
    return seen


def test_widget_cross_origin_answer_citation_and_escaping(servers, browser):
    app_url, host_url = servers
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 480, "height": 760})
    offsite = _offsite_requests(page, (app_url, host_url))
    page.goto(host_url, wait_until="load")
    widget = page.frame_locator("#akk-widget")

    with page.expect_response(lambda r: r.url.endswith("/api/ask")) as response_info:
        widget.locator("#akk-input").fill("Surabaya punya kota kembar apa aja?")
        widget.locator("#akk-input").press("Enter")
    data = response_info.value.json()
    assert data["citations"], data
    first = widget.locator(".akk-bot .akk-cite").first
    first.wait_for(timeout=30_000)
    number = first.inner_text().strip("[]")
    first.click()
    cited = next(c for c in data["citations"] if str(c["n"]) == number)
    source = widget.locator("#akk-source")
    assert source.is_visible()
    assert widget.locator("#akk-source-text").inner_text().strip() == cited["text"].strip()
    assert cited["title"] in widget.locator("#akk-source-title").inner_text()
    link = widget.locator("#akk-source-links a").first
    assert link.get_attribute("href") == cited["urls"][0]
    assert link.get_attribute("rel") == "noopener noreferrer"
    page.screenshot(path=str(ARTIFACTS / "widget.png"))

    widget.locator("#akk-input").fill(XSS)
    widget.locator("#akk-input").press("Enter")
    shown = widget.locator(".akk-user").last
    shown.wait_for()
    assert shown.inner_text() == XSS  # the markup is visible as text
    widget.locator("#akk-send:not([disabled])").wait_for(timeout=30_000)
    frame = next(f for f in page.frames if f.url.startswith(app_url))
    assert frame.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert frame.evaluate("document.querySelectorAll('.akk-log script').length") == 0
    assert offsite == []  # no CDN, fonts or analytics: everything came from the two loopback servers
    page.close()
    # The screenshot stays in test-artifacts/: a test never rewrites a tracked file (docs/ is curated).


def test_gradio_chat_on_a_phone_streams_cites_and_escapes(servers, browser, real_assistant):
    app_url, _ = servers
    passage = real_assistant.ask("Apa itu sister city?").citations[0].text.splitlines()[0][:40]
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 360, "height": 800})
    offsite = _offsite_requests(page, (app_url,))
    page.goto(app_url + "/", wait_until="load")
    box = page.locator("#akk-question textarea")
    box.wait_for(timeout=60_000)

    box.fill(XSS + " apa itu sister city?")
    box.press("Enter")
    chat = page.locator("#akk-chat")
    chat.get_by_text(XSS, exact=False).first.wait_for(timeout=60_000)
    assert page.evaluate("typeof window.__pwned") == "undefined"

    page.reload(wait_until="load")  # a fresh session: the first answer may still be streaming
    box.wait_for(timeout=60_000)
    box.fill("Apa itu sister city?")
    box.press("Enter")
    source_title = chat.get_by_text(re.compile(r"Sumber \[1\]")).first
    source_title.wait_for(timeout=60_000)
    assert re.search(r"\[1\]", chat.inner_text())
    before = chat.inner_text()
    source_title.click()
    page.wait_for_function(
        "([el, n]) => el.innerText.length > n",
        arg=[chat.element_handle(), len(before)],
        timeout=10_000,
    )
    assert passage in chat.inner_text()  # the opened accordion shows the cited passage itself
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page scrolls sideways at 360px ({width}px)"
    page.screenshot(path=str(ARTIFACTS / "chat-mobile.png"), full_page=True)
    assert offsite == []
    page.close()
