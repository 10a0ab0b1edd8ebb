"""Settings.prompts_dir is honoured: wording, word lists and place names come from the directory given.

Each test copies the project's prompts/ to a temp dir, changes one entry, and checks that the
change shows where a user would see it (and that the project's own files are left as they were).
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from assistant.briefing import compose_briefing, to_markdown
from assistant.briefing.formal import load_rules, rewrite
from assistant.config import PROJECT_ROOT
from assistant.errors import ConfigError
from assistant.prompts import load_phrases
from assistant.records import RecordStore, load_place_aliases
from assistant.text import is_chatter, lexicon_path, load_lexicon, normalize

RECORDS_DIR = PROJECT_ROOT / "corpus" / "records"


@pytest.fixture
def prompts(tmp_path) -> Path:
    target = tmp_path / "prompts"
    shutil.copytree(PROJECT_ROOT / "prompts", target)
    return target


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_place_aliases_come_from_the_prompts_dir(prompts):
    _replace(prompts / "places.yaml", "surabaya: [", "surabaya: [Kota Buaya, ")
    custom, errors = RecordStore.load(RECORDS_DIR, prompts)
    assert not errors
    own, _ = RecordStore.load(RECORDS_DIR)
    match = custom.resolve("Kota Buaya", ("city",))
    assert match is not None and match.key == "surabaya"
    assert own.resolve("Kota Buaya", ("city",)) is None
    assert len(custom.partners_of("Kota Buaya")) == len(own.partners_of("surabaya")) > 0


@pytest.mark.parametrize("old, new, named", [
    ("bandung: [Kota Kembang, Paris van Java, Bdg, Bandoeng, Kota Parahyangan, Bandung Kota Kembang]",
     "bandung: Kota Kembang", "bandung"),
    ("not_a_place: [", "not_a_place: [7, ", "not_a_place"),
    ("kind: country", "kind: negara", "case_sensitive"),
])
def test_a_broken_places_file_fails_loudly_naming_the_entry(prompts, old, new, named):
    _replace(prompts / "places.yaml", old, new)
    with pytest.raises(ConfigError, match=named):
        load_place_aliases(prompts)


def test_lexicon_and_chatter_come_from_the_prompts_dir(prompts):
    _replace(prompts / "lexicon.yaml", "slang:\n", "slang:\n  kembarz: kembar\n")
    _replace(prompts / "lexicon.yaml", "chatter:\n", "chatter:\n  - '\\bmenurut saya\\b'\n")
    custom = load_lexicon(lexicon_path(prompts))
    assert normalize("kota kembarz", custom) == "kota kembar"
    assert normalize("kota kembarz") == "kota kembarz"  # the project's own lexicon is untouched
    opinion = "Menurut saya kerja sama ini sangat bermanfaat bagi warga kota."
    assert is_chatter(opinion, custom) and not is_chatter(opinion)
    # The formal rewrite for briefings reads chatter from the same directory.
    assert rewrite(opinion, load_rules(prompts)) == ""
    assert rewrite(opinion) != ""


def test_briefing_wording_comes_from_the_prompts_dir(prompts):
    _replace(prompts / "briefing.yaml", "date: ", "date: Tanggal rapat  # ")
    _replace(prompts / "briefing.yaml", 'city: "Briefing Kerja Sama', 'city: "Bahan Rapat Kerja Sama')
    store, _ = RecordStore.load(RECORDS_DIR, prompts)
    briefing = compose_briefing("Surabaya", records=store, retrieve=lambda q, k: [], date="1 Juli 2025",
                                prompts_dir=prompts)
    assert briefing.title == "Bahan Rapat Kerja Sama Kota Kembar: Surabaya"
    assert compose_briefing("Surabaya", records=store, retrieve=lambda q, k: []).title.startswith("Briefing")
    markdown = to_markdown(briefing, load_phrases(prompts, "briefing"))
    assert re.search(r"^\*\*Tanggal rapat:\*\* 1 Juli 2025", markdown, re.M)
    assert "**Tanggal rapat:**" not in to_markdown(briefing)


@pytest.mark.slow
def test_the_assistant_reads_its_own_prompts_dir(real_assistant, real_settings, prompts):
    from assistant.core import Assistant

    _replace(prompts / "places.yaml", "surabaya: [", "surabaya: [Kota Buaya, ")
    # The index is already built by real_assistant; this one only opens it.
    custom = Assistant.from_settings(real_settings.with_(prompts_dir=prompts))
    answer = custom.ask("Kota Buaya punya kota kembar apa aja?")
    assert answer.route == "records" and not answer.refused
    assert "record:surabaya--busan" in {c.source_id for c in answer.citations}
    assert "record:surabaya--busan" not in {c.source_id for c in real_assistant.ask("Kota Buaya punya kota kembar apa aja?").citations}
