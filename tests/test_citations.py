"""The citation-validity check the eval relies on."""
from __future__ import annotations

from assistant.citations import check_citations, marked_segments
from assistant.schema import Answer, Citation


def _answer(text, passages):
    cites = [Citation(n, f"s{n}", "T", "S", "", p) for n, p in enumerate(passages, 1)]
    return Answer("q", text, False, cites)


def test_each_segment_must_be_in_the_passage_it_cites():
    passages = ["Kerja sama ini fokus pada air. Rotterdam membantu Jakarta.", "Tercatat sejak 1991 menurut A."]
    good = _answer("Singkatnya:\n\n- Kerja sama ini fokus pada air. [1] Rotterdam membantu Jakarta. [1]", passages)
    assert all(c.ok for c in check_citations(good))
    bad = _answer("Rotterdam membantu Surabaya. [1]", passages)
    assert [c.ok for c in check_citations(bad)] == [False]


def test_connectives_and_bullets_are_not_part_of_the_claim():
    segments = marked_segments("- Seattle: tercatat sejak 1991 menurut A [1]; dan tercatat sejak 1992 menurut B [2]")
    assert segments == [("Seattle: tercatat sejak 1991 menurut A", (1,)), ("tercatat sejak 1992 menurut B", (2,))]


def test_a_missing_citation_number_is_invalid():
    answer = _answer("Rotterdam membantu Jakarta. [3]", ["Rotterdam membantu Jakarta."])
    assert [c.ok for c in check_citations(answer)] == [False]


def test_runs_of_markers_must_all_support_the_claim():
    answer = _answer("Rotterdam membantu Jakarta. [1][2]", ["Rotterdam membantu Jakarta.", "Lain."])
    (check,) = check_citations(answer)
    assert check.cited == (1, 2) and check.supported == (True, False)


def test_the_registry_numbers_each_cited_thing_once_in_order_of_first_use():
    from assistant.citations import Citations
    from assistant.config import PROJECT_ROOT
    from assistant.records import RecordStore

    store, errors = RecordStore.load(PROJECT_ROOT / "corpus" / "records")
    assert not errors
    seattle = store.get("surabaya--seattle")
    assert seattle is not None and seattle.year_conflict  # two sources, two different years
    cites = Citations()
    first = cites.relationship(seattle)
    sources = [cites.record_source(seattle, s) for s in seattle.sources if s.year]
    again = cites.relationship(seattle)
    chunk_number = cites.passage(seattle.chunk())
    assert first == again == 1
    assert sources == list(range(2, 2 + len(sources)))
    assert chunk_number == len(sources) + 2  # the indexed passage is numbered on its own key
    assert [c.n for c in cites.items] == list(range(1, len(cites.items) + 1))
    # A relationship cited directly and through its indexed chunk reads the same.
    direct, via_chunk = cites.items[0], cites.items[-1]
    assert (direct.source_id, direct.title, direct.text, direct.urls) == (
        via_chunk.source_id, via_chunk.title, via_chunk.text, via_chunk.urls)
    assert direct.urls == seattle.source_urls and len(direct.urls) >= 2
