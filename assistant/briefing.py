"""Records + article passages -> a formal, fully cited briefing document for officials.

Every sentence that states a fact is either the formal rewrite (assistant.formal) of one source
sentence, cited to the article section it came from, or a sentence filled from the fields of a
record and cited to the pages behind that record. Framing sentences (intro, caveats) state no
facts and carry no citation. A section the sources cannot support is left out and the omission
is recorded in `notes`; nothing is padded.
"""
from __future__ import annotations

import datetime as _dt
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import PROJECT_ROOT
from .errors import InvalidQuestion, UnknownPlace
from .formal import rewrite, split_sentences
from .prompts import Phrases, load_phrases
from .records import Candidate, PlaceMatch, RecordStore, Relationship, Source, source_label, strip_parenthetical
from .schema import Chunk, Hit

DEFAULT_PROMPTS_DIR = PROJECT_ROOT / "prompts"
KINDS = ("city", "pair", "topic")
Retrieve = Callable[[str, int], list[Hit]]

# "Surabaya–Busan", "Surabaya - Busan", "Surabaya-Busan", "Surabaya dan Busan", "Surabaya & Busan".
_PAIR_SEPARATORS = (r"\s*[–—]\s*", r"\s+-\s+", r"-", r"\s+dan\s+", r"\s*&\s*", r"\s+dengan\s+", r"\s*/\s*")
# The scraped list pages: weakest evidence, so a relationship is cited first by anything else.
_SCRAPE_MARKERS = ("Hekman/twincities", "L3viathan/sister-cities")


# ---------------------------------------------------------------------------------------------
# Data model


@dataclass
class Sentence:
    """One sentence of a briefing and the numbers of the sources that support it."""

    text: str
    citations: list[int] = field(default_factory=list)
    kind: str = "article"  # "article" (rewrite of source_text) | "record" (from record fields) | "framing"
    source_text: str = ""  # for kind "article": the source sentence this is the formal rewrite of
    paragraph: int = 0  # sentences with the same number are printed as one paragraph

    @property
    def factual(self) -> bool:
        return self.kind != "framing"


@dataclass
class TableRow:
    """One relationship as a row of the relationships table."""

    partner: str
    country: str
    year: str
    focus: str
    status: str
    confidence: str
    sources: list[int]
    rel_id: str = ""


@dataclass
class RelationshipTable:
    """The recorded relationships of a city (or one pair), with a header row."""

    columns: list[str]
    rows: list[TableRow]

    def cells(self, row: TableRow) -> list[str]:
        """The row's cells in column order; sources as [n] markers."""
        markers = "".join(f"[{n}]" for n in row.sources)
        return [row.partner, row.country, row.year, row.focus, row.status, row.confidence, markers]


@dataclass
class Section:
    heading: str
    sentences: list[Sentence] = field(default_factory=list)
    table: RelationshipTable | None = None


@dataclass(frozen=True)
class SourceEntry:
    """A numbered source: an article section or a page behind the records."""

    n: int
    title: str
    url: str
    section: str


@dataclass
class Briefing:
    title: str
    date: str
    subject: str
    kind: str  # "city" | "pair" | "topic"
    sections: list[Section]
    sources: list[SourceEntry]
    notes: list[str] = field(default_factory=list)  # how the document was put together (omissions)

    def source(self, n: int) -> SourceEntry | None:
        """The source entry numbered n, or None."""
        return next((s for s in self.sources if s.n == n), None)

    def section(self, heading: str) -> Section | None:
        """The section with this heading, or None."""
        return next((s for s in self.sections if s.heading == heading), None)


# ---------------------------------------------------------------------------------------------
# Sources


