"""Exports: real Word structure, Markdown and JSON with resolvable [n] markers, atomic writes."""
from __future__ import annotations

import json
import os
import re

import pytest
from docx import Document

from assistant.briefing import export
from assistant.errors import OutputError
from assistant.briefing import to_json, to_markdown, write_briefing, write_docx
from tests.test_briefing import (  # noqa: F401  (fixtures are used by name)
    article_chunks,
    briefings,
    retriever,
    store,
    summary_rows,
)

MARKER = re.compile(r"\[(\d+)\]")
KINDS = ["city", "pair", "topic"]


def _expected_partners(kind: str) -> list[str] | None:
    if kind == "city":
        return sorted(r["partner_city"] for r in summary_rows("surabaya"))
    if kind == "pair":
        return ["Busan"]
    return None


@pytest.mark.parametrize("kind", KINDS)
def test_docx_has_real_word_structure(briefings, tmp_path, kind):
    b = briefings[kind]
    path = write_docx(b, tmp_path / f"{kind}.docx")
    doc = Document(str(path))
    paragraphs = doc.paragraphs
    assert paragraphs[0].style.name == "Title" and paragraphs[0].text == b.title
    headings = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    assert headings == [s.heading for s in b.sections] + ["Sumber"]

    # Sources: a numbered list, in order, each with its URL as a real hyperlink.
    items = [p for p in paragraphs if p.style.name == "List Number"]
    assert len(items) == len(b.sources)
    for item, entry in zip(items, b.sources):
        assert item.text.startswith(entry.title)
        if entry.url:
            assert [h.address for h in item.hyperlinks] == [entry.url]
        else:
            assert "URL asli tidak diketahui" in item.text

    # Relationships: a real table with a header row, one row per record of the subject.
    partners = _expected_partners(kind)
    if partners is None:
        assert not doc.tables
    else:
        (table,) = doc.tables
        header = [c.text for c in table.rows[0].cells]
        assert header == ["Kota mitra", "Negara", "Tahun", "Bidang fokus", "Status", "Keyakinan", "Sumber"]
        assert table.rows[0]._tr.trPr.xpath("./w:tblHeader")
        assert sorted(row.cells[0].text for row in table.rows[1:]) == partners

    # Every [n] in the body (paragraphs and table cells) points at a listed source.
    body = [p.text for p in paragraphs if p.style.name != "List Number"]
    body += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    numbers = {int(n) for text in body for n in MARKER.findall(text)}
    assert numbers and numbers == set(range(1, len(b.sources) + 1))


def test_docx_keeps_the_seattle_note_with_its_sources(briefings, tmp_path):
    b = briefings["city"]
    doc = Document(str(write_docx(b, tmp_path / "s.docx")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Surabaya–Seattle" in text and "1991" in text and "1992" in text
    assert any("Seattle" in row.cells[0].text and "1991" in row.cells[2].text for row in doc.tables[0].rows)


@pytest.mark.parametrize("kind", KINDS)
def test_markdown_equivalent(briefings, tmp_path, kind):
    b = briefings[kind]
    path = write_briefing(b, tmp_path / f"{kind}.md", "md")
    text = path.read_text(encoding="utf-8")
    assert text == to_markdown(b)
    assert text.startswith(f"# {b.title}\n")
    assert re.findall(r"^## (.+)$", text, re.M) == [s.heading for s in b.sections] + ["Sumber"]
    body, sources = text.split("\n## Sumber\n")
    listed = re.findall(r"^(\d+)\. (.+)$", sources, re.M)
    assert [int(n) for n, _ in listed] == [e.n for e in b.sources]
    for (_, line), entry in zip(listed, b.sources):
        assert entry.title in line and (entry.url in line if entry.url else "URL asli tidak diketahui" in line)
    assert {int(n) for n in MARKER.findall(body)} == {e.n for e in b.sources}
    rows = [line for line in body.splitlines() if line.startswith("| ") and not line.startswith("| Kota mitra")]
    partners = _expected_partners(kind)
    assert sorted(r.split(" | ")[0][2:] for r in rows) == (partners or [])


@pytest.mark.parametrize("kind", KINDS)
def test_json_equivalent(briefings, tmp_path, kind):
    b = briefings[kind]
    path = write_briefing(b, tmp_path / f"{kind}.json")  # format from the suffix
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == to_json(b)
    assert data["kind"] == kind and data["title"] == b.title
    by_n = {s["n"]: s for s in data["sources"]}
    assert sorted(by_n) == list(range(1, len(b.sources) + 1))
    for section in data["sections"]:
        for sentence in section["sentences"]:
            assert all(n in by_n for n in sentence["citations"])
            if sentence["factual"]:
                assert sentence["citations"]
        for row in (section["table"] or {}).get("rows", []):
            assert row["sources"] and all(n in by_n for n in row["sources"])
    tables = [s["table"] for s in data["sections"] if s["table"]]
    partners = _expected_partners(kind)
    assert sorted(r["partner"] for t in tables for r in t["rows"]) == (partners or [])


@pytest.mark.parametrize("make_path", [
    lambda tmp: tmp / "no-such-dir" / "b.docx",  # missing folder
    lambda tmp: tmp / "a-file.txt" / "b.md",  # a file where a folder should be
    lambda tmp: tmp,  # a folder as the target
])
def test_unwritable_path_raises_output_error_naming_it(briefings, tmp_path, make_path):
    (tmp_path / "a-file.txt").write_text("x", encoding="utf-8")
    target = make_path(tmp_path)
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(OutputError) as info:
        write_briefing(briefings["city"], target, "docx" if target.suffix != ".md" else "md")
    assert str(target) in info.value.message and "tidak dapat ditulis" in info.value.message
    assert sorted(os.listdir(tmp_path)) == before


def test_failed_write_leaves_no_partial_file_and_keeps_the_old_one(briefings, tmp_path, monkeypatch):
    target = tmp_path / "brief.docx"
    target.write_bytes(b"old version")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export.os, "replace", broken_replace)
    with pytest.raises(OutputError) as info:
        write_docx(briefings["city"], target)
    assert str(target) in info.value.message
    assert target.read_bytes() == b"old version"
    assert os.listdir(tmp_path) == ["brief.docx"]  # no temp file left behind

    with pytest.raises(OutputError):
        write_briefing(briefings["city"], tmp_path / "new.md", "md")
    assert not (tmp_path / "new.md").exists()
    assert os.listdir(tmp_path) == ["brief.docx"]


def test_unknown_format_is_refused_before_touching_the_disk(briefings, tmp_path):
    with pytest.raises(OutputError) as info:
        write_briefing(briefings["city"], tmp_path / "b.pdf")
    assert "pdf" in info.value.message and "docx" in info.value.message
    assert not os.listdir(tmp_path)


def test_written_file_is_readable_by_others(briefings, tmp_path):
    path = write_briefing(briefings["topic"], tmp_path / "t.md", "md")
    assert path.stat().st_mode & 0o044 == 0o044  # not the 0600 of a temp file
