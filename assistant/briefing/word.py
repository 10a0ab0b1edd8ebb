"""Briefing -> a Word document laid out as an Indonesian government draft (nota dinas style).

A4 portrait in Arial (the face of the tata naskah dinas); a letterhead placeholder (kop surat)
on the first page and a running header after it, both with a DRAF mark; a footer with the draft
notice and "Halaman X dari Y" as real PAGE / NUMPAGES fields; the document details as a
borderless label : value block; section headings lettered A., B., C. by Word's own numbering; tables with sized columns and a
header row that repeats on every page; the sources grouped by kind, weaker kinds marked; and
document properties (author, organisation, created) from the settings, not python-docx's own.
All wording comes from prompts/briefing.yaml.
"""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ..prompts import Phrases
from .export import drafted_by, groups, kind_label, paragraphs, source_description
from .model import PLACE_FIELDS, TOPIC_FIELDS, Briefing, RelationshipTable, SourceEntry
from .ooxml import (FONT, PPR_AFTER_NUMBERING, RPR_AFTER_LANG, TBLPR_AFTER_MARGINS, TBLPR_AFTER_WIDTH,
                    TCPR_AFTER_SHADING, TEXT_WIDTH_CM, border, boxed, el, hyperlink, right_tab, set_font,
                    with_fields)

BLACK = RGBColor(0, 0, 0)
GREY = RGBColor(0x59, 0x59, 0x59)
DRAFT_RED = RGBColor(0xC0, 0x00, 0x00)
HEADER_FILL = "E7E6E6"

A4_WIDTH, A4_HEIGHT = Cm(21.0), Cm(29.7)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Cm(2.7), Cm(2.2), Cm(3.0), Cm(2.0)

# Column widths (cm) of each table layout; each adds up to the text width.
COLUMN_WIDTHS_CM: dict[tuple[str, ...], dict[str, float]] = {
    PLACE_FIELDS: {"partner": 2.6, "country": 2.1, "year": 1.5, "focus": 4.1, "status": 1.9, "confidence": 2.0,
                   "sources": 1.8},
    TOPIC_FIELDS: {"pair": 3.3, "country": 2.0, "year": 1.5, "focus": 3.6, "status": 1.8, "confidence": 2.0,
                   "sources": 1.8},
}
META_WIDTHS_CM = (3.4, 0.5, 12.1)  # label, ":", value
SOURCE_SIZE = 9.5  # pt, the source list

# ---------------------------------------------------------------------------------------------
# Page, styles, header and footer


