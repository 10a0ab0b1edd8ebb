"""Conversation history is validated with clear messages (what it means is tests/test_routing.py)."""
from __future__ import annotations

import pytest

from assistant.conversation import MAX_TURNS, validate_history
from assistant.errors import InvalidQuestion


@pytest.mark.parametrize("history, message", [
    ("bukan daftar", "daftar pesan"),
    ([{"role": "system", "content": "x"}], "role"),
    ([{"role": "user", "content": 3}], "content"),
    ([["user", "x"]], "role"),
])
def test_bad_history_gets_a_clear_message(history, message):
    with pytest.raises(InvalidQuestion, match=message):
        validate_history(history)


def test_history_keeps_only_the_recent_turns():
    history = [{"role": "user", "content": f"pertanyaan {i}"} for i in range(MAX_TURNS + 5)]
    kept = validate_history(history)
    assert len(kept) == MAX_TURNS and kept[-1]["content"] == f"pertanyaan {MAX_TURNS + 4}"


def test_no_history_is_an_empty_conversation():
    assert validate_history(None) == []
