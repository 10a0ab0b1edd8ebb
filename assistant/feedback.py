"""User feedback (👍/👎 + optional comment) on answers, stored in SQLite.

One short-lived connection per operation: sqlite3 connections must not be shared across
threads, and opening one is cheap next to answering a question. WAL mode lets readers and one
writer proceed together; the busy timeout makes concurrent writers (threads or processes)
wait for the lock instead of failing with "database is locked".
"""
from __future__ import annotations

import csv
import json
import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

from .config import Settings
from .errors import AssistantError, OutputError

RATINGS = ("up", "down")
MAX_COMMENT_CHARS = 1_000
MAX_TEXT_CHARS = 20_000  # question/answer copies: bounded so one request cannot bloat the file
BUSY_TIMEOUT_S = 30.0
COLUMNS = ("id", "created_at", "rating", "question", "answer", "comment", "citations_json")

_SCHEMA = """
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


class FeedbackError(AssistantError):
    """Feedback the store refuses (bad rating, comment too long, unreadable citations)."""


class FeedbackStore:
    """Append-only feedback table in one SQLite file; safe for threads and processes."""

    def __init__(self, db_path: Path | str) -> None:
        self.db_path = Path(db_path)
        try:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as conn:
                # WAL is a property of the file, so setting it once here persists for all connections.
                conn.execute("PRAGMA journal_mode=WAL")
                with conn:
                    conn.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise AssistantError(f"Database umpan balik {self.db_path} tidak bisa dibuka: {exc}") from None

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path, timeout=BUSY_TIMEOUT_S)
        conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        # NORMAL is durable across application crashes in WAL mode and much faster than FULL.
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def record(self, question: str, answer: str, rating: str, comment: str | None = None,
               citations_json: str | list | None = None) -> int:
        """Validate and store one feedback row; returns its id."""
        rating, comment, citations = validate_feedback(question, answer, rating, comment, citations_json)
        created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        try:
            with closing(self._connect()) as conn, conn:
                cur = conn.execute(
                    "INSERT INTO feedback (created_at, rating, question, answer, comment, citations_json)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (created, rating, question, answer, comment, citations),
                )
                return int(cur.lastrowid)
        except sqlite3.Error as exc:
            raise AssistantError(f"Umpan balik belum bisa disimpan, coba lagi sebentar ya. ({exc})") from None

    def add_comment(self, row_id: int, comment: str | None) -> bool:
        """Attach a comment to an existing row (the UI rates first, comments after); False if no such row."""
        _, comment, _ = validate_feedback("", "", "up", comment, None)
        try:
            with closing(self._connect()) as conn, conn:
                cur = conn.execute("UPDATE feedback SET comment = ? WHERE id = ?", (comment, int(row_id)))
                return cur.rowcount == 1
        except sqlite3.Error as exc:
            raise AssistantError(f"Komentar belum bisa disimpan, coba lagi sebentar ya. ({exc})") from None

    def count(self) -> int:
        """Number of stored feedback rows."""
        with closing(self._connect()) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])

    def rows(self) -> list[dict]:
        """All rows, oldest first, as dicts keyed by COLUMNS."""
        with closing(self._connect()) as conn:
            cur = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id")
            return [dict(zip(COLUMNS, row)) for row in cur.fetchall()]

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
    return FeedbackStore(settings.feedback_db).export_csv(out_path)
