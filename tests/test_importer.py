"""The raw scrapes become clean Markdown: lists back under their sections, junk gone.

The cleaning is generic (assistant/cleaning.py): no per-article recipe says where a list goes
or which line starts the footer.
"""
from __future__ import annotations

from pathlib import Path

from assistant.importer import convert_article, find_junk

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

# The stray items carry their own grouping: the first two share a subject, the third doesn't.
RAW = """- Satu: isi pertama.
- Dua: isi pertama juga, lanjutan yang pertama.
- Tiga: hal lain sama sekali, soal anggaran daerah.
Pembuka artikel yang cukup panjang untuk jadi paragraf, bukan judul bagian ya guys.
Bagian Pertama
Paragraf pengantar daftar pertama, seperti:
Penutup bagian pertama yang juga cukup panjang kalimatnya.
Bagian Kedua
Pengantar daftar kedua:
Lastest News
Related News
MLB All-Star Game 2022: Where Was It Held?
"""

FRONT_MATTER = {"id": "x", "title": "Judul", "language": "id"}


def test_lists_go_after_the_paragraph_that_introduces_them():
    md = convert_article(RAW, FRONT_MATTER)
    body = md.split("# Judul", 1)[1]
    first = body.index("## Bagian Pertama")
    intro = body.index("Paragraf pengantar daftar pertama")
    assert first < intro < body.index("- Satu: isi pertama.") < body.index("- Dua") < body.index("Penutup bagian")
    assert body.index("## Bagian Kedua") < body.index("Pengantar daftar kedua") < body.index("- Tiga")


def test_site_footer_is_dropped():
    md = convert_article(RAW, FRONT_MATTER)
    assert "Lastest News" not in md and "MLB" not in md
    assert find_junk(md) == []


def test_committed_corpus_is_clean_and_complete():
    blog = (CORPUS / "articles" / "kerjasama-sister-city-di-indonesia.md").read_text(encoding="utf-8")
    voi = (CORPUS / "articles" / "mengenal-konsep-twin-cities.md").read_text(encoding="utf-8")
    for text in (blog, voi):
        assert find_junk(text) == []
    assert "jangan lewatkan berita menarik lainnya di VOI.ID" not in voi
    # Each list sits under the section the data README assigns it to.
    sections = {
        "## Apa Itu Sister City?": "- Pertukaran pelajar dan mahasiswa",
        "## Peluang Emas": "- Peningkatan Ekonomi",
        "## Tantangan yang Mengintai": "- Perbedaan Budaya dan Bahasa",
        "## Studi Kasus": "- Surabaya dan Busan, Korea Selatan",
        "## Tips Sukses": "- Tentukan Tujuan yang Jelas",
    }
    headings = list(sections)
    for i, (heading, first_item) in enumerate(sections.items()):
        start = blog.index(heading)
        end = blog.index(headings[i + 1]) if i + 1 < len(headings) else len(blog)
        assert start < blog.index(first_item) < end
    assert blog.count("\n- ") == 23
