"""Answers about which city is twinned with which, composed from the record tables.

Every fact line is a verbatim piece of the cited passage (a relationship's document(), the
sentence naming one source and its year, or an unverified candidate's text) followed by [n], so
citations.check_citations holds by construction. Framing lines come from prompts/records.yaml and
carry no marker. A question that is not about the records themselves returns None and goes to
the article path.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from ..citations import Citations
from ..prompts import Phrases
from ..schema import Answer, Citation, Route
from ..text import Lexicon, normalize
from .model import Candidate, PlaceMatch, Relationship, fold
from .places import COMMON_WORDS, root_words
from .store import RecordStore

log = logging.getLogger(__name__)

ROUTE: Route = "records"

# Words that make a question about the twinning itself.
_RECORD_CUE = re.compile(
    r"\b(kota kembar|kembar\w*|sister\w*|twin\w*|kota saudara|bersaudara|saudara|mitra\w*|partner\w*|"
    r"friendship|kerja ?sama\w*|kemitraan|hubungan\w*|jalin|menjalin|dijalin|terjalin|berpasangan|"
    r"pasangan\w*|sejak|kapan|tahun|mou|loi)\b"
)
_LIST_CUE = re.compile(
    r"\b(apa (aja|saja|ja|sj)|mana (aja|saja|ja|sj)|siapa (aja|saja)|daftar\w*|list|sebut\w*|semua\w*|berapa)\b"
)
# These make a records answer the right one even when an article word is present too.
_STRONG_CUE = re.compile(
    r"\b(sejak|kapan|tahun berapa|apakah|apa benar|bener|benarkah|bidang apa|fokus\w*|punya kota kembar|"
    r"punya sister|kembaran (sama|dengan|dgn)|kembarannya|kembar (dengan|sama|dgn)|sister city ?nya|"
    r"sister city (dengan|sama|dgn))\b"
)
# What the articles answer (concept, benefits, lessons): not a records question on its own.
_ARTICLE_ASPECT = re.compile(
    r"\b(manfaat\w*|keuntungan\w*|untung\w*|tantangan\w*|hambatan\w*|kendala\w*|tips|cara\w*|belajar|"
    r"dipelajari|pelajaran\w*|dampak\w*|pengaruh\w*|studi kasus|kenapa|mengapa|apa itu|pengertian\w*|"
    r"definisi\w*|arti\w*|sejarah\w*|tujuan\w*|peluang\w*|risiko\w*|kegiatan\w*|program\w*|sukses\w*|"
    r"berhasil|keberhasilan|contoh\w*|gimana|bagaimana|ceritain|ceritakan|jelaskan|jelasin|konsep\w*)\b"
)
_SISTER_PROVINCE = re.compile(r"\b(sister province|provinsi kembar|provinsi (mana|apa|yang))\b")
# Words that fill a bare place question ("Surabaya dong?") without changing what is asked.
_FILLER = {
    "kota", "kabupaten", "kab", "provinsi", "prov", "dong", "deh", "ya", "yah", "nih", "sih", "apa", "kalau",
    "kalo", "klo", "gimana", "aja", "saja", "itu", "yang", "di", "ke", "min", "kak", "bang", "mas", "mbak",
}
_QUESTION_WORDS = COMMON_WORDS | _FILLER | {
    "coba", "sebutin", "kasih", "tahu", "tau", "info", "informasi", "data", "jadi", "pernah", "sudah", "udah",
    "belum", "juga", "lagi", "kira", "apakah", "benar", "bener", "benarkah", "mana", "siapa", "kapan",
    "berapa", "bisa", "mau", "ingin", "pengen", "aku", "saya", "kamu", "anda", "kita", "kami", "ada",
    "nggak", "gak", "tidak", "ga", "engga", "enggak", "bukan", "tuh", "loh", "kok", "nah", "terus", "trus",
    "lalu", "untuk", "buat", "dari", "pada", "oleh", "per", "mulai", "tahunnya", "tanggal", "list", "semua",
    "semuanya", "lengkap", "lengkapnya", "hai", "halo", "hi", "tolong", "please", "sister", "city",
}
# Words after which the next name is what the user asks about ("kota kembar Purwakarta").
# English triggers ("cities", "of") are left out: "twin cities exist around the world" names no place.
_NAME_TRIGGERS = {"kota", "kabupaten", "kab", "provinsi", "kembar", "kembaran", "kembarnya", "nya"}
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class _Compose:
    """Lines and citations of one answer; each cited passage gets one number."""

    lines: list[str] = field(default_factory=list)
    cites: Citations = field(default_factory=Citations)

    @property
    def citations(self) -> list[Citation]:
        return self.cites.items

    def relationship(self, rel: Relationship, with_city: bool = True, conflict_note: str = "") -> None:
        """A bullet for one relationship (+ one sub-bullet per source when years disagree)."""
        n = self.cites.relationship(rel)
        text = rel.headline()
        if not with_city:
            text = text[len(f"{rel.city_name} – "):]  # still a verbatim part of the document
        self.lines.append(f"- {text} [{n}]")
        if rel.year_conflict:
            if conflict_note:
                self.lines.append(conflict_note)
            dated = sorted((s for s in rel.sources if s.year), key=lambda s: (s.year, s.label))
            for source in dated:
                m = self.cites.record_source(rel, source)
                self.lines.append(f"  - {rel.source_year_text(source)} [{m}]")

    def candidate(self, cand: Candidate) -> None:
        """A bullet for one unverified candidate, worded as unverified."""
        n = self.cites.candidate(cand)
        self.lines.append(f"- {cand.headline()} [{n}]")

    def say(self, text: str) -> None:
        self.lines.append(text)


# ---------------------------------------------------------------------------------------------
# Understanding the question


def _plain(text: str) -> str:
    return " ".join(fold(w) for w in _WORD.findall(text))


def _unknown_names(question: str, places: list[PlaceMatch], names_anywhere: bool = True) -> list[str]:
    """Names in the question that look like a place we don't know ("Purwakarta")."""
    taken = [(p.start, p.end) for p in places]
    words = [m for m in _WORD.finditer(question) if not any(s <= m.start() < e for s, e in taken)]
    names: list[str] = []
    run: list[str] = []
    previous = ""
    for i, match in enumerate(words):
        word = match.group()
        low = fold(word)
        bare = low[:-3] if low.endswith("nya") and len(low) > 5 else low
        is_question_word = low in _QUESTION_WORDS or bare in _QUESTION_WORDS or low.isdigit() or len(low) < 3
        # All-caps short words are acronyms ("SDM", "UMKM"), not towns; known ones (IKN) are aliases.
        acronym = word.isupper() and len(word) <= 5
        capitalised = word[:1].isupper() and not acronym and (i > 0 or bare not in root_words())
        after_trigger = previous in _NAME_TRIGGERS and bare not in root_words()
        if not is_question_word and ((capitalised and names_anywhere) or after_trigger or run):
            run.append(word[:-3] if low.endswith("nya") and len(low) > 5 else word)
        elif run:
            names.append(" ".join(run))
            run = []
        previous = low
    if run:
        names.append(" ".join(run))
    return names


