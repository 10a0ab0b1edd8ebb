"""The keyword half of hybrid retrieval: BM25 persisted on disk and memory-mapped at start.

Built with bm25s (scores stored as a sparse term x passage matrix) next to the Chroma index
(index/keyword/). A process opening the index memory-maps the matrix instead of reading and
tokenizing every passage, so start-up time and memory stay flat as the corpus grows. The
matrix is rebuilt whenever the set of passages in Chroma changes (a fingerprint of their ids is
kept beside it); the tokens of passages already seen are cached, so an added document costs
only its own tokenizing (Sastrawi stemming is the slow part).

Scores are exactly those of classic BM25 (k1=1.5, b=0.75, idf = ln(1 + (N - df + .5)/(df + .5)),
tf·(k1+1)/(tf + k1·(1 - b + b·len/avglen))): the refusal gate's keyword threshold keeps its meaning.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Protocol

import numpy as np

from .schema import Chunk
from .text import Lexicon, load_lexicon, tokenize

log = logging.getLogger(__name__)

K1, B = 1.5, 0.75
FORMAT_VERSION = "4"  # bump when what is stored changes: forces a rebuild
MANIFEST = "manifest.json"
IDS_FILE = "chunk_ids.json"
TOKENS_FILE = "tokens.jsonl"  # chunk_id -> tokens, reused by the next rebuild
TERMS_FILE = "doc_terms.npy"  # every passage's term ids, one after another (memory-mapped)
STARTS_FILE = "doc_starts.npy"  # where each passage's terms start in TERMS_FILE
_build_lock = threading.Lock()


class ChunkSource(Protocol):
    """What the keyword index needs from the Chroma index (assistant.index.ChromaIndex)."""

    def passage_ids(self) -> list[str]: ...

    def keyword_texts(self, ids: list[str]) -> dict[str, str]: ...


def _bm25s():
    """The bm25s module, imported on first use (it costs ~0.3 s) and kept quiet."""
    import bm25s

    # bm25s sets its own logger to DEBUG on import: "Building index from tokens" on every build.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


def keyword_text(chunk: Chunk) -> str:
    """What BM25 sees of a passage: its section heading, its list's intro sentence, its text."""
    context = chunk.metadata.get("context") or ""
    return f"{chunk.section} {context} {chunk.text}"