def _page_setup(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = A4_WIDTH, A4_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance, section.footer_distance = Cm(1.0), Cm(1.0)
    section.different_first_page_header_footer = True  # the letterhead is on the first page only


def _styles(doc) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    set_font(normal, FONT, 11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    r_pr = normal.element.get_or_add_rPr()
    r_pr.insert_element_before(el("w:lang", val="id-ID", eastAsia="id-ID", bidi="ar-SA"), *RPR_AFTER_LANG)
    title = styles["Title"]
    set_font(title, FONT, 13, bold=True, color=BLACK)
    title.font.all_caps = True
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before, title.paragraph_format.space_after = Pt(6), Pt(10)
    p_pr = title.element.get_or_add_pPr()
    for rule in p_pr.findall(qn("w:pBdr")):  # the template draws a coloured rule under titles
        p_pr.remove(rule)
    for name in ("Header", "Footer"):  # the template's centre/right tabs assume US Letter margins
        styles[name].paragraph_format.tab_stops.clear_all()
    for name, size, before in (("Heading 1", 11, 12), ("Heading 2", 10, 8)):
        heading = styles[name]
        set_font(heading, FONT, size, bold=True, color=BLACK)
        heading.font.italic = False
        heading.paragraph_format.space_before, heading.paragraph_format.space_after = Pt(before), Pt(4)
        heading.paragraph_format.keep_with_next = True


def _letter_headings(doc) -> None:
    """Heading 1 numbered A., B., C. by Word itself (a list bound to the style), as in official
    documents; the heading text stays the plain section name."""
    numbering = doc.part.numbering_part.element
    ids = [int(x) for x in numbering.xpath("./w:abstractNum/@w:abstractNumId | ./w:num/@w:numId")]
    new_id = str(max(ids, default=0) + 1)
    abstract = el("w:abstractNum", abstractNumId=new_id)
    abstract.append(el("w:multiLevelType", val="singleLevel"))
    level = el("w:lvl", ilvl="0")
    for child in (el("w:start", val="1"), el("w:numFmt", val="upperLetter"), el("w:pStyle", val="Heading1"),
                  el("w:lvlText", val="%1."), el("w:lvlJc", val="left")):
        level.append(child)
    p_pr = el("w:pPr")
    p_pr.append(el("w:ind", left="425", hanging="425"))  # 0.75 cm: the letter, then the heading
    level.append(p_pr)
    abstract.append(level)
    first_num = numbering.find(qn("w:num"))  # abstract definitions come before the instances
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    instance = el("w:num", numId=new_id)
    instance.append(el("w:abstractNumId", val=new_id))
    numbering.append(instance)
    num_pr = el("w:numPr")
    num_pr.append(el("w:numId", val=new_id))
    doc.styles["Heading 1"].element.get_or_add_pPr().insert_element_before(num_pr, *PPR_AFTER_NUMBERING)


def _small(paragraph, size: float = 8.5, color: RGBColor = GREY) -> None:
    """Header/footer text: small and grey, so the body stays what the eye reads."""
    for run in paragraph.runs:
        set_font(run, FONT, size, color=color)


def _draft_stamp(paragraph, text: str) -> None:
    run = paragraph.add_run(text)
    set_font(run, FONT, 9, bold=True, color=DRAFT_RED)
    boxed(run, "C00000")


def _letterhead(b: Briefing, header, doc_words: dict) -> None:
    """First page: the kop surat (organisation or placeholder), the address placeholder, a kop line."""
    name_line = header.paragraphs[0]
    name_line.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM / 2), WD_TAB_ALIGNMENT.CENTER)
    right_tab(name_line)
    name_line.add_run("\t")
    org = name_line.add_run(b.organisation.upper() if b.organisation else doc_words["letterhead_placeholder"])
    set_font(org, FONT, 13, bold=True, color=BLACK if b.organisation else GREY)
    name_line.add_run("\t")
    _draft_stamp(name_line, doc_words["draft_mark"])
    name_line.paragraph_format.space_after = Pt(2)
    details = header.add_paragraph(doc_words["letterhead_details"])
    details.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _small(details, 8.5)
    details.runs[0].italic = True
    details.paragraph_format.space_after = Pt(0)
    border(details._p.get_or_add_pPr(), "bottom", val="thickThinSmallGap", size=18, space=4)


def _running_header(b: Briefing, header, doc_words: dict) -> None:
    """Pages after the first: the title on the left, the DRAF stamp on the right, a thin rule."""
    line = header.paragraphs[0]
    right_tab(line)
    line.add_run(doc_words["running_header"].format(title=b.title))
    _small(line)
    line.add_run("\t")
    _draft_stamp(line, doc_words["draft_mark"])
    border(line._p.get_or_add_pPr(), "bottom", size=4, space=4, color="808080")


def _footer(footer, doc_words: dict) -> None:
    """Every page: the draft notice on the left, "Halaman X dari Y" (PAGE / NUMPAGES) on the right."""
    line = footer.paragraphs[0]
    right_tab(line)
    draft = line.add_run(doc_words["footer_draft"])
    draft.bold = True
    line.add_run("\t")
    with_fields(line, doc_words["footer_pages"], {"page": "PAGE", "pages": "NUMPAGES"})
    _small(line)
    border(line._p.get_or_add_pPr(), "top", size=4, space=4, color="808080")


# ---------------------------------------------------------------------------------------------
# Body


