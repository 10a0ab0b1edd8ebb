"""Admin page over a real socket (uvicorn on 127.0.0.1): off by default, login required, upload /
list / status / remove, forged forms refused, every change logged. Real Chroma; the fake
embedder keeps these logic tests fast (the real pipeline is covered by test_documents_e2e)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import httpx
import pytest

from assistant.admin import mount_admin
from assistant.api import create_api
from assistant.changelog import read_changes
from assistant.config import Settings
from assistant.core import Assistant
from assistant.index import ChromaIndex
from assistant.records import RecordStore

from conftest import WordHashEmbeddings
from tests.servers import BackgroundServer

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TOKEN = "rahasia-admin-123456"


def _assistant(tmp_path: Path, **changes) -> Assistant:
    corpus = tmp_path / "corpus"
    shutil.copytree(PROJECT_ROOT / "corpus", corpus)
    settings = Settings().with_(corpus_dir=corpus, index_dir=tmp_path / "index", data_dir=tmp_path / "data", **changes)
    records, errors = RecordStore.load(corpus / "records")
    assistant = Assistant(settings, ChromaIndex(settings, WordHashEmbeddings()), records, errors)
    assistant.ingest()
    return assistant


@pytest.fixture
def admin(tmp_path):
    """(base URL, assistant) of an API with the admin page on, as app.py mounts it."""
    assistant = _assistant(tmp_path, admin_token=TOKEN, admin_user="budi", max_upload_bytes=200 * 1024)
    app = create_api(assistant, assistant.settings)
    assert mount_admin(app, assistant, assistant.settings)
    with BackgroundServer(app) as server:
        yield server.url, assistant


def _csrf(page: str) -> str:
    return re.search(r"name='csrf' value='([0-9a-f]+)'", page).group(1)


def test_admin_is_off_without_a_token(tmp_path):
    assistant = _assistant(tmp_path)
    app = create_api(assistant, assistant.settings)
    assert not mount_admin(app, assistant, assistant.settings)
    with BackgroundServer(app) as server:
        assert httpx.get(f"{server.url}/admin").status_code == 404
        assert httpx.get(f"{server.url}/admin/api/documents", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404


def test_login_is_required(admin):
    url, _ = admin
    anonymous = httpx.get(f"{url}/admin", headers={"Accept": "text/html"})
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"].startswith("Basic ")
    assert "butuh login" in anonymous.text
    assert httpx.get(f"{url}/admin", auth=("budi", "salah-sekali-123")).status_code == 401
    assert httpx.get(f"{url}/admin", auth=("orang-lain", TOKEN)).status_code == 401
    assert httpx.get(f"{url}/admin/api/status", headers={"Authorization": "Bearer salah"}).status_code == 401
    ok = httpx.get(f"{url}/admin", auth=("budi", TOKEN))
    assert ok.status_code == 200 and ok.headers["cache-control"] == "no-store"
    assert "voi-twin-cities" in ok.text  # the seed articles are listed


def test_upload_list_status_and_remove_through_the_page(admin):
    url, assistant = admin
    with httpx.Client(base_url=url, auth=("budi", TOKEN), timeout=60) as http:
        page = http.get("/admin").text
        chunks_before = http.get("/admin/api/status").json()["chunks"]
        with (FIXTURES / "siaran-pers-kendari-townsville.html").open("rb") as handle:
            resp = http.post("/admin/documents", data={"csrf": _csrf(page), "url": "https://kendarikota.go.id/b/1"},
                             files={"file": ("siaran-pers.html", handle, "text/html")})
        assert resp.status_code == 303  # back to the page, so a reload doesn't upload twice
        shown = http.get(resp.headers["location"]).text
        assert "Ditambahkan: kendari-dan-townsville" in shown and "Resmi Jalin Sister City" in shown
        docs = {d["doc_id"]: d for d in http.get("/admin/api/documents").json()}
        doc_id = next(d for d in docs if d.startswith("kendari"))
        assert docs[doc_id]["chunks"] == 4 and docs[doc_id]["url"] == "https://kendarikota.go.id/b/1"
        status = http.get("/admin/api/status").json()
        assert status["chunks"] == chunks_before + 4 and status["keyword"] == status["chunks"]
        assert any(h.chunk.source_id == doc_id for h in assistant.retrieve("beasiswa mahasiswa Halu Oleo", 3))

        page = http.get("/admin").text
        assert f"data-doc-id='{doc_id}'" in page and f"/admin/documents/{doc_id}/remove" in page
        resp = http.post(f"/admin/documents/{doc_id}/remove", data={"csrf": _csrf(page)})
        assert resp.status_code == 303 and "Dihapus" in http.get(resp.headers["location"]).text
        assert doc_id not in {d["doc_id"] for d in http.get("/admin/api/documents").json()}
        assert http.get("/admin/api/status").json()["chunks"] == chunks_before
    log = read_changes(assistant.settings.data_dir)
    assert [(e["action"], e["actor"], e["doc_id"]) for e in log] == [("add", "admin:budi", doc_id),
                                                                       ("remove", "admin:budi", doc_id)]


def test_bad_uploads_get_indonesian_messages_and_change_nothing(admin):
    url, assistant = admin
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
        csrf = _csrf(http.get("/admin", headers={"Accept": "text/html"}).text)
        count = http.get("/admin/api/status").json()["chunks"]
        broken = http.post("/admin/documents", data={"csrf": csrf}, files={"file": ("laporan.docx", b"PK rusak")})
        assert broken.status_code == 400 and "bukan berkas Word" in broken.json()["error"]
        too_big = http.post("/admin/documents", data={"csrf": csrf},
                            files={"file": ("besar.txt", b"kata " * 60_000)})
        assert too_big.status_code == 413 and "terlalu besar" in too_big.json()["error"]
        empty = http.post("/admin/documents", data={"csrf": csrf})
        assert empty.status_code == 400 and "Pilih berkas" in empty.json()["error"]
        seed = http.post("/admin/documents/voi-twin-cities/remove", data={"csrf": csrf})
        assert seed.status_code == 400 and "artikel bawaan" in seed.json()["error"]
        assert http.get("/admin/api/status").json()["chunks"] == count
    assert read_changes(assistant.settings.data_dir) == []


def test_a_forged_form_without_the_page_token_is_refused(admin):
    url, assistant = admin
    with (FIXTURES / "laporan-pekalongan-hoi-an-2024.docx").open("rb") as handle:
        resp = httpx.post(f"{url}/admin/documents", auth=("budi", TOKEN), data={"csrf": "0" * 64},
                          files={"file": ("laporan.docx", handle)}, headers={"Accept": "application/json"})
    assert resp.status_code == 403 and "Formulir" in resp.json()["error"]
    assert not (assistant.settings.corpus_dir / "documents").exists()


def test_page_escapes_document_titles(admin):
    url, _ = admin
    md = b"---\ntitle: \"<script>alert(1)</script> Catatan\"\n---\nKota Pekalongan menjalin kerja sama batik dengan Kota Hoi An sejak 2019.\n"
    with httpx.Client(base_url=url, auth=("budi", TOKEN), timeout=60) as http:
        csrf = _csrf(http.get("/admin").text)
        assert http.post("/admin/documents", data={"csrf": csrf}, files={"file": ("catatan.md", md)}).status_code == 303
        page = http.get("/admin").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; Catatan" in page


def test_settings_read_the_admin_token_and_refuse_a_short_one():
    from assistant.errors import ConfigError

    settings = Settings.from_env({"ASSISTANT_ADMIN_TOKEN": TOKEN, "ASSISTANT_MAX_UPLOAD_MB": "5"})
    assert settings.admin_token == TOKEN and settings.admin_user == "admin"
    assert settings.max_upload_bytes == 5 * 1024 * 1024
    assert Settings.from_env({}).admin_token is None
    with pytest.raises(ConfigError, match="terlalu pendek"):
        Settings.from_env({"ASSISTANT_ADMIN_TOKEN": "pendek"})


def test_only_the_admin_form_paths_skip_the_gradio_body_guard():
    from assistant.edge import ADMIN_FORMS

    assert ADMIN_FORMS.fullmatch("/admin/documents") and ADMIN_FORMS.fullmatch("/admin/documents/kendari-2/remove")
    for path in ("/admin/documents/../gradio_api/queue/join", "/admin/documents/x/remove/extra", "/gradio_api/upload",
                 "/admin", "/admin/documentsx", "/x/admin/documents"):
        assert not ADMIN_FORMS.fullmatch(path), path
