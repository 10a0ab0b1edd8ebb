"""Indonesian text handling for keyword search and sentence extraction: pure, fast, no model.

People ask in casual Indonesian ("ngaruh gak sih sister city ke ekonomi?") and in English,
while the articles are written in semi-formal Indonesian. normalize() maps the casual and
English spellings onto the articles' words, tokenize() turns text into stemmed search terms,
and split_sentences() cuts passages into sentences that are verbatim substrings, so a quoted
sentence can always be found again in its source.

The word lists live in prompts/lexicon.yaml and are loaded once per prompts directory: the
Assistant loads the lexicon of Settings.prompts_dir and passes it down; every function here
takes it as `lexicon` (None means the project's own prompts/lexicon.yaml).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .config import DEFAULT_PROMPTS_DIR
from .errors import ConfigError
from .prompts import read_yaml_mapping

LEXICON_FILE = "lexicon.yaml"
LEXICON_PATH = DEFAULT_PROMPTS_DIR / LEXICON_FILE

# Typographic variants people paste from phones and web pages; NFKC leaves these alone.
_TYPOGRAPHY = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None,
})
_ELONGATION = re.compile(r"([^\W\d_])\1{2,}")  # "bangettt", "gimanaaa": stretched for emphasis
# "kota2" is "kota-kota"; "pas2an" is "pas-pasan"
_DIGIT_REDUPLICATION = re.compile(r"(?<!\w)([^\W\d_]{2,})2(an|nya)?(?!\w)")
_WORD = re.compile(r"(?<!\w)[^\W\d_]+(?!\w)")
# "city-nya", "Jakarta-ku": an enclitic written with a hyphen belongs to the word before it.
_HYPHENATED_ENCLITIC = re.compile(r"(?<=[^\W\d_])-(nya|ku|mu|lah|kah|pun|ne)(?!\w)")  # "-ne": Javanese "-nya"
# "gubernurnye", "artinye": Betawi's "-nye" is "-nya".
_BETAWI_ENCLITIC = re.compile(r"(?<=[^\W\d_]{3})nye(?!\w)")
_SPACES = re.compile(r"\s+")
# A search term: letters/digits, numbers keep their separators ("1.000"), hyphenated words
# stay whole so Sastrawi can see reduplication ("kota-kota" -> "kota").
_TOKEN = re.compile(r"[^\W_]+(?:[.,]\d+)*(?:-[^\W_]+)*")


@dataclass(frozen=True, eq=False)  # compared by identity: one object per loaded file, cache-friendly
class Lexicon:
    """The word lists of prompts/lexicon.yaml, validated and compiled."""

    phrase_pattern: re.Pattern[str] | None
    phrases: dict[str, str]  # key without spaces/hyphens -> replacement
    words: dict[str, str]  # slang + English, chains resolved
    stopwords: frozenset[str]
    keep_bigrams: frozenset[tuple[str, str]]
    no_stem: frozenset[str]
    stem_synonyms: dict[str, str]
    abbreviations_title: frozenset[str]
    abbreviations_terminal: frozenset[str]
    chatter: tuple[re.Pattern[str], ...] = ()  # sentences with no fact to quote ("Keren, kan?")


def _english_inflections(word: str) -> set[str]:
    """Regular English forms of a glossary word ("learn" -> "learned", "learns", "learning")."""
    if not word.isalpha() or len(word) < 3:
        return set()
    forms = {word + "s", word + "ed", word + "ing"}
    if word.endswith("e"):
        forms |= {word + "d", word[:-1] + "ing"}
    if word.endswith("y") and word[-2] not in "aeiou":
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if word.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(word + "es")
    if len(word) <= 4 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou" and word[-3] not in "aeiou":
        forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}  # plan -> planned, planning
    return forms


def _with_inflections(english: dict[str, str], slang: dict[str, str]) -> dict[str, str]:
    """The English glossary's regular inflections, except forms that are Indonesian words or a
    mapping's target ("tips" stays the articles' word, not the plural of "tip")."""
    taken = root_words() | set(slang) | {w for v in (*english.values(), *slang.values()) for w in v.split()}
    extra: dict[str, str] = {}
    for word, meaning in english.items():
        for form in _english_inflections(word):
            if form not in english and form not in taken:
                extra.setdefault(form, meaning)
    return extra


def _section(data: dict, key: str, kind: type, path: Path) -> Any:
    value = data.get(key, kind())
    if not isinstance(value, kind):
        raise ConfigError(f"{path.name}: {key!r} harus berupa {kind.__name__}, bukan {type(value).__name__}.")
    return value


def _string_map(data: dict, key: str, path: Path) -> dict[str, str]:
    mapping = _section(data, key, dict, path)
    for k, v in mapping.items():
        if not isinstance(k, str) or not isinstance(v, str) or not k.strip() or not v.strip():
            raise ConfigError(f"{path.name}: {key}: entri {k!r}: {v!r} harus teks -> teks yang tidak kosong.")
    return {k.casefold().strip(): v.casefold().strip() for k, v in mapping.items()}


def _string_set(data: dict, key: str, path: Path) -> frozenset[str]:
    items = _section(data, key, list, path)
    bad = [i for i in items if not isinstance(i, str) or not i.strip()]
    if bad:
        raise ConfigError(f"{path.name}: {key} berisi entri yang bukan kata: {bad[:3]!r}.")
    return frozenset(i.casefold().strip() for i in items)


def _resolve_chains(words: dict[str, str], path: Path) -> dict[str, str]:
    """bgt -> banget -> sangat becomes bgt -> sangat, so normalize() needs a single pass."""
    resolved: dict[str, str] = {}

    def resolve(word: str, seen: tuple[str, ...]) -> str:
        if word in seen:
            raise ConfigError(f"{path.name}: pemetaan kata berputar: {' -> '.join(seen + (word,))}.")
        if word not in words:
            return word
        if word not in resolved:
            resolved[word] = " ".join(resolve(w, seen + (word,)) for w in words[word].split())
        return resolved[word]

    for word in words:
        resolve(word, ())
    return resolved


def _phrase_regex(keys: list[str]) -> re.Pattern[str] | None:
    # Spaces in a key also match hyphens or nothing: "sister city", "sister-city", "sistercity".
    alternatives = [r"[\s\-]*".join(re.escape(w) for w in k.split()) for k in sorted(keys, key=len, reverse=True)]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)") if alternatives else None


def _compact(text: str) -> str:
    return re.sub(r"[\s\-]+", "", text)


def lexicon_path(prompts_dir: Path) -> Path:
    """Where a prompts directory keeps its word lists."""
    return Path(prompts_dir) / LEXICON_FILE


def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """Read and validate the word lists (cached: every call after the first is free)."""
    return _load_lexicon(Path(path))


@lru_cache(maxsize=4)
def _load_lexicon(path: Path) -> Lexicon:
    data = read_yaml_mapping(path, "Daftar kata")

    slang = _string_map(data, "slang", path)
    english = _string_map(data, "english", path)
    clash = sorted(set(slang) & set(english))
    if clash:
        raise ConfigError(f"{path.name}: kata {clash[:3]} ada di 'slang' dan 'english' sekaligus; pilih satu.")
    phrases = _string_map(data, "phrases", path)

    bigrams = _section(data, "keep_bigrams", list, path)
    if any(not isinstance(b, list) or len(b) != 2 or not all(isinstance(w, str) for w in b) for b in bigrams):
        raise ConfigError(f"{path.name}: keep_bigrams harus daftar pasangan kata, misalnya [kerja, sama].")
    try:
        chatter = tuple(re.compile(p, re.I) for p in _section(data, "chatter", list, path))
    except (re.error, TypeError) as exc:
        raise ConfigError(f"{path.name}: chatter berisi pola yang tidak valid: {exc}") from None

    return Lexicon(
        phrase_pattern=_phrase_regex(list(phrases)),
        phrases={_compact(k): v for k, v in phrases.items()},
        words=_resolve_chains({**_with_inflections(english, slang), **slang, **english}, path),
        stopwords=_string_set(data, "stopwords", path),
        keep_bigrams=frozenset((a.casefold(), b.casefold()) for a, b in bigrams),
        no_stem=_string_set(data, "no_stem", path),
        stem_synonyms=_string_map(data, "stem_synonyms", path),
        abbreviations_title=_string_set(data, "abbreviations_title", path),
        abbreviations_terminal=_string_set(data, "abbreviations_terminal", path),
        chatter=chatter,
    )


def normalize(text: str, lexicon: Lexicon | None = None) -> str:
    """Casefold, unicode-normalize and map casual/English spellings to the articles' words."""
    lex = lexicon or load_lexicon()
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY).casefold()
    text = _ELONGATION.sub(r"\1", text)
    text = _DIGIT_REDUPLICATION.sub(lambda m: f"{m[1]}-{m[1]}{m[2] or ''}", text)
    text = _HYPHENATED_ENCLITIC.sub(lambda m: "nya" if m[1] == "ne" else m[1], text)
    text = _BETAWI_ENCLITIC.sub("nya", text)
    if lex.phrase_pattern is not None:
        text = lex.phrase_pattern.sub(lambda m: lex.phrases[_compact(m.group())], text)
    words = lex.words

    def mapped(match: re.Match) -> str:
        word = match.group()
        if word in words:
            return words[word]
        # "duitnya" is "duit" + "-nya": map the base word and keep the suffix.
        if word.endswith("nya") and word[:-3] in words:
            return words[word[:-3]] + "nya"
        return _javanese_possessive(word) or word

    text = _WORD.sub(mapped, text)
    return _SPACES.sub(" ", text).strip()


