"""Generic cleaning: the same rules for the seed scrapes and every added document."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.cleaning import (
    Block,
    blocks_from_text,
    clean_blocks,
    find_junk,
    load_rules,
    place_orphan_lists,
    segment,
    strip_boilerplate,
)
from assistant.importer import SEED_ARTICLES, import_shared

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT_ROOT / "corpus"


def _shared_data() -> Path:
    """../shared/data beside the clone (CI lays it there), or ASSISTANT_SHARED_DATA."""
    return Path(os.environ.get("ASSISTANT_SHARED_DATA") or PROJECT_ROOT.parent / "shared" / "data")


def texts(blocks: list[Block]) -> list[str]:
    return [b.text for b in blocks]


def test_hard_wrapped_lines_join_but_scraped_lines_stay_apart():
    raw = ("Judul Bagian\nKalimat pertama yang panjang dipotong\noleh editor di tengah jalan.\n"
           "Paragraf kedua berdiri sendiri.\n- Butir satu\n  lanjutan butir\n")
    blocks = blocks_from_text(raw)
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "Judul Bagian"),
        ("paragraph", "Kalimat pertama yang panjang dipotong oleh editor di tengah jalan."),
        ("paragraph", "Paragraf kedua berdiri sendiri."),
        ("item", "Butir satu lanjutan butir"),
    ]


def test_footer_marker_cuts_the_tail_but_a_menu_entry_before_the_article_does_not():
    blocks = [Block("heading", "Berita Terkait"), Block("paragraph", "Isi artikel yang sebenarnya, cukup panjang."),
              Block("heading", "Related News"), Block("paragraph", "MLB All-Star Game 2022: Where Was It Held?")]
    cleaned = strip_boilerplate(blocks, load_rules())
    # The early "Berita Terkait" is kept (cutting there would lose the whole article).
    assert texts(cleaned) == ["Berita Terkait", "Isi artikel yang sebenarnya, cukup panjang."]


def test_calls_to_action_go_wherever_they_are_and_a_dangling_teaser_goes_with_them():
    blocks = [
        Block("paragraph", "Kota kembar adalah kerja sama resmi dua kota. Ini kalimat kedua."),
        Block("paragraph", "Baca juga: Festival Teluk Kendari 2025 Dibuka Meriah"),
        Block("paragraph", "Kerja sama ini berfokus pada pendidikan. Programnya berjalan tiap tahun."),
        Block("paragraph", "Ngomongin soal Twin Cities, ternyata ASPI Usulkan Konsep Kota Kembar untuk IKN, loh!"),
        Block("paragraph", "Setelah membaca ini, jangan lewatkan berita menarik lainnya di situs kami."),
    ]
    assert texts(strip_boilerplate(blocks, load_rules())) == [
        "Kota kembar adalah kerja sama resmi dua kota. Ini kalimat kedua.",
        "Kerja sama ini berfokus pada pendidikan. Programnya berjalan tiap tahun.",
    ]


def test_an_exclamation_inside_the_article_is_not_a_teaser():
    blocks = [Block("paragraph", "Ayo dukung kerja sama kota kembar!"),
              Block("paragraph", "Kerja sama ini berfokus pada pendidikan. Programnya berjalan tiap tahun.")]
    assert strip_boilerplate(blocks, load_rules()) == blocks


def test_title_repeated_on_the_first_line_is_dropped():
    blocks = blocks_from_text("Mengenal Kota Kembar\n\nIsi pertama yang cukup panjang untuk paragraf.\n")
    assert texts(clean_blocks(blocks, title="Mengenal Kota Kembar")) == ["Isi pertama yang cukup panjang untuk paragraf."]


def test_segment_breaks_where_the_subject_changes():
    # Three items about one thing, two about another: one clear boundary.
    sim = [[1.0, 0.9, 0.9, 0.1, 0.1],
           [0.9, 1.0, 0.9, 0.1, 0.1],
           [0.9, 0.9, 1.0, 0.1, 0.1],
           [0.1, 0.1, 0.1, 1.0, 0.9],
           [0.1, 0.1, 0.1, 0.9, 1.0]]
    assert segment(sim, 2) == [3, 2]
    assert segment(sim, 1) == [5]


def test_stray_items_go_under_the_sections_that_announce_a_list_lexical_fallback():
    raw = (
        "- Beasiswa pelajar: pertukaran pelajar ke kota mitra.\n"
        "- Beasiswa guru: pertukaran guru ke kota mitra.\n"
        "- Anggaran terbatas: anggaran daerah tidak cukup.\n"
        "Pembuka artikel ini cukup panjang, bukan judul bagian.\n"
        "Program Pertukaran\n"
        "Ada beberapa program pertukaran, seperti:\n"
        "Kendala\n"
        "Kendala terbesar soal anggaran daerah.\n"
        "Nah, itu dia kendala anggaran yang perlu diwaspadai.\n"
        "Penutup\n"
        "Kesimpulannya kerja sama perlu direncanakan dengan baik.\n"
    )
    blocks = clean_blocks(blocks_from_text(raw), embed=None)
    order = [(b.kind, b.text.split(":")[0]) for b in blocks]
    assert order == [
        ("paragraph", "Pembuka artikel ini cukup panjang, bukan judul bagian."),
        ("heading", "Program Pertukaran"),
        ("paragraph", "Ada beberapa program pertukaran, seperti"),
        ("item", "Beasiswa pelajar"),
        ("item", "Beasiswa guru"),
        ("heading", "Kendala"),
        ("paragraph", "Kendala terbesar soal anggaran daerah."),
        ("item", "Anggaran terbatas"),
        ("paragraph", "Nah, itu dia kendala anggaran yang perlu diwaspadai."),
        ("heading", "Penutup"),
        ("paragraph", "Kesimpulannya kerja sama perlu direncanakan dengan baik."),
    ]


def test_stray_items_stay_put_when_no_section_announces_a_list():
    blocks = [Block("item", "Satu hal."), Block("paragraph", "Paragraf biasa saja tanpa pengantar daftar.")]
    assert place_orphan_lists(blocks, load_rules()) == blocks


def test_rules_file_is_valid_and_names_the_seed_boilerplate():
    rules = load_rules()
    assert "related news" in rules.footer_markers and "lastest news" in rules.footer_markers
    assert rules.is_call_to_action("Setelah mengetahui X, jangan lewatkan berita menarik lainnya di VOI.ID.")
    assert rules.is_call_to_action("Semoga artikel ini bermanfaat, ya, guys! Jangan lupa share ke teman-teman.")
    assert not rules.is_call_to_action("Kerja sama ini berfokus pada pengelolaan air.")


def test_import_shared_reproduces_the_committed_articles_byte_for_byte(tmp_path):
    shared = _shared_data()
    if not (shared / "articles").is_dir():
        pytest.skip(f"shared data not found at {shared} (CI lays ../shared beside the clone)")
    written = import_shared(shared, tmp_path)
    for seed in SEED_ARTICLES:
        produced = (tmp_path / "articles" / seed.out_name).read_bytes()
        assert produced == (CORPUS / "articles" / seed.out_name).read_bytes(), seed.out_name
        assert find_junk(produced.decode("utf-8")) == []
    for path in written:
        if path.parent.name == "records":
            assert path.read_bytes() == (CORPUS / "records" / path.name).read_bytes()
