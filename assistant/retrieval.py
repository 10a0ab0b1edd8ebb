"""Hybrid retrieval: Indonesian keyword search (BM25) fused with passage- and sentence-level
vector search from Chroma.

Measured on the dev split of eval/bank, keyword search and the multilingual embedder each miss
different questions, and a question about one detail is often closer to one sentence than to
its whole passage. So three rankings run — BM25 over passages, the passage vectors, and the
best sentence vector of each passage — and their scores are standardised (z-scores over the
candidates) and mixed. A passage whose heading names what the question asks about ("tantangan",
"tips", …) gets a small bonus. The keyword index is built from the chunks stored in Chroma, so
the two never disagree on what is indexed.

Users rarely type an article's words, so BM25 searches each passage together with the questions an
editor wrote for its sentences (corpus/phrasings, see assistant/phrasings.py): on dev this took
recall@5 from 0.90 to 0.96 (heavy paraphrase 0.69 -> 0.90). The nearest of those questions also
tells the composer which sentence of a passage was asked about.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

from langchain_core.embeddings import Embeddings

from .index import ChromaIndex
from .keyword_index import open_keyword_index
from .phrasings import Phrasing, PhrasingIndex
from .schema import Chunk, Hit
from .text import Lexicon, tokenize


QUERY_CACHE = 64  # recent question embeddings kept per process
# Neighbours read per fusion candidate: sentences outnumber passages about three to one.
NEIGHBOURS_PER_CANDIDATE = 4


@dataclass(frozen=True)
class FusionWeights:
    """How the rankings are mixed (z-score units); tuned on the dev split (prompts/routing.yaml)."""

    keyword: float = 0.4
    passage: float = 0.3
    sentence: float = 0.3
    aspect: float = 0.5  # bonus for a passage whose heading names the question's aspect
    quoted: float = 2.0  # bonus for a passage holding words the user put in quotes, as written
    candidates: int = 40  # how deep each ranking is read before fusion

    def __post_init__(self) -> None:
        if self.candidates <= 0:
            raise ValueError(f"candidates must be greater than 0. Currently, candidates is {self.candidates}.")


def zscores(scores: dict[str, float], ids: set[str], missing: float | None = None,
            left_aside: set[str] = frozenset()) -> dict[str, float]:
    """Standardise one ranking over the candidate set; an id it didn't return gets its floor.
    Ids left aside get a z-score too, but the mean and spread (and the floor) come from the others."""
    population = (ids - left_aside) or ids
    if missing is not None:
        floor = missing
    elif left_aside:
        floor = min((scores[cid] for cid in population if cid in scores), default=0.0)
    else:
        floor = min(scores.values(), default=0.0)
    values = {cid: scores.get(cid, floor) for cid in ids}
    if not values:
        return {}
    members = [values[cid] for cid in population]
    # fsum: the same result whatever order the set yields its ids in (it varies between processes).
    mean = math.fsum(members) / len(members)
    spread = math.sqrt(math.fsum((v - mean) ** 2 for v in members) / len(members))
    if spread == 0:
        return {cid: 0.0 for cid in values}
    return {cid: (v - mean) / spread for cid, v in values.items()}


# A quote opens after a space, not inside a word ("Xi'an").
_QUOTED = re.compile(r"(?<!\w)[\"'“‘]([^\"'“”‘’]{3,80})[\"'”’]")
MIN_QUOTED_WORDS = 2  # one quoted word ('formal') is emphasis more often than a quotation


def quoted_phrases(question: str) -> list[str]:
    """Words the question puts in quotes ("'pertukaran ekonomi'"), casefolded, one space apart."""
    phrases = [" ".join(re.findall(r"\w+", m.group(1).casefold())) for m in _QUOTED.finditer(question)]
    return [p for p in phrases if len(p.split()) >= MIN_QUOTED_WORDS]


@dataclass(frozen=True)
class RetrievalResult:
    hits: list[Hit]
    best_similarity: float  # cosine similarity of the nearest passage vector (0 when nothing indexed)
    best_keyword: float  # best BM25 score (0 when no query word is in the corpus)
    query_tokens: tuple[str, ...]
    # cosine similarity of the sentences the sentence search returned, by sentence chunk id
    sentence_similarity: dict[str, float] = field(default_factory=dict)
    # by sentence chunk id: similarity of the nearest question written for that sentence
    phrasing_similarity: dict[str, float] = field(default_factory=dict)


class HybridRetriever:
    """Keyword + passage-vector + sentence-vector search over one ChromaIndex, fused."""

    def __init__(self, index: ChromaIndex, embedder: Embeddings, lexicon: Lexicon | None = None,
                 weights: FusionWeights | None = None,
                 aspects_of: Callable[[str], frozenset[str]] | None = None,
                 phrasings: list[Phrasing] | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.lexicon = lexicon  # None: the project's own prompts/lexicon.yaml
        self.weights = weights or FusionWeights()
        self.aspects_of = aspects_of
        self.phrasing_list = phrasings or []
        self.reload()

    def reload(self) -> None:
        """Re-read the passages from Chroma (after an ingest)."""
        self._vectors: dict[str, list[float]] = {}
        self.chunks: dict[str, Chunk] = {c.chunk_id: c for c in self.index.passages()}
        self.phrasings = PhrasingIndex.build(self.phrasing_list, self.chunks.values(), self.embedder,
                                             self.index.model, self.index.phrasing_dir, self.lexicon)
        self.keyword = open_keyword_index(self.index, self.index.keyword_dir, lexicon=self.lexicon,
                                          expansions=self.phrasings.passage_texts())
        self._aspects: dict[str, frozenset[str]] = {}  # filled as passages become candidates
        self._plain: dict[str, str] = {}  # passage words, casefolded, one space apart (for quotes)

    def _aspects_of_chunk(self, chunk: Chunk) -> frozenset[str]:
        """Which aspects a passage's heading (and list intro) names, computed once per passage."""
        if chunk.chunk_id not in self._aspects:
            context = chunk.metadata.get("context") or ""
            self._aspects[chunk.chunk_id] = (self.aspects_of(f"{chunk.section} {context}")
                                             if self.aspects_of and chunk.kind == "article" else frozenset())
        return self._aspects[chunk.chunk_id]

    def search(self, question: str, k: int = 5, *, kinds: tuple[str, ...] | None = None,
               aspects: frozenset[str] = frozenset(), ignore_terms: frozenset[str] = frozenset(),
               match_phrasings: bool = False, phrasings_of: str | None = None) -> RetrievalResult:
        """The k best passages (of the given kinds) for a question.

        `ignore_terms` are stems left out of the keyword query. With `match_phrasings`, the question
        is also compared with the questions written for each sentence (corpus/phrasings), for the
        composer to weigh. `phrasings_of` compares another text with them instead: a follow-up's own
        words ("yang mulai duluan siapa?"), when the question searched is merged with earlier turns.
        """
        w = self.weights
        tokens = tokenize(question, lexicon=self.lexicon)
        # Words every passage shares ("kota", "kembar") only add noise to BM25; a question made of
        # nothing else ("apa itu kota kembar?") is left to the vectors.
        keyword_terms = [t for t in tokens if t not in ignore_terms]

        def allowed(cid: str) -> bool:
            chunk = self.chunks.get(cid)
            return chunk is not None and (kinds is None or chunk.kind in kinds)

        keyword_ranked = dict(self.keyword.search(keyword_terms, w.candidates, allowed))
        vector = self._query_vector(question)
        # One nearest-neighbour query over passages and sentences together, split afterwards: a
        # metadata filter per kind makes Chroma scan the collection (~90 ms a query at 100x the corpus).
        passage_ranked: dict[str, float] = {}
        sentence_hits: dict[str, float] = {}
        best_sentence: dict[str, float] = {}
        for cid, similarity in self.index.search(vector, w.candidates * NEIGHBOURS_PER_CANDIDATE):
            if "#s" in cid:
                parent = cid.split("#", 1)[0]
                if allowed(parent):
                    sentence_hits[cid] = similarity
                    best_sentence[parent] = max(best_sentence.get(parent, -1.0), similarity)
            elif allowed(cid) and len(passage_ranked) < w.candidates:
                passage_ranked[cid] = similarity
        candidates = {cid for cid in (keyword_ranked.keys() | passage_ranked.keys() | best_sentence.keys())
                      if allowed(cid)}
        fused = defaultdict(float)
        for weight, ranking, missing in ((w.keyword, keyword_ranked, 0.0), (w.passage, passage_ranked, None),
                                         (w.sentence, best_sentence, None)):
            if not ranking:
                continue
            for cid, z in zscores(ranking, candidates, missing).items():
                fused[cid] += weight * z
        if aspects:
            for cid in candidates:
                if self._aspects_of_chunk(self.chunks[cid]) & aspects:
                    fused[cid] += w.aspect
        for phrase in quoted_phrases(question):
            # "td aku baca soal 'pertukaran ekonomi', maksudnya?": the passage that says it, word for word.
            for cid, chunk in self.chunks.items():
                if allowed(cid) and f" {phrase} " in self._plain_text(cid, chunk):
                    fused[cid] += w.quoted
        ordered = sorted(fused.items(), key=lambda kv: kv[1], reverse=True)[:k]
        hits = [Hit(rank=i + 1, chunk=self.chunks[cid], score=score) for i, (cid, score) in enumerate(ordered)]
        return RetrievalResult(
            hits=hits,
            best_similarity=max(passage_ranked.values(), default=0.0),
            best_keyword=max(keyword_ranked.values(), default=0.0),
            query_tokens=tuple(tokens),
            sentence_similarity=sentence_hits,
            phrasing_similarity=(self.phrasings.search(self._query_vector(phrasings_of)) if phrasings_of
                                 else self.phrasings.search(vector) if match_phrasings else {}),
        )

    def _plain_text(self, cid: str, chunk: Chunk) -> str:
        if cid not in self._plain:
            words = re.findall(r"\w+", chunk.text.casefold())
            self._plain[cid] = " " + " ".join(words) + " "
        return self._plain[cid]

    def _query_vector(self, question: str) -> list[float]:
        """The question's embedding; the last few are kept, since one turn may search twice
        (record rows and what the articles say about the same places)."""
        vector = self._vectors.get(question)
        if vector is None:
            vector = self.embedder.embed_query(question)
            if len(self._vectors) >= QUERY_CACHE:
                self._vectors.pop(next(iter(self._vectors)))
            self._vectors[question] = vector
        return vector

    def forget_queries(self) -> None:
        """Drop the remembered question embeddings (benchmarks time the uncached path)."""
        self._vectors.clear()

    def section_chunks(self, source_id: str, section: str) -> list[Chunk]:
        """All chunks of one article section, in reading order (for list-style answers)."""
        found = [c for c in self.chunks.values() if c.source_id == source_id and c.section == section]
        return sorted(found, key=lambda c: c.metadata.get("position", 0))
