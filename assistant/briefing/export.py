"""Briefing -> Markdown, JSON or a real Word document, written atomically.

Every export carries the same content: sections of sentences with [n] markers, the
relationship tables, and the numbered source list the markers point to (one entry per document,
strongest kind first, weaker kinds marked). The Word layout itself lives in word.py. Files are written to a
temporary file next to the target and moved into place with os.replace, so a failed export never
leaves a half-written document behind. Labels and messages come from prompts/briefing.yaml: pass
the `phrases` of your prompts directory (None means the project's own).
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from ..config import DEFAULT_PROMPTS_DIR
from ..errors import OutputError
from ..prompts import Phrases, load_phrases
from .model import Briefing, Section, SourceEntry

FORMATS = ("docx", "md", "json")


def _phrases(phrases: Phrases | None) -> Phrases:
    return phrases or load_phrases(DEFAULT_PROMPTS_DIR, "briefing")


def _markers(citations: list[int]) -> str:
    return "".join(f"[{n}]" for n in citations)


def _sentence_text(text: str, citations: list[int]) -> str:
    return f"{text} {_markers(citations)}" if citations else text


def paragraphs(section: Section) -> list[str]:
    """The section's sentences joined into paragraphs (sentences of one passage stay together)."""
    out: list[tuple[int, list[str]]] = []
    for sentence in section.sentences:
        piece = _sentence_text(sentence.text, sentence.citations)
        if out and out[-1][0] == sentence.paragraph:
            out[-1][1].append(piece)
        else:
            out.append((sentence.paragraph, [piece]))
    return [" ".join(pieces) for _, pieces in out]


def source_description(entry: SourceEntry, labels: dict) -> str:
    """Everything an entry of the source list says before its URL: title, publisher, locators."""
    text = entry.title.rstrip(". ")
    if entry.publisher and entry.publisher.casefold() not in entry.title.casefold():
        text += f" — {entry.publisher}"
    text += "."
    if entry.sections:
        text += f" {labels['source_sections'].capitalize()}: {'; '.join(entry.sections)}."
    if entry.pairs:
        text += f" {labels['source_pairs'].capitalize()}: {'; '.join(entry.pairs)}."
    return text


def groups(b: Briefing) -> list[tuple[str, list[SourceEntry]]]:
    """The source list cut into its kinds, in list order: [(heading, entries)]."""
    out: list[tuple[str, list[SourceEntry]]] = []
    for entry in b.sources:
        if out and out[-1][0] == entry.group:
            out[-1][1].append(entry)
        else:
            out.append((entry.group, [entry]))
    return out


def drafted_by(b: Briefing, placeholder: str) -> str:
    """ "author, organisation" as configured, or the placeholder a drafter fills in."""
    return ", ".join(x for x in (b.author, b.organisation) if x) or placeholder


def kind_label(b: Briefing, labels: dict) -> str:
    """What kind of briefing it is, in words ("kota", "pasangan kota", "topik")."""
    return labels.get(f"kind_{b.kind}", b.kind)


