"""Briefing sentences and tables filled from the fields of records, each cited to the pages
behind the record: a pair's status, year and focus; a city's counts and years; recommendations
tied to recorded focus areas; data notes (conflicting years, gaps, weak evidence, unverified
candidates); caveats about the cited sources.
"""
from __future__ import annotations

from collections import Counter

from ..records import Candidate, PlaceMatch, Relationship, is_scraped_list, strip_parenthetical
from .model import RelationshipTable, Sentence, TableRow
from .writer import Writer, join


def focus_key(focus: str) -> str:
    return strip_parenthetical(focus).casefold().strip()


def pair_facts(w: Writer, city: PlaceMatch, rel: Relationship) -> list[Sentence]:
    """Status, year and focus of one recorded relationship, each cited."""
    country = strip_parenthetical(rel.partner_country)
    out = []
    if rel.year:
        year_pages = [s for s in rel.pages() if s.year and s.year == rel.year]
        out.append(w.fact("pair_recorded_year", w.sources.relationship(rel, year_pages or None), city=city.name,
                          partner=rel.partner_city, country=country, status=rel.status, year=rel.year))
    else:
        out.append(w.fact("pair_recorded_no_year", w.sources.primary(rel), city=city.name,
                          partner=rel.partner_city, country=country, status=rel.status))
    if rel.focus:
        pages = [s for s in rel.pages() if s.focus]
        out.append(w.fact("pair_focus", w.sources.relationship(rel, pages or None), city=city.name,
                          partner=rel.partner_city, focus=join(list(rel.focus_areas))))
    return out


def table_row(w: Writer, rel: Relationship, focus: str, sources: list[int]) -> TableRow:
    """One relationship as a table row; conflicting years show each one."""
    labels = w.p.raw("labels")
    empty = labels["empty_cell"]
    if rel.year_conflict:
        shown = rel.year or rel.years[-1]
        others = ", ".join(y for y in rel.years if y != shown)
        year = labels["year_conflict_cell"].format(year=shown, others=others)
    else:
        year = rel.year or (rel.years[0] if rel.years else empty)
    return TableRow(rel.partner_city, rel.partner_country, year, focus or empty, rel.status, rel.confidence,
                    sorted(set(sources)), rel.rel_id, strip_parenthetical(rel.city_name))


def table(w: Writer, rels: list[Relationship]) -> RelationshipTable:
    rows = [table_row(w, rel, "; ".join(rel.focus_areas), w.sources.relationship(rel)) for rel in rels]
    return RelationshipTable(list(w.p.raw("table_columns")), rows)


def city_summary(w: Writer, city: PlaceMatch, rels: list[Relationship]) -> list[Sentence]:
    """Counts, years and statuses of a city's recorded relationships, each cited."""
    if not rels:
        return [w.framing("place_without_records", name=city.name)]
    paragraph = w.next_paragraph()
    citations = [n for rel in rels for n in w.sources.primary(rel)]
    partners = [f"{r.partner_city} ({strip_parenthetical(r.partner_country)})" for r in rels]
    out = [w.fact("summary_count", citations, paragraph, city=city.name, province=rels[0].province,
                  n=len(rels), n_countries=len({r.partner_country for r in rels}), partners=join(partners))]
    dated = [r for r in rels if r.years]
    if dated:
        years = sorted(y for r in dated for y in r.years)
        year_pages = [n for r in dated for n in w.sources.relationship(r, [s for s in r.pages() if s.year] or None)]
        out.append(w.fact("summary_years", year_pages, paragraph, n_dated=len(dated), n=len(rels),
                          first=years[0], last=years[-1]))
    statuses = Counter(r.status for r in rels)
    if len(statuses) > 1:
        text = join([f"{status} ({count})" for status, count in statuses.most_common()])
        out.append(w.fact("summary_statuses", citations, paragraph, statuses=text))
    return out


