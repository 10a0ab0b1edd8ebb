"""The evaluation bank is well formed and split without leaks; the eval runs end to end.

The figures themselves (recall, facts, refusals per split and register) are printed by
`assistant eval`, never asserted here: a test that fails on a tuned threshold measures nothing.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assistant.bank import PassageLocator, in_test_split, load_bank, load_jsonl
from assistant.evaluation import evaluate, gold_rank

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = ROOT / "eval"


@pytest.fixture(scope="module")
def bank():
    return load_bank(EVAL_DIR, ROOT / "corpus")


def test_gold_rank_finds_the_first_matching_passage():
    assert gold_rank(["a b c", "kota  Kembar X"], ["kota kembar"]) == 2
    assert gold_rank(["a"], ["b"]) is None


def test_the_bank_is_as_big_as_the_issue_asks(bank):
    kinds = Counter(i.kind for i in bank if i.register != "legacy")
    assert kinds["article"] >= 300 and kinds["offtopic"] >= 100 and kinds["smalltalk"] >= 20
    assert kinds["record"] >= 80 and kinds["conversation"] >= 30
    registers = {i.register for i in bank if i.kind == "article"}
    assert {"casual", "slang", "typo", "english", "formal", "paraphrase"} <= registers


def test_no_source_passage_is_in_both_splits(bank):

    locator = PassageLocator(ROOT / "corpus")
    split_of: dict[str, set[str]] = {}
    for item in bank:
        if item.kind == "article" and item.register != "legacy":
            split_of.setdefault(locator.locate(item.data["evidence"]), set()).add(item.split)
    assert split_of and all(len(splits) == 1 for splits in split_of.values())
    assert {s for splits in split_of.values() for s in splits} == {"dev", "test"}


def test_the_split_is_fixed():
    assert in_test_split("passage:x#1") == in_test_split("passage:x#1")
    shares = Counter(in_test_split(f"id:{i}") for i in range(2000))
    assert 0.4 < shares[True] / 2000 < 0.6


def test_the_older_sets_are_dev_only(bank):
    assert all(i.split == "dev" for i in bank if i.register == "legacy")
    assert len(load_jsonl(EVAL_DIR / "articles.jsonl")) >= 40


@pytest.mark.slow
def test_the_eval_runs_end_to_end_and_every_citation_holds(real_assistant, bank):
    # A sample of every kind from both splits: the run itself and citation validity are the point.
    sample = []
    for kind in ("article", "record", "offtopic", "smalltalk", "injection", "conversation"):
        for split in ("dev", "test"):
            sample += [i for i in bank if i.kind == kind and i.split == split][:4]
    report = evaluate(real_assistant, sample)
    text = report.render()
    assert "dev" in text and "test" in text and "recall@5" in text
    for split in report.splits.values():
        assert split.markers > 0 and split.citation_validity == 1.0, split.failures
