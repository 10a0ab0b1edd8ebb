"""A briefing DOCX opened by a real word processor: LibreOffice (Debian's libreoffice-writer,
installed by scripts/bootstrap.sh) converts it to PDF headless, poppler renders page 1 to PNG.

Checks what only a renderer can show (A4 pages, "Halaman 1 dari N" computed from the PAGE and
NUMPAGES fields, the letterhead and DRAF mark on the page) and, with python-docx, what the
document declares (page size, header/footer text, the page-number field, metadata, the source
list ordered government -> news -> reference -> blogs). Everything is written under tmp_path.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from docx import Document

from assistant.briefing import write_docx
from tests.test_briefing import article_chunks, briefings, retriever, store  # noqa: F401  (fixtures)

KIND_ORDER = ["pemerintah", "berita", "rujukan", "blog"]
A4_POINTS = (595.3, 841.9)


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: scripts/bootstrap.sh installs libreoffice-writer and poppler-utils"
    return path


@pytest.fixture(scope="module")
def rendered(briefings, tmp_path_factory):
    """(briefing, docx path, pdf path, png of page 1) for Bandung, with a configured organisation."""
    out = tmp_path_factory.mktemp("docx-render")
    b = replace(briefings["bandung"], author="Sub Bagian Kerja Sama Luar Negeri",
                organisation="Bagian Kerja Sama Setda Kota Bandung")
    docx = write_docx(b, out / "briefing-bandung.docx")
    profile = out / "lo-profile"  # a private LibreOffice profile: parallel test runs never share one
    subprocess.run([_tool("soffice"), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(out), str(docx)],
                   check=True, capture_output=True, timeout=300)
    pdf = out / "briefing-bandung.pdf"
    assert pdf.exists(), "LibreOffice did not produce a PDF"
    subprocess.run([_tool("pdftoppm"), "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(out / "page1")], check=True, capture_output=True, timeout=120)
    return b, docx, pdf, out / "page1.png"


def _pdf_pages(pdf) -> list[tuple[float, float]]:
    info = subprocess.run([_tool("pdfinfo"), "-f", "1", "-l", "999", str(pdf)], check=True, capture_output=True,
                          text=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)]


def _pdf_text(pdf, page: int) -> str:
    return subprocess.run([_tool("pdftotext"), "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          check=True, capture_output=True, text=True).stdout


def test_libreoffice_lays_it_out_on_a4_with_computed_page_numbers(rendered):
    b, _, pdf, png = rendered
    pages = _pdf_pages(pdf)
    assert len(pages) >= 2
    assert all(abs(w - A4_POINTS[0]) < 1 and abs(h - A4_POINTS[1]) < 1 for w, h in pages), pages
    first = _pdf_text(pdf, 1)
    assert "BAGIAN KERJA SAMA SETDA KOTA BANDUNG" in first and "DRAF" in first
    assert b.title.upper() in first  # the Title style is set in capitals
    headings = re.findall(r"^\s*([A-Z])\.\s+(\S.*?)\s*$", subprocess.run(
        [_tool("pdftotext"), "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout, re.M)
    lettered = {text: letter for letter, text in headings}
    assert lettered.get(b.sections[0].heading) == "A" and lettered.get(b.sections[1].heading) == "B"
    assert lettered.get("Sumber") == chr(ord("A") + len(b.sections))  # Word numbering, rendered
    assert f"Halaman 1 dari {len(pages)}" in first  # PAGE and NUMPAGES, evaluated by the renderer
    last = _pdf_text(pdf, len(pages))
    assert f"Halaman {len(pages)} dari {len(pages)}" in last and b.title in last  # the running header
    assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_the_docx_declares_a4_header_footer_fields_metadata_and_source_order(rendered):
    b, docx, _, _ = rendered
    doc = Document(str(docx))
    (section,) = doc.sections
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    first_header = "\n".join(p.text for p in section.first_page_header.paragraphs)
    assert "BAGIAN KERJA SAMA SETDA KOTA BANDUNG" in first_header and "DRAF" in first_header
    assert b.title in section.header.paragraphs[0].text and "DRAF" in section.header.paragraphs[0].text
    for footer in (section.first_page_footer, section.footer):
        assert "DRAF" in footer.paragraphs[0].text
        assert [t.text.strip() for t in footer._element.xpath(".//w:instrText")] == ["PAGE", "NUMPAGES"]
    props = doc.core_properties
    assert props.author == "Sub Bagian Kerja Sama Luar Negeri" and props.title == b.title
    created = props.created.replace(tzinfo=timezone.utc)
    assert abs((datetime.now(timezone.utc) - created).total_seconds()) < 3600
    # Sources: numbered 1..n, one per document, government first and blogs last, weak kinds marked.
    items = [p.text for p in doc.paragraphs if re.match(r"^\[\d+\]\t", p.text)]
    assert [int(re.match(r"\[(\d+)\]", t).group(1)) for t in items] == list(range(1, len(b.sources) + 1))
    kinds = [e.kind for e in b.sources]
    assert [KIND_ORDER.index(k) for k in kinds] == sorted(KIND_ORDER.index(k) for k in kinds)
    assert kinds[0] == "pemerintah" and kinds[-1] == "blog"
    groups = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert groups == ["Sumber resmi pemerintah", "Berita", "Rujukan sekunder (daftar Wikipedia/Wikidata, tulisan akademik)",
                      "Blog, forum, dan situs lain"]
    for text, entry in zip(items, b.sources):
        assert entry.title.rstrip(". ") in text
        if entry.kind == "blog":
            assert "perlu dikonfirmasi" in text
