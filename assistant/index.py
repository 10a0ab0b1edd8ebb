"""The only module that talks to Chroma.

Embedded (persistent, in index/) by default; a Chroma server when CHROMA_HOST is set. The
collection records which embedding model built it: opening it with another model deletes and
rebuilds it rather than ever mixing vectors from two models.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_core.embeddings import Embeddings

from .config import Settings
from .embeddings import embedder_id
from .errors import IndexNotReady
from .schema import Chunk

log = logging.getLogger(__name__)

# Chunk fields stored as Chroma metadata; everything else in Chunk.metadata is stored as JSON.
_CORE_FIELDS = ("source_id", "title", "section", "url", "kind", "file")
SCHEMA_VERSION = "3"  # bump when stored chunk metadata changes: forces a rebuild


@dataclass(frozen=True)
class SyncReport:
    added: int
    removed: int
    unchanged: int
    rebuilt: bool  # the collection was rebuilt because the embedding model changed

    def summary(self) -> str:
        note = " (indeks dibangun ulang: model embedding atau format indeks berganti)" if self.rebuilt else ""
        return f"{self.added} ditambah, {self.removed} dihapus, {self.unchanged} tidak berubah{note}"


def _client(settings: Settings):
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if settings.chroma_host:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.index_dir), settings=chroma_settings)
    except Exception as exc:  # chromadb raises several unrelated types for "can't open"
        where = f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else settings.index_dir
        raise IndexNotReady(f"Indeks Chroma di {where} tidak bisa dibuka: {exc}") from exc


def _to_metadata(chunk: Chunk, file: str) -> dict:
    meta = {"source_id": chunk.source_id, "title": chunk.title, "section": chunk.section,
            "url": chunk.url, "kind": chunk.kind, "file": file}
    meta["extra"] = json.dumps(chunk.metadata, ensure_ascii=False, sort_keys=True)
    # Record fields are also stored flat so Chroma `where` filters can use them.
    for key, value in chunk.metadata.items():
        if isinstance(value, (str, int, float, bool)) and key not in meta:
            meta[key] = value
    return meta


def _from_row(chunk_id: str, text: str, meta: dict) -> Chunk:
    return Chunk(
        chunk_id=chunk_id,
        source_id=meta["source_id"],
        title=meta["title"],
        section=meta["section"],
        url=meta.get("url", ""),
        text=text,
        kind=meta.get("kind", "article"),
        metadata=json.loads(meta.get("extra") or "{}"),
    )


class ChromaIndex:
    """A Chroma collection of chunks, embedded with one known model."""

    def __init__(self, settings: Settings, embedder: Embeddings) -> None:
        self.settings = settings
        self.embedder = embedder
        self.model = embedder_id(embedder)
        self._client = _client(settings)
        self.rebuilt = False
        self._size: int | None = None
        self._collection = self._open_collection()

    def _open_collection(self):
        name = self.settings.collection
        wanted = {"embedder": self.model, "schema": SCHEMA_VERSION}
        existing = {c.name if hasattr(c, "name") else c for c in self._client.list_collections()}
        if name in existing:
            collection = self._client.get_collection(name, embedding_function=None)
            found = dict(collection.metadata or {})
            if all(found.get(k) == v for k, v in wanted.items()):
                return collection
            log.warning("Index built with %s (schema %s), now %s (schema %s): rebuilding",
                        found.get("embedder"), found.get("schema"), self.model, SCHEMA_VERSION)
            self._client.delete_collection(name)
            self.rebuilt = True
        return self._client.create_collection(
            name, embedding_function=None, metadata=wanted, configuration={"hnsw": {"space": "cosine"}}
        )

    def count(self) -> int:
        self._size = self._collection.count()  # remembered for search(): counting costs a call
        return self._size

    def sync(self, chunks_by_file: dict[str, list[Chunk]], failed_files: set[str] = frozenset()) -> SyncReport:
        """Make the collection hold exactly these chunks; embed only what is new.

        Chunks of a file that failed to load this time are kept as they were: a broken edit
        must not wipe what was already indexed.
        """
        existing = self._collection.get(include=["metadatas"])
        existing_files = {cid: (m or {}).get("file", "") for cid, m in zip(existing["ids"], existing["metadatas"])}
        wanted: dict[str, tuple[Chunk, str]] = {}
        for file, chunks in chunks_by_file.items():
            for chunk in chunks:
                wanted[chunk.chunk_id] = (chunk, file)
        stale = [cid for cid, file in existing_files.items() if cid not in wanted and file not in failed_files]
        new = [(c, f) for cid, (c, f) in wanted.items() if cid not in existing_files]
        if stale:
            self._collection.delete(ids=stale)
        batch = 64
        for start in range(0, len(new), batch):
            part = new[start : start + batch]
            vectors = self.embedder.embed_documents([c.embedding_text() for c, _ in part])
            self._collection.upsert(
                ids=[c.chunk_id for c, _ in part],
                embeddings=vectors,
                documents=[c.text for c, _ in part],
                metadatas=[_to_metadata(c, f) for c, f in part],
            )
        self._size = None
        return SyncReport(added=len(new), removed=len(stale), unchanged=len(wanted) - len(new), rebuilt=self.rebuilt)

    def all_chunks(self) -> list[Chunk]:
        """Every chunk in the collection (the keyword index is built from these)."""
        rows = self._collection.get(include=["documents", "metadatas"])
        return [_from_row(i, d, m) for i, d, m in zip(rows["ids"], rows["documents"], rows["metadatas"])]

    def search(self, query_vector: list[float], k: int, kinds: tuple[str, ...] | None = None) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) of the k nearest entries, optionally only of some kinds."""
        n = min(k, self._size if self._size is not None else self.count())
        if n == 0:
            return []
        where = None
        if kinds:
            where = {"kind": kinds[0]} if len(kinds) == 1 else {"kind": {"$in": list(kinds)}}
        result = self._collection.query(query_embeddings=[query_vector], n_results=n, include=["distances"],
                                        where=where)
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(result["ids"][0], result["distances"][0])]