def _is_records_question(plain: str, places: list[PlaceMatch], lexicon: Lexicon | None) -> bool:
    """Which/whether/since-when/what-focus questions about twinning (not concept or lessons)."""
    strong = bool(_STRONG_CUE.search(plain))
    # normalize() maps English and casual words onto Indonesian ones ("history" -> "sejarah").
    if (_ARTICLE_ASPECT.search(plain) or _ARTICLE_ASPECT.search(_plain(normalize(plain, lexicon)))) and not strong:
        return False  # "apa saja manfaat sister city Surabaya?" is for the articles
    if strong or _RECORD_CUE.search(plain) or _LIST_CUE.search(plain):
        return True
    # A bare place ("Surabaya?", "kota Medan dong") is asking for its list.
    rest = set(plain.split()) - {w for p in places for w in _plain(p.typed).split()}
    return bool(places) and rest <= _FILLER


# ---------------------------------------------------------------------------------------------
# Answers


def answer_from_records(question: str, store: RecordStore, phrases: Phrases,
                        lexicon: Lexicon | None = None) -> Answer | None:
    """A cited answer from the record tables, or None when the question isn't about them."""
    try:
        return _answer(question or "", store, phrases, lexicon)
    except (ValueError, KeyError, IndexError):
        # Never raise to the caller for user input: the article path still gets a chance.
        log.exception("records answer failed for %r", question)
        return None


