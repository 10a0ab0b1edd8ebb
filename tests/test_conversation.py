"""Follow-ups become standalone questions; history is validated with clear messages."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from assistant.conversation import resolve_follow_up, validate_history
from assistant.errors import InvalidQuestion


@dataclass
class P:
    start: int
    end: int
    name: str


KNOWN = {"surabaya": "Surabaya", "bandung": "Bandung", "medan": "Medan", "jepang": "Jepang",
         "korsel": "Korea Selatan", "padang": "Padang", "hildesheim": "Hildesheim"}


def find_places(text: str) -> list[P]:
    return [P(m.start(), m.end(), KNOWN[m.group(0).lower()])
            for m in re.finditer("|".join(KNOWN), text, flags=re.I)]


def user(text):
    return {"role": "user", "content": text}


def bot(text):
    return {"role": "assistant", "content": text}


@pytest.mark.parametrize("previous, follow_up, expected", [
    ("Surabaya punya kota kembar apa aja?", "kalau Medan?", "Medan punya kota kembar apa aja?"),
    ("contoh kerja sama Surabaya gimana?", "kalau Bandung?", "contoh kerja sama Bandung gimana?"),
    ("Kota mana aja yang kembaran sama kota di Jepang?", "kalo Korsel?",
     "Kota mana aja yang kembaran sama kota di Korea Selatan?"),
    ("Sejak kapan Padang sama Hildesheim?", "kalau Bandung?", "Sejak kapan Bandung sama Hildesheim?"),
    ("apa manfaat sister city?", "kalau tantangannya?", "apa tantangan sister city?"),
    ("What are the benefits of twin cities?", "how about the challenges?", "What are the tantangan of twin cities?"),
])
def test_follow_ups_are_rewritten(previous, follow_up, expected):
    history = [user(previous), bot("...jawaban...")]
    assert resolve_follow_up(follow_up, history, find_places) == expected


def test_a_self_contained_question_is_left_alone():
    history = [user("Surabaya punya kota kembar apa aja?"), bot("...")]
    question = "Apa saja tantangan dalam pelaksanaan kerja sama kota kembar?"
    assert resolve_follow_up(question, history, find_places) == question


def test_a_follow_up_without_place_or_aspect_keeps_the_previous_topic():
    history = [user("Sejak kapan Padang sama Hildesheim?"), bot("...")]
    rewritten = resolve_follow_up("fokusnya apa?", history, find_places)
    assert "fokusnya apa" in rewritten and "Padang" in rewritten and "Hildesheim" in rewritten


def test_no_history_means_no_rewrite():
    assert resolve_follow_up("kalau Bandung?", [], find_places) == "kalau Bandung?"


@pytest.mark.parametrize("history, message", [
    ("bukan daftar", "daftar pesan"),
    ([{"role": "system", "content": "x"}], "role"),
    ([{"role": "user", "content": 3}], "content"),
    ([["user", "x"]], "role"),
])
def test_bad_history_gets_a_clear_message(history, message):
    with pytest.raises(InvalidQuestion, match=message):
        validate_history(history)
