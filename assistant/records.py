"""Structured sister-city facts: load and validate the record tables, resolve place names, query.

Three CSV files in corpus/records/ (see /work/shared/data/README.md):
  relationships_summary.csv   one merged row per relationship (what we state as fact, with caveats)
  records.csv                 one row per (relationship, source): the evidence behind each one
  candidates_unverified.csv   pairs seen only in weak sources or plans: never stated as fact

Every row is validated on its own; a bad row becomes a CorpusError naming file, line and reason
and the other rows still load, so one typo never empties the records.
"""
from __future__ import annotations

import csv
import difflib
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

from .errors import CorpusError
from .schema import Chunk

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

# How a source type is named to a user (source_types in the summary table).
SOURCE_TYPE_NAMES = {
    "official": "situs resmi",
    "news": "berita",
    "blog": "blog",
    "wikipedia-derived": "daftar Wikipedia",
    "wikidata-derived": "crawl Wikidata 2016",
    "academic": "tulisan akademik",
    "document": "dokumen",
    "forum": "forum",
}


def slug(text: str) -> str:
    """NFKD -> ascii, lowercase, runs of non-alphanumerics -> "-", trimmed (the rel_id scheme)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def fold(text: str) -> str:
    """Lowercase ascii form of a token, for matching names however they are typed."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


def strip_parenthetical(name: str) -> str:
    """ "Surakarta (Solo)" -> "Surakarta": the name a person would type."""
    return re.sub(r"\s*\([^)]*\)", "", name).strip()


def source_label(url: str) -> str:
    """A short, human name for a source URL (the two GitHub scrapes get their real origin)."""
    if "Hekman/twincities" in url:
        return "daftar Wikipedia (CC BY-SA)"
    if "L3viathan/sister-cities" in url:
        return "crawl Wikidata 2016 (CC0)"
    host = urlparse(url).netloc.lower()
    return host[4:] if host.startswith("www.") else host or url


# ---------------------------------------------------------------------------------------------
# Value types


@dataclass(frozen=True)
class Source:
    """One row of records.csv: a page that mentions the relationship."""

    url: str
    title: str
    year: str
    focus: str

    @property
    def label(self) -> str:
        return source_label(self.url)


@dataclass(frozen=True)
class Relationship:
    """One merged sister-city relationship (a row of relationships_summary.csv) and its sources."""

    rel_id: str
    city_id: str
    city_name: str
    province: str
    partner_city: str
    partner_country: str
    year: str
    year_values_seen: tuple[str, ...]
    focus: tuple[str, ...]
    status: str
    confidence: str
    n_sources: int
    source_types: tuple[str, ...]
    source_urls: tuple[str, ...]
    sources: tuple[Source, ...] = ()

    @property
    def is_province(self) -> bool:
        return self.city_id.startswith("prov_")

    @property
    def years(self) -> tuple[str, ...]:
        """Every start year the sources give, oldest first (two or more means they disagree)."""
        seen = set(self.year_values_seen) | {s.year for s in self.sources if s.year}
        if self.year:
            seen.add(self.year)
        return tuple(sorted(seen))

    @property
    def year_conflict(self) -> bool:
        return len(self.years) > 1

    def year_phrase(self) -> str:
        """ "tercatat sejak 1994" — a listed year, never a claim that the tie is still active."""
        if self.year_conflict:
            return f"tahun mulainya beda antarsumber ({' dan '.join(self.years)})"
        if self.years:
            return f"tercatat sejak {self.years[0]}"
        return "tahun mulainya tidak disebut sumber"

    def confidence_phrase(self) -> str:
        """The confidence level in words; rendah says what it rests on."""
        if self.confidence != "rendah":
            return f"keyakinan data {self.confidence}"
        if set(self.source_types) == {"wikipedia-derived"}:
            return "keyakinan data rendah: baru tercatat di daftar Wikipedia"
        if set(self.source_types) == {"blog"}:
            return "keyakinan data rendah: hanya dari satu blog"
        return "keyakinan data rendah: sumbernya terbatas"

    def headline(self) -> str:
        """The one-line fact that answers quote; a verbatim part of document()."""
        focus = f"fokus: {', '.join(self.focus)}" if self.focus else "fokus kerja samanya tidak disebut"
        return (
            f"{self.city_name} – {self.partner_city}, {self.partner_country}: {self.status}, "
            f"{self.year_phrase()}; {focus}; {self.confidence_phrase()} ({self.n_sources} sumber)"
        )

    def source_year_text(self, source: Source) -> str:
        """Our own sentence naming one source and the year it gives (for conflicting years)."""
        return f"{self.city_name} – {self.partner_city} tercatat sejak {source.year} menurut {source.label}"

    def document(self) -> str:
        """The Indonesian passage that is indexed and shown when a relationship is cited."""
        where = self.city_name if self.is_province else f"{self.city_name} ({self.province})"
        kinds = ", ".join(SOURCE_TYPE_NAMES.get(t, t) for t in self.source_types)
        labels = ", ".join(dict.fromkeys(source_label(u) for u in self.source_urls))
        lines = [
            f"Data kota kembar: {where} dengan {self.partner_city}, {self.partner_country}.",
            f"{self.headline()}.",
        ]
        if self.year_conflict:
            lines += [f"{self.source_year_text(s)}." for s in self.sources if s.year]
        lines += [
            f"Jenis sumber: {kinds}. Sumber: {labels}.",
            'Catatan: "tercatat" adalah tahun yang disebut sumber; sumber tidak memberi status terkini.',
        ]
        return "\n".join(lines)


