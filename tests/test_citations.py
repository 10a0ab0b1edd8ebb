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
