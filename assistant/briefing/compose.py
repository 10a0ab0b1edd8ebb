"""Records + article passages -> a formal, fully cited briefing document for officials.

Every sentence that states a fact is either the formal rewrite (formal.py) of one source
sentence, cited to the article section it came from, or a sentence filled from the fields of a
record and cited to the pages behind that record. Framing sentences (intro, caveats) state no
facts and carry no citation. A section the sources cannot support is left out and the omission
is recorded in `notes`; nothing is padded.

One function per kind of briefing: _city_sections, _pair_sections, _topic_sections; the
sentences filled from record fields live in record_facts.py.
"""
from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Protocol

from ..config import DEFAULT_PROMPTS_DIR, Settings
from ..errors import InvalidQuestion
from ..prompts import load_phrases
from ..records import Candidate, PlaceMatch, RecordStore, Relationship, strip_parenthetical
from ..schema import Hit
from .formal import load_rules
from .model import KINDS, TOPIC_FIELDS, Briefing, RelationshipTable, Section, Sentence
from .sources import load_source_kinds
from .subject import resolve_subject
from .record_facts import (city_summary, data_notes, focus_recommendations, low_confidence_notes, pair_facts, source_notes,
                           table, table_row)
from .writer import Retrieve, Writer, join

THEMES = ("konsep", "manfaat", "tantangan", "rekomendasi")


class RecordsAndSearch(Protocol):
    """What a briefing needs from the assistant: the records, passage retrieval and the settings."""

    @property
    def records(self) -> RecordStore: ...

    @property
    def settings(self) -> Settings: ...

    def retrieve(self, question: str, k: int) -> list[Hit]: ...


def compose_briefing(subject: str, *, records: RecordStore, retrieve: Retrieve, title: str | None = None,
                     date: str | None = None, kind: str | None = None, prompts_dir: Path | None = None,
                     author: str = "", organisation: str = "", elsewhere: frozenset[str] = frozenset()) -> Briefing:
    """A formal, cited briefing on a city, a pair of cities or a topic.

    `kind` is a hint: the subject text decides ("manfaat ekonomi" is a topic even when "city" was
    picked); it only settles what the text leaves open.
    """
    prompts_dir = Path(prompts_dir) if prompts_dir else DEFAULT_PROMPTS_DIR
    phrases = load_phrases(prompts_dir, "briefing")
    text = re.sub(r"\s+", " ", subject or "").strip() if isinstance(subject, str) else ""
    if not text or not any(ch.isalnum() for ch in text):
        raise InvalidQuestion(phrases.get("empty_subject"))
    if kind is not None and kind not in KINDS:
        raise InvalidQuestion(f"Jenis briefing tidak dikenal: {kind!r}. Pilihan: {', '.join(KINDS)}.")
    resolved = resolve_subject(text, records, kind, elsewhere)
    w = Writer(records, retrieve, phrases, load_rules(prompts_dir), load_source_kinds(prompts_dir))
    titles = phrases.raw("titles")
    city, partner = resolved.city, resolved.partner  # both for a pair, city only for a city, neither for a topic
    if city is not None and partner is not None:
        sections, notes = _pair_sections(w, city, partner)
        default_title = titles["pair"].format(city=city.name, partner=partner.name)
    elif city is not None:
        sections, notes = _city_sections(w, city)
        default_title = titles["city"].format(city=city.name)
    else:
        sections, notes = _topic_sections(w, text)
        default_title = titles["topic"].format(topic=text[:1].upper() + text[1:])
    notes += source_notes(w)
    if notes:
        sections.append(Section(phrases.raw("headings")["catatan"], notes))
    sources, renumber = w.sources.ordered()
    _renumber(sections, renumber)
    months = list(phrases.raw("months"))
    return Briefing(
        title=title or default_title,
        date=date or _format_date(_dt.date.today(), months),
        subject=text,
        kind=resolved.kind,
        sections=sections,
        sources=sources,
        notes=w.notes,
        author=author,
        organisation=organisation,
    )


def build_briefing(assistant: RecordsAndSearch, subject: str, title: str | None = None, date: str | None = None,
                   kind: str | None = None, prompts_dir: Path | None = None) -> Briefing:
    """compose_briefing with an assistant's records, retriever and settings (for the CLI, API and app)."""
    from ..documents import document_places  # added documents may name places the records lack

    settings = assistant.settings
    elsewhere = frozenset(name.casefold() for names in document_places(settings.corpus_dir).values() for name in names)
    return compose_briefing(subject, records=assistant.records, retrieve=assistant.retrieve, title=title,
                            date=date, kind=kind, prompts_dir=prompts_dir or settings.prompts_dir,
                            author=settings.author, organisation=settings.org_name, elsewhere=elsewhere)


