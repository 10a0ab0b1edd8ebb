"""Retrieved passages -> a short, cited answer in casual Indonesian, without an LLM.

The answer is extractive: it leads with the one sentence of the best passages that most
directly answers the question, then adds a few supporting sentences, each copied from its
passage and marked [n], so every factual sentence is backed by the passage it came from. Only
the framing comes from prompts/answer.yaml, and it states no facts.

Sentences are ranked by their own vector similarity to the question (found by the sentence
search), by the rare question words they contain, and by how well their passage ranked. A
question about one list item gets that item in detail; a question asking for the list gets
every item. A sentence that opens by pointing back ("Ini…", "Hal ini…") brings the sentence it
points to; a connective that loses its point out of context ("Jadi,", "Intinya,") is dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable

from .chunking import item_label, sentence_id
from .citations import Citations
from .prompts import Phrases
from .retrieval import HybridRetriever, RetrievalResult, quoted_phrases, zscores
from .schema import Answer, Chunk
from .text import Lexicon, content_words, is_chatter, split_sentences


@dataclass(frozen=True)
class SentenceWeights:
    """How a sentence's signals are mixed (tuned on the dev split; prompts/routing.yaml)."""

    similarity: float = 1.0  # z-score of the sentence vector's similarity among the candidates
    overlap: float = 1.0  # share of the question's rare words the sentence holds (0..1)
    passage: float = 0.5  # z-score of its passage in the fused ranking
    label: float = 0.3  # the label sentence of a list item ("Peningkatan Ekonomi: …")
    aspect: float = 0.5  # the sentence (or the one before it: "Solusinya?") names the question's aspect
    same_passage: float = 2.0  # how far below the lead a sentence of the lead's passage may score
    other_passage: float = 3.0  # how far below the lead a sentence of another passage may score
    support: int = 3  # supporting sentences at most, after the lead
    focus: float = 0.6  # the sentence holds a word of what the question is specifically about
    direct_over_list: float = 0.5  # how far above every list item a sentence outside the list leads it
    phrasing: float = 0.0  # z-score of the nearest question users ask about the sentence (corpus/phrasings)
    chatter: float = 2.0  # the blog talking to its reader ("Mari kita dukung …"): quoted only when asked
    focus_lead: float = 0.0  # how far below the best a sentence holding the question's focus word may lead


MAX_LIST_ITEMS = 6
PASSAGES_READ = 5
MAX_INTRO_SENTENCES = 3  # a longer passage before a list is content of its own, not an introduction


EXAMPLE_WITHIN_WORDS = 4  # "Program pertukaran pelajar, misalnya,": the marker comes early
_NEVER = re.compile(r"(?!)")  # matches nothing: no example markers listed


@dataclass(frozen=True)
class Openers:
    """Sentence openers that lose their point out of context (lists in prompts/routing.yaml)."""

    loose: re.Pattern[str]  # "Jadi,", "Intinya,": dropped when the sentence leads
    pointing: re.Pattern[str]  # "Ini…", "Hal ini…": the sentence before comes along
    # "Program pertukaran pelajar, misalnya, …": an example of the sentence before, in its first words
    example: re.Pattern[str] = _NEVER

    @classmethod
    def from_lists(cls, loose: list[str], pointing: list[str], example: list[str] = ()) -> "Openers":
        def alternatives(words: list[str]) -> str:
            return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

        return cls(re.compile(rf"^(?:{alternatives(loose)})\s*,?\s+", re.I),
                   re.compile(rf"^(?:{alternatives(pointing)})\b", re.I),
                   re.compile(rf"^(?:\S+\s+){{0,{EXAMPLE_WITHIN_WORDS}}}(?:{alternatives(example)})\b", re.I)
                   if example else _NEVER)


@dataclass
class _Scored:
    score: float
    chunk: Chunk
    position: int
    sentence: str
    passage_rank: int
    answers_aspect: bool = False  # it (or the "Solusinya?" before it) names what was asked about
    holds_focus: bool = False  # it holds a word of what the question is specifically about


