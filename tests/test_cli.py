"""The `assistant` command line contract (used by acceptance checks), run as a real process."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(real_assistant, real_settings):
    env = dict(os.environ, ASSISTANT_INDEX_DIR=str(real_settings.index_dir),
               ASSISTANT_DATA_DIR=str(real_settings.data_dir), HF_HUB_OFFLINE="1")

    def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "assistant.cli", *args], env=env, capture_output=True,
                              text=True, input=stdin, timeout=300)

    return _run


def test_ask_json(run):
    out = run("ask", "--json", "Surabaya punya kota kembar apa aja?")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["question"] == "Surabaya punya kota kembar apa aja?" and data["refused"] is False
    busan = [c for c in data["citations"] if c["source_id"] == "record:surabaya--busan"]
    assert busan and busan[0]["url"].startswith("http") and "1994" in busan[0]["text"]


def test_ask_file_gives_one_json_object_per_line(run, tmp_path):
    questions = tmp_path / "q.txt"
    questions.write_text("apa itu sister city?\nresep rendang gimana?\n\nKota mana aja yang kembaran sama kota di Jepang?\n",
                         encoding="utf-8")
    out = run("ask", "--json", "--file", str(questions))
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["refused"] for r in rows] == [False, True, False]
    assert all(c["source_id"].startswith("record:") for c in rows[2]["citations"])


def test_retrieve_json(run):
    out = run("retrieve", "--json", "-k", "3", "sejarah kota kembar")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert len(data["hits"]) == 3
    assert [h["rank"] for h in data["hits"]] == [1, 2, 3]
    assert set(data["hits"][0]) == {"rank", "source_id", "chunk_id", "text", "score"}


def test_errors_are_one_indonesian_line_not_a_traceback(run, tmp_path):
    out = run("retrieve", "--json", "-k", "0", "x")
    assert out.returncode == 2 and "Galat:" in out.stderr and "Traceback" not in out.stderr
    out = run("ask", "--file", str(tmp_path / "tidak-ada.txt"))
    assert out.returncode == 2 and "tidak bisa dibaca" in out.stderr and "Traceback" not in out.stderr
    out = run("brief", "--city", "Kotaantahberantah", "--format", "md")
    assert out.returncode == 2 and "tidak ditemukan" in out.stderr


def test_brief_writes_docx(run, tmp_path):
    target = tmp_path / "surabaya.docx"
    out = run("brief", "--city", "Surabaya", "--format", "docx", "-o", str(target))
    assert out.returncode == 0, out.stderr
    from docx import Document

    doc = Document(str(target))
    assert any(p.style.name == "Heading 1" and "Hubungan kota kembar" in p.text for p in doc.paragraphs)
    # tables[0] is the details block (Tanggal, Pokok bahasan, ...); then Surabaya's relationships.
    assert len(doc.tables) == 2 and len(doc.tables[1].rows) == 12  # header + Surabaya's 11 relationships


def test_feedback_export(run, real_settings, tmp_path):
    from assistant.feedback import FeedbackStore

    store = FeedbackStore(real_settings.feedback_db)
    store.record("apa itu sister city?", "jawaban", "up", "mantap", "[]")
    target = tmp_path / "fb.csv"
    out = run("feedback", "export", "-o", str(target))
    assert out.returncode == 0, out.stderr
    assert "apa itu sister city?" in target.read_text(encoding="utf-8")
