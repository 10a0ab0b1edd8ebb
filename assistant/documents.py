"""Documents officials add (MoU PDFs, press-release pages, annual reports): the document library.

An added file is converted (assistant/convert.py), written as corpus Markdown with its
provenance in the front matter (original file name, format, sha256 of the file and of its
text, date added) to corpus/documents/<doc_id>.md, and only its own chunks are embedded into
the index. The same file (or the same text in another file) is refused. Removing a document
deletes its chunks from the index and its file. Every change is appended to the change log.

Nothing here touches a file that is already in the corpus: a document that fails to convert,
validate or embed leaves the corpus and the index exactly as they were.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .changelog import log_change
from .chunking import chunk_article, sentence_chunks
from .cleaning import Embed, render_markdown
from .convert import convert_bytes, detect_format
from .corpus import ARTICLES_DIR, DOCUMENTS_DIR, Article, load_articles, parse_article_text
from .errors import CorpusError, DocumentError
from .records import slug
from .schema import Chunk

DOC_ID_MAX_CHARS = 40
ORIGIN_ADDED = "ditambahkan"  # added with `assistant add` / the admin page
ORIGIN_SEED = "bawaan"  # the seed articles of `assistant import-shared`
_write_lock = threading.Lock()  # one add/remove at a time per process (CLI and admin page)

# "Kota Hoi An", "Dewan Kota Townsville", "Kabupaten Sleman", "Negara Bagian Niedersachsen".
_PLACE_CUE = r"\b(?:Kota|Kabupaten|Kab\.|Provinsi|Prefektur|Distrik|Negara Bagian|Region|City of)\s+"
_NAME_WORD = r"(?!(?:Kota|Kabupaten|Provinsi|Dan|Di|Yang|Serta)\b)[A-Z][\w'\u2019-]*"
_PLACE = re.compile(_PLACE_CUE + rf"({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})")


def place_names(text: str) -> list[str]:
    """Place-like names a text introduces with a cue word ("Kota Hoi An" -> "Hoi An"), in order.

    A capitalised word that also appears in lowercase in the text is an ordinary word in a
    title ("Kota Bersaudara"), not a name, and is left out.
    """
    lowered = {w for w in re.findall(r"\b[a-z][\w-]*\b", text)}
    names: dict[str, None] = {}
    for match in _PLACE.finditer(text):
        name = match.group(1).strip(" -")
        if any(word.casefold() in lowered for word in name.split()):
            continue
        names.setdefault(name, None)
    return list(names)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _text_hash(body: str) -> str:
    """Hash of the words of a body, so the same text saved in another file is still a duplicate."""
    return _sha256(" ".join(body.split()).casefold().encode("utf-8"))


@dataclass(frozen=True)
class DocumentInfo:
    """One text source of the corpus as the document list shows it."""

    doc_id: str
    title: str
    url: str
    format: str
    chunks: int
    added: str | None
    origin: str  # ORIGIN_ADDED | ORIGIN_SEED
    file: str  # path relative to the corpus dir
    source_file: str
    sha256: str
    date: str
    places: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """{doc_id, title, url, format, chunks, added} plus origin, source_file, date and places."""
        return {"doc_id": self.doc_id, "title": self.title, "url": self.url, "format": self.format,
                "chunks": self.chunks, "added": self.added, "origin": self.origin,
                "source_file": self.source_file, "date": self.date, "places": list(self.places)}


@dataclass(frozen=True)
class PreparedDocument:
    """A converted, validated document not written yet."""

    article: Article
    markdown: str
    chunks: list[Chunk]
    source_file: str
    format: str

    @property
    def doc_id(self) -> str:
        return self.article.source_id


@dataclass(frozen=True)
class AddResult:
    """What `add` did with one file."""

    doc_id: str
    title: str
    format: str
    chunks: int
    embedded: int
    file: str

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "title": self.title, "format": self.format, "chunks": self.chunks,
                "embedded": self.embedded, "file": self.file}


def _check_date(date: str | None) -> str:
    if not date:
        return ""
    try:
        return _dt.date.fromisoformat(date.strip()).isoformat()
    except ValueError:
        raise DocumentError("--date", f"tanggal {date!r} tidak valid; tulis YYYY-MM-DD, misalnya 2025-02-18") from None


def _check_url(url: str | None) -> str:
    url = (url or "").strip()
    if url and not re.match(r"^https?://[^\s/]+", url):
        raise DocumentError("--url", f"alamat {url!r} tidak valid; harus diawali http:// atau https://")
    return url


class DocumentLibrary:
    """The text sources of one corpus dir: seed articles (read-only here) and added documents."""

    def __init__(self, corpus_dir: Path) -> None:
        self.corpus_dir = Path(corpus_dir)
        self.dir = self.corpus_dir / DOCUMENTS_DIR

    def _articles(self) -> list[Article]:
        articles, _ = load_articles(self.corpus_dir)
        return articles

    def list(self, indexed_counts: dict[str, int] | None = None) -> list[DocumentInfo]:
        """Every seed article and added document; chunks from the index when counts are given."""
        out = []
        for article in self._articles():
            meta = article.meta
            added = article.path.parent.name == DOCUMENTS_DIR
            chunks = indexed_counts.get(article.source_id, 0) if indexed_counts is not None else len(chunk_article(article))
            out.append(DocumentInfo(
                doc_id=article.source_id, title=article.title, url=article.url,
                format=str(meta.get("format") or "md"), chunks=chunks,
                added=str(meta["added"]) if added and meta.get("added") else None,
                origin=ORIGIN_ADDED if added else ORIGIN_SEED,
                file=f"{article.path.parent.name}/{article.path.name}",
                source_file=str(meta.get("source_file") or article.path.name),
                sha256=str(meta.get("sha256") or ""), date=str(meta.get("date") or ""),
                places=tuple(place_names(f"{article.title}\n{article.body}")),
            ))
        return out

    def find(self, doc_id: str) -> DocumentInfo:
        """The document with this id, or DocumentError naming the ids that exist."""
        docs = self.list()
        for doc in docs:
            if doc.doc_id == doc_id:
                return doc
        known = ", ".join(d.doc_id for d in docs if d.origin == ORIGIN_ADDED) or "belum ada"
        raise DocumentError(doc_id, f"dokumen tidak ditemukan (dokumen yang ditambahkan: {known})")

    def prepare(self, data: bytes, name: str, *, title: str | None = None, url: str | None = None,
                date: str | None = None, embed: Embed | None = None,
                now: _dt.datetime | None = None) -> PreparedDocument:
        """Convert and validate one file into a corpus article; writes nothing."""
        shown = Path(name).name
        fmt = detect_format(shown)
        date, url = _check_date(date), _check_url(url)
        if title is not None and not title.strip():
            raise DocumentError("--title", "judul tidak boleh kosong")
        digest = _sha256(data)
        articles = self._articles()
        for article in articles:
            if article.meta.get("sha256") == digest:
                raise DocumentError(shown, f"berkas yang sama sudah ada sebagai {article.source_id} "
                                           f"(\"{article.title}\"); tidak ditambahkan lagi")
        converted = convert_bytes(data, shown, embed)
        title = " ".join((title or converted.title or Path(shown).stem.replace("-", " ").replace("_", " ")).split())
        doc_id = self._new_id(title or shown, articles)
        added = (now or _dt.datetime.now(_dt.timezone.utc).astimezone()).isoformat(timespec="seconds")
        front = {"id": doc_id, "title": title, "publisher": converted.publisher, "url": url or converted.url,
                 "date": date or converted.date, "language": converted.language or "id", "format": fmt,
                 "source_file": shown, "sha256": digest, "content_sha256": "", "added": added}
        target = self.dir / f"{doc_id}.md"
        try:
            body = parse_article_text(render_markdown(front, converted.blocks), target).body
            front["content_sha256"] = _text_hash(body)
            markdown = render_markdown(front, converted.blocks)
            article = parse_article_text(markdown, target)
        except CorpusError as exc:
            raise DocumentError(shown, exc.reason) from None
        for existing in articles:
            if (existing.meta.get("content_sha256") or _text_hash(existing.body)) == front["content_sha256"]:
                raise DocumentError(shown, f"isinya sama dengan dokumen yang sudah ada: {existing.source_id} "
                                           f"(\"{existing.title}\"); tidak ditambahkan lagi")
        chunks = chunk_article(article)
        if not chunks:
            raise DocumentError(shown, "tidak ada teks yang bisa diindeks di dalamnya")
        return PreparedDocument(article, markdown, chunks, shown, fmt)

    def _new_id(self, title: str, articles: list[Article]) -> str:
        """A readable id from the title, unique among sources and file names of both folders."""
        words, base = slug(title).split("-"), ""
        for word in words:  # whole words only, up to the limit
            if base and len(base) + 1 + len(word) > DOC_ID_MAX_CHARS:
                break
            base = f"{base}-{word}" if base else word[:DOC_ID_MAX_CHARS]
        base = base or "dokumen"
        taken = {a.source_id for a in articles} | {a.path.stem for a in articles}
        for folder in (ARTICLES_DIR, DOCUMENTS_DIR):
            taken |= {p.stem for p in (self.corpus_dir / folder).glob("*.md")}
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def write(self, prepared: PreparedDocument) -> Path:
        """Write the document's Markdown atomically (never over an existing file)."""
        target = prepared.article.path
        self.dir.mkdir(parents=True, exist_ok=True)
        if target.exists():
            raise DocumentError(target.name, "sudah ada berkas dengan nama ini; tidak ditimpa")
        handle, temp = tempfile.mkstemp(dir=self.dir, prefix=".tambah-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(prepared.markdown)
            os.replace(temp, target)
        except OSError as exc:
            Path(temp).unlink(missing_ok=True)
            raise DocumentError(target.name, f"tidak bisa ditulis ke {self.dir} ({exc.strerror})") from None
        return target

    def find_added(self, doc_id: str) -> DocumentInfo:
        """An added document by id; seed articles are refused with what to do instead."""
        doc = self.find(doc_id)
        if doc.origin != ORIGIN_ADDED:
            raise DocumentError(doc_id, "ini artikel bawaan (corpus/articles, dari import-shared), bukan dokumen "
                                        "yang ditambahkan; hapus berkasnya sendiri lalu jalankan `assistant ingest`")
        return doc

    def delete(self, doc_id: str) -> DocumentInfo:
        """Delete an added document's file (seed articles are refused)."""
        doc = self.find_added(doc_id)
        try:
            (self.corpus_dir / doc.file).unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise DocumentError(doc_id, f"berkas {doc.file} tidak bisa dihapus ({exc.strerror})") from None
        return doc


def _reload(assistant: Any) -> None:
    retriever = getattr(assistant, "retriever", None)
    if retriever is not None:
        retriever.reload()


def add_document(assistant: Any, data: bytes, name: str, *, title: str | None = None, url: str | None = None,
                 date: str | None = None, actor: str = "cli") -> AddResult:
    """Convert, store and index one file for a live Assistant; logged. Nothing changes on error."""
    from .importer import cleaning_embed

    settings = assistant.settings
    library = DocumentLibrary(settings.corpus_dir)
    with _write_lock:
        prepared = library.prepare(data, name, title=title, url=url, date=date, embed=cleaning_embed())
        path = library.write(prepared)
        try:
            embedded = assistant.index.add_chunks(path.name, prepared.chunks)
            # Sentence entries too, as `assistant ingest` stores them (sentence-level search).
            assistant.index.add_chunks(path.name, sentence_chunks(prepared.chunks))
        except BaseException:
            path.unlink(missing_ok=True)  # the corpus goes back to what it was
            try:
                assistant.index.remove_source(prepared.doc_id)
            except Exception:  # an unreachable index may be why we are here; the file is gone already
                pass
            raise
        _reload(assistant)
        result = AddResult(prepared.doc_id, prepared.article.title, prepared.format, len(prepared.chunks), embedded,
                           f"{DOCUMENTS_DIR}/{path.name}")
        log_change(settings.data_dir, actor, "add", doc_id=result.doc_id, title=result.title, format=result.format,
                   source_file=prepared.source_file, sha256=prepared.article.meta["sha256"], chunks=result.chunks)
    return result


def remove_document(assistant: Any, doc_id: str, actor: str = "cli") -> DocumentInfo:
    """Take an added document out of the index and the corpus; logged."""
    settings = assistant.settings
    library = DocumentLibrary(settings.corpus_dir)
    with _write_lock:
        doc = library.find_added(doc_id)
        removed = assistant.index.remove_source(doc_id)
        library.delete(doc_id)
        _reload(assistant)
        log_change(settings.data_dir, actor, "remove", doc_id=doc.doc_id, title=doc.title, format=doc.format,
                   source_file=doc.source_file, sha256=doc.sha256, chunks=doc.chunks, index_entries=removed)
    return doc


def document_places(corpus_dir: Path) -> dict[str, list[str]]:
    """doc_id -> the place-like names each text source mentions (for routing questions to documents)."""
    return {doc.doc_id: list(doc.places) for doc in DocumentLibrary(corpus_dir).list()}
