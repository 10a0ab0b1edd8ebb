"""Bring the raw shared data into the project's own corpus/ (run once; the result is committed).

The raw articles are scrapes: article 000 has every section's bullet list pulled to the top of
the file and a site footer ("Lastest News", "Related News") at the end; article 004 ends with a
site call-to-action. The recipes below say, per article, what is junk and where each list
belongs, so the cleaned Markdown holds only the article itself.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class ArticleRecipe:
    raw_name: str
    out_name: str
    front_matter: dict
    title_in_first_line: bool
    junk_starts_with: tuple[str, ...]  # a line starting with any of these begins junk to drop
    junk_through_end: tuple[str, ...]  # a line starting with any of these starts the site footer
    # Sizes of the bullet lists pulled to the top, in order, and the heading of the section whose
    # first paragraph introduces each ("seperti:", "Ini dia beberapa tipsnya:").
    lists: tuple[tuple[int, str], ...] = ()


RECIPES = (
    ArticleRecipe(
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
        title_in_first_line=False,
        # The sign-off asks readers to share and comment: a call-to-action like 004's, no facts.
        junk_starts_with=("Semoga artikel ini bermanfaat",),
        junk_through_end=("Lastest News", "Latest News", "Related News"),
        lists=(
            (5, "Apa Itu Sister City? Kenalan Dulu, Yuk!"),
            (5, "Peluang Emas di Balik Kerjasama Sister City"),
            (5, "Tantangan yang Mengintai: Apa Aja yang Perlu Diwaspadai?"),
            (3, "Studi Kasus: Contoh Sukses Kerjasama Sister City di Indonesia"),
            (5, "Tips Sukses Menjalin Kerjasama Sister City"),
        ),
    ),
    ArticleRecipe(
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
        title_in_first_line=True,
        # The "Ngomongin soal Twin Cities…" line is a teaser link to another VOI article.
        junk_starts_with=("Ngomongin soal Twin Cities",),
        junk_through_end=("Setelah mengetahui mengenal konsep twin cities, jangan lewatkan",),
    ),
)

_HEADING_MAX_WORDS = 12


def _is_heading(line: str) -> bool:
    """Scraped headings are short lines that don't end like a sentence."""
    words = line.split()
    return 0 < len(words) <= _HEADING_MAX_WORDS and not line.endswith((".", ":", ",", ";"))


def convert_article(raw: str, recipe: ArticleRecipe) -> str:
    """Raw scraped text -> cleaned Markdown with front matter."""
    lines = [ln.strip() for ln in raw.splitlines()]
    if recipe.title_in_first_line:
        lines = lines[1:]
    body: list[str] = []
    for ln in lines:
        if any(ln.startswith(j) for j in recipe.junk_through_end):
            break
        if not ln or any(ln.startswith(j) for j in recipe.junk_starts_with):
            continue
        body.append(ln)

    bullets = [ln for ln in body if ln.startswith("- ")]
    prose = [ln for ln in body if not ln.startswith("- ")]
    lists_by_heading: dict[str, list[str]] = {}
    pos = 0
    for size, heading in recipe.lists:
        lists_by_heading[heading] = bullets[pos : pos + size]
        pos += size
    if recipe.lists and pos != len(bullets):
        raise ValueError(f"{recipe.raw_name}: expected {pos} bullets, found {len(bullets)}")

    out: list[str] = []
    heading = None
    paragraphs_in_section = 0
    for ln in prose:
        if _is_heading(ln):
            heading = ln
            paragraphs_in_section = 0
            out.append(f"## {ln}")
            continue
        out.append(ln)
        paragraphs_in_section += 1
        # Each list follows the first paragraph of its section, which introduces it.
        if heading in lists_by_heading and paragraphs_in_section == 1:
            out.extend(lists_by_heading.pop(heading))
    if lists_by_heading:
        raise ValueError(f"{recipe.raw_name}: no section found for {list(lists_by_heading)}")

    front = yaml.safe_dump(recipe.front_matter, allow_unicode=True, sort_keys=False).strip()
    md_lines: list[str] = []
    for ln in out:
        # Blank line between blocks, but list items of one list stay together.
        if md_lines and not (ln.startswith("- ") and md_lines[-1].startswith("- ")):
            md_lines.append("")
        md_lines.append(ln)
    return f"---\n{front}\n---\n\n# {recipe.front_matter['title']}\n\n" + "\n".join(md_lines) + "\n"


RECORD_FILES = ("records.csv", "relationships_summary.csv", "candidates_unverified.csv")


def import_shared(shared_data: Path, corpus_dir: Path) -> list[Path]:
    """Write cleaned articles and copy the record tables into corpus/; returns the written paths."""
    written: list[Path] = []
    (corpus_dir / "articles").mkdir(parents=True, exist_ok=True)
    (corpus_dir / "records").mkdir(parents=True, exist_ok=True)
    for recipe in RECIPES:
        raw = (shared_data / "articles" / recipe.raw_name).read_text(encoding="utf-8")
        target = corpus_dir / "articles" / recipe.out_name
        target.write_text(convert_article(raw, recipe), encoding="utf-8")
        written.append(target)
    for name in RECORD_FILES:
        target = corpus_dir / "records" / name
        shutil.copyfile(shared_data / "sister-cities" / name, target)
        written.append(target)
    return written


_JUNK_PATTERNS = re.compile(r"Lastest News|Related News|MLB|Faj Lennon|VOI\.ID\. Inilah", re.I)


def find_junk(text: str) -> list[str]:
    """Lines that look like scrape boilerplate (used by tests and the loader's sanity check)."""
    return [ln for ln in text.splitlines() if _JUNK_PATTERNS.search(ln)]
