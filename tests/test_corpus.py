"""Corpus loading: every file validated on its own; a bad file is named, the rest still load."""
from __future__ import annotations

import shutil
from pathlib import Path

from assistant.corpus import load_articles

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _copy_corpus(tmp_path: Path) -> Path:
    shutil.copytree(CORPUS / "articles", tmp_path / "articles")
    return tmp_path


def test_the_two_articles_load_with_metadata():
    articles, errors = load_articles(CORPUS)
    assert errors == []
    by_id = {a.source_id: a for a in articles}
    assert set(by_id) == {"sister-city-indonesia", "voi-twin-cities"}
    assert by_id["voi-twin-cities"].url.startswith("https://voi.id/")
    assert by_id["voi-twin-cities"].publisher == "VOI.ID"


def test_broken_front_matter_is_reported_by_name_and_reason(tmp_path):
    corpus = _copy_corpus(tmp_path)
    (corpus / "articles" / "rusak.md").write_text("---\nid: [tidak ditutup\ntitle: x\n---\nIsi.\n", encoding="utf-8")
    (corpus / "articles" / "tanpa-judul.md").write_text("---\nid: a\nlanguage: id\n---\nIsi.\n", encoding="utf-8")
    (corpus / "articles" / "tanpa-front-matter.md").write_text("Isi saja.\n", encoding="utf-8")
    articles, errors = load_articles(corpus)
    assert len(articles) == 2  # the good files still load
    reasons = {e.path: e.reason for e in errors}
    assert "YAML" in reasons["rusak.md"]
    assert "title" in reasons["tanpa-judul.md"]
    assert "front matter tidak ada" in reasons["tanpa-front-matter.md"]


def test_a_file_with_scrape_junk_is_refused(tmp_path):
    corpus = _copy_corpus(tmp_path)
    (corpus / "articles" / "kotor.md").write_text(
        "---\nid: kotor\ntitle: Kotor\nlanguage: id\n---\nIsi.\n\nRelated News\nMLB All-Star Game\n", encoding="utf-8"
    )
    articles, errors = load_articles(corpus)
    assert [e.path for e in errors] == ["kotor.md"]
    assert "sisa scrape" in errors[0].reason


def test_duplicate_ids_are_reported(tmp_path):
    corpus = _copy_corpus(tmp_path)
    text = (corpus / "articles" / "mengenal-konsep-twin-cities.md").read_text(encoding="utf-8")
    (corpus / "articles" / "zz-salinan.md").write_text(text, encoding="utf-8")
    articles, errors = load_articles(corpus)
    assert len(articles) == 2
    assert errors[0].path == "zz-salinan.md" and "sudah dipakai" in errors[0].reason