@dataclass(frozen=True)
class Candidate:
    """A pair NOT to be stated as fact: only in the 2016 Wikidata crawl, or a plan/LoI/MoU."""

    cand_id: str
    city_id: str
    city_name: str
    province: str
    partner_city: str
    partner_country: str
    status: str
    note: str
    source_url: str
    source_title: str

    def partner_names(self) -> tuple[str, ...]:
        """ "Rotterdam / Istanbul / Marseille" names several partners in one row."""
        return tuple(p.strip() for p in self.partner_city.split("/") if p.strip())

    def headline(self) -> str:
        """The one-line, clearly unverified statement that answers quote."""
        country = "" if self.partner_country.startswith("(") else f", {self.partner_country}"
        return (
            f"{self.city_name} – {self.partner_city}{country}: belum terverifikasi sebagai kota kembar; "
            f"statusnya: {self.status}; sumber: {self.source_title}"
        )

    def document(self) -> str:
        """The cited passage for an unverified candidate."""
        note = f" Catatan: {self.note}." if self.note else ""
        return f"{self.headline()}.{note}"


@dataclass(frozen=True)
class PlaceMatch:
    """A place named in a text: kind is "city", "province", "country" or "partner"."""

    kind: str
    key: str  # city_id / prov_* id / country as in the data / slug(partner_city)
    name: str  # canonical name, safe to put back into a question
    start: int
    end: int
    fuzzy: bool = False  # matched through a typo ("Surbaya")
    typed: str = ""  # the text as the user wrote it


# ---------------------------------------------------------------------------------------------
# Aliases: names as people type them. Keys are canonical targets, values extra spellings.