def is_emoji(ch: str) -> bool:
    """A pictograph ("👍", "😊"): a message of them alone is small talk."""
    return unicodedata.category(ch) == "So"


@lru_cache(maxsize=50_000)
def _javanese_possessive(word: str) -> str | None:
    """"hasile", "ekonomine" -> "hasilnya", "ekonominya": Javanese "-e" after a consonant and "-ne"
    after a vowel are Indonesian "-nya", when what precedes them is an Indonesian word."""
    if not word.isascii() or len(word) < 6 or word in root_words():
        return None
    if word.endswith("ne") and word[-3] in "aiueo":
        base = word[:-2]
    elif word.endswith("e") and word[-2] not in "aiueo":
        base = word[:-1]
    else:
        return None
    root = stem(base)  # "tujuan" -> "tuju"; a short root ("berape" -> "rap") is a coincidence
    known = base in root_words() or (len(root) >= 4 and root in root_words())
    return f"{base}nya" if len(base) >= 4 and known else None


@lru_cache(maxsize=1)
def root_words() -> frozenset[str]:
    """Indonesian root words (Sastrawi's dictionary): never fuzzy-matched to a place name."""
    try:
        import Sastrawi  # the stemmer ships a 30k-word dictionary we can reuse

        path = Path(Sastrawi.__file__).parent / "Stemmer" / "data" / "kata-dasar.txt"
        return frozenset(w.strip() for w in path.read_text(encoding="utf-8").split() if w.strip())
    except (ImportError, OSError):
        return frozenset()