class _Sources:
    """Numbers sources in order of first citation; record pages are shared across relationships."""

    def __init__(self) -> None:
        self._entries: dict[tuple, dict[str, Any]] = {}

    def _add(self, key: tuple, title: str, url: str, section: str) -> int:
        entry = self._entries.get(key)
        if entry is None:
            entry = {"n": len(self._entries) + 1, "title": title, "url": url, "sections": []}
            self._entries[key] = entry
        if section and section not in entry["sections"]:
            entry["sections"].append(section)
        return entry["n"]

    def article(self, chunk: Chunk) -> int:
        """Number for an article section (all passages of a section share one entry)."""
        return self._add(("article", chunk.source_id, chunk.section), chunk.title, chunk.url, chunk.section)

    def page(self, url: str, title: str, about: str) -> int:
        """Number for a page behind the records; `about` names the pair(s) it supports."""
        return self._add(("page", url), title or source_label(url), url, about)

    def entries(self) -> list[SourceEntry]:
        ordered = sorted(self._entries.values(), key=lambda e: e["n"])
        return [SourceEntry(e["n"], e["title"], e["url"], "; ".join(e["sections"])) for e in ordered]


# ---------------------------------------------------------------------------------------------
# Helpers


def _join(items: list[str]) -> str:
    """ "A", "A dan B", "A, B, dan C"."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} dan {items[1]}"
    return f"{', '.join(items[:-1])}, dan {items[-1]}"


def _format_date(day: _dt.date, months: list[str]) -> str:
    return f"{day.day} {months[day.month - 1]} {day.year}"


def _rel_sources(rel: Relationship) -> list[Source]:
    """The pages behind a relationship (records.csv rows; the summary URLs when those are missing)."""
    if rel.sources:
        return list(rel.sources)
    return [Source(url=u, title=source_label(u), year="", focus="") for u in rel.source_urls]


def _pair_label(rel: Relationship) -> str:
    return f"{strip_parenthetical(rel.city_name)}–{rel.partner_city}"


def _focus_key(focus: str) -> str:
    return strip_parenthetical(focus).casefold().strip()


def _mentions(text: str, name: str) -> bool:
    return bool(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.I))


def _words(text: str, min_len: int) -> set[str]:
    # Suffixes make exact matches brittle ("manfaatnya"); a 6-letter prefix is a cheap stem that
    # still keeps "rendang" apart from "rendah".
    return {w[:6] for w in re.findall(r"\w+", text.casefold()) if len(w) >= min_len}


# ---------------------------------------------------------------------------------------------
# Subject resolution


@dataclass(frozen=True)
class _Subject:
    kind: str
    text: str
    city: PlaceMatch | None = None
    partner: PlaceMatch | None = None


def _exact_place(records: RecordStore, text: str, kinds: tuple[str, ...]) -> tuple[PlaceMatch | None, PlaceMatch | None]:
    """(exact match covering the whole text, fuzzy match) for a name."""
    matches = [m for m in records.find_places(text) if m.kind in kinds]
    stripped = text.strip()
    for m in matches:
        if m.start == 0 and m.end == len(stripped):
            return (None, m) if m.fuzzy else (m, None)
    return None, None


def _unknown(records: RecordStore, name: str, fuzzy: PlaceMatch | None) -> UnknownPlace:
    suggestions = ([fuzzy.name] if fuzzy else []) + records.suggest(name)
    return UnknownPlace(name, list(dict.fromkeys(suggestions))[:3])


def _looks_like_a_name(text: str) -> bool:
    """ "Surabya", "Kota Atlantis": short and capitalised, unlike a topic phrase."""
    words = text.split()
    return 1 <= len(words) <= 3 and all(w[:1].isupper() for w in words if w.casefold() != "kota")


def _resolve_subject(subject: str, records: RecordStore, kind: str | None) -> _Subject:
    """Decide what the briefing is about; UnknownPlace for names the records don't know."""
    home = ("city", "province")
    if kind in (None, "pair"):
        for separator in _PAIR_SEPARATORS:
            parts = [p.strip() for p in re.split(separator, subject) if p.strip()]
            if len(parts) != 2:
                continue
            sides = [_exact_place(records, p, home + ("partner",)) for p in parts]
            if all(exact for exact, _ in sides):
                first, second = sides[0][0], sides[1][0]
                if first.kind == "partner" and second.kind in home:
                    first, second = second, first  # "Busan–Surabaya": the Indonesian side leads
                return _Subject("pair", subject, first, second)
            if kind == "pair" or any(exact for exact, _ in sides):
                for part, (exact, fuzzy) in zip(parts, sides):
                    if exact is None and (kind == "pair" or _looks_like_a_name(part)):
                        raise _unknown(records, part, fuzzy)
        if kind == "pair":
            raise InvalidQuestion(
                f"\"{subject}\" bukan pasangan kota. Tuliskan dua nama kota, misalnya \"Surabaya–Busan\"."
            )
    if kind == "topic":
        return _Subject("topic", subject)
    exact, fuzzy = _exact_place(records, subject, home)
    if exact is not None:
        return _Subject("city", subject, exact)
    if kind == "city" or fuzzy is not None or _looks_like_a_name(subject):
        raise _unknown(records, subject, fuzzy)
    return _Subject("topic", subject)


