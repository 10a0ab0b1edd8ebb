"""Hybrid retrieval: Indonesian keyword search (BM25) fused with vector search from Chroma.

Measured on Indonesian questions, keyword search and the multilingual embedder each miss
different questions, so both run and their scores are fused: each is scaled to 0..1 over the
candidates and the two are averaged.
The keyword index is built from the chunks stored in Chroma, so the two never disagree on
what is indexed.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from .index import ChromaIndex
from .schema import Chunk, Hit
from .text import Lexicon, tokenize

CANDIDATES = 30  # how deep each ranking is read before fusion
# Weight of the keyword score in the fused score (the rest is the vector score). Measured on
# eval/articles.jsonl: 0.5 gave recall@5 0.979 / MRR 0.873 where reciprocal-rank fusion gave
# 0.958 / 0.858 (it cannot let one strong ranking outvote two lukewarm ones); 0.4 and 0.6 were worse.
KEYWORD_WEIGHT = 0.5


def fuse_scores(
    keyword: list[tuple[str, float]], vector: list[tuple[str, float]], keyword_weight: float
) -> dict[str, float]:
    """Min-max scale each ranking's scores to 0..1 and mix them; absent from a ranking = its floor."""
    fused: dict[str, float] = {}
    k_scores, v_scores = dict(keyword), dict(vector)
    k_max = max(k_scores.values(), default=0.0) or 1.0
    v_min, v_max = min(v_scores.values(), default=0.0), max(v_scores.values(), default=0.0)
    v_span = (v_max - v_min) or 1.0
    for cid in k_scores.keys() | v_scores.keys():
        k = k_scores.get(cid, 0.0) / k_max
        v = (v_scores.get(cid, v_min) - v_min) / v_span
        fused[cid] = keyword_weight * k + (1 - keyword_weight) * v
    return fused


class KeywordIndex:
    """BM25 over section heading + passage tokens (normalized, stopwords out, stemmed)."""

    def __init__(self, chunks: list[Chunk], k1: float = 1.5, b: float = 0.75, lexicon: Lexicon | None = None) -> None:
        self.k1, self.b = k1, b
        self.doc_tokens: dict[str, Counter] = {}
        self.doc_len: dict[str, int] = {}
        postings: dict[str, list[str]] = defaultdict(list)
        for chunk in chunks:
            tokens = Counter(tokenize(f"{chunk.section} {chunk.text}", lexicon=lexicon))
            self.doc_tokens[chunk.chunk_id] = tokens
            self.doc_len[chunk.chunk_id] = sum(tokens.values())
            for term in tokens:
                postings[term].append(chunk.chunk_id)
        self.postings = dict(postings)
        n = max(len(chunks), 1)
        self.avg_len = sum(self.doc_len.values()) / n if chunks else 1.0
        self.idf = {t: math.log(1 + (n - len(ids) + 0.5) / (len(ids) + 0.5)) for t, ids in self.postings.items()}

    def search(self, query_tokens: list[str], k: int) -> list[tuple[str, float]]:
        scores: dict[str, float] = defaultdict(float)
        for term in set(query_tokens):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for cid in self.postings[term]:
                tf = self.doc_tokens[cid][term]
                norm = tf + self.k1 * (1 - self.b + self.b * self.doc_len[cid] / self.avg_len)
                scores[cid] += idf * tf * (self.k1 + 1) / norm
        return sorted(scores.items(), key=lambda kv: kv[1], reverse=True)[:k]


@dataclass(frozen=True)
class RetrievalResult:
    hits: list[Hit]
    best_similarity: float  # cosine similarity of the nearest vector (0 when nothing indexed)
    best_keyword: float  # best BM25 score (0 when no query word is in the corpus)
    query_tokens: tuple[str, ...]


class HybridRetriever:
    """Keyword + vector search over one ChromaIndex, their scores fused."""

    def __init__(self, index: ChromaIndex, embedder: Embeddings, lexicon: Lexicon | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.lexicon = lexicon  # None: the project's own prompts/lexicon.yaml
        self.reload()

    def reload(self) -> None:
        """Re-read the chunks from Chroma (after an ingest)."""
        self.chunks: dict[str, Chunk] = {c.chunk_id: c for c in self.index.all_chunks()}
        self.keyword = KeywordIndex(list(self.chunks.values()), lexicon=self.lexicon)

    def search(self, question: str, k: int = 5) -> RetrievalResult:
        tokens = tokenize(question, lexicon=self.lexicon)
        keyword_ranked = self.keyword.search(tokens, CANDIDATES)
        vector_ranked = self.index.search(self.embedder.embed_query(question), CANDIDATES)
        fused = fuse_scores(keyword_ranked, vector_ranked, KEYWORD_WEIGHT)
        ordered = sorted(fused.items(), key=lambda kv: kv[1], reverse=True)
        hits = [
            Hit(rank=i + 1, chunk=self.chunks[cid], score=score)
            for i, (cid, score) in enumerate(ordered[:k])
            if cid in self.chunks
        ]
        return RetrievalResult(
            hits=hits,
            best_similarity=vector_ranked[0][1] if vector_ranked else 0.0,
            best_keyword=keyword_ranked[0][1] if keyword_ranked else 0.0,
            query_tokens=tuple(tokens),
        )

    def section_chunks(self, source_id: str, section: str) -> list[Chunk]:
        """All chunks of one article section, in reading order (for list-style answers)."""
        found = [c for c in self.chunks.values() if c.source_id == source_id and c.section == section]
        return sorted(found, key=lambda c: c.metadata.get("position", 0))
