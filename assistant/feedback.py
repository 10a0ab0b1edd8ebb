"""User feedback (👍/👎 + optional comment) on answers: SQLite by default, PostgreSQL when asked.

SQLite (`data/feedback.sqlite3`) serves one machine: one short-lived connection per operation
(sqlite3 connections must not be shared across threads), WAL so readers and one writer proceed
together, and a busy timeout so concurrent writers (threads or processes) wait for the lock.
PostgreSQL (`ASSISTANT_DATABASE_URL=postgresql://…`) serves replicas on several machines.

Both take an idempotency key: a client that retries a POST it never got an answer for (a replica
killed mid-request, a timeout) sends the same key and the row is stored once. A database that
cannot be written raises StorageUnavailable (the API answers 503), never a validation error.
"""
from __future__ import annotations

import csv
import json
import logging
import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .config import Settings
from .errors import AssistantError, OutputError, StorageUnavailable

log = logging.getLogger(__name__)

RATINGS = ("up", "down")
MAX_COMMENT_CHARS = 1_000
MAX_TEXT_CHARS = 20_000  # question/answer copies: bounded so one request cannot bloat the file
MAX_KEY_CHARS = 200
BUSY_TIMEOUT_S = 30.0
CONNECT_TIMEOUT_S = 5
COLUMNS = ("id", "created_at", "rating", "question", "answer", "comment", "citations_json")
UNAVAILABLE = "Umpan balik belum bisa disimpan karena penyimpanan sedang bermasalah. Coba lagi sebentar lagi ya."

_SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    comment TEXT,
    citations_json TEXT NOT NULL DEFAULT '[]'
)
"""
_POSTGRES_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id BIGSERIAL PRIMARY KEY,
    created_at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    comment TEXT,
    citations_json TEXT NOT NULL DEFAULT '[]',
    idempotency_key TEXT
)
"""
# NULL keys never collide, so rows posted without a key are all kept.
_KEY_INDEX = "CREATE UNIQUE INDEX IF NOT EXISTS feedback_idempotency_key ON feedback (idempotency_key)"


class FeedbackError(AssistantError):
    """Feedback the store refuses (bad rating, comment too long, unreadable citations)."""


