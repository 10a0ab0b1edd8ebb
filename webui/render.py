"""Answer text + citations -> safe HTML for the chat (pure functions, no gradio).

The core's answers are plain text: lines, "- " items (indented items are sub-items), [n] markers
and notes. Everything from the core or the user is escaped here; the only markup in the output is
the markup these functions write themselves.
"""
from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from assistant.records import source_label

_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?:[-•*]|(?P<number>\d{1,3})[.)])\s+(?P<body>.*\S)\s*$")
_MARKER = re.compile(r"\[(\d{1,3})\]")
TAB_WIDTH = 4


@dataclass
class Item:
    """One list item: its text, then any nested lists and continuation paragraphs, in order."""

    text: str
    children: list["Block"] = field(default_factory=list)


@dataclass
class ListBlock:
    ordered: bool
    items: list[Item] = field(default_factory=list)


@dataclass
class Paragraph:
    text: str


Block = ListBlock | Paragraph


@dataclass
class _Open:
    indent: int
    block: ListBlock


def _indent_width(prefix: str) -> int:
    return sum(TAB_WIDTH if ch == "\t" else 1 for ch in prefix)


def parse_answer(text: str) -> list[Block]:
    """Answer text as blocks: one paragraph per line, lists nested by indentation.

    A line that is not an item ends the open lists (so "Catatan: …" after a list is its own
    paragraph), unless it is indented deeper than an open item: then it continues that item.
    """
    blocks: list[Block] = []
    open_lists: list[_Open] = []
    for line in (text or "").splitlines():
        if not line.strip():
            open_lists = []
            continue
        match = _ITEM.match(line)
        if match is None:
            indent = _indent_width(line[: len(line) - len(line.lstrip())])
            while open_lists and open_lists[-1].indent >= indent:
                open_lists.pop()
            if open_lists:
                open_lists[-1].block.items[-1].children.append(Paragraph(line.strip()))
            else:
                blocks.append(Paragraph(line.strip()))
            continue
        indent = _indent_width(match["indent"])
        ordered = match["number"] is not None
        while open_lists and open_lists[-1].indent > indent:
            open_lists.pop()
        if open_lists and open_lists[-1].indent == indent and open_lists[-1].block.ordered != ordered:
            open_lists.pop()  # "- a" then "1. b" at the same depth: a new list of the other kind
        if not open_lists or open_lists[-1].indent < indent:
            new_list = ListBlock(ordered)
            if open_lists:
                open_lists[-1].block.items[-1].children.append(new_list)
            else:
                blocks.append(new_list)
            open_lists.append(_Open(indent, new_list))
        open_lists[-1].block.items.append(Item(match["body"].strip()))
    return blocks


@dataclass(frozen=True)
class RenderTexts:
    """The UI phrases the renderer needs (from prompts/ui.yaml)."""

    sources_summary: str = "Sumber ({count})"
    cite_prefix: str = "sumber "
    section_label: str = "Bagian:"
    links_label: str = "Tautan:"
    no_link: str = "Tautan asli tidak diketahui"
    note_prefixes: tuple[str, ...] = ("Catatan:",)


def citation_anchor(turn: int, n: int | str) -> str:
    """The element id of citation n of answer `turn` (unique within one chat)."""
    return f"akk-s-{int(turn)}-{int(n)}"


def render_inline(text: str, cited: Iterable[int], turn: int, texts: RenderTexts = RenderTexts()) -> str:
    """Escaped text whose [n] markers become links to citation n (only for n that was cited)."""
    known = set(cited)
    parts = _MARKER.split(text)  # even: text, odd: the number inside [n]
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            out.append(html.escape(part, quote=False))
        elif int(part) in known:
            out.append(f'<a class="akk-cite" href="#{citation_anchor(turn, part)}">'
                       f'<span class="akk-sr">{html.escape(texts.cite_prefix)}</span>[{int(part)}]</a>')
        else:
            out.append(f"[{html.escape(part)}]")
    return "".join(out)


def _render_blocks(blocks: list[Block], cited: set[int], turn: int, texts: RenderTexts) -> str:
    out = []
    for block in blocks:
        if isinstance(block, Paragraph):
            is_note = block.text.startswith(tuple(texts.note_prefixes))
            out.append(f'<p class="akk-note">' if is_note else "<p>")
            out.append(render_inline(block.text, cited, turn, texts) + "</p>")
        else:
            tag = "ol" if block.ordered else "ul"
            out.append(f"<{tag}>")
            for item in block.items:
                out.append("<li>" + render_inline(item.text, cited, turn, texts))
                out.append(_render_blocks(item.children, cited, turn, texts) + "</li>")
            out.append(f"</{tag}>")
    return "".join(out)


