"""Chunks keep their section heading, never split a list item, and have content-derived ids."""
from __future__ import annotations

from pathlib import Path

from assistant.chunking import INTRO_SECTION, chunk_article, chunk_id_for
from assistant.corpus import load_articles

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _chunks():
    articles, _ = load_articles(CORPUS)
    return [c for a in articles for c in chunk_article(a)]


def test_every_list_item_is_one_whole_chunk():
    chunks = _chunks()
    texts = {c.text for c in chunks}
    blog = (CORPUS / "articles" / "kerjasama-sister-city-di-indonesia.md").read_text(encoding="utf-8")
    items = [line[2:] for line in blog.splitlines() if line.startswith("- ")]
    assert len(items) == 23
    for item in items:
        assert item in texts


def test_sections_travel_with_chunks():
    chunks = _chunks()
    econ = next(c for c in chunks if c.text.startswith("Peningkatan Ekonomi"))
    assert econ.section == "Peluang Emas di Balik Kerjasama Sister City"
    assert econ.metadata["list_item"] is True
    assert econ.section in econ.embedding_text()
    intro = next(c for c in chunks if c.text.startswith("Hai guys!"))
    assert intro.section == INTRO_SECTION
    history = next(c for c in chunks if "Coventry" in c.text)
    assert history.section == "Sejarah Singkat Twin Cities"
    assert history.url.startswith("https://voi.id/")


def test_ids_are_stable_and_change_with_content():
    first = [c.chunk_id for c in _chunks()]
    assert first == [c.chunk_id for c in _chunks()]
    assert len(set(first)) == len(first)
    assert chunk_id_for("a", "s", "teks") != chunk_id_for("a", "s", "teks berubah")
