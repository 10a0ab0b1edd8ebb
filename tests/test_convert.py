"""Converting added files: structure kept, boilerplate gone, unreadable files named in Indonesian."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from assistant.convert import convert_bytes, convert_file, detect_format
from assistant.errors import DocumentError

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DOCX = FIXTURES / "laporan-pekalongan-hoi-an-2024.docx"
HTML = FIXTURES / "siaran-pers-kendari-townsville.html"
PDF = FIXTURES / "mou-probolinggo-nordhorn.pdf"

# Site furniture of the HTML fixture that must never reach the corpus.
HTML_BOILERPLATE = ("cookie", "Setuju", "Beranda", "Layanan Publik", "Cari di situs", "Bagikan", "Facebook",
                    "Baca juga", "Festival Teluk Kendari 2025 Dibuka", "Tags", "Jangan lewatkan", "Berita Terkait",
                    "Pasar Sentral", "Pemadaman Listrik", "CPNS", "KTP elektronik", "Hak Cipta", "Abdullah Silondae",
                    "Kebijakan Privasi", "Peta Situs", "Diposting oleh")


def _all_text(doc) -> str:
    return "\n".join(b.text for b in doc.blocks)


def test_docx_keeps_title_headings_list_items_and_table_rows():
    doc = convert_file(DOCX)
    assert doc.format == "docx"
    assert doc.title == "Laporan Tahunan Kerja Sama Sister City Kota Pekalongan – Kota Hoi An 2024"
    kinds = [(b.kind, b.text[:30]) for b in doc.blocks]
    assert ("heading", "Program Tahun 2024") in kinds and ("heading", "Kendala") in kinds
    items = [b.text for b in doc.blocks if b.kind == "item"]
    assert any(t.startswith("Pelatihan membatik bagi 25 perajin Hoi An") for t in items)
    # A table row reads on its own when it is cited.
    assert "Program: Festival Lampion dan Batik; Peserta: 40 perajin; Anggaran: Rp 450 juta" in items
    assert doc.title not in [b.text for b in doc.blocks]  # the title lives in the front matter only


def test_html_page_loses_menu_cookie_banner_sidebar_footer_and_calls_to_action():
    doc = convert_file(HTML)
    assert doc.format == "html"
    assert doc.title == "Kendari dan Townsville Resmi Jalin Sister City"
    assert doc.date == "2025-02-18" and doc.publisher == "Portal Resmi Pemerintah Kota Kendari"
    text = _all_text(doc)
    assert "beasiswa bagi 10 mahasiswa Universitas Halu Oleo" in text
    assert ("heading", "Beasiswa dan Magang Kelautan") in [(b.kind, b.text) for b in doc.blocks]
    for junk in HTML_BOILERPLATE:
        assert junk.lower() not in text.lower(), junk


def test_the_same_page_converts_the_same_every_time():
    # trafilatura's own de-duplication remembers text across calls in a process: it must be off,
    # or a page removed and added again from the admin page would come back empty.
    first, second = convert_file(HTML), convert_file(HTML)
    assert first.blocks == second.blocks and len(first.blocks) >= 4


def test_pdf_drops_running_header_and_page_numbers_and_finds_headings():
    doc = convert_file(PDF)
    assert doc.format == "pdf"
    assert doc.title == "Nota Kesepahaman Kerja Sama Kota Bersaudara Kota Probolinggo dan Kota Nordhorn"
    text = _all_text(doc)
    assert "NOTA KESEPAHAMAN – KOTA PROBOLINGGO" not in text
    assert "Halaman" not in text
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    assert headings[:2] == ["Pasal 1 Maksud dan Tujuan", "Pasal 2 Ruang Lingkup"] and len(headings) == 6
    # Lines of one paragraph are joined back into one passage.
    assert any(b.text.startswith("Ruang lingkup kerja sama meliputi pendidikan vokasi bidang energi terbarukan, "
                                 "pengelolaan sampah menjadi energi") for b in doc.blocks)


def test_markdown_front_matter_and_structure():
    md = ("---\ntitle: Catatan Rapat\nurl: https://example.org/rapat\n---\n# Judul Lain\n\n"
          "Paragraf **pertama** dengan [tautan](https://x.org)\nyang dibungkus.\n\n## Bagian\n\n"
          "1. Butir satu\n2. Butir dua\n\n| Program | Tahun |\n|---|---|\n| Pertukaran | 2024 |\n")
    doc = convert_bytes(md.encode(), "rapat.md")
    assert doc.title == "Catatan Rapat" and doc.url == "https://example.org/rapat"
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("paragraph", "Paragraf pertama dengan tautan yang dibungkus."),
        ("heading", "Bagian"),
        ("item", "Butir satu"),
        ("item", "Butir dua"),
        ("item", "Program: Pertukaran; Tahun: 2024"),
    ]


def test_plain_text_in_windows_encoding_is_read():
    text = "Kerja Sama Kota\n\nKota ini menjalin kerja sama dengan caf\xe9 di Prancis sejak 2019.\n"
    doc = convert_bytes(text.encode("cp1252"), "catatan.txt")
    assert doc.title == "Kerja Sama Kota"
    assert "café" in doc.blocks[0].text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("laporan.doc", b"\xd0\xcf\x11\xe0 old word", "format .doc tidak didukung"),
        ("kosong.txt", b"   \n", "berkasnya kosong"),
        ("rusak.docx", b"PK\x03\x04 bukan zip sungguhan", "bukan berkas Word .docx yang valid"),
        ("palsu.pdf", b"<html>bukan pdf</html>", "bukan berkas PDF"),
        ("biner.txt", b"\x00\x01\x02binary", "bukan berkas teks"),
        ("menu.html", b"<html><body><nav><a href='/'>Beranda</a></nav></body></html>", "terlalu sedikit teks"),
    ],
)
def test_unreadable_files_get_a_clear_indonesian_reason(name, data, reason):
    with pytest.raises(DocumentError) as err:
        convert_bytes(data, name)
    assert err.value.name == name
    assert reason in err.value.message


def _zip_without_document_xml() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


def test_a_zip_that_is_not_a_word_file_is_refused():
    with pytest.raises(DocumentError, match="bukan berkas Word"):
        convert_bytes(_zip_without_document_xml(), "arsip.docx")


def _pdf_without_text() -> bytes:
    """A valid one-page PDF with no text on it (what a scan without OCR looks like to a reader)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
               b"<< /Length 0 >>\nstream\n\nendstream"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_a_scanned_pdf_without_text_says_so():
    with pytest.raises(DocumentError, match="tidak berisi teks"):
        convert_bytes(_pdf_without_text(), "pindaian.pdf")


def test_missing_file_and_format_detection():
    with pytest.raises(DocumentError, match="tidak ditemukan"):
        convert_file(FIXTURES / "tidak-ada.pdf")
    assert detect_format("A.HTM") == "html" and detect_format("x.markdown") == "md"