def focus_recommendations(w: Writer, city_name: str, rels: list[Relationship], pair: bool) -> list[Sentence]:
    """Recommendations tied to the recorded focus areas, verification needs and gaps."""
    out: list[Sentence] = []
    with_focus = [r for r in rels if r.focus]
    if with_focus:
        counts = Counter(f for r in with_focus for f in dict.fromkeys(map(focus_key, r.focus_areas)))
        top = [f for f, _ in counts.most_common(3)]
        pages = [n for r in with_focus for n in w.sources.relationship(
            r, [s for s in r.pages() if any(t in s.focus.casefold() for t in top)] or None)
            if any(focus_key(f) in top for f in r.focus_areas)]
        if pair:
            rel = with_focus[0]
            out.append(w.fact("rec_pair_focus", pages, city=city_name, partner=rel.partner_city,
                              focus=join(list(dict.fromkeys(map(focus_key, rel.focus_areas)))[:5])))
        else:
            out.append(w.fact("rec_focus", pages, city=city_name, focus=join(top)))
    without = [r for r in rels if not r.focus]
    if without:
        out.append(w.fact("rec_no_focus", [n for r in without for n in w.sources.primary(r)],
                          partners=join([r.partner_city for r in without])))
    low = [r for r in rels if r.confidence == "rendah"]
    if low:
        out.append(w.fact("rec_verify", [n for r in low for n in w.sources.relationship(r)],
                          partners=join([r.partner_city for r in low])))
    return out


def data_notes(w: Writer, city_name: str, rels: list[Relationship], candidates: list[Candidate]) -> list[Sentence]:
    """Conflicting years (each year with its own sources), gaps, weak evidence, unverified pairs."""
    out = [w.framing("note_not_active")] if rels or candidates else []
    for rel in rels:
        if rel.year_conflict:
            paragraph = w.next_paragraph()
            dated = [s for s in rel.pages() if s.year]
            out.append(w.fact("note_year_conflict", w.sources.relationship(rel, dated or None), paragraph,
                              city=city_name, partner=rel.partner_city, years=join(list(rel.years)),
                              year=rel.year or rel.years[-1]))
            for year in rel.years:
                pages = [s for s in dated if s.year == year]
                if pages:
                    out.append(w.fact("note_year_source", w.sources.relationship(rel, pages), paragraph,
                                      year=year, city=city_name, partner=rel.partner_city))
    undated = [r for r in rels if not r.years]
    if undated:
        out.append(w.fact("note_no_year", [n for r in undated for n in w.sources.primary(r)],
                          city=city_name, partners=join([r.partner_city for r in undated])))
    for rel in rels:
        if rel.status.casefold() not in ("sister city", "sister province"):
            out.append(w.fact("note_status", w.sources.primary(rel), city=city_name,
                              partner=rel.partner_city, status=rel.status))
    out += low_confidence_notes(w, rels)
    if candidates:
        # Counted per candidate row, as the chat counts them (RecordStore.candidates_for_city).
        out.append(w.fact("note_candidates", [w.sources.candidate(c) for c in candidates],
                          n=len(candidates), city=city_name, partners=join([c.partner_city for c in candidates])))
    return out


def low_confidence_notes(w: Writer, rels: list[Relationship]) -> list[Sentence]:
    """Caveats on weak evidence, cited to that evidence: one per city and number of sources."""
    weak: dict[tuple[str, int], list[Relationship]] = {}
    for rel in rels:
        if rel.confidence == "rendah":
            weak.setdefault((strip_parenthetical(rel.city_name), len(rel.pages())), []).append(rel)
    out = []
    for (city, n), group in weak.items():
        citations = [c for rel in group for c in w.sources.relationship(rel)]
        if len(group) == 1:
            out.append(w.fact("note_low_confidence", citations, city=city, partner=group[0].partner_city, n=n))
        else:
            out.append(w.fact("note_low_confidence_many", citations, city=city, n=n,
                              partners=join([r.partner_city for r in group])))
    return out


def source_notes(w: Writer) -> list[Sentence]:
    """Caveats about the cited sources themselves (licences, unknown article URLs)."""
    entries = w.sources.entries()
    out = []
    if any(is_scraped_list(e.url) for e in entries):
        out.append(w.framing("note_licence"))
    for title in dict.fromkeys(e.title for e in entries if not e.url):
        out.append(w.framing("note_unknown_url", title=title))
    return out
