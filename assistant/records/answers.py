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
from .model import Candidate, PlaceMatch, Relationship, fold
from .store import RecordStore

log = logging.getLogger(__name__)

ROUTE: Route = "records"

MAX_OTHERS_LISTED = 5  # a city with more partners elsewhere gets a pointer to its full list


@dataclass(frozen=True)
class RecordQuery:
    """What a records question asks, as the router understood it."""

    question: str  # the question as answered (its wording seeds the phrase choice)
    places: tuple[PlaceMatch, ...]  # every place named (Indonesian, partner city, country)
    unknown_names: tuple[str, ...] = ()  # names that look like places we have no data for
    wants_list: bool = False  # "apa aja", "sebutkan", "berapa": several places listed together
    sister_provinces: bool = False  # "provinsi mana yang punya sister province?"
    country_typed: bool = False  # the message itself names the country ("Medan sama Singapura?")
    order: str | None = None  # "newest" / "oldest": only the latest or earliest recorded partner
    set_aside: tuple[PlaceMatch, ...] = ()  # "selain Jakarta, …": Indonesian places left out of a list
    whole_province: bool = False  # "Jateng total …?": a province's own partners and its cities'


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
# Answers


def answer_from_records(query: RecordQuery, store: RecordStore, phrases: Phrases) -> Answer | None:
    """A cited answer from the record tables, or None when the query names nothing to look up."""
    try:
        return _answer(query, store, phrases)
    except (ValueError, KeyError, IndexError):
        # Never raise to the caller for user input: the article path still gets a chance.
        log.exception("records answer failed for %r", query.question)
        return None


def _answer(query: RecordQuery, store: RecordStore, phrases: Phrases) -> Answer | None:
    places = list(query.places)
    local = _dedupe([p for p in places if p.kind in ("city", "province")])
    partners = _dedupe([p for p in places if p.kind == "partner"])
    countries = _dedupe([p for p in places if p.kind == "country"])
    # A name typed all lowercase ("honolulu") is shown as a name.
    unknown = [n if n != n.casefold() else n.title() for n in query.unknown_names]
    out = _Compose()
    seed = query.question
    fuzzy = [p.name for p in places if p.fuzzy]
    if fuzzy:
        out.say(phrases.get("fuzzy_note", names=", ".join(dict.fromkeys(fuzzy))))

    if local and (partners or unknown):  # "Depok sama Sendai di Jepang?": the pair, not the Japan list
        names = [p.name for p in partners] or unknown
        for place in local:
            for partner_name in names:
                _pair(out, store, phrases, place, partner_name, seed)
    elif len(local) >= 2 and not countries and not query.wants_list:
        out.say(phrases.get("two_indonesian", a=local[0].name, b=local[1].name))
    elif local:
        for place in local:
            if query.order and not countries:
                _by_year(out, store, phrases, place, query.order)
            else:
                _place_list(out, store, phrases, place, countries, seed, query.country_typed, query.whole_province)
    elif unknown:
        _unknown(out, store, phrases, unknown[0])
    elif partners:
        for partner in partners:
            _partner_list(out, store, phrases, partner, seed)
    elif countries:
        for country in countries:
            _country_list(out, store, phrases, country, seed, query.set_aside)
    elif query.sister_provinces:
        rels = store.sister_provinces()
        out.say(phrases.get("sister_provinces_intro", seed=seed, n=len(rels)))
        for rel in rels:
            out.relationship(rel)
    else:
        return None  # about twinning in general ("kota kembar itu apa?"): the articles answer
    return _finish(query.question, out, phrases, seed)


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
    # "kota yogyakarta-nya sendiri sama kyoto?" says the city: the province is not what was meant.
    typed = place.typed.casefold()
    says_city = typed.startswith(("kota ", "city of ")) or re.search(rf"\b(kota|city of)\s+{re.escape(typed)}",
                                                                      seed.casefold())
    nearby = _same_name_province(store, place, partner) if known and not says_city else []
    if nearby:
        # "jogja ama kyoto?": the city has no tie with Kyoto, the province of the same name has one.
        out.say(phrases.get("pair_same_name_province_intro", partner=partner_name))
        for rel in nearby:
            out.relationship(rel)
    if candidates:
        out.say(phrases.get("unverified_intro"))
        for cand in candidates:
            out.candidate(cand)
    else:
        out.say(phrases.get("pair_not_found_hint", city=place.name, partner=partner_name))


