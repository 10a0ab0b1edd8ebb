"""Low-level WordprocessingML that python-docx has no API for: fonts for every script, borders,
boxed runs, real PAGE/NUMPAGES fields, hyperlinks, right tab stops. Elements are inserted in the
schema's order, or Word refuses the file."""
from __future__ import annotations

import string

from docx.enum.text import WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

FONT = "Arial"
LINK_BLUE = "0563C1"
TEXT_WIDTH_CM = 16.0  # A4 21.0 cm - 3.0 cm left - 2.0 cm right margin

# Schema order matters to Word: each element is inserted before the first of its successors.
PPR_AFTER_BORDER = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
                     "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
                     "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
                     "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
                     "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
RPR_AFTER_BORDER = ("w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
                     "w:eastAsianLayout", "w:specVanish", "w:oMath")
RPR_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
TCPR_AFTER_SHADING = ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark",
                       "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange")
TBLPR_AFTER_WIDTH = ("w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout",
                      "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
TBLPR_AFTER_MARGINS = ("w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
PPR_AFTER_NUMBERING = ("w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku",
                        "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
                        "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
                        "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
                        "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
                        "w:pPrChange")


def el(tag: str, **attrs: str):
    element = OxmlElement(tag)
    for name, value in attrs.items():
        element.set(qn(f"w:{name}"), value)
    return element


def set_font(style_or_run, name: str, size: float | None = None, bold: bool | None = None,
              color: RGBColor | None = None) -> None:
    """One font for every script, overriding theme fonts (which would otherwise win)."""
    font = style_or_run.font
    font.name = name
    r_pr = style_or_run.element.get_or_add_rPr()
    fonts = r_pr.get_or_add_rFonts()
    for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{attr}"), name)
    for attr in ("asciiTheme", "hAnsiTheme", "cstheme", "eastAsiaTheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = color


def border(p_pr, side: str, val: str = "single", size: int = 6, space: int = 1, color: str = "000000") -> None:
    """A paragraph border line (the kop line under a letterhead, the rule under the details)."""
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:
        borders = el("w:pBdr")
        p_pr.insert_element_before(borders, *PPR_AFTER_BORDER)
    borders.append(el(f"w:{side}", val=val, sz=str(size), space=str(space), color=color))


def boxed(run, color: str) -> None:
    """A border around a run of text: the DRAF stamp."""
    r_pr = run._r.get_or_add_rPr()
    r_pr.insert_element_before(el("w:bdr", val="single", sz="8", space="1", color=color), *RPR_AFTER_BORDER)


def field(paragraph, instruction: str, shown: str) -> None:
    """A real Word field (PAGE, NUMPAGES) with a cached value, as Word itself writes it."""
    def run_with(child):
        run = paragraph.add_run()
        run._r.append(child)
        return run

    run_with(el("w:fldChar", fldCharType="begin"))
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    run_with(code)
    run_with(el("w:fldChar", fldCharType="separate"))
    paragraph.add_run(shown)
    run_with(el("w:fldChar", fldCharType="end"))


def with_fields(paragraph, template: str, fields: dict[str, str]) -> None:
    """Text from a template whose {names} become Word fields ("Halaman {page} dari {pages}")."""
    for literal, name, _, _ in string.Formatter().parse(template):
        if literal:
            paragraph.add_run(literal)
        if name:
            field(paragraph, fields[name], "1")


def hyperlink(paragraph, url: str, text: str, size: float) -> None:
    """A clickable link run (python-docx has no public API for adding one)."""
    r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    props.append(el("w:rFonts", ascii=FONT, hAnsi=FONT, cs=FONT, eastAsia=FONT))
    props.append(el("w:color", val=LINK_BLUE))
    props.append(el("w:sz", val=str(round(size * 2))))
    props.append(el("w:u", val="single"))
    run.append(props)
    text_el = OxmlElement("w:t")
    text_el.text = text
    text_el.set(qn("xml:space"), "preserve")
    run.append(text_el)
    link.append(run)
    paragraph._p.append(link)


def right_tab(paragraph, cm: float = TEXT_WIDTH_CM) -> None:
    paragraph.paragraph_format.tab_stops.add_tab_stop(Cm(cm), WD_TAB_ALIGNMENT.RIGHT)
