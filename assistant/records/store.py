"""RecordStore: every sister-city relationship and unverified candidate, with queries by place.

Queries take a key ("surabaya", "prov_jawa_timur", "Korea Selatan") or a name as people type it
("Suroboyo", "Jatim", "Korsel"): names are resolved through PlaceNames first.

A candidate row whose pair is also a verified relationship (Bandung–Cuenca: a relationship in
the summary table and a "rencana LoI" candidate) is never returned as unverified: the
candidate list queries below (per city, country, partner) are the one definition of
"unverified" that chat answers and briefings share, so both always count the same rows.
"""
from __future__ import annotations

from pathlib import Path

from ..config import DEFAULT_PROMPTS_DIR
from ..errors import CorpusError
from ..schema import Chunk
from .loading import load_tables
from .model import Candidate, PlaceMatch, Relationship, province_key, slug
from .places import KINDS, PlaceAliases, PlaceNames, load_place_aliases
from .render import strip_parenthetical


class RecordStore:
    """All sister-city relationships and unverified candidates, with name resolution and queries."""

    def __init__(self, relationships: list[Relationship], candidates: list[Candidate],
                 aliases: PlaceAliases | None = None) -> None:
        self.relationships = sorted(relationships, key=lambda r: (r.city_name.casefold(), r.partner_city.casefold()))
        self.candidates = candidates  # every row of the table; the queries below leave out verified pairs
        self._by_id = {r.rel_id: r for r in self.relationships}
        self.places = PlaceNames(self.relationships, candidates, aliases or load_place_aliases())

    @classmethod
    def load(cls, records_dir: Path, prompts_dir: Path = DEFAULT_PROMPTS_DIR) -> tuple[RecordStore, list[CorpusError]]:
        """Read and validate the three tables; bad rows are reported and skipped, never fatal."""
        relationships, candidates, errors = load_tables(records_dir)
        return cls(relationships, candidates, load_place_aliases(Path(prompts_dir))), errors

    def _verified(self, cand: Candidate) -> bool:
        """Is every pair the candidate row names already a verified relationship?"""
        return all(f"{cand.city_id}--{slug(p)}" in self._by_id for p in cand.partner_names())

    def _unverified(self) -> list[Candidate]:
        return [c for c in self.candidates if not self._verified(c)]

    def chunks(self) -> list[Chunk]:
        """One Chunk per relationship (kind="record"), for the index."""
        return [rel.chunk() for rel in self.relationships]

    # -- names --------------------------------------------------------------------------------

    def find_places(self, text: str, fuzzy: bool = True) -> list[PlaceMatch]:
        """Every place named in text (longest name wins), with character spans into the text."""
        return self.places.find(text, fuzzy)

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """Known place names close to an unknown one ("Purwakarta" -> ["Surakarta"])."""
        return self.places.suggest(name, limit)

    def resolve(self, name: str, kinds: tuple[str, ...] = KINDS) -> PlaceMatch | None:
        """The single place a name or key ("surabaya", "prov_jawa_timur", "Korsel") refers to, or None."""
        return self.places.resolve(name, kinds)

    def display_name(self, key: str) -> str:
        """Human name for a city/province key."""
        for rel in self.relationships:
            if rel.city_id == key:
                return strip_parenthetical(rel.city_name)
        for cand in self.candidates:
            if cand.city_id == key:
                return cand.city_name
        return self.places.name_of(key) or key

    def known_city_ids(self) -> list[str]:
        """Cities and provinces that have at least one relationship."""
        return list(dict.fromkeys(r.city_id for r in self.relationships))

    def _key(self, name_or_key: str, kinds: tuple[str, ...]) -> str | None:
        match = self.resolve(name_or_key, kinds)
        return match.key if match else None

    def _place_key(self, city_or_province: str) -> str:
        """city_id / prov_* id for a name as typed; an unresolved text is taken as the key itself."""
        return self._key(city_or_province, ("city", "province")) or city_or_province

    def _country_key(self, country: str) -> str:
        return self._key(country, ("country",)) or country

    def _partner_key(self, partner: str) -> str:
        return self._key(partner, ("partner",)) or slug(partner)

    # -- relationships --------------------------------------------------------------------------

    def get(self, rel_id: str) -> Relationship | None:
        """The relationship with this id."""
        return self._by_id.get(rel_id)

    def partners_of(self, city_or_province: str) -> list[Relationship]:
        """All relationships of a city or province (key like "surabaya"/"prov_jawa_timur", or a name)."""
        key = self._place_key(city_or_province)
        return [r for r in self.relationships if r.city_id == key]

    def by_country(self, country: str) -> list[Relationship]:
        """All relationships with a partner in the country (name or alias: "Korsel", "Cina")."""
        keys = self.places.countries_in(self._country_key(country))
        return [r for r in self.relationships if r.partner_country in keys]

    def by_partner(self, partner: str) -> list[Relationship]:
        """All Indonesian cities/provinces twinned with this foreign city (name or slug)."""
        key = self._partner_key(partner)
        return [r for r in self.relationships if slug(r.partner_city) == key]

    def pair(self, city: str, partner: str) -> Relationship | None:
        """The relationship between an Indonesian city/province and a partner city, or None."""
        return self._by_id.get(f"{self._place_key(city)}--{self._partner_key(partner)}")

    def sister_provinces(self) -> list[Relationship]:
        """Province-level ties: every relationship of a prov_* entry, plus any "sister province" status."""
        return [r for r in self.relationships if r.is_province or "sister province" in r.status]

    def cities_in_province(self, province: str) -> list[str]:
        """City ids (not the province itself) in a province (key "prov_jawa_timur") that have relationships."""
        return list(dict.fromkeys(
            r.city_id for r in self.relationships if not r.is_province and province_key(r.province) == province
        ))

    # -- unverified candidates ----------------------------------------------------------------

    def candidates_for_pair(self, city: str, partner: str) -> list[Candidate]:
        """Candidate rows naming this pair (a row may list several partners: "Rotterdam / Istanbul").

        Unlike the list queries below, this keeps a row whose pair is also verified: asked about
        that one pair, its newer LoI/MoU status is context next to the relationship, not a second
        entry in a list of unverified partners.
        """
        city_key, partner_key = self._place_key(city), self._partner_key(partner)
        return [c for c in self.candidates
                if c.city_id == city_key and any(slug(p) == partner_key for p in c.partner_names())]

    def candidates_for_city(self, city: str) -> list[Candidate]:
        """Unverified rows for a city or province."""
        key = self._place_key(city)
        return [c for c in self._unverified() if c.city_id == key]

    def candidates_for_country(self, country: str) -> list[Candidate]:
        """Unverified rows with a partner in the country."""
        keys = self.places.countries_in(self._country_key(country))
        return [c for c in self._unverified() if c.partner_country in keys]

    def countries_in(self, country: str) -> frozenset[str]:
        """The countries (as in the data) a country name, alias or region stands for."""
        return self.places.countries_in(self._country_key(country))

    def candidates_for_partner(self, partner: str) -> list[Candidate]:
        """Unverified rows naming this foreign city."""
        key = self._partner_key(partner)
        return [c for c in self._unverified() if any(slug(p) == key for p in c.partner_names())]
