"""Load the articles in corpus/articles/*.md and the documents officials added in
corpus/documents/*.md (both Markdown with YAML front matter).

Each file is validated on its own: a malformed file is reported by name and reason and the
others still load, so one bad file never empties the index.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .cleaning import find_junk
from .errors import CorpusError

REQUIRED_FIELDS = ("id", "title", "language")
ARTICLES_DIR = "articles"  # the seed articles (assistant import-shared)
DOCUMENTS_DIR = "documents"  # documents added with `assistant add` or the admin page


@dataclass(frozen=True)
class Article:
    source_id: str
    title: str
    publisher: str
    url: str
    language: str
    body: str  # Markdown without front matter
    path: Path
    meta: dict = field(default_factory=dict)  # the whole front matter (provenance of added documents)


def parse_article(path: Path) -> Article:
    """Parse one article file or raise CorpusError saying what is wrong with it."""
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CorpusError(path.name, "bukan teks UTF-8") from None
    except OSError as exc:
        raise CorpusError(path.name, f"tidak bisa dibaca ({exc.strerror})") from None
    return parse_article_text(raw, path)


def parse_article_text(raw: str, path: Path) -> Article:
    """Parse the text of an article file (named by path) or raise CorpusError."""
    name = path.name
    if not raw.startswith("---"):
        raise CorpusError(name, "front matter tidak ada (berkas harus diawali '---')")
    parts = raw.split("\n---", 1)
    if len(parts) != 2:
        raise CorpusError(name, "front matter tidak ditutup dengan '---'")
    try:
        meta = yaml.safe_load(parts[0].lstrip("-\n"))
    except yaml.YAMLError as exc:
        reason = str(exc).splitlines()[0]
        raise CorpusError(name, f"front matter bukan YAML yang valid ({reason})") from None
    if not isinstance(meta, dict):
        raise CorpusError(name, "front matter harus berisi pasangan kunci: nilai")
    missing = [f for f in REQUIRED_FIELDS if not str(meta.get(f) or "").strip()]
    if missing:
        raise CorpusError(name, f"front matter tidak punya {', '.join(missing)}")
    body = parts[1].lstrip("-").strip()
    if not body:
        raise CorpusError(name, "isi artikel kosong")
    junk = find_junk(body)
    if junk:
        # Scrape boilerplate must never become a source: refuse the file rather than index it.
        raise CorpusError(name, f"berisi sisa scrape yang tidak boleh diindeks: {junk[0][:60]!r}")
    return Article(
        source_id=str(meta["id"]).strip(),
        title=str(meta["title"]).strip(),
        publisher=str(meta.get("publisher") or "").strip(),
        url=str(meta.get("url") or "").strip(),
        language=str(meta["language"]).strip(),
        body=body,
        path=path,
        meta=meta,
    )


def load_articles(corpus_dir: Path) -> tuple[list[Article], list[CorpusError]]:
    """All valid articles plus one CorpusError per file that could not be used."""
    articles: list[Article] = []
    errors: list[CorpusError] = []
    seen: dict[str, str] = {}
    paths = sorted((Path(corpus_dir) / ARTICLES_DIR).glob("*.md")) + sorted((Path(corpus_dir) / DOCUMENTS_DIR).glob("*.md"))
    for path in paths:
        try:
            article = parse_article(path)
        except CorpusError as exc:
            errors.append(exc)
            continue
        if article.source_id in seen:
            errors.append(CorpusError(path.name, f"id {article.source_id!r} sudah dipakai {seen[article.source_id]}"))
            continue
        seen[article.source_id] = path.name
        articles.append(article)
    return articles, errors
