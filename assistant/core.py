"""Assistant: the one facade that app.py, the CLI and the HTTP API call."""
from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from .answer import PASSAGES_READ, Composer, merge_answers
from .answerability import judge, need_about_places_uncovered, passages_naming
from .chunking import chunk_article, sentence_chunks
from .config import Settings
from .conversation import validate_history
from .corpus import load_articles
from .embeddings import make_embedder
from .errors import CorpusError, InvalidQuestion
from .index import ChromaIndex, SyncReport
from .message_models import load_models
from .phrasings import embed_questions, load_phrasings
from .prompts import load_phrases
from .records import RecordStore, answer_by_focus, answer_from_records
from .retrieval import HybridRetriever, RetrievalResult, quoted_phrases
from .router_setup import build_router
from .routing import Decision, Router, Turn
from .routing_data import load_routing

from .schema import Answer, Hit
from .text import is_emoji, lexicon_path, load_lexicon, normalize, stem, tokenize

if TYPE_CHECKING:  # the briefing package is imported on first use: chat-only processes never pay for it
    from .briefing import Briefing

log = logging.getLogger(__name__)

# A follow-up with this many words of its own (and no place) is compared with the written phrasings by itself.
MIN_OWN_PHRASING_WORDS = 2

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_MARKUP = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]{0,200}>", re.I | re.S)
RECORDS_FILE = "records"
# Aspects whose answer in the articles is a list (tips, challenges...): asked plainly, all items are shown.
LIST_ASPECTS = frozenset({"benefit", "challenge", "tip", "activity", "example"})  # the name chunks of the record tables are filed under in the index


@dataclass
class IngestReport:
    sync: SyncReport
    articles: int
    chunks: int
    relationships: int
    errors: list[CorpusError] = field(default_factory=list)


def strip_markup(text: str) -> str:
    """Markup is never meaningful in a question ("<script>…</script> apa itu sister city?"):
    it is dropped before retrieval so it can't steer it. The question itself is echoed as typed."""
    return re.sub(r"\s+", " ", _MARKUP.sub(" ", text)).strip()


def check_question(question: object, max_chars: int) -> str:
    """The question if it is text within the length limit, else InvalidQuestion (the API's 422s)."""
    if not isinstance(question, str):
        raise InvalidQuestion("Pertanyaan harus berupa teks.")
    if len(question) > max_chars:
        raise InvalidQuestion(
            f"Pertanyaannya kepanjangan ({len(question)} karakter, maksimal {max_chars}). "
            "Coba diringkas jadi satu-dua kalimat ya."
        )
    return question


def clean_question(question: object, max_chars: int, emoji_only_ok: bool = False) -> str:
    """Normalize a user question or raise InvalidQuestion with an Indonesian message.
    emoji_only_ok: a chat message of emoji only ("👍👍😊") is small talk, not a mistake."""
    question = check_question(question, max_chars)
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", question))
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise InvalidQuestion('Pertanyaannya masih kosong nih. Coba ketik sesuatu, misalnya "Apa itu sister city?"')
    if not any(ch.isalnum() or (emoji_only_ok and is_emoji(ch)) for ch in text):
        raise InvalidQuestion(
            'Aku belum nangkep maksudnya. Coba tulis pertanyaannya pakai kata-kata, misalnya "Apa manfaat kota kembar?"'
        )
    return text