class _SqlFeedbackStore:
    """What both databases share; subclasses open connections and name their driver's errors."""

    placeholder = "?"
    driver_errors: tuple[type[BaseException], ...] = ()
    where = ""

    def _connect(self) -> Any:
        raise NotImplementedError

    def _unavailable(self, exc: BaseException, action: str) -> StorageUnavailable:
        # The driver's message names files and hosts: it goes to the log, not to the user.
        log.error("feedback %s failed on %s: %s: %s", action, self.where, type(exc).__name__, exc)
        return StorageUnavailable(UNAVAILABLE)

    def _sql(self, statement: str) -> str:
        return statement.replace("?", self.placeholder)

    def record(self, question: str, answer: str, rating: str, comment: str | None = None,
               citations_json: str | list | None = None, idempotency_key: str | None = None) -> int:
        """Validate and store one feedback row; returns its id (the first row's id for a repeated key)."""
        rating, comment, citations = validate_feedback(question, answer, rating, comment, citations_json)
        key = validate_idempotency_key(idempotency_key)
        created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        try:
            with closing(self._connect()) as conn, conn:
                row = conn.execute(
                    self._sql("INSERT INTO feedback (created_at, rating, question, answer, comment, citations_json,"
                              " idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?)"
                              " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"),
                    (created, rating, question, answer, comment, citations, key),
                ).fetchone()
                if row is None:  # the key was seen before: this is a retry of a stored request
                    row = conn.execute(self._sql("SELECT id FROM feedback WHERE idempotency_key = ?"), (key,)).fetchone()
                return int(row[0])
        except self.driver_errors as exc:
            raise self._unavailable(exc, "insert") from None

    def add_comment(self, row_id: int, comment: str | None) -> bool:
        """Attach a comment to an existing row (the UI rates first, comments after); False if no such row."""
        _, comment, _ = validate_feedback("", "", "up", comment, None)
        try:
            with closing(self._connect()) as conn, conn:
                cur = conn.execute(self._sql("UPDATE feedback SET comment = ? WHERE id = ?"), (comment, int(row_id)))
                return cur.rowcount == 1
        except self.driver_errors as exc:
            raise self._unavailable(exc, "update") from None

    def count(self) -> int:
        """Number of stored feedback rows."""
        try:
            with closing(self._connect()) as conn:
                return int(conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])
        except self.driver_errors as exc:
            raise self._unavailable(exc, "count") from None

    def rows(self) -> list[dict]:
        """All rows, oldest first, as dicts keyed by COLUMNS."""
        try:
            with closing(self._connect()) as conn:
                cur = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id")
                return [dict(zip(COLUMNS, row)) for row in cur.fetchall()]
        except self.driver_errors as exc:
            raise self._unavailable(exc, "read") from None

    def check_writable(self) -> None:
        """Raise StorageUnavailable unless a row could be written right now (readiness checks)."""
        raise NotImplementedError

    def export_csv(self, path: Path | str) -> int:
        """Write every row to a UTF-8 CSV (header + rows); returns the number of rows written."""
        path = Path(path)
        rows = self.rows()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # utf-8-sig so spreadsheet apps open Indonesian text and emoji correctly.
            with path.open("w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=COLUMNS)
                writer.writeheader()
                writer.writerows(rows)
        except OSError as exc:
            raise OutputError(f"Berkas {path} tidak bisa ditulis: {exc.strerror or exc}") from None
        return len(rows)


class FeedbackStore(_SqlFeedbackStore):
    """Append-only feedback table in one SQLite file; safe for threads and processes."""

    driver_errors = (sqlite3.Error, OSError)

    def __init__(self, db_path: Path | str) -> None:
        self.db_path = Path(db_path)
        self.where = str(self.db_path)
        try:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as conn:
                # WAL is a property of the file, so setting it once here persists for all connections.
                conn.execute("PRAGMA journal_mode=WAL")
                with conn:
                    conn.execute(_SQLITE_SCHEMA)
                    columns = {row[1] for row in conn.execute("PRAGMA table_info(feedback)")}
                    if "idempotency_key" not in columns:  # a database from before idempotency keys
                        conn.execute("ALTER TABLE feedback ADD COLUMN idempotency_key TEXT")
                    conn.execute(_KEY_INDEX)
        except (OSError, sqlite3.Error) as exc:
            log.error("feedback database %s cannot be opened: %s", self.db_path, exc)
            raise StorageUnavailable(UNAVAILABLE, detail=(
                f"Database umpan balik {self.db_path} tidak bisa dibuka atau ditulis "
                f"({exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__}). "
                "Periksa izin folder ASSISTANT_DATA_DIR."
            )) from None

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path, timeout=BUSY_TIMEOUT_S)
        conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        # NORMAL is durable across application crashes in WAL mode and much faster than FULL.
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def check_writable(self) -> None:
        try:
            with closing(self._connect()) as conn:
                conn.execute("BEGIN IMMEDIATE")  # takes the write lock, writes nothing
                conn.execute("ROLLBACK")
        except self.driver_errors as exc:
            raise self._unavailable(exc, "check") from None