CITY_ALIASES: dict[str, tuple[str, ...]] = {
    "bandung": ("Kota Kembang", "Paris van Java", "Bdg", "Bandoeng"),
    "surabaya": ("Suroboyo", "Kota Pahlawan", "Sby", "Surabaja"),
    "surakarta": ("Solo", "Kota Bengawan"),
    "yogyakarta": ("Jogja", "Yogya", "Jogjakarta", "Djokja", "Jogya", "Kota Gudeg", "Kota Pelajar"),
    "makassar": ("Makasar", "Ujung Pandang", "Kota Daeng"),
    "jakarta": ("Jkt", "DKI", "DKI Jakarta", "Batavia", "Jakarta Raya"),
    "jakarta_kota_tua": ("Kota Tua", "Kota Tua Jakarta"),
    "nusantara": ("IKN", "Ibu Kota Nusantara", "Ibukota Nusantara"),
    "bogor": ("Kota Hujan",),
    "semarang": ("Kota Lumpia", "Kota Atlas"),
    "malang": ("Kota Apel",),
    "palembang": ("Kota Pempek",),
    "pontianak": ("Kota Khatulistiwa",),
    "singkawang": ("Kota Amoy",),
    "balikpapan": ("Kota Minyak",),
    "denpasar": ("Dps",),
    "tangerang_selatan": ("Tangsel",),
}
PROVINCE_ALIASES: dict[str, tuple[str, ...]] = {
    "Jawa Tengah": ("Jateng", "Provinsi Jawa Tengah", "Central Java"),
    "Jawa Timur": ("Jatim", "East Java"),
    "Jawa Barat": ("Jabar", "West Java"),
    "DI Yogyakarta": ("DIY", "Daerah Istimewa Yogyakarta", "Provinsi Yogyakarta", "Provinsi DIY"),
    "Sumatera Utara": ("Sumut", "Sumatra Utara"),
    "Sumatera Barat": ("Sumbar", "Sumatra Barat"),
    "Sumatera Selatan": ("Sumsel", "Sumatra Selatan"),
    "Kalimantan Timur": ("Kaltim",),
    "Kalimantan Barat": ("Kalbar",),
    "Sulawesi Selatan": ("Sulsel",),
    "Sulawesi Utara": ("Sulut",),
    "Nusa Tenggara Timur": ("NTT",),
    "Nusa Tenggara Barat": ("NTB",),
    "Aceh": ("Nanggroe Aceh Darussalam", "NAD"),
}
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "Jepang": ("Japan", "Nippon", "Jpn"),
    "Korea Selatan": ("Korsel", "Korea", "South Korea", "Korea Sel"),
    "Korea Utara": ("Korut", "North Korea"),
    "Tiongkok": ("Cina", "China", "RRT", "RRC", "Tionghoa", "Chinese", "Tiong Kok"),
    "Amerika Serikat": ("Amerika", "USA", "United States", "Amrik", "Amerika Syarikat"),
    "Britania Raya (Inggris)": ("Inggris", "Britania Raya", "UK", "United Kingdom", "England", "Britain"),
    "Belanda": ("Netherlands", "Holland", "Nederland"),
    "Jerman": ("Germany", "Deutschland"),
    "Malaysia": ("Negeri Jiran", "Malaysi"),
    "Australia": ("Aussie", "Australi", "Ostrali", "Straya"),
    "Filipina": ("Philippines", "Pilipinas", "Filipin"),
    "Turki": ("Turkey", "Turkiye"),
    "Rusia": ("Russia",),
    "Arab Saudi": ("Saudi", "Saudi Arabia", "Arab"),
    "Afrika Selatan": ("Afsel", "South Africa"),
    "Italia": ("Italy",),
    "Belgia": ("Belgium",),
    "Hongaria": ("Hungary", "Hungaria"),
    "Maroko": ("Morocco", "Marokko"),
    "Ukraina": ("Ukraine",),
    "Palestina": ("Palestine",),
    "Meksiko": ("Mexico",),
    "Ekuador": ("Ecuador",),
    "Kuba": ("Cuba",),
    "Mozambik": ("Mozambique",),
    "Papua Nugini": ("PNG", "Papua New Guinea"),
    "Lebanon": ("Libanon",),
    "Prancis": ("Perancis", "France"),
    "Kaledonia Baru (Prancis)": ("Kaledonia Baru", "New Caledonia"),
    "Vietnam": ("Viet Nam",),
    "Thailand": ("Thai", "Muangthai"),
    "Uni Emirat Arab": ("UEA", "UAE", "Emirat Arab"),
    "Kanada": ("Canada",),
    "Spanyol": ("Spain",),
    "Rumania": ("Romania",),
    "Kroasia": ("Croatia",),
    "Aljazair": ("Algeria",),
    "Kosta Rika": ("Costa Rica",),
}
# Countries with no records at all, so "Brasil" is recognised as a country we have nothing for.
EXTRA_COUNTRIES: tuple[str, ...] = (
    "Singapura", "Singapore", "Brasil", "Brazil", "Mesir", "Egypt", "Argentina", "Selandia Baru",
    "New Zealand", "Swedia", "Norwegia", "Finlandia", "Denmark", "Swiss", "Austria", "Portugal", "Yunani",
    "Polandia", "Chili", "Peru", "Kolombia", "Nigeria", "Kenya", "Qatar", "Kuwait", "Irak", "Iran",
    "Bangladesh", "Sri Lanka", "Myanmar", "Kamboja", "Brunei", "Timor Leste", "Mongolia", "Irlandia",
    "Ceko", "Serbia", "Laos", "Nepal", "Venezuela", "Yordania", "Ethiopia", "Tanzania",
)
PARTNER_ALIASES: dict[str, tuple[str, ...]] = {
    "Melaka (Malacca City)": ("Malacca", "Malaka", "Melaka City", "Malacca City"),
    "Pulau Pinang (Penang)": ("Penang",),
    "Yerusalem (Al-Quds Asy-Syarif)": ("Jerusalem", "Al-Quds", "Al Quds"),
    "New South Wales (negara bagian)": ("NSW",),
    "Prefektur Kyoto": ("Kyoto",),
    "Bà Rịa–Vũng Tàu (provinsi)": ("Vung Tau", "Ba Ria Vung Tau"),
    "Spassky District": ("Spassky",),
    "St. Louis": ("Saint Louis", "St Louis"),
    "Moscow": ("Moskow", "Moskwa", "Moskva"),
    "Beijing": ("Peking", "Beijin"),
    "Tokyo": ("Tokio",),
    "Kyiv": ("Kiev", "Kiew"),
    "Mumbai": ("Bombay",),
    "Jeddah": ("Jedah", "Jiddah"),
    "Le Mont-Dore": ("Mont-Dore",),
    "Gangbuk (Seoul)": ("Gangbuk-gu",),
    "Los Angeles": ("L.A.",),
    "Davao City": ("Kota Davao",),
    "Paris": ("Paris Prancis",),
}
# Short aliases that are ordinary words in some casing: matched only as written here.
# Aliases that are ordinary words in another casing ("as", "di"): matched only exactly as written.
CASE_SENSITIVE_ALIASES: dict[tuple[str, ...], tuple[str, str, str]] = {
    ("AS",): ("country", "Amerika Serikat", "Amerika Serikat"),
    ("US",): ("country", "Amerika Serikat", "Amerika Serikat"),
    ("DI", "Yogyakarta"): ("province", "prov_di_yogyakarta", "Daerah Istimewa Yogyakarta"),
    ("D", "I", "Yogyakarta"): ("province", "prov_di_yogyakarta", "Daerah Istimewa Yogyakarta"),
}
CASE_SENSITIVE = {" ".join(k) for k in CASE_SENSITIVE_ALIASES}
NOT_A_PLACE = {"indonesia", "ri", "nkri"}  # every record is Indonesian; naming it narrows nothing

