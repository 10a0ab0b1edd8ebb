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
from .text import split_sentences

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
    """One chunk per paragraph or list item, each carrying source, title, section and url.

    A list item also carries the sentence that introduces its list ("Ada banyak kegiatan konkret
    yang bisa dilakukan, seperti:") as context: "Pertukaran budaya" alone doesn't say it is an
    activity of sister cities, and questions ask for "kegiatan" far more often than for the item.
    """
    chunks = []
    provenance = {k: str(article.meta[k]) for k in PROVENANCE_FIELDS if article.meta.get(k)}
    intro = ""
    for position, (section, text, list_item) in enumerate(split_blocks(article.body)):
        if not list_item:
            sentences = split_sentences(text)
            intro = sentences[-1] if sentences and sentences[-1].rstrip().endswith(":") else ""
        metadata = {"position": position, "list_item": list_item, "publisher": article.publisher}
        if list_item and intro:
            metadata["context"] = intro
        chunks.append(
            Chunk(
                chunk_id=chunk_id_for(article.source_id, section, text),
                source_id=article.source_id,
                title=article.title,
                section=section,
                url=article.url,
                text=text,
                kind="article",
                metadata={**metadata, **provenance},
            )
        )
    return chunks


def item_label(text: str) -> str:
    """ "Peningkatan Ekonomi" for a list item written "Peningkatan Ekonomi: Ini salah satu…"."""
    head, colon, _ = text.partition(":")
    return head.strip() if colon and 0 < len(head.split()) <= 8 else ""


def sentence_id(passage_id: str, position: int) -> str:
    """The id of a passage's sentence entry: what the sentence vectors, the composer and the
    phrasings all refer to."""
    return f"{passage_id}#s{position}"


def sentence_chunks(chunks: list[Chunk]) -> list[Chunk]:
    """One kind="sentence" entry per sentence of each article chunk, for sentence-level search.

    A question often asks for one detail of a passage ("what is the solution to X?"); the
    sentence that holds it is found by its own vector. Each entry points back to its passage
    (metadata "parent") and embeds with the passage's heading and item label as context.
    """
    out = []
    for chunk in chunks:
        if chunk.kind != "article":
            continue
        label = item_label(chunk.text) if chunk.metadata.get("list_item") else ""
        for position, sentence in enumerate(split_sentences(chunk.text)):
            context = label if label and not sentence.startswith(label) else ""
            out.append(
                Chunk(
                    chunk_id=sentence_id(chunk.chunk_id, position),
                    source_id=chunk.source_id,
                    title=chunk.title,
                    section=chunk.section,
                    url=chunk.url,
                    text=sentence,
                    kind="sentence",
                    metadata={"parent": chunk.chunk_id, "position": position, "context": context},
                )
            )
    return out
