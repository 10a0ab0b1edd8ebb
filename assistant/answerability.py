"""Is what the question asks covered by the sources? Naming a place is not enough.

"Berapa jumlah penduduk Medan?" names a city the records know, but nothing in the sources
says anything about population: its information need ("jumlah penduduk") is not covered.
A few features describe how well the best passages cover the question — its need words
weighted by rarity, the nearest passage's similarity, the domain's own words — and a logistic
score combines them. Weights and threshold are fitted per embedder on the dev split of
eval/bank (`assistant calibrate`) and kept in prompts/routing.yaml.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .records import PlaceMatch, RecordStore, Relationship
from .retrieval import HybridRetriever, RetrievalResult
from .routing import Turn
from .routing_data import Calibration, RoutingData
from .text import Lexicon, tokenize


@dataclass(frozen=True)
class Coverage:
    features: dict[str, float]
    score: float  # 0..1
    in_scope: bool
    uncovered: tuple[str, ...]  # need words (as typed) the evidence doesn't contain


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(x, 30.0), -30.0)))


def _relationships_of(records: RecordStore, place: PlaceMatch) -> list[Relationship]:
    if place.kind in ("city", "province"):
        return records.partners_of(place.key)
    if place.kind == "partner":
        return records.by_partner(place.key)
    return records.by_country(place.key)


def passages_naming(hits: list, places: "tuple[PlaceMatch, ...] | list[PlaceMatch]") -> list:
    """The hits whose text names every one of the places (as matched or as typed)."""
    wanted = [{p.name.casefold(), p.typed.casefold()} for p in places]
    return [h for h in hits if all(any(n in h.chunk.text.casefold() for n in forms) for forms in wanted)]


def need_about_places_uncovered(turn: Turn, result: RetrievalResult, records: RecordStore,
                                lexicon: Lexicon | None) -> tuple[str, ...]:
    """The need words of a question about places ("Surabaya jauh gak dari Busan?") when none of them
    is in what the sources hold about those places: their record rows and the passages naming them
    all. Empty when the need is covered, or when there is no need."""
    if not turn.need or not turn.places:
        return ()
    evidence: set[str] = set()
    for place in turn.places:
        for rel in _relationships_of(records, place):
            evidence |= set(tokenize(rel.document(), lexicon=lexicon))
    for hit in passages_naming(result.hits, turn.places):
        evidence |= set(tokenize(hit.chunk.text, lexicon=lexicon))
    stems = {word: tokenize(word, lexicon=lexicon) for word in turn.need}
    if any(stem in evidence for word_stems in stems.values() for stem in word_stems):
        return ()
    return tuple(word for word, word_stems in stems.items() if word_stems)


def features(turn: Turn, result: RetrievalResult, retriever: HybridRetriever, records: RecordStore,
             data: RoutingData, calibration: Calibration, lexicon: Lexicon | None,
             own: Turn | None = None) -> tuple[dict[str, float], tuple[str, ...]]:
    """The answerability features of a turn given its retrieval result, and its uncovered need words.

    `own` is the message before history filled it in: the domain's words count only when the
    user wrote them ("terus makanan khas Roma apa?" borrows "kota kembar", it doesn't ask about it).
    """
    own = own or turn
    idf = retriever.keyword.idf
    top_idf = max(idf.values(), default=1.0) + 1.0
    evidence: set[str] = set()
    anchored = own.strong_domain or own.weak_domain
    hits = result.hits[: data.evidence_passages]
    if turn.places and not anchored:
        # A question about a place is answered only by what the sources say about that place.
        names = {p.name.casefold() for p in turn.places} | {p.typed.casefold() for p in turn.places}
        hits = [h for h in result.hits if any(n in h.chunk.text.casefold() for n in names)]
        for place in turn.places:
            for rel in _relationships_of(records, place):
                evidence |= set(tokenize(rel.document(), lexicon=lexicon))
    for hit in hits:
        evidence |= set(retriever.keyword.doc_tokens.get(hit.chunk.chunk_id, ()))
    need_terms: list[tuple[str, str]] = []  # (word as typed, stem)
    # Without the domain's own words, "sejarah" or "cara" asks about the place or thing named,
    # not about twinning: the aspect has to be covered too.
    words = turn.need if anchored else turn.need + turn.aspect_words
    for word in words:
        for stem in tokenize(word, lexicon=lexicon):
            need_terms.append((word, stem))
    total = sum(idf.get(stem, top_idf) for _, stem in need_terms)
    covered = sum(idf.get(stem, top_idf) for _, stem in need_terms if stem in evidence)
    unknown = sum(1 for _, stem in need_terms if stem not in idf)
    uncovered = tuple(dict.fromkeys(word for word, stem in need_terms if stem not in evidence))
    similarity = (result.best_similarity - calibration.similarity_floor) / calibration.similarity_span
    values = {
        "strong_domain": float(own.strong_domain),
        "weak_domain": float(own.weak_domain),
        "aspect": float(bool(turn.article_aspects)),
        "coverage": covered / total if total else 1.0,
        "similarity": min(max(similarity, 0.0), 1.0),
        "keyword": result.best_keyword / (result.best_keyword + 5.0),
        "uncovered_need": min(unknown, 3) / 3.0,
        "place": float(bool(turn.places)),
        "no_need": float(not need_terms),
    }
    return values, uncovered


def judge(turn: Turn, result: RetrievalResult, retriever: HybridRetriever, records: RecordStore,
          data: RoutingData, calibration: Calibration, lexicon: Lexicon | None, own: Turn | None = None) -> Coverage:
    """Score the question's coverage by the sources; in scope when above the calibrated threshold."""
    values, uncovered = features(turn, result, retriever, records, data, calibration, lexicon, own)
    if not result.hits:
        return Coverage(values, 0.0, False, uncovered)
    z = calibration.bias + sum(calibration.weights.get(k, 0.0) * v for k, v in values.items())
    score = _sigmoid(z)
    return Coverage(values, score, score >= calibration.threshold, uncovered)
