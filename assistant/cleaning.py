"""Generic cleaning of scraped or converted text into the blocks of a corpus article.

One set of rules for every source, instead of per-article recipes: the seed articles
(`assistant import-shared`) and every document added later go through the same steps.

1. the title repeated as the first line is dropped (it lives in the front matter);
2. page controls ("Share", "Tags") are dropped, and a site footer ("Related News",
   "Berita Terkait") is cut off with everything after it;
3. call-to-action paragraphs ("jangan lewatkan berita menarik lainnya…", "Semoga artikel ini
   bermanfaat… share…") are dropped wherever they stand, and so is a one-line teaser headline
   left dangling at the end once they are gone ("Ngomongin soal X, ternyata Y, loh!");
4. scraped bullet lists that ended up at the top of the page, away from the paragraphs that
   introduce them, are moved back: the sections that announce a list ("seperti:", "Ini dia
   beberapa tipsnya:", or a next paragraph pointing back "Nah, itu dia…") receive the stray
   items in order, split where the items change subject (measured with sentence embeddings).

The phrase lists live in prompts/cleaning.yaml, so a city can add its own site's boilerplate.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import ConfigError
from .text import split_sentences, tokenize

RULES_PATH = Path(__file__).resolve().parent.parent / "prompts" / "cleaning.yaml"
Embed = Callable[[list[str]], Sequence[Sequence[float]]]

HEADING_MAX_WORDS = 12
_ITEM = re.compile(r"^(?:[-*\u2022\u25aa\u25cf\u2013]|\d{1,2}[.)])\s+(?=\S)")
_SENTENCE_END = (".", ":", ",", ";")
# A headline: four or more capitalised words in a row ("ASPI Usulkan Konsep Kota Kembar").
_HEADLINE_RUN = re.compile(r"(?:\b[A-Z][\w-]*\b[\s,]+){3,}\b[A-Z][\w-]*")
TEASER_MAX_WORDS = 30
# Scrape leftovers that must never be indexed (the loader refuses files containing them).
_JUNK_PATTERNS = re.compile(r"Lastest News|Related News|MLB|Faj Lennon|VOI\.ID\. Inilah", re.I)


@dataclass(frozen=True)
class Block:
    """One heading, paragraph or list item of an article, in reading order."""

    kind: str  # "heading" | "paragraph" | "item"
    text: str


@dataclass(frozen=True)
class CleaningRules:
    """The phrase lists of prompts/cleaning.yaml, compiled."""

    footer_markers: frozenset[str]
    page_controls: frozenset[str]
    call_to_action: tuple[re.Pattern[str], ...]
    list_intro_cues: tuple[str, ...]
    list_back_references: tuple[str, ...]

    def is_call_to_action(self, text: str) -> bool:
        return any(p.search(text) for p in self.call_to_action)


def _strings(data: dict, key: str, path: Path) -> list[str]:
    items = data.get(key)
    if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
        raise ConfigError(f"{path.name}: {key!r} harus berupa daftar teks yang tidak kosong.")
    return [i.strip() for i in items]


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_PATH) -> CleaningRules:
    """Read and validate prompts/cleaning.yaml (cached)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"Aturan pembersihan {path} tidak bisa dibaca: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path.name} harus berisi pemetaan kunci -> daftar.")
    patterns = []
    for raw in _strings(data, "call_to_action", path):
        try:
            patterns.append(re.compile(raw, re.I))
        except re.error as exc:
            raise ConfigError(f"{path.name}: pola call_to_action {raw!r} tidak valid ({exc}).") from None
    return CleaningRules(
        footer_markers=frozenset(s.casefold() for s in _strings(data, "footer_markers", path)),
        page_controls=frozenset(s.casefold() for s in _strings(data, "page_controls", path)),
        call_to_action=tuple(patterns),
        list_intro_cues=tuple(s.casefold() for s in _strings(data, "list_intro_cues", path)),
        list_back_references=tuple(s.casefold() for s in _strings(data, "list_back_references", path)),
    )


# ---------------------------------------------------------------------------------------------
# Plain text -> blocks


def is_heading_line(line: str) -> bool:
    """Scraped headings are short lines that don't end like a sentence."""
    words = line.split()
    return 0 < len(words) <= HEADING_MAX_WORDS and not line.endswith(_SENTENCE_END)