def _renumber(sections: list[Section], renumber: dict[int, int]) -> None:
    """Point every citation at the source list's final numbering (strongest kind first)."""
    for section in sections:
        for sentence in section.sentences:
            sentence.citations = sorted({renumber[n] for n in sentence.citations})
        for row in section.table.rows if section.table else []:
            row.sources = sorted({renumber[n] for n in row.sources})


def _format_date(day: _dt.date, months: list[str]) -> str:
    return f"{day.day} {months[day.month - 1]} {day.year}"


# ---------------------------------------------------------------------------------------------
# One function per kind: (sections, data notes)


def _city_sections(w: Writer, city: PlaceMatch) -> tuple[list[Section], list[Sentence]]:
    """A city or province: its recorded relationships as a table, the themes, data caveats."""
    headings = w.p.raw("headings")
    rels = w.records.partners_of(city.key)
    sections = [Section(headings["ringkasan"], [w.framing("intro_city", city=city.name)] + city_summary(w, city, rels))]
    w.add_theme(sections, "konsep")
    if rels:
        sections.append(Section(headings["hubungan"], w.mention_sentences([city.name], False), table(w, rels)))
    w.add_theme(sections, "manfaat")
    w.add_theme(sections, "tantangan")
    recs = w.theme_section("rekomendasi")
    extra = focus_recommendations(w, city.name, rels, pair=False)
    w.add_section(sections, "rekomendasi", (recs.sentences if recs else []) + extra)
    return sections, data_notes(w, city.name, rels, w.records.candidates_for_city(city.key))


def _pair_sections(w: Writer, city: PlaceMatch, partner: PlaceMatch) -> tuple[list[Section], list[Sentence]]:
    """Two places: the recorded tie (or what each side has on its own), the themes, data caveats."""
    records, headings = w.records, w.p.raw("headings")
    rel = records.pair(city.key, partner.key) if city.kind in ("city", "province") else None
    summary = [w.framing("intro_pair", city=city.name, partner=partner.name)]
    candidates: list[Candidate] = []
    table_rels: list[Relationship] = []
    if rel is not None:
        table_rels = [rel]
        summary += pair_facts(w, city, rel)
    else:
        summary.append(w.framing("pair_not_recorded", city=city.name, partner=partner.name))
        if city.kind in ("city", "province"):
            candidates = records.candidates_for_pair(city.key, partner.key)
        for cand in candidates:
            summary.append(w.fact("pair_candidate", [w.sources.candidate(cand)], city=city.name,
                                  partner=partner.name, status=cand.status))
        # What is known about each side on its own.
        for place in (city, partner):
            place_rels = _place_rels(records, place)
            if place.kind in ("city", "province"):
                summary += city_summary(w, place, place_rels)
                table_rels += place_rels
            elif place_rels:
                summary.append(w.fact("partner_elsewhere", [n for r in place_rels for n in w.sources.primary(r)],
                                      partner=place.name,
                                      cities=join([strip_parenthetical(r.city_name) for r in place_rels])))
            else:
                summary.append(w.framing("place_without_records", name=place.name))
    sections = [Section(headings["ringkasan"], summary)]
    w.add_theme(sections, "konsep")
    mentions = w.mention_sentences([city.name, partner.name], rel is not None)
    if table_rels or mentions:
        sections.append(Section(headings["hubungan"], mentions, table(w, table_rels) if table_rels else None))
    w.add_theme(sections, "manfaat")
    w.add_theme(sections, "tantangan")
    recs = w.theme_section("rekomendasi")
    extra = focus_recommendations(w, city.name, [rel], pair=True) if rel is not None else []
    w.add_section(sections, "rekomendasi", (recs.sentences if recs else []) + extra)
    return sections, data_notes(w, city.name, [rel] if rel is not None else [], candidates)


