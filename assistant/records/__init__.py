"""Structured sister-city facts: load and validate the record tables, resolve place names, query, answer.

  model.py    Relationship, Candidate, Source, PlaceMatch (value types) and the id scheme
  render.py   the Indonesian passage and headline a record renders to
  loading.py  CSV reading and validation (file:line: reason errors)
  places.py   place names as people type them (prompts/places.yaml), typos, suggestions
  store.py    RecordStore: queries by city, province, partner, country, pair
  answers.py  answer_from_records: exact, cited answers from the tables
"""
from __future__ import annotations

from .answers import RecordQuery, answer_by_focus, answer_from_records
from .loading import load_tables
from .model import Candidate, PlaceMatch, Relationship, Source, fold, province_key, slug
from .places import PlaceAliases, PlaceNames, load_place_aliases
from .render import is_scraped_list, source_label, strip_parenthetical
from .store import RecordStore

__all__ = [
    "Candidate", "PlaceAliases", "PlaceMatch", "PlaceNames", "RecordQuery", "RecordStore", "Relationship", "Source",
    "answer_by_focus", "answer_from_records", "fold", "is_scraped_list", "load_place_aliases", "load_tables", "province_key",
    "slug", "source_label", "strip_parenthetical",
]
