"""Append-only log of every change to the knowledge (documents added/removed, records imported).

One JSON object per line in data/changes.jsonl: when, who ("cli", "admin:<user>"), what and
on which document. Lines are only ever appended, so the file is the audit trail an official
can hand over; nothing in the code rewrites or truncates it.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import threading
from pathlib import Path

from .errors import AssistantError

LOG_NAME = "changes.jsonl"
_lock = threading.Lock()


def log_path(data_dir: Path) -> Path:
    """Where the change log lives inside the data directory."""
    return Path(data_dir) / LOG_NAME


def log_change(data_dir: Path, actor: str, action: str, **details) -> dict:
    """Append one entry (flushed to disk before returning) and return it."""
    entry = {"time": _dt.datetime.now(_dt.timezone.utc).astimezone().isoformat(timespec="seconds"),
             "actor": actor, "action": action, **details}
    path = log_path(data_dir)
    line = json.dumps(entry, ensure_ascii=False, sort_keys=False) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _lock, path.open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise AssistantError(f"Log perubahan {path} tidak bisa ditulis: {exc.strerror}.") from None
    return entry


def read_changes(data_dir: Path, limit: int | None = None) -> list[dict]:
    """The logged entries, newest last (the last `limit` when given); unreadable lines are skipped."""
    path = log_path(data_dir)
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            entries.append(entry)
    return entries[-limit:] if limit else entries
