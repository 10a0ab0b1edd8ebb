"""`assistant records import FILE.csv [--apply]`: a new version of one record table, checked first.

The CSV is a complete new version of one of the three tables in corpus/records/ (which one is
told by its header). It is validated by the project's own loader (records.loading.load_tables, run on a
temporary copy of the records with this table swapped in), so every bad row is reported as
`FILE.csv:LINE: reason`. Then the difference with the current table is shown ("3 baru,
1 berubah, 0 dihapus"). Only with --apply, and only when every row is valid, is the table
replaced (the previous version is kept in data/records-backup/) and the change logged: a bad
row never replaces good data.
"""
from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .changelog import log_change
from .errors import AssistantError
from .records import slug
from .records.loading import (
    CANDIDATE_COLUMNS,
    CANDIDATES_FILE,
    RECORD_COLUMNS,
    RECORDS_FILE,
    SUMMARY_COLUMNS,
    SUMMARY_FILE,
    load_tables,
)

# Table file -> (its required columns, the columns that identify a row).
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    SUMMARY_FILE: (SUMMARY_COLUMNS, ("city_id", "partner_city")),
    RECORDS_FILE: (RECORD_COLUMNS, ("city_id", "partner_city", "source_url")),
    CANDIDATES_FILE: (CANDIDATE_COLUMNS, ("city_id", "partner_city", "source_url")),
}
BACKUP_DIR = "records-backup"
MAX_LISTED = 20  # rows of each kind spelled out in the printed diff


@dataclass
class RecordsDiff:
    """What importing the file would change in one table."""

    table: str
    new: list[str] = field(default_factory=list)
    changed: list[tuple[str, list[str]]] = field(default_factory=list)  # key, "kolom: lama → baru"
    removed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.new)} baru, {len(self.changed)} berubah, {len(self.removed)} dihapus"

    def lines(self) -> list[str]:
        """The diff, one row per line (+ new, ~ changed, - removed), long lists cut short."""
        out: list[str] = []
        for sign, keys in (("+", self.new), ("-", self.removed)):
            out += [f"  {sign} {key}" for key in keys[:MAX_LISTED]]
            if len(keys) > MAX_LISTED:
                out.append(f"  {sign} … dan {len(keys) - MAX_LISTED} lagi")
        for key, changes in self.changed[:MAX_LISTED]:
            out.append(f"  ~ {key}: {'; '.join(changes)}")
        if len(self.changed) > MAX_LISTED:
            out.append(f"  ~ … dan {len(self.changed) - MAX_LISTED} lagi")
        return out


@dataclass
class ImportCheck:
    """The result of checking one CSV: which table, its errors, and the diff of its rows."""

    source: Path
    table: str
    errors: list[str]  # "FILE.csv:LINE: reason"
    diff: RecordsDiff
    rows: int

    @property
    def ok(self) -> bool:
        return not self.errors


def _row_key(row: dict[str, str], key_columns: tuple[str, ...]) -> str:
    parts = [slug(row.get(c, "")) if c == "partner_city" else row.get(c, "").strip() for c in key_columns]
    return "--".join(parts)


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in (reader.fieldnames or [])]
        rows = []
        for row in reader:
            cleaned = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None and isinstance(v, str)}
            rows.append((reader.line_num, cleaned))
    return header, rows


def detect_table(header: list[str], name: str) -> str:
    """Which table a CSV header belongs to, or AssistantError listing the accepted headers."""
    for table, (columns, _) in TABLES.items():
        if set(columns) <= set(header):
            return table
    expected = "; ".join(f"{t}: {', '.join(c)}" for t, (c, _) in TABLES.items())
    raise AssistantError(f"{name}:1: header tidak cocok dengan tabel data mana pun. Kolom yang dibutuhkan — {expected}.")