class PostgresFeedbackStore(_SqlFeedbackStore):
    """The same table on a PostgreSQL server, for replicas that do not share a disk."""

    placeholder = "%s"

    def __init__(self, url: str) -> None:
        import psycopg  # only deployments that use PostgreSQL need the driver loaded

        self._psycopg = psycopg
        self.driver_errors = (psycopg.Error, OSError)
        self.url = url
        self.where = _redact(url)
        try:
            with closing(self._connect()) as conn, conn:
                conn.execute(_POSTGRES_SCHEMA)
                conn.execute(_KEY_INDEX)
        except self._psycopg.errors.UniqueViolation:
            pass  # two replicas created the table at the same moment: it exists now
        except self.driver_errors as exc:
            raise self._unavailable(exc, "open") from None

    def _connect(self) -> Any:
        # One connection per operation, like SQLite: a restarted server needs no reconnect logic.
        return self._psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT_S,
                                     options="-c statement_timeout=10000")

    def check_writable(self) -> None:
        try:
            with closing(self._connect()) as conn:
                row = conn.execute("SELECT has_table_privilege('feedback', 'INSERT'), pg_is_in_recovery()").fetchone()
        except self.driver_errors as exc:
            raise self._unavailable(exc, "check") from None
        if not row[0] or row[1]:
            raise StorageUnavailable(UNAVAILABLE)


def _redact(url: str) -> str:
    """The URL without its password, for logs."""
    head, _, tail = url.rpartition("@")
    if not head:
        return url
    scheme, _, userinfo = head.partition("://")
    return f"{scheme}://{userinfo.split(':')[0]}:***@{tail}"


def open_feedback_store(settings: Settings) -> FeedbackStore | PostgresFeedbackStore:
    """PostgreSQL when ASSISTANT_DATABASE_URL is set, else SQLite in the data dir."""
    if settings.database_url:
        return PostgresFeedbackStore(settings.database_url)
    return FeedbackStore(settings.feedback_db)


def validate_idempotency_key(key: object) -> str | None:
    """An Idempotency-Key is optional; when sent it is 1..200 visible ASCII characters."""
    if key is None:
        return None
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_CHARS or not all(33 <= ord(c) < 127 for c in key):
        raise FeedbackError(f"Idempotency-Key harus 1–{MAX_KEY_CHARS} karakter ASCII tanpa spasi "
                            "(misalnya sebuah UUID).")
    return key


def validate_feedback(question: object, answer: object, rating: object, comment: object,
                      citations_json: object) -> tuple[str, str | None, str]:
    """Check feedback fields; returns (rating, comment or None, citations as a JSON string)."""
    if rating not in RATINGS:
        raise FeedbackError(f"Penilaian harus \"up\" (👍) atau \"down\" (👎), bukan {rating!r}.")
    for name, value in (("Pertanyaan", question), ("Jawaban", answer)):
        if not isinstance(value, str):
            raise FeedbackError(f"{name} pada umpan balik harus berupa teks.")
        if len(value) > MAX_TEXT_CHARS:
            raise FeedbackError(f"{name} pada umpan balik terlalu panjang (maksimal {MAX_TEXT_CHARS} karakter).")
    if comment is not None and not isinstance(comment, str):
        raise FeedbackError("Komentar harus berupa teks.")
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > MAX_COMMENT_CHARS:
        raise FeedbackError(
            f"Komentarnya kepanjangan ({len(comment)} karakter, maksimal {MAX_COMMENT_CHARS}). Coba diringkas ya."
        )
    if citations_json is None:
        citations = "[]"
    elif isinstance(citations_json, str):
        try:
            json.loads(citations_json)
        except ValueError:
            raise FeedbackError("Daftar sumber pada umpan balik bukan JSON yang valid.") from None
        citations = citations_json
    else:
        try:
            citations = json.dumps(citations_json, ensure_ascii=False)
        except (TypeError, ValueError):
            raise FeedbackError("Daftar sumber pada umpan balik tidak bisa disimpan sebagai JSON.") from None
    if len(citations) > MAX_TEXT_CHARS * 4:
        raise FeedbackError("Daftar sumber pada umpan balik terlalu panjang.")
    return rating, comment, citations


def export_feedback(settings: Settings, out_path: Path | str) -> int:
    """CLI entry (`assistant feedback export -o FILE`): all feedback to CSV; returns rows written."""
    return open_feedback_store(settings).export_csv(out_path)