# ---------------------------------------------------------------------------------------------
# Markdown


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(b: Briefing, phrases: Phrases | None = None) -> str:
    """The briefing as Markdown: headings, paragraphs with [n] markers, tables, sources by kind."""
    p = _phrases(phrases)
    labels, headings, document = p.raw("labels"), p.raw("headings"), p.raw("document")
    lines = [f"# {b.title}", "",
             f"**{labels['date']}:** {b.date}  ",
             f"**{labels['subject']}:** {b.subject} ({kind_label(b, labels)})  ",
             f"**{labels['author']}:** {drafted_by(b, document['author_placeholder'])}  ",
             f"**{labels['nature']}:** {labels['nature_value']}", ""]
    for section in b.sections:
        lines += [f"## {section.heading}", ""]
        for paragraph in paragraphs(section):
            lines += [paragraph, ""]
        if section.table is not None and section.table.rows:
            table = section.table
            lines.append("| " + " | ".join(_md_cell(c) for c in table.columns) + " |")
            lines.append("|" + "---|" * len(table.columns))
            for row in table.rows:
                lines.append("| " + " | ".join(_md_cell(c) for c in table.cells(row)) + " |")
            lines.append("")
    lines += [f"## {headings['sumber']}", ""]
    if b.sources:
        lines += [labels["source_list_intro"], ""]
    for group, entries in groups(b):
        lines += [f"### {group}", ""]
        for entry in entries:
            # An autolink keeps long URLs clickable in every Markdown viewer.
            where = f"<{entry.url}>" if entry.url else labels["no_url"]
            mark = f" — _{entry.mark}_" if entry.mark else ""
            lines.append(f"{entry.n}. {source_description(entry, labels)} {where}{mark}")
        lines.append("")
    if b.notes:
        lines += [f"_{labels['notes']}:_", ""] + [f"- {note}" for note in b.notes] + [""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# JSON


def to_json(b: Briefing) -> dict:
    """The briefing as plain data: sections -> sentences -> citations, table rows, sources."""
    sections = []
    for section in b.sections:
        table = None
        if section.table is not None:
            table = {
                "columns": list(section.table.columns),
                "fields": list(section.table.fields),
                "rows": [
                    {"city": r.city, "partner": r.partner, "country": r.country, "year": r.year, "focus": r.focus,
                     "status": r.status, "confidence": r.confidence, "sources": list(r.sources), "rel_id": r.rel_id}
                    for r in section.table.rows
                ],
            }
        sections.append({
            "heading": section.heading,
            "sentences": [
                {"text": s.text, "citations": list(s.citations), "kind": s.kind, "factual": s.factual,
                 "source_text": s.source_text, "locator": s.locator, "paragraph": s.paragraph}
                for s in section.sentences
            ],
            "table": table,
        })
    return {
        "title": b.title,
        "date": b.date,
        "subject": b.subject,
        "kind": b.kind,
        "author": b.author,
        "organisation": b.organisation,
        "created": b.created.isoformat(),
        "sections": sections,
        "sources": [{"n": e.n, "title": e.title, "url": e.url, "kind": e.kind, "group": e.group, "mark": e.mark,
                     "publisher": e.publisher, "sections": list(e.sections), "pairs": list(e.pairs)}
                    for e in b.sources],
        "notes": list(b.notes),
    }


# ---------------------------------------------------------------------------------------------
# Writing


def render(b: Briefing, fmt: str, phrases: Phrases | None = None) -> bytes:
    """The bytes of the briefing in one format ("docx", "md", "json")."""
    if fmt == "md":
        return to_markdown(b, phrases).encode("utf-8")
    if fmt == "json":
        return (json.dumps(to_json(b), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if fmt == "docx":
        from .word import render_docx  # python-docx is imported only when a Word file is made

        return render_docx(b, _phrases(phrases))
    raise OutputError(_phrases(phrases).get("bad_format", fmt=fmt, choices=", ".join(FORMATS)))


def _reason(exc: OSError, p: Phrases) -> str:
    reasons = p.raw("output_reasons")
    if isinstance(exc, FileNotFoundError):
        return reasons["missing_dir"]
    if isinstance(exc, NotADirectoryError):
        return reasons["not_a_dir"]
    if isinstance(exc, IsADirectoryError):
        return reasons["is_a_dir"]
    if isinstance(exc, PermissionError):
        return reasons["permission"]
    return reasons["other"].format(detail=exc.strerror or str(exc))


def write_briefing(b: Briefing, path: str | os.PathLike, fmt: str | None = None,
                   phrases: Phrases | None = None) -> Path:
    """Write the briefing atomically (temp file + os.replace); OutputError names the path."""
    p = _phrases(phrases)
    target = Path(path)
    fmt = (fmt or target.suffix.lstrip(".")).lower()
    data = render(b, fmt, p)  # render first: a rendering bug must not touch the file system
    if target.is_dir():
        raise OutputError(p.get("output_error", path=str(target), reason=p.raw("output_reasons")["is_a_dir"]))
    temp_name: str | None = None
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        # mkstemp creates 0600 files; a briefing is a document to share, so keep the usual mode.
        os.chmod(temp_name, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
        temp_name = None
    except OSError as exc:
        raise OutputError(p.get("output_error", path=str(target), reason=_reason(exc, p))) from exc
    finally:
        if temp_name is not None:
            try:
                os.unlink(temp_name)
            except OSError:
                pass
    return target


def write_docx(b: Briefing, path: str | os.PathLike, phrases: Phrases | None = None) -> Path:
    """Write the briefing as a Word document (atomically)."""
    return write_briefing(b, path, "docx", phrases)