@lru_cache(maxsize=1)
def _stemmer():
    # Imported lazily: building Sastrawi's dictionary costs ~50 ms, paid only by the first search.
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    stemmer = StemmerFactory().create_stemmer()
    # Sastrawi keeps its ~30k root words in a list, so every lookup is a linear scan (about
    # 80 ms per new word; minutes for an index). The same words in a set make it microseconds.
    dictionary = getattr(stemmer, "delegatedStemmer", stemmer).dictionary
    dictionary.words = set(dictionary.words)
    return stemmer


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """Sastrawi's root of one lowercase word ("keuntungannya" -> "untung"), cached."""
    return _stemmer().stem(word) or word


@lru_cache(maxsize=100_000)
def _terms(word: str, stem: bool, lex: Lexicon) -> tuple[str, ...]:
    """Search terms for one normalized word (cached: Sastrawi is slow on a word it hasn't seen)."""
    if not word.isascii() or any(c.isdigit() for c in word):
        # Numbers and codes ("1944", "g20") are not Indonesian words, and Sastrawi drops
        # non-ASCII letters ("café" -> "caf"), so both stay as they are.
        return (word,)
    if "-" in word:
        parts = [p for p in word.split("-") if p]
        if len(set(parts)) == 1:
            return _terms(parts[0], stem, lex)  # plain reduplication: "kota-kota" is "kota"
        whole = _stemmer().stem(word) if stem else word
        if "-" not in whole:
            return (lex.stem_synonyms.get(whole, whole),)  # Sastrawi understood it ("bermacam-macam" -> "macam")
        return tuple(t for p in parts if p not in lex.stopwords for t in _terms(p, stem, lex))
    if not stem or word in lex.no_stem:
        return (word,)
    stemmed = _stemmer().stem(word) or word
    if stemmed not in root_words():
        stemmed = _colloquial_root(word) or stemmed
    return (lex.stem_synonyms.get(stemmed, stemmed),)


def _colloquial_root(word: str) -> str | None:
    """The root of a Jakarta-style form Sastrawi doesn't know: "ngeprakarsai", "dilakuin", "ngurusin"."""
    candidates = []
    if word.startswith("nge") and len(word) > 6:
        candidates.append(word[3:])  # ngeprakarsai -> prakarsai
    elif word.startswith("ng") and len(word) > 5 and word[2] in "aiueo":
        bare = word[2:]  # nguntungin -> untungin, ngurusin -> urusin
        candidates += [bare, bare[:-2] + "kan"] if bare.endswith("in") else [bare]
    elif word.startswith("ny") and len(word) > 5 and word[2] in "aiueo":
        candidates += ["c" + word[2:], "s" + word[2:]]  # nyari -> cari, nyiapin -> siapin
    if word.endswith("in") and len(word) > 5:
        candidates.append(word[:-2] + "kan")  # dilakuin -> dilakukan
        if word.startswith("nge") and len(word) > 8:
            candidates.append(word[3:-2] + "kan")
    for candidate in candidates:
        root = _stemmer().stem(candidate)
        if root in root_words():
            return root
    return None


