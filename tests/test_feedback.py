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


def _in_threads(work, n: int) -> list[BaseException]:
    """Run work(0..n-1) in n threads at once; the exceptions they raised."""
    errors: list[BaseException] = []

    def run(worker: int) -> None:
        try:
            work(worker)
        except BaseException as exc:  # noqa: BLE001 - returned to the test's assert
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_concurrent_thread_writes_lose_nothing(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    start = threading.Barrier(8)

    def writer(worker: int) -> None:
        start.wait()
        for i in range(50):
            store.record(f"q{worker}-{i}", "a", "up" if i % 2 else "down", None, CITATIONS)

    errors = _in_threads(writer, 8)
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


# --- idempotency, storage faults, PostgreSQL ---------------------------------------------------

from assistant.errors import StorageUnavailable  # noqa: E402
from assistant.feedback import FeedbackError, PostgresFeedbackStore  # noqa: E402


def test_a_repeated_idempotency_key_stores_one_row(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    first = store.record("q", "a", "up", None, None, idempotency_key="7d1e-retry")
    again = store.record("q", "a", "up", None, None, idempotency_key="7d1e-retry")
    other = store.record("q", "a", "up", None, None, idempotency_key="another")
    no_key = [store.record("q", "a", "down") for _ in range(2)]
    assert first == again != other
    assert store.count() == 4 and len(set(no_key)) == 2  # rows without a key are never merged


@pytest.mark.parametrize("key", ["", "a b", "x" * 201, "ключ"])
def test_bad_idempotency_keys_are_named(tmp_path, key):
    with pytest.raises(FeedbackError, match="Idempotency-Key"):
        FeedbackStore(tmp_path / "fb.sqlite3").record("q", "a", "up", idempotency_key=key)


def test_a_database_from_before_idempotency_keys_is_upgraded(tmp_path):
    db = tmp_path / "old.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, "
                     "rating TEXT NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL, comment TEXT, "
                     "citations_json TEXT NOT NULL DEFAULT '[]')")
        conn.execute("INSERT INTO feedback (created_at, rating, question, answer) VALUES ('2026', 'up', 'lama', 'a')")
    store = FeedbackStore(db)
    store.record("baru", "a", "down", idempotency_key="k")
    store.record("baru", "a", "down", idempotency_key="k")
    assert [r["question"] for r in store.rows()] == ["lama", "baru"]


def test_a_corrupt_database_is_storage_unavailable_not_a_validation_error(tmp_path):
    db = tmp_path / "fb.sqlite3"
    store = FeedbackStore(db)
    for suffix in ("", "-wal", "-shm"):
        path = db.with_name(db.name + suffix)
        if path.exists():
            path.write_bytes(b"\x00garbage" * 512)
    with pytest.raises(StorageUnavailable) as info:
        store.record("q", "a", "up")
    assert "penyimpanan" in info.value.message and "sqlite" not in info.value.message.lower()
    with pytest.raises(StorageUnavailable):
        store.check_writable()


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    """A real PostgreSQL server on a free loopback port (as the `postgres` user when run as root)."""
    from deploy.stack import Stack

    stack = Stack(tmp_path_factory.mktemp("pg"))
    stack.start_postgres()
    yield stack
    stack.down()


def test_postgres_store_records_dedupes_and_exports(postgres, tmp_path):
    store = PostgresFeedbackStore(postgres.database_url)
    before = store.count()
    first = store.record("Apa itu sister city?", "Kerja sama [1]", "up", "mantap 👍", CITATIONS, idempotency_key="pg-1")
    assert store.record("Apa itu sister city?", "Kerja sama [1]", "up", "mantap 👍", CITATIONS,
                        idempotency_key="pg-1") == first
    assert store.add_comment(first, "diubah") is True
    assert store.count() == before + 1
    row = next(r for r in store.rows() if r["id"] == first)
    assert row["comment"] == "diubah" and json.loads(row["citations_json"]) == CITATIONS
    assert store.export_csv(tmp_path / "pg.csv") == before + 1
    store.check_writable()


def test_postgres_concurrent_writes_lose_nothing(postgres):
    store = PostgresFeedbackStore(postgres.database_url)
    before = store.count()

    def writer(worker: int) -> None:
        for i in range(25):
            store.record(f"pg{worker}-{i}", "a", "up", None, None, idempotency_key=f"pg-con-{worker}-{i}")
            store.record(f"pg{worker}-{i}", "a", "up", None, None, idempotency_key=f"pg-con-{worker}-{i}")

    errors = _in_threads(writer, 8)
    assert errors == []
    assert store.count() == before + 200


def test_postgres_down_is_storage_unavailable_and_recovers(postgres):
    store = PostgresFeedbackStore(postgres.database_url)
    postgres.procs["postgres"].stop()
    try:
        with pytest.raises(StorageUnavailable) as info:
            store.record("q", "a", "up", idempotency_key="while-down")
        assert "Coba lagi" in info.value.message and "127.0.0.1" not in info.value.message
        with pytest.raises(StorageUnavailable):
            store.check_writable()
    finally:
        postgres.start_postgres()
    row_id = store.record("q", "a", "up", idempotency_key="while-down")  # the client's retry
    assert store.record("q", "a", "up", idempotency_key="while-down") == row_id
