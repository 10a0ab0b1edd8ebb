"""Retrieved passages -> a short, cited answer in casual Indonesian, without an LLM.

The answer is extractive: it copies the sentences of the top passages that best match the
question and marks each with [n], so every factual sentence is backed by the passage it came
from. Only the framing ("Singkatnya gini:") is our own, and it states no facts.
"""
from __future__ import annotations

import re

from .citations import Citations
from .prompts import Phrases
from .retrieval import HybridRetriever, RetrievalResult
from .schema import Answer, Chunk
from .text import Lexicon, content_words, is_chatter, normalize, split_sentences

# Words that say the question is about twinning at all. A question with none of them and no
# strong match in the corpus is out of scope (sports, recipes, the time of day...).
DOMAIN_STEMS = frozenset(
    """kota kembar sister twin twinning kemitra mitra partner kerja sama kolaborasi antarkota
    pertukar tukar hubung internasional provinsi pemkot wali""".split()
)
DOMAIN_PHRASES = ("sister cit", "twin cit", "kota kembar", "kota kembaran", "sister province",
                  "kerja sama kota", "kerjasama kota", "town twinning", "kota bersaudara")
# Below this cosine similarity the nearest passage is not really about the question.
MIN_SIMILARITY_WITHOUT_DOMAIN_WORD = 0.86
MIN_KEYWORD_SCORE = 8.0  # BM25; off-topic questions in our eval set peak near 5
MIN_SIMILARITY_WITH_KEYWORDS = 0.82
ENUMERATION_CUES = re.compile(
    r"\b(apa saja|apa aja|apa sajakah|sebutkan|daftar|list|what are|which|mana saja|mana aja|"
    r"tips|cara|caranya|langkah|bagaimana supaya|bagaimana agar|gimana biar|gimana caranya|contoh|contohnya|"
    r"kegiatan|bentuk|jenis|macam)\b"
)
# Requests to drop the rules or reveal them. Nothing here follows instructions (answers are
# copied from sources), but such a request gets a plain "no" rather than an odd answer.
INJECTION = re.compile(
    r"\b(abaikan|lupakan|acuhkan|ignore|disregard|forget)\b.{0,40}\b(instruksi|perintah|aturan\w*|"
    r"instructions?|rules|prompt)\b|system prompt|prompt sistem|jailbreak|developer mode|"
    r"\b(tulis|tuliskan|buatkan|bikinin|write)\b.{0,20}\b(puisi|pantun|lagu|cerpen|poem|song|story)\b",
    re.I | re.S,
)
MAX_SENTENCES = 3
MAX_LIST_ITEMS = 6


def is_in_scope(question: str, result: RetrievalResult, names_a_place: bool, lexicon: Lexicon | None = None) -> bool:
    """Is the question about sister cities at all? (The refusal gate.)"""
    text = normalize(question, lexicon)
    if names_a_place or any(p in text for p in DOMAIN_PHRASES):
        return True
    if set(result.query_tokens) & DOMAIN_STEMS:
        return True
    if result.best_keyword >= MIN_KEYWORD_SCORE and result.best_similarity >= MIN_SIMILARITY_WITH_KEYWORDS:
        return True  # several rare corpus words at once ("koordinasi", "komunikasi") plus a close passage
    return result.best_similarity >= MIN_SIMILARITY_WITHOUT_DOMAIN_WORD


def looks_like_injection(question: str) -> bool:
    """An attempt to change the assistant's rules or get something other than sourced facts."""
    return bool(INJECTION.search(question))


def _usable(sentence: str, lexicon: Lexicon | None) -> bool:
    """Rhetorical questions, list intros and chatter ("Keren, kan?", "Yuk, kita bedah…") are not answers."""
    stripped = sentence.strip()
    return not stripped.endswith(("?", ":")) and len(stripped.split()) >= 4 and not is_chatter(stripped, lexicon)


DEFINITION_QUESTION = re.compile(r"\b(apa itu|apa sih|apakah itu|pengertian|definisi|arti|dimaksud|maksudnya|what is|what are)\b")
DEFINING_SENTENCE = re.compile(r"\b(adalah|merupakan|yaitu|ialah|mengacu pada)\b")
DEFINITION_BONUS = 2.0  # about one rare shared word: enough to lead with "X adalah ..."