# ---------------------------------------------------------------------------------------------
# Composition


class _Composer:
    """Builds one briefing; holds the source registry and what has been quoted already."""

    def __init__(self, records: RecordStore, retrieve: Retrieve, phrases: Phrases) -> None:
        self.records = records
        self.retrieve = retrieve
        self.p = phrases
        self.sources = _Sources()
        self.used: set[str] = set()  # source sentences already quoted (no repeats across sections)
        self.notes: list[str] = []
        self._paragraph = 0
        self.cfg = {key: phrases.raw(key) for key in ("themes", "retrieve_k", "mitigation_cue", "mitigation_label",
                                                      "mention_passages", "mention_sentences", "topic_k",
                                                      "topic_summary_passages", "min_topic_word")}

    # -- sentences ------------------------------------------------------------------------------

    def next_paragraph(self) -> int:
        self._paragraph += 1
        return self._paragraph

    def framing(self, key: str, paragraph: int | None = None, **values: Any) -> Sentence:
        return Sentence(self.p.get(key, **values), [], "framing", "", paragraph or self.next_paragraph())

    def fact(self, key: str, citations: list[int], paragraph: int | None = None, **values: Any) -> Sentence:
        return Sentence(self.p.get(key, **values), sorted(set(citations)), "record", "",
                        paragraph or self.next_paragraph())

    def cite(self, rel: Relationship, sources: list[Source] | None = None) -> list[int]:
        """Numbers for some (default: all) pages behind a relationship."""
        return [self.sources.page(s.url, s.title, _pair_label(rel)) for s in (sources or _rel_sources(rel))]

    def cite_primary(self, rel: Relationship) -> list[int]:
        """One page per relationship, preferring anything over the scraped list pages."""
        pages = _rel_sources(rel)
        best = next((s for s in pages if not any(m in s.url for m in _SCRAPE_MARKERS)), pages[0] if pages else None)
        return self.cite(rel, [best]) if best else []

    def cite_candidate(self, cand: Candidate) -> int:
        about = f"{cand.city_name}–{cand.partner_city} (belum terverifikasi)"
        return self.sources.page(cand.source_url, cand.source_title, about)

    def passage_sentences(self, chunk: Chunk, limit: int) -> list[Sentence]:
        """Formal rewrites of up to `limit` sentences of a passage (plus its mitigation), cited."""
        cue = re.compile(self.cfg["mitigation_cue"], re.I)
        out: list[Sentence] = []
        paragraph = self.next_paragraph()
        taken, mitigation_next = 0, False
        for source in split_sentences(chunk.text):
            if cue.search(source):
                mitigation_next = True
                continue
            formal = rewrite(source)
            if not formal or source in self.used:
                mitigation_next = False if formal else mitigation_next
                continue
            if mitigation_next:
                text, mitigation_next = self.cfg["mitigation_label"] + formal, False
            elif taken < limit:
                text, taken = formal, taken + 1
            else:
                continue
            self.used.add(source)
            out.append(Sentence(text, [self.sources.article(chunk)], "article", source, paragraph))
        return out

    # -- retrieval ------------------------------------------------------------------------------

    def article_hits(self, query: str, k: int) -> list[Chunk]:
        """Article passages for a query, best first, without duplicates."""
        seen: dict[str, Chunk] = {}
        for hit in self.retrieve(query, k):
            if hit.chunk.kind == "article" and hit.chunk.chunk_id not in seen:
                seen[hit.chunk.chunk_id] = hit.chunk
        return list(seen.values())

    def theme_passages(self, theme: str) -> list[Chunk]:
        """Passages for a briefing section: retrieved, then kept only from matching article sections."""
        spec = self.cfg["themes"][theme]
        found: dict[str, Chunk] = {}
        for query in spec["queries"]:
            for chunk in self.article_hits(query, int(self.cfg["retrieve_k"])):
                heading = chunk.section.casefold()
                if any(word in heading for word in spec["sections"]):
                    found.setdefault(chunk.chunk_id, chunk)
        candidates = list(found.values())
        mode = spec.get("passages", "any")
        if mode == "paragraphs":
            candidates = [c for c in candidates if not c.metadata.get("list_item")]
        elif mode == "prefer_items":
            # An article that lists the points has them as items; its surrounding prose is chatter.
            listed = {c.source_id for c in candidates if c.metadata.get("list_item")}
            candidates = [c for c in candidates if c.metadata.get("list_item") or c.source_id not in listed]
        chosen = candidates[: int(spec["max_passages"])]
        # Reading order within each article reads better than retrieval order.
        first_seen = {c.source_id: i for i, c in reversed(list(enumerate(chosen)))}
        return sorted(chosen, key=lambda c: (first_seen[c.source_id], c.metadata.get("position", 0)))

    def theme_section(self, theme: str, only: set[str] | None = None) -> Section | None:
        """A thematic section (konsep/manfaat/tantangan/rekomendasi) or None when unsupported."""
        spec = self.cfg["themes"][theme]
        sentences: list[Sentence] = []
        for chunk in self.theme_passages(theme):
            if only is not None and chunk.chunk_id not in only:
                continue
            sentences += self.passage_sentences(chunk, int(spec["sentences_per_passage"]))
        return Section(self.p.raw("headings")[theme], sentences) if sentences else None

    def mention_sentences(self, names: list[str], require_all: bool) -> list[Sentence]:
        """Article passages that name the place(s), quoted formally under the table."""
        query = " ".join(names)
        out: list[Sentence] = []
        passages = 0
        for chunk in self.article_hits(f"kerja sama sister city {query}", int(self.cfg["retrieve_k"])):
            hits = [_mentions(chunk.text, n) for n in names]
            if not (all(hits) if require_all else any(hits)):
                continue
            quoted = self.passage_sentences(chunk, int(self.cfg["mention_sentences"]))
            if quoted:
                out += quoted
                passages += 1
            if passages >= int(self.cfg["mention_passages"]):
                break
        if out:
            out.insert(0, self.framing("mentions_intro", name=_join(names)))
        return out

    # -- records --------------------------------------------------------------------------------

    def table(self, rels: list[Relationship]) -> RelationshipTable:
        labels = self.p.raw("labels")
        empty = labels["empty_cell"]
        rows = []
        for rel in rels:
            if rel.year_conflict:
                shown = rel.year or rel.years[-1]
                others = ", ".join(y for y in rel.years if y != shown)
                year = labels["year_conflict_cell"].format(year=shown, others=others)
            else:
                year = rel.year or (rel.years[0] if rel.years else empty)
            rows.append(TableRow(rel.partner_city, rel.partner_country, year, "; ".join(rel.focus) or empty,
                                 rel.status, rel.confidence, sorted(set(self.cite(rel))), rel.rel_id))
        return RelationshipTable(list(self.p.raw("table_columns")), rows)

    def city_summary(self, city: PlaceMatch, rels: list[Relationship]) -> list[Sentence]:
        """Counts, years and statuses of a city's recorded relationships, each cited."""
        if not rels:
            return [self.framing("place_without_records", name=city.name)]
        paragraph = self.next_paragraph()
        citations = [n for rel in rels for n in self.cite_primary(rel)]
        partners = [f"{r.partner_city} ({strip_parenthetical(r.partner_country)})" for r in rels]
        out = [self.fact("summary_count", citations, paragraph, city=city.name, province=rels[0].province,
                         n=len(rels), n_countries=len({r.partner_country for r in rels}), partners=_join(partners))]
        dated = [r for r in rels if r.years]
        if dated:
            years = sorted(y for r in dated for y in r.years)
            year_pages = [n for r in dated for n in self.cite(r, [s for s in _rel_sources(r) if s.year] or None)]
            out.append(self.fact("summary_years", year_pages, paragraph, n_dated=len(dated), n=len(rels),
                                 first=years[0], last=years[-1]))
        statuses = Counter(r.status for r in rels)
        if len(statuses) > 1:
            text = _join([f"{status} ({count})" for status, count in statuses.most_common()])
            out.append(self.fact("summary_statuses", citations, paragraph, statuses=text))
        return out

    def focus_recommendations(self, city_name: str, rels: list[Relationship], pair: bool) -> list[Sentence]:
        """Recommendations tied to the recorded focus areas, verification needs and gaps."""
        out: list[Sentence] = []
        with_focus = [r for r in rels if r.focus]
        if with_focus:
            counts = Counter(_focus_key(f) for r in with_focus for f in dict.fromkeys(map(_focus_key, r.focus)))
            top = [f for f, _ in counts.most_common(3)]
            pages = [n for r in with_focus for n in self.cite(
                r, [s for s in _rel_sources(r) if any(t in s.focus.casefold() for t in top)] or None)
                if any(_focus_key(f) in top for f in r.focus)]
            if pair:
                rel = with_focus[0]
                out.append(self.fact("rec_pair_focus", pages, city=city_name, partner=rel.partner_city,
                                     focus=_join(list(dict.fromkeys(map(_focus_key, rel.focus)))[:5])))
            else:
                out.append(self.fact("rec_focus", pages, city=city_name, focus=_join(top)))
        without = [r for r in rels if not r.focus]
        if without:
            out.append(self.fact("rec_no_focus", [n for r in without for n in self.cite_primary(r)],
                                 partners=_join([r.partner_city for r in without])))
        low = [r for r in rels if r.confidence == "rendah"]
        if low:
            out.append(self.fact("rec_verify", [n for r in low for n in self.cite(r)],
                                 partners=_join([r.partner_city for r in low])))
        return out

    def data_notes(self, city_name: str, rels: list[Relationship], candidates: list[Candidate]) -> list[Sentence]:
        """Conflicting years (each year with its own sources), gaps, weak evidence, unverified pairs."""
        out = [self.framing("note_not_active")] if rels or candidates else []
        for rel in rels:
            if rel.year_conflict:
                paragraph = self.next_paragraph()
                dated = [s for s in _rel_sources(rel) if s.year]
                out.append(self.fact("note_year_conflict", self.cite(rel, dated or None), paragraph,
                                     city=city_name, partner=rel.partner_city, years=_join(list(rel.years)),
                                     year=rel.year or rel.years[-1]))
                for year in rel.years:
                    pages = [s for s in dated if s.year == year]
                    if pages:
                        out.append(self.fact("note_year_source", self.cite(rel, pages), paragraph,
                                             year=year, city=city_name, partner=rel.partner_city))
        undated = [r for r in rels if not r.years]
        if undated:
            out.append(self.fact("note_no_year", [n for r in undated for n in self.cite_primary(r)],
                                 city=city_name, partners=_join([r.partner_city for r in undated])))
        for rel in rels:
            if rel.status.casefold() not in ("sister city", "sister province"):
                out.append(self.fact("note_status", self.cite_primary(rel), city=city_name,
                                     partner=rel.partner_city, status=rel.status))
            if rel.confidence == "rendah":
                out.append(self.fact("note_low_confidence", self.cite(rel), city=city_name,
                                     partner=rel.partner_city, n=len(_rel_sources(rel))))
        if candidates:
            names = list(dict.fromkeys(p for c in candidates for p in c.partner_names()))
            out.append(self.fact("note_candidates", [self.cite_candidate(c) for c in candidates],
                                 n=len(names), city=city_name, partners=_join(names)))
        return out

    def source_notes(self) -> list[Sentence]:
        """Caveats about the cited sources themselves (licences, unknown article URLs)."""
        entries = self.sources.entries()
        out = []
        if any(any(m in e.url for m in _SCRAPE_MARKERS) for e in entries):
            out.append(self.framing("note_licence"))
        for title in dict.fromkeys(e.title for e in entries if not e.url):
            out.append(self.framing("note_unknown_url", title=title))
        return out