def _answer(question: str, store: RecordStore, phrases: Phrases, lexicon: Lexicon | None) -> Answer | None:
    plain = _plain(question)
    places = store.find_places(question)
    if not _is_records_question(plain, places, lexicon):
        return None
    local = _dedupe([p for p in places if p.kind in ("city", "province")])
    partners = _dedupe([p for p in places if p.kind == "partner"])
    countries = _dedupe([p for p in places if p.kind == "country"])
    # "SDM", "What", "Coventry": capitalised words are not places we lack data for unless the
    # question asks about a place's twinning outright ("Purwakarta punya kota kembar?").
    asks_outright = bool(_STRONG_CUE.search(plain) or _LIST_CUE.search(plain))
    unknown = _unknown_names(question, places, names_anywhere=asks_outright)
    out = _Compose()
    seed = question
    fuzzy = [p.name for p in places if p.fuzzy]
    if fuzzy:
        out.say(phrases.get("fuzzy_note", names=", ".join(dict.fromkeys(fuzzy))))

    if local and (partners or (unknown and not countries)):
        names = [p.name for p in partners] or unknown
        for place in local:
            for partner_name in names:
                _pair(out, store, phrases, place, partner_name, seed)
    elif len(local) >= 2 and not countries and not _LIST_CUE.search(plain):
        out.say(phrases.get("two_indonesian", a=local[0].name, b=local[1].name))
    elif local:
        for place in local:
            _place_list(out, store, phrases, place, countries, seed)
    elif unknown:
        _unknown(out, store, phrases, unknown[0])
    elif partners:
        for partner in partners:
            _partner_list(out, store, phrases, partner, seed)
    elif countries:
        for country in countries:
            _country_list(out, store, phrases, country, seed)
    elif _SISTER_PROVINCE.search(plain):
        rels = store.sister_provinces()
        out.say(phrases.get("sister_provinces_intro", seed=seed, n=len(rels)))
        for rel in rels:
            out.relationship(rel)
    else:
        return None  # about twinning in general ("kota kembar itu apa?"): the articles answer
    return _finish(question, out, phrases, seed)


def _dedupe(places: list[PlaceMatch]) -> list[PlaceMatch]:
    seen: dict[tuple[str, str], PlaceMatch] = {}
    for place in places:
        seen.setdefault((place.kind, place.key), place)
    return list(seen.values())


def _finish(question: str, out: _Compose, phrases: Phrases, seed: str) -> Answer:
    if out.citations:
        if any(c.source_id.startswith("record:") for c in out.citations):
            out.say(phrases.get("listed_not_active"))
        out.say(phrases.get("outro", seed=seed))
    return Answer(
        question=question,
        answer="\n".join(out.lines),
        refused=not out.citations,
        citations=out.citations,
        route=ROUTE,
    )


def _pair(out: _Compose, store: RecordStore, phrases: Phrases, place: PlaceMatch, partner: str, seed: str) -> None:
    """Is this Indonesian place twinned with this partner? Facts, unverified rows, or a plain no."""
    rel = store.pair(place.key, partner)
    candidates = store.candidates_for_pair(place.key, partner)
    if rel is not None:
        out.say(phrases.get("pair_found_intro", seed=seed))
        out.relationship(rel, conflict_note=phrases.get("pair_conflict_intro"))
        if candidates:
            out.say(phrases.get("unverified_extra_intro"))
            for cand in candidates:
                out.candidate(cand)
        return
    known = store.resolve(partner, ("partner",))
    partner_name = known.name if known else partner  # an unknown foreign name is echoed as typed
    out.say(phrases.get("pair_not_found", city=place.name, partner=partner_name))
    if candidates:
        out.say(phrases.get("unverified_intro"))
        for cand in candidates:
            out.candidate(cand)
    else:
        out.say(phrases.get("pair_not_found_hint", city=place.name, partner=partner_name))