def _topic_sections(w: Writer, topic: str) -> tuple[list[Section], list[Sentence]]:
    """Ringkasan from the passages closest to the topic, the recorded pairs whose focus fits it, the themes."""
    min_len = int(w.cfg["min_topic_word"])
    topic_words = _words(topic, min_len)
    relevant = [ch for ch in w.article_hits(topic, int(w.cfg["topic_k"]))
                if topic_words & _words(f"{ch.section} {ch.text}", min_len)]
    headings = w.p.raw("headings")
    labels, matches = _topic_focus(w, topic)
    pairs = _pairs_section(w, labels, matches)
    if not relevant and pairs is None:
        w.notes.append(w.p.get("topic_not_covered", topic=topic))
        return [Section(headings["ringkasan"], [w.framing("topic_not_covered", topic=topic)])], []
    summary = [w.framing("intro_topic", topic=topic)]
    # The summary quotes sentences that are about the topic itself, not a passage's opening line.
    generic = {g[:6] for g in w.cfg["topic_generic_words"]}
    key_words = {word for word in topic_words if word not in generic} or topic_words
    on_topic = (lambda source: bool(key_words & _words(source, min_len)))
    quoted = 0
    for chunk in relevant:
        if quoted >= int(w.cfg["topic_summary_passages"]):
            break
        sentences = w.passage_sentences(chunk, 1, on_topic)
        summary += sentences
        quoted += bool(sentences)
    sections = [Section(headings["ringkasan"], summary)]
    if pairs is not None:
        sections.append(pairs)
    # A topic that names a theme ("manfaat dan tantangan ...") gets exactly those sections;
    # otherwise the sections whose passages the topic's own search turned up.
    named = [t for t in THEMES if topic_words & _words(" ".join(w.cfg["themes"][t]["topic_words"]), min_len)]
    relevant_ids = {ch.chunk_id for ch in relevant}
    for theme in THEMES:
        wanted = theme in named if named else bool({ch.chunk_id for ch in w.theme_passages(theme)} & relevant_ids)
        if wanted:
            w.add_theme(sections, theme)
        else:
            w.notes.append(w.p.get("omitted_off_topic", heading=headings[theme]))
    shown = [w.records.get(row.rel_id) for row in pairs.table.rows] if pairs is not None and pairs.table else []
    return sections, ([w.framing("note_not_active")] if shown else []) + low_confidence_notes(w, shown)


def _topic_focus(w: Writer, topic: str) -> tuple[list[str], list[tuple[Relationship, list[str]]]]:
    """(the focus areas the topic names, [(relationship, its focus terms that fit)] best first).

    Topic words are looked up in `focus_topics` (prompts/briefing.yaml: "ekonomi" also means
    perdagangan, investasi ...); other words that are not generic ("sister", "manfaat") are
    matched against the focus terms as they are.
    """
    min_len = int(w.cfg["min_topic_word"])
    generic = {g[:6] for g in w.cfg["topic_generic_words"]}
    generic |= {g[:6] for t in THEMES for g in w.cfg["themes"][t]["topic_words"]}
    labels: list[str] = []
    cues: list[str] = []
    for word in re.findall(r"\w+", topic.casefold()):
        if len(word) < min_len or word[:6] in generic:
            continue
        named = [(label, words) for label, words in w.cfg["focus_topics"].items()
                 if word[:6] == str(label)[:6] or any(word[:6] == str(c)[:6] for c in words)]
        for label, words in named or [(word, [word])]:
            if label not in labels:
                labels.append(str(label))
                cues += [str(c).casefold() for c in words]
    if not cues:
        return [], []
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, dict.fromkeys(cues))) + ")", re.I)
    matches = []
    for rel in w.records.relationships:
        fitting = [f for f in rel.focus_areas if pattern.search(f)]
        if fitting:
            matches.append((rel, fitting))
    order = {"tinggi": 0, "sedang": 1, "rendah": 2}
    matches.sort(key=lambda m: (order.get(m[0].confidence, 3), -len(m[1]), -m[0].n_sources,
                                m[0].city_name.casefold(), m[0].partner_city.casefold()))
    return labels, matches


def _pairs_section(w: Writer, labels: list[str], matches: list[tuple[Relationship, list[str]]]) -> Section | None:
    """The recorded pairs whose focus fits the topic: a cited sentence and a table (best first)."""
    if not matches:
        return None
    shown = matches[: int(w.cfg["topic_pairs_max"])]
    citations: list[int] = []
    rows = []
    for rel, fitting in shown:
        keys = {f.casefold() for f in fitting}
        pages = [s for s in rel.pages() if s.focus and any(k in s.focus.casefold() for k in keys)]
        numbers = w.sources.relationship(rel, pages or None)
        citations += numbers
        rows.append(table_row(w, rel, "; ".join(fitting), numbers))
    pairs = [f"{strip_parenthetical(r.city_name)}–{strip_parenthetical(r.partner_city)} "
             f"({strip_parenthetical(r.partner_country)})" for r, _ in shown]
    sentence = w.fact("topic_pairs", citations, focus=join(labels), pairs=join(pairs))
    w.notes.append(w.p.get("topic_pairs_note", shown=len(shown), total=len(matches), focus=join(labels)))
    topic_table = RelationshipTable(list(w.p.raw("topic_table_columns")), rows, TOPIC_FIELDS)
    return Section(w.p.raw("headings")["contoh"], [w.framing("topic_pairs_intro"), sentence], topic_table)


def _place_rels(records: RecordStore, place: PlaceMatch) -> list[Relationship]:
    return records.partners_of(place.key) if place.kind in ("city", "province") else records.by_partner(place.key)


def _words(text: str, min_len: int) -> set[str]:
    # Suffixes make exact matches brittle ("manfaatnya"); a 6-letter prefix is a cheap stem that
    # still keeps "rendang" apart from "rendah".
    return {w[:6] for w in re.findall(r"\w+", text.casefold()) if len(w) >= min_len}
