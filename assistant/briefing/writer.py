"""The state of one briefing being written: its numbered sources and the sentences that cite them.

Writer hands out framing sentences (no citation), record sentences (filled from record fields,
cited to the pages behind them) and formal quotes of article passages (cited to their section),
and finds the passages for a thematic section. Each source sentence is quoted at most once.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..citations import CitationRegistry
from ..prompts import Phrases
from ..records import Candidate, RecordStore, Relationship, Source, is_scraped_list, source_label, strip_parenthetical
from ..schema import Chunk, Hit
from ..text import split_sentences
from .formal import FormalRules, rewrite
from .model import Section, Sentence, SourceEntry
from .sources import SourceKinds

Retrieve = Callable[[str, int], list[Hit]]
# Settings from prompts/briefing.yaml that steer retrieval rather than wording.
_CONFIG_KEYS = ("themes", "retrieve_k", "mitigation_cue", "mitigation_label", "mention_passages",
                "mention_sentences", "topic_k", "topic_summary_passages", "min_topic_word", "focus_topics",
                "topic_generic_words", "topic_pairs_max")


def join(items: list[str]) -> str:
    """ "A", "A dan B", "A, B, dan C"."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} dan {items[1]}"
    return f"{', '.join(items[:-1])}, dan {items[-1]}"


def _pair_label(rel: Relationship) -> str:
    return f"{strip_parenthetical(rel.city_name)}–{rel.partner_city}"


def _mentions(text: str, name: str) -> bool:
    return bool(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.I))


class SourceList(CitationRegistry[SourceEntry]):
    """A briefing's sources: one entry per document (article or page), whatever part of it is cited.

    Numbers are handed out in order of first use while the briefing is written; `ordered()` then
    sorts the list strongest kind first (government, news, reference, blogs) and renumbers it.
    """

    def __init__(self, kinds: SourceKinds) -> None:
        super().__init__()
        self.kinds = kinds
        self._sections: dict[int, list[str]] = {}  # the article sections quoted, in order of first use
        self._pairs: dict[int, list[str]] = {}  # the relationships a page supports, in order of first use

    @staticmethod
    def _remember(store: dict[int, list[str]], n: int, value: str) -> None:
        values = store.setdefault(n, [])
        if value and value not in values:
            values.append(value)

    def article(self, chunk: Chunk) -> int:
        """Number for an article (all its sections share one entry; the section is a locator)."""
        publisher = str(chunk.metadata.get("publisher") or "")
        kind = self.kinds.classify(chunk.url, publisher).key
        n = self.number(("article", chunk.source_id),
                        lambda n: SourceEntry(n, chunk.title, chunk.url, kind, publisher))
        self._remember(self._sections, n, chunk.section)
        return n

    def page(self, url: str, title: str, about: str) -> int:
        """Number for a page behind the records; `about` names the pair it supports."""
        n = self.number(("page", url),
                        lambda n: SourceEntry(n, title or source_label(url), url, self.kinds.classify(url).key))
        self._remember(self._pairs, n, about)
        return n

    def relationship(self, rel: Relationship, pages: list[Source] | None = None) -> list[int]:
        """Numbers for some (default: all) pages behind a relationship."""
        return [self.page(s.url, s.title, _pair_label(rel)) for s in (pages or rel.pages())]

    def primary(self, rel: Relationship) -> list[int]:
        """One page per relationship: the strongest kind, the scraped list pages last."""
        pages = rel.pages()
        if not pages:
            return []
        best = min(pages, key=lambda s: (is_scraped_list(s.url), self.kinds.classify(s.url).rank))
        return self.relationship(rel, [best])

    def candidate(self, cand: Candidate) -> int:
        """Number for the page behind an unverified candidate."""
        about = f"{cand.city_name}–{cand.partner_city} (belum terverifikasi)"
        return self.page(cand.source_url, cand.source_title, about)

    def entries(self) -> list[SourceEntry]:
        """The sources in order of first use, each with its locators (sections or pairs)."""
        return [replace(e, sections=tuple(self._sections.get(e.n, ())), pairs=tuple(self._pairs.get(e.n, ())))
                for e in self.items]

    def ordered(self) -> tuple[list[SourceEntry], dict[int, int]]:
        """(the list strongest kind first, numbered 1..n; old number -> new number)."""
        entries = sorted(self.entries(), key=lambda e: (self.kinds.get(e.kind).rank, e.n))
        renumber = {e.n: i for i, e in enumerate(entries, start=1)}
        kind = self.kinds.get
        return [replace(e, n=renumber[e.n], group=kind(e.kind).heading, mark=kind(e.kind).mark)
                for e in entries], renumber


