"""The value types of the sister-city records, and the id scheme they share.

rel_id = f"{city_id}--{slug(partner_city)}"; a province's key is province_key(name) ("prov_jawa_timur").
The Indonesian sentences these types render to live in render.py.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from ..schema import Chunk, Citation
from . import render
from .render import source_label


def slug(text: str) -> str:
    """NFKD -> ascii, lowercase, runs of non-alphanumerics -> "-", trimmed (the rel_id scheme)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def fold(text: str) -> str:
    """Lowercase ascii form of a token, for matching names however they are typed."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


def province_key(province: str) -> str:
    """The key of a province as a place: "Jawa Timur" -> "prov_jawa_timur" (as city_id in the data)."""
    return f"prov_{slug(province).replace('-', '_')}"


@dataclass(frozen=True)
class Source:
    """One row of records.csv: a page that mentions the relationship."""

    url: str
    title: str
    year: str
    focus: str

    @property
    def label(self) -> str:
        return source_label(self.url)


@dataclass(frozen=True)
class Relationship:
    """One merged sister-city relationship (a row of relationships_summary.csv) and its sources."""

    rel_id: str
    city_id: str
    city_name: str
    province: str
    partner_city: str
    partner_country: str
    year: str  # "" when no source gives one
    year_values_seen: tuple[str, ...]
    focus: tuple[str, ...]
    status: str
    confidence: str  # "tinggi" | "sedang" | "rendah"
    n_sources: int
    source_types: tuple[str, ...]
    source_urls: tuple[str, ...]
    sources: tuple[Source, ...] = ()

    @property
    def is_province(self) -> bool:
        return self.city_id.startswith("prov_")

    @property
    def source_id(self) -> str:
        """How the index and citations name this relationship."""
        return f"record:{self.rel_id}"

    @property
    def years(self) -> tuple[str, ...]:
        """Every start year the sources give, oldest first (two or more means they disagree)."""
        seen = set(self.year_values_seen) | {s.year for s in self.sources if s.year}
        if self.year:
            seen.add(self.year)
        return tuple(sorted(seen))

    @property
    def focus_areas(self) -> tuple[str, ...]:
        """The focus terms without repeats ("ekonomi dan perdagangan" covers "ekonomi", "perdagangan")."""
        return render.distinct_focus(self.focus)

    @property
    def year_conflict(self) -> bool:
        return len(self.years) > 1

    def pages(self) -> list[Source]:
        """The pages behind it (records.csv rows; the summary URLs when those are missing)."""
        if self.sources:
            return list(self.sources)
        return [Source(url=u, title=source_label(u), year="", focus="") for u in self.source_urls]

    def headline(self) -> str:
        """The one-line fact that answers quote; a verbatim part of document()."""
        return render.relationship_headline(self)

    def source_year_text(self, source: Source) -> str:
        """Our own sentence naming one source and the year it gives (for conflicting years)."""
        return render.source_year_text(self, source)

    def document(self) -> str:
        """The Indonesian passage that is indexed and shown when a relationship is cited."""
        return render.relationship_document(self)

    def chunk(self) -> Chunk:
        """The indexed passage (kind="record"); metadata holds only Chroma-safe scalars."""
        text = self.document()
        digest = hashlib.sha1(f"{self.source_id}\n{text}".encode("utf-8")).hexdigest()[:16]
        return Chunk(
            chunk_id=f"rec-{digest}",
            source_id=self.source_id,
            title=render.relationship_title(self),
            section=render.RELATIONSHIP_SECTION,
            url=self.source_urls[0] if self.source_urls else "",
            text=text,
            kind="record",
            metadata={
                "city": self.city_name,
                "city_id": self.city_id,
                "province": self.province,
                "partner": self.partner_city,
                "country": self.partner_country,
                "year": self.year,
                "status": self.status,
                "confidence": self.confidence,
                "focus": "; ".join(self.focus),
                "urls": list(self.source_urls),  # every source, for complete citations
            },
        )

    def citation(self, n: int) -> Citation:
        """Citation number n of this relationship: its document and every source URL."""
        return Citation.from_chunk(n, self.chunk())

    def source_citation(self, n: int, source: Source) -> Citation:
        """Citation number n of one source row: our sentence naming the source and its year."""
        return Citation(
            n=n,
            source_id=self.source_id,
            title=source.title,
            section=render.SOURCE_SECTION,
            url=source.url,
            text=render.source_document(self, source),
            urls=(source.url,),
        )


@dataclass(frozen=True)
class Candidate:
    """A pair NOT to be stated as fact: only in the 2016 Wikidata crawl, or a plan/LoI/MoU."""

    cand_id: str
    city_id: str
    city_name: str
    province: str
    partner_city: str
    partner_country: str
    status: str
    note: str
    source_url: str
    source_title: str

    def partner_names(self) -> tuple[str, ...]:
        """ "Rotterdam / Istanbul / Marseille" names several partners in one row."""
        return tuple(p.strip() for p in self.partner_city.split("/") if p.strip())

    def headline(self) -> str:
        """The one-line, clearly unverified statement that answers quote."""
        return render.candidate_headline(self)

    def document(self) -> str:
        """The cited passage for an unverified candidate."""
        return render.candidate_document(self)

    def citation(self, n: int) -> Citation:
        """Citation number n of this candidate (source_id "candidate:…", never "record:…")."""
        return Citation(
            n=n,
            source_id=f"candidate:{self.cand_id}",
            title=self.source_title,
            section=render.CANDIDATE_SECTION,
            url=self.source_url,
            text=self.document(),
            urls=(self.source_url,),
        )


@dataclass(frozen=True)
class PlaceMatch:
    """A place named in a text: kind is "city", "province", "country" or "partner"."""

    kind: str
    key: str  # city_id / prov_* id / country as in the data / slug(partner_city)
    name: str  # canonical name, safe to put back into a question
    start: int
    end: int
    fuzzy: bool = False  # matched through a typo ("Surbaya")
    typed: str = ""  # the text as the user wrote it