def _place_list(out: _Compose, store: RecordStore, phrases: Phrases, place: PlaceMatch,
                countries: list[PlaceMatch], seed: str) -> None:
    """All relationships of a city or province (optionally only those in the named countries)."""
    rels = store.partners_of(place.key)
    if countries:
        wanted = {c.key for c in countries}
        country_names = " dan ".join(c.name for c in countries)
        rels = [r for r in rels if r.partner_country in wanted]
        if rels:
            out.say(phrases.get("city_country_intro", place=place.name, country=country_names, n=len(rels)))
            for rel in rels:
                out.relationship(rel, with_city=False)
        else:
            out.say(phrases.get("city_country_none", place=place.name, country=country_names))
            cands = [c for c in store.candidates_for_city(place.key) if c.partner_country in wanted]
            if cands:
                out.say(phrases.get("unverified_intro"))
                for cand in cands:
                    out.candidate(cand)
        return
    if place.kind == "province":
        _province_list(out, store, phrases, place, rels, seed)
        return
    if rels:
        out.say(phrases.get("city_list_intro", seed=seed, place=place.name, n=len(rels)))
        for rel in rels:
            out.relationship(rel, with_city=False)
        others = _related_places(store, place)
        if others:
            out.say(phrases.get("other_places_hint", others=", ".join(others)))
        unverified = len(store.candidates_for_city(place.key))
        if unverified:
            out.say(phrases.get("unverified_count_note", n=unverified, place=place.name))
        return
    out.say(phrases.get("city_no_records", place=place.name))
    if not _say_candidates(out, phrases, store.candidates_for_city(place.key)):
        _what_i_can_answer(out, store, phrases)


def _say_candidates(out: _Compose, phrases: Phrases, cands: list[Candidate]) -> bool:
    """List unverified pairs as such (never as fact); False when there are none."""
    if not cands:
        return False
    out.say(phrases.get("unverified_intro"))
    for cand in cands:
        out.candidate(cand)
    return True


def _related_places(store: RecordStore, place: PlaceMatch) -> list[str]:
    """Other entries whose name contains this one ("Kota Tua Jakarta" for Jakarta)."""
    names = []
    for city_id in store.known_city_ids():
        name = store.display_name(city_id)
        if city_id != place.key and not city_id.startswith("prov_") and re.search(
                rf"\b{re.escape(place.name)}\b", name) and name != place.name:
            names.append(name)
    return names


def _province_list(out: _Compose, store: RecordStore, phrases: Phrases, place: PlaceMatch,
                   rels: list[Relationship], seed: str) -> None:
    cities = store.cities_in_province(place.key)
    city_names = [store.display_name(c) for c in cities]
    if rels:
        out.say(phrases.get("province_list_intro", seed=seed, place=place.name, n=len(rels)))
        for rel in rels:
            out.relationship(rel, with_city=False)
        if cities:
            out.say(phrases.get("province_cities_hint", place=place.name, cities=", ".join(city_names),
                                example=city_names[0]))
        return
    city_rels = [r for c in cities for r in store.partners_of(c)]
    if city_rels:
        out.say(phrases.get("province_cities_intro", place=place.name, n=len(city_rels)))
        for rel in city_rels:
            out.relationship(rel)
    else:
        out.say(phrases.get("province_nothing", place=place.name))
        _what_i_can_answer(out, store, phrases)


def _partner_list(out: _Compose, store: RecordStore, phrases: Phrases, partner: PlaceMatch, seed: str) -> None:
    rels = store.by_partner(partner.key)
    if rels:
        out.say(phrases.get("partner_list_intro", partner=partner.name, n=len(rels)))
        for rel in rels:
            out.relationship(rel)
        return
    out.say(phrases.get("partner_none", partner=partner.name))
    _say_candidates(out, phrases, store.candidates_for_partner(partner.key))


def _country_list(out: _Compose, store: RecordStore, phrases: Phrases, country: PlaceMatch, seed: str) -> None:
    rels = store.by_country(country.key)
    if rels:
        out.say(phrases.get("country_list_intro", seed=seed, country=country.name, n=len(rels)))
        for rel in rels:
            out.relationship(rel)
        return
    out.say(phrases.get("country_none", country=country.name))
    if not _say_candidates(out, phrases, store.candidates_for_country(country.key)):
        _what_i_can_answer(out, store, phrases)


def _unknown(out: _Compose, store: RecordStore, phrases: Phrases, name: str) -> None:
    out.say(phrases.get("unknown_place", name=name))
    suggestions = store.suggest(name)
    if suggestions:
        out.say(phrases.get("unknown_suggest", names=", ".join(suggestions)))
    _what_i_can_answer(out, store, phrases)


def _what_i_can_answer(out: _Compose, store: RecordStore, phrases: Phrases) -> None:
    ids = store.known_city_ids()
    examples = ", ".join(store.display_name(c) for c in ("surabaya", "bandung", "medan") if c in ids)
    out.say(phrases.get("what_i_can_answer", n=len(ids), examples=examples or store.display_name(ids[0])))
