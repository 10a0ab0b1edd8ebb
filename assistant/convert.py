"""Files an official adds (.md, .txt, .html, .docx, text .pdf) -> title, metadata and clean blocks.

Each format is read with a well-kept library rather than a hand-written parser: trafilatura
finds the article in a web page (menus, cookie banners, sidebars and footers stay out),
python-docx reads Word structure (title, headings, lists, tables), pdfminer.six reads PDF text
lines with their font sizes and positions. The generic rules of assistant/cleaning.py then
remove what is left of site boilerplate. A file that can't be read raises DocumentError with a
message saying what is wrong and what to do.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .cleaning import Block, Embed, blocks_from_text, clean_blocks
from .errors import DocumentError
from .pdf_text import read_pdf

FORMATS = {".md": "md", ".markdown": "md", ".txt": "txt", ".html": "html", ".htm": "html",
           ".docx": "docx", ".pdf": "pdf"}
MAX_TITLE_CHARS = 200
MIN_WORDS = 8  # below this a "document" is a menu, a cover page or an empty page
_MD_ITEM = re.compile(r"^(?:[-*+]|\d{1,3}[.)])\s+")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


@dataclass
class ConvertedDocument:
    """A file turned into article blocks, with whatever metadata the file itself carries."""

    title: str
    blocks: list[Block]
    format: str
    url: str = ""
    date: str = ""
    publisher: str = ""
    language: str = "id"
    warnings: list[str] = field(default_factory=list)


def detect_format(name: str) -> str:
    """"md" | "txt" | "html" | "docx" | "pdf" from the file name, or DocumentError."""
    suffix = Path(name).suffix.lower()
    if suffix not in FORMATS:
        allowed = ", ".join(sorted({s for s in FORMATS if len(s) <= 5}))
        shown = suffix or "tanpa ekstensi"
        raise DocumentError(Path(name).name, f"format {shown} tidak didukung (yang bisa: {allowed})")
    return FORMATS[suffix]


def _plain(text: str) -> str:
    """Markdown inline markup -> plain text (links keep their words, images go)."""
    text = _MD_LINK.sub(lambda m: "" if m.group(0).startswith("!") else m.group(1), text)
    for _ in range(2):  # nested **_x_**
        text = _MD_EMPHASIS.sub(r"\2", text)
    return " ".join(text.split())


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data[:4096]:
        raise DocumentError(name, "bukan berkas teks (berisi data biner); simpan ulang sebagai .txt atau .md")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Windows editors still save Indonesian text as cp1252; every byte string decodes there,
        # so this never fails on real text.
        return data.decode("cp1252", errors="replace")


def _front_matter(text: str) -> tuple[dict, str]:
    if not text.startswith("---"):
        return {}, text
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        return {}, text
    try:
        meta = yaml.safe_load(parts[0].lstrip("-\n"))
    except yaml.YAMLError:
        return {}, text
    return (meta if isinstance(meta, dict) else {}), parts[1].lstrip("-").lstrip("\n")


def markdown_blocks(text: str) -> tuple[str, list[Block]]:
    """(first "# " heading, blocks) of Markdown: headings, paragraphs, list items, table rows."""
    title = ""
    blocks: list[Block] = []
    paragraph: list[str] = []
    item: list[str] = []
    table_header: list[str] | None = None
    in_code = False

    def flush() -> None:
        if paragraph:
            blocks.append(Block("paragraph", _plain(" ".join(paragraph))))
            paragraph.clear()
        if item:
            blocks.append(Block("item", _plain(" ".join(item))))
            item.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("```") or line.startswith("~~~"):
            flush()
            in_code = not in_code
            continue
        if in_code:
            if line:
                paragraph.append(line)
            continue
        if line.startswith(">"):
            line = line.lstrip("> ").strip()
        if not line or re.fullmatch(r"[-*_]{3,}", line):
            flush()
            table_header = None
            continue
        heading = _MD_HEADING.match(line)
        if heading:
            flush()
            words = _plain(heading.group(2))
            if heading.group(1) == "#" and not title and not blocks:
                title = words
            elif words:
                blocks.append(Block("heading", words))
            continue
        if line.startswith("|") and line.endswith("|"):
            flush()
            cells = [_plain(c) for c in line.strip("|").split("|")]
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                continue  # the |---|---| rule under the header
            if table_header is None:
                table_header = cells
            else:
                blocks.append(Block("item", _table_row(table_header, cells)))
            continue
        marker = _MD_ITEM.match(line)
        if marker:
            flush()
            item.append(line[marker.end():])
        elif item and raw[:1].isspace():
            item.append(line)  # an indented continuation of the item
        else:
            if item:
                flush()
            paragraph.append(line)
    flush()
    return title, [b for b in blocks if b.text]


def _table_row(header: list[str], cells: list[str]) -> str:
    """ "Program: Festival; Peserta: 40 perajin" — a row that reads on its own when cited."""
    parts = []
    for name, value in zip(header + [""] * len(cells), cells):
        value = value.strip()
        if value:
            parts.append(f"{name.strip()}: {value}" if name.strip() else value)
    return "; ".join(parts)


# ---------------------------------------------------------------------------------------------
# Formats


def _read_markdown(data: bytes, name: str) -> ConvertedDocument:
    meta, body = _front_matter(_decode(data, name))
    title, blocks = markdown_blocks(body)
    return ConvertedDocument(
        title=str(meta.get("title") or title or ""), blocks=blocks, format="md",
        url=str(meta.get("url") or ""), date=str(meta.get("date") or ""),
        publisher=str(meta.get("publisher") or ""), language=str(meta.get("language") or "id"),
    )


def _read_text(data: bytes, name: str) -> ConvertedDocument:
    blocks = blocks_from_text(_decode(data, name))
    title = ""
    if blocks and blocks[0].kind == "heading":
        title = blocks[0].text  # cleaning drops the repeated title line
    return ConvertedDocument(title=title, blocks=blocks, format="txt")


def _read_html(data: bytes, name: str) -> ConvertedDocument:
    import trafilatura

    html = _decode(data, name)
    if "<" not in html:
        raise DocumentError(name, "bukan halaman HTML")
    extracted = trafilatura.extract(html, output_format="markdown", include_tables=True, include_links=False,
                                    include_formatting=True, include_comments=False, include_images=False,
                                    # No de-duplication: trafilatura remembers text across calls in a process.
                                    favor_precision=True, deduplicate=False)
    if not extracted:
        raise DocumentError(name, "tidak ada isi artikel yang bisa diambil dari halaman ini")
    meta = trafilatura.extract_metadata(html)
    title, blocks = markdown_blocks(extracted)
    language = "id"
    match = re.search(r"<html[^>]*\blang=[\"']?([a-zA-Z]{2})", html[:2000])
    if match:
        language = match.group(1).lower()
    return ConvertedDocument(
        title=(meta.title if meta and meta.title else "") or title, blocks=blocks, format="html",
        url=(meta.url if meta and meta.url else "") or "", date=(meta.date if meta and meta.date else "") or "",
        publisher=(meta.sitename if meta and meta.sitename else "") or "", language=language,
    )


def _docx_kind(paragraph) -> str:
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    if style == "Title":
        return "title"
    if style.startswith("Heading") or style.startswith("Judul"):
        return "heading"
    properties = paragraph._p.pPr
    if style.startswith("List") or (properties is not None and properties.numPr is not None):
        return "item"
    return "paragraph"


def _read_docx(data: bytes, name: str) -> ConvertedDocument:
    import io

    from docx import Document
    from docx.table import Table

    try:
        document = Document(io.BytesIO(data))
    except Exception:  # python-docx raises many unrelated types on a malformed package
        raise DocumentError(name, "bukan berkas Word .docx yang valid (rusak, atau format .doc lama: "
                                  "simpan ulang sebagai .docx)") from None
    title = ""
    blocks: list[Block] = []
    for part in document.iter_inner_content():
        if isinstance(part, Table):
            rows = [[" ".join(cell.text.split()) for cell in row.cells] for row in part.rows]
            if not rows:
                continue
            header = rows[0]
            for cells in rows[1:]:
                # Merged cells repeat their text: keep each value once.
                row = _table_row(header, list(dict.fromkeys(cells)) if len(set(cells)) < len(cells) else cells)
                if row:
                    blocks.append(Block("item", row))
            continue
        text = " ".join(part.text.split())
        if not text:
            continue
        kind = _docx_kind(part)
        if kind == "title" and not title:
            title = text
        elif kind == "title":
            blocks.append(Block("heading", text))
        else:
            blocks.append(Block(kind, text))
    properties = document.core_properties
    return ConvertedDocument(title=(properties.title or "").strip() or title, blocks=blocks, format="docx",
                             publisher=(properties.author or "").strip())


def _read_pdf(data: bytes, name: str) -> ConvertedDocument:
    title, blocks, author = read_pdf(data, name)
    return ConvertedDocument(title=title, blocks=blocks, format="pdf", publisher=author)


_READERS = {"md": _read_markdown, "txt": _read_text, "html": _read_html, "docx": _read_docx, "pdf": _read_pdf}


def convert_bytes(data: bytes, name: str, embed: Embed | None = None) -> ConvertedDocument:
    """Read one file's bytes (format from its name) into a cleaned ConvertedDocument."""
    fmt = detect_format(name)
    shown = Path(name).name
    if not data.strip():
        raise DocumentError(shown, "berkasnya kosong")
    converted = _READERS[fmt](data, shown)
    converted.title = " ".join(converted.title.split())[:MAX_TITLE_CHARS]
    converted.blocks = clean_blocks(converted.blocks, title=converted.title or None, embed=embed)
    words = sum(len(b.text.split()) for b in converted.blocks if b.kind in ("paragraph", "item"))
    if words < MIN_WORDS:
        raise DocumentError(shown, f"terlalu sedikit teks untuk diindeks ({words} kata); "
                                   "apakah ini halaman menu atau dokumen kosong?")
    return converted


def convert_file(path: Path, embed: Embed | None = None) -> ConvertedDocument:
    """Read and convert a file on disk (see convert_bytes)."""
    path = Path(path)
    detect_format(path.name)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(path.name, "berkas tidak ditemukan") from None
    except IsADirectoryError:
        raise DocumentError(path.name, "ini folder, bukan berkas") from None
    except OSError as exc:
        raise DocumentError(path.name, f"tidak bisa dibaca ({exc.strerror})") from None
    return convert_bytes(data, path.name, embed)
