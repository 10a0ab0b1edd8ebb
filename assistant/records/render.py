"""The Indonesian text a record renders to: the passage that is indexed and cited, and its parts.

Answers quote these strings verbatim (a headline is a substring of the document), so the
citation check holds by construction. Honesty rules live here: "tercatat sejak", never "masih
aktif"; years that differ between sources are all shown; low confidence says what it rests on.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlparse

if TYPE_CHECKING:  # types only: model.py imports this module
    from .model import Candidate, Relationship, Source

RELATIONSHIP_SECTION = "Hubungan kota kembar"
SOURCE_SECTION = "Sumber data kota kembar"
CANDIDATE_SECTION = "Belum terverifikasi"

# The two scraped list pages (GitHub) behind many rows, named by their real origin. They are
# the weakest evidence, so a briefing cites anything else first.
SCRAPED_LISTS: dict[str, str] = {
    "Hekman/twincities": "daftar Wikipedia (CC BY-SA)",
    "L3viathan/sister-cities": "crawl Wikidata 2016 (CC0)",
}

# How a source type is named to a user (source_types in the summary table).
SOURCE_TYPE_NAMES = {
    "official": "situs resmi",
    "news": "berita",
    "blog": "blog",
    "wikipedia-derived": "daftar Wikipedia",
    "wikidata-derived": "crawl Wikidata 2016",
    "academic": "tulisan akademik",
    "document": "dokumen",
    "forum": "forum",
}


def strip_parenthetical(name: str) -> str:
    """ "Surakarta (Solo)" -> "Surakarta": the name a person would type."""
    return re.sub(r"\s*\([^)]*\)", "", name).strip()


def distinct_focus(focus: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Focus terms without repeats: a term that is part of another one goes.

    "ekonomi dan perdagangan; ekonomi; perdagangan" -> ("ekonomi dan perdagangan",);
    "kesehatan (klinik mata); kesehatan" -> ("kesehatan (klinik mata)",). Order is kept.
    """
    def key(term: str) -> str:
        return strip_parenthetical(term).casefold()

    def parts(term: str) -> set[str]:
        inside = re.findall(r"\(([^)]*)\)", term)
        return {key(term), *(p.strip() for p in re.split(r"\s+dan\s+|,", key(term))), *(i.strip().casefold() for i in inside)}

    kept: list[str] = []
    for term in dict.fromkeys(t.strip() for t in focus if t.strip()):
        if key(term) in {key(k) for k in kept}:
            continue
        if any(key(term) in parts(other) for other in focus if key(other) != key(term)):
            continue
        kept.append(term)
    return tuple(kept)


def is_scraped_list(url: str) -> bool:
    """Is this one of the scraped list pages (weakest evidence, CC-licensed)?"""
    return any(marker in url for marker in SCRAPED_LISTS)


def source_label(url: str) -> str:
    """A short, human name for a source URL (the two GitHub scrapes get their real origin)."""
    for marker, label in SCRAPED_LISTS.items():
        if marker in url:
            return label
    host = urlparse(url).netloc.lower()
    return host[4:] if host.startswith("www.") else host or url


def year_phrase(rel: Relationship) -> str:
    """ "tercatat sejak 1994" — a listed year, never a claim that the tie is still active."""
    if rel.year_conflict:
        return f"tahun mulainya beda antarsumber ({' dan '.join(rel.years)})"
    if rel.years:
        return f"tercatat sejak {rel.years[0]}"
    return "tahun mulainya tidak disebut sumber"


def confidence_phrase(rel: Relationship) -> str:
    """The confidence level in words; rendah says what it rests on."""
    if rel.confidence != "rendah":
        return f"keyakinan data {rel.confidence}"
    if set(rel.source_types) == {"wikipedia-derived"}:
        return "keyakinan data rendah: baru tercatat di daftar Wikipedia"
    if set(rel.source_types) == {"blog"}:
        return "keyakinan data rendah: hanya dari satu blog"
    return "keyakinan data rendah: sumbernya terbatas"


def relationship_title(rel: Relationship) -> str:
    """The title of a relationship's passage and citation."""
    return f"Data kota kembar: {strip_parenthetical(rel.city_name)} – {rel.partner_city}"


def relationship_headline(rel: Relationship) -> str:
    """The one-line fact that answers quote; a verbatim part of the document."""
    focus = f"fokus: {', '.join(rel.focus)}" if rel.focus else "fokus kerja samanya tidak disebut"
    return (
        f"{rel.city_name} – {rel.partner_city}, {rel.partner_country}: {rel.status}, "
        f"{year_phrase(rel)}; {focus}; {confidence_phrase(rel)} ({rel.n_sources} sumber)"
    )


def source_year_text(rel: Relationship, source: Source) -> str:
    """Our own sentence naming one source and the year it gives (for conflicting years)."""
    return f"{rel.city_name} – {rel.partner_city} tercatat sejak {source.year} menurut {source.label}"


def source_document(rel: Relationship, source: Source) -> str:
    """The cited text of one source row."""
    return f"{source_year_text(rel, source)}. Judul sumber: {source.title}."


def relationship_document(rel: Relationship) -> str:
    """The Indonesian passage that is indexed and shown when a relationship is cited."""
    where = rel.city_name if rel.is_province else f"{rel.city_name} ({rel.province})"
    kinds = ", ".join(SOURCE_TYPE_NAMES.get(t, t) for t in rel.source_types)
    labels = ", ".join(dict.fromkeys(source_label(u) for u in rel.source_urls))
    lines = [
        f"Data kota kembar: {where} dengan {rel.partner_city}, {rel.partner_country}.",
        f"{relationship_headline(rel)}.",
    ]
    if rel.year_conflict:
        lines += [f"{source_year_text(rel, s)}." for s in rel.sources if s.year]
    lines += [
        f"Jenis sumber: {kinds}. Sumber: {labels}.",
        'Catatan: "tercatat" adalah tahun yang disebut sumber; sumber tidak memberi status terkini.',
    ]
    return "\n".join(lines)


def candidate_headline(cand: Candidate) -> str:
    """The one-line, clearly unverified statement that answers quote."""
    country = "" if cand.partner_country.startswith("(") else f", {cand.partner_country}"
    return (
        f"{cand.city_name} – {cand.partner_city}{country}: belum terverifikasi sebagai kota kembar; "
        f"statusnya: {cand.status}; sumber: {cand.source_title}"
    )


def candidate_document(cand: Candidate) -> str:
    """The cited passage for an unverified candidate."""
    note = f" Catatan: {cand.note}." if cand.note else ""
    return f"{candidate_headline(cand)}.{note}"
