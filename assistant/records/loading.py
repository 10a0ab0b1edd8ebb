"""Read and validate the three record tables in corpus/records/ (columns as in the source data README, ../shared/data/README.md).

  relationships_summary.csv   one merged row per relationship (what we state as fact, with caveats)
  records.csv                 one row per (relationship, source): the evidence behind each one
  candidates_unverified.csv   pairs seen only in weak sources or plans: never stated as fact

Every row is validated on its own; a bad row becomes a CorpusError naming file, line and reason
("records.csv:14: tahun harus kosong atau 4 angka") and the other rows still load, so one typo
never empties the records.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

from ..errors import CorpusError
from .model import Candidate, Relationship, Source, slug

SUMMARY_FILE = "relationships_summary.csv"
RECORDS_FILE = "records.csv"
CANDIDATES_FILE = "candidates_unverified.csv"

SUMMARY_COLUMNS = (
    "city_id", "city_name", "province", "partner_city", "partner_country", "year", "year_values_seen",
    "focus", "status", "confidence", "n_sources", "source_types", "source_urls",
)
RECORD_COLUMNS = ("city_id", "province", "partner_city", "partner_country", "year", "focus", "source_url",
                  "source_title")
CANDIDATE_COLUMNS = ("city_id", "province", "partner_city", "partner_country", "status", "note", "source_url",
                     "source_title")
CONFIDENCE_LEVELS = ("tinggi", "sedang", "rendah")

_YEAR = re.compile(r"^\d{4}$")
_CITY_ID = re.compile(r"^[a-z0-9_]+$")


def load_tables(records_dir: Path) -> tuple[list[Relationship], list[Candidate], list[CorpusError]]:
    """Relationships (with their sources) and candidates; bad rows are reported and skipped, never fatal."""
    records_dir = Path(records_dir)
    errors: list[CorpusError] = []
    summary = _load_summary(records_dir / SUMMARY_FILE, errors)
    sources = _load_sources(records_dir / RECORDS_FILE, summary, errors)
    relationships = [
        Relationship(**{**fields, "sources": tuple(sources.get(rel_id, ()))}) for rel_id, fields in summary.items()
    ]
    names = {r.city_id: r.city_name for r in relationships}
    candidates = _load_candidates(records_dir / CANDIDATES_FILE, names, errors)
    return relationships, candidates, errors


def _read_table(path: Path, columns: tuple[str, ...], errors: list[CorpusError]) -> list[tuple[int, dict]]:
    """(line number, row) for every data row; file-level problems become one error and no rows."""
    name = path.name
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [c for c in columns if c not in header]
            if missing:
                errors.append(CorpusError(f"{name}:1", f"kolom wajib tidak ada: {', '.join(missing)}"))
                return []
            rows = []
            for row in reader:
                rows.append((reader.line_num, row))
            return rows
    except FileNotFoundError:
        errors.append(CorpusError(name, "berkas tidak ditemukan"))
    except UnicodeDecodeError:
        errors.append(CorpusError(name, "bukan teks UTF-8"))
    except csv.Error as exc:
        errors.append(CorpusError(name, f"CSV rusak ({exc})"))
    except OSError as exc:
        errors.append(CorpusError(name, f"tidak bisa dibaca ({exc.strerror})"))
    return []


def _clean(row: dict) -> dict[str, str]:
    # A short row gives None for missing cells; an over-long one puts extras under the None key.
    return {k: (v or "").strip() for k, v in row.items() if k is not None and not isinstance(v, list)}


def _row_problems(row: dict[str, str], raw: dict, required: tuple[str, ...], url_column: str = "") -> list[str]:
    """Indonesian reasons a row is unusable (checks shared by the three tables)."""
    problems = []
    if None in raw:
        problems.append("jumlah kolom lebih banyak dari header")
    empty = [c for c in required if not row.get(c)]
    if empty:
        problems.append(f"kolom kosong: {', '.join(empty)}")
    if row.get("city_id") and not _CITY_ID.match(row["city_id"]):
        problems.append(f"city_id tidak valid: {row['city_id']!r} (hanya huruf kecil, angka, _)")
    if row.get("year") and not _YEAR.match(row["year"]):
        problems.append(f"tahun harus kosong atau 4 angka, bukan {row['year']!r}")
    url_problem = _url_problem(row[url_column]) if row.get(url_column) else None
    if url_problem:
        problems.append(url_problem)
    return problems


def _url_problem(url: str) -> str | None:
    if not url.startswith(("http://", "https://")):
        return f"URL sumber harus diawali http: {url[:60]!r}"
    return None


def _load_summary(path: Path, errors: list[CorpusError]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    required = ("city_id", "city_name", "province", "partner_city", "partner_country", "status",
                "confidence", "n_sources", "source_urls")
    for line, raw in _read_table(path, SUMMARY_COLUMNS, errors):
        row = _clean(raw)
        problems = _row_problems(row, raw, required)
        if row.get("confidence") and row["confidence"] not in CONFIDENCE_LEVELS:
            problems.append(f"confidence harus tinggi/sedang/rendah, bukan {row['confidence']!r}")
        seen = tuple(y for y in row.get("year_values_seen", "").split("|") if y)
        if any(not _YEAR.match(y) for y in seen):
            problems.append(f"year_values_seen harus tahun 4 angka dipisah '|': {row['year_values_seen']!r}")
        if row.get("n_sources") and not (row["n_sources"].isdigit() and int(row["n_sources"]) > 0):
            problems.append(f"n_sources harus angka lebih dari 0, bukan {row['n_sources']!r}")
        urls = tuple(u.strip() for u in row.get("source_urls", "").split(" | ") if u.strip())
        problems += [p for p in (_url_problem(u) for u in urls) if p]
        rel_id = f"{row.get('city_id', '')}--{slug(row.get('partner_city', ''))}"
        if not problems and rel_id in out:
            problems.append(f"hubungan {rel_id} muncul dua kali")
        if problems:
            errors.append(CorpusError(f"{path.name}:{line}", "; ".join(problems)))
            continue
        out[rel_id] = dict(
            rel_id=rel_id,
            city_id=row["city_id"],
            city_name=row["city_name"],
            province=row["province"],
            partner_city=row["partner_city"],
            partner_country=row["partner_country"],
            year=row.get("year", ""),
            year_values_seen=seen,
            focus=tuple(f.strip() for f in row.get("focus", "").split(";") if f.strip()),
            status=row["status"],
            confidence=row["confidence"],
            n_sources=int(row["n_sources"]),
            source_types=tuple(t for t in row.get("source_types", "").split("|") if t),
            source_urls=urls,
        )
    return out


def _load_sources(path: Path, summary: dict[str, dict], errors: list[CorpusError]) -> dict[str, list[Source]]:
    out: dict[str, list[Source]] = {}
    required = ("city_id", "partner_city", "partner_country", "source_url", "source_title")
    for line, raw in _read_table(path, RECORD_COLUMNS, errors):
        row = _clean(raw)
        problems = _row_problems(row, raw, required, url_column="source_url")
        rel_id = f"{row.get('city_id', '')}--{slug(row.get('partner_city', ''))}"
        # Evidence for a relationship the summary doesn't have would be cited for nothing.
        if not problems and summary and rel_id not in summary:
            problems.append(f"hubungan {rel_id} tidak ada di {SUMMARY_FILE}")
        if problems:
            errors.append(CorpusError(f"{path.name}:{line}", "; ".join(problems)))
            continue
        out.setdefault(rel_id, []).append(
            Source(url=row["source_url"], title=row["source_title"], year=row.get("year", ""),
                   focus=row.get("focus", ""))
        )
    return out


def _load_candidates(path: Path, names: dict[str, str], errors: list[CorpusError]) -> list[Candidate]:
    out: list[Candidate] = []
    required = ("city_id", "province", "partner_city", "status", "source_url", "source_title")
    for line, raw in _read_table(path, CANDIDATE_COLUMNS, errors):
        row = _clean(raw)
        problems = _row_problems(row, raw, required, url_column="source_url")
        if problems:
            errors.append(CorpusError(f"{path.name}:{line}", "; ".join(problems)))
            continue
        city_id = row["city_id"]
        out.append(
            Candidate(
                cand_id=f"{city_id}--{slug(row['partner_city'])}",
                city_id=city_id,
                # Cities that appear only here have no city_name column: derive it from the id.
                city_name=names.get(city_id) or city_id.replace("_", " ").title(),
                province=row["province"],
                partner_city=row["partner_city"],
                partner_country=row.get("partner_country", ""),
                status=row["status"],
                note=row.get("note", ""),
                source_url=row["source_url"],
                source_title=row["source_title"],
            )
        )
    return out
