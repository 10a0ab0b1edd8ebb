"""Formal, fully cited briefings for officials, and their export to DOCX, Markdown and JSON.

  model.py    Briefing, Section, Sentence, RelationshipTable, SourceEntry (pure data)
  subject.py  what a subject names: a city, a pair ("Surabaya–Busan") or a topic
  writer.py   the numbered sources and cited sentences of one briefing being written
  compose.py  compose_briefing: one function per kind (city, pair, topic)
  formal.py   casual article sentences -> formal Indonesian (rules in prompts/formal.yaml)
  sources.py  what kind of source a URL is: pemerintah, berita, rujukan, blog (prompts/sources.yaml)
  export.py   Markdown, JSON, DOCX, written atomically
  word.py     the DOCX layout: an Indonesian government draft (A4, kop surat, DRAF, page numbers)
"""
from __future__ import annotations

from .compose import RecordsAndSearch, build_briefing, compose_briefing
from .export import FORMATS, render, to_json, to_markdown, write_briefing, write_docx
from .model import KINDS, Briefing, BriefingKind, RelationshipTable, Section, Sentence, SourceEntry, TableRow

__all__ = [
    "FORMATS", "KINDS", "Briefing", "BriefingKind", "RecordsAndSearch", "RelationshipTable", "Section",
    "Sentence", "SourceEntry", "TableRow", "build_briefing", "compose_briefing", "render", "to_json",
    "to_markdown", "write_briefing", "write_docx",
]