_KIND_PRIORITY = {"city": 0, "province": 1, "partner": 2, "country": 3}
_TOKEN = re.compile(r"\w+", re.UNICODE)
FUZZY_MIN_LEN = 5
FUZZY_CUTOFF = 0.85  # one dropped/added letter in a 5-letter name passes; a swapped first letter never does
SUGGEST_CUTOFF = 0.7

# Words that look like names to a fuzzy matcher but are ordinary question words here.
COMMON_WORDS = frozenset(
    """apa aja saja mana yang punya kota kembar kembaran kembarannya sister city cities twin twinning
    sejak kapan tahun berapa dengan sama dan atau serta itu ini ada adalah apakah gimana bagaimana
    kenapa mengapa manfaat tantangan budaya kerja kerjasama negara provinsi daftar siapa mitra partner
    hubungan antar antara dijalin menjalin terjalin jalin fokus bidang tercatat resmi masih aktif
    tentang soal contoh studi kasus tips cara sukses peluang ekonomi pendidikan pariwisata sejarah
    pertukaran pelajar kerjasamanya kotanya sebutkan tolong dong deh kah nya luar negeri indonesia
    friendship province sejarahnya kembaranya kembar2 bersaudara saudara pasangan berpasangan""".split()
)


@lru_cache(maxsize=1)
def root_words() -> frozenset[str]:
    """Indonesian root words (Sastrawi's dictionary): never fuzzy-matched to a place name."""
    try:
        import Sastrawi  # the stemmer ships a 30k-word dictionary we can reuse

        path = Path(Sastrawi.__file__).parent / "Stemmer" / "data" / "kata-dasar.txt"
        return frozenset(w.strip() for w in path.read_text(encoding="utf-8").split() if w.strip())
    except (ImportError, OSError):
        return frozenset()


