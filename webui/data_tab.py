"""The "Data" tab: every sister-city relationship in a table that reads well on a phone,
with real source links and a search that forgives typos ("bandnug" -> "Maksudnya Bandung?")."""
from __future__ import annotations

import difflib
import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from assistant.prompts import Phrases

from .render import escape_markdown, render_link_list

SUGGEST_CUTOFF = 0.75  # difflib ratio for a word-level correction ("bandnug" ~ "bandung" = 0.86)
_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lowercase ASCII form, so "osaki" finds "Ōsaki"."""
    return unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii").lower()


@dataclass(frozen=True)
class TableRow:
    """One relationship as the table shows it."""

    city: str
    province: str
    partner: str
    country: str
    year: str
    status: str
    confidence: str
    urls: tuple[str, ...]

    @property
    def haystack(self) -> str:
        return fold(" ".join((self.city, self.province, self.partner, self.country, self.year, self.status,
                              self.confidence)))


def table_rows(records: Any) -> list[TableRow]:
    """Every relationship of the record store, sorted by city then partner."""
    rows = [
        TableRow(rel.city_name, rel.province or "", rel.partner_city, rel.partner_country or "",
                 "" if rel.year in (None, "") else str(rel.year), rel.status or "", rel.confidence or "",
                 tuple(dict.fromkeys(u for u in rel.source_urls if u)))
        for rel in records.relationships
    ]
    return sorted(rows, key=lambda r: (fold(r.city), fold(r.partner)))


@dataclass(frozen=True)
class SearchResult:
    rows: list[TableRow]
    suggestion: str | None = None  # set when the typed query found nothing and this did


def _matching(rows: list[TableRow], query: str) -> list[TableRow]:
    words = _WORD.findall(fold(query))
    return [r for r in rows if all(w in r.haystack for w in words)]


def suggest(query: str, rows: list[TableRow], records: Any = None) -> str | None:
    """A corrected query: the record store's name recognition first (aliases, typos), then a
    word-by-word close match against the table's own words; None when unsure."""
    find_places = getattr(records, "find_places", None)
    if find_places is not None:
        places = find_places(query)
        if places:
            fixed, last = [], 0
            for place in places:
                fixed += [query[last:place.start], place.name]
                last = place.end
            fixed.append(query[last:])
            candidate = " ".join("".join(fixed).split())
            if fold(candidate) != fold(query) and _matching(rows, candidate):
                return candidate
    vocabulary: dict[str, str] = {}
    for row in rows:
        for text in (row.city, row.province, row.partner, row.country):
            for word in re.findall(r"\w+", text):
                vocabulary.setdefault(fold(word), word)
    corrected = []
    for word in _WORD.findall(fold(query)):
        if any(word in r.haystack for r in rows):
            corrected.append(word)
            continue
        close = difflib.get_close_matches(word, list(vocabulary), n=1, cutoff=SUGGEST_CUTOFF)
        if not close:
            return None
        corrected.append(vocabulary[close[0]])
    candidate = " ".join(corrected)
    return candidate if corrected and fold(candidate) != fold(query) and _matching(rows, candidate) else None


def search(rows: list[TableRow], query: str, country: str | None, confidence: str | None, all_label: str,
           records: Any = None) -> SearchResult:
    """Rows matching every word of the query (any column, accents ignored) and both dropdowns;
    when the query finds nothing, the rows of a suggested correction."""
    pool = [r for r in rows
            if (country in (None, "", all_label) or r.country == country)
            and (confidence in (None, "", all_label) or r.confidence == confidence)]
    if not (query or "").strip():
        return SearchResult(pool)
    hits = _matching(pool, query)
    if hits:
        return SearchResult(hits)
    suggestion = suggest(query, pool, records)
    return SearchResult(_matching(pool, suggestion), suggestion) if suggestion else SearchResult([])


