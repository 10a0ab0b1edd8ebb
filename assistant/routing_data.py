"""prompts/routing.yaml, validated and compiled: the cue lists and thresholds the router uses.

Cue phrases are matched as whole words in normalized text (casual and English words already
mapped to standard Indonesian by the lexicon), so each list is written once in plain words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .prompts import read_yaml_mapping
from .answer import Openers, SentenceWeights
from .retrieval import FusionWeights
from .text import Lexicon, lexicon_path, load_lexicon, normalize

ROUTING_FILE = "routing.yaml"
SMALLTALK_KINDS = ("greeting", "how_are_you", "thanks", "bye", "identity", "capability", "praise", "complaint",
                   "apology", "ack")
ASPECTS = ("concept", "history", "benefit", "challenge", "tip", "solution", "example", "activity", "purpose", "summary")
RECORD_INTENTS = ("twinning", "year", "focus", "learned", "list", "which", "yes_no", "province")
FEATURES = ("strong_domain", "weak_domain", "aspect", "coverage", "similarity", "keyword", "uncovered_need",
            "place", "no_need")


class Cues:
    """A list of phrases, matched as whole words in normalized text (or, when `as_typed`, in the
    casefolded text as the user typed it: normalizing would turn the English "draft" into the
    Indonesian "penyusunan", which asks for no document)."""

    def __init__(self, phrases: list[str], lexicon: Lexicon | None, as_typed: bool = False) -> None:
        form = (lambda p: " ".join(p.casefold().split())) if as_typed else (lambda p: normalize(p, lexicon))
        normalized = sorted({form(p) for p in phrases if p.strip()}, key=len, reverse=True)
        self.phrases = tuple(normalized)
        self.words = frozenset(w for p in normalized for w in p.split())
        body = "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in normalized)
        # A suffix glued to the last word doesn't change the cue: "kembarnya", "manfaatnya", "tipsmu".
        self._pattern = re.compile(rf"(?<!\w)(?:{body})(?:nya|nye|mu|ku)?(?!\w)") if body else None

    def find(self, norm_text: str) -> list[re.Match[str]]:
        return list(self._pattern.finditer(norm_text)) if self._pattern else []

    def search(self, norm_text: str) -> re.Match[str] | None:
        return self._pattern.search(norm_text) if self._pattern else None

    def __bool__(self) -> bool:
        return bool(self.phrases)


@dataclass(frozen=True)
class Calibration:
    """The answerability score's weights for one embedder (see `assistant calibrate`)."""

    bias: float
    weights: dict[str, float]
    similarity_floor: float
    similarity_span: float
    threshold: float