def _continues(previous: str, line: str) -> bool:
    """A hard-wrapped line: the previous one stops mid-sentence and this one goes on in lowercase."""
    return bool(previous) and not previous.endswith((".", "!", "?", ":", ";", '"', "\u201d")) and line[:1].islower()


def blocks_from_text(raw: str) -> list[Block]:
    """Scraped or plain text -> blocks: one per line or wrapped paragraph, "- " lines as items."""
    blocks: list[Block] = []
    current: list[str] = []
    current_kind = ""

    def flush() -> None:
        nonlocal current_kind
        if current:
            text = " ".join(current)
            kind = current_kind or ("heading" if is_heading_line(text) else "paragraph")
            blocks.append(Block(kind, text))
            current.clear()
        current_kind = ""

    for line in raw.splitlines():
        stripped = " ".join(line.split())
        if not stripped:
            flush()
            continue
        marker = _ITEM.match(stripped)
        if marker:
            flush()
            current.append(stripped[marker.end():])
            current_kind = "item"
        elif current and _continues(current[-1], stripped):
            current.append(stripped)
        else:
            flush()
            current.append(stripped)
    flush()
    return blocks


# ---------------------------------------------------------------------------------------------
# The rules


def _key(text: str) -> str:
    return text.strip().rstrip(":").strip().casefold()


def _is_teaser(block: Block) -> bool:
    """A one-sentence headline pointing at another article ("…, ternyata ASPI Usulkan …, loh!")."""
    if block.kind != "paragraph":
        return False
    sentences = split_sentences(block.text)
    words = block.text.split()
    return (len(sentences) == 1 and len(words) <= TEASER_MAX_WORDS
            and (block.text.endswith("!") or bool(_HEADLINE_RUN.search(block.text))))


def strip_boilerplate(blocks: list[Block], rules: CleaningRules, title: str | None = None) -> list[Block]:
    """Steps 1-3: repeated title, page controls, site footer, calls-to-action, dangling teasers."""
    out = list(blocks)
    if title and out and _key(out[0].text) == _key(title):
        out = out[1:]
    out = [b for b in out if _key(b.text) not in rules.page_controls]
    footer_cut = False
    for i, block in enumerate(out):
        # A footer marker before any prose is a menu entry, not the start of the footer.
        seen_prose = any(b.kind == "paragraph" for b in out[:i])
        if seen_prose and block.kind != "item" and _key(block.text) in rules.footer_markers:
            out, footer_cut = out[:i], True
            break
    # From the end: calls-to-action, then teasers and headings they left dangling.
    trimmed = footer_cut
    while out:
        last = out[-1]
        if last.kind != "heading" and rules.is_call_to_action(last.text):
            trimmed = True
        elif not (trimmed and (last.kind == "heading" or _is_teaser(last))):
            break
        out.pop()
    return [b for b in out if b.kind == "heading" or not rules.is_call_to_action(b.text)]


def _announces_list(paragraph: str, rules: CleaningRules) -> bool:
    sentences = split_sentences(paragraph)
    last = sentences[-1].strip() if sentences else paragraph.strip()
    if last.endswith(":"):
        return True
    folded = last.casefold()
    return any(re.search(rf"\b{re.escape(cue)}\b", folded) for cue in rules.list_intro_cues)


def _points_back(paragraph: str, rules: CleaningRules) -> bool:
    sentences = split_sentences(paragraph)
    first = (sentences[0] if sentences else paragraph).casefold()
    return any(re.search(rf"\b{re.escape(cue)}\b", first) for cue in rules.list_back_references)


