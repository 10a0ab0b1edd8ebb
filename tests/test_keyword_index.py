"""The persisted, memory-mapped BM25 index: same scores as textbook BM25, rebuilt only when the
passages change, and only new passages are tokenized again."""
from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

import assistant.keyword_index as keyword_index
from assistant.chunking import chunk_article
from assistant.config import Settings
from assistant.corpus import load_articles
from assistant.index import ChromaIndex
from assistant.keyword_index import keyword_text, open_keyword_index
from assistant.text import tokenize

from conftest import PROJECT_ROOT, WordHashEmbeddings


def reference_bm25(docs: dict[str, list[str]], query: list[str], k1: float = 1.5, b: float = 0.75) -> dict[str, float]:
    """Textbook BM25 (the formula the previous in-memory index used), for comparison."""
    n = len(docs)
    avg = sum(len(t) for t in docs.values()) / n
    df = Counter(term for tokens in docs.values() for term in set(tokens))
    scores: dict[str, float] = {}
    for cid, tokens in docs.items():
        tf = Counter(tokens)
        score = 0.0
        for term in set(query):
            if tf[term]:
                idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
                score += idf * tf[term] * (k1 + 1) / (tf[term] + k1 * (1 - b + b * len(tokens) / avg))
        if score > 0:
            scores[cid] = score
    return scores


@pytest.fixture
def index(tmp_path):
    settings = Settings().with_(index_dir=tmp_path / "index")
    chroma = ChromaIndex(settings, WordHashEmbeddings())
    articles, _ = load_articles(PROJECT_ROOT / "corpus")
    chroma.sync({a.path.name: chunk_article(a) for a in articles})
    return chroma


QUERIES = ["apa itu sister city", "manfaat ekonomi kota kembar", "tantangan perbedaan budaya dan bahasa",
           "Surabaya Busan", "sejarah perang dunia coventry stalingrad", "tips sukses evaluasi monitoring"]


def test_scores_and_idf_match_textbook_bm25(index):
    keyword = open_keyword_index(index, index.keyword_dir)
    docs = {c.chunk_id: tokenize(keyword_text(c)) for c in index.all_chunks()}
    for question in QUERIES:
        tokens = tokenize(question)
        expected = reference_bm25(docs, tokens)
        got = keyword.search(tokens, 30)
        best = sorted(expected.items(), key=lambda kv: kv[1], reverse=True)[:30]
        assert [cid for cid, _ in got][:5] == [cid for cid, _ in best][:5]
        for cid, score in got:
            assert score == pytest.approx(expected[cid], rel=1e-4)
    n = len(docs)
    df = Counter(t for tokens in docs.values() for t in set(tokens))
    assert keyword.idf["kembar"] == pytest.approx(math.log(1 + (n - df["kembar"] + 0.5) / (df["kembar"] + 0.5)), rel=1e-6)
    assert "tidakadadikorpus" not in keyword.idf and keyword.idf.get("tidakadadikorpus", 1.0) == 1.0
    assert keyword.search(["tidakadadikorpus"], 5) == []
    assert max(keyword.idf.values()) == pytest.approx(max(
        math.log(1 + (n - d + 0.5) / (d + 0.5)) for d in df.values()), rel=1e-6)
    some = next(iter(docs))
    assert keyword.doc_tokens[some] == Counter(docs[some])  # the passage's own terms, memory-mapped
    assert keyword.doc_tokens.get("tidak-ada", ()) == ()


def test_allowed_filters_ids_and_still_returns_k(index):
    keyword = open_keyword_index(index, index.keyword_dir)
    tokens = tokenize("kota kembar kerja sama")
    everything = keyword.search(tokens, 100)
    only_voi = keyword.search(tokens, 3, lambda cid: cid.startswith("voi-twin-cities:"))
    assert len(only_voi) == 3 and all(cid.startswith("voi-twin-cities:") for cid, _ in only_voi)
    assert only_voi == [(c, s) for c, s in everything if c.startswith("voi-twin-cities:")][:3]


