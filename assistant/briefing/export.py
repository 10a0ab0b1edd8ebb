"""Briefing -> Markdown, JSON or a real Word document, written atomically.

Every export carries the same content: sections of sentences with [n] markers, the
relationships table, and the numbered source list the markers point to. Files are written to a
temporary file next to the target and moved into place with os.replace, so a failed export never
leaves a half-written document behind. Labels and messages come from prompts/briefing.yaml: pass
the `phrases` of your prompts directory (None means the project's own).
"""
from __future__ import annotations

import io
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


def _paragraphs(section: Section) -> list[str]:
    """The section's sentences joined into paragraphs (sentences of one passage stay together)."""
    out: list[tuple[int, list[str]]] = []
    for sentence in section.sentences:
        piece = _sentence_text(sentence.text, sentence.citations)
        if out and out[-1][0] == sentence.paragraph:
            out[-1][1].append(piece)
        else:
            out.append((sentence.paragraph, [piece]))
    return [" ".join(pieces) for _, pieces in out]


def _source_line(entry: SourceEntry, no_url: str) -> str:
    where = f" — {entry.section}" if entry.section else ""
    return f"{entry.title}{where}. {entry.url or no_url}"


def _kind_label(b: Briefing, labels: dict) -> str:
    return labels.get(f"kind_{b.kind}", b.kind)


# ---------------------------------------------------------------------------------------------
# Markdown


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(b: Briefing, phrases: Phrases | None = None) -> str:
    """The briefing as Markdown: headings, paragraphs with [n] markers, a table, numbered sources."""
    p = _phrases(phrases)
    labels, headings = p.raw("labels"), p.raw("headings")
    lines = [f"# {b.title}", "", f"**{labels['date']}:** {b.date}  ",
             f"**{labels['subject']}:** {b.subject} ({_kind_label(b, labels)})", ""]
    for section in b.sections:
        lines += [f"## {section.heading}", ""]
        for paragraph in _paragraphs(section):
            lines += [paragraph, ""]
        if section.table is not None and section.table.rows:
            table = section.table
            lines.append("| " + " | ".join(_md_cell(c) for c in table.columns) + " |")
            lines.append("|" + "---|" * len(table.columns))
            for row in table.rows:
                lines.append("| " + " | ".join(_md_cell(c) for c in table.cells(row)) + " |")
            lines.append("")
    lines += [f"## {headings['sumber']}", ""]
    for entry in b.sources:
        url = entry.url
        line = _source_line(entry, labels["no_url"])
        if url:  # an autolink keeps long URLs clickable in every Markdown viewer
            line = line[: -len(url)] + f"<{url}>"
        lines.append(f"{entry.n}. {line}")
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
                "rows": [
                    {"partner": r.partner, "country": r.country, "year": r.year, "focus": r.focus,
                     "status": r.status, "confidence": r.confidence, "sources": list(r.sources), "rel_id": r.rel_id}
                    for r in section.table.rows
                ],
            }
        sections.append({
            "heading": section.heading,
            "sentences": [
                {"text": s.text, "citations": list(s.citations), "kind": s.kind, "factual": s.factual,
                 "source_text": s.source_text, "paragraph": s.paragraph}
                for s in section.sentences
            ],
            "table": table,
        })
    return {
        "title": b.title,
        "date": b.date,
        "subject": b.subject,
        "kind": b.kind,
        "sections": sections,
        "sources": [{"n": e.n, "title": e.title, "url": e.url, "section": e.section} for e in b.sources],
        "notes": list(b.notes),
    }


# ---------------------------------------------------------------------------------------------
# DOCX


def _add_hyperlink(paragraph, url: str, text: str) -> None:
    """A clickable link run (python-docx has no public API for adding one)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "0563C1")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.append(color)
    props.append(underline)
    run.append(props)
    text_el = OxmlElement("w:t")
    text_el.text = text
    text_el.set(qn("xml:space"), "preserve")
    run.append(text_el)
    link.append(run)
    paragraph._p.append(link)


def _mark_header_row(row) -> None:
    """Flag a table row as the header (repeats on every page, read as a header by screen readers)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def render_docx(b: Briefing, phrases: Phrases | None = None) -> bytes:
    """The briefing as a .docx: Title and Heading 1 styles, a real table, a numbered source list."""
    from docx import Document

    p = _phrases(phrases)
    labels, headings = p.raw("labels"), p.raw("headings")
    doc = Document()
    doc.core_properties.title = b.title
    doc.core_properties.subject = b.subject
    doc.add_heading(b.title, level=0)
    meta = doc.add_paragraph()
    meta.add_run(f"{labels['date']}: ").bold = True
    meta.add_run(b.date)
    meta.add_run("\n")
    meta.add_run(f"{labels['subject']}: ").bold = True
    meta.add_run(f"{b.subject} ({_kind_label(b, labels)})")
    for section in b.sections:
        doc.add_heading(section.heading, level=1)
        for paragraph in _paragraphs(section):
            doc.add_paragraph(paragraph)
        if section.table is not None and section.table.rows:
            table = doc.add_table(rows=1, cols=len(section.table.columns))
            table.style = "Table Grid"
            header = table.rows[0]
            _mark_header_row(header)
            for cell, name in zip(header.cells, section.table.columns):
                cell.text = ""
                cell.paragraphs[0].add_run(name).bold = True
            for row in section.table.rows:
                cells = table.add_row().cells
                for cell, value in zip(cells, section.table.cells(row)):
                    cell.text = value
    doc.add_heading(headings["sumber"], level=1)
    for entry in b.sources:
        item = doc.add_paragraph(style="List Number")
        where = f" — {entry.section}" if entry.section else ""
        item.add_run(f"{entry.title}{where}. ")
        if entry.url:
            _add_hyperlink(item, entry.url, entry.url)
        else:
            item.add_run(labels["no_url"]).italic = True
    if b.notes:
        notes = doc.add_paragraph()
        notes.add_run(f"{labels['notes']}: ").italic = True
        notes.add_run(" ".join(b.notes)).italic = True
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Writing


def render(b: Briefing, fmt: str, phrases: Phrases | None = None) -> bytes:
    """The bytes of the briefing in one format ("docx", "md", "json")."""
    if fmt == "md":
        return to_markdown(b, phrases).encode("utf-8")
    if fmt == "json":
        return (json.dumps(to_json(b), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if fmt == "docx":
        return render_docx(b, phrases)
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