@dataclass(frozen=True)
class RoutingData:
    injection: tuple[re.Pattern[str], ...]
    smalltalk: dict[str, Cues]
    emoji_words: dict[str, str]  # "👍" -> "oke": what an emoji-only message says, in words
    filler: frozenset[str]
    question_words: frozenset[str]  # a remark that holds one is a question, not small talk
    asking_words: frozenset[str]  # "siapa", "kapan": beyond small-talk cues, the message asks something
    bare_commands: frozenset[str]  # "mulai", "menu": small talk only as the whole message
    request_words: Cues  # "jelasin", "sebutin": a request without a question word
    self_words: frozenset[str]  # "aku", "saya", "abdi": the user speaking of themselves
    origin_words: frozenset[str]  # "arek", "warga", "asli", "from": … and of where they are from
    partner_name_words: frozenset[str]  # "namanya": the partners' names, in a question about twinning
    whole_list: Cues  # "semuanya": the whole list, not the part the previous turn narrowed it to
    whole_region: Cues  # "se-provinsi Aceh": a province with its cities' partners
    places_before: Cues  # "mereka", "kedua kota itu": the places of the previous turn
    partner_before: Cues  # "kota tersebut" beside an Indonesian city: the previous turn's partner
    place_itself: Cues  # "provinsi acehnya sendiri?": that place's own partners, nothing borrowed
    picks_from_before: Cues  # "yg malaysia …?": a country picking from the previous place's partners
    strong_domain: Cues
    weak_domain: Cues
    dismiss: Cues
    besides: Cues  # "selain X, …": X is left out of what is asked
    others: Cues  # "yang lainnya apa lagi?": after a pair, the city's other partners
    besides_in_sentences: Cues  # "Tidak cuma itu, …": a sentence adding to what came before
    ignore_requests: Cues  # "abaikan typo saya,": a clause about the chat itself
    domain_names: tuple[str, ...]  # the concept's names, added to a question that uses one of them
    aspects: dict[str, Cues]
    sentence_aspects: dict[str, Cues]  # extra cues an answer sentence may answer an aspect with
    aspect_names: dict[str, tuple[str, ...]]  # the sources' own word for an aspect, added to the search
    asks_number: Cues  # "berapa …?": only a text holding a number answers it
    list_then_country: Cues  # "… apa aja, ada yang di Belanda?": the whole list answers both
    asks_duration: Cues  # "berapa lama …?": only a number with a unit of time answers it
    asks_difference: Cues  # "bedanya X sama Y?": two names of the domain compared
    duration_units: frozenset[str]
    arithmetic: re.Pattern[str]  # "25 x 48 brp": a sum to work out
    asks_document: Cues  # "template MoU", "draf proposal": a document the sources don't hold (as typed)
    topics_not_in_sources: Cues  # "dasar hukum", "worldwide": asked near the domain, answered only if indexed
    asks_who: Cues  # "siapa", "who": … and with one of person_roles, a person's name is asked
    person_roles: Cues  # "gubernur", "pejabat" (as typed: the lexicon reads "pejabat" as "pemerintah")
    recent_time: Cues  # "tahun lalu", "this year": a time the dated sources never speak of
    asks_view: Cues  # "menurut kamu …?": the assistant's own view, which it doesn't have
    asks_agreement: Cues  # "lu setuju ga sih …?": whether it agrees, which it can't say either
    number_words: frozenset[str]
    world_scope: Cues  # "di dunia", "worldwide": the whole world, or Europe
    world_ranking: Cues  # "paling banyak", "the most": a ranking by count
    world_first: Cues  # "pertama", "oldest": which one was first (not "pertama kali": when)
    world_figures_label: str  # what such a question asks, as the refusal names it
    records: dict[str, Cues]
    record_order: dict[str, Cues]  # "newest"/"oldest": "yang paling baru?", "pertama kali sama siapa?"
    bare_filler: frozenset[str]
    pair_joiners: frozenset[str]  # "Denpasar sama X": X is the partner asked about
    follow_up: Cues
    max_follow_up_words: int
    more: Cues
    goes_on: Cues  # "maksudnya gimana?": the previous answer, from where its lead stopped
    continues_subject: frozenset[str]  # "hasilnya?": the previous subject goes on
    ordinals: dict[str, int]  # "kedua" -> 2, "terakhir" -> -1: which item of the last answer's list
    ordinal_markers: frozenset[str]  # "yang kedua", "poin ketiga", "nomor 2"
    generic_words: frozenset[str]
    evidence_passages: int
    calibrations: dict[str, Calibration]
    fusion: FusionWeights
    sentence_weights: SentenceWeights
    openers: Openers

    def calibration(self, embedder: str) -> Calibration:
        """The calibration fitted for this embedder, else the default one."""
        return self.calibrations.get(embedder) or self.calibrations["default"]

    def cue_words(self) -> set[str]:
        """Every word of every cue list (spelling correction aims at these too)."""
        words: set[str] = set(self.filler) | set(self.bare_filler) | set(self.generic_words)
        for group in (self.smalltalk, self.aspects, self.records):
            for cues in group.values():
                words |= cues.words
        return (words | self.strong_domain.words | self.weak_domain.words | self.dismiss.words
                | self.ignore_requests.words | self.follow_up.words | self.more.words
                | self.topics_not_in_sources.words | self.person_roles.words)

    def aspects_of(self, text: str, lexicon: Lexicon | None = None) -> frozenset[str]:
        """Which aspects a text (a question, a section heading) is about."""
        norm = normalize(text, lexicon)
        return frozenset(name for name, cues in self.aspects.items() if cues.search(norm))

    def answered_aspects(self, sentence: str, lexicon: Lexicon | None = None) -> frozenset[str]:
        """Which aspects an answer sentence speaks to: named, or shown ("X adalah …" is a definition)."""
        norm = normalize(sentence, lexicon)
        shown = frozenset(name for name, cues in self.sentence_aspects.items() if cues.search(norm))
        return self.aspects_of(sentence, lexicon) | shown