class Assistant:
    """Answers questions about sister cities from the corpus, with citations."""

    def __init__(self, settings: Settings, index: ChromaIndex, records: RecordStore,
                 record_errors: list[CorpusError]) -> None:
        self.settings = settings
        self.index = index
        self.records = records
        self.record_errors = record_errors
        self.phrases = load_phrases(settings.prompts_dir, "answer")
        self.record_phrases = load_phrases(settings.prompts_dir, "records")
        self.lexicon = load_lexicon(lexicon_path(settings.prompts_dir))
        self.routing = load_routing(settings.prompts_dir)
        self.message_models = load_models(settings.prompts_dir, settings.embedder)
        self._last_vector: tuple[str, object] = ("", None)
        self.retriever: HybridRetriever | None = None
        self._router_cache: Router | None = None
        self._domain: frozenset[str] | None = None
        self._focus_cache: dict[str, set[str]] = {}

    @classmethod
    def from_settings(cls, settings: Settings | None = None, *, ingest_if_needed: bool = True) -> "Assistant":
        """Open the index (building it if missing or built with another model) and load records."""
        settings = settings or Settings.from_env()
        embedder = make_embedder(settings.embedder)
        index = ChromaIndex(settings, embedder)
        records, record_errors = RecordStore.load(settings.corpus_dir / "records", settings.prompts_dir)
        for error in record_errors:
            log.warning("records: %s", error.message)
        assistant = cls(settings, index, records, record_errors)
        # No manifest = never built, or an ingest crashed midway: sync() finishes it (only missing chunks are embedded).
        if ingest_if_needed and (index.rebuilt or not index.is_complete()):
            report = assistant.ingest()
            log.info("index built: %s", report.sync.summary())
        else:
            assistant.retriever = assistant._new_retriever()
        return assistant

    @property
    def ready(self) -> bool:
        return self.retriever is not None and bool(self.retriever.chunks)

    def ingest(self) -> IngestReport:
        """Bring the index in line with corpus/: embed new chunks, drop stale ones, keep the rest."""
        articles, errors = load_articles(self.settings.corpus_dir)
        records, record_errors = RecordStore.load(self.settings.corpus_dir / "records", self.settings.prompts_dir)
        self.records, self.record_errors = records, record_errors
        chunks_by_file = {}
        for article in articles:
            chunks = chunk_article(article)
            chunks_by_file[article.path.name] = chunks + sentence_chunks(chunks)
        failed = {e.path.split(":")[0] for e in errors}
        if record_errors and not records.relationships:
            failed.add(RECORDS_FILE)  # unreadable tables: keep the records already indexed
        else:
            chunks_by_file[RECORDS_FILE] = records.chunks()
        sync = self.index.sync(chunks_by_file, failed_files=failed)
        self.retriever = self._new_retriever()
        total = sum(len(c) for c in chunks_by_file.values())
        return IngestReport(sync, len(articles), total, len(records.relationships), errors + record_errors)

    def retrieve(self, question: str, k: int | None = None) -> list[Hit]:
        """The k best passages for a question (hybrid keyword + vector)."""
        k = k or self.settings.top_k
        if k <= 0:
            raise InvalidQuestion(f"k harus lebih dari 0 (sekarang {k}).")
        text = strip_markup(clean_question(question, self.settings.max_question_chars))
        return self._retriever().search(text, k).hits

    def ask(self, question: str, history: list[dict] | None = None) -> Answer:
        """A cited answer; bad input gets an Indonesian message (route "invalid"), never an exception."""
        try:
            text = clean_question(question, self.settings.max_question_chars, emoji_only_ok=True)
            turns = validate_history(history)
        except InvalidQuestion as exc:
            return Answer(question if isinstance(question, str) else "", exc.message, refused=True, route="invalid")
        query = strip_markup(text)
        if not any(ch.isalnum() or is_emoji(ch) for ch in query):
            return Answer(text, self.phrases.get("no_letters"), refused=True, route="invalid")
        decision = self._route(query, turns)
        answer = self._answer(decision)
        answer.question = text
        answer.standalone_question = decision.standalone
        return answer

    def _answer(self, decision: Decision) -> Answer:
        if decision.path == "injection":
            # Extractive answers can't be steered, but saying so beats a confusing answer.
            return Answer("", self.phrases.get("injection"), refused=True, route="injection")
        if self._asks_a_sum(decision.turn):
            lines = [self.phrases.get("no_data_about", need=self.phrases.get("sums")), self.phrases.get("what_i_can_answer")]
            return Answer("", "\n".join(lines), refused=True, route="out_of_scope")
        if decision.path == "smalltalk":
            reply = self.phrases.get(f"smalltalk_{decision.smalltalk or 'ack'}", seed=decision.standalone)
            return Answer("", reply, refused=False, route="smalltalk")
        own = decision.own or decision.turn
        if self.routing.asks_agreement.search(own.norm) or (
                self.routing.asks_view.search(own.norm) and not (own.article_aspects or own.places)):
            # "lu setuju ga sih sama ide …?": a view of its own is nothing a source supports.
            lines = [self.phrases.get("no_opinion"), self.phrases.get("what_i_can_answer")]
            return Answer("", "\n".join(lines), refused=True, route="out_of_scope")
        foreign = self._foreign_pair(decision)
        if foreign is not None:
            # The records can't hold it; what the articles say about the pair, if anything.
            return self._answer_from_articles(decision) if foreign else Answer(
                "", self._foreign_pair_message(own), refused=True, route="out_of_scope")
        topic = self._topic_not_in_sources(own)
        if topic:
            # "Apa dasar hukum kerja sama luar negeri pemda?", "anggaran APBD DKI untuk sister city?":
            # the domain's words or a city don't make the sources cover a topic they never mention.
            return Answer("", self._out_of_scope_message(decision.turn, (topic,)), refused=True, route="out_of_scope")
        answer = self._answer_from_records(decision) if decision.path == "records" else None
        if answer is None:
            answer = self._answer_from_articles(decision)
        general = self._in_general(decision) if answer.refused and answer.route == "out_of_scope" else None
        if general is not None:
            # Nothing about these places, but the aspect asked stands on its own: say so, then
            # answer it in general.
            alone = self._answer_from_articles(replace(decision, turn=general, standalone=general.text,
                                                       context=(), said_before="", in_conversation=False))
            if not alone.refused:
                places = " – ".join(p.name for p in decision.turn.places)
                alone.answer = f"{self.phrases.get('general_not_about_places', places=places)}\n{alone.answer}"
                return alone
        return answer

    def _quotes_the_sources(self, turn: Turn) -> bool:
        """Does the message quote words an indexed text says, word for word?"""
        router = self._router()
        # Not the domain's own names ("apa arti 'sister city' dalam bahasa Jepang?"): those every text says.
        return any(router.corpus_mentions(normalize(phrase, self.lexicon))
                   and set(tokenize(phrase, lexicon=self.lexicon)) - self._domain_stems()
                   for phrase in quoted_phrases(turn.text))

    def _asks_a_sum(self, turn: Turn) -> bool:
        """ "25 x 48 brp": a sum to work out, about no place and not the domain."""
        return bool(self.routing.arithmetic.search(turn.norm)) and not (
            turn.places or turn.strong_domain or turn.weak_domain or turn.article_aspects)

    def _in_general(self, decision: Decision) -> Turn | None:
        """The question without its places, when they only set the scene of an aspect of the
        articles: a follow-up that borrowed them ("ok kalo tips pertama biar sukses apa" after a
        question about Jakarta), or countries in a story ("kalau kami bawa tari daerah ke kota
        kenalan di Eropa, untungnya buat kita juga?"). None otherwise."""
        own = decision.own or decision.turn
        if not decision.turn.places:
            return None
        borrowed_scene = decision.context and decision.own is not None and not own.places
        if borrowed_scene and not own.article_aspects and decision.turn.tells_a_story:
            # "Tiap mau rapat dengan mitra di Belanda, undangan sering telat … Apa yang harus dibenahi?":
            # the story before the question names a country; what it tells is asked in general.
            return replace(decision.turn, places=())
        if not own.article_aspects:
            return None
        if borrowed_scene:
            return own
        if not decision.context and own.tells_a_story:
            return replace(own, places=())  # "bahasa resmi di Kazakhstan?" is about the country itself
        return None

    def _answer_from_records(self, decision: Decision) -> Answer | None:
        turn = decision.turn
        query = decision.record_query()
        if query.wants_list and self.routing.list_then_country.search(turn.norm):
            query = replace(query, places=tuple(p for p in query.places if p.kind != "country"), country_typed=False)
        answer = answer_from_records(query, self.records, self.record_phrases)
        if answer is None:
            return self._records_by_focus(decision)
        answer = self._partners_with_focus(decision) or answer
        missing = self._borrowed_partner_not_recorded(decision)
        if missing:
            # Both readings of "kalau Bandung?" after a pair question: the pair (not on record), then
            # Bandung's own partners.
            city, partner = missing
            answer.answer = f"{self.record_phrases.get('pair_not_found_then_list', city=city, partner=partner)}\n{answer.answer}"
        asks_number = bool(self.routing.asks_number.search(turn.norm))
        need = turn.need_besides_names  # "Jakarta sama Kairo?" asks nothing of the places
        checks_need = bool(need) and (asks_number or not (turn.intents & {"twinning", "year", "focus"}
                                                          or turn.strong_domain))
        if not checks_need and all(p.kind == "country" for p in turn.places):
            return answer  # nothing to judge and no passage to add: no search on this path
        result = self._search(decision, k=self.settings.top_k)
        if checks_need:
            # "Surabaya jauh gak dari Busan?", "berapa anggaran Medan untuk kerja sama dengan Ichikawa?":
            # places asked about something neither their records nor the passages naming them say.
            uncovered = need_about_places_uncovered(turn, result, self.records, self.lexicon)
            known = self._router().known_words
            # None of the need words is covered; one of them is a dictionary word ("tiket pswt … brp?").
            # A need made only of slang the word lists don't know ("nyontek") may still be on topic.
            if uncovered and any(w in known or stem(w) in known for w in uncovered):
                return Answer("", self._out_of_scope_message(turn, uncovered), refused=True, route="out_of_scope")
            if (asks_number and "year" not in turn.intents and not self.routing.asks_duration.search(turn.norm)
                    and not any(self._holds_number(h.chunk.text) for h in passages_naming(result.hits, turn.places))):
                # "Rotterdam bantu Jakarta soal banjir, ngabisin duit brp?": the records hold years, and
                # no passage about these places holds a number, so the amount asked is not there.
                return Answer("", self._out_of_scope_message(turn, (self._number_asked(turn.text),)), refused=True,
                              route="out_of_scope")
        discussed = self._articles_about(decision, result)
        if discussed is None:
            return answer
        # What the articles say about these places comes first when that is what was asked
        # ("Surabaya belajar apa dari Busan?"), after the record rows otherwise.
        # "sejak kapan?" is answered by the record's year, whatever aspect it also names.
        lead_with_articles = (bool(turn.article_aspects or need or "focus" in turn.intents)
                              and "year" not in turn.intents)
        bridge = self.phrases.get("articles_about_places", places=" – ".join(p.name for p in turn.places))
        if lead_with_articles:
            merged = merge_answers(discussed, answer, self.phrases.get("records_after_articles"))
        else:
            merged = merge_answers(answer, discussed, bridge)
        merged.route = "records"
        return merged

    def _borrowed_partner_not_recorded(self, decision: Decision) -> tuple[str, str] | None:
        """(place, partner) when this turn named only an Indonesian place after a question about a
        pair, and the router asked for that place's partners because it has no tie with that partner."""
        own = decision.own
        if not decision.context or own is None or own.foreign or len(own.indonesian) != 1:
            return None
        previous = self._router().analyse(decision.context[0])
        partners = [p for p in previous.foreign if p.kind == "partner"]
        if not previous.indonesian or not partners or any(p.kind == "partner" for p in decision.turn.places):
            return None
        return own.indonesian[0].name, partners[0].name

    def _records_by_focus(self, decision: Decision) -> Answer | None:
        """ "kota mana yang kerja sama soal sampah?": relationships whose focus names the topic."""
        wanted = set(tokenize(" ".join(decision.turn.need), lexicon=self.lexicon))
        if not wanted:
            return None
        # Every word of the topic ("pengelolaan sampah", not any "pengelolaan"); else its rarest word.
        rels = [r for r in self.records.relationships if wanted <= self._focus_terms(r)]
        if not rels:
            counts = {w: sum(w in self._focus_terms(r) for r in self.records.relationships) for w in wanted}
            rarest = min((w for w in wanted if counts[w]), key=counts.get, default=None)
            rels = [r for r in self.records.relationships if rarest in self._focus_terms(r)] if rarest else []
        if not rels:
            return None
        return answer_by_focus(decision.standalone, " ".join(decision.turn.need), rels, self.record_phrases)

    def _partners_with_focus(self, decision: Decision) -> Answer | None:
        """"Semarang kerja sama smart city sama kota mana?": of one place's partners, those whose
        recorded focus names every word of the topic (Brisbane). None when none or all of them do:
        the whole list then says what is recorded."""
        turn = decision.turn
        if len(turn.places) != 1 or turn.places[0].kind not in ("city", "province") or turn.order:
            return None
        wanted = set(tokenize(" ".join(turn.need_besides_names), lexicon=self.lexicon))
        rels = self.records.partners_of(turn.places[0].key)
        matching = [r for r in rels if wanted and wanted <= self._focus_terms(r)]
        if not matching or len(matching) == len(rels):
            return None
        # The topic in the records' own words ("kota cerdas (smart city)"), as the answer names it.
        topic = next((f for f in matching[0].focus if wanted <= set(tokenize(f, lexicon=self.lexicon))),
                     " ".join(turn.need_besides_names))
        return answer_by_focus(decision.standalone, topic, matching, self.record_phrases)

    def _focus_terms(self, rel) -> set[str]:
        if rel.rel_id not in self._focus_cache:
            self._focus_cache[rel.rel_id] = set(tokenize(" ".join(rel.focus), lexicon=self.lexicon))
        return self._focus_cache[rel.rel_id]

    def _articles_about(self, decision: Decision, result: RetrievalResult) -> Answer | None:
        """An article answer limited to passages that name every place of the question, if any."""
        turn = decision.turn
        # A named country too: "Jakarta sama Singapura?" is not about Jakarta–Tokyo.
        if all(p.kind == "country" for p in turn.places):
            return None
        hits = passages_naming(result.hits, turn.places)
        if not hits:
            return None
        narrowed = replace(result, hits=hits[:2])
        return self._composer().compose(decision.standalone, decision.standalone, narrowed, wants_list=False,
                                        ignore_terms=self._domain_stems(), with_outro=False)

    def _answer_from_articles(self, decision: Decision) -> Answer:
        turn = decision.turn
        result = self._search(decision, k=self.settings.top_k, leave_out=True)
        # Answerability reads the whole question: "selain X" is still about what X is about.
        judged, evidence = turn, (self._search(decision, k=self.settings.top_k) if turn.set_aside_words else result)
        if decision.context and decision.own is not None and len(decision.own.need) >= 2 \
                and (self._brings_own_subject(decision.own) or (turn.places and not decision.own.places)):
            # A follow-up with its own need ("terus makanan khas Roma apa?") is judged on its own
            # words: what it borrowed from history would make anything look answerable, and places
            # it borrowed would narrow the evidence to them ("yang dibagi apa aja?" after Ambon).
            judged = decision.own
            evidence = self._search(replace(decision, turn=judged, standalone=judged.text), k=self.settings.top_k)
        document = self.routing.asks_document.search(" ".join(turn.text.casefold().split()))
        if document:
            # "ada template MoU-nya?": no passage is a document to hand over, however close it sounds.
            lines = [self.phrases.get("no_document", thing=document.group()), self.phrases.get("what_i_can_answer")]
            return Answer("", "\n".join(lines), refused=True, route="out_of_scope")
        # "td aku baca soal 'pertukaran ekonomi', maksudnya apa?": words quoted from the sources put
        # the question in scope, whatever else the message says ("baca").
        quotes_sources = self._quotes_the_sources(turn)
        unknown_terms = () if quotes_sources else self._terms_never_mentioned(judged)
        if unknown_terms:
            return Answer("", self._out_of_scope_message(turn, unknown_terms), refused=True, route="out_of_scope")
        coverage = judge(judged, evidence, self._retriever(), self.records, self.routing,
                         self.routing.calibration(self.settings.embedder), self.lexicon, decision.own)
        if quotes_sources:
            coverage = replace(coverage, in_scope=True, uncovered=())
        # The model learned the sources' scope as it was: asked only when the evidence leaves part
        # of the question uncovered, a document added since ("anggaran festival lampion?") still answers.
        if coverage.in_scope and coverage.uncovered and self._reads_off_topic(decision):
            return Answer("", self._out_of_scope_message(turn, coverage.uncovered), refused=True,
                          route="out_of_scope")
        if not coverage.in_scope:
            if self._speaks_within_conversation(decision):
                # Judged again as a question about the domain the conversation is about.
                text = f"{turn.text} {self.routing.domain_names[0]}"
                within = self._router().analyse(text)
                return self._answer_from_articles(replace(decision, turn=within, standalone=text,
                                                          in_conversation=False))
            return Answer("", self._out_of_scope_message(turn, coverage.uncovered), refused=True,
                          route="out_of_scope")
        # Asked for tips, challenges, benefits…: the whole list, unless the question names a detail
        # its heading doesn't (the composer checks that against the list's heading).
        goes_on = self._asks_to_go_on(decision)
        result_of_said = decision.own is not None and self._asks_result(decision.own)
        if (goes_on or result_of_said) and decision.said_before:
            # What comes after the previous answer's lead is read from its passage, whatever the
            # borrowed question retrieves ("bentuknya kayak gimana?" finds passages about "wujud").
            result = self._with_passage_of(result, decision.said_before)
        wants_list = not goes_on and bool(turn.intents & {"list"} or (turn.article_aspects & LIST_ASPECTS
                                                                      and "solution" not in turn.article_aspects))
        asks_result = self._asks_result(decision.own or turn)
        left_out = self._left_out(turn)
        answer = self._composer().compose(decision.standalone, decision.standalone, result, wants_list=wants_list,
                                          ignore_terms=self._domain_stems(),
                                          aspect_of=self._aspect_test(turn, asks_result),
                                          focus_words=frozenset(tokenize(" ".join(turn.need), lexicon=self.lexicon))
                                          - left_out,  # "selain ekonomi": not what is asked
                                          asks_list_of=(self._aspect_test(turn)
                                                        if self._asks_for_the_list(turn, wants_list) else None),
                                          aspect_leads=("solution" in turn.article_aspects or asks_result
                                                        or turn.asks_besides),
                                          said_before=decision.said_before, left_out=left_out,
                                          goes_on=goes_on, result_of_said=result_of_said)
        lead = answer.answer.strip().split("\n", 1)[0]
        if (not answer.refused and self.routing.asks_number.search(turn.norm)
                and not self._holds_number(lead, asks_era=self._asks_when_it_began(turn),
                                           asks_duration=bool(self.routing.asks_duration.search(turn.norm)))):
            # "Berapa lama MoU-nya berlaku?": on topic, but the direct answer says no number.
            return Answer("", self._out_of_scope_message(turn, (self._number_asked(turn.text),)), refused=True,
                          route="out_of_scope")
        if decision.smalltalk == "thanks" and not answer.refused:
            answer.answer = f"{self.phrases.get('thanks_prefix')} {answer.answer}"
        return answer

    def _with_passage_of(self, result: RetrievalResult, said: str) -> RetrievalResult:
        """The result with the passage that holds an earlier answer's lead added, if it was missing."""
        found = self._retriever().search(said, 1).hits
        if not found or any(h.chunk.chunk_id == found[0].chunk.chunk_id for h in result.hits[:PASSAGES_READ]):
            return result
        # Among the passages the composer reads: the last of them gives way.
        kept = [h for h in result.hits if h.chunk.chunk_id != found[0].chunk.chunk_id]
        return replace(result, hits=[*kept[: PASSAGES_READ - 1], found[0], *kept[PASSAGES_READ - 1:]])

    def _speaks_within_conversation(self, decision: Decision) -> bool:
        """A message in a conversation about sister cities that didn't lean on the turn before, names
        no place, no name and no word the sources never use: "wah, tinggal tanda tangan langsung
        kejadian dong?" after the benefits of infrastructure is still about sister cities."""
        own = decision.own or decision.turn
        return (self._goes_on_in_sources_words(decision) and not decision.context and not own.places
                and not own.strong_domain and bool(own.need))

    def _goes_on_in_sources_words(self, decision: Decision) -> bool:
        """A message in a conversation that brings no subject of its own: it goes on with the topic."""
        return decision.in_conversation and not self._brings_own_subject(decision.own or decision.turn)

    def _brings_own_subject(self, turn: Turn) -> bool:
        """Does a follow-up bring a subject of its own: a place or a name ("makanan khas Roma?"), or a
        word no indexed text uses? "jadi yg lebih maju bisa ngajarin yg lain gitu?" goes on with the
        articles' own words."""
        indexed = self._retriever().keyword.idf
        names = self._router().corpus_names
        return bool(turn.places or turn.unknown_names) or any(
            w.casefold() in names or not any(t in indexed for t in tokenize(w, lexicon=self.lexicon))
            for w in turn.need)

    def _foreign_pair(self, decision: Decision) -> bool | None:
        """"Tokyo sama Beijing kembaran sejak kapan?" names two foreign cities; the records hold only
        Indonesian cities' partners. None when the question is not about such a pair; else whether
        a passage names both (the articles' famous pairs, Coventry and Stalingrad)."""
        own = decision.own or decision.turn
        places = own.places
        if len(places) < 2 or any(p.kind != "partner" for p in places):
            return None
        if "which" in own.intents or re.search(r"\bindonesia", own.norm):
            return None  # "kota Indonesia mana yang kembaran sama Busan dan Kochi?" asks the records
        return bool(passages_naming(self._search(decision, k=self.settings.top_k).hits, places))

    def _foreign_pair_message(self, turn: Turn) -> str:
        return "\n".join([self.phrases.get("foreign_pair", pair=" – ".join(p.name for p in turn.places)),
                          self.phrases.get("place_offer_partner", place=turn.places[0].name),
                          self.phrases.get("what_i_can_answer")])

    def _topic_not_in_sources(self, turn: Turn) -> str | None:
        """A topic people ask about near this domain (the legal basis, worldwide statistics) that no
        indexed text mentions. Checked against the corpus each time: once a document about it is
        added, the question is answered from it."""
        matches = list(self.routing.topics_not_in_sources.find(turn.norm))
        if self.routing.asks_who.search(turn.norm):
            # "siapa gubernurnya?": the person holding an office, which the sources may never name.
            matches += self.routing.person_roles.find(" ".join(turn.text.casefold().split()))
        for match in matches:
            if not self._corpus_holds(match.group()):
                return self._as_typed(turn.text, match.group())
        when = self.routing.recent_time.search(turn.norm)
        if when and not self._corpus_holds(when.group()):
            # "UMR bogor tahun ini brp": what was asked, at that time.
            said = self._as_typed(turn.text, when.group())
            typed = turn.text.casefold()
            asked = [self._as_typed(turn.text, w) for w in turn.need_besides_names
                     if w.casefold() in typed and w.casefold() not in said.casefold()][:2]
            return " ".join([*asked, said])
        first = any(not turn.norm[m.end():].lstrip().startswith("kali")
                    for m in self.routing.world_first.find(turn.norm))
        if self.routing.world_scope.search(turn.norm) and (
                self.routing.world_ranking.search(turn.norm) or first
                or (self.routing.asks_number.search(turn.norm) and "year" not in turn.intents)):
            # "kota mana di dunia yang sister city-nya paling banyak?": examples, never world figures
            return self.routing.world_figures_label
        return None

    def _corpus_holds(self, phrase: str) -> bool:
        """Does an indexed text use this (normalized) topic? A phrase ("sister cities international",
        "cara daftar") word for word; a single word as itself or its root."""
        router = self._router()
        if " " in phrase:
            return router.corpus_mentions(phrase)
        return phrase in router.corpus_words or stem(phrase) in router.corpus_roots

    def _as_typed(self, text: str, phrase: str) -> str:
        """The words of the message that normalize to this phrase, as the user wrote them
        ("Sister Cities International", not "sister city internasional"); the phrase if none do."""
        words = list(re.finditer(r"[\w-]+", text))
        wanted = phrase.split()
        for i in range(len(words) - len(wanted) + 1):
            window = words[i:i + len(wanted)]
            if [normalize(w.group(), self.lexicon) for w in window] == wanted:
                return text[window[0].start():window[-1].end()]
        return phrase

    def _terms_never_mentioned(self, turn: Turn) -> tuple[str, ...]:
        """"Apa itu teori realisme?", "jelasin transit oriented development": a definition asked for
        a real word that no indexed text contains at all. The sources can't define what they never
        mention, however close the rest of the question sounds. The same holds for a difference
        ("bedanya sister province sama friendship city?"), even between the domain's own terms."""
        router = self._router()
        names = [m.group() for m in self.routing.strong_domain.find(turn.norm)]
        if len(names) >= 2 and self.routing.asks_difference.search(turn.norm):
            # Two names of the domain compared ("sister province" with "sister city"): the articles
            # must use each, not only the record tables.
            return tuple(self._as_typed(turn.text, n) for n in names if not router.corpus_mentions(n))
        if turn.article_aspects != {"concept"} or turn.strong_domain or turn.places:
            return ()  # "rahasia suksesnya apa sih?" asks about success stories, not a definition
        # The word itself or its root, not a synonym: the articles say "anggaran", never "APBD",
        # so they can't say what APBD is. A word with "-nya" points back ("rahasianya apa sih?":
        # the secret of what was just said), it names no term to define.
        return tuple(w for w in turn.need if w in router.known_words and w not in router.corpus_words
                     and stem(w) not in router.corpus_roots and not w.endswith("nya"))

    def _number_asked(self, text: str) -> str:
        """The words of the question from its "berapa" on (a few of them), to say what isn't covered."""
        # The first word that reads as one ("brp" is "berapa"), wherever the lexicon maps it from.
        first_words = {p.split()[0] for p in self.routing.asks_number.phrases}
        start = next((m.start() for m in re.finditer(r"[\w-]+", text)
                      if normalize(m.group(), self.lexicon) in first_words), None)
        words = text[start:].rstrip("?!. ").split() if start is not None else text.split()
        if start is not None and len(words) < 2:
            # "ngabisin dana berapa?": the words before a closing "berapa" say what is counted
            words = text.rstrip("?!. ").split()[-4:]
        asked = " ".join(words[:8])
        return asked[:1].casefold() + asked[1:]

    @staticmethod
    def _asks_when_it_began(turn: Turn) -> bool:
        """"sister city pertama kali ada tahun berapa?": the year of the beginning, nothing else asked."""
        return "year" in turn.intents and "history" in turn.aspects and not turn.need

    def _holds_number(self, text: str, asks_era: bool = False, asks_duration: bool = False) -> bool:
        """Digits or a number word ("lima tahun") in the text; for "pertama kali tahun berapa?", a
        Roman numeral too ("sesudah Perang Dunia II" dates the beginning); for "berapa lama?", a
        number followed by a unit of time ("lima tahun", "2 years")."""
        body = re.sub(r"\[\d+\]", " ", text)  # citation markers are not numbers
        words = re.findall(r"\w+", body.casefold())
        # "salah satu" (one of) and "satu sama lain" (each other) count nothing.
        idioms = {i for i, w in enumerate(words) if w == "satu" and ((i and words[i - 1] == "salah")
                                                                     or words[i + 1:i + 2] == ["sama"])}
        numbers = [i for i, w in enumerate(words)
                   if (w.isdigit() or w in self.routing.number_words) and i not in idioms]
        if asks_duration:
            return any(w in self.routing.duration_units for i in numbers for w in words[i + 1:i + 3])
        return bool(numbers) or (asks_era and bool(re.search(r"\b[IVX]{2,}\b", body)))

    @staticmethod
    def _asks_for_the_list(turn: Turn, wants_list: bool) -> bool:
        """"manfaatnya apa aja?", and "apa manfaat sister city?" too (the aspect and nothing else):
        the list whose heading names the aspect is the answer, wherever its items rank."""
        return "list" in turn.intents or (wants_list and not turn.need and len(turn.article_aspects) == 1)

    def _asks_to_go_on(self, decision: Decision) -> bool:
        """"maksudnya gimana?", "lebih detail dong": nothing asked but more of the previous answer."""
        own = decision.own
        return bool(decision.said_before and own is not None and not own.need and not own.places
                    and self.routing.goes_on.search(own.norm))

    def _asks_result(self, turn: Turn) -> bool:
        """"hasilnya bagi daerah?", "and the result?": what comes of the subject, nothing else."""
        return bool(turn.need) and set(turn.need) <= self.routing.continues_subject

    def _aspect_test(self, turn: Turn, asks_result: bool = False):
        """Does a sentence answer what kind of thing is asked: something besides what was named, the
        result, or the question's aspect?"""
        if turn.asks_besides and not turn.article_aspects - {"purpose"}:
            # "selain budaya, bidang apa lagi?": a sentence that adds ("Tidak cuma itu, …") answers it.
            return lambda text: bool(self.routing.besides_in_sentences.search(normalize(text, self.lexicon)))
        return self._aspect_named(turn, asks_result)

    def _aspect_named(self, turn: Turn, asks_result: bool = False):
        """Does a sentence name what the question asks about (its aspect)? For a question about the
        result, a sentence that says "Hasilnya?" (or follows it) does."""
        wanted = turn.article_aspects
        if "summary" in wanted:
            wanted = frozenset({"summary"})  # "in a nutshell, what is it?": the gist, not any definition
        elif "solution" in wanted:
            wanted = frozenset({"solution"})  # "cara mengatasi hambatan bahasa?": the remedy, not the hambatan
        if asks_result:
            # Only the result: the example or benefit asked before is what it is the result of.
            results = self.routing.continues_subject
            return lambda text: bool(results & set(re.findall(r"[\w-]+", normalize(text, self.lexicon))))
        return lambda text: bool(wanted and self.routing.answered_aspects(text, self.lexicon) & wanted)

    def _search(self, decision: Decision, k: int, leave_out: bool = False) -> RetrievalResult:
        """The best passages for the decision's question. With leave_out, the topics a "selain …"
        clause names don't count for keyword search (the vectors still read the whole question):
        "selain budaya, bidang apa lagi?" is not answered about culture."""
        query = decision.standalone
        left_out = self._left_out(decision.turn) if leave_out else frozenset()
        if decision.turn.strong_domain and self.routing.domain_names:
            # The sources call it "sister city", "twin cities" and "kota kembar" in turn: a question
            # using one name should meet passages using another.
            query = f"{query} ({', '.join(self.routing.domain_names)})"
        asked = set(normalize(query, self.lexicon).split())
        extra = [w for a in sorted(decision.turn.article_aspects) for w in self.routing.aspect_names.get(a, ())
                 if w not in asked]
        if extra:
            query = f"{query} {' '.join(extra)}"
        aspects = decision.turn.aspects
        if decision.turn.need:
            # "koordinasi yang jelek contohnya apa?": an example of that topic, not the case-study section.
            aspects = aspects - {"example"}
        stands_alone = self._stands_alone(decision)
        return self._retriever().search(query, k, kinds=("article",), aspects=aspects,
                                        ignore_terms=self._domain_stems() | left_out,
                                        # Phrasings are self-contained questions: a follow-up merged
                                        # with earlier turns reads like none of them.
                                        match_phrasings=stands_alone,
                                        # …but its own words may read like part of one.
                                        phrasings_of=None if stands_alone else self._own_words(decision))

    def _own_words(self, decision: Decision) -> str | None:
        """A follow-up's own text, when it asks something in words of its own ("yang mulai duluan
        siapa?", "yg tanda tangan siapa biasanya?"); None for "kenapa?" or "kalau Bandung?"."""
        own = decision.own
        if own is None or own.places:
            return None
        # Its words beyond cues: "trus solusinya gmn" says nothing a phrasing could match on its own.
        said = set(own.aspect_words)
        plain = self.routing.filler | self.routing.question_words | self.routing.follow_up.words \
            | (self.lexicon.stopwords if self.lexicon else frozenset())
        words = [w for w in re.findall(r"\w+", own.norm) if w not in plain and w not in said]
        return own.text if len(words) >= MIN_OWN_PHRASING_WORDS else None

    def _left_out(self, turn: Turn) -> frozenset[str]:
        """Stems of the topics a "selain …" clause leaves out."""
        return frozenset(tokenize(" ".join(turn.set_aside_words), lexicon=self.lexicon))

    def _stands_alone(self, decision: Decision) -> bool:
        """A turn that borrowed nothing, or only the concept's name and the section asked about
        ("trus pertukaran pelajar manfaatnya apa?" + "sister city"): it reads like a question of its own."""
        if not decision.context or decision.own is None:
            return True
        frame = set(normalize(" ".join([*self.routing.domain_names,
                                         *(w for names in self.routing.aspect_names.values() for w in names)]),
                              self.lexicon).split())
        borrowed = set(re.findall(r"\w+", normalize(decision.standalone, self.lexicon))) \
            - set(re.findall(r"\w+", normalize(decision.own.text, self.lexicon)))
        return borrowed <= frame

    def _out_of_scope_message(self, turn: Turn, uncovered: tuple[str, ...]) -> str:
        """Says plainly what is not covered, and what can be said about the place it names."""
        # The words the user typed ("visa"), not an aspect word they were read as ("susah" -> tantangan).
        typed = [w for w in uncovered if w in turn.need]
        # Words join with spaces ("nama wali menjabat"); named terms with "dan" ("sister province dan …").
        joiner = " dan " if any(" " in u for u in uncovered) else " "
        need = joiner.join(typed or uncovered or turn.need[:4])
        place = next(iter(turn.places), None)
        home = next((p for p in turn.places if p.kind in ("city", "province")), None)
        partner = next((p for p in turn.places if p.kind == "partner"), None)
        # A twinned pair ("Surabaya jauh gak dari Busan?") is offered as a pair.
        pair = (home, partner) if home and partner and self.records.pair(home.key, partner.key) else None
        named = " – ".join(p.name for p in pair) if pair else place.name if place else ""
        lines = []
        if place is not None and need:
            lines.append(self.phrases.get("no_data_about_place", need=need, place=named))
        elif need:
            lines.append(self.phrases.get("no_data_about", need=need))
        else:
            lines.append(self.phrases.get("refusal"))
            return "\n".join(lines)
        if pair:
            lines.append(self.phrases.get("place_offer_pair", place=named, first=pair[0].name, second=pair[1].name))
        elif place is not None:
            lines.append(self.phrases.get(f"place_offer_{'partner' if place.kind in ('partner', 'country') else 'city'}",
                                          place=place.name))
        lines.append(self.phrases.get("what_i_can_answer"))
        return "\n".join(lines)

    def _domain_stems(self) -> frozenset[str]:
        """Stems every passage shares ("kota", "kembar", "sister"): noise for keyword search."""
        if self._domain is None:
            words = " ".join(self.routing.strong_domain.phrases)
            self._domain = frozenset(tokenize(words, lexicon=self.lexicon))
        return self._domain

    def brief(self, subject: str, *, kind: str | None = None, title: str | None = None,
              date: str | None = None) -> Briefing:
        """A formal, fully cited briefing on a city, a pair ("Surabaya–Busan") or a topic."""
        from .briefing import build_briefing

        return build_briefing(self, subject, title=title, date=date, kind=kind, prompts_dir=self.settings.prompts_dir)

    def standalone(self, question: str, history: list[dict] | None = None) -> str:
        """The question rewritten to stand on its own, given the conversation so far."""
        text = strip_markup(clean_question(question, self.settings.max_question_chars, emoji_only_ok=True))
        return self._router().route(text, validate_history(history)).standalone

    def route(self, question: str, history: list[dict] | None = None) -> Decision:
        """How a question is understood: its path, standalone form and cues (for eval and debugging)."""
        text = strip_markup(clean_question(question, self.settings.max_question_chars, emoji_only_ok=True))
        return self._route(text, validate_history(history))

    def _route(self, text: str, turns: list[dict]) -> Decision:
        """The router's decision; a message the small-talk cues miss ("Can you talk a bit slower?")
        is small talk when the small-talk model says so (assistant/message_models.py). A message
        naming a place never is: "bandung lg ujan ga sih skrg" asks about Bandung, however chatty."""
        router = self._router()
        decision = replace(router.route(text, turns), message=text)
        small = self.message_models.get("smalltalk")
        if small is None or decision.path in ("smalltalk", "injection") or (decision.own or decision.turn).places:
            return decision
        if small.says_yes(self._message_vector(text)):
            return replace(decision, path="smalltalk", smalltalk=router.smalltalk_cue_kind(text) or "other")
        return decision

    def _reads_off_topic(self, decision: Decision) -> bool:
        """The off-topic model's word on a question every rule let through, when nothing in it
        holds on to the sources: no place, and not going on with the conversation's topic in its
        words ("prospek kerja jurusan hubungan internasional gimana?")."""
        off, own = self.message_models.get("offtopic"), decision.own or decision.turn
        if off is None or not decision.message or own.places or decision.context:
            return False
        if decision.corrections:
            return False  # misspelt words read unlike what it learned from ("prlu ngitung biaya … sistr city?")
        if self._goes_on_in_sources_words(decision):
            return False  # judged with its conversation's topic (_speaks_within_conversation)
        return off.says_yes(self._message_vector(decision.message))

    def _message_vector(self, text: str):
        """The message's embedding, computed once per message (small talk and off-topic both read it)."""
        seen, vector = self._last_vector  # one read: another thread may replace it meanwhile
        if seen != text:
            vector = embed_questions(self.index.embedder, [text])[0]
            self._last_vector = (text, vector)
        return vector

    def retrieve_for(self, question: str, history: list[dict] | None = None, k: int | None = None) -> list[Hit]:
        """The passages the article path reads for this question (after routing and correction)."""
        return self._search(self.route(question, history), k or self.settings.top_k).hits

    def _retriever(self) -> HybridRetriever:
        if self.retriever is None:
            self.retriever = self._new_retriever()
        return self.retriever

    def _new_retriever(self) -> HybridRetriever:
        self._router_cache = None  # the spelling vocabulary follows the corpus
        phrasings, errors = load_phrasings(self.settings.corpus_dir)
        for error in errors:
            log.warning("phrasings: %s", error)
        return HybridRetriever(self.index, self.index.embedder, self.lexicon, self.routing.fusion,
                               aspects_of=lambda text: self.routing.aspects_of(text, self.lexicon),
                               phrasings=phrasings)

    def _router(self) -> Router:
        if self._router_cache is None:
            retriever = self._retriever()
            documents = [c for c in retriever.chunks.values() if c.kind != "record"]
            texts = [f"{c.section} {c.text}" for c in documents]
            self._router_cache = build_router(self.routing, self.records, self.lexicon, texts,
                                              body_texts=[c.text for c in documents])
        return self._router_cache

    def _composer(self) -> Composer:
        return Composer(self._retriever(), self.phrases, self.routing.openers, self.routing.sentence_weights)