def _css_token(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "x"


def render_table(rows: list[TableRow], phrases: Phrases) -> str:
    """The rows as an HTML table; on a phone each row turns into a card (see app.css)."""
    esc = html.escape
    heads = [("city", "data_col_city"), ("partner", "data_col_partner"), ("country", "data_col_country"),
             ("year", "data_col_year"), ("status", "data_col_status"), ("confidence", "data_col_confidence"),
             ("sources", "data_col_sources")]
    label = {key: esc(phrases.get(name)) for key, name in heads}
    out = ['<div class="akk-table-wrap"><table class="akk-table" role="table">',
           f'<caption class="akk-sr">{esc(phrases.get("data_caption"))}</caption>',
           '<thead role="rowgroup"><tr role="row">',
           *(f'<th scope="col" role="columnheader" class="akk-col-{key}">{label[key]}</th>' for key, _ in heads),
           '</tr></thead><tbody role="rowgroup">']
    unknown_year = esc(phrases.get("data_year_unknown"))
    for row in rows:
        cells = {
            "city": f"<strong>{esc(row.city)}</strong>"
                    + (f'<span class="akk-sub">{esc(row.province)}</span>' if row.province else ""),
            "partner": f"<strong>{esc(row.partner)}</strong>",
            "country": esc(row.country),
            "year": esc(row.year) if row.year else unknown_year,
            "status": esc(row.status),
            "confidence": f'<span class="akk-badge akk-badge-{_css_token(row.confidence)}">{esc(row.confidence)}</span>',
            "sources": render_link_list(list(row.urls)),
        }
        out.append('<tr role="row">')
        for key, _ in heads:
            out.append(f'<td role="cell" class="akk-col-{key}"><span class="akk-cell-label">{label[key]}</span>'
                       f'<span class="akk-cell-value">{cells[key]}</span></td>')
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def build_data_tab(assistant: Any, phrases: Phrases) -> None:
    """Widgets and events of the "Data" tab."""
    import gradio as gr

    rows = table_rows(assistant.records)
    all_label = phrases.get("data_all")
    countries = [all_label] + sorted({r.country for r in rows if r.country})
    confidences = [all_label] + sorted({r.confidence for r in rows if r.confidence})
    total = len(rows)
    gr.Markdown(phrases.get("data_intro", total=total))
    with gr.Row(elem_id="akk-data-filters"):
        text = gr.Textbox(label=phrases.get("data_search_label"), placeholder=phrases.get("data_search_placeholder"),
                          scale=3, min_width=200, elem_id="akk-data-search")
        country = gr.Dropdown(countries, value=all_label, label=phrases.get("data_country_label"), scale=2,
                              min_width=140, elem_id="akk-data-country")
        confidence = gr.Dropdown(confidences, value=all_label, label=phrases.get("data_confidence_label"), scale=1,
                                 min_width=140, elem_id="akk-data-confidence")
    with gr.Row(elem_id="akk-data-summary"):
        count = gr.Markdown(phrases.get("data_count", shown=total, total=total), elem_id="akk-data-count")
        use_suggestion = gr.Button(visible=False, size="sm", variant="secondary", scale=0, min_width=140,
                                   elem_id="akk-data-suggestion")
    table = gr.HTML(render_table(rows, phrases), elem_id="akk-data-table")
    suggestion_state = gr.State(None)

    def apply(query: str, country_value: str, confidence_value: str) -> tuple:
        result = search(rows, query, country_value, confidence_value, all_label, assistant.records)
        if result.suggestion:
            note = phrases.get("data_did_you_mean", query=escape_markdown(query.strip()),
                               suggestion=escape_markdown(result.suggestion))
            button = gr.update(visible=True, value=phrases.get("data_use_suggestion", suggestion=result.suggestion))
        elif not result.rows:
            note = phrases.get("data_no_match", query=escape_markdown((query or "").strip()))
            button = gr.update(visible=False)
        else:
            note = phrases.get("data_count", shown=len(result.rows), total=total)
            button = gr.update(visible=False)
        return render_table(result.rows, phrases), note, button, result.suggestion

    controls = [text, country, confidence]
    for control in controls:
        control.change(apply, controls, [table, count, use_suggestion, suggestion_state], show_progress="hidden")
    use_suggestion.click(lambda s: s or "", [suggestion_state], [text])