def _table_widths(table, widths_cm: list[float]) -> None:
    """Fixed column widths (grid and every cell), a table as wide as the text, small cell margins."""
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    width = tbl_pr.find(qn("w:tblW"))  # the template's tables say "auto"
    if width is None:
        width = el("w:tblW")
        tbl_pr.insert_element_before(width, *TBLPR_AFTER_WIDTH)
    width.set(qn("w:w"), str(round(sum(widths_cm) / 2.54 * 1440)))
    width.set(qn("w:type"), "dxa")
    margins = el("w:tblCellMar")
    for side, twips in (("top", "30"), ("left", "70"), ("bottom", "30"), ("right", "70")):
        margins.append(el(f"w:{side}", w=twips, type="dxa"))
    tbl_pr.insert_element_before(margins, *TBLPR_AFTER_MARGINS)
    for column, cm in zip(table.columns, widths_cm):
        column.width = Cm(cm)
    for row in table.rows:
        for cell, cm in zip(row.cells, widths_cm):
            cell.width = Cm(cm)


def _shade(cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    tc_pr.insert_element_before(el("w:shd", val="clear", color="auto", fill=fill), *TCPR_AFTER_SHADING)


def _repeat_header(row) -> None:
    """The header row repeats on every page (and reads as a header to screen readers)."""
    row._tr.get_or_add_trPr().append(el("w:tblHeader", val="true"))


def _cell_text(cell, text: str, size: float, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0
    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    run = paragraph.add_run(text)
    set_font(run, FONT, size, bold=bold)


def _cells(table: RelationshipTable, row) -> list[str]:
    """A row's cells; the [n] markers spaced so a narrow column can wrap between them."""
    return [" ".join(f"[{n}]" for n in row.sources) if name == "sources" else cell
            for name, cell in zip(table.fields, table.cells(row))]


def _relationship_table(doc, table: RelationshipTable) -> None:
    widths = COLUMN_WIDTHS_CM.get(table.fields) or {f: TEXT_WIDTH_CM / len(table.fields) for f in table.fields}
    out = doc.add_table(rows=1, cols=len(table.columns))
    out.style = "Table Grid"
    out.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = out.rows[0]
    _repeat_header(header)
    for cell, name in zip(header.cells, table.columns):
        _cell_text(cell, name, 9, bold=True)
        _shade(cell, HEADER_FILL)
    for row in table.rows:
        for cell, value in zip(out.add_row().cells, _cells(table, row)):
            _cell_text(cell, value, 9)
    _table_widths(out, [widths[f] for f in table.fields])
    doc.add_paragraph().paragraph_format.space_after = Pt(2)  # air between the table and what follows


def _details(doc, rows: list[tuple[str, str]]) -> None:
    """The nota dinas block: "Tanggal : ...", "Pokok bahasan : ...", borderless."""
    table = doc.add_table(rows=0, cols=3)
    for label, value in rows:
        cells = table.add_row().cells
        for cell, text, bold in zip(cells, (label, ":", value), (True, False, False)):
            _cell_text(cell, text, 11, bold=bold)
    _table_widths(table, list(META_WIDTHS_CM))
    rule = doc.add_paragraph()
    rule.paragraph_format.space_after = Pt(6)
    border(rule._p.get_or_add_pPr(), "bottom", size=8, space=1)


def _source_entry(doc, entry: SourceEntry, labels: dict) -> None:
    """[n]<tab>title — publisher. Locators. URL (mark), with a hanging indent."""
    item = doc.add_paragraph()
    item.paragraph_format.left_indent = Cm(1.0)
    item.paragraph_format.first_line_indent = Cm(-1.0)
    item.paragraph_format.tab_stops.add_tab_stop(Cm(1.0))
    item.paragraph_format.space_after = Pt(4)
    item.add_run(f"[{entry.n}]\t")
    item.add_run(source_description(entry, labels) + " ")
    if entry.url:
        hyperlink(item, entry.url, entry.url, SOURCE_SIZE)
    else:
        item.add_run(labels["no_url"]).italic = True
    if entry.mark:
        mark = item.add_run(f" ({entry.mark})")
        mark.italic = True
        mark.font.color.rgb = DRAFT_RED
    for run in item.runs:
        set_font(run, FONT, SOURCE_SIZE)


def _properties(doc, b: Briefing, p: Phrases) -> None:
    """Document properties a records office files by: title, author, organisation, dates, status."""
    words = p.raw("document")
    props = doc.core_properties
    author = b.author or b.organisation or words["generator"]
    props.title = b.title
    props.subject = f"{b.subject} ({kind_label(b, p.raw('labels'))})"
    props.author = author
    props.last_modified_by = author
    created = b.created.replace(tzinfo=None)  # python-docx writes W3CDTF in UTC
    props.created = created
    props.modified = created
    props.revision = 1
    props.keywords = words["keywords"]
    props.comments = words["description"]
    props.category = words["category"]
    props.content_status = words["draft_mark"]
    props.language = "id-ID"
    package = doc.part.package
    for part in package.iter_parts():
        if part.partname == "/docProps/app.xml":  # the extended properties hold the organisation
            part._blob = _app_properties(words["generator"], b.organisation, b.title)
    for r_id, rel in list(package.rels.items()):
        if rel.reltype == RELATIONSHIP_TYPE.THUMBNAIL:  # the template's thumbnail is of an empty page
            package.rels.pop(r_id)


def _app_properties(application: str, company: str, title: str) -> bytes:
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"<Application>{escape(application)}</Application><DocSecurity>0</DocSecurity>"
        "<ScaleCrop>false</ScaleCrop>"
        '<HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Judul</vt:lpstr></vt:variant>'
        "<vt:variant><vt:i4>1</vt:i4></vt:variant></vt:vector></HeadingPairs>"
        f'<TitlesOfParts><vt:vector size="1" baseType="lpstr"><vt:lpstr>{escape(title)}</vt:lpstr></vt:vector>'
        f"</TitlesOfParts><Company>{escape(company)}</Company><LinksUpToDate>false</LinksUpToDate>"
        "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged></Properties>"
    )
    return xml.encode("utf-8")


def render_docx(b: Briefing, p: Phrases) -> bytes:
    """The briefing as a .docx laid out as a government draft (see the module docstring)."""
    labels, headings, words = p.raw("labels"), p.raw("headings"), p.raw("document")
    doc = Document()
    _page_setup(doc)
    _styles(doc)
    _letter_headings(doc)
    section = doc.sections[0]
    _letterhead(b, section.first_page_header, words)
    _running_header(b, section.header, words)
    _footer(section.first_page_footer, words)
    _footer(section.footer, words)
    _properties(doc, b, p)

    doc.add_heading(b.title, level=0)
    _details(doc, [(labels["date"], b.date),
                   (labels["subject"], f"{b.subject} ({kind_label(b, labels)})"),
                   (labels["author"], drafted_by(b, words["author_placeholder"])),
                   (labels["nature"], labels["nature_value"])])
    tables = 0
    for part in b.sections:
        doc.add_heading(part.heading, level=1)
        for text in paragraphs(part):
            doc.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if part.table is not None and part.table.rows:
            tables += 1
            caption = doc.add_paragraph(words["table_caption"].format(n=tables, heading=part.heading))
            caption.paragraph_format.keep_with_next = True
            caption.paragraph_format.space_after = Pt(3)
            set_font(caption.runs[0], FONT, 9.5, bold=True)
            _relationship_table(doc, part.table)
    doc.add_heading(headings["sumber"], level=1)
    if b.sources:
        intro = doc.add_paragraph(labels["source_list_intro"])
        set_font(intro.runs[0], FONT, 9.5)
        intro.runs[0].italic = True
    for group, entries in groups(b):
        doc.add_heading(group, level=2)
        for entry in entries:
            _source_entry(doc, entry, labels)
    if b.notes:
        notes = doc.add_paragraph()
        notes.paragraph_format.space_before = Pt(10)
        notes.add_run(f"{labels['notes']}: ").bold = True
        notes.add_run(" ".join(b.notes))
        for run in notes.runs:
            set_font(run, FONT, 9, color=GREY)
            run.italic = True
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