def _lexical_similarity(texts: list[str]) -> list[list[float]]:
    """TF-IDF cosine between texts (used when no embedder is given)."""
    bags = [Counter(tokenize(t)) for t in texts]
    df = Counter(term for bag in bags for term in bag)
    vectors = []
    for bag in bags:
        weights = {t: (1 + math.log(n)) * math.log(1 + len(bags) / df[t]) for t, n in bag.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        vectors.append({t: w / norm for t, w in weights.items()})
    return [[sum(w * b.get(t, 0.0) for t, w in a.items()) for b in vectors] for a in vectors]


def _embedding_similarity(texts: list[str], embed: Embed) -> list[list[float]]:
    vectors = [list(map(float, v)) for v in embed(texts)]
    norms = [math.sqrt(sum(x * x for x in v)) or 1.0 for v in vectors]
    return [[sum(x * y for x, y in zip(a, b)) / (na * nb) for b, nb in zip(vectors, norms)]
            for a, na in zip(vectors, norms)]


def segment(similarity: list[list[float]], groups: int) -> list[int]:
    """Sizes of `groups` contiguous runs that keep similar neighbours together.

    Maximises, over the runs, the mean pairwise similarity inside each run times its length
    (a one-item run scores 0), so a run breaks where the items change subject.
    """
    n = len(similarity)
    prefix = [[0.0] * (n + 1) for _ in range(n + 1)]
    for i in range(n):
        for j in range(n):
            prefix[i + 1][j + 1] = similarity[i][j] + prefix[i][j + 1] + prefix[i + 1][j] - prefix[i][j]

    def cohesion(start: int, end: int) -> float:
        size = end - start
        if size < 2:
            return 0.0
        block = prefix[end][end] - prefix[start][end] - prefix[end][start] + prefix[start][start]
        diagonal = sum(similarity[i][i] for i in range(start, end))
        return (block - diagonal) / (size - 1)

    best: dict[tuple[int, int], tuple[float, tuple[int, ...]]] = {(n, 0): (0.0, ())}
    for left in range(1, groups + 1):
        for start in range(n - left, -1, -1):
            options = [
                (cohesion(start, end) + best[(end, left - 1)][0], (end - start,) + best[(end, left - 1)][1])
                for end in range(start + 1, n - left + 2)
                if (end, left - 1) in best
            ]
            if options:
                best[(start, left)] = max(options)
    return list(best[(0, groups)][1])


def place_orphan_lists(blocks: list[Block], rules: CleaningRules, embed: Embed | None = None) -> list[Block]:
    """Step 4: list items stranded at the top go back under the sections that introduce them."""
    lead = 0
    while lead < len(blocks) and blocks[lead].kind == "item":
        lead += 1
    orphans, rest = blocks[:lead], blocks[lead:]
    if not orphans:
        return blocks
    # Sections: (index of the paragraph the list would follow, has items already).
    sections: list[list[int]] = []
    current: list[int] = []
    for i, block in enumerate(rest):
        if block.kind == "heading":
            sections.append(current)
            current = []
        else:
            current.append(i)
    sections.append(current)
    receivers: list[int] = []
    for members in sections:
        paragraphs = [i for i in members if rest[i].kind == "paragraph"]
        if not paragraphs or any(rest[i].kind == "item" for i in members):
            continue
        announced = _announces_list(rest[paragraphs[0]].text, rules)
        pointed_back = len(paragraphs) > 1 and _points_back(rest[paragraphs[1]].text, rules)
        if announced or pointed_back:
            receivers.append(paragraphs[0])
    if not receivers or len(orphans) < len(receivers):
        return blocks  # nothing announces a list: leave the items where the page had them
    texts = [b.text for b in orphans]
    similarity = _embedding_similarity(texts, embed) if embed is not None else _lexical_similarity(texts)
    sizes = segment(similarity, len(receivers)) if len(receivers) > 1 else [len(orphans)]
    after: dict[int, list[Block]] = {}
    position = 0
    for receiver, size in zip(receivers, sizes):
        after[receiver] = orphans[position : position + size]
        position += size
    out: list[Block] = []
    for i, block in enumerate(rest):
        out.append(block)
        out.extend(after.get(i, ()))
    return out


def clean_blocks(blocks: list[Block], *, title: str | None = None, rules: CleaningRules | None = None,
                 embed: Embed | None = None) -> list[Block]:
    """All four steps, in order."""
    rules = rules or load_rules()
    return place_orphan_lists(strip_boilerplate(blocks, rules, title), rules, embed)


def render_markdown(front_matter: dict, blocks: list[Block]) -> str:
    """Front matter + "# title" + blocks as Markdown (blank line between blocks, lists kept tight)."""
    front = yaml.safe_dump(front_matter, allow_unicode=True, sort_keys=False).strip()
    lines: list[str] = []
    previous = ""
    for block in blocks:
        line = f"## {block.text}" if block.kind == "heading" else f"- {block.text}" if block.kind == "item" else block.text
        if lines and not (block.kind == "item" and previous == "item"):
            lines.append("")
        lines.append(line)
        previous = block.kind
    return f"---\n{front}\n---\n\n# {front_matter['title']}\n\n" + "\n".join(lines) + "\n"


def find_junk(text: str) -> list[str]:
    """Lines that look like scrape boilerplate (used by tests and the loader's sanity check)."""
    return [ln for ln in text.splitlines() if _JUNK_PATTERNS.search(ln)]
