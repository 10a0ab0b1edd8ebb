"""`assistant records import`: validate with the loader, show the diff, apply only with --apply,
and never let a bad row replace good data."""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from assistant.changelog import read_changes
from assistant.cli import main
from assistant.errors import AssistantError
from assistant.records import RecordStore
from assistant.records_import import apply_import, check_import

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SUMMARY = "relationships_summary.csv"


@pytest.fixture
def records_dir(tmp_path):
    target = tmp_path / "corpus" / "records"
    shutil.copytree(PROJECT_ROOT / "corpus" / "records", target)
    return target


def _rows(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict]) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _new_row(base: dict, partner: str, country: str) -> dict:
    return {**base, "partner_city": partner, "partner_country": country, "year": "2024", "year_values_seen": "",
            "n_sources": "1", "source_types": "official", "source_urls": "https://kendarikota.go.id/berita/sister-city"}


def _edited_summary(records_dir: Path, tmp_path: Path, *, bad: bool = False) -> Path:
    """Current table + 3 new pairs, 1 changed year (+ one broken row when bad=True)."""
    header, rows = _rows(records_dir / SUMMARY)
    base = dict(rows[0])
    rows.append(_new_row(base, "Townsville", "Australia"))
    rows.append(_new_row(base, "Cairns", "Australia"))
    rows.append(_new_row(base, "Hoi An", "Vietnam"))
    rows[1] = {**rows[1], "confidence": "tinggi" if rows[1]["confidence"] != "tinggi" else "sedang"}
    if bad:
        rows.append({**_new_row(base, "Nordhorn", "Jerman"), "year": "dua ribu", "confidence": "pasti"})
    return _write(tmp_path / "relationships-baru.csv", header, rows)


def test_the_diff_counts_new_changed_and_removed_rows(records_dir, tmp_path):
    check = check_import(_edited_summary(records_dir, tmp_path), records_dir)
    assert check.table == SUMMARY and check.ok
    assert check.diff.summary() == "3 baru, 1 berubah, 0 dihapus"
    assert any(line.startswith("  + ambon--townsville") for line in check.diff.lines())
    assert any("confidence" in line and line.startswith("  ~ ") for line in check.diff.lines())
    header, rows = _rows(records_dir / SUMMARY)
    fewer = _write(tmp_path / "lebih-sedikit.csv", header, rows[1:])
    assert check_import(fewer, records_dir).diff.summary() == "0 baru, 0 berubah, 1 dihapus"


def test_bad_rows_are_reported_by_file_and_line_and_nothing_is_applied(records_dir, tmp_path):
    source = _edited_summary(records_dir, tmp_path, bad=True)
    before = (records_dir / SUMMARY).read_bytes()
    check = check_import(source, records_dir)
    assert not check.ok
    line = len(_rows(source)[1]) + 1  # header is line 1
    assert len(check.errors) == 1 and check.errors[0].startswith(f"relationships-baru.csv:{line}: ")
    assert "tahun" in check.errors[0] and "confidence" in check.errors[0]
    with pytest.raises(AssistantError, match="tidak valid; tidak diterapkan"):
        apply_import(check, records_dir, tmp_path / "data")
    assert (records_dir / SUMMARY).read_bytes() == before
    assert read_changes(tmp_path / "data") == []


def test_apply_replaces_the_table_keeps_the_old_one_and_logs(records_dir, tmp_path):
    source = _edited_summary(records_dir, tmp_path)
    before = (records_dir / SUMMARY).read_bytes()
    backup = apply_import(check_import(source, records_dir), records_dir, tmp_path / "data")
    assert (records_dir / SUMMARY).read_bytes() == source.read_bytes()
    assert backup.read_bytes() == before
    store, errors = RecordStore.load(records_dir)
    assert errors == [] and store.pair("ambon", "Townsville") is not None
    entry = read_changes(tmp_path / "data")[-1]
    assert entry["action"] == "records-import" and (entry["new"], entry["changed"], entry["removed"]) == (3, 1, 0)


def test_duplicate_rows_and_unknown_headers_are_refused(records_dir, tmp_path):
    header, rows = _rows(records_dir / SUMMARY)
    dup = _write(tmp_path / "dobel.csv", header, rows + [rows[5]])
    check = check_import(dup, records_dir)
    assert not check.ok and any("muncul dua kali" in e for e in check.errors)
    other = tmp_path / "lain.csv"
    other.write_text("nama,alamat\nBudi,Jl. Mawar\n", encoding="utf-8")
    with pytest.raises(AssistantError, match="lain.csv:1: header tidak cocok"):
        check_import(other, records_dir)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(",".join(header).encode() + b"\n" + "Café".encode("cp1252") + b"\n")
    with pytest.raises(AssistantError, match="bukan teks UTF-8"):
        check_import(latin, records_dir)


def test_cli_dry_run_then_apply(records_dir, tmp_path, monkeypatch, capsys):
    corpus = records_dir.parent
    for name in ("articles",):
        shutil.copytree(PROJECT_ROOT / "corpus" / name, corpus / name)
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    bad = _edited_summary(records_dir, tmp_path, bad=True)
    assert main(["records", "import", str(bad), "--apply"]) == 2
    out, err = capsys.readouterr()
    assert "relationships-baru.csv:" in err and "Tidak diterapkan" in err and "Traceback" not in err
    good = _edited_summary(records_dir, tmp_path)
    before = (records_dir / SUMMARY).read_bytes()
    assert main(["records", "import", str(good)]) == 0
    out = capsys.readouterr().out
    assert "Perubahan: 3 baru, 1 berubah, 0 dihapus" in out and "--apply" in out
    assert (records_dir / SUMMARY).read_bytes() == before  # a dry run changes nothing