def _mapping(data: dict, key: str, where: str) -> dict:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: bagian {key!r} harus berupa pemetaan.")
    return value


def _words(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        bad = [v for v in value if not isinstance(v, str)][:3] if isinstance(value, list) else value
        raise ConfigError(f"{where} harus daftar kata (teks; tulis \"yes\"/\"no\" dalam tanda kutip): {bad!r}")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where} harus teks yang tidak kosong, bukan {value!r}.")
    return value.strip()


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where} harus angka, bukan {value!r}.")
    return float(value)


def _calibration(raw: Any, where: str) -> Calibration:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} harus berupa pemetaan.")
    weights = raw.get("weights")
    if not isinstance(weights, dict):
        raise ConfigError(f"{where}.weights harus berupa pemetaan fitur -> bobot.")
    unknown = sorted(set(weights) - set(FEATURES))
    if unknown:
        raise ConfigError(f"{where}.weights: fitur tidak dikenal {unknown}; pilihan: {', '.join(FEATURES)}.")
    return Calibration(
        bias=_number(raw.get("bias"), f"{where}.bias"),
        weights={k: _number(v, f"{where}.weights.{k}") for k, v in weights.items()},
        similarity_floor=_number(raw.get("similarity_floor"), f"{where}.similarity_floor"),
        similarity_span=_number(raw.get("similarity_span"), f"{where}.similarity_span") or 1.0,
        threshold=_number(raw.get("threshold"), f"{where}.threshold"),
    )


def _emoji_words(value: Any, name: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) and v.strip()
                                              for k, v in value.items()):
        raise ConfigError(f"{name}: emoji_words harus pemetaan emoji -> kata (teks).")
    return {k.strip(): v.strip() for k, v in value.items()}


def load_routing(prompts_dir: Path) -> RoutingData:
    """Read and validate prompts/routing.yaml (cached: every call after the first is free)."""
    return _load_routing(Path(prompts_dir))


