"""The web UI's logic without a browser: rendering answers, the chat session against the fake
assistant, feedback on the rated answer, and the Data tab's search."""
from __future__ import annotations

import html
import re
from dataclasses import replace

import pytest

from assistant.config import Settings
from assistant.feedback import FeedbackStore
from assistant.prompts import load_phrases
from assistant.records import RecordStore
from tests.fakes import PASSAGE, FakeAssistant, fake_relationship
from webui.chat import ChatSession, answer_excerpt
from webui.data_tab import render_table, search, suggest, table_rows
from webui.render import (
    ListBlock,
    Paragraph,
    citation_labels,
    labelled_links,
    parse_answer,
    render_answer,
    render_links,
    render_plain,
)

PHRASES = load_phrases(Settings().prompts_dir, "ui")

SEATTLE_ANSWER = """Oke, ini kota kembar Surabaya yang tercatat di data aku (2 hubungan):
- Busan, Korea Selatan: sister city, tercatat sejak 1994 [1]
- Seattle, Amerika Serikat: tahun mulainya beda antarsumber (1991 dan 1992) [2]
  - Surabaya – Seattle tercatat sejak 1991 menurut seattle.gov [3]
  - Surabaya – Seattle tercatat sejak 1992 menurut surabaya.go.id [4]
Ada juga 7 pasangan lain untuk Surabaya yang belum terverifikasi.
Catatan: "tercatat sejak" itu tahun yang disebut sumber."""


def citation(n: int, title: str = "Judul", section: str = "", text: str = "teks", urls: tuple = ()) -> dict:
    return {"n": n, "source_id": f"s{n}", "title": title, "section": section, "url": urls[0] if urls else "",
            "text": text, "urls": list(urls)}


# --- answer structure -----------------------------------------------------------------------------

def test_sub_items_nest_and_lines_after_a_list_are_their_own_paragraphs():
    blocks = parse_answer(SEATTLE_ANSWER)
    assert [type(b) for b in blocks] == [Paragraph, ListBlock, Paragraph, Paragraph]
    partners = blocks[1].items
    assert [i.text.split(",")[0] for i in partners] == ["Busan", "Seattle"]  # source years are not partners
    years = partners[1].children[0]
    assert isinstance(years, ListBlock) and len(years.items) == 2
    assert blocks[2].text.startswith("Ada juga 7 pasangan") and blocks[3].text.startswith("Catatan:")


def test_indented_plain_line_continues_its_item_and_numbered_lists_are_ordered():
    blocks = parse_answer("1. Satu [1]\n   lanjutan satu\n2. Dua\n\n- a\n- b")
    assert blocks[0].ordered and [i.text for i in blocks[0].items] == ["Satu [1]", "Dua"]
    assert blocks[0].items[0].children == [Paragraph("lanjutan satu")]
    assert not blocks[1].ordered and len(blocks[1].items) == 2


def test_rendered_answer_keeps_nesting_and_marks_the_note():
    out = render_answer({"answer": SEATTLE_ANSWER, "citations": [citation(n) for n in range(1, 5)]}, turn=1)
    assert out.count("<ul>") == 2
    assert re.search(r"<li>Seattle.*?<ul><li>Surabaya – Seattle tercatat sejak 1991", out)
    assert '<p class="akk-note">Catatan:' in out
    assert "\n" not in out  # one HTML block: Markdown never re-interprets the escaped text


def test_markers_link_to_their_passage_only_when_cited():
    out = render_answer({"answer": "Fakta [1] dan [7].", "citations": [citation(1)]}, turn=3)
    assert out.count('class="akk-cite"') == 1
    assert 'href="#akk-s-3-1"' in out and 'id="akk-s-3-1"' in out
    assert "[7]" in out and 'href="#akk-s-3-7"' not in out


def test_one_sources_group_per_answer_with_its_count():
    out = render_answer({"answer": "a [1] b [2]", "citations": [citation(1), citation(2, title="Lain")]}, turn=1)
    assert out.count('<details class="akk-sources">') == 1
    assert "Sumber (2)" in out


def test_no_sources_group_for_an_answer_without_citations():
    out = render_answer({"answer": "Maaf, soal itu aku nggak punya sumbernya.", "citations": []}, turn=1)
    assert "akk-sources" not in out and "Maaf" in out


