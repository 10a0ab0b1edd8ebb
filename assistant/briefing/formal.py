"""Casual article sentences -> formal Indonesian, for briefings addressed to officials.

The rewrite is rule-based and deterministic (rules in prompts/formal.yaml): casual words are
swapped for formal ones or dropped, and nothing is added, so numbers and names pass through
unchanged and the rewritten sentence is still backed by the passage it came from. Sentences
that are only chatter ("Keren, kan?", rhetorical questions; listed in prompts/lexicon.yaml) come
back as "": not usable.

A briefing quotes sentences out of their article, so openers that lean on the sentence before
("Ini salah satu ...", "Tidak hanya itu, ...") are only kept when that sentence is quoted right
before (`follows=True`); otherwise the connective is dropped, a demonstrative after a list label
is dropped, and a sentence that still points at something not shown is not used. Sentences with
a personal pronoun ("kita", "kamu") are not used either.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..config import DEFAULT_PROMPTS_DIR
from ..errors import ConfigError
from ..prompts import load_phrases
from ..text import Lexicon, is_chatter, lexicon_path, load_lexicon, split_sentences


def _word_pattern(phrase: str) -> str:
    """A phrase matched as whole words; edges that are punctuation need no boundary."""
    escaped = re.escape(phrase)
    start = r"(?<![\w-])" if phrase[0].isalnum() else ""
    end = r"(?![\w-])" if phrase[-1].isalnum() else ""
    return f"{start}{escaped}{end}"


def _match_case(source: str, replacement: str) -> str:
    """Keep an initial capital: "Nggak" -> "Tidak", "nggak" -> "tidak"."""
    if source[:1].isupper() and replacement:
        return replacement[0].upper() + replacement[1:]
    return replacement


@dataclass(frozen=True)
class FormalRules:
    """Compiled rules from prompts/formal.yaml (and the chatter list of the same directory's lexicon)."""

    lexicon: Lexicon
    interjections: re.Pattern
    phrases: tuple[tuple[re.Pattern, str], ...]
    imperative_buat: str
    buat_elsewhere: str
    intensifier: re.Pattern
    intensifier_formal: str
    particles: re.Pattern
    min_words: int
    markers: tuple[tuple[str, re.Pattern], ...]
    leaning_openers: re.Pattern
    demonstrative: re.Pattern
    pointing: re.Pattern
    pronouns: re.Pattern

    @classmethod
    def from_yaml(cls, prompts_dir: Path) -> "FormalRules":
        """Load and compile prompts/formal.yaml (ConfigError naming the bad rule if broken)."""
        bank = load_phrases(prompts_dir, "formal")
        try:
            interjections = re.compile(
                r"^\W*(?:(?:" + "|".join(bank.raw("interjections")) + r")\s*)+", re.I
            )
            phrases = tuple(
                (re.compile(_word_pattern(casual), re.I), formal) for casual, formal in bank.raw("phrases")
            )
            words = "|".join(map(re.escape, bank.raw("particles")))
            # Before punctuation the particle goes with its comma ("formalitas, guys." -> "formalitas.");
            # mid-clause only the word goes, so the clause keeps its comma (", nah dia" -> ", ia").
            particles = re.compile(
                rf"[ \t]*,?[ \t]*(?<![\w-])(?:{words})(?![\w-])(?=\s*[,.;:!?]|\s*$)|(?<![\w-])(?:{words})(?![\w-])\s*",
                re.I,
            )
            intensifier = re.compile(r"(?<![\w-])([\w-]+)\s+" + re.escape(bank.raw("intensifier")) + r"(?![\w-])", re.I)
            markers = tuple((m, re.compile(_word_pattern(m), re.I)) for m in bank.raw("markers"))
            leaning = re.compile(r"^(?:" + "|".join(_word_pattern(o) for o in bank.raw("leaning_openers")) + r")\s*", re.I)
            # An optional list label ("Peningkatan Ekonomi: "), then the demonstrative as the subject.
            demonstrative = re.compile(
                r"^(?P<label>[^:.!?]{2,80}:\s+)?(?P<word>" + "|".join(_word_pattern(d) for d in bank.raw("demonstratives"))
                + r")\s+(?=\w)", re.I)
            # "Konsep ini ..." or, after a short lead-in clause, "Di Indonesia, konsep ini ...".
            pointing = re.compile(
                r"^(?:[^,:.]{1,30},\s+)?(?:" + "|".join(_word_pattern(n) for n in bank.raw("pointing_subjects"))
                + r")", re.I)
            pronouns = re.compile("|".join(_word_pattern(p) for p in bank.raw("pronouns")), re.I)
        except (re.error, TypeError, ValueError) as exc:
            raise ConfigError(f"prompts/formal.yaml berisi aturan yang tidak valid: {exc}") from None
        return cls(
            lexicon=load_lexicon(lexicon_path(prompts_dir)),
            interjections=interjections,
            phrases=phrases,
            imperative_buat=str(bank.raw("imperative_buat")),
            buat_elsewhere=str(bank.raw("buat_elsewhere")),
            intensifier=intensifier,
            intensifier_formal=str(bank.raw("intensifier_formal")),
            particles=particles,
            min_words=int(bank.raw("min_words")),
            markers=markers,
            leaning_openers=leaning,
            demonstrative=demonstrative,
            pointing=pointing,
            pronouns=pronouns,
        )


@lru_cache(maxsize=8)
def load_rules(prompts_dir: Path = DEFAULT_PROMPTS_DIR) -> FormalRules:
    """The compiled rules for a prompts directory (cached)."""
    return FormalRules.from_yaml(Path(prompts_dir))


_BUAT = re.compile(r"(?<![\w-])buat(?![\w-])", re.I)
# "Buat" right at the start of a sentence or after a list label ("Susun ...: Buat perencanaan").
_BUAT_IMPERATIVE = re.compile(r"(^|:\s+)buat(?![\w-])", re.I)


def _tidy(text: str) -> str:
    """Fix the spacing and punctuation that removals leave behind."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r",(\s*,)+", ",", text)
    text = re.sub(r",\s*([.!?;:])", r"\1", text)
    text = re.sub(r"^[\s,;:.!-]+", "", text)
    text = re.sub(r"!+", ".", text)  # exclamations have no place in a briefing
    text = re.sub(r"\.{2,}$", ".", text)
    if text and text[-1] not in ".?:;":
        text += "."
    return text[:1].upper() + text[1:]


def rewrite(sentence: str, rules: FormalRules | None = None, *, follows: bool = False) -> str:
    """The formal version of one casual sentence, or "" when it is not usable in a briefing.

    `follows`: the source sentence right before this one is quoted right before it, so an opener
    that leans on it ("Ini ...", "Namun, ...") still has its antecedent.
    """
    rules = rules or load_rules()
    text = re.sub(r"\s+", " ", sentence or "").strip()
    if is_chatter(text, rules.lexicon):
        return ""
    text = rules.interjections.sub("", text)
    text = _BUAT_IMPERATIVE.sub(lambda m: m.group(1) + _match_case(m.group(0)[len(m.group(1)):], rules.imperative_buat), text)
    text = _BUAT.sub(lambda m: _match_case(m.group(0), rules.buat_elsewhere), text)
    for pattern, formal in rules.phrases:
        text = pattern.sub(lambda m, f=formal: _match_case(m.group(0), f), text)
    text = rules.intensifier.sub(lambda m: _intensify(m.group(1), rules.intensifier_formal), text)
    text = rules.particles.sub("", text)
    text = _tidy(text)
    text = _detach(text, rules, follows)
    if not text or rules.pronouns.search(text) or len(re.findall(r"\w+", text)) < rules.min_words:
        return ""
    return text


def _detach(text: str, rules: FormalRules, follows: bool) -> str:
    """The sentence without openers whose antecedent is not shown; "" when it can't stand alone."""
    if not follows:
        text = _tidy(rules.leaning_openers.sub("", text)) if rules.leaning_openers.match(text) else text
    if not follows and rules.pointing.match(text):
        return ""  # "Konsep ini ..." with the concept nowhere before it
    match = rules.demonstrative.match(text)
    if match is None:
        return text
    label = match.group("label") or ""
    if label:  # the list label is what "Ini" points at: "Label: Ini X" -> "Label: X"
        rest = text[match.end():]
        return label + rest[:1].upper() + rest[1:]
    return text if follows else ""


def _intensify(word: str, formal: str) -> str:
    """"Banyak banget" -> "Sangat banyak", "penting banget" -> "sangat penting"."""
    if word[:1].isupper() and word[1:].islower():
        return f"{formal[:1].upper()}{formal[1:]} {word.lower()}"
    return f"{formal} {word}"


def rewrite_passage(text: str, rules: FormalRules | None = None) -> list[tuple[str, str]]:
    """(source sentence, formal rewrite) for every usable sentence of a passage quoted whole."""
    rules = rules or load_rules()
    pairs = []
    previous_used = False
    for source in split_sentences(text, rules.lexicon):
        formal = rewrite(source, rules, follows=previous_used)
        if formal:
            pairs.append((source, formal))
        previous_used = bool(formal)
    return pairs


def is_casual(text: str, rules: FormalRules | None = None) -> list[str]:
    """The casual markers found in a text, in order of first appearance (empty when formal)."""
    rules = rules or load_rules()
    found = []
    for marker, pattern in rules.markers:
        match = pattern.search(text or "")
        if match:
            found.append((match.start(), marker))
    return [marker for _, marker in sorted(found)]
