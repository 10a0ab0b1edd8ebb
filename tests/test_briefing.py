"""Briefings for officials: every fact cited, formal register, table == records, honest gaps.

The data is real (the project's articles and record CSVs); only the ranking is faked, by a
keyword-overlap retriever over the real article and record chunks.
"""
from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
import yaml

from assistant.briefing import Briefing, build_briefing, compose_briefing
from assistant.chunking import chunk_article
from assistant.briefing.subject import resolve_subject
from assistant.config import PROJECT_ROOT, Settings
from assistant.corpus import load_articles
from assistant.errors import InvalidQuestion, UnknownPlace
from assistant.briefing.formal import is_casual, rewrite
from assistant.records import RecordStore
from assistant.schema import Chunk, Hit

RECORDS_DIR = PROJECT_ROOT / "corpus" / "records"
FORMAL_RULES = yaml.safe_load((PROJECT_ROOT / "prompts" / "formal.yaml").read_text(encoding="utf-8"))
CASUAL = ["guys", "banget", "nggak", "gak", "lho", "loh", "sih", "dong", "yuk", "bayangin", "aja", "udah",
          "deh", "nih", "kok", "keliatan", "kalo", "emangnya", "doang", "sampe", "tetep"]


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"\w+", text.casefold()) if len(w) >= 3}


