"""FeedbackStore: persistence, concurrency (threads and processes), CSV export, validation."""
from __future__ import annotations

import csv
import json
import multiprocessing
import sqlite3
import threading

import pytest

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.feedback import MAX_COMMENT_CHARS, FeedbackStore, export_feedback

CITATIONS = [{"n": 1, "source_id": "record:surabaya--busan", "title": "Surabaya", "url": "https://x.org"}]


def test_feedback_survives_reopen(tmp_path):
    db = tmp_path / "data" / "feedback.sqlite3"
    first = FeedbackStore(db)
    row_id = first.record("Apa itu sister city?", "Kerja sama dua kota [1]", "up", "mantap 👍", json.dumps(CITATIONS))
    del first

    reopened = FeedbackStore(db)
    rows = reopened.rows()
    assert [r["id"] for r in rows] == [row_id]
    assert rows[0]["comment"] == "mantap 👍"
    assert json.loads(rows[0]["citations_json"]) == CITATIONS
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_concurrent_thread_writes_lose_nothing(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def writer(worker: int) -> None:
        try:
            start.wait()
            for i in range(50):
                store.record(f"q{worker}-{i}", "a", "up" if i % 2 else "down", None, CITATIONS)
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    questions = {r["question"] for r in store.rows()}
    assert len(questions) == 400
    assert questions == {f"q{w}-{i}" for w in range(8) for i in range(50)}


def _process_writer(db: str, worker: int) -> None:
    store = FeedbackStore(db)
    for i in range(25):
        store.record(f"p{worker}-{i}", "a", "down", "komentar", None)


def test_concurrent_process_writes_lose_nothing(tmp_path):
    db = str(tmp_path / "fb.sqlite3")
    FeedbackStore(db)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_process_writer, args=(db, w)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    assert FeedbackStore(db).count() == 100


def test_export_csv_writes_every_row(tmp_path):
    settings = Settings().with_(data_dir=tmp_path / "data")
    store = FeedbackStore(settings.feedback_db)
    store.record("Surabaya kembar sama siapa?", "Busan [1]", "up", None, CITATIONS)
    store.record('Pertanyaan "aneh", dengan koma\nbaris baru', "Maaf [1]", "down", "kurang pas", "[]")

    out = tmp_path / "export" / "feedback.csv"
    assert export_feedback(settings, out) == 2

    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["rating"] for r in rows] == ["up", "down"]
    assert rows[1]["question"] == 'Pertanyaan "aneh", dengan koma\nbaris baru'
    assert rows[1]["comment"] == "kurang pas"
    assert rows[0]["comment"] == ""
    assert json.loads(rows[0]["citations_json"]) == CITATIONS


def test_bad_rating_gets_indonesian_message(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    with pytest.raises(AssistantError) as info:
        store.record("q", "a", "meh", None, None)
    assert "Penilaian harus" in info.value.message and "'meh'" in info.value.message
    assert store.count() == 0


def test_comment_too_long_rejected_blank_comment_stored_as_none(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    with pytest.raises(AssistantError) as info:
        store.record("q", "a", "down", "x" * (MAX_COMMENT_CHARS + 1), None)
    assert "kepanjangan" in info.value.message
    store.record("q", "a", "down", "   ", None)
    assert store.rows()[0]["comment"] is None


def test_invalid_citations_json_rejected(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    with pytest.raises(AssistantError, match="bukan JSON"):
        store.record("q", "a", "up", None, "{not json")


def test_unwritable_export_path_is_an_error_not_a_traceback(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(AssistantError, match="tidak bisa ditulis"):
        store.export_csv(blocker / "sub" / "out.csv")


def test_comment_added_after_rating(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    row_id = store.record("q", "a", "down", None, None)
    assert store.add_comment(row_id, "sumbernya kurang pas") is True
    assert store.rows()[0]["comment"] == "sumbernya kurang pas"
    assert store.add_comment(row_id + 99, "x") is False
