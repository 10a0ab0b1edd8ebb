"""Articles -> chunks. Pure functions.

A chunk is one paragraph or one list item: small enough that a citation points at the exact
passage, never splitting a list item. The section heading travels with every chunk (in its
metadata and in the text that gets embedded), and the chunk id is a hash of its content so
re-ingesting an unchanged file does no work.
"""
from __future__ import annotations

import hashlib

from .corpus import Article
from .schema import Chunk

INTRO_SECTION = "Pendahuluan"
# Provenance of an added document that travels with each of its chunks (seed articles have none).
PROVENANCE_FIELDS = ("format", "source_file", "added", "date")


def chunk_id_for(source_id: str, section: str, text: str) -> str:
    """Stable id from content: same text in the same place -> same id."""
    digest = hashlib.sha1(f"{source_id}\x1f{section}\x1f{text}".encode("utf-8")).hexdigest()
    return f"{source_id}:{digest[:16]}"


def split_blocks(body: str) -> list[tuple[str, str, bool]]:
    """(section heading, block text, is list item) for every paragraph and list item."""
    section = INTRO_SECTION
    blocks: list[tuple[str, str, bool]] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append((section, " ".join(paragraph), False))
            paragraph.clear()

    for line in body.splitlines():
        stripped = line.strip()
        if stripped.startswith("# "):  # the document title, already in metadata
            flush()
            continue
        if stripped.startswith("## "):
            flush()
            section = stripped[3:].strip()
        elif stripped.startswith(("- ", "* ")):
            flush()
            blocks.append((section, stripped[2:].strip(), True))
        elif not stripped:
            flush()
        else:
            paragraph.append(stripped)
    flush()
    return blocks


def chunk_article(article: Article) -> list[Chunk]:
    """One chunk per paragraph or list item, each carrying source, title, section and url."""
    chunks = []
    provenance = {k: str(article.meta[k]) for k in PROVENANCE_FIELDS if article.meta.get(k)}
    for position, (section, text, list_item) in enumerate(split_blocks(article.body)):
        chunks.append(
            Chunk(
                chunk_id=chunk_id_for(article.source_id, section, text),
                source_id=article.source_id,
                title=article.title,
                section=section,
                url=article.url,
                text=text,
                kind="article",
                metadata={"position": position, "list_item": list_item, "publisher": article.publisher,
                          **provenance},
            )
        )
    return chunks
