"""Text PDFs -> blocks with pdfminer.six: each line comes with its font size, weight and position,
so headings (bold or larger type) are told from body text, a paragraph running over a page break
is joined, and running headers, footers and page numbers (the same line at the same height on
most pages) are dropped."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .cleaning import Block
from .errors import DocumentError

_BULLET_CHARS = "-*\u2022\u25aa\u25cf\u2013\u25e6\u2043"
_PAGE_NUMBER = re.compile(r"^(?:halaman|hal\.?|page)?\s*[-–]?\s*\d{1,4}\s*(?:(?:dari|of|/)\s*\d{1,4})?\s*[-–]?$", re.I)
_DIGITS = re.compile(r"\d+")


@dataclass
class _Line:
    page: int
    top: float  # distance from the top of the page, in points
    height: float
    page_height: float
    text: str
    size: float
    bold: bool
    box: int  # pdfminer text box the line belongs to (a paragraph, or a heading + paragraph)


def _pdf_lines(data: bytes, name: str) -> tuple[list[_Line], dict]:
    import io

    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTTextContainer, LTTextLine
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    lines: list[_Line] = []
    box = 0
    try:
        for page_no, page in enumerate(extract_pages(io.BytesIO(data), laparams=LAParams())):
            for element in page:
                if not isinstance(element, LTTextContainer):
                    continue
                box += 1
                for line in element:
                    if not isinstance(line, LTTextLine):
                        continue
                    chars = [c for c in line if isinstance(c, LTChar)]
                    text = " ".join(line.get_text().split())
                    if not text or not chars:
                        continue
                    size = Counter(round(c.size, 1) for c in chars).most_common(1)[0][0]
                    bold = sum("bold" in c.fontname.lower() for c in chars) > len(chars) / 2
                    lines.append(_Line(page_no, page.height - line.y1, line.height, page.height, text, size, bold, box))
        meta = _pdf_metadata(data)
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise DocumentError(name, "PDF ini dikunci kata sandi; buka kuncinya dulu lalu tambahkan lagi") from None
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AttributeError):
        raise DocumentError(name, "bukan berkas PDF yang valid (rusak atau terpotong)") from None
    return lines, meta


def _pdf_metadata(data: bytes) -> dict:
    import io

    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.utils import decode_text

    info = {}
    for entry in PDFDocument(PDFParser(io.BytesIO(data))).info:
        for key, value in entry.items():
            if isinstance(value, bytes):
                info[key] = decode_text(value)
            elif isinstance(value, str):
                info[key] = value
    return info


def _running_lines(lines: list[_Line]) -> set[int]:
    """Indexes of page headers/footers: lines in the top or bottom margin that repeat on most
    pages (digits ignored, so "Halaman 1 dari 2" and "Halaman 2 dari 2" are one line), and
    bare page numbers."""
    pages = max((ln.page for ln in lines), default=0) + 1
    in_margin = [ln.top < 0.1 * ln.page_height or ln.top + ln.height > 0.9 * ln.page_height for ln in lines]
    shapes: dict[str, set[int]] = {}
    for ln, margin in zip(lines, in_margin):
        if margin:
            shapes.setdefault(_DIGITS.sub("#", ln.text.casefold()), set()).add(ln.page)
    running = set()
    for i, (ln, margin) in enumerate(zip(lines, in_margin)):
        if not margin:
            continue
        seen_on = shapes[_DIGITS.sub("#", ln.text.casefold())]
        if _PAGE_NUMBER.match(ln.text) or (pages > 1 and len(seen_on) >= max(2, pages * 0.6)):
            running.add(i)
    return running


def read_pdf(data: bytes, name: str) -> tuple[str, list[Block], str]:
    """(title, blocks, author) of a text PDF; DocumentError when it has no readable text."""
    if not data.startswith(b"%PDF"):
        raise DocumentError(name, "bukan berkas PDF (tidak diawali tanda %PDF)")
    lines, meta = _pdf_lines(data, name)
    running = _running_lines(lines)
    lines = [ln for i, ln in enumerate(lines) if i not in running]
    if sum(len(ln.text) for ln in lines) < 20:
        raise DocumentError(name, "PDF ini tidak berisi teks yang bisa dibaca (mungkin hasil pindai); "
                                  "jalankan OCR dulu atau tambahkan versi .docx/.txt-nya")
    body_size = Counter(ln.size for ln in lines for _ in range(len(ln.text))).most_common(1)[0][0]
    title_lines: list[str] = []
    blocks: list[Block] = []
    current: list[str] = []
    current_kind = "paragraph"
    last_box = -1

    def flush() -> None:
        if current:
            text = current[0]
            for nxt in current[1:]:
                # "masing-\nmasing" is one word split by the line end; otherwise lines join with a space.
                text = text + nxt if text.endswith("-") else f"{text} {nxt}"
            blocks.append(Block(current_kind, text))
            current.clear()

    for ln in lines:
        is_title = ln.page == 0 and ln.size >= body_size * 1.5 and not blocks and not current
        if is_title:
            title_lines.append(ln.text)
            continue
        is_heading = (ln.bold or ln.size >= body_size * 1.15) and len(ln.text.split()) <= 15
        starts_item = ln.text[:1] in _BULLET_CHARS and len(ln.text) > 2 and ln.text[1] == " "
        if is_heading:
            if current_kind == "heading" and ln.box == last_box:
                current.append(ln.text)  # a heading wrapped over two lines
            else:
                flush()
                current_kind = "heading"
                current.append(ln.text)
        elif starts_item:
            flush()
            current_kind = "item"
            current.append(ln.text[2:].strip())
        elif ln.box != last_box or current_kind == "heading":
            previous = current[-1] if current else (blocks[-1].text if blocks else "")
            # A paragraph running on from the previous page: no sentence end there, lowercase here.
            if not current and blocks and blocks[-1].kind == "paragraph" and ln.box != last_box \
                    and not previous.endswith((".", "!", "?", ":", ";")) and ln.text[:1].islower():
                current.extend([blocks.pop().text, ln.text])
                current_kind = "paragraph"
            else:
                flush()
                current_kind = "paragraph"
                current.append(ln.text)
        else:
            current.append(ln.text)
        last_box = ln.box
    flush()
    # The big first-page title is the document's title, not body text.
    title = str(meta.get("Title") or "").strip() or " ".join(title_lines)
    return title, blocks, str(meta.get("Author") or "").strip()
