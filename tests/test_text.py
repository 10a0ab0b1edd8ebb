"""Indonesian text handling: casual spellings normalized, search terms stemmed, sentences verbatim,
and the article eval set is well-formed with every gold passage present in the corpus."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.text import content_words, load_lexicon, normalize, split_sentences, tokenize

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = sorted((ROOT / "corpus" / "articles").glob("*.md"))
EVAL = ROOT / "eval" / "articles.jsonl"


def _body(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("\n---", 1)[1]


def _passages() -> list[str]:
    """Every paragraph and list item of both articles, as the chunker cuts them."""
    passages: list[str] = []
    for path in ARTICLES:
        paragraph: list[str] = []
        for line in _body(path).splitlines() + [""]:
            stripped = line.strip()
            if stripped.startswith("- ") or not stripped or stripped.startswith("#"):
                if paragraph:
                    passages.append(" ".join(paragraph))
                    paragraph = []
                if stripped.startswith("- "):
                    passages.append(stripped[2:])
            else:
                paragraph.append(stripped)
    return passages


# normalize -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "casual, standard",
    [
        ("gimana", "bagaimana"), ("gmn", "bagaimana"),
        ("nggak", "tidak"), ("gak", "tidak"), ("ga", "tidak"), ("enggak", "tidak"), ("ndak", "tidak"),
        ("tdk", "tidak"),
        ("aja", "saja"), ("doang", "saja"),
        ("ngaruh", "pengaruh"), ("naikin", "naikkan"),
        ("udah", "sudah"), ("dah", "sudah"), ("kalo", "kalau"), ("gitu", "begitu"), ("bikin", "buat"),
        ("apaan", "apa"), ("kerjasama", "kerja sama"), ("sampe", "sampai"), ("tau", "tahu"),
        ("banget", "sangat"), ("bgt", "sangat"), ("emang", "memang"), ("gede", "besar"), ("duit", "uang anggaran"),
        ("pengen", "ingin"), ("pingin", "ingin"), ("bener", "benar"), ("yg", "yang"), ("dgn", "dengan"),
        ("utk", "untuk"), ("krn", "karena"), ("sm", "sama"), ("ap", "apa"), ("kembaranya", "kembarannya"),
    ],
)
def test_casual_spellings_become_standard(casual: str, standard: str) -> None:
    assert normalize(casual) == standard
    assert normalize(f"Ini {casual.upper()} ya") == f"ini {standard} ya"


def test_betawi_nye_is_nya() -> None:
    assert normalize("siapa gubernurnye?") == "siapa gubernurnya?"
    assert normalize("nye") == "nye"  # the particle alone stays


@pytest.mark.parametrize("javanese, indonesian", [("hasile", "hasilnya"), ("ekonomine", "ekonominya"),
                                                   ("untunge", "untungnya"), ("rencanane", "rencananya")])
def test_javanese_e_and_ne_are_nya(javanese: str, indonesian: str) -> None:
    assert normalize(javanese) == indonesian


@pytest.mark.parametrize("word", ["online", "template", "province", "include", "sore", "berape", "Melbourne"])
def test_words_that_merely_end_in_e_stay(word: str) -> None:
    assert normalize(word) == word.casefold()


def test_casual_question_reads_like_the_article() -> None:
    assert normalize("Gimana sih caranya biar sister city sukses?") == "bagaimana sih caranya agar sister city sukses?"
    assert normalize("ngaruh gak sih sister city ke ekonomi?") == "pengaruh tidak sih sister city ke ekonomi?"
    assert normalize("naikin pariwisata bisa gak?") == "naikkan pariwisata bisa tidak?"


def test_normalize_handles_unicode_elongation_and_reduplication() -> None:
    assert normalize("Ｋｏｔａ “kembar” — oke") == 'kota "kembar" - oke'  # NFKC + typographic quotes
    assert normalize("gimanaaa bangettt") == "bagaimana sangat"
    assert normalize("kota2 kembar") == "kota-kota kembar"
    assert normalize("  banyak \n  spasi ") == "banyak spasi"


def test_english_domain_words_meet_the_indonesian_articles() -> None:
    assert normalize("What are the benefits of twin cities?") == "what are the manfaat of twin city?"
    assert normalize("sister cities challenges history tips example") == "sister city tantangan sejarah tips contoh"
    assert normalize("Sister-City and town twinning after World War II") == "sister city and kota twinning after perang dunia ii"
    assert normalize("New York") == "new york"  # "new" is deliberately not translated


def test_regular_english_inflections_follow_their_glossary_word() -> None:
    assert normalize("What has Jakarta learned from Tokyo? planning budgets") == \
        "what has jakarta belajar from tokyo? perencanaan anggaran"
    assert normalize("tips") == "tips"  # an articles' word stays itself, never the plural of "tip"
    assert normalize("kering penting") == "kering penting"  # Indonesian words are never English forms


def test_lexicon_is_loaded_once() -> None:
    assert load_lexicon() is load_lexicon()


def test_a_broken_lexicon_fails_loudly(tmp_path: Path) -> None:
    bad = tmp_path / "lexicon.yaml"
    bad.write_text("stopwords: [ada, on]\n", encoding="utf-8")  # YAML reads bare `on` as True
    with pytest.raises(ConfigError, match="stopwords"):
        load_lexicon(bad)
    cyclic = tmp_path / "cyclic.yaml"
    cyclic.write_text("slang:\n  aa: bb\n  bb: aa\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="berputar"):
        load_lexicon(cyclic)


# tokenize ------------------------------------------------------------------------------------

def test_stopwords_go_and_domain_words_stay() -> None:
    assert tokenize("Apa saja tantangan dalam pelaksanaan kerja sama kota kembar?") == [
        "tantang", "laksana", "kerja", "sama", "kota", "kembar"]
    assert tokenize("yang dan di dengan untuk adalah itu ini sih dong") == []
    assert tokenize("what are the benefits of the sister city?") == ["manfaat", "sister", "city"]


def test_sama_is_kept_only_in_kerja_sama() -> None:
    assert tokenize("belajar satu sama lain") == ["ajar"]
    assert tokenize("skor MU sama Liverpool") == ["skor", "mu", "liverpool"]
    assert tokenize("kerjasama antarkota") == ["kerja", "sama", "antarkota"]
    assert tokenize("kota yang bekerjasama") == ["kota", "kerja", "sama"]


@pytest.mark.parametrize(
    "word, stem",
    [
        ("pertukaran", "tukar"), ("kebudayaan", "budaya"), ("peningkatan", "tingkat"), ("meningkatkan", "tingkat"),
        ("perekonomian", "ekonomi"), ("bermanfaat", "manfaat"), ("mempengaruhi", "pengaruh"), ("ngaruh", "pengaruh"),
        ("kemitraan", "mitra"), ("kota-kota", "kota"), ("kembarnya", "kembar"), ("diperkenalkan", "kenal"),
        ("Busan", "busan"), ("Kediri", "kediri"),  # proper nouns Sastrawi would over-stem (bus, diri)
        ("keuntungannya", "manfaat"),  # casual synonym mapped onto the articles' word
    ],
)
def test_stemming_joins_word_forms(word: str, stem: str) -> None:
    assert tokenize(word) == [stem]


def test_stemming_makes_question_and_passage_meet() -> None:
    question = content_words("Apa manfaat sister city buat perekonomian?")
    passage = content_words("Salah satu manfaat utama yaitu pertukaran ekonomi.")
    assert {"manfaat", "ekonomi"} <= question & passage
    unstemmed = set(tokenize("Apa manfaat sister city buat perekonomian?", stem=False))
    assert "ekonomi" not in unstemmed  # without stemming "perekonomian" never meets "ekonomi"


def test_numbers_and_hyphenated_words() -> None:
    assert tokenize("Coventry dan Stalingrad tahun 1944, harga Rp 1.000") == [
        "coventry", "stalingrad", "tahun", "1944", "harga", "rp", "1.000"]
    assert tokenize("nge-hits, non-pemerintah, bermacam-macam") == ["hits", "non", "perintah", "macam"]
    assert tokenize("") == [] and content_words("?!") == set()


def test_content_words_is_the_token_set() -> None:
    text = "Kota kembar, kota kembar, kota kembar!"
    assert content_words(text) == set(tokenize(text)) == {"kota", "kembar"}


# split_sentences -------------------------------------------------------------------------------

@pytest.mark.parametrize("passage", _passages(), ids=lambda p: p[:30])
def test_sentences_are_verbatim_and_cover_every_passage(passage: str) -> None:
    sentences = split_sentences(passage)
    assert sentences
    position = 0
    for sentence in sentences:
        found = passage.find(sentence, position)
        assert found >= 0, sentence  # verbatim, and in order
        assert sentence == sentence.strip()
        position = found + len(sentence)
    # nothing but whitespace is lost between sentences
    assert "".join(sentences).replace(" ", "") == passage.replace(" ", "")


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_whole_article_splits_into_verbatim_sentences(path: Path) -> None:
    body = _body(path)
    sentences = split_sentences(body)
    assert all(s in body for s in sentences)
    assert not any(s.startswith(("#", "- ")) for s in sentences)  # Markdown markers are layout
    assert not any("\n\n" in s for s in sentences)  # never across paragraphs


def test_list_label_stays_with_its_first_sentence() -> None:
    item = ("Peningkatan Ekonomi: Ini salah satu yang paling signifikan. Kerjasama bisa membuka peluang "
            "investasi, meningkatkan perdagangan, dan promosi produk lokal.")
    assert split_sentences(item)[0] == "Peningkatan Ekonomi: Ini salah satu yang paling signifikan."


def test_numbers_and_abbreviations_do_not_split() -> None:
    assert split_sentences("Tiketnya Rp 1.000 per orang. Murah!") == ["Tiketnya Rp 1.000 per orang.", "Murah!"]
    assert split_sentences("Biayanya Rp. 1.000 saja. Dr. Budi setuju.") == ["Biayanya Rp. 1.000 saja.", "Dr. Budi setuju."]
    assert split_sentences("Konsep ini lahir sesudah Perang Dunia II. Tujuannya perdamaian.") == [
        "Konsep ini lahir sesudah Perang Dunia II.", "Tujuannya perdamaian."]
    assert split_sentences("Sesudah Perang Dunia II. kota itu pulih.") == ["Sesudah Perang Dunia II. kota itu pulih."]
    assert split_sentences("Diresmikan B. J. Habibie di Jl. Sudirman no. 5 Jakarta.") == [
        "Diresmikan B. J. Habibie di Jl. Sudirman no. 5 Jakarta."]


def test_question_marks_quotes_and_lists() -> None:
    assert split_sentences('Hasilnya? Pendapatan naik. Dia bilang, "Keren!" Lalu pergi.') == [
        "Hasilnya?", "Pendapatan naik.", 'Dia bilang, "Keren!"', "Lalu pergi."]
    assert split_sentences("Kuliner, tari, dll. Semua bisa dibagi.") == ["Kuliner, tari, dll.", "Semua bisa dibagi."]
    assert split_sentences("1. Tentukan tujuan. 2. Pilih partner.") == ["1. Tentukan tujuan.", "2. Pilih partner."]
    assert split_sentences("## Judul\nParagraf tanpa titik\n- Butir satu. Dua.") == [
        "Judul", "Paragraf tanpa titik", "Butir satu.", "Dua."]
    assert split_sentences("") == [] and split_sentences("  \n ") == []


# eval/articles.jsonl --------------------------------------------------------------------------

def _eval_items() -> list[dict]:
    return [json.loads(line) for line in EVAL.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_eval_file_is_valid_with_unique_ids_and_enough_of_each_style() -> None:
    items = _eval_items()
    assert len(items) >= 50
    assert len({i["id"] for i in items}) == len(items)
    styles = Counter(i["style"] for i in items)
    minimum = {"casual": 15, "formal": 8, "slang": 8, "english": 6, "followup": 6, "out_of_scope": 12, "adversarial": 3}
    assert set(styles) == set(minimum)
    assert all(styles[s] >= n for s, n in minimum.items()), styles
    for item in items:
        assert isinstance(item["question"], str) and item["question"].strip()
        refuse = item["style"] in ("out_of_scope", "adversarial")
        assert item["expect_refusal"] is refuse, item["id"]
        assert (item["gold"] == []) is refuse, item["id"]
        if item["style"] == "followup":
            roles = [turn["role"] for turn in item["history"]]
            assert roles and roles[0] == "user" and set(roles) <= {"user", "assistant"}, item["id"]
        else:
            assert "history" not in item, item["id"]


def test_every_gold_substring_names_exactly_one_passage() -> None:
    passages = _passages()
    for item in _eval_items():
        for gold in item["gold"]:
            assert 10 <= len(gold) <= 60, (item["id"], gold)
            holders = [p for p in passages if gold in p]
            assert len(holders) == 1, (item["id"], gold, len(holders))


def test_footer_junk_is_not_in_the_corpus_so_it_must_be_refused() -> None:
    junk = [i for i in _eval_items() if "MLB" in i["question"] or "Faj Lennon" in i["question"]]
    assert junk and all(i["expect_refusal"] for i in junk)
    corpus = " ".join(_passages())
    assert "MLB" not in corpus and "Faj Lennon" not in corpus


def test_everyday_words_meet_the_articles_words() -> None:
    """prompts/lexicon.yaml stem_synonyms: a question's everyday word meets the article's word."""
    assert tokenize("dana") == tokenize("anggaran")
    assert tokenize("pelancong") == tokenize("wisatawan")
    assert tokenize("harga") == ["harga"]  # a word with no entry stays itself
    # choosing a partner "karena deket" / "tetanggaan" is what the tips call "faktor geografis"
    assert tokenize("deket") == tokenize("tetanggaan") == tokenize("geografis")


def test_jakarta_style_nasal_forms_reach_their_root() -> None:
    # "nguntungin" = menguntungkan, "nyari" = mencari: the root the articles' words stem to
    assert tokenize("nguntungin") == tokenize("menguntungkan")
    assert tokenize("nyari partner") == ["cari", "partner"]


def test_signing_in_everyday_words_is_the_articles_ditandatangani() -> None:
    # "Umumnya, kemitraan ini ditandatangani oleh pemerintah kota": "yang neken siapa?", "tanda tangan"
    assert tokenize("yang neken siapa") == tokenize("yang ditandatangani siapa")
    assert tokenize("tanda tangan") == tokenize("ditandatangani")
