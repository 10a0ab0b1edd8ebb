"""One router: which path answers a question, decided from the current turn.

    records       who is twinned with whom, since when, in what field (the record tables)
    articles      concept, history, benefits, challenges, tips, examples, activities
    smalltalk     greetings, thanks, "kamu siapa?": a short friendly reply
    out_of_scope  nothing in the sources covers what is asked, even if it names a place
    injection     a request to drop the rules or do something other than answer from sources

History is used only to resolve references: a turn that cannot stand alone ("kalau Bandung?",
"terus tantangannya?", "sejak kapan?") borrows what it lacks from the last turn that had a
topic. A turn that names its own topic ("sejarah kota kembar?") is never dragged back to the
previous one. Every cue list and threshold comes from prompts/routing.yaml.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Sequence

from .citations import MARKER_RUN
from .followup import drop_cue, swap_aspect, swap_in_name, swap_places, without_places
from .records import PlaceMatch, RecordStore
from .records.model import fold
from .routing_data import RoutingData
from .spelling import SpellingCorrector, edit_distance
from .text import Lexicon, is_emoji, normalize, split_sentences, stem
from .turns import STORY_NEED_WORDS, Decision, Path_, Turn
from .unknown_places import NameSpotter

__all__ = ["Decision", "Path_", "Router", "Turn"]

MAX_ORDINAL_TURN_WORDS = 7  # "yang kedua maksudnya gimana?" is short; a new question is longer
MAX_ORIGIN_WORDS = 4  # "aku arek (Kota Pahlawan)": the user's home is named right after who they are
MAX_REMARK_WORDS = 8  # "wih sama2 taun segitu ya" before a thanks comments on the answer; a longer text says more
_BESIDES_THAT = re.compile(r"\b(?:selain itu|besides that|apart from that)\b", re.I)
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)
_SEGMENT = re.compile(r"[^.!?,;:\n]+[.!?,;:\n]*")


MAX_BARE_PAIR_WORDS = 6  # "kalo cirebon sama osaka?": a pair asked with nothing else
# Small talk whose cues ask something themselves ("apa kabar?", "kamu siapa?", "bisa bantu apa?").
ASKING_KINDS = frozenset({"how_are_you", "identity", "capability"})
MAX_EMOJI_WORDS = 8  # "🙂" × 2000 says no more than a few of them


class Router:
    """Decides the path of each turn (retrieval-based answerability is judged by the caller)."""

    def __init__(self, data: RoutingData, records: RecordStore, speller: SpellingCorrector | None,
                 lexicon: Lexicon | None = None, known_words: frozenset[str] = frozenset(),
                 ordinary_words: frozenset[str] = frozenset(), english_words: frozenset[str] = frozenset(),
                 discussed_places: frozenset[str] = frozenset(), corpus_words: frozenset[str] = frozenset(),
                 corpus_text: str = "", corpus_names: frozenset[str] = frozenset()) -> None:
        self.data = data
        self.records = records
        self.speller = speller
        self.lexicon = lexicon
        # Spelt-right words, never taken for an unknown place name: any known word when written in
        # lowercase; when capitalised only ordinary words (frequency lists hold "Osaka" too).
        self.known_words = known_words
        self.ordinary_words = ordinary_words
        self.english_words = english_words
        self.discussed_places = discussed_places  # keys of cities/partners the articles talk about
        self.corpus_words = corpus_words  # every word of the indexed documents
        self.corpus_text = corpus_text  # the indexed documents, normalized, one space between words
        self.corpus_names = corpus_names  # words the documents only write capitalised (Roma, Coventry)
        self._corpus_roots: frozenset[str] | None = None
        self._stopwords = (lexicon.stopwords if lexicon else frozenset())
        self.unknown_places = NameSpotter(records, lexicon, data.pair_joiners, ordinary_words, english_words,
                                          corpus_words, corpus_names)

    @property
    def corpus_roots(self) -> frozenset[str]:
        """Sastrawi roots of every word of the indexed documents (computed on first use)."""
        if self._corpus_roots is None:
            self._corpus_roots = frozenset(stem(w) for w in self.corpus_words)
        return self._corpus_roots

    def corpus_mentions(self, phrase: str) -> bool:
        """Do the indexed documents hold this (normalized) phrase, word for word?"""
        return f" {phrase} " in self.corpus_text

    # -- one message --------------------------------------------------------------------------

    def is_injection(self, text: str) -> bool:
        norm = normalize(text, self.lexicon)
        return any(p.search(norm) or p.search(text) for p in self.data.injection)

    def smalltalk_kind(self, text: str) -> str | None:
        """The kind of small talk if the message is nothing but small talk (and filler)."""
        norm = normalize(text, self.lexicon)
        words = _WORD.findall(norm)
        if not words:
            return None
        kind_found, covered = self._smalltalk_cues(norm)
        rest = [w for w, c in zip(words, covered) if not c and w not in self.data.filler and not w.isdigit()]
        if not kind_found or not rest:
            return kind_found
        analysed: list[Turn] = []  # the message analysed at most once, and only when a rule needs it

        def turn() -> Turn:
            if not analysed:
                analysed.append(self.analyse(text))
            return analysed[0]

        if kind_found not in ASKING_KINDS and any(w in self.data.asking_words for w in rest):
            return None  # "yang mulai duluan siapa?": a goodbye word in a question
        if kind_found == "capability":
            said = {m.group() for m in self.data.smalltalk["capability"].find(norm)}
            if said <= self.data.bare_commands:
                return None  # "how did twin cities start?": a question that happens to hold "start"
            # "Layanan apa saja yang dapat Anda berikan?": function and generic words say nothing more.
            stopwords = self.lexicon.stopwords if self.lexicon is not None else frozenset()
            if all(w in stopwords or w in self.data.generic_words for w in rest):
                return kind_found
            # "bisa bantu2 soal kota kembar gak?": what it can do about its own domain
            t = turn()
            if not (t.places or t.aspects or t.need or t.intents - {"twinning", "list"}):
                return kind_found
        # "jawabanmu kok lama bgt", "wkwk relate banget sama kantor gw": a small-talk cue, no question,
        # and nothing about the domain, a place or an aspect.
        if turn().follow_up_cue and turn().need:
            return None  # "kalo koordinasinya jelek?": a follow-up question, though "jelek" is a complaint
        remark = "?" not in text and not any(w in self.data.question_words for w in words)
        if len(rest) <= 2 or (remark and len(rest) <= 5):
            t = turn()
            if not (t.strong_domain or t.weak_domain or t.places or t.aspects or t.intents):
                if kind_found == "ack" and any(w in self.corpus_words for w in t.need):
                    return None  # "evaluasi perlu ga sih": the "ga" asks about a word of the sources
                return kind_found
        return None

    def smalltalk_cue_kind(self, text: str) -> str | None:
        """The kind of small talk whose cues the message uses most, whatever else it says."""
        return self._smalltalk_cues(normalize(text, self.lexicon))[0]

    def _smalltalk_cues(self, norm: str) -> tuple[str | None, list[bool]]:
        """The kind whose cues cover the most words ("tarimo kasih banyak yo" thanks, though "yo"
        greets), and which words any cue covers. Acknowledgements count last: in "makasih ya udah
        sabar jawab" only "makasih" says something, and it thanks; "oke sip" is still "ack"."""
        spans = _word_spans(norm)
        by_kind: dict[str, set[int]] = {}
        for kind, cues in self.data.smalltalk.items():
            for match in cues.find(norm):
                by_kind.setdefault(kind, set()).update(
                    i for i, (start, end) in enumerate(spans) if start >= match.start() and end <= match.end())
        covered = [any(i in words for words in by_kind.values()) for i in range(len(spans))]
        acknowledged = by_kind.get("ack", set())
        weight = {kind: len(words - acknowledged) for kind, words in by_kind.items() if kind != "ack"}
        if weight and max(weight.values()) > 0:
            return max(weight, key=weight.get), covered
        return ("ack" if acknowledged else None), covered

    def _emoji_as_words(self, text: str) -> str:
        """"👍👍😊" -> "oke oke hehe": what a message of emoji only says (an unlisted emoji: "oke")."""
        words, rest = [], text
        for emoji in sorted(self.data.emoji_words, key=len, reverse=True):  # "❤️" before "❤"
            words += [self.data.emoji_words[emoji]] * rest.count(emoji)
            rest = rest.replace(emoji, " ")
        if any(is_emoji(ch) for ch in rest):
            words.append("oke")
        return " ".join(words[:MAX_EMOJI_WORDS]) if words else text

    def strip_smalltalk(self, text: str) -> tuple[str, str | None]:
        """Drop small-talk segments ("makasih!", "halo kak,") around a real question."""
        segments = [s for s in _SEGMENT.findall(text) if s.strip()] or [text]
        kept, kinds = [], []
        for segment in segments:
            kind = self.smalltalk_kind(segment)
            if kind:
                kinds.append(kind)
            elif all(w in self.data.filler for w in _WORD.findall(normalize(segment, self.lexicon))):
                continue  # "piye kabare, bot?": the "bot?" after the comma says nothing
            elif not self._sets_aside_nothing(segment):
                kept.append(segment)
        if not kept:
            return "", kinds[0] if kinds else None
        if "thanks" in kinds and all(self._is_remark(s) for s in kept):
            return "", "thanks"  # "wih sama2 taun segitu ya. makasih infonya": a remark on the answer, then thanks
        core = "".join(kept).strip()
        # "halo apa itu sister city" has no comma: drop a leading greeting/thanks phrase too.
        norm = normalize(core, self.lexicon)
        for kind in ("greeting", "thanks", "ack"):  # "yaudah kalo ambon?", "oke, terus tantangannya?"
            match = self.data.smalltalk[kind].search(norm)
            if match and match.start() == 0 and len(norm.split()) > len(match.group().split()) + 1:
                words = core.split()
                core = " ".join(words[len(match.group().split()):])
                kinds.append(kind)
                break
        return core, (kinds[0] if kinds else None)

    def _is_remark(self, segment: str) -> bool:
        """A short comment that asks nothing: no "?", no question or request word, no topic of the
        articles, no "kalau…"/"terus…" opening."""
        norm = normalize(segment, self.lexicon)
        words = _WORD.findall(norm)
        follow = self.data.follow_up.search(norm)
        return ("?" not in segment and len(words) <= MAX_REMARK_WORDS and not (follow and follow.start() == 0)
                and not any(w in self.data.question_words for w in words)
                and not self.data.request_words.search(norm)
                # "thanks, now the challenges": naming a topic asks about it
                and not any(cues.search(norm) for cues in self.data.aspects.values()))

    def _sets_aside_nothing(self, segment: str) -> bool:
        """"abaikan typo saya ya,", "Jangan hiraukan pertanyaan tadi.": a request about the chat
        itself, with no place or topic in it. Its words would only blur the question after it."""
        norm = normalize(segment, self.lexicon)
        cue = self.data.ignore_requests.search(norm)
        if cue is None or norm[: cue.start()].split() not in ([], ["tolong"]):
            return False
        if self.records.find_places(segment):
            return False  # "lupakan Surabaya,": it sets a place aside, which the follow-up rules need
        turn = self.analyse(segment)
        return not (turn.strong_domain or turn.weak_domain or turn.aspects or turn.unknown_names)

    def analyse(self, text: str) -> Turn:
        """Places, cues and information need of one message."""
        places, dismissed, mentions, homes = self._kept_places(text)
        # Place words as typed and as normalized ("south africa" reads "selatan afrika" below), from
        # every mention: "Tangsel (South Tangerang)" names one place twice.
        place_words = {fold(w) for p in mentions for w in
                       _WORD.findall(p.typed) + _WORD.findall(normalize(p.typed, self.lexicon))}
        norm = normalize(text, self.lexicon)
        spans = _word_spans(norm)
        words = [norm[s:e] for s, e in spans]
        # "jakarta-rotterdam" is two place names, not a need word.
        covered = [fold(w) in place_words or ("-" in w and all(fold(part) in place_words for part in w.split("-")))
                   for w in words]

        def mark(cues) -> bool:
            found = False
            for match in cues.find(norm):
                found = True
                for i, (start, end) in enumerate(spans):
                    if start >= match.start() and end <= match.end():
                        covered[i] = True
            return found

        strong = mark(self.data.strong_domain)
        weak = mark(self.data.weak_domain)
        mark(self.data.dismiss)  # "lupakan", "ignore the typo": they set something aside, they ask for nothing
        before_aspects = list(covered)
        aspects = frozenset(name for name, cues in self.data.aspects.items() if mark(cues))
        aspect_words = tuple(w for w, was, now in zip(words, before_aspects, covered) if now and not was)
        intents = frozenset(name for name, cues in self.data.records.items() if name != "learned" and mark(cues))
        if any(p.kind in ("city", "province", "partner") for p in places) and mark(self.data.records["learned"]):
            intents |= {"focus"}  # "Jakarta dapat ilmu apa dari Tokyo?": what the relationship is about
        order_words = {w for cues in self.data.record_order.values()
                       for m in cues.find(norm) for w in m.group().split()}
        if "twinning" in intents or strong or (
                order_words and any(p.kind in ("city", "province") for p in places)
                and all(c or w in order_words or w in self._stopwords for w, c in zip(words, covered))):
            # "kota kembarnya yang paling baru?", "which one is the newest?" after a city's partners:
            # the order asks for nothing else ("berita terbaru Surabaya" does).
            found = [name for name, cues in self.data.record_order.items() if mark(cues)]  # marks each group
            order = found[0] if found else None
        else:
            order = None
        follow = self.data.follow_up.search(norm)
        if follow and follow.start() == 0:
            mark(self.data.follow_up)  # "terus", "kalau" open a follow-up; they ask for nothing
        more = self.data.more.search(norm)
        for cues in self.data.smalltalk.values():
            mark(cues)
        ignorable = self._stopwords | self.data.generic_words | self.data.filler
        if homes:
            ignorable = ignorable | self.data.self_words | self.data.origin_words  # "aku arek …" asks nothing
        if strong or "twinning" in intents or any(p.kind == "country" for p in places):
            # "punyo kota kembar? Apo namonyo?", "yang di Belanda namanya apa?": the partner's name
            # (not "istanbul dulu namanya apa": the city's own name)
            ignorable = ignorable | self.data.partner_name_words
        # "resminya", "infonya": a generic word with "-nya" asks for nothing either.
        need = tuple(w for w, c in zip(words, covered) if not c and w not in ignorable and len(w) > 2
                     and not w.isdigit() and not (w.endswith("nya") and w[:-3] in ignorable))
        # Still part of the need: the sources must cover what the question is about either way.
        left_out = self._left_out(norm, need)
        # A lowercase word is taken for a name only when it is all the question asks about
        # besides twinning ("kediri kembaran sama kota mana?", not "tukeran mahasiswa …").
        # So is a word right after "sama" in a bare pair ("kalo cirebon sama osaka?", "jakarta sama roma?").
        bare_pair = (any(p.kind in ("city", "province") for p in places) and len(words) <= MAX_BARE_PAIR_WORDS
                     and not intents - {"yes_no"})
        unknown = tuple(self.unknown_places.find(text, mentions, (strong or "twinning" in intents or bare_pair)
                                                 and len(need) == 1 and not aspects))
        if "year" in intents and strong and not (places or unknown or aspects):
            aspects = frozenset({"history"})  # "sister city tuh sejak kapan ada?": the concept's history
        return Turn(
            text=text, norm=norm, places=places,
            unknown_names=unknown,
            strong_domain=strong, weak_domain=weak, aspects=aspects, intents=intents,
            follow_up_cue=bool(follow and follow.start() == 0),
            more=bool(more and more.start() == 0 and len(words) <= 3),
            need=need,
            aspect_words=aspect_words,
            set_aside=dismissed,
            set_aside_words=left_out,
            asks_besides=bool(self.data.besides.search(norm)),
            asks_whole=bool(self.data.whole_list.search(norm) or self.data.whole_region.search(norm)),
            order=order,
        )

    def _left_out(self, norm: str, need: tuple[str, ...]) -> tuple[str, ...]:
        """The need words a "selain"/"besides" clause names, up to its comma: "selain budaya, bidang
        apa lagi?" asks about the other fields, not about culture."""
        left: list[str] = []
        for match in self.data.besides.find(norm):
            clause = re.split(r"[,.;:?!]", norm[match.end():], maxsplit=1)[0]
            left += [w for w in _WORD.findall(clause) if w in need]
        return tuple(dict.fromkeys(left))

    def _kept_places(self, text: str) -> tuple[tuple[PlaceMatch, ...], ...]:
        """Places named in the text, those set aside ("lupakan Surabaya, kalau Medan?"), every mention,
        and the places named as the user's home ("aku arek Kota Pahlawan"): set aside too when the
        user asks about another place."""
        mentions = tuple(self.records.find_places(text, fuzzy=self.speller is None))
        places = self._without_qualifiers(_dedupe(mentions), text)
        kept, dismissed, origins = [], [], []
        ignorable = self._stopwords | self.data.filler
        previous_end = 0
        for place in sorted(places, key=lambda p: p.start):
            # "lupakan Surabaya", "abaikan yg tadi soal Jakarta": the dismissing word right before the
            # name (small words between don't count), in the same clause, after any other name.
            clause = re.split(r"[,.;:!?()]", text[previous_end: place.start])[-1]
            clause = _BESIDES_THAT.sub(" ", clause)  # "selain itu Jakarta …" = "moreover, Jakarta …"
            previous_end = place.end
            near = " ".join([w for w in clause.split() if normalize(w, self.lexicon) not in ignorable
                             or normalize(w, self.lexicon) in self.data.dismiss.words][-3:])
            # Only the bare word: "bukannya Miri kembaran Singkawang?" asks, it doesn't set Miri aside.
            sets_aside = any(m.group() in self.data.dismiss.phrases
                             for m in self.data.dismiss.find(normalize(near, self.lexicon)))
            (dismissed if sets_aside else kept).append(place)
            origin = clause.split()[-MAX_ORIGIN_WORDS:]
            if not sets_aside and self._says_where_the_user_is_from(origin):
                origins.append(place)
        # "aku arek Kota Pahlawan, Sidoarjo kembarane karo endi?": where the user is from is not
        # what they ask about, when they ask about another Indonesian place.
        asked = [p for p in kept if p not in origins and p.kind in ("city", "province")]
        if asked and any(p.key != asked[0].key for p in origins):
            homes = [p for p in origins if all(p.key != a.key for a in asked)]
            kept = [p for p in kept if p not in homes]
            dismissed += homes
        return tuple(kept), tuple(dismissed), mentions, tuple(origins)

    def _statements_then_question(self, text: str) -> tuple[str, str]:
        """(statements, question) when the message is statements, then one question, and the
        statements either name the domain while the question doesn't, or name no place ("Saya staf
        bagian kerja sama."): read as an earlier turn, they still fill what the question leaves out.
        ("", text) otherwise."""
        sentences = split_sentences(text, self.lexicon)
        last = sentences[-1] if sentences else ""
        if len(sentences) < 2 or any(s.rstrip().endswith("?") for s in sentences[:-1]):
            return "", text
        asked = self.analyse(last)
        words = _WORD.findall(asked.norm)
        if not (last.rstrip().endswith("?") or any(w in self.data.question_words for w in words)
                or self.data.request_words.search(asked.norm)):
            return "", text
        before = self.analyse(" ".join(sentences[:-1]))
        only_domain = (before.strong_domain or "twinning" in before.intents) and not (
            asked.strong_domain or "twinning" in asked.intents)
        if only_domain or not (before.places or before.unknown_names):
            return " ".join(sentences[:-1]), last
        return "", text

    def _says_where_the_user_is_from(self, words: list[str]) -> bool:
        """"aku arek …", "saya warga …", "I'm from …": the words before a place name the user's home."""
        folded = {normalize(w, self.lexicon) for w in words} | {w.casefold().strip(",.") for w in words}
        return bool(folded & self.data.self_words) and bool(folded & self.data.origin_words)

    def _without_qualifiers(self, places: list[PlaceMatch], text: str) -> list[PlaceMatch]:
        """Drop a province named after one of its own cities: "Sigli yg di Aceh" asks about Sigli. Only
        in the same sentence: "aku arek Kota Pahlawan. Jatim iku provinsi kembare karo endi?" asks about Jatim."""
        cities = [p for p in places if p.kind == "city"]
        out = []
        for place in places:
            qualifies = place.kind == "province" and any(
                c.start < place.start and not re.search(r"[.!?]", text[c.end: place.start])
                and any(fold(r.province) == fold(place.name) for r in self.records.partners_of(c.key)[:1])
                for c in cities)
            if not qualifies:
                out.append(place)
        return out

    # -- a turn in its conversation -----------------------------------------------------------

    def route(self, question: str, history: Sequence[dict] = ()) -> Decision:
        """The path for this turn, with history used only to fill what the turn leaves out."""
        if not any(ch.isalnum() for ch in question):
            question = self._emoji_as_words(question)
        if self.is_injection(question):
            turn = self.analyse(question)
            return Decision("injection", turn, question, reason="permintaan mengubah aturan")
        corrected, changes = self._correct(question)
        core, small = self.strip_smalltalk(corrected)
        core = self._with_list_item(core, history)
        if not core:
            return Decision("smalltalk", self.analyse(corrected), corrected, smalltalk=small or "ack",
                            corrections=changes)
        preamble, question_part = self._statements_then_question(core)
        if preamble:
            # "Surabaya punya banyak kota kembar. Tapi siapa wali kotanya?": the statement is context,
            # like an earlier turn; what is asked is the question ("yang di Jepang apa aja?" still
            # borrows the city from it).
            decision = self.route(question_part, [*history, {"role": "user", "content": preamble},
                                                  {"role": "assistant", "content": ""}])
            if not decision.context and decision.path == "articles" \
                    and not self.data.dismiss.search(normalize(preamble, self.lexicon)):  # "abaikan soal itu."
                # "Wali kota kami baru ganti dan partainya punya arah lain. Apa yang mesti dilakukan…?":
                # a question complete on its own is still asked about the story told before it, in the
                # same message; the search reads both.
                decision = replace(decision, standalone=f"{decision.standalone} {preamble}")
            return replace(decision, corrections=changes + decision.corrections,
                           smalltalk=decision.smalltalk or small)
        turn = own = self.analyse(core)
        fixed = self._name_one_typo_away(turn)
        if fixed is not None:
            # "medna sister city nya apa?": in a question about twinning, a name one typo from a
            # single known city is that city (the answer says it assumed so).
            typed, name = fixed
            core = re.sub(rf"(?<!\w){re.escape(typed)}(?!\w)", name, core, count=1)
            changes = changes + ((typed, name),)
            turn = own = self.analyse(core)
        context: tuple[str, ...] = ()
        said_before = ""
        previous = self._previous_topic(history)
        if previous is not None and (self._leans_on_previous(turn) or self._picks_a_country_from(previous, turn)):
            answered = self._pair_just_answered(history) if (turn.intents & {"year", "focus"}) and not turn.places \
                and not (previous.indonesian and previous.foreign) else None
            # "oh itu resminya dari taun brp?" after an answer about Jakarta and Rotterdam to a question
            # that named only "Belanda": "itu" is the pair the answer was about.
            merged = f"{drop_cue(turn.text)} {answered}" if answered else self._merge(turn, previous)
            context = (previous.text,)
            said_before = self._last_answer_lead(history)
            # What "selain …" leaves out is read from this message, not from the turns it borrowed.
            turn = replace(self.analyse(merged), set_aside_words=own.set_aside_words, asks_besides=own.asks_besides)
        turn = _mark_corrected_places(turn, changes)
        path, reason = self._path(turn)
        return Decision(path, turn, turn.text, smalltalk=small, corrections=changes, reason=reason, context=context,
                        own=own, said_before=said_before, in_conversation=previous is not None)

    @staticmethod
    def _last_answer_lead(history: Sequence[dict]) -> str:
        """The first line of the last answer, without citation markers."""
        answer = next((m.get("content") or "" for m in reversed(history) if m.get("role") == "assistant"), "")
        return MARKER_RUN.sub("", answer.strip().split("\n", 1)[0]).strip()

    def _pair_just_answered(self, history: Sequence[dict]) -> str | None:
        """The twinned pair the first line of the last answer names ("Jakarta serta Rotterdam"), if any."""
        lead = self._last_answer_lead(history)
        places = self.records.find_places(lead, fuzzy=False)
        homes = [p for p in places if p.kind in ("city", "province")]
        partners = [p for p in places if p.kind == "partner"]
        if homes and partners and self.records.pair(homes[0].key, partners[0].key):
            return f"{homes[0].name} dan {partners[0].name}"
        return None

    def _name_one_typo_away(self, turn: Turn) -> tuple[str, str] | None:
        """(typed, city name) when the turn's one unknown name is one edit from exactly one city. Beside
        a place it did recognise ("kupng sm darwin sister city y?"), a lowercase word that is no word
        of the language counts as that name."""
        if not ("twinning" in turn.intents or turn.strong_domain):
            return None
        if turn.places:
            names = [w for w in turn.need if len(w) >= 4 and w not in self.known_words
                     and w not in self.ordinary_words]
        else:
            names = list(turn.unknown_names)
        if len(names) != 1:
            return None
        typed = names[0]
        close = [n for n in self.records.suggest(typed, limit=5)
                 if edit_distance(fold(typed), fold(n), 1) <= 1]
        return (typed, close[0]) if len(close) == 1 else None

    def _with_list_item(self, text: str, history: Sequence[dict]) -> str:
        """"yang kedua maksudnya gimana?": the ordinal replaced by that item of the list in the
        previous answer, so the turn names what it asks about. Only in a short turn: "yang pertama
        kali" in a longer question asks about history, not about a list."""
        tokens = list(re.finditer(r"[\w-]+", text))
        if not 2 <= len(tokens) <= MAX_ORDINAL_TURN_WORDS:
            return text
        answer = next((m.get("content") or "" for m in reversed(history) if m.get("role") == "assistant"), "")
        items = [line[2:] for line in answer.splitlines() if line.startswith("- ")]
        if len(items) < 2:
            return text
        for marker, word in zip(tokens, tokens[1:]):
            position = self.data.ordinals.get(word.group().casefold().removeprefix("ke-"))
            if marker.group().casefold() not in self.data.ordinal_markers or position is None:
                continue
            index = position - 1 if position > 0 else len(items) + position
            if 0 <= index < len(items):
                return f"{text[:marker.start()]}{_item_name(items[index])}{text[word.end():]}"
        return text

    def _correct(self, text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        if self.speller is None:
            return text, ()
        correction = self.speller.correct(text)
        return correction.text, correction.changes

    def _previous_topic(self, history: Sequence[dict]) -> Turn | None:
        """The last earlier user turn that had a topic, itself resolved against what came before."""
        # Each user turn with the history before it, so "yang ketiga maksudnya?" is read as it was then.
        users = [(str(t["content"]), history[:i]) for i, t in enumerate(history)
                 if t.get("role") == "user" and str(t.get("content", "")).strip()]
        resolved: Turn | None = None
        for content, before in users[-6:]:  # older turns don't help resolve a follow-up
            if self.is_injection(content):
                continue
            corrected, _ = self._correct(content)
            core, _ = self.strip_smalltalk(corrected)
            core = self._with_list_item(core, before)
            if not core:
                continue
            turn = self.analyse(core)
            if resolved is not None and self._leans_on_previous(turn):
                turn = self.analyse(self._merge(turn, resolved))
            if turn.has_topic and not self._asks_place_off_domain(turn):
                resolved = turn
        return resolved

    @staticmethod
    def _asks_place_off_domain(turn: Turn) -> bool:
        """"skor Liverpool semalem brp?": a place asked about something with no word of the domain.
        Refused, it sets no topic: "balik ke Surabaya, yg di Amerika?" goes on from the turn before."""
        return bool(turn.places and turn.need_besides_names and not (turn.strong_domain or turn.weak_domain or turn.aspects
                                                       or turn.intents - {"list", "yes_no"}))

    def _leans_on_previous(self, turn: Turn) -> bool:
        """Does this turn leave out what it is about ("kalau Bandung?", "sejak kapan?")?"""
        if turn.more:
            return True
        if not turn.places and self.data.places_before.search(turn.norm):
            return True  # "mereka jadi sister city sejak kapan?": the places of the turn before
        if self._refers_to_partner(turn):
            return True  # "Surabaya juga bermitra dengan kota tersebut?": the partner of the turn before
        # "sama Milan pun kembar kau bilang?": a partner joined to nobody is joined to the city before.
        joined_to_nobody = bool(turn.foreign) and not turn.indonesian and self._opens_with_joiner(turn)
        complete = (
            (turn.strong_domain and (turn.article_aspects or turn.places or len(turn.need) >= 1)
             and not joined_to_nobody)
            or (turn.places and (turn.intents & {"twinning"}) and not turn.follow_up_cue and not joined_to_nobody)
            or (turn.indonesian and turn.foreign)
            or (turn.strong_domain and not turn.follow_up_cue)
            # "Dan mitra Provinsi Jawa Barat?" after a pair question: that place's partners, not the
            # previous partner with it.
            or (turn.indonesian and not turn.foreign and "twinning" in turn.intents and not turn.need
                and not (turn.intents & {"year", "focus"}))
            # "provinsi acehnya sendiri?" after a pair question: that place's own partners.
            or (turn.indonesian and not turn.foreign and not turn.need and self.data.place_itself.search(turn.norm))
        )
        if complete:
            return False
        short = len(turn.need) + len(turn.places) + len(turn.aspects) <= self.data.max_follow_up_words
        return turn.follow_up_cue or short

    def _picks_a_country_from(self, previous: Turn, turn: Turn) -> bool:
        """"yg malaysia kerjasamanya soal apa?" after "mksr punya kota kembar ga?": only a country,
        opened with "yg", picks from the partners of the place asked about before."""
        if not previous.indonesian or previous.foreign or not turn.places \
                or any(p.kind != "country" for p in turn.places):
            return False
        match = self.data.picks_from_before.search(turn.norm)
        return match is not None and match.start() == 0

    def _refers_to_partner(self, turn: Turn) -> bool:
        """Does a turn naming only Indonesian places point back at one more ("kota tersebut")?"""
        return bool(turn.indonesian and not turn.foreign and self.data.partner_before.search(turn.norm))

    def _opens_with_joiner(self, turn: Turn) -> bool:
        """Does the turn open with "sama", "dengan", "karo"… (after a follow-up cue such as "kalau"),
        or name a partner right after one ("kerja sama dengan Casablanca sejak kapan?")?"""
        joiners = self.data.pair_joiners
        words = [w for w in _WORD.findall(turn.norm) if w in joiners or w not in self.data.follow_up.words]
        if words and words[0] in joiners:
            return True
        for place in turn.foreign:
            before = _WORD.findall(normalize(turn.text[: place.start], self.lexicon))
            if before and before[-1] in joiners:
                return True
        return False

    def _merge(self, turn: Turn, previous: Turn) -> str:
        """This turn's words plus what it borrows from the previous topic."""
        if turn.more and not (turn.places or turn.need):
            return f"{turn.text} {previous.text}"  # "kenapa?", "lanjut": more of the same
        if turn.places:
            if self._refers_to_partner(turn) and previous.foreign:
                # "Apakah Surabaya juga bermitra dengan kota tersebut?" after Jakarta–Rotterdam: Rotterdam.
                return f"{turn.text} {' dan '.join(p.name for p in previous.foreign)}"
            if turn.need:
                return turn.text  # "Paris lagi musim apa?": a new question, not a reference
            if turn.indonesian and not turn.foreign and self.data.whole_list.search(turn.norm):
                return turn.text  # "Jakarta semuanya ada berapa?" after "Jakarta yang di Korea?": all of them
            if previous.unknown_names and not previous.places and len(turn.places) == 1:
                # "kalo ambon?" after "ternate ada sister city?": the same question about Ambon.
                return swap_in_name(previous, turn.places[0].typed)
            if turn.foreign and not turn.indonesian and self._pair_with_unknown_name(previous):
                # "kalau Kuala Lumpur?" after "Jakarta sama Kairo?": the same pair question, another partner.
                home = " dan ".join(p.name for p in previous.indonesian)
                return f"{home} sama {' dan '.join(p.typed for p in turn.foreign)} {self.data.domain_names[0]}?"
            partners = [p for p in previous.foreign if p.kind == "partner"]
            if (turn.indonesian and not turn.foreign and not turn.need and previous.indonesian and partners
                    and len(partners) == len(previous.foreign) and not self._recorded_with(turn.indonesian, partners)):
                # "kalau provinsi acehnya?" after "Sigli juga sama Pendik kan?": Aceh has no tie with
                # Pendik on record, so what it asks is Aceh's own partners.
                return f"{' dan '.join(p.name for p in turn.indonesian)} punya {self.data.domain_names[-1]} apa saja"
            text = swap_places(previous, turn)
            rest = drop_cue(without_places(turn))
            extra = " ".join(w for w in _WORD.findall(rest) if normalize(w, self.lexicon) not in
                             (self.data.filler | self.data.bare_filler | self._stopwords | self.data.follow_up.words
                              | self.data.dismiss.words))  # "balik ke Surabaya": it asks nothing
            # What it asks about the places, though made of common words ("dapat apa", "bidang apa").
            asked = [m.group() for name in ("focus", "learned")
                     for m in self.data.records[name].find(normalize(rest, self.lexicon))]
            in_asked = {w for phrase in asked for w in phrase.split()}
            extra = " ".join(w for w in extra.split() if normalize(w, self.lexicon) not in in_asked)
            extra = " ".join(dict.fromkeys([*asked, extra] if extra else asked))
            return f"{extra} {text}".strip() if extra else text
        rest = drop_cue(turn.text)
        name = self._lone_name(turn)
        if name and not previous.article_aspects and previous.indonesian and previous.foreign \
                and not self.unknown_places.is_indonesian(name):
            # "kalo Nuuk?" after "Ambon sama Darwin kembaran?": the same question with another partner.
            return f"{' dan '.join(p.name for p in previous.indonesian)} sama {name} {self.data.domain_names[0]}?"
        if name and not previous.article_aspects and (previous.places or previous.unknown_names):
            # "samarinda?" after "Mataram punya kota kembar?": the same question about a place we
            # may have no data for; the records answer says so plainly.
            return swap_in_name(previous, name)
        if turn.article_aspects and previous.article_aspects and turn.follow_up_cue:
            if turn.need:
                # "kalau masalahnya koordinasi, solusinya apa?" after the language barrier: a subject
                # and an aspect of its own; only the section asked about before and the concept's name
                # come along ("and what was it meant to achieve?" after the history: its history).
                frame = " ".join(self._aspect_names(previous))
                return " ".join(part for part in (rest, frame, self._concept_name(previous)) if part)
            # "kalau tantangannya?" after a question about benefits: swap the aspect. Without "kalau"
            # ("contoh yg paling terkenal waktu itu?") the new aspect adds to the old one instead.
            return swap_aspect(previous, rest, self.data, self.lexicon, turn.article_aspects)
        joiner = next((w for w in _WORD.findall(turn.norm) if w in self.data.pair_joiners), None)
        if (turn.unknown_names and not joiner and previous.indonesian and previous.foreign and not previous.article_aspects
                and not self.unknown_places.is_indonesian(turn.unknown_names[0])):
            # "kalo Port Moresby?" after "Jayapura sama Wewak?": the same question with another partner.
            home = " dan ".join(p.name for p in previous.indonesian)
            return f"{home} sama {' '.join(turn.unknown_names)} {self.data.domain_names[0]}?"
        if turn.unknown_names and joiner and previous.indonesian and not previous.article_aspects:
            # "kalau sama Osaka?" after "Medan punya kota kembar?": Medan with a partner we have no
            # record of; the records answer says so plainly.
            home = " dan ".join(p.name for p in previous.indonesian)
            return f"{home} {joiner} {' '.join(turn.unknown_names)} {self.data.domain_names[0]}?"
        # "kalo beda bahasa gitu jadi masalah?" after a question about a place: a topic of its own
        # (an aspect and its own words), asked of the concept, not of that place.
        own_topic = bool(turn.article_aspects and turn.need)
        if previous.places and not previous.article_aspects and not own_topic:
            if previous.indonesian and previous.foreign and not turn.need and self.data.others.search(turn.norm):
                # "yang lainnya apa lagi?" after "Sidoarjo kembar karo Jinan?": Sidoarjo's partners.
                home = " dan ".join(p.name for p in previous.indonesian)
                return f"{home} punya {self.data.domain_names[-1]} apa saja"
            if turn.set_aside and previous.indonesian:
                # "selain Darwin ada lagi?" after "Ambon kembar sama Darwin?": Ambon's other partners.
                home = " dan ".join(p.name for p in previous.indonesian)
                return f"{home} punya {self.data.domain_names[-1]} apa saja {drop_cue(turn.text)}".strip()
            if previous.tells_a_story:
                # "Tiap mau rapat dengan mitra di Belanda, undangan sering telat… Apa yang harus
                # dibenahi?": a story naming a country, not a question about it; all of it comes along.
                return f"{rest} {previous.text}".strip()
            # "sejak kapan?", "penduduknya berapa?" after a question about a place: that place.
            names = " dan ".join(p.name for p in previous.places)
            return f"{rest} {names}".strip()
        if turn.need and set(turn.need) <= self.data.continues_subject:
            # "lalu hasilnya bagi daerah?" after an example of the economic benefit: how that subject
            # goes on, so its words ("ekonomi") come along, not only its aspect.
            subject = " ".join(dict.fromkeys([*previous.aspect_words, *previous.need]))
            return " ".join(part for part in (rest, subject, self._concept_name(previous)) if part)
        # An aspect and a word of its own after a records turn ("manfaat ekonominya apa?") is a topic
        # of its own too.
        if len(turn.need) >= 2 or (turn.need and (turn.follow_up_cue or (own_topic and previous.places))):
            # Its own need ("kalau anggaran daerahnya pas-pasan?", "klo buat pariwisata?"): only the previous topic's frame
            # (its aspect, the concept's name) comes along, not its other words.
            frame = " ".join(dict.fromkeys(previous.aspect_words or self._aspect_names(previous)))
            if self._discussed_pair(previous):
                # "pertukaran pelajarnya jg ada ga?" after what Surabaya and Busan did together: still
                # that pair, which the articles discuss.
                frame = f"{frame} {' dan '.join(p.name for p in previous.places)}"
            return " ".join(part for part in (rest, frame, self._concept_name(previous)) if part)
        if turn.article_aspects and not previous.article_aspects and previous.unknown_names:
            # "kalau kota gue mau mulai, langkah pertamanya apa?" after "bekasi ada kota kembar?" (a
            # place with no records): a topic of its own; only the concept's name comes along.
            return " ".join(part for part in (rest, self._concept_name(previous)) if part)
        return f"{rest} {previous.text}".strip()

    def _discussed_pair(self, turn: Turn) -> bool:
        """Does the turn name an Indonesian place and a partner, all of which the articles discuss?"""
        return bool(turn.indonesian and turn.foreign) and all(
            p.key in self.discussed_places for p in turn.places if p.kind in ("city", "partner"))

    def _recorded_with(self, places: list[PlaceMatch], partners: list[PlaceMatch]) -> bool:
        """Does any of these Indonesian places have a record (or an unverified candidate) with any partner?"""
        return any(self.records.pair(place.key, partner.key) or self.records.candidates_for_pair(place.key, partner.key)
                   for place in places for partner in partners)

    def _aspect_names(self, previous: Turn) -> list[str]:
        """The sources' words for the previous turn's aspects, when it named none itself ("when did
        the idea start?" asks about history without saying "sejarah")."""
        return [w for a in sorted(previous.article_aspects) for w in self.data.aspect_names.get(a, ())]

    def _concept_name(self, previous: Turn) -> str:
        """The concept's name ("sister city") when the previous turn was about it, else nothing."""
        return self.data.domain_names[0] if (previous.strong_domain or previous.weak_domain) else ""

    def _pair_with_unknown_name(self, turn: Turn) -> bool:
        """"Jakarta sama Kairo?": an Indonesian place joined to the one name we have no record of, and
        nothing else asked. That is a pair question; the records answer it (no such pair)."""
        if len(turn.indonesian) != 1 or turn.foreign or len(turn.unknown_names) != 1 or turn.article_aspects:
            return False
        name = turn.unknown_names[0]
        if turn.need_besides_names or self.unknown_places.is_indonesian(name):
            return False
        start = turn.text.find(name)
        before = _WORD.findall(normalize(turn.text[:start], self.lexicon)) if start > 0 else []
        return bool(before) and before[-1] in self.data.pair_joiners

    def _lone_name(self, turn: Turn) -> str | None:
        """The one word of a follow-up that can only be a name ("samarinda?", "kendari gimana?")."""
        if turn.places or turn.aspects or turn.intents or len(turn.need) != 1:
            return None
        word = turn.need[0]
        if word in self.ordinary_words or self.unknown_places.is_plain_word(word):
            return None
        return word

    # -- the verdict --------------------------------------------------------------------------

    def _path(self, turn: Turn) -> tuple[Path_, str]:
        intents = turn.intents
        asks_records_detail = bool(intents & {"year", "focus"})
        if turn.places:
            # A pair: Indonesian + foreign, or two Indonesian places ("IKN sama Jakarta?": no record, but
            # the records answer says so and the articles may discuss them).
            pair = bool(turn.indonesian and turn.foreign) or len(turn.indonesian) >= 2
            lists = bool(intents & {"list", "which"})
            if turn.tells_a_story and len(turn.need_besides_names) >= 2 * STORY_NEED_WORDS:
                # "Email dari mitra di Jerman sering telat…, tanggal acaranya bentrok… Apa yang sebaiknya
                # dibenahi?": a story set in a country, judged by the sources, not that country's list.
                return "articles", "cerita yang menyebut negara"
            if "twinning" in intents or turn.strong_domain:
                # A definition is not about a place: "Balikpapan sister city-nya apa sih?" asks for its partners.
                if turn.article_aspects - {"concept"} and not (asks_records_detail or lists or pair):
                    return "articles", "aspek artikel tentang tempat"
                if len(turn.need_besides_names) >= 2 and not (asks_records_detail or lists or pair):
                    # "gw gak bisa bahasa korea, gimana kalo kota gw kembaran sama kota sono?"
                    return "articles", "tempat + kebutuhan lain di soal kota kembar"
                return "records", "tempat + kata kota kembar"
            discussed = self._discussed_pair(turn)
            if pair and (not turn.need or (asks_records_detail and len(turn.need) < 2) or discussed):
                # "Surabaya–Busan sejak kapan?", "Jakarta belajar apa dari Tokyo?" (a pair the articles
                # discuss); not "tiket pesawat Jakarta Denpasar berapa?" nor "jeddah jauh gak dari
                # medan?": a need of its own about other places is judged below, by the sources.
                return "records", "pasangan kota"
            if asks_records_detail and not turn.need and not turn.article_aspects:
                return "records", "tempat + tahun/bidang"
            if not turn.need and not turn.article_aspects:
                return "records", "hanya nama tempat"
            if self._pair_with_unknown_name(turn):
                return "records", "pasangan dengan nama yang tidak tercatat"
            return "articles", "tempat + kebutuhan lain: dinilai dari sumber"
        if turn.unknown_names and ("twinning" in intents or turn.strong_domain) and not turn.article_aspects:
            return "records", "tempat yang tidak dikenal + kata kota kembar"
        if "province" in intents and ("twinning" in intents or turn.strong_domain) and not turn.article_aspects \
                and len(turn.need) < 2 and not self.data.asks_difference.search(turn.norm):
            # not "kedudukan hukum sister province?" (a need of its own), nor "bedanya sister province
            # sama sister city?" (a difference of terms, judged from the articles)
            return "records", "sister province"
        if {"twinning", "which"} <= intents and turn.need and not turn.article_aspects:
            return "records", "kota mana yang bekerja sama soal suatu bidang"
        return "articles", "dinilai dari sumber"


def _item_name(item: str) -> str:
    """What a list item of an answer is about: its label ("Pilih Partner yang Tepat: …"), else its
    first few words; citation markers dropped."""
    text = MARKER_RUN.sub("", item).strip()
    label, colon, _ = text.partition(":")
    if colon and len(label.split()) <= 8:
        return label.strip()
    return " ".join(text.split()[:8])


def _mark_corrected_places(turn: Turn, changes: tuple[tuple[str, str], ...]) -> Turn:
    """Places reached through a spelling correction are flagged, so the answer can say so."""
    fixed = {fold(after) for _, after in changes}
    if not fixed:
        return turn
    places = tuple(replace(p, fuzzy=True) if fold(p.typed) in fixed else p for p in turn.places)
    return replace(turn, places=places)


def _dedupe(places: Sequence[PlaceMatch]) -> list[PlaceMatch]:
    seen: dict[tuple[str, str], PlaceMatch] = {}
    for place in places:
        seen.setdefault((place.kind, place.key), place)
    return list(seen.values())


def _word_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _WORD.finditer(text)]