@lru_cache(maxsize=8)
def _load_routing(prompts_dir: Path) -> RoutingData:
    lexicon = load_lexicon(lexicon_path(prompts_dir))  # cues are normalized with the same word lists
    path = prompts_dir / ROUTING_FILE
    data = read_yaml_mapping(path)
    name = path.name

    def cues(value: Any, where: str, as_typed: bool = False) -> Cues:
        return Cues(_words(value, f"{name}: {where}"), lexicon, as_typed)

    patterns = []
    for i, raw in enumerate(_words(data.get("injection"), f"{name}: injection")):
        try:
            patterns.append(re.compile(raw, re.I | re.S))
        except re.error as exc:
            raise ConfigError(f"{name}: injection[{i}] bukan regex yang valid ({exc}).") from None

    smalltalk_raw = _mapping(data, "smalltalk", name)
    missing = [k for k in SMALLTALK_KINDS if k not in smalltalk_raw]
    if missing:
        raise ConfigError(f"{name}: smalltalk tidak punya jenis {missing}.")
    aspects_raw = _mapping(data, "aspects", name)
    records_raw = _mapping(data, "records", name)
    for group, wanted, raw in (("aspects", ASPECTS, aspects_raw), ("records", RECORD_INTENTS, records_raw)):
        missing = [k for k in wanted if k not in raw]
        if missing:
            raise ConfigError(f"{name}: {group} tidak punya {missing}.")
    domain = _mapping(data, "domain", name)
    follow = _mapping(data, "follow_up", name)
    world = _mapping(data, "world_figures", name)
    person = _mapping(data, "asks_person", name)
    opinion = _mapping(data, "asks_opinion", name)
    duration = _mapping(data, "asks_duration", name)
    answerability = _mapping(data, "answerability", name)
    calibrations = {k: _calibration(v, f"{name}: answerability.calibration.{k}")
                    for k, v in _mapping(answerability, "calibration", f"{name}: answerability").items()}
    if "default" not in calibrations:
        raise ConfigError(f"{name}: answerability.calibration harus punya 'default'.")
    fusion_raw = data.get("retrieval") or {}
    try:
        fusion = FusionWeights(**{k: _number(v, f"{name}: retrieval.{k}") if k != "candidates" else int(v)
                                  for k, v in fusion_raw.items()})
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{name}: retrieval: {exc}") from None

    openers = _mapping(data, "openers", name)
    sentence_raw = data.get("sentences") or {}
    try:
        sentence_weights = SentenceWeights(**{k: int(v) if k == "support" else _number(v, f"{name}: sentences.{k}")
                                              for k, v in sentence_raw.items()})
    except TypeError as exc:
        raise ConfigError(f"{name}: sentences: {exc}") from None

    def word_set(value: Any, where: str) -> frozenset[str]:
        return frozenset(w for p in _words(value, f"{name}: {where}") for w in normalize(p, lexicon).split())

    try:
        arithmetic = re.compile(str(data.get("arithmetic") or r"(?!)"), re.I)  # "(?!)" matches nothing
    except re.error as exc:
        raise ConfigError(f"{name}: arithmetic bukan regex yang valid ({exc}).") from None

    return RoutingData(
        injection=tuple(patterns),
        arithmetic=arithmetic,
        smalltalk={k: cues(smalltalk_raw[k], f"smalltalk.{k}") for k in SMALLTALK_KINDS},
        emoji_words=_emoji_words(data.get("emoji_words"), name),
        filler=word_set(data.get("filler"), "filler"),
        question_words=word_set(data.get("question_words"), "question_words"),
        asking_words=word_set(data.get("asking_words"), "asking_words"),
        bare_commands=word_set(data.get("bare_commands"), "bare_commands"),
        request_words=cues(data.get("request_words"), "request_words"),
        self_words=word_set(data.get("self_words"), "self_words"),
        origin_words=word_set(data.get("origin_words"), "origin_words"),
        partner_name_words=word_set(data.get("partner_name_words"), "partner_name_words"),
        whole_list=cues(data.get("whole_list"), "whole_list"),
        whole_region=cues(data.get("whole_region"), "whole_region"),
        places_before=cues(data.get("places_before"), "places_before"),
        partner_before=cues(data.get("partner_before"), "partner_before"),
        place_itself=cues(data.get("place_itself"), "place_itself"),
        picks_from_before=cues(data.get("picks_from_before"), "picks_from_before"),
        strong_domain=cues(domain.get("strong"), "domain.strong"),
        weak_domain=cues(domain.get("weak"), "domain.weak"),
        dismiss=cues(domain.get("dismiss"), "domain.dismiss"),
        besides=cues(domain.get("besides"), "domain.besides"),
        others=cues(domain.get("others"), "domain.others"),
        besides_in_sentences=cues(domain.get("besides_in_sentences"), "domain.besides_in_sentences"),
        ignore_requests=cues(domain.get("ignore_requests"), "domain.ignore_requests"),
        domain_names=tuple(_words(domain.get("names", []), f"{name}: domain.names")),
        aspects={k: cues(aspects_raw[k], f"aspects.{k}") for k in ASPECTS},
        sentence_aspects={k: cues(v, f"aspects_in_sentences.{k}")
                          for k, v in _mapping(data, "aspects_in_sentences", name).items() if k in ASPECTS},
        aspect_names={k: tuple(_words(v, f"{name}: aspect_names.{k}"))
                      for k, v in _mapping(data, "aspect_names", name).items() if k in ASPECTS},
        asks_number=cues(data.get("asks_number"), "asks_number"),
        list_then_country=cues(data.get("list_then_country"), "list_then_country"),
        asks_duration=cues(duration.get("cues"), "asks_duration.cues"),
        asks_difference=cues(data.get("asks_difference"), "asks_difference"),
        duration_units=frozenset(w.casefold() for w in _words(duration.get("units"), f"{name}: asks_duration.units")),
        asks_document=cues(data.get("asks_document"), "asks_document", as_typed=True),
        topics_not_in_sources=cues(data.get("topics_not_in_sources"), "topics_not_in_sources"),
        number_words=frozenset(w.casefold() for w in _words(data.get("number_words"), f"{name}: number_words")),
        asks_who=cues(person.get("who"), "asks_person.who"),
        person_roles=cues(person.get("roles"), "asks_person.roles", as_typed=True),
        asks_view=cues(opinion.get("view"), "asks_opinion.view"),
        asks_agreement=cues(opinion.get("agree"), "asks_opinion.agree"),
        recent_time=cues(data.get("recent_time"), "recent_time"),
        world_scope=cues(world.get("scope"), "world_figures.scope"),
        world_ranking=cues(world.get("ranking"), "world_figures.ranking"),
        world_first=cues(world.get("first"), "world_figures.first"),
        world_figures_label=_text(world.get("label"), f"{name}: world_figures.label"),
        records={k: cues(records_raw[k], f"records.{k}") for k in RECORD_INTENTS},
        record_order={k: cues(v, f"record_order.{k}") for k, v in _mapping(data, "record_order", name).items()},
        bare_filler=word_set(records_raw.get("bare_filler"), "records.bare_filler"),
        pair_joiners=word_set(records_raw.get("pair_joiners"), "records.pair_joiners"),
        follow_up=cues(follow.get("cues"), "follow_up.cues"),
        max_follow_up_words=int(_number(follow.get("max_content_words"), f"{name}: follow_up.max_content_words")),
        more=cues(follow.get("more"), "follow_up.more"),
        goes_on=cues(follow.get("goes_on"), "follow_up.goes_on"),
        continues_subject=word_set(follow.get("continues_subject"), "follow_up.continues_subject"),
        ordinals=_ordinals(follow.get("ordinals"), name),
        ordinal_markers=word_set(follow.get("ordinal_markers"), "follow_up.ordinal_markers"),
        generic_words=word_set(data.get("generic_words"), "generic_words"),
        evidence_passages=int(_number(answerability.get("passages"), f"{name}: answerability.passages")),
        calibrations=calibrations,
        fusion=fusion,
        sentence_weights=sentence_weights,
        openers=Openers.from_lists(_words(openers.get("loose"), f"{name}: openers.loose"),
                                   _words(openers.get("pointing"), f"{name}: openers.pointing"),
                                   _words(openers.get("example"), f"{name}: openers.example")),
    )


def _ordinals(value: Any, name: str) -> dict[str, int]:
    """follow_up.ordinals: word -> position in a list (1-based; -1 is the last)."""
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, int) and v != 0
                                              for k, v in value.items()):
        raise ConfigError(f"{name}: follow_up.ordinals harus pemetaan kata -> nomor urut (1, 2, …; -1 = terakhir).")
    return {k.casefold(): v for k, v in value.items()}
