"""Answers from the sister-city records: exact lists, honesty rules, valid citations, bad input."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from assistant.citations import check_citations, unmarked_claims
from assistant.prompts import load_phrases
from assistant.records import RecordStore, answer_from_records, slug, strip_parenthetical

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RECORDS_DIR = PROJECT_ROOT / "corpus" / "records"
EVAL_ITEMS = [
    json.loads(line)
    for line in (PROJECT_ROOT / "eval" / "records.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]
with (RECORDS_DIR / "relationships_summary.csv").open(encoding="utf-8", newline="") as _f:
    SUMMARY = list(csv.DictReader(_f))


def _rel_id(row: dict) -> str:
    return f"{row['city_id']}--{slug(row['partner_city'])}"


@pytest.fixture(scope="module")
def store() -> RecordStore:
    return RecordStore.load(RECORDS_DIR)[0]


@pytest.fixture(scope="module")
def phrases():
    return load_phrases(PROJECT_ROOT / "prompts", "records")


@pytest.fixture(scope="module")
def ask(router, phrases):
    """The records answer for a question the router sends to the records path, else None."""

    def _ask(question: str, history: list[dict] | None = None):
        if not question.strip():
            return None
        decision = router.route(question, history or [])
        if decision.path != "records":
            return None
        return answer_from_records(decision.record_query(), router.records, phrases)

    return _ask


def record_ids(answer) -> set[str]:
    return {c.source_id.split(":", 1)[1] for c in answer.citations if c.source_id.startswith("record:")}


def candidate_ids(answer) -> set[str]:
    return {c.source_id.split(":", 1)[1] for c in answer.citations if c.source_id.startswith("candidate:")}


def assert_citations_valid(answer) -> None:
    checks = check_citations(answer)
    bad = [(c.segment, c.cited) for c in checks if not c.ok]
    assert not bad, bad
    assert unmarked_claims(answer.answer) == []
    numbers = [c.n for c in answer.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    used = {n for c in checks for n in c.cited}
    assert used == set(numbers)  # every citation is used, none dangles


# -- routing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "apa itu sister city?",
        "Apa manfaat sister city?",
        "Apa tantangan kerja sama kota kembar?",
        "Siapa walikota Surabaya?",
        "Kota kembar itu gunanya apa?",
        "Resep rendang dong",
        "",
    ],
)
def test_not_records_questions_return_none(ask, question):
    assert ask(question) is None


# -- exact lists -------------------------------------------------------------------------------


@pytest.mark.parametrize("city_id", sorted({r["city_id"] for r in SUMMARY}))
def test_every_city_and_province_list_is_exact(ask, city_id):
    rows = [r for r in SUMMARY if r["city_id"] == city_id]
    if city_id.startswith("prov_"):
        question = f"Provinsi {rows[0]['province']} punya sister province apa aja?"
    else:
        question = f"{strip_parenthetical(rows[0]['city_name'])} punya kota kembar apa aja?"
    answer = ask(question)
    assert answer.route == "records" and not answer.refused
    assert record_ids(answer) == {_rel_id(r) for r in rows}
    for row in rows:
        assert row["partner_city"] in answer.answer
        if row["year"] and not row["year_values_seen"]:
            assert f"tercatat sejak {row['year']}" in answer.answer
    assert_citations_valid(answer)


@pytest.mark.parametrize("country", sorted({r["partner_country"] for r in SUMMARY}))
def test_every_country_list_is_exact(ask, country):
    answer = ask(f"Kota mana aja yang kembaran sama kota di {country}?")
    assert record_ids(answer) == {_rel_id(r) for r in SUMMARY if r["partner_country"] == country}
    assert_citations_valid(answer)


def test_record_citations_carry_the_document_and_every_source_url(ask, store):
    answer = ask("Sejak kapan Padang sama Hildesheim?")
    (citation,) = answer.citations
    rel = store.get("padang--hildesheim")
    assert citation.source_id == "record:padang--hildesheim"
    assert citation.title == "Data kota kembar: Padang – Hildesheim"
    assert citation.section == "Hubungan kota kembar"
    assert citation.text == rel.document()
    assert citation.url == rel.source_urls[0]
    assert citation.urls == rel.source_urls and len(citation.urls) == 4
    assert "Padang – Hildesheim, Jerman: sister city, tercatat sejak 1988" in answer.answer


# -- honesty rules -----------------------------------------------------------------------------


def test_years_are_listed_never_claimed_active(ask, store):
    for rel in store.relationships:
        answer = ask(f"Sejak kapan {strip_parenthetical(rel.city_name)} sama {strip_parenthetical(rel.partner_city)}?")
        assert record_ids(answer) == {rel.rel_id}, rel.rel_id
        text = answer.answer.casefold()
        assert "masih aktif" not in text
        assert text.count("aktif") == text.count("tidak aktif")
        if rel.year and not rel.year_conflict:
            assert f"tercatat sejak {rel.year}" in answer.answer
        assert_citations_valid(answer)


def test_conflicting_years_are_both_shown_each_with_its_own_source(ask):
    answer = ask("Sejak kapan Surabaya jadi kota kembar Seattle?")
    assert "1991 dan 1992" in answer.answer
    assert_citations_valid(answer)
    by_year = {}
    for citation in answer.citations[1:]:
        assert citation.source_id == "record:surabaya--seattle"
        assert citation.section == "Sumber data kota kembar"
        year = "1991" if "sejak 1991" in citation.text else "1992"
        by_year.setdefault(year, []).append(citation)
        assert citation.urls == (citation.url,)
    assert [c.url for c in by_year["1991"]] == ["https://seattle.gov/oir/sister-cities/seattles-sister-cities/surabaya"]
    assert {c.url for c in by_year["1992"]} == {
        "http://www.surabaya.go.id/eng/comunity.php?page=twin_city",
        "http://www.centrius.my.id/2021/07/in-celebration-of-seattle-surabayas.html",
    }
    lines = answer.answer.splitlines()
    line_1991 = next(line for line in lines if "sejak 1991" in line)
    assert "seattle.gov" in line_1991 and f"[{by_year['1991'][0].n}]" in line_1991


def test_low_confidence_is_said_in_words(ask):
    wiki = ask("Apakah Balikpapan kembaran sama Yokohama?")
    assert "keyakinan data rendah: baru tercatat di daftar Wikipedia" in wiki.answer
    blog = ask("Bandung sama Cebu kota kembar ya?")
    assert "keyakinan data rendah: hanya dari satu blog" in blog.answer
    assert_citations_valid(wiki)
    assert_citations_valid(blog)


def test_unverified_candidate_is_never_stated_as_fact(ask):
    answer = ask("Apakah Bogor kembaran dengan Shenzhen?")
    assert record_ids(answer) == set()
    assert candidate_ids(answer) == {"bogor--shenzhen"}
    (citation,) = answer.citations
    assert citation.url.startswith("https://github.com/L3viathan/sister-cities")
    assert citation.section == "Belum terverifikasi"
    assert "nggak nemu catatan" in answer.answer
    fact_line = next(line for line in answer.answer.splitlines() if "[1]" in line)
    assert "belum terverifikasi" in fact_line and "Wikidata 2016" in fact_line
    assert_citations_valid(answer)


def test_candidate_next_to_a_weak_record_is_labelled(ask):
    answer = ask("Apakah Salatiga kembaran sama Mungyeong?")
    assert record_ids(answer) == {"salatiga--mungyeong"}
    assert candidate_ids(answer) == {"salatiga--mungyeong"}
    candidate_line = next(line for line in answer.answer.splitlines() if "LoI; pendalaman" in line)
    assert "belum terverifikasi" in candidate_line
    assert_citations_valid(answer)


@pytest.mark.parametrize(
    "question, status",
    [
        ("Surabaya sama Shah Alam sejak kapan?", "LoI (tahap awal sister city)"),
        ("Yogyakarta sama Baalbek sejak kapan?", "LoI (tahap awal sister city)"),
        ("Kota kembar Bukittinggi apa aja?", "sister city (tidak aktif sejak 2000-an)"),
        ("Tangerang Selatan kembaran sama Daejeon?", "friendship city"),
    ],
)
def test_status_is_said_as_recorded(ask, question, status):
    answer = ask(question)
    assert status in answer.answer
    assert_citations_valid(answer)


def test_city_list_mentions_unverified_count_without_listing_them(ask):
    answer = ask("Surabaya punya kota kembar apa aja?")
    assert candidate_ids(answer) == set()
    assert "7 pasangan lain" in answer.answer and "belum terverifikasi" in answer.answer


# -- no record / bad input ---------------------------------------------------------------------


def test_unknown_city_says_so_with_near_matches(ask):
    answer = ask("kota kembar Purwakarta apa?")
    assert answer.route == "records" and answer.refused and answer.citations == []
    assert '"Purwakarta"' in answer.answer and "Surakarta" in answer.answer
    assert "Yang bisa aku jawab" in answer.answer


def test_unknown_city_next_to_a_known_partner_is_not_replaced(ask):
    answer = ask("Apakah Purwakarta kembaran dengan Tokyo?")
    assert answer.citations == [] and "Purwakarta" in answer.answer
    assert "jakarta--tokyo" not in record_ids(answer)


def test_country_without_records(ask):
    answer = ask("Kota mana yang kembaran sama kota di Brasil?")
    assert answer.citations == [] and "Brasil" in answer.answer
    canada = ask("Kota mana aja yang kembaran sama kota di Kanada?")
    assert record_ids(canada) == set()
    assert candidate_ids(canada) == {"tangerang--gatineau", "tangerang--mississauga"}
    assert_citations_valid(canada)


def test_unpaired_cities(ask):
    tokyo = ask("Apakah Surabaya kembaran dengan Tokyo?")
    assert tokyo.citations == [] and "Surabaya dan Tokyo" in tokyo.answer
    two_local = ask("Apakah Bandung dan Surabaya kota kembar?")
    assert two_local.citations == [] and "Bandung dan Surabaya" in two_local.answer


def test_typo_is_resolved_and_said(ask):
    answer = ask("kota kembar Surbaya apa aja?")
    assert answer.answer.splitlines()[0] == "(Aku anggap maksudnya Surabaya ya.)"
    assert "surabaya--busan" in record_ids(answer)


@pytest.mark.parametrize(
    "question",
    ["🙂🙂🙂 kota kembar ???", "kota kembar " + "x" * 5000, "kembar\x00 \u200b Surabaya", "SISTER CITY-NYA  ?!",
     "kota kembar 12345", "kota kembar <script>alert(1)</script>"],
)
def test_odd_input_never_raises(ask, question):
    answer = ask(question)
    assert answer is None or isinstance(answer.answer, str)


# -- the eval set ------------------------------------------------------------------------------


def test_eval_set_is_big_and_well_formed():
    assert len(EVAL_ITEMS) >= 25
    assert len({i["id"] for i in EVAL_ITEMS}) == len(EVAL_ITEMS)
    for item in EVAL_ITEMS:
        assert item["question"].strip() and isinstance(item["expect_relationships"], list)
        if item.get("history"):
            assert item.get("standalone"), item["id"]


@pytest.mark.parametrize("item", EVAL_ITEMS, ids=[i["id"] for i in EVAL_ITEMS])
def test_eval_item_is_answered_exactly(ask, item):
    answer = ask(item.get("standalone") or item["question"])
    assert answer is not None and answer.route == "records"
    assert record_ids(answer) == set(item["expect_relationships"])
    if "expect_candidates" in item:
        assert candidate_ids(answer) == set(item["expect_candidates"])
    lowered = answer.answer.casefold()
    for text in item.get("must_contain", []):
        assert text.casefold() in lowered, text
    for text in item.get("must_not_contain", []):
        assert text.casefold() not in lowered, text
    assert_citations_valid(answer)


@pytest.mark.parametrize("item", [i for i in EVAL_ITEMS if i.get("history")],
                         ids=[i["id"] for i in EVAL_ITEMS if i.get("history")])
def test_follow_ups_are_answered_like_their_standalone_question(ask, item):
    answer = ask(item["question"], item["history"])
    assert answer is not None and record_ids(answer) == set(item["expect_relationships"])


def test_a_country_named_in_the_message_with_no_partner_there_gets_a_pointer_not_the_others(real_assistant):
    """"Medan sama Singapura kembar kan?" asks about Singapore only: no list of Medan's partners
    elsewhere, just how to see them."""
    answer = real_assistant.ask("Medan sama Singapura kembaran kan?")
    assert answer.route == "records" and "Singapura" in answer.answer.split("\n")[0]
    assert "Gwangju" not in answer.answer and "Medan punya kota kembar apa aja?" in answer.answer


def test_the_newest_and_oldest_partner_by_the_recorded_year(real_assistant):
    newest = real_assistant.ask("kota kembar Semarang yang paling baru apa?")
    assert not newest.refused and "Fuzhou" in newest.answer and "2023" in newest.answer, newest.answer
    assert "Beihai" not in newest.answer  # only the newest, not the whole list
    oldest = real_assistant.ask("Medan punya kota kembar paling lama sama siapa?")
    assert "Ichikawa" in oldest.answer and "1989" in oldest.answer, oldest.answer


def test_the_newest_in_a_follow_up_after_a_citys_partners(real_assistant):
    first = real_assistant.ask("Semarang sister cities?")
    history = [{"role": "user", "content": "Semarang sister cities?"}, {"role": "assistant", "content": first.answer}]
    answer = real_assistant.ask("which one is the newest?", history)
    assert "Fuzhou" in answer.answer and "Beihai" not in answer.answer, answer.answer


def test_latest_news_about_a_city_is_not_its_newest_partner(real_assistant):
    answer = real_assistant.ask("berita terbaru Surabaya apa?")
    assert answer.refused, answer.answer


def test_no_recorded_year_means_no_newest_only_the_list(real_assistant):
    answer = real_assistant.ask("kota kembar Balikpapan yang paling baru apa?")
    assert "nggak menyebut tahun" in answer.answer and "Yokohama" in answer.answer, answer.answer


def test_an_unknown_partner_with_its_country_is_asked_as_a_pair(ask):
    """"Depok sama Sendai di Jepang?" asks about Sendai: not the list of Depok's partners in Japan."""
    answer = ask("Depok kembaran sama Sendai di Jepang ya?")
    assert "Sendai" in answer.answer and record_ids(answer) == set(), answer.answer