def _same_name_province(store: RecordStore, place: PlaceMatch, partner: str) -> list[Relationship]:
    """The partner's verified ties with the province that bears the asked city's name: "Jogja" is the
    city and the Special Region both, so "jogja ama kyoto?" meets DIY–Kyoto."""
    own = store.partners_of(place.key)
    province = own[0].province if own else None
    if province is None or fold(place.name) not in fold(province):
        return []
    return [r for r in store.by_partner(partner) if r.is_province and r.province == province]


def _place_list(out: _Compose, store: RecordStore, phrases: Phrases, place: PlaceMatch,
                countries: list[PlaceMatch], seed: str, country_typed: bool = False,
                whole_province: bool = False) -> None:
    """All relationships of a city or province (optionally only those in the named countries)."""
    rels = store.partners_of(place.key)
    if countries:
        wanted = set().union(*(store.countries_in(c.key) for c in countries))
        country_names = " dan ".join(c.name for c in countries)
        there = [r for r in rels if r.partner_country in wanted]
        if there:
            out.say(phrases.get("city_country_intro", place=place.name, country=country_names, n=len(there)))
            for rel in there:
                out.relationship(rel, with_city=False)
        else:
            out.say(phrases.get("city_country_none", place=place.name, country=country_names))
            cands = [c for c in store.candidates_for_city(place.key) if c.partner_country in wanted]
            if cands:
                out.say(phrases.get("unverified_intro"))
                for cand in cands:
                    out.candidate(cand)
            if 0 < len(rels) <= MAX_OTHERS_LISTED and not country_typed:
                # "kalau Subang?" after "yang di Cina?": none there, but say what Subang does have.
                # Not when the message names the country ("Medan sama Singapura kembar kan?"): it asked
                # about that country only, so the others are a pointer, not a list.
                out.say(phrases.get("city_country_others", place=place.name, n=len(rels)))
                for rel in rels:
                    out.relationship(rel, with_city=False)
            elif rels:
                out.say(phrases.get("city_country_others_many", place=place.name, n=len(rels)))
        return
    if place.kind == "province":
        _province_list(out, store, phrases, place, rels, seed, whole_province)
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


def _by_year(out: _Compose, store: RecordStore, phrases: Phrases, place: PlaceMatch, order: str) -> None:
    """The newest or oldest recorded partner(s) of a place, by the first year the records give."""
    rels = store.partners_of(place.key)
    if not rels:
        out.say(phrases.get("city_no_records", place=place.name))
        _say_candidates(out, phrases, store.candidates_for_city(place.key))
        return
    dated = [(int(m.group()), r) for r in rels if (m := re.search(r"\d{4}", r.year or ""))]
    if not dated:
        out.say(phrases.get("order_no_years", place=place.name, n=len(rels)))
        for rel in rels:
            out.relationship(rel, with_city=False)
        return
    wanted = max(y for y, _ in dated) if order == "newest" else min(y for y, _ in dated)
    out.say(phrases.get(f"order_{order}", place=place.name, dated=len(dated), n=len(rels)))
    for year, rel in dated:
        if year == wanted:
            out.relationship(rel, with_city=False)


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
                   rels: list[Relationship], seed: str, whole_province: bool = False) -> None:
    cities = store.cities_in_province(place.key)
    if rels and cities and whole_province:
        everything = rels + [r for c in cities for r in store.partners_of(c)]
        out.say(phrases.get("province_whole_intro", place=place.name, n=len(everything)))
        for rel in everything:
            out.relationship(rel)
        return
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


def _country_list(out: _Compose, store: RecordStore, phrases: Phrases, country: PlaceMatch, seed: str,
                  set_aside: tuple[PlaceMatch, ...] = ()) -> None:
    every = store.by_country(country.key)
    left_out = {p.key for p in set_aside}
    rels = [r for r in every if r.city_id not in left_out]  # "selain Jakarta, ada daerah lain …?"
    if every and not rels:
        out.say(phrases.get("country_none_besides", country=country.name,
                            places=", ".join(p.name for p in set_aside)))
        return
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


def answer_by_focus(question: str, topic: str, rels: list[Relationship], phrases: Phrases) -> Answer:
    """The relationships whose recorded focus matches a topic ("kerja sama soal sampah")."""
    out = _Compose()
    out.say(phrases.get("focus_intro", seed=question, topic=topic, n=len(rels)))
    for rel in rels:
        out.relationship(rel)
    return _finish(question, out, phrases, question)