def _quotable(sentence: str) -> bool:
    """Rhetorical questions ("Hasilnya?"), list intros ("…, seperti:") and scraps answer nothing."""
    stripped = sentence.strip()
    return not stripped.endswith(("?", ":")) and len(stripped.split()) >= 4


def _usable(sentence: str, lexicon: Lexicon | None) -> bool:
    """Quotable and not chatter ("Keren, kan?", "Yuk, kita bedah…")."""
    return _quotable(sentence) and not is_chatter(sentence.strip(), lexicon)


def _words(text: str) -> str:
    """The text's words, casefolded, one space apart (as quoted_phrases gives them)."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def _letters(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _same_text(sentence: str, line: str) -> bool:
    """Is the sentence the line (or its start), whatever the punctuation and case?"""
    said = _letters(sentence)
    return bool(said) and _letters(line).startswith(said)


def _lead_form(sentence: str, openers: Openers) -> str:
    """The sentence as it can open an answer: a loose connective dropped, first letter capital."""
    trimmed = openers.loose.sub("", sentence.strip(), count=1)
    return trimmed[:1].upper() + trimmed[1:] if trimmed else sentence


class Composer:
    """Chooses and lays out the sentences of one article answer."""

    def __init__(self, retriever: HybridRetriever, phrases: Phrases, openers: Openers,
                 weights: SentenceWeights | None = None) -> None:
        self.retriever = retriever
        self.phrases = phrases
        self.openers = openers
        self.weights = weights or SentenceWeights()
        self.lexicon = retriever.lexicon

    def _sentences(self, chunk: Chunk) -> list[tuple[int, str, str]]:
        """(position, text, sentence entry id) of a passage's sentences, as chunking.sentence_chunks
        splits and numbers them (so the ids match the sentence vectors)."""
        return [(i, s, sentence_id(chunk.chunk_id, i)) for i, s in enumerate(split_sentences(chunk.text, self.lexicon))]

    def rank_sentences(self, result: RetrievalResult, ignore_terms: frozenset[str],
                       aspect_of: Callable[[str], bool] | None = None,
                       focus_words: frozenset[str] = frozenset(),
                       left_out: frozenset[str] = frozenset()) -> list[_Scored]:
        """Every usable sentence of the best passages, best first.

        aspect_of(text) says whether a text names what the question asks about ("misalnya" for an
        example, "solusinya" for a solution); the sentence before counts too ("Solusinya? Perlu…").
        """
        idf = self.retriever.keyword.idf
        query = {t for t in result.query_tokens if t not in ignore_terms} or set(result.query_tokens)
        query_mass = sum(idf.get(t, 0.0) for t in query) or 1.0
        hits = result.hits[:PASSAGES_READ]
        passage_z = zscores({h.chunk.chunk_id: h.score for h in hits}, {h.chunk.chunk_id for h in hits})
        rows: list[tuple[Chunk, int, str, str, int]] = []
        names_aspect: set[str] = set()
        asked_before: dict[str, str] = {}  # "Hasilnya? Pendapatan daerah…": the question it answers
        for hit in hits:
            previous = ""
            for position, sentence, sid in self._sentences(hit.chunk):
                # Chatter is ranked too, far down: "artikelnya ngajak ngapain?" is answered by
                # "Mari kita dukung dan dorong …", and nothing else is.
                if _quotable(sentence):
                    rows.append((hit.chunk, position, sentence, sid, hit.rank))
                    if aspect_of is not None and (aspect_of(sentence) or (previous.endswith("?") and aspect_of(previous))):
                        names_aspect.add(sid)
                    if previous.endswith("?") and len(previous.split()) <= 3:
                        asked_before[sid] = previous
                previous = sentence.strip()
        # Standardised among the sentences that are not chatter, so ranking chatter too changes
        # nothing for the others.
        chatter = {sid for _, _, sentence, sid, _ in rows if is_chatter(sentence, self.lexicon)}
        sims = {sid: result.sentence_similarity[sid] for _, _, _, sid, _ in rows if sid in result.sentence_similarity}
        sim_z = zscores(sims, {sid for _, _, _, sid, _ in rows}, left_aside=chatter) if sims else {}
        asked = {sid: result.phrasing_similarity[sid] for _, _, _, sid, _ in rows if sid in result.phrasing_similarity}
        # Standardised among the sentences that have phrasings: one without (an added document's)
        # stays neutral rather than counting as the worst match.
        asked_z = zscores(asked, set(asked), left_aside=chatter) if asked else {}
        w = self.weights
        scored = []
        labels: dict[str, set[str]] = {}
        for chunk, position, sentence, sid, rank in rows:
            words = content_words(sentence, self.lexicon)
            is_label = bool(chunk.metadata.get("list_item")) and position == 0
            if chunk.metadata.get("list_item") and position > 0:
                # A list item's later sentences are about its label ("Misalnya, informasi yang nggak
                # sampai…" is about "Kurangnya Koordinasi"): the label's words count for them too.
                if chunk.chunk_id not in labels:
                    labels[chunk.chunk_id] = content_words(item_label(chunk.text) or "", self.lexicon)
                words = words | labels[chunk.chunk_id]
            if sid in asked_before:
                words = words | content_words(asked_before[sid], self.lexicon)
            overlap = sum(idf.get(t, 0.0) for t in words & query) / query_mass
            score = (w.similarity * sim_z.get(sid, 0.0) + w.phrasing * asked_z.get(sid, 0.0) + w.overlap * overlap
                     + w.passage * passage_z.get(chunk.chunk_id, 0.0) + w.label * is_label
                     + w.aspect * (sid in names_aspect) + w.focus * bool(focus_words & words)
                     - w.focus * bool(left_out & words) - w.chatter * (sid in chatter))
            scored.append(_Scored(score, chunk, position, sentence.strip(), rank, sid in names_aspect,
                                  bool(focus_words & words)))
        return sorted(scored, key=lambda s: s.score, reverse=True)

    def compose(self, question: str, standalone: str, result: RetrievalResult, *, wants_list: bool,
                ignore_terms: frozenset[str] = frozenset(), with_outro: bool = True,
                aspect_of: Callable[[str], bool] | None = None, focus_words: frozenset[str] = frozenset(),
                asks_list_of: Callable[[str], bool] | None = None, aspect_leads: bool = False,
                said_before: str = "", left_out: frozenset[str] = frozenset(), goes_on: bool = False,
                result_of_said: bool = False) -> Answer:
        """The cited answer (the caller already judged the question answerable).

        focus_words: stems of what the question is specifically about; a list item whose label
        holds one of them is answered in detail rather than the whole list.
        asks_list_of: set when the question asks for a list ("apa saja…"): does a list's heading
        name the aspect asked about?
        aspect_leads: the best sentence that answers the aspect leads when it is close to the best
        of all ("cara mengatasi hambatan bahasa?": the remedy, not the hambatan, comes first).
        said_before: a follow-up's previous answer (its first line). "kenapa?", "selain itu?" ask
        for what comes next, so that lead is not said again.
        left_out: stems of topics "selain …" excludes; a sentence about them doesn't lead.
        goes_on: "maksudnya gimana?": the sentence after what said_before said, in its passage, leads.
        result_of_said: "efeknya apa?": that sentence leads too, when it points back ("Hal ini…").
        """
        ranked = self.rank_sentences(result, ignore_terms, aspect_of, focus_words, left_out)
        quoted = quoted_phrases(standalone)
        saying = next((r for r in ranked if any(f" {q} " in f" {_words(r.sentence)} " for q in quoted)), None)
        if saying is not None:
            # "td aku baca soal 'pertukaran ekonomi', maksudnya?": the sentence that says it leads.
            ranked = [saying] + [r for r in ranked if r is not saying]
        if aspect_leads and ranked and not ranked[0].answers_aspect:
            best = next((r for r in ranked if r.answers_aspect), None)
            if best is not None and best.score >= ranked[0].score - self.weights.same_passage:
                ranked = [best] + [r for r in ranked if r is not best]
        if focus_words and ranked and not ranked[0].holds_focus and not goes_on:
            # "manfaat sister city buat pendidikan?": a sentence about education, when one is close to
            # the best, leads rather than a general one ("… adalah peluang emas …").
            best = next((r for r in ranked if r.holds_focus), None)
            if best is not None and best.score >= ranked[0].score - self.weights.focus_lead:
                ranked = [best] + [r for r in ranked if r is not best]
        if goes_on and said_before:
            ranked = self._going_on(ranked, said_before)
        elif result_of_said and said_before:
            # "efeknya buat kotanya apa?": the next sentence, when it points back ("Hal ini
            # memungkinkan…"), is what came of what was just said.
            following = self._going_on(ranked, said_before)
            if following is not ranked and self.openers.pointing.match(following[0].sentence.strip()):
                ranked = following
        elif said_before and len(ranked) > 1 and _same_text(_lead_form(ranked[0].sentence, self.openers), said_before):
            lead = ranked[0]
            # The sentence after it in its passage goes on from it (the reason, the next point).
            after = next((r for r in ranked[1:] if r.chunk.chunk_id == lead.chunk.chunk_id
                          and r.position == lead.position + 1), ranked[1])
            ranked = [after] + [r for r in ranked if r is not after]
        if not ranked:
            return Answer(question, self.phrases.get("not_covered"), refused=True, route="refusal",
                          standalone_question=standalone)
        cites = Citations()
        # The best passage introduces a list ("Ini dia beberapa tipsnya:"): the list is the answer,
        # however the question was worded ("ada kiat-kiat kagak…?").
        wants_list = wants_list or bool(result.hits and self._is_list_intro(result.hits[0].chunk))
        items = self._list_to_show(ranked, result, focus_words, asks_list_of) if wants_list else None
        if items:
            own_intro = self._article_intro(items[0], result)
            direct = self._direct_answer_beside_list(ranked, items + ([own_intro] if own_intro else []))
            lead = f"{_lead_form(direct.sentence, self.openers)} [{cites.passage(direct.chunk)}]\n\n" if direct else ""
            if own_intro is not None:
                intro = f"{lead}{own_intro.text.strip()} [{cites.passage(own_intro)}]"
            else:
                intro = lead + self.phrases.get("intro_list", seed=standalone)
            body = self._list_body(items, ranked, cites, aspect_of)
            text = f"{intro}\n{body}"
        else:
            whole = self._short_framing_passage(result, ranked)
            text = self._prose(ranked, cites, whole)
        if with_outro:
            text = f"{text}\n\n{self.phrases.get('outro', seed=standalone)}"
        return Answer(question, text, refused=False, citations=cites.items, route="articles",
                      standalone_question=standalone)

    # -- prose: one direct sentence, then support --------------------------------------------

    def _short_framing_passage(self, result: RetrievalResult, ranked: list[_Scored]) -> Chunk | None:
        """The best passage, when it is a short one the sentence filter would gut: an introduction or
        a transition ("Wah, banyak banget ya peluangnya! Tapi, ingat, semua ini nggak akan terjadi
        begitu aja. …") whose chatty sentences carry the answer to "datang sendiri gak?". Only when
        its own sentences also rank first, or it has no other: the passage ranking alone is not enough."""
        if not result.hits:
            return None
        chunk = result.hits[0].chunk
        sentences = split_sentences(chunk.text, self.lexicon)
        if chunk.metadata.get("list_item") or not 1 < len(sentences) <= MAX_INTRO_SENTENCES:
            return None
        usable = [s for s in sentences if _usable(s, self.lexicon)]
        if len(usable) == len(sentences):
            return None
        return chunk if not usable or (ranked and ranked[0].chunk.chunk_id == chunk.chunk_id) else None

    def _prose(self, ranked: list[_Scored], cites: Citations, whole: Chunk | None = None) -> str:
        if whole is not None:
            # The whole short passage leads, in its own words; support comes from the others.
            lines = [f"{whole.text.strip()} [{cites.passage(whole)}]"]
            others = [r for r in ranked if r.chunk.chunk_id != whole.chunk_id]
            best = others[0].score if others else 0.0
            support = [r for r in others if r.score >= best - self.weights.other_passage][: self.weights.support]
            if support:
                lines.append("")
                lines += [f"- {_lead_form(r.sentence, self.openers)} [{cites.passage(r.chunk)}]" for r in support]
            return "\n".join(lines)
        lead = ranked[0]
        n = cites.passage(lead.chunk)
        sentences = self._sentences(lead.chunk)
        lines = []
        used = {(lead.chunk.chunk_id, lead.position)}
        if self.openers.pointing.match(lead.sentence) and lead.position > 0:
            before = next((s for p, s, _ in sentences if p == lead.position - 1), "")
            if before and not before.rstrip().endswith(":"):
                lines.append(f"{_lead_form(before, self.openers)} {lead.sentence} [{n}]")
                used.add((lead.chunk.chunk_id, lead.position - 1))
        if not lines:
            lines.append(f"{_lead_form(lead.sentence, self.openers)} [{n}]")
        answered = self._answered_next(sentences, lead.position)
        if answered is not None:
            # "…pasar besar buat produk semacam itu. Hasilnya? Pendapatan daerah bisa meningkat…":
            # the lead sets up what its passage answers next; the answer comes along with it.
            asked, reply = answered
            lines[-1] = f"{lines[-1][: lines[-1].rfind(' [')]} {asked} {reply.strip()} [{n}]"
            used |= {(lead.chunk.chunk_id, lead.position + 1), (lead.chunk.chunk_id, lead.position + 2)}
        elif lead.chunk.metadata.get("list_item") and lead.position == 0 and len(lead.sentence.split()) < 12:
            # A list item's short label sentence ("Kesenjangan Kapasitas: … bisa jadi tantangan.") names
            # the point; the item's next sentence says what it is, as the list layout shows it too.
            following = next((s for p, s, _ in sentences if p == 1 and _usable(s, self.lexicon)), "")
            if following:
                lines[-1] = f"{lines[-1][: lines[-1].rfind(' [')]} {following.strip()} [{n}]"
                used.add((lead.chunk.chunk_id, 1))
        else:
            # "…mendorong kolaborasi dalam bidang pendidikan serta kebudayaan." names a field; the next
            # sentence ("Program pertukaran pelajar, misalnya, …") says what it looks like: it comes along.
            following = next((s for p, s, _ in sentences if p == lead.position + 1), "")
            # "Ini bisa jadi inspirasi buat kita semua, nih." after "…yuk kita intip beberapa contoh
            # sukses": chatter pointing back at the lead says what it is for, and would never be
            # picked on its own; it comes along.
            points_back = bool(following) and self.openers.pointing.match(following.strip()) is not None \
                and _quotable(following) and not _usable(following, self.lexicon)
            if following and (points_back or (self.openers.example.match(following.strip())
                                              and _usable(following, self.lexicon))):
                lines[-1] = f"{lines[-1][: lines[-1].rfind(' [')]} {following.strip()} [{n}]"
                used.add((lead.chunk.chunk_id, lead.position + 1))
        w = self.weights
        same = [r for r in ranked[1:] if r.chunk.chunk_id == lead.chunk.chunk_id
                and (r.chunk.chunk_id, r.position) not in used and r.score >= lead.score - w.same_passage]
        other = [r for r in ranked[1:] if r.chunk.chunk_id != lead.chunk.chunk_id
                 and r.score >= lead.score - w.other_passage]
        chosen = (same[: w.support] + other)[: w.support]
        # Sentences of the lead's passage keep their reading order.
        chosen.sort(key=lambda r: (r.chunk.chunk_id != lead.chunk.chunk_id, r.passage_rank, r.position))
        support = [(r.chunk, r.position, r.sentence) for r in chosen]
        if support:
            lines.append("")
            lines += [f"- {_lead_form(s, self.openers)} [{cites.passage(c)}]" for c, _, s in support]
        return "\n".join(lines)

    def _going_on(self, ranked: list[_Scored], said: str) -> list[_Scored]:
        """The ranking with the first sentence after the said line (in its passage) first, and what
        was said left out; unchanged when the said lead is not among the sentences read."""
        start = next((r for r in ranked if _same_text(_lead_form(r.sentence, self.openers), said)), None)
        if start is None:
            return ranked
        already = _letters(said)
        after = sorted((r for r in ranked if r.chunk.chunk_id == start.chunk.chunk_id and r.position > start.position
                        and _letters(r.sentence) not in already), key=lambda r: r.position)
        if not after:
            return ranked
        return [after[0]] + [r for r in ranked if r is not after[0] and r is not start]

    @staticmethod
    def _answered_next(sentences: list[tuple[int, str, str]], position: int) -> tuple[str, str] | None:
        """The short question the passage asks right after this sentence ("Hasilnya?") and the
        sentence that answers it, if it does."""
        following = {p: s.strip() for p, s, _ in sentences if position < p <= position + 2}
        asked, reply = following.get(position + 1, ""), following.get(position + 2, "")
        if asked.endswith("?") and len(asked.split()) <= 3 and _quotable(reply):
            return asked, reply
        return None

    # -- lists ----------------------------------------------------------------------------------

    def _list_to_show(self, ranked: list[_Scored], result: RetrievalResult,
                      focus_words: frozenset[str] = frozenset(),
                      asks_list_of: Callable[[str], bool] | None = None) -> list[Chunk] | None:
        """The items of the list the best passages belong to, unless one item clearly wins."""
        if result.hits and self._is_list_intro(result.hits[0].chunk):
            # The best passage only introduces a list: that list is the answer, whatever else was asked.
            top = result.hits[0].chunk
            items = [c for c in self.retriever.section_chunks(top.source_id, top.section)
                     if c.metadata.get("list_item")]
            if len(items) >= 2:
                return items[:MAX_LIST_ITEMS]
        lead = ranked[0]
        if lead.chunk.metadata.get("list_item") and focus_words:
            label = item_label(lead.chunk.text)
            if label and focus_words & content_words(label, self.lexicon):
                return None  # "pertukaran pelajar … manfaatnya?": that item, in detail
        # "Peluang apa saja…?": the list whose heading names the asked aspect, wherever its items
        # rank (an intro or a conclusion that mentions benefits often ranks above them).
        anchor = next((h.chunk for h in result.hits if h.chunk.metadata.get("list_item") and asks_list_of
                       and asks_list_of(f"{h.chunk.section} {h.chunk.metadata.get('context') or ''}")), None)
        anchor = anchor or next((h.chunk for h in result.hits[:3] if h.chunk.metadata.get("list_item")), None)
        if anchor is None:
            intro = next((h.chunk for h in result.hits[:2] if h.chunk.text.rstrip().endswith(":")), None)
            if intro is None:
                return None
            anchor = intro
        items = [c for c in self.retriever.section_chunks(anchor.source_id, anchor.section)
                 if c.metadata.get("list_item")]
        if len(items) < 2:
            return None
        heading = content_words(f"{anchor.section} {items[0].metadata.get('context') or ''}", self.lexicon)
        if focus_words - heading:
            return None  # "solusi perbedaan bahasa?" names more than "Tantangan…": the detail, not the list
        best_by_item: dict[str, float] = {}
        for row in ranked:
            if row.chunk.metadata.get("list_item"):
                best_by_item.setdefault(row.chunk.chunk_id, row.score)
        scores = sorted(best_by_item.values(), reverse=True)
        if len(scores) >= 2 and scores[0] - scores[1] > 1.5:
            return None  # the question is about one item: answer it in detail instead
        return items[:MAX_LIST_ITEMS]

    def _direct_answer_beside_list(self, ranked: list[_Scored], items: list[Chunk]) -> _Scored | None:
        """The best sentence, when it is outside the list and beats every item by a margin: it answers
        the question itself ("Kuncinya adalah komitmen, …" for "kunci suksesnya apa?"), the list follows."""
        in_list = {c.chunk_id for c in items}
        if not ranked or ranked[0].chunk.chunk_id in in_list or ranked[0].chunk.metadata.get("list_item"):
            return None
        best_item = max((r.score for r in ranked if r.chunk.chunk_id in in_list), default=None)
        if best_item is None or ranked[0].score - best_item >= self.weights.direct_over_list:
            return ranked[0]
        return None

    def _is_list_intro(self, chunk: Chunk) -> bool:
        """A short passage that only leads into a list ("Mau … sukses? Ini dia beberapa tipsnya:")."""
        return (not chunk.metadata.get("list_item") and chunk.text.rstrip().endswith(":")
                and len(split_sentences(chunk.text, self.lexicon)) <= MAX_INTRO_SENTENCES)

    def _article_intro(self, first_item: Chunk, result: RetrievalResult) -> Chunk | None:
        """The article's own short introduction of a list ("Mau kerjasama … sukses? Ini dia beberapa
        tipsnya:"), when the search found it among the best passages: the question is then about
        what that introduction says ("ada tips gak?", "peluangnya banyak gak?"), so it leads."""
        section = self.retriever.section_chunks(first_item.source_id, first_item.section)
        before = [c for c in section if c.metadata.get("position", 0) < first_item.metadata.get("position", 0)]
        if not before or before[-1].metadata.get("list_item"):
            return None
        intro = before[-1]
        if len(split_sentences(intro.text, self.lexicon)) > MAX_INTRO_SENTENCES:
            return None
        read = {h.chunk.chunk_id for h in result.hits[:PASSAGES_READ]}
        return intro if intro.chunk_id in read else None

    @staticmethod
    def _answering_sentence(sentences: list[tuple[int, str, str]],
                            aspect_of: Callable[[str], bool] | None) -> str:
        """A later sentence of a list item that answers the aspect asked (or follows its question,
        "Solusinya?"), for an item whose sentences the ranking did not read."""
        if aspect_of is None:
            return ""
        previous = ""
        for position, sentence, _ in sentences:
            if position > 0 and _quotable(sentence) and not sentence.strip().endswith("?") and (
                    aspect_of(sentence) or (previous.endswith("?") and aspect_of(previous))):
                return sentence.strip()
            previous = sentence.strip()
        return ""

    def _list_body(self, items: list[Chunk], ranked: list[_Scored], cites: Citations,
                   aspect_of: Callable[[str], bool] | None = None) -> str:
        best: dict[str, _Scored] = {}
        answering: dict[str, _Scored] = {}  # an item's best later sentence that answers the aspect asked
        for row in ranked:
            if row.position > 0:
                best.setdefault(row.chunk.chunk_id, row)
                if row.answers_aspect:
                    answering.setdefault(row.chunk.chunk_id, row)
        lines = []
        for chunk in items:
            sentences = self._sentences(chunk)
            if not sentences:
                continue
            n = cites.passage(chunk)
            first = sentences[0][1]
            picked = [first]
            extra = best.get(chunk.chunk_id)
            if extra is None and len(sentences) > 1:
                extra_text = next((s for p, s, _ in sentences[1:] if _usable(s, self.lexicon)), "")
            else:
                extra_text = extra.sentence if extra else ""
            remedy = answering[chunk.chunk_id].sentence if chunk.chunk_id in answering else \
                self._answering_sentence(sentences, aspect_of)
            if remedy:
                # "terus solusinya gimana?" after the list of challenges: each item's remedy
                # ("Solusinya? Perlu ada …"), however long its label sentence.
                picked.append(remedy)
            elif extra_text and len(first.split()) < 12:
                picked.append(extra_text)
            lines.append("- " + " ".join(f"{s.strip()} [{n}]" for s in picked))
        return "\n".join(lines)


_MARKER = re.compile(r"\[(\d+)\]")


def merge_answers(first: Answer, second: Answer, bridge: str) -> Answer:
    """One answer from two: the second's citations renumbered after the first's."""
    offset = len(first.citations)
    text = _MARKER.sub(lambda m: f"[{int(m.group(1)) + offset}]", second.answer)
    citations = list(first.citations) + [replace(c, n=c.n + offset) for c in second.citations]
    return Answer(first.question, f"{first.answer}\n\n{bridge}\n{text}", refused=False, citations=citations,
                  route=first.route, standalone_question=first.standalone_question)
