"""The only module that talks to Chroma.

Embedded (persistent, in index/) by default; a Chroma server when CHROMA_HOST is set. The
collection records which embedding model built it: opening it with another model deletes and
rebuilds it rather than ever mixing vectors from two models.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import wraps
from pathlib import Path

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
# Collection metadata key holding the manifest, written last by sync(): "" while an ingest runs,
# so a crash mid-ingest leaves an index that is visibly incomplete and is finished on next start.
MANIFEST_KEY = "manifest"


@dataclass(frozen=True)
class SyncReport:
    added: int
    removed: int
    unchanged: int
    rebuilt: bool  # the collection was rebuilt because the embedding model changed

    def summary(self) -> str:
        note = " (indeks dibangun ulang: model embedding atau format indeks berganti)" if self.rebuilt else ""
        return f"{self.added} ditambah, {self.removed} dihapus, {self.unchanged} tidak berubah{note}"


def _where(settings: Settings) -> str:
    return f"server Chroma {settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else str(settings.index_dir)


def _client(settings: Settings):
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if settings.chroma_host:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.index_dir), settings=chroma_settings)
    except Exception as exc:  # chromadb raises several unrelated types for "can't open"
        raise IndexNotReady(unavailable_message(settings, exc)) from exc


def unavailable_message(settings: Settings, exc: BaseException) -> str:
    """What an operator can do when the index can't be used (server down, corrupt or read-only store)."""
    if settings.chroma_host:
        return (f"Server indeks ({_where(settings)}) tidak bisa dihubungi. Pastikan `chroma run` berjalan; "
                f"asisten menyambung lagi sendiri begitu server kembali. ({type(exc).__name__})")
    index_dir = settings.index_dir
    if index_dir.exists() and not os.access(index_dir, os.W_OK):
        return (f"Folder indeks {index_dir} tidak bisa ditulis. Perbaiki izinnya, atau arahkan ASSISTANT_INDEX_DIR "
                "ke folder yang bisa ditulis lalu jalankan `assistant ingest`.")
    return (f"Indeks di {index_dir} rusak atau tidak bisa dibuka ({type(exc).__name__}: {str(exc)[:200]}). "
            "Bangun ulang dengan `assistant ingest --rebuild` (indeks lama disimpan di sampingnya).")


def set_aside_index(settings: Settings) -> Path | None:
    """Move an embedded index folder out of the way (kept for inspection) so a fresh one can be built."""
    index_dir = settings.index_dir
    if settings.chroma_host or not index_dir.exists():
        return None
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    target = index_dir.with_name(f"{index_dir.name}.rusak-{stamp}")
    try:
        index_dir.rename(target)
    except OSError as exc:
        raise IndexNotReady(f"Folder indeks {index_dir} tidak bisa dipindahkan: {exc.strerror or exc}. "
                            "Hapus atau pindahkan sendiri, lalu jalankan `assistant ingest`.") from None
    return target