def test_a_list_then_a_country_asked_of_it_gets_the_whole_list(real_assistant):
    """"apa aja, ada yang di Belanda?": every partner (each row names its country), not only the Dutch one."""
    answer = real_assistant.ask("ambon kota kembarnya apa aj si, ad yg di belanda ga")
    assert record_ids(answer) == {"ambon--darwin", "ambon--havana", "ambon--vlissingen"}, answer.answer


def test_the_city_said_as_a_city_is_not_offered_its_provinces_tie(ask):
    city = ask("kalau kota yogyakarta sama kyoto kembar ga?")
    assert record_ids(city) == set() and candidate_ids(city) == {"yogyakarta--prefektur-kyoto"}, city.answer
    either = ask("jogja ama kyoto?")  # the city and the Special Region both: the province's tie is offered
    assert record_ids(either) == {"prov_di_yogyakarta--prefektur-kyoto"}, either.answer


@pytest.mark.parametrize("question, city", [
    ("Kota Bertuah punya kota kembar apa aja?", "pekanbaru"),
    ("kota udang kembarannya mana aja?", "cirebon"),
    ("Kota Angin Mamiri sister city-nya apa?", "makassar"),
    ("Ngalam punya kota kembar ga?", "malang"),
])
def test_city_nicknames_are_the_city(ask, question, city):
    rows = record_ids(answer := ask(question)) | candidate_ids(answer)
    assert rows and all(r.startswith(f"{city}--") for r in rows), answer.answer


def test_a_partner_in_its_own_language_is_the_partner(ask):
    answer = ask("pekanbaru kembaran sama firenze ya?")
    assert candidate_ids(answer) == {"pekanbaru--florence"}, answer.answer


def test_a_province_asked_as_a_whole_lists_its_cities_partners_with_its_own(ask, store):
    """"Jatim totalnya …", "se-provinsi …": the province's own ties and every tie of its cities. Asked
    plainly, a province is answered with its own ties and a pointer to its cities."""
    cities = {r.rel_id for c in store.cities_in_province("prov_jawa_timur") for r in store.partners_of(c)}
    own = {r.rel_id for r in store.partners_of("prov_jawa_timur")}
    whole = ask("Jatim totalnya ada kota kembar apa aja?")
    assert record_ids(whole) == own | cities and "malang--fuqing" in cities, whole.answer
    plain = ask("Provinsi Jawa Timur punya sister province apa aja?")
    assert record_ids(plain) == own and "Malang" in plain.answer, plain.answer
