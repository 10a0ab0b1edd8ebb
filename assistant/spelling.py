"""Spelling tolerance for questions: "manfat kota kembr" -> "manfaat kota kembar".

A word is corrected only when it is unknown (not in the corpus, the Indonesian root-word list,
the casual/English word lists or the place names) and exactly one known word is clearly the
closest. Corrections aim at the corpus vocabulary and the router's cue words, because only those
change what is retrieved or how a question is routed. A token becomes a place name only when it
is closer to that name than to any ordinary Indonesian word, so a misspelt food or verb never
turns into a city.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
MIN_LENGTH = 4  # shorter words are too easy to "correct" into something else
FREQUENCY_MARGIN = 1.0  # Zipf units: a place must be 10x more common than an equally close word


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (adjacent swaps count 1), giving up above `limit` (returns limit+1)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return previous[-1]


def allowed_distance(word: str) -> int:
    """One slip in a word, two in a long one ("infrastruktr" vs "ngambang"/"nyambung")."""
    return 1 if len(word) < 10 else 2


@dataclass(frozen=True)
class Correction:
    text: str
    changes: tuple[tuple[str, str], ...]  # (as typed, corrected)


class SpellingCorrector:
    """Corrects unknown words towards the corpus vocabulary, cue words and place names."""

    def __init__(self, targets: Counter[str], known_words: Iterable[str], place_words: Iterable[str],
                 stem: Callable[[str], str] | None = None, frequency: Callable[[str], float] | None = None) -> None:
        # targets: words worth correcting to (corpus words with their frequency, cue words).
        # known_words: every other correctly spelt word (root words, casual and English words).
        self.targets = targets
        self.stem = stem
        # How common a word is (Zipf scale): between two equally close words, the common one is
        # the likelier intent ("surbaya" is Surabaya, not the rare root word "suraya").
        self.frequency = frequency or (lambda word: 0.0)
        self.places = {w for w in place_words if len(w) >= MIN_LENGTH}
        self.known = set(known_words) | set(targets) | self.places
        self._by_first: dict[str, list[str]] = {}
        for word in sorted(set(targets) | self.places):
            self._by_first.setdefault(word[0], []).append(word)
        self._ordinary_by_first: dict[str, list[str]] = {}
        for word in self.known - self.places:
            if word:
                self._ordinary_by_first.setdefault(word[0], []).append(word)

    def is_known(self, word: str) -> bool:
        """Spelt right: listed, or an affixed form of a listed word ("keuntungannya")."""
        if word in self.known or (word.endswith("nya") and word[:-3] in self.known):
            return True
        return self.stem is not None and self.stem(word) in self.known

    def suggest(self, word: str) -> str | None:
        """The one clearly closest target for an unknown word, or None."""
        word = word.casefold()
        if len(word) < MIN_LENGTH or self.is_known(word):
            return None
        limit = allowed_distance(word)
        # Typos rarely hit the first letter; requiring it keeps "warna" away from "Varna".
        scored = sorted(
            (d, -self.targets.get(t, 0), t)
            for t in self._by_first.get(word[0], ())
            if (d := edit_distance(word, t, limit)) <= limit
        )
        if not scored:
            return None
        best_distance, _, best = scored[0]
        rivals = [t for d, _, t in scored[1:] if d == best_distance]
        if best in self.places:
            # A place wins only against every ordinary word as close as it, and only unambiguously.
            if rivals:
                return None
            floor = self.frequency(best) - FREQUENCY_MARGIN
            if any(self.frequency(w) >= floor for w in self._ordinary_within(word, best_distance)):
                return None
            return best
        if rivals and any(r in self.places for r in rivals):
            return None
        return best

    def _ordinary_within(self, word: str, distance: int) -> list[str]:
        """Ordinary words (not places) at most `distance` edits from `word`."""
        return [
            w for w in self._ordinary_by_first.get(word[0], ())
            if abs(len(w) - len(word)) <= distance and edit_distance(word, w, distance) <= distance
        ]

    def correct(self, text: str) -> Correction:
        """The text with unknown words replaced by their correction (case kept for capitals)."""
        changes: list[tuple[str, str]] = []

        def fix(match: re.Match[str]) -> str:
            word = match.group()
            suggestion = self.suggest(word)
            if suggestion is None:
                return word
            fixed = suggestion.capitalize() if word[:1].isupper() else suggestion
            changes.append((word, fixed))
            return fixed

        corrected = _WORD.sub(fix, text)
        return Correction(corrected, tuple(changes))


def vocabulary(texts: Iterable[str]) -> Counter[str]:
    """Lowercase word frequencies of a collection of texts."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(w.casefold() for w in _WORD.findall(text))
    return counts
