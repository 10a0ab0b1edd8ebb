"""The document library: add with provenance, refuse duplicates, list, remove, log; nothing
already in the corpus is touched when a file fails. Real Chroma with a fake embedder (logic)."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from assistant.changelog import read_changes
from assistant.config import Settings
from assistant.core import Assistant
from assistant.documents import DocumentLibrary, add_document, document_places, place_names, remove_document
from assistant.errors import DocumentError
from assistant.index import ChromaIndex
from assistant.records import RecordStore

from conftest import WordHashEmbeddings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DOCX = FIXTURES / "laporan-pekalongan-hoi-an-2024.docx"
HTML = FIXTURES / "siaran-pers-kendari-townsville.html"
PDF = FIXTURES / "mou-probolinggo-nordhorn.pdf"


def _assistant(tmp_path: Path, embedder=None) -> Assistant:
    """An Assistant over a private copy of the corpus, with the fake embedder."""
    corpus = tmp_path / "corpus"
    shutil.copytree(PROJECT_ROOT / "corpus", corpus)
    settings = Settings().with_(corpus_dir=corpus, index_dir=tmp_path / "index", data_dir=tmp_path / "data")
    records, errors = RecordStore.load(corpus / "records")
    assistant = Assistant(settings, ChromaIndex(settings, embedder or WordHashEmbeddings()), records, errors)
    assistant.ingest()
    return assistant


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def assistant(tmp_path):
    return _assistant(tmp_path)


def test_add_writes_corpus_markdown_with_provenance_and_indexes_only_its_chunks(assistant):
    before, entries_before = len(assistant.index.passage_ids()), assistant.index.count()
    embedded_before = assistant.index.embedder.documents_embedded
    result = add_document(assistant, DOCX.read_bytes(), DOCX.name, url="https://pekalongankota.go.id/laporan",
                          date="2025-01-15")
    assert result.format == "docx" and result.chunks == result.embedded > 5
    # Incremental: only this document's passages and their sentence entries were embedded.
    new_entries = assistant.index.count() - entries_before
    assert assistant.index.embedder.documents_embedded - embedded_before == new_entries > result.chunks
    assert len(assistant.index.passage_ids()) == before + result.chunks
    path = assistant.settings.corpus_dir / result.file
    text = path.read_text(encoding="utf-8")
    front = text.split("\n---\n", 1)[0]
    for line in (f"id: {result.doc_id}", "format: docx", f"source_file: {DOCX.name}",
                 f"sha256: {hashlib.sha256(DOCX.read_bytes()).hexdigest()}", "url: https://pekalongankota.go.id/laporan",
                 "date: '2025-01-15'", "added: '"):
        assert line in front
    # The new passages are searchable right away, with title, section and provenance.
    hits = assistant.retrieve("anggaran festival lampion dan batik", 3)
    top = hits[0].chunk
    assert top.source_id == result.doc_id and "Rp 450 juta" in top.text
    assert top.section == "Capaian dan Anggaran" and top.title.startswith("Laporan Tahunan Kerja Sama")
    assert top.metadata["format"] == "docx" and top.metadata["source_file"] == DOCX.name
    entry = read_changes(assistant.settings.data_dir)[-1]
    assert entry["action"] == "add" and entry["doc_id"] == result.doc_id and entry["actor"] == "cli"


def test_the_same_file_or_the_same_text_is_refused_and_nothing_changes(assistant):
    add_document(assistant, HTML.read_bytes(), HTML.name)
    corpus, count = _snapshot(assistant.settings.corpus_dir), assistant.index.count()
    with pytest.raises(DocumentError, match="berkas yang sama sudah ada sebagai kendari"):
        add_document(assistant, HTML.read_bytes(), "salinan.html")
    # Same page saved again: other bytes (a comment, other spacing), same text.
    resaved = HTML.read_text(encoding="utf-8").replace("<body>", "<body>\n<!-- disimpan ulang -->\n  ")
    with pytest.raises(DocumentError, match="isinya sama dengan dokumen yang sudah ada"):
        add_document(assistant, resaved.encode("utf-8"), "disimpan-ulang.html")
    assert _snapshot(assistant.settings.corpus_dir) == corpus
    assert assistant.index.count() == count


def test_an_unreadable_file_touches_nothing(assistant):
    corpus, count = _snapshot(assistant.settings.corpus_dir), assistant.index.count()
    with pytest.raises(DocumentError) as err:
        add_document(assistant, b"PK\x03\x04 rusak", "laporan.docx")
    assert "laporan.docx" in err.value.message and "bukan berkas Word" in err.value.message
    assert _snapshot(assistant.settings.corpus_dir) == corpus
    assert assistant.index.count() == count
    assert read_changes(assistant.settings.data_dir) == []


class _BrokenEmbedder(WordHashEmbeddings):
    def __init__(self) -> None:
        super().__init__()
        self.fail = False

    def embed_documents(self, texts):
        if self.fail:
            raise RuntimeError("model crashed")
        return super().embed_documents(texts)


def test_a_failure_while_indexing_leaves_the_corpus_as_it_was(tmp_path):
    embedder = _BrokenEmbedder()
    assistant = _assistant(tmp_path, embedder)
    corpus, count = _snapshot(assistant.settings.corpus_dir), assistant.index.count()
    embedder.fail = True
    with pytest.raises(RuntimeError):
        add_document(assistant, PDF.read_bytes(), PDF.name)
    assert _snapshot(assistant.settings.corpus_dir) == corpus
    assert assistant.index.count() == count


def test_list_has_the_documented_fields_for_seed_articles_and_added_documents(assistant):
    added = add_document(assistant, PDF.read_bytes(), PDF.name, title="MoU Probolinggo–Nordhorn")
    docs = {d.doc_id: d.to_dict() for d in DocumentLibrary(assistant.settings.corpus_dir).list()}
    assert {"doc_id", "title", "url", "format", "chunks", "added"} <= set(docs[added.doc_id])
    assert docs[added.doc_id]["title"] == "MoU Probolinggo–Nordhorn"
    assert docs[added.doc_id]["chunks"] == added.chunks and docs[added.doc_id]["format"] == "pdf"
    assert docs[added.doc_id]["origin"] == "ditambahkan" and docs[added.doc_id]["added"]
    assert docs["voi-twin-cities"]["origin"] == "bawaan" and docs["voi-twin-cities"]["added"] is None
    json.dumps(list(docs.values()))  # serialisable as the CLI prints it


def test_remove_takes_the_document_out_of_index_and_corpus(assistant):
    added = add_document(assistant, DOCX.read_bytes(), DOCX.name)
    count = assistant.index.count()
    doc = remove_document(assistant, added.doc_id, actor="admin:budi")
    assert doc.doc_id == added.doc_id
    assert all(not cid.startswith(f"{added.doc_id}:") for cid in assistant.index.chunk_ids())  # sentences too
    assert assistant.index.count() < count - added.chunks
    assert not (assistant.settings.corpus_dir / added.file).exists()
    assert all(h.chunk.source_id != added.doc_id for h in assistant.retrieve("anggaran festival lampion batik", 5))
    actions = [(e["action"], e["actor"]) for e in read_changes(assistant.settings.data_dir)]
    assert actions == [("add", "cli"), ("remove", "admin:budi")]
    # The same file can be added again after it was removed.
    assert add_document(assistant, DOCX.read_bytes(), DOCX.name).doc_id == added.doc_id


def test_seed_articles_and_unknown_ids_are_not_removed(assistant):
    with pytest.raises(DocumentError, match="artikel bawaan"):
        remove_document(assistant, "voi-twin-cities")
    with pytest.raises(DocumentError, match="dokumen tidak ditemukan"):
        remove_document(assistant, "tidak-ada")
    assert (assistant.settings.corpus_dir / "articles" / "mengenal-konsep-twin-cities.md").exists()


@pytest.mark.parametrize(("kwargs", "reason"), [
    ({"date": "18-02-2025"}, "YYYY-MM-DD"),
    ({"url": "pemkot.go.id/berita"}, "http"),
    ({"title": "   "}, "judul tidak boleh kosong"),
])
def test_bad_options_are_explained(assistant, kwargs, reason):
    with pytest.raises(DocumentError, match=reason):
        add_document(assistant, HTML.read_bytes(), HTML.name, **kwargs)


def test_added_documents_reload_after_a_restart_and_a_full_ingest_keeps_them(tmp_path):
    assistant = _assistant(tmp_path)
    added = add_document(assistant, HTML.read_bytes(), HTML.name)
    report = assistant.ingest()  # `assistant ingest` sees the document as already indexed
    assert report.sync.added == 0 and report.sync.removed == 0
    assert any(h.chunk.source_id == added.doc_id for h in assistant.retrieve("beasiswa mahasiswa Halu Oleo", 3))


def test_place_names_each_document_mentions(assistant):
    for path in (DOCX, HTML, PDF):
        add_document(assistant, path.read_bytes(), path.name)
    places = document_places(assistant.settings.corpus_dir)
    by_source = {doc_id: set(names) for doc_id, names in places.items()}
    docx_id = next(d for d in by_source if d.startswith("laporan-tahunan"))
    html_id = next(d for d in by_source if d.startswith("kendari"))
    pdf_id = next(d for d in by_source if d.startswith("nota-kesepahaman"))
    assert {"Pekalongan", "Hoi An"} <= by_source[docx_id]
    assert {"Kendari", "Townsville"} <= by_source[html_id]
    assert {"Probolinggo", "Nordhorn", "Niedersachsen"} <= by_source[pdf_id]
    assert "Bersaudara" not in " ".join(by_source[pdf_id])  # "Kota Bersaudara" is a phrase, not a place
    assert place_names("kerja sama kota kembar tanpa nama tempat") == []