def render_answer_text(answer: str, cited: Iterable[int], turn: int, texts: RenderTexts = RenderTexts()) -> str:
    """The answer's lines, lists and [n] links as HTML (no sources)."""
    return _render_blocks(parse_answer(answer), set(cited), turn, texts)


def _first_words(text: str, count: int = 8) -> str:
    words = " ".join(text.split()).split(" ")
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


def citation_labels(citations: list[dict]) -> dict[int, str]:
    """A distinct label per citation: title · section, plus the passage's first words if still equal."""
    base = {}
    for c in citations:
        label = c.get("title") or "Sumber"
        section = c.get("section") or ""
        if section and section not in label:
            label = f"{label} · {section}"
        base[int(c["n"])] = label
    repeats = Counter(base.values())
    return {
        n: (f"{label}: “{_first_words(next(c for c in citations if int(c['n']) == n).get('text', ''))}”"
            if repeats[label] > 1 else label)
        for n, label in base.items()
    }


def citation_urls(citation: dict) -> list[str]:
    """Every source URL of a citation, in order, without repeats."""
    urls = list(citation.get("urls") or ([citation["url"]] if citation.get("url") else []))
    return list(dict.fromkeys(u for u in urls if u))


def link_label(url: str) -> str:
    """A short human name for a source link (site name, or what a dataset really is)."""
    return source_label(url)


def labelled_links(urls: list[str]) -> list[tuple[str, str]]:
    """(url, label) pairs; two pages of one site get numbered labels ("antaranews.com (2)")."""
    labels = [link_label(u) for u in urls]
    totals, seen = Counter(labels), Counter()
    out = []
    for url, label in zip(urls, labels):
        seen[label] += 1
        out.append((url, f"{label} ({seen[label]})" if totals[label] > 1 else label))
    return out


def _link(url: str, label: str) -> str:
    text = html.escape(label, quote=False)
    if url.startswith(("http://", "https://")):
        return f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">{text}</a>'
    return text  # never a link: a "javascript:" URL in the data must not become clickable


def render_links(urls: list[str]) -> str:
    """Source links with human labels, inline, separated by " · "."""
    return " · ".join(_link(url, label) for url, label in labelled_links(urls))


def render_link_list(urls: list[str]) -> str:
    """Source links with human labels as a list (one per line)."""
    items = "".join(f"<li>{_link(url, label)}</li>" for url, label in labelled_links(urls))
    return f'<ul class="akk-link-list">{items}</ul>' if items else ""


def render_sources(citations: list[dict], turn: int, texts: RenderTexts = RenderTexts()) -> str:
    """One collapsed "Sumber (n)" group; inside, one collapsed entry per citation (passage + links)."""
    if not citations:
        return ""
    labels = citation_labels(citations)
    out = [f'<details class="akk-sources"><summary>{html.escape(texts.sources_summary.format(count=len(citations)))}'
           '</summary><ol class="akk-source-list">']
    for c in citations:
        n = int(c["n"])
        passage = "<br>".join(html.escape(line, quote=False) for line in (c.get("text") or "").strip().splitlines())
        urls = citation_urls(c)
        links = render_links(urls) if urls else html.escape(texts.no_link)
        out.append(
            f'<li id="{citation_anchor(turn, n)}" class="akk-source-item"><details class="akk-source">'
            f'<summary><span class="akk-source-n">[{n}]</span> {html.escape(labels[n], quote=False)}</summary>'
            f'<blockquote>{passage}</blockquote>'
            f'<p class="akk-source-links"><span class="akk-muted">{html.escape(texts.links_label)}</span> {links}</p>'
            "</details></li>"
        )
    out.append("</ol></details>")
    return "".join(out)


def render_answer(data: dict, turn: int, texts: RenderTexts = RenderTexts()) -> str:
    """A whole answer message: text with [n] links, then its sources group (one line of HTML)."""
    citations = list(data.get("citations") or [])
    body = render_answer_text(data.get("answer", ""), (int(c["n"]) for c in citations), turn, texts)
    return f'<div class="akk-answer">{body}{render_sources(citations, turn, texts)}</div>'


def render_plain(text: str, css_class: str) -> str:
    """User text or a short status as one escaped HTML block (line breaks kept, no Markdown)."""
    lines = (text or "").strip().splitlines() or [""]
    return f'<div class="{css_class}">' + "<br>".join(html.escape(line, quote=False) for line in lines) + "</div>"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$])")


def escape_markdown(text: str) -> str:
    """Text shown through a Markdown component literally: no HTML, no formatting."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))