class KeywordRetriever:
    """Ranks the real chunks by shared word stems with the question (a fake ranking, real data)."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks
        self.stems = [_stems(f"{c.section} {c.text}") for c in chunks]
        self.calls: list[tuple[str, int]] = []

    def __call__(self, question: str, k: int = 5) -> list[Hit]:
        self.calls.append((question, k))
        query = _stems(question)
        scored = [(len(query & s), -i) for i, s in enumerate(self.stems)]
        order = sorted(range(len(self.chunks)), key=lambda i: scored[i], reverse=True)
        return [Hit(rank + 1, self.chunks[i], float(scored[i][0])) for rank, i in enumerate(order[:k]) if scored[i][0] > 0]


@pytest.fixture(scope="session")
def store() -> RecordStore:
    records, errors = RecordStore.load(RECORDS_DIR)
    assert not errors
    return records


@pytest.fixture(scope="session")
def article_chunks() -> list[Chunk]:
    articles, errors = load_articles(PROJECT_ROOT / "corpus")
    assert not errors
    return [c for a in articles for c in chunk_article(a)]


@pytest.fixture(scope="session")
def retriever(store, article_chunks) -> KeywordRetriever:
    # Record chunks are in the index too; the briefing must pick article passages out of the mix.
    return KeywordRetriever(article_chunks + store.chunks())


@pytest.fixture(scope="session")
def briefings(store, retriever) -> dict[str, Briefing]:
    make = lambda subject: compose_briefing(subject, records=store, retrieve=retriever, date="1 Juli 2025")
    return {
        "city": make("Surabaya"),
        "pair": make("Surabaya–Busan"),
        "topic": make("manfaat dan tantangan sister city"),
        "unrecorded": make("Surabaya dan Rotterdam"),
        "economy": make("manfaat ekonomi sister city"),
        "bandung": make("Bandung"),
    }


def summary_rows(city_id: str) -> list[dict]:
    with (RECORDS_DIR / "relationships_summary.csv").open(encoding="utf-8", newline="") as handle:
        return [r for r in csv.DictReader(handle) if r["city_id"] == city_id]


def record_rows(city_id: str, partner: str) -> list[dict]:
    with (RECORDS_DIR / "records.csv").open(encoding="utf-8", newline="") as handle:
        return [r for r in csv.DictReader(handle) if r["city_id"] == city_id and r["partner_city"] == partner]


def all_sentences(b: Briefing):
    return [s for section in b.sections for s in section.sentences]


def urls_of(b: Briefing, numbers) -> set[str]:
    return {b.source(n).url for n in numbers}


# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["city", "pair", "topic", "unrecorded", "economy", "bandung"])
def test_every_fact_is_cited_and_every_citation_resolves(briefings, name):
    b = briefings[name]
    numbers = {e.n for e in b.sources}
    assert numbers == set(range(1, len(b.sources) + 1)), "sources are numbered 1..n"
    cited: set[int] = set()
    for sentence in all_sentences(b):
        if sentence.factual:
            assert sentence.citations, f"uncited fact: {sentence.text!r}"
        else:
            assert not sentence.citations
            # A free-standing number (a year, a count) is a fact; "CC0" is a licence name.
            assert not re.search(r"(?<![A-Za-z])\d", sentence.text), f"framing with a number: {sentence.text!r}"
        assert set(sentence.citations) <= numbers
        cited |= set(sentence.citations)
    for section in b.sections:
        for row in section.table.rows if section.table else []:
            assert row.sources and set(row.sources) <= numbers
            cited |= set(row.sources)
    assert cited == numbers, "every listed source is used"


@pytest.mark.parametrize("name", ["city", "pair", "topic", "unrecorded", "economy"])
def test_article_sentences_are_formal_rewrites_of_the_cited_passage(briefings, article_chunks, name):
    b = briefings[name]
    article_sentences = [s for s in all_sentences(b) if s.kind == "article"]
    assert article_sentences
    for sentence in article_sentences:
        rewrites = {rewrite(sentence.source_text, follows=f) for f in (False, True)} - {""}
        assert any(sentence.text.endswith(r) for r in rewrites), sentence.text
        (n,) = sentence.citations
        entry = b.source(n)
        # One entry per article; the section the sentence comes from is one of its locators.
        assert sentence.locator in entry.sections
        passages = [c.text for c in article_chunks if c.title == entry.title and c.section == sentence.locator]
        assert any(sentence.source_text in p for p in passages), sentence.source_text


@pytest.mark.parametrize("name", ["city", "pair", "topic", "unrecorded", "economy"])
def test_rewrites_add_no_words_the_rules_do_not_give(briefings, name):
    """A formal sentence is its source minus framing words, plus only the formal words of formal.yaml."""
    allowed = {w.casefold() for _, formal in FORMAL_RULES["phrases"] for w in re.findall(r"\w+", formal)}
    allowed |= {w.casefold() for key in ("imperative_buat", "buat_elsewhere", "intensifier_formal")
                for w in re.findall(r"\w+", FORMAL_RULES[key])}
    allowed |= set(re.findall(r"\w+", "Mitigasi".casefold()))
    for sentence in all_sentences(briefings[name]):
        if sentence.kind != "article":
            continue
        source = {w.casefold() for w in re.findall(r"\w+", sentence.source_text)}
        added = {w.casefold() for w in re.findall(r"\w+", sentence.text)} - source - allowed
        assert not added, (sentence.source_text, sentence.text, added)


DANGLING = re.compile(r"^(?:[^:]{2,80}:\s+)?(?:ini|itu|hal ini|jadi,|intinya,|tidak hanya itu,|selain itu,|namun,|tetapi,)(?!\w)",
                      re.I)


@pytest.mark.parametrize("name", ["city", "pair", "topic", "unrecorded", "economy"])
def test_no_dangling_openers_and_no_personal_pronouns(briefings, name):
    """A sentence that opens its paragraph never leans on one that is not shown ("Ini ...", "Jadi, ...")."""
    for section in briefings[name].sections:
        previous_paragraph = None
        for sentence in section.sentences:
            opens = sentence.paragraph != previous_paragraph
            previous_paragraph = sentence.paragraph
            text = sentence.text.removeprefix("Mitigasi: ")
            if opens or sentence.kind != "article":
                assert not DANGLING.match(text), text
            assert not re.search(r"(?<!\w)(?:kita|kamu|kalian|kami|anda)(?!\w)", text, re.I), text


def test_record_sentences_cite_only_the_pages_behind_the_city(briefings, store):
    b = briefings["city"]
    allowed = {u for r in store.partners_of("surabaya") for u in r.source_urls}
    allowed |= {c.source_url for c in store.candidates_for_city("surabaya")}
    record_sentences = [s for s in all_sentences(b) if s.kind == "record"]
    assert len(record_sentences) >= 5
    for sentence in record_sentences:
        assert urls_of(b, sentence.citations) <= allowed, sentence.text


@pytest.mark.parametrize("name", ["city", "pair", "topic", "unrecorded", "economy", "bandung"])
def test_formal_register_throughout(briefings, name):
    b = briefings[name]
    texts = [b.title] + [s.heading for s in b.sections] + [s.text for s in all_sentences(b)] + b.notes
    for text in texts:
        assert is_casual(text) == [], text
        hits = [m for m in CASUAL if re.search(rf"(?<![\w-]){m}(?!\w)", text, re.I)]
        assert not hits and "nge-" not in text.casefold(), text
        assert not text.rstrip().endswith(("!", "?")), text


def test_city_table_rows_are_the_records_of_that_city(briefings):
    b = briefings["city"]
    (table_section,) = [s for s in b.sections if s.table is not None]
    assert table_section.heading == "Hubungan kota kembar yang tercatat"
    expected = {(r["partner_city"], r["partner_country"], r["status"], r["confidence"]) for r in summary_rows("surabaya")}
    rows = table_section.table.rows
    assert len(rows) == len(expected)
    assert {(r.partner, r.country, r.status, r.confidence) for r in rows} == expected
    by_partner = {r["partner_city"]: r for r in summary_rows("surabaya")}
    for row in rows:
        csv_row = by_partner[row.partner]
        assert urls_of(b, row.sources) == set(csv_row["source_urls"].split(" | "))
        if csv_row["year"]:
            assert row.year.startswith(csv_row["year"])
        for focus in filter(None, (f.strip() for f in csv_row["focus"].split(";"))):
            assert focus in row.focus


def test_summary_counts_come_from_the_records(briefings):
    ringkasan = briefings["city"].section("Ringkasan")
    text = " ".join(s.text for s in ringkasan.sentences)
    rows = summary_rows("surabaya")
    assert f"{len(rows)} hubungan" in text
    assert f"{len({r['partner_country'] for r in rows})} negara" in text
    assert all(r["partner_city"] in text for r in rows)


def test_data_notes_show_both_seattle_years_with_their_own_sources(briefings):
    b = briefings["city"]
    notes = b.section("Catatan data")
    text = " ".join(s.text for s in notes.sentences)
    assert "Seattle" in text and "1991" in text and "1992" in text
    rows = record_rows("surabaya", "Seattle")
    for year in ("1991", "1992"):
        (sentence,) = [s for s in notes.sentences if s.text.startswith(f"Tahun {year}") and "Seattle" in s.text]
        assert urls_of(b, sentence.citations) == {r["source_url"] for r in rows if r["year"] == year}
    # Listed is not active; weak evidence and unverified pairs are flagged, never stated as fact.
    assert "tidak sama dengan \"aktif\"" in text
    assert any("Kaohsiung" in s.text and "rendah" in s.text and s.citations for s in notes.sentences)
    assert any("belum terverifikasi" in s.text and "Mashhad" in s.text and s.citations for s in notes.sentences)
    table_partners = {r.partner for s in b.sections if s.table for r in s.table.rows}
    assert "Mashhad" not in table_partners


def test_recommendations_name_the_city_focus_areas(briefings):
    rekomendasi = briefings["city"].section("Rekomendasi")
    counts = Counter(f.strip().casefold() for r in summary_rows("surabaya") for f in set(r["focus"].split(";")) if f.strip())
    top = counts.most_common(1)[0][0]
    tied = [s for s in rekomendasi.sentences if s.kind == "record" and "Surabaya" in s.text]
    assert tied and top in tied[0].text and tied[0].citations
    # The articles' tips are there too, each cited.
    assert any(s.kind == "article" and "Tujuan" in s.text for s in rekomendasi.sentences)


def test_city_briefing_has_the_expected_sections(briefings):
    headings = [s.heading for s in briefings["city"].sections]
    assert headings == ["Ringkasan", "Konsep dan sejarah singkat", "Hubungan kota kembar yang tercatat", "Manfaat",
                        "Tantangan dan mitigasi", "Rekomendasi", "Catatan data"]
    tantangan = briefings["city"].section("Tantangan dan mitigasi")
    assert any(s.text.startswith("Mitigasi: ") for s in tantangan.sentences)
    assert briefings["city"].kind == "city" and briefings["city"].date == "1 Juli 2025"


def test_pair_briefing(briefings):
    b = briefings["pair"]
    assert b.kind == "pair" and "Surabaya–Busan" in b.title
    (table_section,) = [s for s in b.sections if s.table is not None]
    assert [r.partner for r in table_section.table.rows] == ["Busan"]
    ringkasan = " ".join(s.text for s in b.section("Ringkasan").sentences)
    assert "1994" in ringkasan and "sister city" in ringkasan
    # The article's case study on Surabaya and Busan is quoted (formally) and cited.
    assert any(s.kind == "article" and "Busan" in s.text for s in table_section.sentences)


@pytest.mark.parametrize("subject", ["Surabaya-Busan", "Surabaya dan Busan", "Busan – Surabaya", "surabaya & busan"])
def test_pair_spellings(store, retriever, subject):
    b = compose_briefing(subject, records=store, retrieve=retriever)
    assert b.kind == "pair"
    assert [r.partner for s in b.sections if s.table for r in s.table.rows] == ["Busan"]


def test_unrecorded_pair_says_so_and_covers_both_sides(briefings, store):
    b = briefings["unrecorded"]
    assert b.kind == "pair"
    ringkasan = b.section("Ringkasan").sentences
    assert any("tidak tercatat" in s.text and not s.citations for s in ringkasan)
    candidates = [s for s in ringkasan if "belum terverifikasi" in s.text]
    expected = {c.source_url for c in store.candidates_for_pair("surabaya", "Rotterdam")}
    assert candidates and set().union(*(urls_of(b, s.citations) for s in candidates)) == expected
    # What is known about each side: Surabaya's own partners, and who Rotterdam is twinned with.
    assert any("Surabaya" in s.text and s.citations and "hubungan kota kembar" in s.text for s in ringkasan)
    rotterdam = [s for s in ringkasan if s.text.startswith("Rotterdam tercatat")]
    assert rotterdam and "Jakarta" in rotterdam[0].text
    table_partners = {r.partner for s in b.sections if s.table for r in s.table.rows}
    assert "Rotterdam" not in table_partners  # an unverified pair never appears as a recorded one


def test_topic_briefing(briefings):
    b = briefings["topic"]
    assert b.kind == "topic"
    headings = [s.heading for s in b.sections]
    assert "Manfaat" in headings and "Tantangan dan mitigasi" in headings
    assert all(s.table is None for s in b.sections)
    assert all(s.kind != "record" for s in all_sentences(b))


def test_topic_the_sources_do_not_cover_is_not_padded(store, retriever):
    b = compose_briefing("resep rendang padang", records=store, retrieve=retriever)
    assert b.kind == "topic"
    assert not any(s.factual for s in all_sentences(b))
    assert not b.sources
    assert any("tidak membahas" in note for note in b.notes)


@pytest.mark.parametrize("subject, expected", [("Surabya", "Surabaya"), ("Surbaya", "Surabaya"), ("Bandnug", "Bandung")])
def test_misspelled_city_raises_with_near_matches(store, retriever, subject, expected):
    with pytest.raises(UnknownPlace) as info:
        compose_briefing(subject, records=store, retrieve=retriever)
    assert expected in info.value.suggestions
    assert subject in info.value.message and expected in info.value.message


def test_unknown_city_and_unknown_side_of_a_pair(store, retriever):
    with pytest.raises(UnknownPlace) as info:
        compose_briefing("Atlantis", records=store, retrieve=retriever)
    assert "Atlantis" in info.value.message
    with pytest.raises(UnknownPlace) as info:
        compose_briefing("Surabaya–Atlantis", records=store, retrieve=retriever)
    assert info.value.name == "Atlantis"


@pytest.mark.parametrize("subject", ["", "   ", "?!", None])
def test_empty_subject_is_an_invalid_question(store, retriever, subject):
    with pytest.raises(InvalidQuestion) as info:
        compose_briefing(subject, records=store, retrieve=retriever)
    assert "kosong" in info.value.message


def test_build_briefing_uses_the_assistant_records_retriever_and_settings(store, retriever):
    settings = Settings().with_(author="Sub Bagian Kerja Sama", org_name="Bagian Kerja Sama Setda Kota Surabaya")
    assistant_like = SimpleNamespace(records=store, retrieve=retriever, settings=settings)
    before = len(retriever.calls)
    b = build_briefing(assistant_like, "Surabaya", title="Bahan Rapat", date="2 Juli 2025")
    assert b.title == "Bahan Rapat" and b.date == "2 Juli 2025" and b.kind == "city"
    assert b.author == "Sub Bagian Kerja Sama" and b.organisation == "Bagian Kerja Sama Setda Kota Surabaya"
    assert abs((datetime.now(timezone.utc) - b.created).total_seconds()) < 3600  # created now, not a template date
    assert len(retriever.calls) > before


# ---------------------------------------------------------------------------------------------
# Sources: one entry per document, strongest kind first, weaker kinds marked


KIND_ORDER = ["pemerintah", "berita", "rujukan", "blog"]


@pytest.mark.parametrize("name", ["city", "pair", "topic", "unrecorded", "economy", "bandung"])
def test_one_source_entry_per_document_ordered_by_kind(briefings, name):
    b = briefings[name]
    assert [e.n for e in b.sources] == list(range(1, len(b.sources) + 1))
    documents = [(e.title, e.url) if not e.url else e.url for e in b.sources]
    assert len(documents) == len(set(documents)), "a document is listed once, its sections as locators"
    ranks = [KIND_ORDER.index(e.kind) for e in b.sources]
    assert ranks == sorted(ranks), [(e.n, e.kind) for e in b.sources]
    for entry in b.sources:
        assert bool(entry.mark) == (entry.kind in ("rujukan", "blog")), entry
        assert entry.group  # the list heading of its kind
        assert entry.sections or entry.pairs  # what is cited from it


def test_weak_sources_are_where_a_reader_expects_them(briefings):
    by_url = {e.url: e for e in briefings["bandung"].sources}
    assert by_url["http://bandungdailyphotos.blogspot.com/2008/09/bandungs-sister-cities.html"].kind == "blog"
    assert by_url["https://github.com/Hekman/twincities/blob/84ebdec26ee6878367953cfbc56311ae6452752b/twin_cities_raw.csv"].kind == "rujukan"
    assert by_url["https://fwsistercities.org/?p=245"].kind == "pemerintah"
    # The blog article (no URL) is one entry listing every section quoted, among the blogs.
    (blog,) = [e for e in briefings["city"].sources if e.title.startswith("Kerjasama Sister City di Indonesia")]
    assert blog.kind == "blog" and blog.url == "" and len(blog.sections) >= 3
    (voi,) = [e for e in briefings["city"].sources if "voi.id" in e.url]
    assert voi.kind == "berita" and len(voi.sections) >= 2


# ---------------------------------------------------------------------------------------------
# Counts the chat also gives; focus terms; topic pairs; subjects


def test_unverified_pairs_match_the_chat_and_never_include_a_verified_one(briefings, store):
    from assistant.prompts import load_phrases
    from assistant.records import answer_from_records
    from assistant.records.answers import RecordQuery

    b = briefings["bandung"]
    table_partners = {r.partner for s in b.sections if s.table for r in s.table.rows}
    assert "Cuenca" in table_partners
    (note,) = [s for s in b.section("Catatan data").sentences if "belum terverifikasi" in s.text]
    assert "Cuenca" not in note.text and "Melbourne" in note.text
    briefing_count = int(re.search(r"Terdapat (\d+) ", note.text).group(1))
    question = "Bandung punya kota kembar apa aja?"
    query = RecordQuery(question, tuple(store.find_places(question)), wants_list=True)
    chat = answer_from_records(query, store, load_phrases(PROJECT_ROOT / "prompts", "records"))
    chat_count = int(re.search(r"Ada juga (\d+) pasangan", chat.answer).group(1))
    assert briefing_count == chat_count == len(store.candidates_for_city("bandung")) == 3
    assert "Cuenca" not in {c.partner_city for c in store.candidates_for_city("bandung")}


def test_focus_terms_are_not_repeated(briefings):
    (table,) = [s.table for s in briefings["bandung"].sections if s.table]
    (braunschweig,) = [r for r in table.rows if r.partner == "Braunschweig"]
    terms = [t.strip() for t in braunschweig.focus.split(";")]
    assert "ekonomi dan perdagangan" in terms and "ekonomi" not in terms and "perdagangan" not in terms
    assert len(terms) == len(set(terms))


def test_topic_briefing_cites_the_pairs_whose_focus_fits(briefings, store):
    b = briefings["economy"]
    assert b.kind == "topic"
    (section,) = [s for s in b.sections if s.table is not None]
    rows = section.table.rows
    assert 3 <= len(rows) <= 8
    cues = ("ekonomi", "perdagangan", "investasi", "bisnis", "dunia usaha", "umkm", "industri", "agribisnis")
    for row in rows:
        rel = store.get(row.rel_id)
        assert any(c in f.casefold() for f in rel.focus for c in cues), rel.focus
        assert row.city and row.sources and urls_of(b, row.sources) <= set(rel.source_urls)
    (fact,) = [s for s in section.sentences if s.kind == "record"]
    assert all(f"{row.city}–" in fact.text for row in rows) and fact.citations
    assert "ekonomi" in fact.text
    # Pairs come best-evidenced first.
    order = {"tinggi": 0, "sedang": 1, "rendah": 2}
    assert [order[r.confidence] for r in rows] == sorted(order[r.confidence] for r in rows)


@pytest.mark.parametrize("subject, hint, kind", [
    ("Surabaya", "topic", "city"),
    ("Surabaya", "pair", "city"),
    ("Surabaya–Busan", "city", "pair"),
    ("Surabaya dan Busan", "topic", "pair"),
    ("manfaat ekonomi sister city", "city", "topic"),
    ("manfaat ekonomi sister city", "pair", "topic"),
    ("manfaat", "city", "topic"),
])
def test_the_subject_is_recognised_whatever_the_selector_says(store, subject, hint, kind):
    assert resolve_subject(subject, store, hint).kind == kind


@pytest.mark.parametrize("hint", [None, "city", "pair", "topic"])
def test_a_misspelt_place_gets_suggestions_whatever_the_selector_says(store, hint):
    with pytest.raises(UnknownPlace) as info:
        resolve_subject("Surabya", store, hint)
    assert "Surabaya" in info.value.suggestions