def lexicon_signature(lexicon: Lexicon) -> str:
    """A digest of the word lists that decide the tokens (another lexicon -> another index)."""
    parts = [sorted(lexicon.phrases.items()), sorted(lexicon.words.items()), sorted(lexicon.stopwords),
             sorted(lexicon.keep_bigrams), sorted(lexicon.no_stem), sorted(lexicon.stem_synonyms.items())]
    return hashlib.sha1(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def fingerprint(chunk_ids: list[str], tokenizer: str = "") -> str:
    """Identifies a set of passages (regardless of order) tokenized one way."""
    digest = hashlib.sha1(f"{FORMAT_VERSION}:{tokenizer}".encode())
    for cid in sorted(chunk_ids):
        digest.update(cid.encode("utf-8") + b"\n")
    return digest.hexdigest()


class _Idf(Mapping):
    """term -> idf, from the stored document frequencies (computed once, vectorised)."""

    def __init__(self, vocab: dict[str, int], df: np.ndarray, n_docs: int) -> None:
        # bm25s adds an empty token to the vocabulary that has no column: ids past df are not terms.
        self._vocab = {t: i for t, i in vocab.items() if i < len(df) and df[i] > 0}
        self._idf = np.log(1 + (n_docs - df + 0.5) / (df + 0.5)) if len(df) else np.zeros(0)

    def __getitem__(self, term: str) -> float:
        return float(self._idf[self._vocab[term]])

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and term in self._vocab

    def __iter__(self) -> Iterator[str]:
        return iter(self._vocab)

    def __len__(self) -> int:
        return len(self._vocab)

    def values(self) -> list[float]:  # type: ignore[override]  (a list is enough for max()/sum())
        return [float(self._idf[i]) for i in self._vocab.values()]


class _DocTokens(Mapping):
    """chunk_id -> Counter of its terms, read from the memory-mapped term lists (no token held in memory)."""

    def __init__(self, chunk_ids: list[str], terms: np.ndarray, starts: np.ndarray, vocab: dict[str, int]) -> None:
        self._row = {cid: i for i, cid in enumerate(chunk_ids)}
        self._terms, self._starts = terms, starts
        self._names = {i: t for t, i in vocab.items()}

    def __getitem__(self, chunk_id: str) -> Counter:
        row = self._row[chunk_id]
        ids = self._terms[self._starts[row] : self._starts[row + 1]]
        return Counter(self._names[int(i)] for i in ids)

    def __iter__(self) -> Iterator[str]:
        return iter(self._row)

    def __len__(self) -> int:
        return len(self._row)


class PersistedKeywordIndex:
    """search(tokens, k) -> [(chunk_id, score)] and idf, over a memory-mapped bm25s matrix."""

    def __init__(self, directory: Path, chunk_ids: list[str]) -> None:
        bm25s = _bm25s()
        self.directory = directory
        self.chunk_ids = chunk_ids
        if chunk_ids:
            self._bm25 = bm25s.BM25.load(str(directory), mmap=True, show_progress=False)
            vocab = self._bm25.vocab_dict
            df = np.diff(np.asarray(self._bm25.scores["indptr"]))
            terms = np.load(directory / TERMS_FILE, mmap_mode="r")
            starts = np.load(directory / STARTS_FILE, mmap_mode="r")
        else:
            self._bm25, vocab, df = None, {}, np.zeros(0, dtype=np.int64)
            terms, starts = np.zeros(0, dtype=np.int32), np.zeros(1, dtype=np.int64)
        self.idf: Mapping[str, float] = _Idf(vocab, df, len(chunk_ids))
        # The terms of each passage, for callers that weigh the words a passage shares with a question.
        self.doc_tokens: Mapping[str, Counter] = _DocTokens(chunk_ids, terms, starts, vocab)

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def search(self, query_tokens: list[str], k: int,
               allowed: Callable[[str], bool] | None = None) -> list[tuple[str, float]]:
        """The k best passages for the query terms (only ids `allowed` accepts), best first."""
        terms = [t for t in dict.fromkeys(query_tokens) if t in self.idf]
        if not terms or self._bm25 is None or k <= 0:
            return []
        scores = self._bm25.get_scores(terms) * (K1 + 1)  # bm25s (lucene) leaves out the (k1+1) factor
        positive = np.flatnonzero(scores > 0)
        order = positive[np.argsort(-scores[positive], kind="stable")]
        out: list[tuple[str, float]] = []
        for i in order:
            cid = self.chunk_ids[i]
            if allowed is None or allowed(cid):
                out.append((cid, float(scores[i])))
                if len(out) == k:
                    break
        return out


def _load_tokens(directory: Path) -> dict[str, list[str]]:
    path = directory / TOKENS_FILE
    cache: dict[str, list[str]] = {}
    if not path.exists():
        return cache
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            cid, _, tokens = line.rstrip("\n").partition("\t")
            cache[cid] = tokens.split(" ") if tokens else []
    return cache


def build(directory: Path, chunk_ids: list[str], tokens: list[list[str]], tokenizer: str = "",
          extra: Mapping[str, tuple[str, list[str]]] | None = None) -> None:
    """Write the BM25 matrix, ids, token cache and manifest to `directory` (replaced atomically).

    `extra`: passage id -> (cache key, tokens of the questions users ask about it). Their words are
    searched with the passage but are not its own terms (`doc_tokens`), which say what the source holds.
    """
    bm25s = _bm25s()
    extra = extra or {}
    # The questions add the words users type that the passage lacks, each once: repeating the
    # passage's own words, or one word per question, would outweigh the passage's text.
    searched = [terms + sorted(set(extra[cid][1]) - set(terms)) if cid in extra else terms
                for cid, terms in zip(chunk_ids, tokens)]
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = directory.with_name(f"{directory.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    if chunk_ids:
        model = bm25s.BM25(k1=K1, b=B, method="lucene")
        model.index(searched, show_progress=False)
        model.save(str(staging), show_progress=False)
        vocab = model.vocab_dict
        lengths = np.array([len(t) for t in tokens], dtype=np.int64)
        np.save(staging / STARTS_FILE, np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64))
        np.save(staging / TERMS_FILE, np.array([vocab[t] for terms in tokens for t in terms], dtype=np.int32))
    (staging / IDS_FILE).write_text(json.dumps(chunk_ids), encoding="utf-8")
    with (staging / TOKENS_FILE).open("w", encoding="utf-8") as handle:
        for cid, terms in zip(chunk_ids, tokens):
            handle.write(f"{cid}\t{' '.join(terms)}\n")
        for key, terms in extra.values():
            handle.write(f"{key}\t{' '.join(terms)}\n")
    keys = chunk_ids + [key for key, _ in extra.values()]
    manifest = {"format": FORMAT_VERSION, "fingerprint": fingerprint(keys, tokenizer), "tokenizer": tokenizer,
                "count": len(chunk_ids)}
    (staging / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    # Swap directories: readers that still map the old files keep them until they let go.
    old = directory.with_name(f"{directory.name}.old-{os.getpid()}-{threading.get_ident()}")
    if directory.exists():
        os.replace(directory, old)
    os.replace(staging, directory)
    shutil.rmtree(old, ignore_errors=True)


def _manifest(directory: Path) -> dict:
    try:
        return json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def expansion_key(chunk_id: str, text: str) -> str:
    """Cache key of a passage's expansion: changes when the questions do."""
    return f"{chunk_id}+{hashlib.sha1(text.encode('utf-8')).hexdigest()[:12]}"


def open_keyword_index(source: ChunkSource, directory: Path, lexicon: Lexicon | None = None,
                       expansions: Mapping[str, str] | None = None) -> PersistedKeywordIndex:
    """The keyword index for exactly the passages in `source`, rebuilt first if it is stale.

    `expansions`: passage id -> the questions users ask about it (corpus/phrasings), searched along
    with the passage ("negeri sakura" finds the passage that says "Tokyo").
    """
    directory = Path(directory)
    lexicon = lexicon or load_lexicon()
    tokenizer = lexicon_signature(lexicon)
    ids = source.passage_ids()
    present = set(ids)
    extra_keys = {cid: expansion_key(cid, text) for cid, text in (expansions or {}).items() if cid in present and text}
    wanted = fingerprint(ids + list(extra_keys.values()), tokenizer)
    with _build_lock:
        manifest = _manifest(directory)
        if manifest.get("fingerprint") != wanted:
            # Tokens cached under another lexicon are not these tokens.
            cache = _load_tokens(directory) if manifest.get("tokenizer") == tokenizer else {}
            missing = [cid for cid in ids if cid not in cache]
            texts = source.keyword_texts(missing) if missing else {}
            for cid in missing:
                cache[cid] = tokenize(texts.get(cid, ""), lexicon=lexicon)
            for cid, key in extra_keys.items():
                if key not in cache:
                    cache[key] = tokenize(expansions[cid], lexicon=lexicon)
            log.info("keyword index: rebuilding for %d passages (%d tokenized now)", len(ids), len(missing))
            build(directory, ids, [cache[cid] for cid in ids], tokenizer,
                  {cid: (key, cache[key]) for cid, key in extra_keys.items()})
        stored = json.loads((directory / IDS_FILE).read_text(encoding="utf-8"))
    return PersistedKeywordIndex(directory, stored)
