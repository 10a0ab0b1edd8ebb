"""Exports: real Word structure, Markdown and JSON with resolvable [n] markers, atomic writes."""
from __future__ import annotations

import json
import os
import re
import zipfile
from dataclasses import replace
from datetime import datetime, timezone

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
ALL = ["city", "pair", "topic", "unrecorded", "economy", "bandung"]


def _expected_partners(kind: str) -> list[str] | None:
    if kind == "city":
        return sorted(r["partner_city"] for r in summary_rows("surabaya"))
    if kind == "pair":
        return ["Busan"]
    return None


def source_items(doc) -> list:
    """The entries of the source list: paragraphs that start with "[n]<tab>"."""
    return [p for p in doc.paragraphs if re.match(r"^\[\d+\]\t", p.text)]


@pytest.mark.parametrize("kind", KINDS)
def test_docx_has_real_word_structure(briefings, tmp_path, kind):
    b = briefings[kind]
    path = write_docx(b, tmp_path / f"{kind}.docx")
    doc = Document(str(path))
    paragraphs = doc.paragraphs
    assert paragraphs[0].style.name == "Title" and paragraphs[0].text == b.title
    headings = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    assert headings == [s.heading for s in b.sections] + ["Sumber"]
    # Lettered A., B., C. by a Word list bound to the Heading 1 style (the text stays the heading).
    heading_style = doc.styles["Heading 1"].element
    (num_id,) = heading_style.xpath("./w:pPr/w:numPr/w:numId/@w:val")
    numbering = doc.part.numbering_part.element
    (abstract_id,) = numbering.xpath(f"./w:num[@w:numId='{num_id}']/w:abstractNumId/@w:val")
    assert numbering.xpath(f"./w:abstractNum[@w:abstractNumId='{abstract_id}']/w:lvl/w:numFmt/@w:val") == ["upperLetter"]

    # The details block (nota dinas style): date, subject, drafter, nature of the document.
    details = doc.tables[0]
    assert [row.cells[0].text for row in details.rows] == ["Tanggal", "Pokok bahasan", "Disusun oleh", "Sifat"]
    assert details.rows[0].cells[2].text == b.date

    # Sources: one entry per document in list order, each with its URL as a real hyperlink,
    # grouped under the heading of its kind (government, news, reference, blogs).
    items = source_items(doc)
    assert [int(re.match(r"\[(\d+)\]", p.text).group(1)) for p in items] == [e.n for e in b.sources]
    for item, entry in zip(items, b.sources):
        assert entry.title.rstrip(". ") in item.text
        if entry.url:
            assert [h.address for h in item.hyperlinks] == [entry.url]
        else:
            assert "URL asli tidak diketahui" in item.text
        assert (entry.mark in item.text) if entry.mark else "(rujukan sekunder)" not in item.text
    groups = [p.text for p in paragraphs if p.style.name == "Heading 2"]
    assert groups == list(dict.fromkeys(e.group for e in b.sources))

    # Relationships: a real table with a header row, one row per record of the subject.
    partners = _expected_partners(kind)
    tables = doc.tables[1:]
    if partners is None:
        assert not tables
    else:
        (table,) = tables
        header = [c.text for c in table.rows[0].cells]
        assert header == ["Kota mitra", "Negara", "Tahun", "Bidang fokus", "Status", "Keyakinan", "Sumber"]
        assert table.rows[0]._tr.trPr.xpath("./w:tblHeader")
        assert sorted(row.cells[0].text for row in table.rows[1:]) == partners

    # Every [n] in the body (paragraphs and table cells) points at a listed source.
    body = [p.text for p in paragraphs if p not in items]
    body += [c.text for t in tables for row in t.rows for c in row.cells]
    numbers = {int(n) for text in body for n in MARKER.findall(text)}
    assert numbers and numbers == set(range(1, len(b.sources) + 1))


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


# ---------------------------------------------------------------------------------------------
# The Word document as a government draft: A4, letterhead, DRAF, page numbers, properties


def _field_codes(part) -> list[str]:
    return [t.text.strip() for t in part._element.xpath(".//w:instrText")]


def _app_properties(path) -> str:
    with zipfile.ZipFile(path) as package:
        return package.read("docProps/app.xml").decode("utf-8")


def test_docx_is_an_a4_draft_with_letterhead_page_numbers_and_draft_mark(briefings, tmp_path):
    b = briefings["city"]
    doc = Document(str(write_docx(b, tmp_path / "draft.docx")))
    (section,) = doc.sections
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert section.left_margin.cm >= 2.5 and section.right_margin.cm >= 1.5
    # First page: the letterhead (a placeholder until an organisation is configured) and DRAF.
    assert section.different_first_page_header_footer
    letterhead = "\n".join(p.text for p in section.first_page_header.paragraphs)
    assert "[KOP SURAT INSTANSI]" in letterhead and "[alamat kantor" in letterhead and "DRAF" in letterhead
    # Later pages: the title and DRAF; every page: the draft notice and "Halaman X dari Y" as fields.
    running = section.header.paragraphs[0].text
    assert b.title in running and "DRAF" in running
    for footer in (section.first_page_footer, section.footer):
        text = footer.paragraphs[0].text
        assert "DRAF — belum merupakan dokumen resmi" in text and "Halaman" in text and "dari" in text
        assert _field_codes(footer) == ["PAGE", "NUMPAGES"]
    # Details block: who drafted it, or a placeholder to fill in.
    assert doc.tables[0].rows[2].cells[2].text == "[nama penyusun]"


