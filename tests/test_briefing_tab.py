"""The Briefing tab: a subject is recognised whatever the selector says, and "Mungkin maksudnya"
suggestions are buttons that compose the briefing they name (real app, headless Debian chromium)."""
from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from assistant.briefing import build_briefing
from assistant.config import Settings
from tests.servers import BackgroundServer
from tests.test_briefing import article_chunks, retriever, store  # noqa: F401  (fixtures)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


class BriefingOnly:
    """Records + keyword retrieval over the real corpus: enough for the Briefing tab's logic."""

    def __init__(self, store, retriever) -> None:
        self.records, self.retrieve, self.settings = store, retriever, Settings()

    def brief(self, subject: str, *, kind: str | None = None, title: str | None = None, date: str | None = None):
        return build_briefing(self, subject, title=title, date=date, kind=kind)


@pytest.fixture(scope="module")
def app_module():
    return pytest.importorskip("app")


@pytest.fixture(scope="module")
def tab():
    return pytest.importorskip("webui.briefing_tab")


def test_an_unknown_subject_offers_its_near_matches(tab, store, retriever):
    preview, path, suggestions = tab.briefing_result(BriefingOnly(store, retriever), "Bandnug",
                                                            "Kota / provinsi", "", "", "DOCX")
    assert path is None and "tidak ditemukan" in preview
    assert suggestions and suggestions[0] == "Bandung" and len(suggestions) <= tab.MAX_SUGGESTIONS


def test_a_topic_typed_with_the_city_selector_is_a_topic_briefing(tab, store, retriever):
    preview, path, suggestions = tab.briefing_result(BriefingOnly(store, retriever), "manfaat ekonomi sister city",
                                                            "Kota / provinsi", "", "", "DOCX")
    assert suggestions == [] and path and Path(path).suffix == ".docx"
    assert "(topik)" in preview and "Contoh hubungan kota kembar yang relevan" in preview
    assert any("Tabel 1." in p.text for p in Document(path).paragraphs)


@pytest.mark.browser
@pytest.mark.slow
def test_clicking_a_suggestion_composes_that_briefing(app_module, real_assistant, real_settings, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing at /usr/bin/chromium (scripts/bootstrap.sh --browser installs it)")
    from playwright.sync_api import expect, sync_playwright

    server = BackgroundServer(app_module.create_app(real_assistant, real_settings), host="localhost").start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(server.url, wait_until="load")
            page.get_by_role("tab", name="Briefing").click()
            subject = page.locator("#akk-brief-subject textarea, #akk-brief-subject input").first
            subject.fill("Bandnug")
            page.get_by_role("button", name="Susun briefing").click()
            status = page.locator("#akk-brief-status")
            expect(status).to_contain_text("Mungkin maksudnya: Bandung?", timeout=30_000)
            suggestion = page.locator("#akk-brief-suggestions").get_by_role("button", name="Bandung", exact=True)
            expect(suggestion).to_be_visible()
            suggestion.click()
            expect(page.get_by_text("Briefing Kerja Sama Kota Kembar: Bandung").first).to_be_visible(timeout=60_000)
            expect(subject).to_have_value("Bandung")
            expect(page.locator("#akk-brief-suggestions")).to_be_hidden()
            expect(status).not_to_contain_text("tidak ditemukan")
            download = page.locator("a[download][href$='briefing-bandung.docx']")
            expect(download).to_be_visible(timeout=30_000)  # the DOCX to take away
            page.screenshot(path=str(tmp_path / "briefing-tab.png"))
            browser.close()
    finally:
        server.stop()