def tokenize(text: str, *, stem: bool = True, lexicon: Lexicon | None = None) -> list[str]:
    """Normalized, stopword-free, Sastrawi-stemmed search terms (stem=False only for measuring)."""
    lex = lexicon or load_lexicon()
    tokens: list[str] = []
    previous = ""
    for match in _TOKEN.finditer(normalize(text, lex)):
        word = match.group()
        # "sama" is a stopword ("satu sama lain", "sm" = with) except in "kerja sama".
        if word not in lex.stopwords or (previous, word) in lex.keep_bigrams:
            tokens.extend(_terms(word, stem, lex))
        previous = word
    return tokens


def content_words(text: str, lexicon: Lexicon | None = None) -> set[str]:
    """The distinct search terms of a text, for overlap scoring."""
    return set(tokenize(text, lexicon=lexicon))


def is_chatter(sentence: str, lexicon: Lexicon | None = None) -> bool:
    """Greetings, rhetorical questions and "let's talk about…" lines: no fact to quote or cite."""
    lex = lexicon or load_lexicon()
    text = _SPACES.sub(" ", sentence or "").strip()
    return not text or any(p.search(text) for p in lex.chatter)


# Sentence splitting -------------------------------------------------------------------------

_TERMINATOR = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]\u00bb]*(?=\s)")
_CLOSERS = "\"'\u201d\u2019)]\u00bb"
_OPENERS = "\"'\u201c\u2018([\u00ab"
# A Markdown heading or list item starts its own block; the marker itself is layout, not text.
_LINE_MARKER = re.compile(r"[ \t]*(?:#{1,6}|[-*+\u2022]|\d{1,3}[.)])[ \t]+")
_HEADING = re.compile(r"[ \t]*#{1,6}[ \t]")
_PRECEDING_WORD = re.compile(r"[^\s(\[\"'\u201c\u2018]+$")


def _blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph, heading and list item: sentences never cross them."""
    blocks: list[tuple[int, int]] = []
    start: int | None = None
    previous_heading = False
    position = 0
    for line in text.splitlines(keepends=True):
        line_start, position = position, position + len(line)
        blank = not line.strip()
        new_block = blank or previous_heading or bool(_LINE_MARKER.match(line))
        if new_block and start is not None:
            blocks.append((start, line_start))
            start = None
        if not blank and start is None:
            marker = _LINE_MARKER.match(line)
            start = line_start + (marker.end() if marker and not marker.group().strip()[0].isdigit() else 0)
        previous_heading = bool(_HEADING.match(line))
    if start is not None:
        blocks.append((start, len(text)))
    return blocks


def _ends_sentence(text: str, terminator: re.Match[str], sentence_start: int, block_end: int, lex: Lexicon) -> bool:
    """Is this . ! ? a sentence end: followed by a capital/digit and not an abbreviation or list number?"""
    nxt = terminator.end()
    while nxt < block_end and text[nxt].isspace():
        nxt += 1
    if nxt < block_end and text[nxt] in _OPENERS:
        nxt += 1
    if nxt >= block_end or not (text[nxt].isupper() or text[nxt].isdigit()):
        return False
    if terminator.group().rstrip(_CLOSERS) != ".":
        return True  # "!", "?", "..." are never abbreviations
    word_match = _PRECEDING_WORD.search(text, sentence_start, terminator.start())
    if word_match is None:
        return True
    word = word_match.group().casefold()
    if word in lex.abbreviations_title:
        return False  # "Dr. Budi", "Rp. 1.000", "Jl. Sudirman"
    if len(word) == 1 and word.isalpha():
        return False  # an initial: "B. J. Habibie"
    if word.isdigit() and not text[sentence_start:word_match.start()].strip():
        return False  # a list number opening the sentence: "1. Tentukan tujuan"
    return True


def split_sentences(text: str, lexicon: Lexicon | None = None) -> list[str]:
    """Sentences exactly as they appear in `text` (each one a verbatim substring), in order."""
    lex = lexicon or load_lexicon()
    sentences: list[str] = []
    for start, end in _blocks(text):
        sentence_start = start
        for terminator in _TERMINATOR.finditer(text, start, end):
            if _ends_sentence(text, terminator, sentence_start, end, lex):
                sentences.append(text[sentence_start:terminator.end()].strip())
                sentence_start = terminator.end()
        sentences.append(text[sentence_start:end].strip())
    return [s for s in sentences if s]
