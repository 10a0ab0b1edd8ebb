"""Builds the Router with its word lists: what counts as a correctly spelt word, how common a
word is, what spelling correction aims at, and which words are never a place name.
(Kept apart from routing.py: these are the one-off, start-up costs of a router.)"""
from __future__ import annotations

import re
from collections import Counter

from .records import RecordStore
from .records.model import fold
from .routing import Router
from .routing_data import RoutingData
from .spelling import SpellingCorrector, vocabulary
from .text import Lexicon, normalize, root_words, stem


def english_words() -> frozenset[str]:
    """The 30,000 most frequent English words: beyond them English is mostly rare names ("suraya"
    is not a typo of a word)."""
    from wordfreq import top_n_list  # imported here: only the router needs the word lists

    return frozenset(top_n_list("en", 30_000))


def known_words(lexicon: Lexicon | None, data: RoutingData, english: frozenset[str]) -> frozenset[str]:
    """Correctly spelt words of any kind: Indonesian roots and frequent Indonesian and English
    words (wordfreq), the casual and English words of the lexicon, and every cue word."""
    from wordfreq import top_n_list

    words = set(root_words()) | set(top_n_list("id", 60_000)) | english
    if lexicon is not None:
        words |= set(lexicon.words) | set(lexicon.stopwords) | {w for v in lexicon.words.values() for w in v.split()}
    return frozenset(words | data.cue_words())


def word_frequency(word: str) -> float:
    """How common a word is in Indonesian or English text (Zipf scale, 0 = unseen)."""
    from wordfreq import zipf_frequency

    return max(zipf_frequency(word, "id"), zipf_frequency(word, "en"))


def build_router(data: RoutingData, records: RecordStore, lexicon: Lexicon | None, corpus_texts: list[str],
                 body_texts: list[str] | None = None) -> Router:
    """A router whose spelling correction aims at the corpus vocabulary, the cue words and place names.
    body_texts: the passages without their headings, where a capital letter inside a sentence marks a name."""
    english = english_words()
    known = known_words(lexicon, data, english)
    corpus = vocabulary(corpus_texts)
    # English and casual words of the lexicon too: "twinnd" is a typo of "twinned", which the lexicon maps.
    lexicon_words = set(lexicon.words) if lexicon else set()
    targets = corpus + Counter({w: 1 for w in data.cue_words() | lexicon_words if w.isalpha()})
    speller = SpellingCorrector(targets, known, records.places.name_words(), stem=stem, frequency=word_frequency)
    # Words that are never a place name, for spotting names we have no data for. Frequency lists
    # are left out on purpose: they hold city names too ("Osaka", "Banjarmasin").
    ordinary = frozenset(set(root_words()) | set(corpus) | data.cue_words()
                         | (set(lexicon.words) | set(lexicon.stopwords) if lexicon else set()))
    # Places the articles talk about (Surabaya, Busan, Tokyo…): a pair of them with a question of
    # its own ("Jakarta belajar apa dari Tokyo?") is answered from the records and the articles.
    discussed = records.places.keys_named_in({fold(w) for w in corpus})
    # Word by word, for a topic of several words ("sister cities international") to be looked up.
    text = " ".join(" ".join(re.findall(r"[\w-]+", normalize(t, lexicon))) for t in corpus_texts)
    return Router(data, records, speller, lexicon, known, ordinary, english, discussed, frozenset(corpus),
                  corpus_text=f" {text} ",
                  corpus_names=proper_names(body_texts if body_texts is not None else corpus_texts))


def proper_names(texts: list[str]) -> frozenset[str]:
    """Words (casefolded) the texts write only capitalised, once at least right after a word or a
    comma: the names they mention ("Roma", "Coventry", "IKN"), though no record holds them.
    Title-case lines (headings, titles, list labels) say nothing about names and are skipped."""
    capitalised: set[str] = set()
    lowercase: set[str] = set()
    for text in texts:
        text = re.sub(r"^[^.:\n]{1,60}:", " ", text)  # a list item's label ("Peningkatan Pariwisata:")
        for line in text.splitlines():
            words = list(re.finditer(r"(?<![\w-])[^\W\d_]\w*", line))
            if sum(w.group()[0].isupper() for w in words) > len(words) / 2:
                continue
            for match in words:
                word = match.group()
                if word[0].islower():
                    lowercase.add(word.casefold())
                elif re.search(r"[\w,;]\s+$", line[max(0, match.start() - 4):match.start()]):
                    capitalised.add(word.casefold())  # mid-sentence, not a sentence's start
    return frozenset(capitalised - lowercase)
