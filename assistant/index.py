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
PAGE = 5_000  # entries per Chroma get(): SQLite limits the variables of one query
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

    def _get_all(self, where: dict | None = None, include: list[str] | None = None) -> dict:
        """Collection.get over every matching entry, page by page: one call for all of them fails
        past ~30k entries ("too many SQL variables", measured at 100x the corpus)."""
        out: dict[str, list] = {"ids": [], "metadatas": [], "documents": []}
        offset = 0
        while True:
            rows = self._collection.get(where=where, include=include or [], limit=PAGE, offset=offset)
            out["ids"] += rows["ids"]
            for key in ("metadatas", "documents"):
                out[key] += rows.get(key) or []
            if len(rows["ids"]) < PAGE:
                return out
            offset += PAGE

    def count(self) -> int:
        return self._collection.count()

    def sync(self, chunks_by_file: dict[str, list[Chunk]], failed_files: set[str] = frozenset()) -> SyncReport:
        """Make the collection hold exactly these chunks; embed only what is new.

        Chunks of a file that failed to load this time are kept as they were: a broken edit
        must not wipe what was already indexed.
        """
        existing = self._get_all(include=["metadatas"])
        existing_files = {cid: (m or {}).get("file", "") for cid, m in zip(existing["ids"], existing["metadatas"])}
        wanted: dict[str, tuple[Chunk, str]] = {}
        for file, chunks in chunks_by_file.items():
            for chunk in chunks:
                wanted[chunk.chunk_id] = (chunk, file)
        stale = [cid for cid, file in existing_files.items() if cid not in wanted and file not in failed_files]
        new = [(c, f) for cid, (c, f) in wanted.items() if cid not in existing_files]
        if stale:
            self._collection.delete(ids=stale)
        self._embed_and_store(new)
        return SyncReport(added=len(new), removed=len(stale), unchanged=len(wanted) - len(new), rebuilt=self.rebuilt)

    def _embed_and_store(self, pairs: list[tuple[Chunk, str]], batch: int = 64) -> None:
        for start in range(0, len(pairs), batch):
            part = pairs[start : start + batch]
            vectors = self.embedder.embed_documents([c.embedding_text() for c, _ in part])
            self._collection.upsert(
                ids=[c.chunk_id for c, _ in part],
                embeddings=vectors,
                documents=[c.text for c, _ in part],
                metadatas=[_to_metadata(c, f) for c, f in part],
            )

    def add_chunks(self, file: str, chunks: list[Chunk]) -> int:
        """Embed and store the chunks of one file that aren't indexed yet (an added document)."""
        ids = list(dict.fromkeys(c.chunk_id for c in chunks))
        present = {cid for start in range(0, len(ids), PAGE)
                   for cid in self._collection.get(ids=ids[start : start + PAGE], include=[])["ids"]}
        new = {c.chunk_id: (c, file) for c in chunks if c.chunk_id not in present}
        self._embed_and_store(list(new.values()))
        return len(new)

    def remove_source(self, source_id: str) -> int:
        """Delete every chunk of one source (a removed document); returns how many there were."""
        ids = self._get_all(where={"source_id": source_id})["ids"]
        if ids:
            self._collection.delete(ids=ids)
        return len(ids)

    def chunk_counts(self) -> dict[str, int]:
        """Number of indexed passages per source_id, sentence entries not counted (document list, admin)."""
        counts: dict[str, int] = {}
        rows = self._get_all(where={"kind": {"$ne": "sentence"}}, include=["metadatas"])
        for meta in rows["metadatas"]:
            source = (meta or {}).get("source_id", "")
            counts[source] = counts.get(source, 0) + 1
        return counts

    @property
    def keyword_dir(self):
        """Where the persisted keyword index of this collection lives: beside the embedded Chroma
        files, or (with a Chroma server, which holds no local files) in the data dir."""
        s = self.settings
        if s.chroma_host:
            return s.data_dir / f"keyword-{s.chroma_host}-{s.chroma_port}-{s.collection}"
        return s.index_dir / f"keyword-{s.collection}"

    def chunk_ids(self) -> list[str]:
        """The ids of every stored entry (cheap: no documents or vectors are read)."""
        return self._get_all()["ids"]

    def passage_ids(self) -> list[str]:
        """The ids of the passages (articles, documents, records), without their sentence entries."""
        return self._get_all(where={"kind": {"$ne": "sentence"}})["ids"]

    def get_chunks(self, ids: list[str], batch: int = 2_000) -> list[Chunk]:
        """The stored chunks with these ids (missing ids are skipped), in no particular order."""
        out: list[Chunk] = []
        for start in range(0, len(ids), batch):
            rows = self._collection.get(ids=ids[start : start + batch], include=["documents", "metadatas"])
            out += [_from_row(i, d, m) for i, d, m in zip(rows["ids"], rows["documents"], rows["metadatas"])]
        return out

    def keyword_texts(self, ids: list[str]) -> dict[str, str]:
        """chunk_id -> the text the keyword index tokenizes (section heading + passage)."""
        from .keyword_index import keyword_text

        return {c.chunk_id: keyword_text(c) for c in self.get_chunks(ids)}

    def all_chunks(self) -> list[Chunk]:
        """Every chunk in the collection (the keyword index is built from these)."""
        rows = self._get_all(include=["documents", "metadatas"])
        return [_from_row(i, d, m) for i, d, m in zip(rows["ids"], rows["documents"], rows["metadatas"])]

    def search(self, query_vector: list[float], k: int, kinds: tuple[str, ...] | None = None) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) of the k nearest entries, optionally only of some kinds."""
        n = min(k, self.count())
        if n == 0:
            return []
        where = None
        if kinds:
            where = {"kind": kinds[0]} if len(kinds) == 1 else {"kind": {"$in": list(kinds)}}
        result = self._collection.query(query_embeddings=[query_vector], n_results=n, include=["distances"],
                                        where=where)
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(result["ids"][0], result["distances"][0])]