def check_import(source: Path, records_dir: Path) -> ImportCheck:
    """Validate the CSV with the records loader and diff it against the current table; writes nothing."""
    source = Path(source)
    name = source.name
    try:
        header, rows = _read_rows(source)
    except FileNotFoundError:
        raise AssistantError(f"{name}: berkas tidak ditemukan.") from None
    except UnicodeDecodeError:
        raise AssistantError(f"{name}: bukan teks UTF-8 (simpan ulang CSV-nya sebagai UTF-8).") from None
    except csv.Error as exc:
        raise AssistantError(f"{name}: CSV rusak ({exc}).") from None
    except OSError as exc:
        raise AssistantError(f"{name}: tidak bisa dibaca ({exc.strerror}).") from None
    table = detect_table(header, name)
    errors = _loader_errors(source, Path(records_dir), table)
    _, key_columns = TABLES[table]
    seen: dict[str, int] = {}
    for line, row in rows:
        key = _row_key(row, key_columns)
        if key in seen and not any(e.startswith(f"{name}:{line}:") for e in errors):
            errors.append(f"{name}:{line}: baris yang sama ({key}) sudah ada di baris {seen[key]}")
        seen.setdefault(key, line)
    errors.sort(key=lambda e: int(e.split(":")[1]) if e.split(":")[1].isdigit() else 0)
    current = Path(records_dir) / table
    old_rows = _read_rows(current)[1] if current.exists() else []
    return ImportCheck(source, table, errors, _diff(table, old_rows, rows, key_columns), len(rows))


def _loader_errors(source: Path, records_dir: Path, table: str) -> list[str]:
    """Errors the project's loader finds in this table when it replaces the current one."""
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp)
        for other in TABLES:
            if other != table and (records_dir / other).exists():
                shutil.copyfile(records_dir / other, trial / other)
        shutil.copyfile(source, trial / table)
        _, _, errors = load_tables(trial)
    # The loader names the table's own file; report them under the file the official gave.
    return [f"{source.name}{e.path[len(table):]}: {e.reason}" for e in errors if e.path.split(":")[0] == table]


def _diff(table: str, old: list[tuple[int, dict]], new: list[tuple[int, dict]],
          key_columns: tuple[str, ...]) -> RecordsDiff:
    before = {_row_key(r, key_columns): r for _, r in old}
    after = {_row_key(r, key_columns): r for _, r in new}
    diff = RecordsDiff(table)
    for key, row in after.items():
        if key not in before:
            diff.new.append(key)
            continue
        changes = [f"{col}: {before[key].get(col, '')!r} → {value!r}" for col, value in row.items()
                   if before[key].get(col, "") != value]
        if changes:
            diff.changed.append((key, changes))
    diff.removed = [key for key in before if key not in after]
    return diff


def apply_import(check: ImportCheck, records_dir: Path, data_dir: Path, actor: str = "cli") -> Path:
    """Replace the table with the checked file (previous version backed up) and log it."""
    if not check.ok:
        raise AssistantError(f"{check.source.name}: {len(check.errors)} baris tidak valid; tidak diterapkan. "
                             "Perbaiki barisnya lalu jalankan lagi.")
    records_dir, data_dir = Path(records_dir), Path(data_dir)
    target = records_dir / check.table
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = data_dir / BACKUP_DIR / f"{Path(check.table).stem}-{stamp}.csv"
    data = check.source.read_bytes()
    had_previous = target.exists()
    try:
        if had_previous:
            backup.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(target, backup)
        handle, temp = tempfile.mkstemp(dir=records_dir, prefix=".impor-", suffix=".csv")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, target)
    except OSError as exc:
        raise AssistantError(f"Tabel {target} tidak bisa ditulis: {exc.strerror}.") from None
    log_change(data_dir, actor, "records-import", table=check.table, source_file=check.source.name,
               sha256=hashlib.sha256(data).hexdigest(), rows=check.rows, new=len(check.diff.new),
               changed=len(check.diff.changed), removed=len(check.diff.removed),
               backup=str(backup) if had_previous else "")
    return backup

