"""Source kinds (prompts/sources.yaml): every page behind the records is classified by a rule, and
never as stronger evidence than the data itself says it is."""
from __future__ import annotations

import csv
import shutil

import pytest

from assistant.briefing.sources import load_source_kinds
from assistant.config import PROJECT_ROOT
from assistant.errors import ConfigError

RECORDS_DIR = PROJECT_ROOT / "corpus" / "records"
# The summary table's source types, grouped as the briefing lists them.
GROUP_OF_TYPE = {"official": "pemerintah", "news": "berita", "wikipedia-derived": "rujukan",
                 "wikidata-derived": "rujukan", "academic": "rujukan", "document": "rujukan",
                 "blog": "blog", "forum": "blog"}


def _rows(name: str) -> list[dict]:
    with (RECORDS_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_url_in_the_records_matches_a_rule():
    kinds = load_source_kinds()
    urls = {u for r in _rows("relationships_summary.csv") for u in r["source_urls"].split(" | ")}
    urls |= {r["source_url"] for r in _rows("records.csv")} | {r["source_url"] for r in _rows("candidates_unverified.csv")}
    unmatched = sorted(u for u in urls if kinds.matched_kind(u) is None)
    assert not unmatched, unmatched


def test_no_url_is_ranked_stronger_than_the_data_says():
    """A page is in one of the kinds its relationships' source_types name, or among the blogs."""
    kinds = load_source_kinds()
    wrong = []
    for row in _rows("relationships_summary.csv"):
        groups = {GROUP_OF_TYPE[t] for t in row["source_types"].split("|")}
        for url in row["source_urls"].split(" | "):
            kind = kinds.classify(url).key
            if kind not in groups and kind != "blog":
                wrong.append((row["city_id"], row["partner_city"], url, kind, sorted(groups)))
    assert not wrong, wrong


@pytest.mark.parametrize("url, publisher, kind", [
    ("https://www.surabaya.go.id/eng/comunity.php", "", "pemerintah"),
    ("https://seattle.gov/oir/sister-cities", "", "pemerintah"),
    ("https://megapolitan.antaranews.com/berita/1", "", "berita"),
    ("https://github.com/Hekman/twincities/blob/x/twin_cities_raw.csv", "", "rujukan"),
    ("https://GitHub.com/L3viathan/sister-cities/blob/x/relations.tsv", "", "rujukan"),
    ("https://github.com/someone/else", "", "blog"),  # an unknown site is never promoted
    ("http://bandungdailyphotos.blogspot.com/2008/09/x.html", "", "blog"),
    ("", "Blog (penerbit tidak diketahui)", "blog"),
    ("https://voi.id/amp/424747/x", "VOI.ID", "berita"),
])
def test_classification(url, publisher, kind):
    assert load_source_kinds().classify(url, publisher).key == kind


def test_kinds_are_listed_strongest_first_and_weaker_kinds_carry_a_mark():
    kinds = load_source_kinds().kinds
    assert [k.key for k in kinds] == ["pemerintah", "berita", "rujukan", "blog"]
    assert [bool(k.mark) for k in kinds] == [False, False, True, True]


def test_a_broken_sources_file_names_itself(tmp_path):
    prompts = tmp_path / "prompts"
    shutil.copytree(PROJECT_ROOT / "prompts", prompts)
    text = (prompts / "sources.yaml").read_text(encoding="utf-8").replace("default: blog", "default: forum")
    (prompts / "sources.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="sources.yaml"):
        load_source_kinds(prompts)
