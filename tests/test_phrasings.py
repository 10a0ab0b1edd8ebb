"""corpus/phrasings: the questions users ask about each sentence, matched by vector.

Logic tests use the word-hash fake embedder; the real pipeline is checked in test_assistant.py
and by the shipped phrasings' own consistency test below.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from assistant.chunking import chunk_article, sentence_chunks
from assistant.corpus import load_articles, parse_article_text
from assistant.phrasings import (Phrasing, PhrasingIndex, load_phrasings, sentence_ids)
from assistant.text import split_sentences

from conftest import PROJECT_ROOT, WordHashEmbeddings

ARTICLE = """---
id: contoh
title: Contoh
language: id
---
# Contoh

## Tantangan

Perbedaan budaya bisa menghambat komunikasi. Solusinya adalah toleransi yang tinggi.

## Manfaat

Pendapatan daerah bisa meningkat lewat pariwisata.
"""


def _passages():
    return chunk_article(parse_article_text(ARTICLE, Path("contoh.md")))


def _write(folder: Path, name: str, rows: list) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n",
                               encoding="utf-8")


def test_a_broken_line_is_reported_and_the_others_still_load(tmp_path):
    _write(tmp_path / "phrasings", "contoh.jsonl", [
        {"sentence": "Solusinya adalah toleransi yang tinggi.", "questions": ["gimana ngatasinnya?"]},
        "{bukan json",
        {"sentence": "", "questions": ["x"]},
        {"sentence": "Pendapatan daerah bisa meningkat lewat pariwisata.", "questions": ["kas daerah nambah?", ""]},
    ])
    phrasings, errors = load_phrasings(tmp_path)
    assert [p.sentence for p in phrasings] == ["Solusinya adalah toleransi yang tinggi."]
    assert phrasings[0].source_id == "contoh"
    assert [e.path for e in errors] == ["contoh.jsonl:2", "contoh.jsonl:3", "contoh.jsonl:4"]
    assert all("harus" in e.reason or "JSON" in e.reason for e in errors)


def test_no_phrasings_folder_means_no_phrasings(tmp_path):
    assert load_phrasings(tmp_path) == ([], [])


def test_sentence_ids_number_sentences_as_the_sentence_entries_do():
    passages = _passages()
    entries = {c.chunk_id: c.text for c in sentence_chunks(passages)}
    for (source, text), sid in sentence_ids(passages).items():
        assert source == "contoh" and entries[sid].casefold() == text


def test_each_question_points_at_its_sentence():
    passages = _passages()
    phrasings = [Phrasing("contoh", "Solusinya adalah toleransi yang tinggi.", ("gimana ngatasin beda adat?",)),
                 Phrasing("contoh", "Pendapatan  daerah bisa meningkat lewat pariwisata.", ("kas pemda nambah gak?",))]
    index = PhrasingIndex.build(phrasings, passages, WordHashEmbeddings(), "fake")
    best = index.search(WordHashEmbeddings().embed_query("kas pemda nambah gak?"))
    top = max(best, key=best.get)
    sentence = {c.chunk_id: c.text for c in sentence_chunks(passages)}[top]
    assert sentence.startswith("Pendapatan daerah") and best[top] > 0.99


def test_a_sentence_no_longer_in_its_article_is_left_out(caplog):
    phrasings = [Phrasing("contoh", "Kalimat yang sudah dihapus dari artikel.", ("apa ini?",)),
                 Phrasing("lain", "Solusinya adalah toleransi yang tinggi.", ("di artikel lain",))]
    index = PhrasingIndex.build(phrasings, _passages(), WordHashEmbeddings(), "fake")
    assert len(index) == 0 and index.search([1.0] * 64) == {}
    assert "2 sentence(s) not found" in caplog.text


def test_before_any_article_is_indexed_nothing_is_called_stale(caplog):
    """A first ingest opens the empty index before adding the articles: no false alarm then."""
    phrasings = [Phrasing("contoh", "Solusinya adalah toleransi yang tinggi.", ("solusinya apa?",))]
    index = PhrasingIndex.build(phrasings, [], WordHashEmbeddings(), "fake")
    assert len(index) == 0 and "not found" not in caplog.text


class CountingEmbeddings(WordHashEmbeddings):
    def __init__(self) -> None:
        super().__init__()
        self.queries = 0

    def embed_query(self, text):
        self.queries += 1
        return super().embed_query(text)


def test_vectors_are_cached_and_recomputed_when_the_questions_change(tmp_path):
    passages = _passages()
    phrasings = [Phrasing("contoh", "Solusinya adalah toleransi yang tinggi.", ("solusinya apa?", "cara ngatasinnya?"))]
    embedder = CountingEmbeddings()
    first = PhrasingIndex.build(phrasings, passages, embedder, "fake", cache_dir=tmp_path / "cache")
    again = PhrasingIndex.build(phrasings, passages, embedder, "fake", cache_dir=tmp_path / "cache")
    assert embedder.queries == 2 and np.allclose(first.matrix, again.matrix)
    changed = [Phrasing("contoh", "Solusinya adalah toleransi yang tinggi.", ("solusinya apa?", "obatnya apa?"))]
    PhrasingIndex.build(changed, passages, embedder, "fake", cache_dir=tmp_path / "cache")
    assert embedder.queries == 4
    PhrasingIndex.build(changed, passages, embedder, "another-model", cache_dir=tmp_path / "cache")
    assert embedder.queries == 6


def test_a_corrupt_cache_is_rebuilt(tmp_path):
    passages = _passages()
    phrasings = [Phrasing("contoh", "Solusinya adalah toleransi yang tinggi.", ("solusinya apa?",))]
    embedder = CountingEmbeddings()
    PhrasingIndex.build(phrasings, passages, embedder, "fake", cache_dir=tmp_path / "cache")
    (tmp_path / "cache" / "vectors.npy").write_bytes(b"rusak")
    index = PhrasingIndex.build(phrasings, passages, embedder, "fake", cache_dir=tmp_path / "cache")
    assert embedder.queries == 2 and len(index) == 1


def test_every_shipped_phrasing_names_a_sentence_of_its_article():
    """An edited article must not leave phrasings pointing at text that is gone."""
    phrasings, errors = load_phrasings(PROJECT_ROOT / "corpus")
    assert not errors and len(phrasings) > 100
    articles, _ = load_articles(PROJECT_ROOT / "corpus")
    sentences = {(a.source_id, " ".join(s.split()).casefold())
                 for a in articles for c in chunk_article(a) for s in split_sentences(c.text)}
    missing = [p.sentence for p in phrasings if (p.source_id, " ".join(p.sentence.split()).casefold()) not in sentences]
    assert missing == []
    assert all(len(p.questions) >= 4 for p in phrasings)