@contextmanager
def build_lock(settings: Settings, *, wait: bool):
    """An embedded index is built by one process at a time (Chroma's embedded store is not safe for
    concurrent writers): exclusive when building (wait=True blocks), shared and non-blocking when
    only opening, so a replica retries later instead of reading a half-built index. A Chroma
    server serialises writes itself: no lock there."""
    if settings.chroma_host:
        yield
        return
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.index_dir / ".build.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexNotReady("Indeks sedang dibangun oleh proses lain (`assistant ingest`). "
                                "Asisten siap sendiri begitu selesai.") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _chroma_call(method):
    """Chroma failures while serving (server gone, store broken) become IndexNotReady: a 503, never a 500."""

    @wraps(method)
    def call(self: "ChromaIndex", *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except IndexNotReady:
            raise
        except Exception as exc:  # chromadb/httpx raise many unrelated types for "unreachable"
            log.warning("chroma %s failed: %s: %s", method.__name__, type(exc).__name__, exc)
            raise IndexNotReady(unavailable_message(self.settings, exc)) from exc

    return call


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
        try:
            with build_lock(settings, wait=False):
                self._client = _client(settings)
        except OSError as exc:  # the lock file itself can't be made: a read-only or missing folder
            raise IndexNotReady(unavailable_message(settings, exc)) from exc
        self.rebuilt = False
        self._collection = self._open_collection()

    def _open_collection(self):
        name = self.settings.collection
        wanted = {"embedder": self.model, "schema": SCHEMA_VERSION}
        try:
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
            # get_or_create: replicas starting together on one Chroma server may race to create it.
            return self._client.get_or_create_collection(
                name, embedding_function=None, metadata={**wanted, MANIFEST_KEY: ""},
                configuration={"hnsw": {"space": "cosine"}},
            )
        except Exception as exc:
            raise IndexNotReady(unavailable_message(self.settings, exc)) from exc

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

    @_chroma_call
    def drop(self) -> None:
        """Delete the collection and start an empty one (a rebuild on a Chroma server)."""
        self._client.delete_collection(self.settings.collection)
        self.rebuilt = True
        self._collection = self._open_collection()

    @_chroma_call
    def count(self) -> int:
        return self._collection.count()

    @_chroma_call
    def heartbeat(self) -> None:
        """Raise IndexNotReady unless Chroma answers right now (readiness checks)."""
        self._client.heartbeat()

    @_chroma_call
    def manifest(self) -> dict | None:
        """What the last completed ingest wrote (chunk count, time); None if none finished."""
        self._collection = self._client.get_collection(self.settings.collection, embedding_function=None)
        raw = (self._collection.metadata or {}).get(MANIFEST_KEY) or ""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    def is_complete(self) -> bool:
        """True when an ingest finished and the collection still holds what it wrote."""
        manifest = self.manifest()
        return manifest is not None and manifest.get("chunks") == self.count()

    def _write_manifest(self, manifest: dict | None) -> None:
        meta = {"embedder": self.model, "schema": SCHEMA_VERSION,
                MANIFEST_KEY: json.dumps(manifest, sort_keys=True) if manifest else ""}
        self._collection.modify(metadata=meta)

    @_chroma_call
    def sync(self, chunks_by_file: dict[str, list[Chunk]], failed_files: set[str] = frozenset()) -> SyncReport:
        """Make the collection hold exactly these chunks; embed only what is new.

        Chunks of a file that failed to load this time are kept as they were: a broken edit
        must not wipe what was already indexed.
        """
        with build_lock(self.settings, wait=True):
            return self._sync(chunks_by_file, failed_files)

    def _sync(self, chunks_by_file: dict[str, list[Chunk]], failed_files: set[str]) -> SyncReport:
        existing = self._get_all(include=["metadatas"])
        existing_files = {cid: (m or {}).get("file", "") for cid, m in zip(existing["ids"], existing["metadatas"])}
        wanted: dict[str, tuple[Chunk, str]] = {}
        for file, chunks in chunks_by_file.items():
            for chunk in chunks:
                wanted[chunk.chunk_id] = (chunk, file)
        stale = [cid for cid, file in existing_files.items() if cid not in wanted and file not in failed_files]
        new = [(c, f) for cid, (c, f) in wanted.items() if cid not in existing_files]
        if stale or new or self.manifest() is None:
            self._write_manifest(None)  # in progress: a crash from here on leaves no manifest
        if stale:
            self._collection.delete(ids=stale)
        self._embed_and_store(new)
        # Written last: its presence means every chunk above is stored.
        self._write_manifest({"chunks": self._collection.count(), "files": len(chunks_by_file),
                              "completed_at": datetime.now(timezone.utc).isoformat(timespec="seconds")})
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

    @property
    def phrasing_dir(self):
        """Where the vectors of the phrasings (corpus/phrasings) are cached, beside the keyword index."""
        keyword = self.keyword_dir
        return keyword.with_name("phrasings-" + keyword.name.removeprefix("keyword-"))

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

    @_chroma_call
    def passages(self) -> list[Chunk]:
        """Every passage (articles, documents, records) without the sentence entries: the
        retriever needs only these (a sentence is its passage's text, split again)."""
        rows = self._get_all(where={"kind": {"$ne": "sentence"}}, include=["documents", "metadatas"])
        return [_from_row(i, d, m) for i, d, m in zip(rows["ids"], rows["documents"], rows["metadatas"])]

    @_chroma_call
    def all_chunks(self) -> list[Chunk]:
        """Every chunk in the collection (the keyword index is built from these)."""
        rows = self._get_all(include=["documents", "metadatas"])
        return [_from_row(i, d, m) for i, d, m in zip(rows["ids"], rows["documents"], rows["metadatas"])]

    @_chroma_call
    def search(self, query_vector: list[float], k: int) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) of the k nearest entries (passages and sentences alike)."""
        n = min(k, self.count())
        if n == 0:
            return []
        result = self._collection.query(query_embeddings=[query_vector], n_results=n, include=["distances"])
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(result["ids"][0], result["distances"][0])]