def test_everything_from_the_core_and_the_user_is_escaped():
    evil = '<img src=x onerror="alert(1)"> **tebal** $$x$$ [1]'
    data = {"answer": evil, "citations": [citation(1, title="<b>judul</b>", section="<i>s</i>",
                                                   text="<script>alert(2)</script>",
                                                   urls=("javascript:alert(3)", 'https://ok.example/"><x'))]}
    out = render_answer(data, turn=1)
    assert "<img" not in out and "<script" not in out and "<b>judul" not in out and "<i>s" not in out
    assert html.escape('<img src=x onerror="alert(1)">', quote=False) in out
    assert 'href="javascript:' not in out  # shown as text, never a link
    assert 'href="https://ok.example/&quot;&gt;&lt;x"' in out
    user = render_plain("<b>halo</b>\n\nbaris dua", "akk-question")
    assert user == '<div class="akk-question">&lt;b&gt;halo&lt;/b&gt;<br><br>baris dua</div>'


def test_citations_with_the_same_title_get_distinct_labels():
    same = [citation(1, "Kerjasama Sister City", "Apa Itu Sister City?", "Intinya, sister city ini adalah wadah"),
            citation(2, "Kerjasama Sister City", "Apa Itu Sister City?", "Jadi, sister city itu adalah hubungan"),
            citation(3, "Kerjasama Sister City", "Kesimpulan", "Kerjasama sister city di Indonesia")]
    labels = citation_labels(same)
    assert len(set(labels.values())) == 3
    assert labels[3] == "Kerjasama Sister City · Kesimpulan"
    assert "Intinya, sister city" in labels[1]


def test_source_links_get_human_labels_not_raw_csv_urls():
    urls = ["https://github.com/Hekman/twincities/blob/84ebdec/twin_cities_raw.csv",
            "https://github.com/L3viathan/sister-cities/blob/d3028c2/relations.tsv",
            "https://www.surabaya.go.id/a", "https://www.surabaya.go.id/b"]
    labels = [label for _, label in labelled_links(urls)]
    assert labels == ["daftar Wikipedia (CC BY-SA)", "crawl Wikidata 2016 (CC0)", "surabaya.go.id (1)", "surabaya.go.id (2)"]
    rendered = render_links(urls)
    assert ">daftar Wikipedia (CC BY-SA)</a>" in rendered and ".csv</a>" not in rendered
    assert rendered.count('rel="noopener noreferrer"') == 4


# --- the chat session against the fake assistant ----------------------------------------------------