def _place_rels(records: RecordStore, place: PlaceMatch) -> list[Relationship]:
    return records.partners_of(place.key) if place.kind in ("city", "province") else records.by_partner(place.key)


def compose_briefing(subject: str, *, records: RecordStore, retrieve: Retrieve, title: str | None = None,
                     date: str | None = None, kind: str | None = None,
                     prompts_dir: Path | None = None) -> Briefing:
    """A formal, cited briefing on a city, a pair of cities or a topic (kind inferred when None)."""
    phrases = load_phrases(Path(prompts_dir) if prompts_dir else DEFAULT_PROMPTS_DIR, "briefing")
    text = re.sub(r"\s+", " ", subject or "").strip() if isinstance(subject, str) else ""
    if not text or not any(ch.isalnum() for ch in text):
        raise InvalidQuestion(phrases.get("empty_subject"))
    if kind is not None and kind not in KINDS:
        raise InvalidQuestion(f"Jenis briefing tidak dikenal: {kind!r}. Pilihan: {', '.join(KINDS)}.")
    resolved = _resolve_subject(text, records, kind)
    c = _Composer(records, retrieve, phrases)
    headings = phrases.raw("headings")
    sections: list[Section] = []

    if resolved.kind == "city":
        city = resolved.city
        rels = records.partners_of(city.key)
        sections.append(Section(headings["ringkasan"], [c.framing("intro_city", city=city.name)] + c.city_summary(city, rels)))
        _add_theme(c, sections, "konsep")
        if rels:
            sections.append(Section(headings["hubungan"], c.mention_sentences([city.name], False), c.table(rels)))
        _add_theme(c, sections, "manfaat")
        _add_theme(c, sections, "tantangan")
        recs = c.theme_section("rekomendasi")
        extra = c.focus_recommendations(city.name, rels, pair=False)
        _add_or_note(c, sections, "rekomendasi", (recs.sentences if recs else []) + extra)
        notes = c.data_notes(city.name, rels, records.candidates_for_city(city.key))
        default_title = phrases.raw("titles")["city"].format(city=city.name)
    elif resolved.kind == "pair":
        city, partner = resolved.city, resolved.partner
        rel = records.pair(city.key, partner.key) if city.kind in ("city", "province") else None
        summary = [c.framing("intro_pair", city=city.name, partner=partner.name)]
        candidates: list[Candidate] = []
        table_rels: list[Relationship] = []
        if rel is not None:
            table_rels = [rel]
            year_pages = [s for s in _rel_sources(rel) if s.year and s.year == rel.year]
            if rel.year:
                summary.append(c.fact("pair_recorded_year", c.cite(rel, year_pages or None), city=city.name,
                                      partner=rel.partner_city, country=strip_parenthetical(rel.partner_country), status=rel.status,
                                      year=rel.year))
            else:
                summary.append(c.fact("pair_recorded_no_year", c.cite_primary(rel), city=city.name,
                                      partner=rel.partner_city, country=strip_parenthetical(rel.partner_country), status=rel.status))
            if rel.focus:
                pages = [s for s in _rel_sources(rel) if s.focus]
                summary.append(c.fact("pair_focus", c.cite(rel, pages or None), city=city.name,
                                      partner=rel.partner_city, focus=_join(list(dict.fromkeys(rel.focus)))))
        else:
            summary.append(c.framing("pair_not_recorded", city=city.name, partner=partner.name))
            if city.kind in ("city", "province"):
                candidates = records.candidates_for_pair(city.key, partner.key)
            for cand in candidates:
                summary.append(c.fact("pair_candidate", [c.cite_candidate(cand)], city=city.name,
                                      partner=partner.name, status=cand.status))
            # What is known about each side on its own.
            for place in (city, partner):
                place_rels = _place_rels(records, place)
                if place.kind in ("city", "province"):
                    summary += c.city_summary(place, place_rels)
                    table_rels += place_rels
                elif place_rels:
                    summary.append(c.fact("partner_elsewhere", [n for r in place_rels for n in c.cite_primary(r)],
                                          partner=place.name,
                                          cities=_join([strip_parenthetical(r.city_name) for r in place_rels])))
                else:
                    summary.append(c.framing("place_without_records", name=place.name))
        sections.append(Section(headings["ringkasan"], summary))
        _add_theme(c, sections, "konsep")
        mentions = c.mention_sentences([city.name, partner.name], rel is not None)
        if table_rels or mentions:
            sections.append(Section(headings["hubungan"], mentions, c.table(table_rels) if table_rels else None))
        _add_theme(c, sections, "manfaat")
        _add_theme(c, sections, "tantangan")
        recs = c.theme_section("rekomendasi")
        extra = c.focus_recommendations(city.name, [rel], pair=True) if rel is not None else []
        _add_or_note(c, sections, "rekomendasi", (recs.sentences if recs else []) + extra)
        notes = c.data_notes(city.name, [rel] if rel is not None else [], candidates)
        default_title = phrases.raw("titles")["pair"].format(city=city.name, partner=partner.name)
    else:
        sections += _topic_sections(c, text)
        notes = []
        default_title = phrases.raw("titles")["topic"].format(topic=text[:1].upper() + text[1:])

    notes += c.source_notes()
    if notes:
        sections.append(Section(headings["catatan"], notes))
    months = list(phrases.raw("months"))
    return Briefing(
        title=title or default_title,
        date=date or _format_date(_dt.date.today(), months),
        subject=text,
        kind=resolved.kind,
        sections=sections,
        sources=c.sources.entries(),
        notes=c.notes,
    )


