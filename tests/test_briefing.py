"""Briefings for officials: every fact cited, formal register, table == records, honest gaps.

The data is real (the project's articles and record CSVs); only the ranking is faked, by a
keyword-overlap retriever over the real article and record chunks.
"""
from __future__ import annotations

import csv
import re
from collections import Counter
from types import SimpleNamespace

import pytest

from assistant.briefing import Briefing, build_briefing, compose_briefing
from assistant.chunking import chunk_article
from assistant.config import PROJECT_ROOT
from assistant.corpus import load_articles
from assistant.errors import InvalidQuestion, UnknownPlace
from assistant.briefing.formal import is_casual, rewrite
from assistant.records import RecordStore
from assistant.schema import Chunk, Hit

RECORDS_DIR = PROJECT_ROOT / "corpus" / "records"
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


@pytest.mark.parametrize("name", ["city", "pair", "topic", "unrecorded"])
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


@pytest.mark.parametrize("name", ["city", "pair", "topic", "unrecorded"])
def test_article_sentences_are_formal_rewrites_of_the_cited_passage(briefings, article_chunks, name):
    b = briefings[name]
    article_sentences = [s for s in all_sentences(b) if s.kind == "article"]
    assert article_sentences
    for sentence in article_sentences:
        assert rewrite(sentence.source_text) and sentence.text.endswith(rewrite(sentence.source_text))
        (n,) = sentence.citations
        entry = b.source(n)
        passages = [c.text for c in article_chunks if c.title == entry.title and c.section == entry.section]
        assert any(sentence.source_text in p for p in passages), sentence.source_text


def test_record_sentences_cite_only_the_pages_behind_the_city(briefings, store):
    b = briefings["city"]
    allowed = {u for r in store.partners_of("surabaya") for u in r.source_urls}
    allowed |= {c.source_url for c in store.candidates_for_city("surabaya")}
    record_sentences = [s for s in all_sentences(b) if s.kind == "record"]
    assert len(record_sentences) >= 5
    for sentence in record_sentences:
        assert urls_of(b, sentence.citations) <= allowed, sentence.text


@pytest.mark.parametrize("name", ["city", "pair", "topic", "unrecorded"])
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
    with pytest.raises(UnknownPlace):
        compose_briefing("manfaat", records=store, retrieve=retriever, kind="city")


@pytest.mark.parametrize("subject", ["", "   ", "?!", None])
def test_empty_subject_is_an_invalid_question(store, retriever, subject):
    with pytest.raises(InvalidQuestion) as info:
        compose_briefing(subject, records=store, retrieve=retriever)
    assert "kosong" in info.value.message


def test_build_briefing_uses_the_assistant_records_and_retriever(store, retriever):
    assistant_like = SimpleNamespace(records=store, retrieve=retriever)
    before = len(retriever.calls)
    b = build_briefing(assistant_like, "Surabaya", title="Bahan Rapat", date="2 Juli 2025")
    assert b.title == "Bahan Rapat" and b.date == "2 Juli 2025" and b.kind == "city"
    assert len(retriever.calls) > before
