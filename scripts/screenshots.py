"""Screenshots of the chat, the widget (launcher + source panel) and the Data tab, desktop and phone,
and page 1 of a DOCX briefing as LibreOffice renders it.

    python scripts/screenshots.py [--out test-artifacts/screenshots] [--docs]

Runs the real app on loopback (index in a temp dir unless ASSISTANT_INDEX_DIR is set) and a host
page on another port, drives Debian chromium, and writes PNGs to --out. Only --docs (what
`make screenshots` passes) refreshes the tracked images in docs/; tests never do.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SIZES = {"1280": {"width": 1280, "height": 900}, "360": {"width": 360, "height": 740}}
DOCS = {"widget-launcher-source-1280.png": "screenshot-widget.png", "chat-citation-1280.png": "screenshot-chat.png",
        "widget-launcher-source-360.png": "screenshot-widget-360.png", "chat-answer-360.png": "screenshot-chat-360.png",
        "data-typo-1280.png": "screenshot-data.png", "data-typo-360.png": "screenshot-data-360.png",
        "briefing-docx-page1.png": "screenshot-briefing-docx.png"}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def render_briefing(assistant, out: Path, tmp: Path) -> Path:
    """Page 1 of the Bandung briefing DOCX, converted by LibreOffice (headless) and drawn by poppler."""
    import subprocess

    from assistant.briefing import write_docx

    docx = write_docx(assistant.brief("Bandung"), tmp / "briefing-bandung.docx")
    profile = tmp / "lo-profile"  # a private LibreOffice profile, never the user's
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(tmp), str(docx)], check=True, capture_output=True, timeout=300)
    target = out / "briefing-docx-page1"
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(tmp / "briefing-bandung.pdf"),
                    str(target)], check=True, capture_output=True, timeout=120)
    return target.with_suffix(".png")


def serve(tmp: Path):
    """(assistant, app_url, host_url, stop): the app and the example host page on two loopback ports."""
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    import app as app_module
    from tests.servers import BackgroundServer, free_port
    from assistant.config import Settings
    from assistant.core import Assistant

    host_port = free_port()
    settings = Settings.from_env().with_(allowed_origins=(f"http://127.0.0.1:{host_port}",), data_dir=tmp / "data")
    if "ASSISTANT_INDEX_DIR" not in os.environ:
        settings = settings.with_(index_dir=tmp / "index")
    assistant = Assistant.from_settings(settings)
    app_server = BackgroundServer(app_module.create_app(assistant, settings)).start()
    page = (ROOT / "static" / "embed-example.html").read_text(encoding="utf-8").replace("http://127.0.0.1:7860", app_server.url)
    host_server = BackgroundServer(Starlette(routes=[Route("/", lambda _: HTMLResponse(page))]), port=host_port).start()
    return assistant, app_server.url, host_server.url, lambda: (host_server.stop(), app_server.stop())


def shoot(app_url: str, host_url: str, out: Path) -> list[Path]:
    """Take every screenshot; returns the files written."""
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for size, viewport in SIZES.items():
            page = browser.new_page(viewport=viewport)
            page.goto(app_url + "/", wait_until="load")
            box = page.locator("#akk-question textarea")
            box.wait_for(timeout=60_000)
            box.fill("Surabaya punya kota kembar apa aja?")
            box.press("Enter")
            answer = page.locator("#akk-chat .akk-answer").last
            answer.wait_for(timeout=60_000)
            page.wait_for_timeout(300)
            written.append(out / f"chat-answer-{size}.png")
            page.screenshot(path=str(written[-1]))
            answer.locator("a.akk-cite[href$='-9']").click()
            page.wait_for_timeout(1800)  # past the highlight animation
            written.append(out / f"chat-citation-{size}.png")
            page.screenshot(path=str(written[-1]))
            page.get_by_role("tab", name="Data").click()
            page.locator("#akk-data-table table").wait_for()
            page.locator("#akk-data-search textarea, #akk-data-search input").first.fill("bandnug")
            page.locator("#akk-data-suggestion").wait_for(state="visible")
            page.wait_for_timeout(300)
            written.append(out / f"data-typo-{size}.png")
            page.screenshot(path=str(written[-1]))
            page.close()

            context = browser.new_context(viewport=viewport)
            page = context.new_page()
            page.goto(host_url + "/", wait_until="load")
            bubble = page.locator("[data-akk-launcher] >> css=button.bubble")
            bubble.wait_for()
            written.append(out / f"widget-launcher-closed-{size}.png")
            page.screenshot(path=str(written[-1]))
            bubble.click()
            widget = page.frame_locator("[data-akk-launcher] >> css=iframe")
            widget.locator(".akk-chip").nth(1).wait_for()
            page.wait_for_timeout(300)
            written.append(out / f"widget-launcher-open-{size}.png")
            page.screenshot(path=str(written[-1]))
            widget.locator(".akk-chip").nth(1).click()
            widget.locator(".akk-bot .akk-cite").nth(7).click()
            page.wait_for_timeout(400)
            written.append(out / f"widget-launcher-source-{size}.png")
            page.screenshot(path=str(written[-1]))
            context.close()
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "screenshots")
    parser.add_argument("--docs", action="store_true", help="also refresh docs/screenshot-*.png (tracked)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="akk-shots-") as tmp:
        assistant, app_url, host_url, stop = serve(Path(tmp))
        try:
            written = shoot(app_url, host_url, args.out)
            written.append(render_briefing(assistant, args.out, Path(tmp)))
        finally:
            stop()
    for path in written:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    if args.docs:
        for name, doc_name in DOCS.items():
            shutil.copyfile(args.out / name, ROOT / "docs" / doc_name)
            print(f"docs/{doc_name} <- {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
