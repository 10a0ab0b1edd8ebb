"""Words that name a place the records don't hold ("Purwakarta", "kota Kendari", "jember kembarannya
apa?"), so the answer can say plainly that there is no data for it instead of guessing.

Kept apart from routing.py: telling a name from an ordinary word needs its own word lists (roots,
frequency lists, the corpus vocabulary, prompts/places.yaml's Indonesian places without records).
"""
from __future__ import annotations

import re
from typing import Sequence

from .records import PlaceMatch, RecordStore
from .records.model import fold
from .text import Lexicon, normalize, root_words, stem


# Affixes of Jakarta, Javanese and Sundanese chat that Sastrawi doesn't strip: "nguntungin",
# "intine", "didasarkeun", "biasana". What is left must be a known word of four letters or more,
# so a name that only ends like one ("Berlin", "Turin", "Bern") stays a name.
_CHAT_PREFIXES = ("nge", "ng", "di", "ke", "")
_CHAT_SUFFIXES = ("keun", "ne", "in", "na", "e", "")


def _regional_cores(word: str) -> list[str]:
    cores = []
    for prefix in _CHAT_PREFIXES:
        for suffix in _CHAT_SUFFIXES:
            if (prefix or suffix) and word.startswith(prefix) and word.endswith(suffix):
                core = word[len(prefix): len(word) - len(suffix)]
                if len(core) >= 4:
                    cores.append(core)
    return cores


def _hyphenated(tokens: list[re.Match], i: int) -> bool:
    """Are tokens i and i+1 one hyphenated word ("Bau-Bau")?"""
    return tokens[i + 1].start() == tokens[i].end() + 1 and tokens[i].string[tokens[i].end()] == "-"


def _reduplicated(text: str, tokens: list[re.Match], i: int) -> bool:
    """Is token i written reduplicated: "kata2" or "kata-kata" (either half)?"""
    match = tokens[i]
    after = text[match.end(): match.end() + 1]
    if after == "2":
        return True
    word = match.group().casefold()
    return (i + 1 < len(tokens) and _hyphenated(tokens, i) and tokens[i + 1].group().casefold() == word) or \
        (i > 0 and _hyphenated(tokens, i - 1) and tokens[i - 1].group().casefold() == word)


