"""Place names in a text: cities, provinces, partner cities and countries, however they are typed.

Names come from the record tables plus the aliases in prompts/places.yaml ("Suroboyo", "Korsel",
"Jogja"); a single-word name within a typo ("Surbaya") is matched fuzzily, unless the word is an
ordinary Indonesian word. The longest name wins ("Kota Tua Jakarta" before "Jakarta").
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..config import DEFAULT_PROMPTS_DIR
from ..errors import ConfigError
from ..prompts import read_yaml_mapping
from ..text import root_words
from .model import Candidate, PlaceMatch, Relationship, fold, province_key, slug
from .render import strip_parenthetical

PLACES_FILE = "places.yaml"
KINDS = ("city", "province", "partner", "country")
REGION_PREFIX = "region:"  # a "country" match whose key names a region ("yang di Eropa")
_KIND_PRIORITY = {"city": 0, "province": 1, "partner": 2, "country": 3}
_TOKEN = re.compile(r"\w+", re.UNICODE)
FUZZY_MIN_LEN = 5
FUZZY_CUTOFF = 0.85  # one dropped/added letter in a 5-letter name passes; a swapped first letter never does
SUGGEST_CUTOFF = 0.7
# The data names this province "DI Yogyakarta"; "di Yogyakarta" in a question is a preposition + the city.
_DIY = "DI Yogyakarta"
_DIY_NAME = "Daerah Istimewa Yogyakarta"



@dataclass(frozen=True)
class PlaceAliases:
    """prompts/places.yaml, validated: extra spellings per canonical name."""

    cities: dict[str, tuple[str, ...]]  # city_id -> aliases
    provinces: dict[str, tuple[str, ...]]  # province as in the data -> aliases
    countries: dict[str, tuple[str, ...]]
    extra_countries: tuple[str, ...]  # countries without records, still recognised as countries
    partners: dict[str, tuple[str, ...]]
    case_sensitive: dict[tuple[str, ...], tuple[str, str, str]]  # exact tokens -> (kind, key, name)
    not_a_place: frozenset[str]
    not_fuzzy: frozenset[str]  # question words a fuzzy matcher would take for names ("warna" ~ Varna)
    regions: dict[str, tuple[tuple[str, ...], frozenset[str]]] = field(default_factory=dict)  # name -> (aliases, countries)
    # Indonesian places with no records, recognised as such (folded names); the second set only after "kota".
    no_record_places: frozenset[str] = frozenset()
    no_record_places_after_kota: frozenset[str] = frozenset()


def _names(data: dict, key: str, path: Path) -> dict[str, tuple[str, ...]]:
    mapping = data.get(key)
    if not isinstance(mapping, dict):
        raise ConfigError(f"{path.name}: {key!r} harus berupa pemetaan nama -> daftar alias.")
    for name, aliases in mapping.items():
        if not isinstance(name, str) or not name.strip() or not _is_word_list(aliases):
            raise ConfigError(f"{path.name}: {key}: {name!r} harus punya daftar alias berupa teks, bukan {aliases!r}.")
    return {name: tuple(aliases) for name, aliases in mapping.items()}


def _is_word_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


@lru_cache(maxsize=4)
def load_place_aliases(prompts_dir: Path = DEFAULT_PROMPTS_DIR) -> PlaceAliases:
    """Read and validate prompts/places.yaml (cached); ConfigError names the broken entry."""
    path = Path(prompts_dir) / PLACES_FILE
    data = read_yaml_mapping(path, "Daftar nama tempat")
    for key in ("extra_countries", "not_a_place", "not_fuzzy"):
        if not _is_word_list(data.get(key)):
            raise ConfigError(f"{path.name}: {key!r} harus berupa daftar teks.")
    exact: dict[tuple[str, ...], tuple[str, str, str]] = {}
    for entry in data.get("case_sensitive") or []:
        fields = entry if isinstance(entry, dict) else {}
        if not (_is_word_list(fields.get("tokens")) and fields.get("kind") in KINDS
                and all(isinstance(fields.get(f), str) and fields[f] for f in ("key", "name"))):
            raise ConfigError(f"{path.name}: case_sensitive: {entry!r} harus punya tokens, kind ({'/'.join(KINDS)}), key, name.")
        exact[tuple(fields["tokens"])] = (fields["kind"], fields["key"], fields["name"])
    regions: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}
    for region, fields in (data.get("regions") or {}).items():
        fields = fields if isinstance(fields, dict) else {}
        if not (isinstance(region, str) and _is_word_list(fields.get("countries"))
                and _is_word_list(fields.get("aliases", []))):
            raise ConfigError(f"{path.name}: regions: {region!r} harus punya aliases dan countries berupa daftar teks.")
        regions[region] = (tuple(fields.get("aliases", [])), frozenset(fields["countries"]))
    gazetteer = data.get("indonesian_places") or {}
    if not (isinstance(gazetteer, dict) and _is_word_list(gazetteer.get("names", []))
            and _is_word_list(gazetteer.get("after_kota", []))):
        raise ConfigError(f"{path.name}: indonesian_places harus punya names dan after_kota berupa daftar teks.")
    return PlaceAliases(
        no_record_places=frozenset(fold(n) for n in gazetteer.get("names", [])),
        no_record_places_after_kota=frozenset(fold(n) for n in gazetteer.get("after_kota", [])),
        regions=regions,
        cities=_names(data, "cities", path),
        provinces=_names(data, "provinces", path),
        countries=_names(data, "countries", path),
        extra_countries=tuple(data["extra_countries"]),
        partners=_names(data, "partners", path),
        case_sensitive=exact,
        not_a_place=frozenset(w.casefold() for w in data["not_a_place"]),
        not_fuzzy=frozenset(w.casefold() for w in data["not_fuzzy"]),
    )


@dataclass(frozen=True)
class _Target:
    kind: str
    key: str
    name: str


class PlaceNames:
    """Every name each place in the records goes by: find them in a text, resolve one, suggest."""

    def __init__(self, relationships: Iterable[Relationship], candidates: Iterable[Candidate],
                 aliases: PlaceAliases) -> None:
        self.aliases = aliases
        self._exact_only = {" ".join(k) for k in aliases.case_sensitive}
        self._names: dict[tuple[str, ...], _Target] = {}  # folded token sequence -> place
        self._build(list(relationships), list(candidates))
        # Single-word names long enough to be matched through a typo.
        self._single = {
            tokens[0]: target
            for tokens, target in self._names.items()
            if len(tokens) == 1 and len(tokens[0]) >= FUZZY_MIN_LEN and tokens[0].isalpha()
        }
        self._longest = max((len(k) for k in self._names), default=1)

    def _add(self, name: str, target: _Target) -> None:
        tokens = tuple(fold(t) for t in _TOKEN.findall(name))
        if not tokens or name in self._exact_only:
            return
        current = self._names.get(tokens)
        if current is None or _KIND_PRIORITY[target.kind] < _KIND_PRIORITY[current.kind]:
            self._names[tokens] = target

    def _build(self, relationships: list[Relationship], candidates: list[Candidate]) -> None:
        add, aliases = self._add, self.aliases
        city_names = {r.city_id: r.city_name for r in relationships}
        for cand in candidates:
            city_names.setdefault(cand.city_id, cand.city_name)
        city_targets: dict[str, _Target] = {}
        for city_id, name in city_names.items():
            if city_id.startswith("prov_"):
                continue  # provinces are added below under their plain names
            target = city_targets[city_id] = _Target("city", city_id, strip_parenthetical(name))
            add(name, target)
            add(strip_parenthetical(name), target)
            add(f"Kota {strip_parenthetical(name)}", target)
            for alias in aliases.cities.get(city_id, ()):
                add(alias, target)
        # A province a city claims as its own alias is that city: "Provinsi DKI Jakarta" is Jakarta,
        # whose records are the province's.
        claimed = {fold(alias): city_id for city_id, names in aliases.cities.items() for alias in names}
        for province in {r.province for r in relationships} | {c.province for c in candidates}:
            name = _DIY_NAME if province == _DIY else province
            owner = claimed.get(fold(province))
            target = city_targets[owner] if owner in city_targets else _Target("province", province_key(province), name)
            add(f"Provinsi {province}", target)
            add(name, target)
            if province != _DIY:
                add(province, target)
            for alias in aliases.provinces.get(province, ()):
                add(alias, target)
        partners = {r.partner_city for r in relationships} | {p for c in candidates for p in c.partner_names()}
        for partner in partners:
            target = _Target("partner", slug(partner), strip_parenthetical(partner))
            add(partner, target)
            add(strip_parenthetical(partner), target)
            if partner.endswith(" City"):
                add(partner[: -len(" City")], target)
            if "'" in partner:
                add(partner.replace("'", ""), target)  # "Xi'an" typed "xian"
            for alias in aliases.partners.get(partner, ()):
                add(alias, target)
        countries = {r.partner_country for r in relationships}
        countries |= {c.partner_country for c in candidates if c.partner_country and not c.partner_country.startswith("(")}
        countries |= set(aliases.countries) | set(aliases.extra_countries)
        for country in countries:
            target = _Target("country", country, strip_parenthetical(country))
            add(country, target)
            add(strip_parenthetical(country), target)
            for alias in aliases.countries.get(country, ()):
                add(alias, target)
        for region, (region_aliases, _) in aliases.regions.items():
            target = _Target("country", REGION_PREFIX + region, region)
            for name in (region, *region_aliases):
                add(name, target)
        for word in aliases.not_a_place:
            self._names.pop((word,), None)

    def countries_in(self, key: str) -> frozenset[str]:
        """The countries a country key stands for: a region's members, or just itself."""
        if key.startswith(REGION_PREFIX):
            return self.aliases.regions.get(key[len(REGION_PREFIX):], ((), frozenset()))[1]
        return frozenset({key})

    def name_words(self) -> dict[str, frozenset[str]]:
        """Every word of every name (folded, 4+ letters) and the places it names: what a misspelt
        word may be corrected to ("lumpr" -> "lumpur" in "Kuala Lumpur")."""
        words: dict[str, set[str]] = {}
        for tokens, target in self._names.items():
            for token in tokens:
                if token.isalpha() and len(token) >= 4:
                    words.setdefault(token, set()).add(target.key)
        return {w: frozenset(keys) for w, keys in words.items()}

    def keys_named_in(self, words: set[str] | frozenset[str], kinds: tuple[str, ...] = ("city", "partner")) -> frozenset[str]:
        """Keys of places one of whose names has every word among `words` (a corpus vocabulary):
        which places a set of texts talks about, without scanning every text for names."""
        return frozenset(t.key for tokens, t in self._names.items()
                         if t.kind in kinds and tokens and all(tok in words for tok in tokens))

    def find(self, text: str, fuzzy: bool = True) -> list[PlaceMatch]:
        """Every place named in text (longest name wins), with character spans into the text.

        fuzzy=False matches names only as spelt (the router corrects typos before it looks).
        """
        tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text or "")]
        folded = [fold(t) for t, _, _ in tokens]
        matches: list[PlaceMatch] = []
        i = 0
        while i < len(tokens):
            found = None
            for size in range(min(self._longest, len(tokens) - i), 0, -1):
                window = folded[i : i + size]
                exact = self.aliases.case_sensitive.get(tuple(t for t, _, _ in tokens[i : i + size]))
                target = _Target(*exact) if exact else self._names.get(tuple(window))
                if target is None and window[-1].endswith("nya") and len(window[-1]) > 5:
                    # "Bandungnya", "Surabayanya": the possessive suffix glued to a name.
                    target = self._names.get(tuple(window[:-1] + [window[-1][:-3]]))
                if target is not None:
                    found = (size, target, False)
                    break
            if found is None and fuzzy:
                target = self._fuzzy(folded[i])
                if target is not None:
                    found = (1, target, True)
            if found is None:
                i += 1
                continue
            size, target, fuzzy = found
            start, end = tokens[i][1], tokens[i + size - 1][2]
            matches.append(PlaceMatch(target.kind, target.key, target.name, start, end, fuzzy, text[start:end]))
            i += size
        return matches

    def _fuzzy(self, token: str) -> _Target | None:
        """A single-token name within a typo of token, or None when unsure."""
        word = token[:-3] if token.endswith("nya") and len(token) > FUZZY_MIN_LEN + 3 else token
        if len(word) < FUZZY_MIN_LEN or not word.isalpha() or word in self.aliases.not_fuzzy or word in root_words():
            return None
        # Typos rarely hit the first letter; requiring it keeps "warna" away from "Varna".
        pool = [name for name in self._single if name[0] == word[0] and abs(len(name) - len(word)) <= 2]
        scored = sorted(((difflib.SequenceMatcher(None, word, n).ratio(), n) for n in pool), reverse=True)
        if not scored or scored[0][0] < FUZZY_CUTOFF:
            return None
        if len(scored) > 1 and scored[1][0] == scored[0][0] and self._single[scored[1][1]] != self._single[scored[0][1]]:
            return None  # two different places equally close: don't guess
        return self._single[scored[0][1]]

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """Known city/province names close to an unknown one ("Purwakarta" -> ["Surakarta"])."""
        query = " ".join(fold(t) for t in _TOKEN.findall(name or ""))
        if not query:
            return []
        names = {" ".join(k): t.name for k, t in self._names.items() if t.kind in ("city", "province")}
        close = difflib.get_close_matches(query, list(names), n=limit * 3, cutoff=SUGGEST_CUTOFF)
        return list(dict.fromkeys(names[c] for c in close))[:limit]

    def resolve(self, name: str, kinds: tuple[str, ...] = KINDS) -> PlaceMatch | None:
        """The single place a name or key ("surabaya", "prov_jawa_timur", "Korsel") refers to, or None."""
        for target in self._names.values():
            if target.key == name and target.kind in kinds:
                return PlaceMatch(target.kind, target.key, target.name, 0, len(name))
        matches = [m for m in self.find(name) if m.kind in kinds]
        return matches[0] if matches else None

    def name_of(self, key: str) -> str | None:
        """The canonical name of a place key, or None."""
        return next((t.name for t in self._names.values() if t.key == key), None)