@pytest.fixture
def session(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    return ChatSession(FakeAssistant(), store, PHRASES), store


def test_question_shows_at_once_then_the_whole_answer_in_one_message(session):
    chat, _ = session
    steps = list(chat.respond("Apa itu sister city?", [], [], {}))
    assert len(steps) == 2  # no simulated streaming: question + "searching", then the answer
    first, final = steps
    assert "akk-pending" in first[0][-1]["content"]
    messages, turns, answers, status = final
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert "akk-answer" in messages[1]["content"] and "Sumber (1)" in messages[1]["content"]
    assert html.escape(PASSAGE, quote=False) in messages[1]["content"]
    assert turns == [{"role": "user", "content": "Apa itu sister city?"},
                     {"role": "assistant", "content": f"Singkatnya gini:\n- {PASSAGE} [1]"}]
    assert answers[1]["number"] == 1 and status == ""


def test_follow_up_gets_the_history_and_ids_stay_unique(session):
    chat, _ = session
    *_, (messages, turns, answers, _) = chat.respond("satu", [], [], {})
    *_, (messages, turns, answers, _) = chat.respond("kalau Bandung?", messages, turns, answers)
    assert chat.assistant.calls[-1] == ("kalau Bandung?", turns[:2])
    assert 'id="akk-s-1-1"' in messages[1]["content"] and 'id="akk-s-2-1"' in messages[3]["content"]
    assert sorted(answers) == [1, 3]


def test_empty_question_error_and_crash_give_indonesian_messages(session):
    chat, _ = session
    assert list(chat.respond("  ", [], [], {}))[-1][3] == PHRASES.get("empty_question")
    error = list(chat.respond("raise", [], [], {}))[-1][0][-1]["content"]
    assert "sengaja ditolak" in error and "akk-error" in error
    crash = list(chat.respond("crash", [], [], {}))[-1][0][-1]["content"]
    assert PHRASES.get("internal_error") in crash and "Traceback" not in crash


def test_comment_lands_on_the_row_of_the_rated_answer(session):
    chat, store = session
    *_, (messages, turns, answers, _) = chat.respond("pertama", [], [], {})
    *_, (messages, turns, answers, _) = chat.respond("kedua", messages, turns, answers)
    assert chat.rate(answers, 0, "Like")[1] is None  # the user's own question cannot be rated
    note, rated = chat.rate(answers, 1, "Dislike")
    assert rated["number"] == 1 and note == PHRASES.get("rating_saved_down")
    _, rated_second = chat.rate(answers, 3, "Like")
    status, left, keep_open = chat.comment(rated, "kurang lengkap")
    assert left == "" and not keep_open and "ke-1" in status
    rows = {r["question"]: r for r in store.rows()}
    assert rows["pertama"]["rating"] == "down" and rows["pertama"]["comment"] == "kurang lengkap"
    assert rows["kedua"]["rating"] == "up" and rows["kedua"]["comment"] is None
    assert rated_second["number"] == 2


def test_comment_without_a_rating_asks_for_one_and_keeps_the_text(session):
    chat, store = session
    status, left, _ = chat.comment(None, "bagus")
    assert status == PHRASES.get("comment_needs_rating") and left == "bagus" and store.count() == 0


def test_excerpt_names_the_answer_briefly():
    assert answer_excerpt("\n- Singkatnya gini:\nlalu") == "Singkatnya gini:"
    long = answer_excerpt("x" * 300)
    assert len(long) == 80 and long.endswith("…")


# --- Data tab -----------------------------------------------------------------------------------------

RELATIONSHIPS = [
    replace(fake_relationship("Surabaya", "Jawa Timur", "Busan", "Korea Selatan", "1994", (), "sister city", "tinggi",
                              "https://github.com/Hekman/twincities/blob/x/twin_cities_raw.csv"),
            source_urls=("https://github.com/Hekman/twincities/blob/x/twin_cities_raw.csv", "https://www.surabaya.go.id/eng")),
    fake_relationship("Bandung", "Jawa Barat", "Braunschweig", "Jerman", "1960", (), "sister city", "sedang",
                      "https://example.org/bs"),
    fake_relationship("Depok", "Jawa Barat", "Ōsaki", "Jepang", "", (), "sister city", "rendah", "https://example.org/d"),
]
RECORDS = RecordStore(RELATIONSHIPS, [])


class TableOnly:
    """Records with only the relationships (no name recognition), like a minimal store."""

    def __init__(self, relationships: list) -> None:
        self.relationships = relationships


def test_search_matches_every_word_across_columns_and_ignores_accents():
    rows = table_rows(RECORDS)
    assert [r.city for r in rows] == ["Bandung", "Depok", "Surabaya"]
    assert [r.partner for r in search(rows, "jawa barat jerman", None, None, "Semua").rows] == ["Braunschweig"]
    assert [r.partner for r in search(rows, "osaki", None, None, "Semua").rows] == ["Ōsaki"]
    assert len(search(rows, "", "Semua", "sedang", "Semua").rows) == 1
    assert search(rows, "busan", "Jerman", "Semua", "Semua").rows == []


def test_a_typo_finds_rows_through_a_suggestion():
    rows = table_rows(RECORDS)
    result = search(rows, "bandnug", None, None, "Semua", TableOnly(RELATIONSHIPS))
    assert result.suggestion == "Bandung" and [r.city for r in result.rows] == ["Bandung"]
    assert suggest("qwertyuiop", rows) is None
    assert search(rows, "qwertyuiop", None, None, "Semua") == type(result)([])


def test_suggestion_uses_the_record_stores_name_recognition_when_it_has_one():
    rows = table_rows(RECORDS)
    result = search(rows, "Suroboyo", None, None, "Semua", RECORDS)  # an alias the store knows
    assert result.suggestion == "Surabaya" and [r.partner for r in result.rows] == ["Busan"]
    assert search(rows, "Suroboyo", None, None, "Semua", TableOnly(RELATIONSHIPS)).rows == []


def test_table_has_real_links_with_labels_and_escapes_data():
    evil = replace(RELATIONSHIPS[0], city_name="<b>Kota</b>", source_urls=("javascript:alert(1)",))
    out = render_table(table_rows(TableOnly([RELATIONSHIPS[0], evil])), PHRASES)
    assert '<a href="https://www.surabaya.go.id/eng"' in out and ">surabaya.go.id</a>" in out
    assert ">daftar Wikipedia (CC BY-SA)</a>" in out and ".csv</a>" not in out
    assert "<b>Kota</b>" not in out and "&lt;b&gt;Kota&lt;/b&gt;" in out
    assert 'href="javascript:' not in out
    assert out.count('<tr role="row">') == 3  # header + 2 rows