def _add_theme(c: _Composer, sections: list[Section], theme: str, only: set[str] | None = None) -> None:
    section = c.theme_section(theme, only)
    _add_or_note(c, sections, theme, section.sentences if section else [])


def _add_or_note(c: _Composer, sections: list[Section], theme: str, sentences: list[Sentence]) -> None:
    heading = c.p.raw("headings")[theme]
    if any(s.factual for s in sentences):
        sections.append(Section(heading, sentences))
    else:
        c.notes.append(c.p.get("omitted_section", heading=heading))


def _topic_sections(c: _Composer, topic: str) -> list[Section]:
    """Ringkasan from the passages closest to the topic, then the thematic sections they touch."""
    min_len = int(c.cfg["min_topic_word"])
    topic_words = _words(topic, min_len)
    relevant = [ch for ch in c.article_hits(topic, int(c.cfg["topic_k"]))
                if topic_words & _words(f"{ch.section} {ch.text}", min_len)]
    headings = c.p.raw("headings")
    if not relevant:
        c.notes.append(c.p.get("topic_not_covered", topic=topic))
        return [Section(headings["ringkasan"], [c.framing("topic_not_covered", topic=topic)])]
    summary = [c.framing("intro_topic", topic=topic)]
    for chunk in relevant[: int(c.cfg["topic_summary_passages"])]:
        summary += c.passage_sentences(chunk, 1)
    sections = [Section(headings["ringkasan"], summary)]
    themes = ("konsep", "manfaat", "tantangan", "rekomendasi")
    # A topic that names a theme ("manfaat dan tantangan ...") gets exactly those sections;
    # otherwise the sections whose passages the topic's own search turned up.
    named = [t for t in themes if topic_words & _words(" ".join(c.cfg["themes"][t]["topic_words"]), min_len)]
    relevant_ids = {ch.chunk_id for ch in relevant}
    for theme in themes:
        wanted = theme in named if named else bool({ch.chunk_id for ch in c.theme_passages(theme)} & relevant_ids)
        if wanted:
            _add_theme(c, sections, theme)
        else:
            c.notes.append(c.p.get("omitted_off_topic", heading=headings[theme]))
    return sections


def build_briefing(assistant_like: Any, subject: str, title: str | None = None, date: str | None = None,
                   kind: str | None = None) -> Briefing:
    """compose_briefing with an Assistant's records and retriever (for the CLI, API and app)."""
    settings = getattr(assistant_like, "settings", None)
    prompts_dir = getattr(settings, "prompts_dir", None)
    return compose_briefing(subject, records=assistant_like.records, retrieve=assistant_like.retrieve,
                            title=title, date=date, kind=kind, prompts_dir=prompts_dir)