def test_opening_again_maps_the_stored_matrix_without_tokenizing(index, monkeypatch):
    open_keyword_index(index, index.keyword_dir)
    calls = []
    monkeypatch.setattr(keyword_index, "tokenize", lambda text, **kw: calls.append(text) or [])
    again = open_keyword_index(index, index.keyword_dir)
    assert calls == []
    assert isinstance(again._bm25.scores["data"], np.memmap)


def test_a_new_passage_rebuilds_and_tokenizes_only_that_passage(index, monkeypatch):
    open_keyword_index(index, index.keyword_dir)
    from assistant.chunking import chunk_id_for
    from assistant.schema import Chunk

    text = "Kota Pekalongan dan Kota Hoi An menandatangani piagam kerja sama batik."
    added = Chunk(chunk_id_for("baru", "Ringkasan", text), "baru", "Laporan", "Ringkasan", "", text)
    index.add_chunks("baru.md", [added])
    seen = []
    real = keyword_index.tokenize
    monkeypatch.setattr(keyword_index, "tokenize", lambda t, **kw: seen.append(t) or real(t, **kw))
    keyword = open_keyword_index(index, index.keyword_dir)
    assert seen == [keyword_text(added)]
    assert keyword.search(tokenize("batik Pekalongan Hoi An"), 3)[0][0] == added.chunk_id
    index.remove_source("baru")
    keyword = open_keyword_index(index, index.keyword_dir)
    assert added.chunk_id not in keyword.chunk_ids


def test_a_passage_is_found_by_the_questions_written_for_it_which_are_not_its_own_terms(index, monkeypatch):
    """corpus/phrasings: "negeri sakura" finds the passage that says "Tokyo"; answerability still
    reads only what the source holds (doc_tokens)."""
    tokyo = next(c for c in index.passages() if c.text.startswith("Jakarta dan Tokyo"))
    plain = open_keyword_index(index, index.keyword_dir)
    query = tokenize("ibu kota kita berguru ke negeri sakura soal apa?")
    assert tokyo.chunk_id not in [cid for cid, _ in plain.search(query, 3)]
    expansions = {tokyo.chunk_id: "Jakarta belajar apa dari negeri sakura?\nIbu kota berguru ke Nippon soal apa?"}
    expanded = open_keyword_index(index, index.keyword_dir, expansions=expansions)
    assert expanded.search(query, 3)[0][0] == tokyo.chunk_id
    assert "sakura" not in expanded.doc_tokens[tokyo.chunk_id]
    assert expanded.doc_tokens[tokyo.chunk_id] == plain.doc_tokens[tokyo.chunk_id]
    # Changed questions rebuild, tokenizing only the new questions; the passages' tokens are reused.
    seen = []
    real = keyword_index.tokenize
    monkeypatch.setattr(keyword_index, "tokenize", lambda t, **kw: seen.append(t) or real(t, **kw))
    changed = {tokyo.chunk_id: "Jakarta nyontek apa dari Jepang?"}
    again = open_keyword_index(index, index.keyword_dir, expansions=changed)
    assert seen == ["Jakarta nyontek apa dari Jepang?"]
    assert again.search(tokenize("nyontek"), 1)[0][0] == tokyo.chunk_id
    assert not again.search(tokenize("sakura"), 1)


def test_an_empty_index_answers_nothing(tmp_path):
    chroma = ChromaIndex(Settings().with_(index_dir=tmp_path / "i"), WordHashEmbeddings())
    keyword = open_keyword_index(chroma, chroma.keyword_dir)
    assert keyword.search(["kota"], 5) == [] and len(keyword.idf) == 0


def test_reading_every_entry_goes_page_by_page(index, monkeypatch):
    # One get() for every entry fails past ~30k entries in Chroma; pages of PAGE must add up.
    import assistant.index as index_module

    everything = {c.chunk_id for c in index.all_chunks()}
    monkeypatch.setattr(index_module, "PAGE", 7)
    assert {c.chunk_id for c in index.all_chunks()} == everything and len(everything) == index.count() > 7
    assert sorted(index.chunk_ids()) == sorted(everything) == sorted(index.passage_ids())
    assert sum(index.chunk_counts().values()) == len(everything)