class Writer:
    """Sentences for one briefing; holds the source list and what has been quoted already."""

    def __init__(self, records: RecordStore, retrieve: Retrieve, phrases: Phrases, rules: FormalRules,
                 kinds: SourceKinds) -> None:
        self.records = records
        self.retrieve = retrieve
        self.p = phrases
        self.rules = rules
        self.sources = SourceList(kinds)
        self.used: set[str] = set()  # source sentences already quoted (no repeats across sections)
        self.notes: list[str] = []  # how the document was put together (omitted sections)
        self._paragraph = 0
        self.cfg: dict[str, Any] = {key: phrases.raw(key) for key in _CONFIG_KEYS}

    # -- sentences ------------------------------------------------------------------------------

    def next_paragraph(self) -> int:
        self._paragraph += 1
        return self._paragraph

    def framing(self, key: str, paragraph: int | None = None, **values: Any) -> Sentence:
        """A sentence that states no fact (intro, caveat): no citation."""
        return Sentence(self.p.get(key, **values), [], "framing", "", paragraph or self.next_paragraph())

    def fact(self, key: str, citations: list[int], paragraph: int | None = None, **values: Any) -> Sentence:
        """A sentence filled from record fields, cited to the pages behind them."""
        return Sentence(self.p.get(key, **values), sorted(set(citations)), "record", "",
                        paragraph or self.next_paragraph())

    def passage_sentences(self, chunk: Chunk, limit: int, wanted: Callable[[str], bool] | None = None) -> list[Sentence]:
        """Formal rewrites of up to `limit` sentences of a passage (plus its mitigation), cited.

        `wanted` picks which source sentences may be quoted (a topic summary keeps those on topic).
        """
        cue = re.compile(self.cfg["mitigation_cue"], re.I)
        out: list[Sentence] = []
        paragraph = self.next_paragraph()
        taken, mitigation_next = 0, False
        previous_quoted = False  # is the source sentence right before this one quoted just before it?
        for source in split_sentences(chunk.text, self.rules.lexicon):
            quoted, previous_quoted = previous_quoted, False
            if cue.search(source):
                mitigation_next = True
                continue
            formal = rewrite(source, self.rules, follows=quoted)
            if formal and wanted is not None and not wanted(source):
                continue
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
            previous_quoted = True
            out.append(Sentence(text, [self.sources.article(chunk)], "article", source, paragraph, chunk.section))
        return out

    # -- sections -------------------------------------------------------------------------------

    def add_section(self, sections: list[Section], theme: str, sentences: list[Sentence]) -> None:
        """Append the section, or note its omission when no sentence in it states a fact."""
        heading = self.p.raw("headings")[theme]
        if any(s.factual for s in sentences):
            sections.append(Section(heading, sentences))
        else:
            self.notes.append(self.p.get("omitted_section", heading=heading))

    def add_theme(self, sections: list[Section], theme: str) -> None:
        """Append a thematic section quoted from the articles (or note its omission)."""
        section = self.theme_section(theme)
        self.add_section(sections, theme, section.sentences if section else [])

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

    def theme_section(self, theme: str) -> Section | None:
        """A thematic section (konsep/manfaat/tantangan/rekomendasi) or None when unsupported."""
        spec = self.cfg["themes"][theme]
        sentences: list[Sentence] = []
        for chunk in self.theme_passages(theme):
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
            out.insert(0, self.framing("mentions_intro", name=join(names)))
        return out