class NameSpotter:
    """Finds names of places we have no data for in a message."""

    def __init__(self, records: RecordStore, lexicon: Lexicon | None, pair_joiners: frozenset[str],
                 ordinary_words: frozenset[str], english_words: frozenset[str], corpus_words: frozenset[str],
                 corpus_names: frozenset[str] = frozenset()) -> None:
        self.records = records
        self.lexicon = lexicon
        self.pair_joiners = pair_joiners  # "Denpasar sama X": X is the partner asked about
        # Words that are never a place name (Sastrawi roots, the corpus, cue and lexicon words; not
        # frequency lists, which hold "Osaka" too), and English words.
        self.ordinary_words = ordinary_words
        self.english_words = english_words
        self.corpus_words = corpus_words  # every word of the indexed documents
        self.corpus_names = corpus_names  # words the documents write only capitalised ("Roma")
        self._place_name_words: frozenset[str] | None = None

    def find(self, text: str, places: Sequence[PlaceMatch], asks_twinning: bool) -> list[str]:
        """Words that look like a place we have no data for ("Purwakarta", "kota Kendari").

        A word counts when it is not a known word and is capitalised (not first), follows "kota" /
        "kabupaten", or sits in a question about twinning ("tasikmalya sistercity nya apa").
        """
        taken = [(p.start, p.end) for p in places]
        names: list[str] = []
        run: list[str] = []
        previous = ""
        tokens = list(re.finditer(r"[^\W\d_]+", text))
        gazetteer = self._no_record_places(tokens)
        for i, match in enumerate(tokens):
            word = match.group()
            low = fold(word)
            if i in gazetteer:  # "jember", "kota Palu": an Indonesian place we know has no records
                if not any(s <= match.start() < e for s, e in taken):
                    run.append(word)
                previous = low
                continue
            bare = low[:-3] if low.endswith("nya") and len(low) > 6 else low
            if _reduplicated(text, tokens, i):
                # "gara2", "gara-gara", "kota2nya": chat reduplication marks an ordinary word, not a name
                if run:
                    names.append(" ".join(run))
                    run = []
                previous = low
                continue
            acronym = word.isupper() and len(word) <= 5  # "SDM", "UMKM"; known ones (IKN) are aliases
            capitalised = word[:1].isupper() and not acronym and i > 0
            ordinary = len(low) < 4 or low in self.ordinary_words or bare in self.ordinary_words
            if not capitalised and not ordinary:
                ordinary = self.is_plain_word(low)
            if ordinary and asks_twinning and places and not capitalised \
                    and (low in self.corpus_names or (low not in root_words() and low not in self.corpus_words)) \
                    and normalize(previous, self.lexicon) in self.pair_joiners:
                # "denpasar sm honolulu kmbr?": the partner asked about, though word lists know it; not a
                # word the articles use ("kerja sama smart city"), unless they use it as a name ("Roma")
                ordinary = False
            inside = any(s <= match.start() < e for s, e in taken)
            named = capitalised or previous in ("kota", "kabupaten", "kab", "provinsi") or asks_twinning or bool(run)
            if not inside and not ordinary and not acronym and named:
                run.append(word if bare == low else word[:-3])
            elif run:
                names.append(" ".join(run))
                run = []
            previous = low
        if run:
            names.append(" ".join(run))
        return names

    def _no_record_places(self, tokens: list[re.Match]) -> set[int]:
        """Token positions naming an Indonesian place the records don't hold (prompts/places.yaml),
        unless an indexed document mentions it (a city's own MoU added with `assistant add`)."""
        aliases = self.records.places.aliases
        hits: set[int] = set()
        for i, match in enumerate(tokens):
            low = fold(match.group())
            if low in self.corpus_words:
                continue
            pair = f"{low} {fold(tokens[i + 1].group())}" if i + 1 < len(tokens) else ""
            after_kota = i > 0 and fold(tokens[i - 1].group()) in ("kota", "kabupaten", "kab")
            if pair in aliases.no_record_places or (pair and pair.replace(" ", "") in aliases.no_record_places
                                                     and _hyphenated(tokens, i)):
                hits |= {i, i + 1}  # "kota Palu", "Bau-Bau" (Baubau)
            elif low in aliases.no_record_places or (after_kota and low in aliases.no_record_places_after_kota):
                hits.add(i)
        return hits

    def is_indonesian(self, name: str) -> bool:
        """Is the name an Indonesian regency or city (prompts/places.yaml), though it has no records?"""
        aliases = self.records.places.aliases
        folded = fold(name)
        return folded in aliases.no_record_places or folded.replace(" ", "") in aliases.no_record_places \
            or folded in aliases.no_record_places_after_kota

    def is_plain_word(self, word: str) -> bool:
        """A lowercase word that is a word, not a name: English, or an affixed Indonesian word.

        Frequency lists can't tell: they hold city names too. A stem only counts when more than
        a bare "ke"/"di"/"be" was cut off ("memiliki" -> "milik" yes, "kediri" -> "diri" no).
        """
        if word in self.english_words:
            return True
        if self.lexicon is not None and word in self.lexicon.no_stem:
            return False  # the proper nouns Sastrawi over-stems ("bekasi" is not "bekas" + -i)
        root = stem(word)
        if root != word and root in self.ordinary_words and not (word[:2] in ("ke", "di", "be", "se", "pe", "te") and root == word[2:]):
            return True
        if any(core in self.ordinary_words for core in _regional_cores(word)):
            return True
        return self._vowel_dropped(word)

    def _vowel_dropped(self, word: str) -> bool:
        """Chat spelling of an ordinary word ("smua", "brapa"): one vowel put back makes it one."""
        if self._place_name_words is None:
            self._place_name_words = frozenset(self.records.places.name_words())
        places = self._place_name_words
        for i in range(1, len(word)):
            for vowel in "aeiou":
                candidate = word[:i] + vowel + word[i:]
                if candidate in self.ordinary_words and candidate not in places:
                    return True
        return False
