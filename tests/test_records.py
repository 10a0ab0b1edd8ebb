"""Record tables: loading and validation, chunks for the index, name resolution, queries."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from assistant.records import RecordStore, slug

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RECORDS_DIR = PROJECT_ROOT / "corpus" / "records"


def _rows(name: str) -> list[dict]:
    with (RECORDS_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


SUMMARY = _rows("relationships_summary.csv")
RECORDS = _rows("records.csv")
CANDIDATES = _rows("candidates_unverified.csv")


def _rel_id(row: dict) -> str:
    return f"{row['city_id']}--{slug(row['partner_city'])}"


@pytest.fixture(scope="module")
def store() -> RecordStore:
    loaded, errors = RecordStore.load(RECORDS_DIR)
    assert errors == []
    return loaded


# -- loading -----------------------------------------------------------------------------------


def test_loads_every_row_of_the_project_tables(store):
    assert len(store.relationships) == len(SUMMARY) == 118
    assert len(store.candidates) == len(CANDIDATES) == 69
    assert sum(len(r.sources) for r in store.relationships) == len(RECORDS) == 278
    for rel in store.relationships:
        assert len(rel.sources) == rel.n_sources, rel.rel_id


def test_rel_ids_follow_the_slug_scheme(store):
    assert {r.rel_id for r in store.relationships} == {_rel_id(r) for r in SUMMARY}
    assert slug("St. Louis") == "st-louis"
    assert slug("Ōsaki") == "osaki"
    assert slug("  Gödöllő ") == "godollo"
    assert store.get("surabaya--busan").partner_country == "Korea Selatan"


def _copy_tables(tmp_path: Path) -> Path:
    target = tmp_path / "records"
    shutil.copytree(RECORDS_DIR, target)
    return target


def _append(path: Path, line: str) -> int:
    """Append a raw CSV line; return its 1-based line number."""
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + line + "\n", encoding="utf-8")
    return len(text.splitlines()) + 1


def test_bad_rows_are_reported_with_file_line_and_reason_and_the_rest_load(tmp_path):
    folder = _copy_tables(tmp_path)
    bad_year = _append(folder / "relationships_summary.csv",
                       "testkota,Testkota,Jawa Barat,Somecity,Jepang,19x4,,,sister city,tinggi,1,news,https://a.example")
    bad_conf = _append(folder / "relationships_summary.csv",
                       "testkota,Testkota,Jawa Barat,Othercity,Jepang,1994,,,sister city,pasti,1,news,https://a.example")
    bad_url = _append(folder / "records.csv", "surabaya,Jawa Timur,Busan,Korea Selatan,1994,,ftp://x.example,Judul")
    orphan = _append(folder / "records.csv", "surabaya,Jawa Timur,Atlantis,Laut,,,https://x.example,Judul")
    bad_cand = _append(folder / "candidates_unverified.csv", "bogor,Jawa Barat,Lyon,Prancis,rencana,,,")

    loaded, errors = RecordStore.load(folder)

    by_path = {e.path: e.reason for e in errors}
    assert "19x4" in by_path[f"relationships_summary.csv:{bad_year}"]
    assert "tahun" in by_path[f"relationships_summary.csv:{bad_year}"]
    assert "confidence" in by_path[f"relationships_summary.csv:{bad_conf}"]
    assert "http" in by_path[f"records.csv:{bad_url}"]
    assert "tidak ada di relationships_summary.csv" in by_path[f"records.csv:{orphan}"]
    assert "source_url" in by_path[f"candidates_unverified.csv:{bad_cand}"]
    assert len(errors) == 5
    # Everything else still loads.
    assert len(loaded.relationships) == 118
    assert len(loaded.candidates) == 69
    assert len(loaded.get("surabaya--busan").sources) == 4


def test_missing_files_and_columns_are_errors_not_crashes(tmp_path):
    empty, errors = RecordStore.load(tmp_path / "nowhere")
    assert empty.relationships == [] and empty.candidates == []
    assert {e.path for e in errors} == {"relationships_summary.csv", "records.csv", "candidates_unverified.csv"}
    assert all("tidak ditemukan" in e.reason for e in errors)
    assert empty.find_places("Surabaya") == []  # an empty store still answers, with nothing

    folder = _copy_tables(tmp_path)
    (folder / "records.csv").write_text("city_id,province\nsurabaya,Jawa Timur\n", encoding="utf-8")
    loaded, errors = RecordStore.load(folder)
    assert [e.path for e in errors] == ["records.csv:1"]
    assert "source_url" in errors[0].reason
    assert len(loaded.relationships) == 118 and all(r.sources == () for r in loaded.relationships)


def test_non_utf8_file_is_reported(tmp_path):
    folder = _copy_tables(tmp_path)
    (folder / "candidates_unverified.csv").write_bytes("city_id\nbogor\xff\n".encode("latin-1"))
    loaded, errors = RecordStore.load(folder)
    assert [e.path for e in errors] == ["candidates_unverified.csv"]
    assert "UTF-8" in errors[0].reason
    assert len(loaded.relationships) == 118


# -- documents and chunks ----------------------------------------------------------------------


def test_document_says_listed_since_never_active(store):
    busan = store.get("surabaya--busan").document()
    assert "tercatat sejak 1994" in busan
    assert "Jawa Timur" in busan and "Korea Selatan" in busan and "4 sumber" in busan
    for rel in store.relationships:
        text = rel.document().casefold()
        assert "masih aktif" not in text
        # "aktif" only ever appears inside a status that says the tie lapsed.
        assert text.count("aktif") == text.count("tidak aktif")


def test_low_confidence_is_said_in_words(store):
    assert "baru tercatat di daftar Wikipedia" in store.get("balikpapan--yokohama").document()
    assert "hanya dari satu blog" in store.get("bandung--cebu").document()
    assert "keyakinan data tinggi" in store.get("bandung--braunschweig").document()


def test_chunks_are_one_per_relationship_with_chroma_safe_metadata(store):
    chunks = store.chunks()
    assert len(chunks) == 118
    assert len({c.chunk_id for c in chunks}) == 118
    by_source = {c.source_id: c for c in chunks}
    busan = by_source["record:surabaya--busan"]
    assert busan.kind == "record"
    assert busan.title == "Data kota kembar: Surabaya – Busan"
    assert busan.section == "Hubungan kota kembar"
    assert busan.url == store.get("surabaya--busan").source_urls[0]
    assert busan.text == store.get("surabaya--busan").document()
    assert busan.metadata["year"] == "1994" and busan.metadata["country"] == "Korea Selatan"
    for chunk in chunks:
        assert set(chunk.metadata) == {"city", "city_id", "province", "partner", "country", "year", "status",
                                       "confidence", "focus", "urls"}
        # Scalars become Chroma metadata (filterable); the URL list travels in the index's JSON field.
        scalars = {k: v for k, v in chunk.metadata.items() if k != "urls"}
        assert all(isinstance(v, (str, int, float, bool)) for v in scalars.values()), chunk.source_id
        assert chunk.metadata["urls"] and all(u.startswith("http") for u in chunk.metadata["urls"])


def test_chunk_ids_are_stable_across_loads():
    first, _ = RecordStore.load(RECORDS_DIR)
    second, _ = RecordStore.load(RECORDS_DIR)
    assert [c.chunk_id for c in first.chunks()] == [c.chunk_id for c in second.chunks()]


# -- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, kind, key",
    [
        ("Surabaya", "city", "surabaya"),
        ("SURABAYA", "city", "surabaya"),
        ("kota surabaya", "city", "surabaya"),
        ("Suroboyo", "city", "surabaya"),
        ("Kota Pahlawan", "city", "surabaya"),
        ("Kota Kembang", "city", "bandung"),
        ("Paris van Java", "city", "bandung"),
        ("Bandungnya", "city", "bandung"),
        ("Solo", "city", "surakarta"),
        ("Jogja", "city", "yogyakarta"),
        ("Yogya", "city", "yogyakarta"),
        ("Jogjakarta", "city", "yogyakarta"),
        ("Makasar", "city", "makassar"),
        ("Jkt", "city", "jakarta"),
        ("DKI", "city", "jakarta"),
        ("IKN", "city", "nusantara"),
        ("Kota Tua Jakarta", "city", "jakarta_kota_tua"),
        ("Tangerang Selatan", "city", "tangerang_selatan"),
        ("Pekanbaru", "city", "pekanbaru"),  # only among unverified candidates
        ("Jateng", "province", "prov_jawa_tengah"),
        ("Jawa Tengah", "province", "prov_jawa_tengah"),
        ("Jatim", "province", "prov_jawa_timur"),
        ("Jabar", "province", "prov_jawa_barat"),
        ("DIY", "province", "prov_di_yogyakarta"),
        ("DI Yogyakarta", "province", "prov_di_yogyakarta"),
        ("Sumbar", "province", "prov_sumatera_barat"),
        ("Korsel", "country", "Korea Selatan"),
        ("Jepang", "country", "Jepang"),
        ("Japan", "country", "Jepang"),
        ("Tiongkok", "country", "Tiongkok"),
        ("Cina", "country", "Tiongkok"),
        ("China", "country", "Tiongkok"),
        ("RRT", "country", "Tiongkok"),
        ("Amerika", "country", "Amerika Serikat"),
        ("AS", "country", "Amerika Serikat"),
        ("USA", "country", "Amerika Serikat"),
        ("Inggris", "country", "Britania Raya (Inggris)"),
        ("UK", "country", "Britania Raya (Inggris)"),
        ("Belanda", "country", "Belanda"),
        ("Netherlands", "country", "Belanda"),
        ("Germany", "country", "Jerman"),
        ("Malaysia", "country", "Malaysia"),
        ("Aussie", "country", "Australia"),
        ("Brasil", "country", "Brasil"),
        ("Busan", "partner", "busan"),
        ("St Louis", "partner", "st-louis"),
        ("Malacca", "partner", "melaka-malacca-city"),
        ("Penang", "partner", "pulau-pinang-penang"),
        ("Osaki", "partner", "osaki"),
        ("Shenzhen", "partner", "shenzhen"),
        ("South Australia", "partner", "south-australia-negara-bagian"),
        ("xian", "partner", "xi-an"),  # "Xi'an" typed without its apostrophe
        ("Provinsi DKI Jakarta", "city", "jakarta"),  # a province a city claims as its alias is that city
    ],
)
def test_names_as_people_type_them(store, text, kind, key):
    matches = store.find_places(f"apa kota kembar {text} ya?")
    assert [(m.kind, m.key) for m in matches] == [(kind, key)]
    match = matches[0]
    assert f"apa kota kembar {text} ya?"[match.start : match.end].lower().endswith(text.lower()[-3:])


@pytest.mark.parametrize("typo, key", [("Surbaya", "surabaya"), ("Bandng", "bandung"), ("Semarng", "semarang"),
                                       ("Jakrta", "jakarta"), ("Yogyakrta", "yogyakarta"), ("Palembng", "palembang")])
def test_small_typos_resolve_and_are_flagged(store, typo, key):
    (match,) = store.find_places(f"kota kembar {typo} apa aja")
    assert match.key == key and match.fuzzy and match.typed == typo


@pytest.mark.parametrize(
    "text",
    [
        "apa itu sister city",
        "manfaat kerja sama",
        "tantangan budaya",
        "Apa manfaat kota kembar buat warga?",
        "Kenapa kerja sama antarkota sering gagal karena perbedaan bahasa dan warna politik?",
        "Tips sukses menjalin kemitraan: tentukan tujuan, libatkan masyarakat, evaluasi dan monitoring",
        "pertukaran pelajar, kebudayaan, pariwisata, ekonomi, pemerintahan",
        "kota kembar itu gunanya apa sih, kembarannya gimana?",
        "as a matter of fact di dalam kota",
    ],
)
def test_ordinary_words_are_not_places(store, text):
    assert store.find_places(text) == []


def test_longest_name_wins_and_spans_point_into_the_text(store):
    text = "Padang Panjang, Banda Aceh, Papua Nugini dan South Australia"
    matches = store.find_places(text)
    assert [(m.kind, m.key) for m in matches] == [
        ("city", "padang_panjang"), ("city", "banda_aceh"), ("country", "Papua Nugini"),
        ("partner", "south-australia-negara-bagian"),
    ]
    assert [text[m.start : m.end] for m in matches] == ["Padang Panjang", "Banda Aceh", "Papua Nugini",
                                                        "South Australia"]
    # "di Yogyakarta" is a preposition + the city, not the province "DI Yogyakarta".
    assert [m.key for m in store.find_places("kota kembar di Yogyakarta")] == ["yogyakarta"]


def test_suggest_near_matches_for_unknown_names(store):
    assert "Surakarta" in store.suggest("Purwakarta")
    assert store.suggest("Surbaya")[0] == "Surabaya"
    assert store.suggest("Xyzzyq") == []


# -- queries -----------------------------------------------------------------------------------


def test_partners_of_matches_the_csv_for_every_city(store):
    for city_id in {r["city_id"] for r in SUMMARY}:
        expected = {_rel_id(r) for r in SUMMARY if r["city_id"] == city_id}
        assert {r.rel_id for r in store.partners_of(city_id)} == expected, city_id
    assert {r.rel_id for r in store.partners_of("Suroboyo")} == {_rel_id(r) for r in SUMMARY
                                                                  if r["city_id"] == "surabaya"}


def test_by_country_accepts_aliases_and_matches_the_csv(store):
    korea = {_rel_id(r) for r in SUMMARY if r["partner_country"] == "Korea Selatan"}
    assert {r.rel_id for r in store.by_country("Korsel")} == korea
    assert {r.rel_id for r in store.by_country("Korea Selatan")} == korea
    assert len(store.by_country("Cina")) == sum(r["partner_country"] == "Tiongkok" for r in SUMMARY) == 19
    assert store.by_country("Brasil") == []


def test_a_region_stands_for_its_countries(store):
    africa = {_rel_id(r) for r in SUMMARY if r["partner_country"] in ("Afrika Selatan", "Aljazair", "Maroko", "Mozambik")}
    assert africa and {r.rel_id for r in store.by_country("Africa")} == africa
    [match] = store.find_places("yang di Eropa")
    assert (match.kind, match.name) == ("country", "Eropa")
    assert {"Belanda", "Jerman"} <= store.countries_in(match.key) and "Jepang" not in store.countries_in(match.key)
    # the longest name still wins: South Africa is a country, not the region
    assert [p.name for p in store.find_places("kota di Afrika Selatan")] == ["Afrika Selatan"]
    assert store.countries_in("Korsel") == {"Korea Selatan"}


def test_pair_and_candidates(store):
    assert store.pair("Padang", "Hildesheim").year == "1988"
    assert store.pair("surabaya", "tokyo") is None
    assert store.pair("Bogor", "Shenzhen") is None
    assert [c.cand_id for c in store.candidates_for_pair("Bogor", "Shenzhen")] == ["bogor--shenzhen"]
    # The blog row "Rotterdam / Istanbul / Marseille / ..." also names Rotterdam.
    rotterdam = store.candidates_for_pair("surabaya", "Rotterdam")
    assert len(rotterdam) == 2
    assert {c.status for c in rotterdam} >= {"disebut di blog (2010), tidak terverifikasi"}


def test_sister_provinces(store):
    expected = {_rel_id(r) for r in SUMMARY if r["city_id"].startswith("prov_") or "sister province" in r["status"]}
    assert {r.rel_id for r in store.sister_provinces()} == expected
    assert "jakarta--new-south-wales-negara-bagian" in expected


def test_seattle_years_conflict(store):
    seattle = store.get("surabaya--seattle")
    assert seattle.year_conflict and seattle.years == ("1991", "1992")
    assert "1991 dan 1992" in seattle.headline()
    assert not store.get("surabaya--busan").year_conflict


@pytest.mark.parametrize("city, partner", [("bandung", "Cuenca"), ("semarang", "Fuzhou"), ("salatiga", "Mungyeong")])
def test_a_verified_pair_is_never_listed_as_unverified(store, city, partner):
    # The candidates table also holds a plan/LoI row for these pairs; they are relationships.
    assert store.pair(city, partner) is not None
    assert partner not in {p for c in store.candidates_for_city(city) for p in c.partner_names()}
    assert partner not in {p for c in store.candidates_for_partner(partner) for p in c.partner_names()}
    # Asked about the one pair, its newer LoI status is still there as context.
    assert store.candidates_for_pair(city, partner)


def test_focus_areas_drop_terms_another_term_covers(store):
    braunschweig = store.get("bandung--braunschweig")
    assert braunschweig.focus.count("ekonomi") == 1 and "ekonomi" in braunschweig.focus
    assert "ekonomi" not in braunschweig.focus_areas and "perdagangan" not in braunschweig.focus_areas
    assert "ekonomi dan perdagangan" in braunschweig.focus_areas
    vlissingen = store.get("ambon--vlissingen")
    assert "kesehatan (klinik mata)" in vlissingen.focus_areas and "kesehatan" not in vlissingen.focus_areas
    for rel in store.relationships:
        assert len(rel.focus_areas) == len({f.casefold() for f in rel.focus_areas})
        assert set(rel.focus_areas) <= set(rel.focus)


def test_places_listed_as_without_records_really_have_none(store):
    """prompts/places.yaml `indonesian_places` must never shadow a place the tables hold."""
    from assistant.records.model import fold

    aliases = store.places.aliases
    listed = aliases.no_record_places | aliases.no_record_places_after_kota
    held = {fold(r.city_name) for r in store.relationships} | {fold(r.city_id.replace("_", " ")) for r in store.relationships}
    held |= {fold(c.city_id.replace("_", " ")) for c in store.candidates}
    assert listed and not listed & held


def test_places_a_vocabulary_talks_about(store):
    """Which record places a corpus mentions, from its words alone (the router's "pairs the articles discuss")."""
    named = store.places.keys_named_in({"surabaya", "busan", "los", "angeles", "kota"})
    assert {"surabaya", "busan", "los-angeles"} <= named and "medan" not in named
