"""The eval targets hold on our own question sets (the figures themselves come from `assistant eval`)."""
from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evaluation import gold_rank, load_jsonl, run_evaluation

EVAL_DIR = Path(__file__).resolve().parent.parent / "eval"


def test_gold_rank_finds_the_first_matching_passage():
    assert gold_rank(["a b c", "kota  Kembar X"], ["kota kembar"]) == 2
    assert gold_rank(["a"], ["b"]) is None


def test_eval_sets_are_big_enough_and_well_formed():
    articles = load_jsonl(EVAL_DIR / "articles.jsonl")
    records = load_jsonl(EVAL_DIR / "records.jsonl")
    assert len(articles) >= 40 and len(records) >= 20
    styles = {a.get("style") for a in articles}
    assert {"casual", "formal", "slang", "english", "followup", "out_of_scope"} <= styles


@pytest.mark.slow
def test_targets_are_met(real_assistant):
    report = run_evaluation(real_assistant, EVAL_DIR)
    assert report.recall[5] >= 0.95, report.render()
    assert report.mrr >= 0.85, report.render()
    assert report.refusal_recall == 1.0, report.render()
    assert report.wrong_refusal_rate <= 0.05, report.render()
    assert report.citation_validity == 1.0, report.render()
    assert report.records_exactness == 1.0, report.render()
