"""Assistant: the one facade that app.py, the CLI and the HTTP API call."""
from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field

from .answer import compose_answer, is_in_scope, looks_like_injection
from .chunking import chunk_article
from .config import Settings
from .conversation import resolve_follow_up, validate_history
from .corpus import load_articles
from .embeddings import make_embedder
from .errors import CorpusError, InvalidQuestion
from .index import ChromaIndex, SyncReport
from .prompts import load_phrases
from .record_answers import answer_from_records
from .records import RecordStore
from .retrieval import HybridRetriever
from .schema import Answer, Hit

log = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_MARKUP = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]{0,200}>", re.I | re.S)
RECORDS_FILE = "records"  # the name chunks of the record tables are filed under in the index


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


def clean_question(question: object, max_chars: int) -> str:
    """Normalize a user question or raise InvalidQuestion with an Indonesian message."""
    if not isinstance(question, str):
        raise InvalidQuestion("Pertanyaan harus berupa teks.")
    if len(question) > max_chars:
        raise InvalidQuestion(
            f"Pertanyaannya kepanjangan ({len(question)} karakter, maksimal {max_chars}). "
            "Coba diringkas jadi satu-dua kalimat ya."
        )
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", question))
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise InvalidQuestion('Pertanyaannya masih kosong nih. Coba ketik sesuatu, misalnya "Apa itu sister city?"')
    if not any(ch.isalnum() for ch in text):
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
        self.retriever: HybridRetriever | None = None

    @classmethod
    def from_settings(cls, settings: Settings | None = None, *, ingest_if_needed: bool = True) -> "Assistant":
        """Open the index (building it if missing or built with another model) and load records."""
        settings = settings or Settings.from_env()
        embedder = make_embedder(settings.embedder)
        index = ChromaIndex(settings, embedder)
        records, record_errors = RecordStore.load(settings.corpus_dir / "records")
        for error in record_errors:
            log.warning("records: %s", error.message)
        assistant = cls(settings, index, records, record_errors)
        # No manifest = never built, or an ingest crashed midway: sync() finishes it (only missing chunks are embedded).
        if ingest_if_needed and (index.rebuilt or not index.is_complete()):
            report = assistant.ingest()
            log.info("index built: %s", report.sync.summary())
        else:
            assistant.retriever = HybridRetriever(index, embedder)
        return assistant

    @property
    def ready(self) -> bool:
        return self.retriever is not None and bool(self.retriever.chunks)

    def ingest(self) -> IngestReport:
        """Bring the index in line with corpus/: embed new chunks, drop stale ones, keep the rest."""
        articles, errors = load_articles(self.settings.corpus_dir)
        records, record_errors = RecordStore.load(self.settings.corpus_dir / "records")
        self.records, self.record_errors = records, record_errors
        chunks_by_file = {a.path.name: chunk_article(a) for a in articles}
        failed = {e.path.split(":")[0] for e in errors}
        if record_errors and not records.relationships:
            failed.add(RECORDS_FILE)  # unreadable tables: keep the records already indexed
        else:
            chunks_by_file[RECORDS_FILE] = records.chunks()
        sync = self.index.sync(chunks_by_file, failed_files=failed)
        self.retriever = HybridRetriever(self.index, self.index.embedder)
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
            text = clean_question(question, self.settings.max_question_chars)
            turns = validate_history(history)
        except InvalidQuestion as exc:
            return Answer(question if isinstance(question, str) else "", exc.message, refused=True, route="invalid")
        if looks_like_injection(text):
            # Extractive answers can't be steered, but saying so beats a confusing answer.
            return Answer(text, self.phrases.get("injection"), refused=True, route="refusal")
        query = strip_markup(text)
        if not any(ch.isalnum() for ch in query):
            return Answer(text, self.phrases.get("no_letters"), refused=True, route="invalid")
        standalone = self.standalone(query, turns)
        from_records = answer_from_records(standalone, self.records, self.record_phrases)
        if from_records is not None:
            from_records.question = text
            from_records.standalone_question = standalone
            if from_records.refused:
                return self._with_article_context(from_records, standalone)
            return from_records
        return self._answer_from_articles(text, standalone)

    def _indonesian_places(self, text: str) -> set[str]:
        return {p.key for p in self.records.find_places(text) if p.kind in ("city", "province")}

    def _answer_from_articles(self, question: str, standalone: str) -> Answer:
        result = self._retriever().search(standalone, self.settings.top_k)
        # A foreign country alone ("presiden Amerika") doesn't make a question about twinning.
        if not is_in_scope(standalone, result, names_a_place=bool(self._indonesian_places(standalone))):
            return Answer(question, self.phrases.get("refusal"), refused=True, route="refusal",
                          standalone_question=standalone)
        return compose_answer(question, standalone, result, self._retriever(), self.phrases)

    def _with_article_context(self, no_record: Answer, standalone: str) -> Answer:
        """Two Indonesian places are never a record pair ("Jakarta and IKN aren't twinned"); add
        what the articles say when a passage talks about both."""
        places = self._indonesian_places(standalone)
        if len(places) < 2:
            return no_record
        articles = self._answer_from_articles(no_record.question, standalone)
        cited = [c for c in articles.citations if c.source_id and not c.source_id.startswith("record:")]
        if articles.refused or not any(places <= self._indonesian_places(c.text) for c in cited):
            return no_record
        bridge = self.phrases.get("records_then_articles")
        articles.answer = f"{no_record.answer}\n\n{bridge}\n\n{articles.answer}"
        return articles

    def brief(self, subject: str, *, kind: str | None = None, title: str | None = None,
              date: str | None = None):
        """A formal, fully cited briefing on a city, a pair ("Surabaya–Busan") or a topic."""
        from .briefing import build_briefing

        return build_briefing(self, subject, title=title, date=date, kind=kind)

    def standalone(self, question: str, history: list[dict] | None = None) -> str:
        """The question rewritten to stand on its own, given the conversation so far."""
        return resolve_follow_up(question, validate_history(history), self.records.find_places)

    def _retriever(self) -> HybridRetriever:
        if self.retriever is None:
            self.retriever = HybridRetriever(self.index, self.index.embedder)
        return self.retriever