def _sentence_score(sentence: str, query: set[str], idf: dict[str, float], lexicon: Lexicon | None,
                    wants_definition: bool = False) -> float:
    overlap = content_words(sentence, lexicon) & query
    score = sum(idf.get(t, 1.0) for t in overlap)
    if wants_definition and DEFINING_SENTENCE.search(sentence.lower()):
        score += DEFINITION_BONUS
    return score


def _list_lines(chunks: list[Chunk], query: set[str], idf: dict[str, float], cites: Citations,
                lexicon: Lexicon | None) -> list[str]:
    """One line per list item: its label sentence plus its best-matching sentence."""
    lines = []
    for chunk in chunks[:MAX_LIST_ITEMS]:
        sentences = [s for s in split_sentences(chunk.text, lexicon) if s.strip()]
        if not sentences:
            continue
        n = cites.passage(chunk)
        picked = [sentences[0]]
        rest = [s for s in sentences[1:] if _usable(s, lexicon)]
        if rest and len(sentences[0].split()) < 12:
            best = max(rest, key=lambda s: _sentence_score(s, query, idf, lexicon))
            picked.append(best)
        lines.append("- " + " ".join(f"{s.strip()} [{n}]" for s in picked))
    return lines


def _prose(question: str, result: RetrievalResult, query: set[str], idf: dict[str, float], cites: Citations,
           lexicon: Lexicon | None) -> str:
    """Up to three best sentences from the top passages, at most two per passage."""
    scored: list[tuple[float, int, int, str, Chunk]] = []
    wants_definition = bool(DEFINITION_QUESTION.search(normalize(question, lexicon)))
    for hit in result.hits[:3]:
        prior = 1.0 / hit.rank  # the fused ranking already knows which passage matters most
        for position, sentence in enumerate(split_sentences(hit.chunk.text, lexicon)):
            if _usable(sentence, lexicon):
                score = _sentence_score(sentence, query, idf, lexicon, wants_definition) + prior
                scored.append((score, hit.rank, position, sentence.strip(), hit.chunk))
    scored.sort(key=lambda row: row[0], reverse=True)
    chosen: list[tuple[int, int, str, Chunk]] = []
    per_chunk: dict[str, int] = {}
    for score, rank, position, sentence, chunk in scored:
        if per_chunk.get(chunk.chunk_id, 0) >= 2:
            continue
        chosen.append((rank, position, sentence, chunk))
        per_chunk[chunk.chunk_id] = per_chunk.get(chunk.chunk_id, 0) + 1
        if len(chosen) == MAX_SENTENCES:
            break
    if not wants_definition:
        chosen.sort(key=lambda row: (row[0], row[1]))  # read in passage order, not score order
    return " ".join(f"{sentence} [{cites.passage(chunk)}]" for _, _, sentence, chunk in chosen)


def compose_answer(
    question: str,
    standalone: str,
    result: RetrievalResult,
    retriever: HybridRetriever,
    phrases: Phrases,
) -> Answer:
    """Build the cited answer from retrieval results (the caller already checked scope).

    Sentences are split and scored with the retriever's lexicon, the one the query was tokenized with.
    """
    if not result.hits:
        return Answer(question, phrases.get("not_covered"), refused=True, route="refusal",
                      standalone_question=standalone)
    query = set(result.query_tokens)
    idf = retriever.keyword.idf
    lexicon = retriever.lexicon
    cites = Citations()
    wants_list = bool(ENUMERATION_CUES.search(normalize(standalone, lexicon)))
    # A list-style question is answered with the whole list when one of the best passages is an
    # item of it (the list's own intro, "Ini dia beberapa tipsnya:", often ranks first).
    anchor = next((h.chunk for h in result.hits[:3] if h.chunk.kind == "article" and h.chunk.metadata.get("list_item")), None)
    if wants_list and anchor is not None:
        items = [c for c in retriever.section_chunks(anchor.source_id, anchor.section) if c.metadata.get("list_item")]
        body = "\n".join(_list_lines(items, query, idf, cites, lexicon))
        intro = phrases.get("intro_list", seed=standalone)
    else:
        body = _prose(standalone, result, query, idf, cites, lexicon)
        intro = phrases.get("intro", seed=standalone)
    if not cites.items:
        return Answer(question, phrases.get("not_covered"), refused=True, route="refusal",
                      standalone_question=standalone)
    text = f"{intro}\n\n{body}\n\n{phrases.get('outro', seed=standalone)}"
    return Answer(question, text, refused=False, citations=cites.items, route="articles",
                  standalone_question=standalone)