def test_docx_properties_come_from_the_settings_not_the_template(briefings, tmp_path):
    b = replace(briefings["pair"], author="Sub Bagian Kerja Sama Luar Negeri",
                organisation="Bagian Kerja Sama Setda Kota Surabaya")
    path = write_docx(b, tmp_path / "props.docx")
    doc = Document(str(path))
    props = doc.core_properties
    assert props.author == "Sub Bagian Kerja Sama Luar Negeri" != "python-docx"
    assert props.last_modified_by == props.author
    assert props.title == b.title and props.language == "id-ID" and props.content_status == "DRAF"
    created = props.created.replace(tzinfo=timezone.utc)
    assert abs((created - b.created).total_seconds()) < 1
    assert abs((datetime.now(timezone.utc) - created).total_seconds()) < 3600  # now, not 2013
    app = _app_properties(path)
    assert "<Company>Bagian Kerja Sama Setda Kota Surabaya</Company>" in app
    assert "<Application>Asisten Kota Kembar</Application>" in app
    with zipfile.ZipFile(path) as package:
        assert not [n for n in package.namelist() if "thumbnail" in n]  # no picture of an empty page
    letterhead = section_text(doc.sections[0].first_page_header)
    assert "BAGIAN KERJA SAMA SETDA KOTA SURABAYA" in letterhead and "[KOP SURAT INSTANSI]" not in letterhead
    assert doc.tables[0].rows[2].cells[2].text == "Sub Bagian Kerja Sama Luar Negeri, Bagian Kerja Sama Setda Kota Surabaya"


def section_text(part) -> str:
    return "\n".join(p.text for p in part.paragraphs)


@pytest.mark.parametrize("kind", ["city", "economy"])
def test_docx_table_columns_are_sized_to_the_page(briefings, tmp_path, kind):
    doc = Document(str(write_docx(briefings[kind], tmp_path / "t.docx")))
    table = doc.tables[1]
    widths = [c.width.cm for c in table.columns]
    assert abs(sum(widths) - 16.0) < 0.05  # the text width of A4 with 3 cm / 2 cm margins
    assert len(set(round(w, 1) for w in widths)) > 2  # not equal widths: focus is wide, year narrow
    header = [c.text for c in table.rows[0].cells]
    assert widths[header.index("Bidang fokus" if kind == "city" else "Bidang fokus terkait")] == max(widths)
    assert widths[header.index("Tahun")] == min(widths)
    assert table._tbl.xpath("./w:tblPr/w:tblLayout[@w:type='fixed']")
    for each in doc.tables:  # one width per table, in twips (Word rejects a second tblW)
        assert len(each._tbl.xpath("./w:tblPr/w:tblW")) == 1 and each._tbl.xpath("./w:tblPr/w:tblW/@w:type") == ["dxa"]


@pytest.mark.parametrize("kind", ALL)
def test_markdown_lists_sources_by_kind_with_weak_kinds_marked(briefings, kind):
    b = briefings[kind]
    text = to_markdown(b)
    assert "**Disusun oleh:** [nama penyusun]" in text
    sources = text.split("\n## Sumber\n")[1]
    groups = re.findall(r"^### (.+)$", sources, re.M)
    assert groups == list(dict.fromkeys(e.group for e in b.sources))
    for entry in b.sources:
        (line,) = [l for l in sources.splitlines() if l.startswith(f"{entry.n}. ")]
        assert (f"_{entry.mark}_" in line) == bool(entry.mark)
        for locator in entry.sections + entry.pairs:
            assert locator in line
    assert not re.search(r"(?m)^(?:Ini|Jadi,|Intinya,) ", text)


def test_json_carries_locators_kinds_and_metadata(briefings):
    data = to_json(briefings["economy"])
    assert data["author"] == "" and data["created"].startswith(str(briefings["economy"].created.year))
    assert {s["kind"] for s in data["sources"]} <= {"pemerintah", "berita", "rujukan", "blog"}
    table = next(s["table"] for s in data["sections"] if s["table"])
    assert table["fields"][0] == "pair" and all(r["city"] and r["partner"] for r in table["rows"])
    for section in data["sections"]:
        for sentence in section["sentences"]:
            if sentence["kind"] == "article":
                (n,) = sentence["citations"]
                assert sentence["locator"] in data["sources"][n - 1]["sections"]