@dataclass(frozen=True)
class _Target:
    kind: str
    key: str
    name: str


# ---------------------------------------------------------------------------------------------
# Loading


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


def _row_problems(row: dict[str, str], raw: dict, required: tuple[str, ...]) -> list[str]:
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
    return problems


def _url_problem(url: str) -> str | None:
    if not url.startswith(("http://", "https://")):
        return f"URL sumber harus diawali http: {url[:60]!r}"
    return None


class RecordStore:
    """All sister-city relationships and unverified candidates, with name resolution and queries."""

    def __init__(self, relationships: list[Relationship], candidates: list[Candidate]) -> None:
        self.relationships = sorted(relationships, key=lambda r: (r.city_name.casefold(), r.partner_city.casefold()))
        self.candidates = candidates
        self._by_id = {r.rel_id: r for r in self.relationships}
        self._aliases, self._single = self._build_aliases()

    # -- loading ------------------------------------------------------------------------------

    @classmethod
    def load(cls, records_dir: Path) -> tuple["RecordStore", list[CorpusError]]:
        """Read and validate the three tables; bad rows are reported and skipped, never fatal."""
        records_dir = Path(records_dir)
        errors: list[CorpusError] = []
        summary = cls._load_summary(records_dir / SUMMARY_FILE, errors)
        sources = cls._load_sources(records_dir / RECORDS_FILE, summary, errors)
        relationships = [
            Relationship(**{**fields, "sources": tuple(sources.get(rel_id, ()))}) for rel_id, fields in summary.items()
        ]
        names = {r.city_id: r.city_name for r in relationships}
        candidates = cls._load_candidates(records_dir / CANDIDATES_FILE, names, errors)
        return cls(relationships, candidates), errors

    @staticmethod
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

    @staticmethod
    def _load_sources(path: Path, summary: dict[str, dict], errors: list[CorpusError]) -> dict[str, list[Source]]:
        out: dict[str, list[Source]] = {}
        required = ("city_id", "partner_city", "partner_country", "source_url", "source_title")
        for line, raw in _read_table(path, RECORD_COLUMNS, errors):
            row = _clean(raw)
            problems = _row_problems(row, raw, required)
            url_problem = _url_problem(row.get("source_url", "")) if row.get("source_url") else None
            if url_problem:
                problems.append(url_problem)
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

    @staticmethod
    def _load_candidates(path: Path, names: dict[str, str], errors: list[CorpusError]) -> list[Candidate]:
        out: list[Candidate] = []
        required = ("city_id", "province", "partner_city", "status", "source_url", "source_title")
        for line, raw in _read_table(path, CANDIDATE_COLUMNS, errors):
            row = _clean(raw)
            problems = _row_problems(row, raw, required)
            url_problem = _url_problem(row.get("source_url", "")) if row.get("source_url") else None
            if url_problem:
                problems.append(url_problem)
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

    # -- chunks for the index -----------------------------------------------------------------

    def chunks(self) -> list[Chunk]:
        """One Chunk per relationship (kind="record"); metadata holds only Chroma-safe scalars."""
        out = []
        for rel in self.relationships:
            text = rel.document()
            source_id = f"record:{rel.rel_id}"
            chunk_id = hashlib.sha1(f"{source_id}\n{text}".encode("utf-8")).hexdigest()[:16]
            out.append(
                Chunk(
                    chunk_id=f"rec-{chunk_id}",
                    source_id=source_id,
                    title=f"Data kota kembar: {strip_parenthetical(rel.city_name)} – {rel.partner_city}",
                    section="Hubungan kota kembar",
                    url=rel.source_urls[0] if rel.source_urls else "",
                    text=text,
                    kind="record",
                    metadata={
                        "city": rel.city_name,
                        "city_id": rel.city_id,
                        "province": rel.province,
                        "partner": rel.partner_city,
                        "country": rel.partner_country,
                        "year": rel.year,
                        "status": rel.status,
                        "confidence": rel.confidence,
                        "focus": "; ".join(rel.focus),
                        "urls": list(rel.source_urls),  # every source, for complete citations
                    },
                )
            )
        return out

    # -- names --------------------------------------------------------------------------------

    def _build_aliases(self) -> tuple[dict[tuple[str, ...], _Target], dict[str, _Target]]:
        """Token-sequence -> target for every name and alias; plus single-token names for typos."""
        aliases: dict[tuple[str, ...], _Target] = {}

        def add(name: str, target: _Target) -> None:
            tokens = tuple(fold(t) for t in _TOKEN.findall(name))
            if not tokens or name in CASE_SENSITIVE:
                return
            current = aliases.get(tokens)
            if current is None or _KIND_PRIORITY[target.kind] < _KIND_PRIORITY[current.kind]:
                aliases[tokens] = target

        city_names = {r.city_id: r.city_name for r in self.relationships}
        for cand in self.candidates:
            city_names.setdefault(cand.city_id, cand.city_name)
        provinces = {r.province for r in self.relationships} | {c.province for c in self.candidates}
        for city_id, name in city_names.items():
            if city_id.startswith("prov_"):
                continue  # provinces are added below under their plain names
            target = _Target("city", city_id, strip_parenthetical(name))
            add(name, target)
            add(strip_parenthetical(name), target)
            add(f"Kota {strip_parenthetical(name)}", target)
            for alias in CITY_ALIASES.get(city_id, ()):
                add(alias, target)
        for province in provinces:
            key = f"prov_{slug(province).replace('-', '_')}"
            name = "Daerah Istimewa Yogyakarta" if province == "DI Yogyakarta" else province
            target = _Target("province", key, name)
            add(f"Provinsi {province}", target)
            add(name, target)
            if province != "DI Yogyakarta":  # "di Yogyakarta" is a preposition + the city
                add(province, target)
            for alias in PROVINCE_ALIASES.get(province, ()):
                add(alias, target)
        partners = {r.partner_city for r in self.relationships}
        partners |= {p for c in self.candidates for p in c.partner_names()}
        for partner in partners:
            target = _Target("partner", slug(partner), strip_parenthetical(partner))
            add(partner, target)
            add(strip_parenthetical(partner), target)
            if partner.endswith(" City"):
                add(partner[: -len(" City")], target)
            for alias in PARTNER_ALIASES.get(partner, ()):
                add(alias, target)
        countries = {r.partner_country for r in self.relationships}
        countries |= {c.partner_country for c in self.candidates if c.partner_country and not c.partner_country.startswith("(")}
        countries |= set(COUNTRY_ALIASES) | set(EXTRA_COUNTRIES)
        for country in countries:
            target = _Target("country", country, strip_parenthetical(country))
            add(country, target)
            add(strip_parenthetical(country), target)
            for alias in COUNTRY_ALIASES.get(country, ()):
                add(alias, target)
        for word in NOT_A_PLACE:
            aliases.pop((word,), None)
        single = {
            tokens[0]: target
            for tokens, target in aliases.items()
            if len(tokens) == 1 and len(tokens[0]) >= FUZZY_MIN_LEN and tokens[0].isalpha()
        }
        return aliases, single

    def find_places(self, text: str) -> list[PlaceMatch]:
        """Every place named in text (longest name wins), with character spans into the text."""
        tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text or "")]
        folded = [fold(t) for t, _, _ in tokens]
        longest = max((len(k) for k in self._aliases), default=1)
        matches: list[PlaceMatch] = []
        i = 0
        while i < len(tokens):
            found = None
            for size in range(min(longest, len(tokens) - i), 0, -1):
                window = folded[i : i + size]
                exact = CASE_SENSITIVE_ALIASES.get(tuple(t for t, _, _ in tokens[i : i + size]))
                target = _Target(*exact) if exact else self._aliases.get(tuple(window))
                if target is None and window[-1].endswith("nya") and len(window[-1]) > 5:
                    # "Bandungnya", "Surabayanya": the possessive suffix glued to a name.
                    target = self._aliases.get(tuple(window[:-1] + [window[-1][:-3]]))
                if target is not None:
                    found = (size, target, False)
                    break
            if found is None:
                target = self._fuzzy(folded[i])
                if target is not None:
                    found = (1, target, True)
            if found is None:
                i += 1
                continue
            size, target, fuzzy = found
            start, end = tokens[i][1], tokens[i + size - 1][2]
            matches.append(PlaceMatch(target.kind, target.key, target.name, start, end, fuzzy, text[start:end]))
            i += size
        return matches

    def _fuzzy(self, token: str) -> _Target | None:
        """A single-token name within a typo of token, or None when unsure."""
        word = token[:-3] if token.endswith("nya") and len(token) > FUZZY_MIN_LEN + 3 else token
        if len(word) < FUZZY_MIN_LEN or not word.isalpha() or word in COMMON_WORDS or word in root_words():
            return None
        # Typos rarely hit the first letter; requiring it keeps "warna" away from "Varna".
        pool = [name for name in self._single if name[0] == word[0] and abs(len(name) - len(word)) <= 2]
        scored = sorted(((difflib.SequenceMatcher(None, word, n).ratio(), n) for n in pool), reverse=True)
        if not scored or scored[0][0] < FUZZY_CUTOFF:
            return None
        if len(scored) > 1 and scored[1][0] == scored[0][0] and self._single[scored[1][1]] != self._single[scored[0][1]]:
            return None  # two different places equally close: don't guess
        return self._single[scored[0][1]]

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """Known place names close to an unknown one ("Purwakarta" -> ["Surakarta"])."""
        query = " ".join(fold(t) for t in _TOKEN.findall(name or ""))
        if not query:
            return []
        names = {" ".join(k): t.name for k, t in self._aliases.items() if t.kind in ("city", "province")}
        close = difflib.get_close_matches(query, list(names), n=limit * 3, cutoff=SUGGEST_CUTOFF)
        return list(dict.fromkeys(names[c] for c in close))[:limit]

    def resolve(self, name: str, kinds: tuple[str, ...] = ("city", "province", "partner", "country")) -> PlaceMatch | None:
        """The single place a name or key ("surabaya", "prov_jawa_timur", "Korsel") refers to, or None."""
        for target in self._aliases.values():
            if target.key == name and target.kind in kinds:
                return PlaceMatch(target.kind, target.key, target.name, 0, len(name))
        matches = [m for m in self.find_places(name) if m.kind in kinds]
        return matches[0] if matches else None

    def display_name(self, key: str) -> str:
        """Human name for a city/province key."""
        for rel in self.relationships:
            if rel.city_id == key:
                return strip_parenthetical(rel.city_name)
        for cand in self.candidates:
            if cand.city_id == key:
                return cand.city_name
        for target in self._aliases.values():
            if target.key == key:
                return target.name
        return key

    def known_city_ids(self) -> list[str]:
        """Cities and provinces that have at least one relationship."""
        return list(dict.fromkeys(r.city_id for r in self.relationships))

    # -- queries ------------------------------------------------------------------------------

    def get(self, rel_id: str) -> Relationship | None:
        """The relationship with this id."""
        return self._by_id.get(rel_id)

    def _key(self, name_or_key: str, kinds: tuple[str, ...]) -> str | None:
        match = self.resolve(name_or_key, kinds)
        return match.key if match else None

    def _place_key(self, city_or_province: str) -> str:
        """city_id / prov_* id for a name as typed; an unresolved text is taken as the key itself."""
        return self._key(city_or_province, ("city", "province")) or city_or_province

    def _country_key(self, country: str) -> str:
        return self._key(country, ("country",)) or country

    def _partner_key(self, partner: str) -> str:
        return self._key(partner, ("partner",)) or slug(partner)

    def partners_of(self, city_or_province: str) -> list[Relationship]:
        """All relationships of a city or province (key like "surabaya"/"prov_jawa_timur", or a name)."""
        key = self._place_key(city_or_province)
        return [r for r in self.relationships if r.city_id == key]

    def by_country(self, country: str) -> list[Relationship]:
        """All relationships with a partner in the country (name or alias: "Korsel", "Cina")."""
        key = self._country_key(country)
        return [r for r in self.relationships if r.partner_country == key]

    def by_partner(self, partner: str) -> list[Relationship]:
        """All Indonesian cities/provinces twinned with this foreign city (name or slug)."""
        key = self._partner_key(partner)
        return [r for r in self.relationships if slug(r.partner_city) == key]

    def pair(self, city: str, partner: str) -> Relationship | None:
        """The relationship between an Indonesian city/province and a partner city, or None."""
        city_key = self._place_key(city)
        partner_key = self._partner_key(partner)
        return self._by_id.get(f"{city_key}--{partner_key}")

    def candidates_for_pair(self, city: str, partner: str) -> list[Candidate]:
        """Unverified rows naming this pair (a row may list several partners: "Rotterdam / Istanbul")."""
        city_key = self._place_key(city)
        partner_key = self._partner_key(partner)
        return [
            c for c in self.candidates
            if c.city_id == city_key and any(slug(p) == partner_key for p in c.partner_names())
        ]

    def candidates_for_city(self, city: str) -> list[Candidate]:
        """Unverified rows for a city or province."""
        key = self._place_key(city)
        return [c for c in self.candidates if c.city_id == key]

    def candidates_for_country(self, country: str) -> list[Candidate]:
        """Unverified rows with a partner in the country."""
        key = self._country_key(country)
        return [c for c in self.candidates if c.partner_country == key]

    def candidates_for_partner(self, partner: str) -> list[Candidate]:
        """Unverified rows naming this foreign city."""
        key = self._partner_key(partner)
        return [c for c in self.candidates if any(slug(p) == key for p in c.partner_names())]

    def sister_provinces(self) -> list[Relationship]:
        """Province-level ties: every relationship of a prov_* entry, plus any "sister province" status."""
        return [r for r in self.relationships if r.is_province or "sister province" in r.status]

    def cities_in_province(self, province_key: str) -> list[str]:
        """City ids (not the province itself) in a province that have relationships."""
        return list(dict.fromkeys(
            r.city_id for r in self.relationships
            if not r.is_province and f"prov_{slug(r.province).replace('-', '_')}" == province_key
        ))
