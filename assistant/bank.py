"""The evaluation bank (eval/bank/*.jsonl) and its fixed dev/test split.

Every item is assigned to a split by a fixed hash: article questions by the source passage they
target (so no passage is in both splits), record questions by their city, the rest by item id.
Questions written later to tune on (eval/dev/*.jsonl, record questions only about dev-split
cities) and the older self-written sets (eval/articles.jsonl, eval/records.jsonl) are dev only.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from .chunking import split_blocks
from .citations import squash
from .corpus import load_articles
from .errors import AssistantError

SPLIT_SEED = "kota-kembar-eval-2026"
TEST_SHARE = 50  # percent of split groups that go to test
BANK_FILES = ("articles", "records", "offtopic", "smalltalk", "injection", "conversations")


def load_jsonl(path: Path) -> list[dict]:
    """Read an eval file; a broken line is an error naming the file and line."""
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise AssistantError(f"{path.name}:{number}: bukan JSON yang valid ({exc.msg})") from None
    return items


def in_test_split(group: str) -> bool:
    """Fixed assignment of a split group (a passage, a city, an item id) to test."""
    digest = hashlib.sha256(f"{SPLIT_SEED}\x1f{group}".encode("utf-8")).hexdigest()
    return int(digest[:8], 16) % 100 < TEST_SHARE


@dataclass(frozen=True)
class Item:
    """One question (or conversation) of the bank, with the split it belongs to."""

    id: str
    kind: str  # article | record | offtopic | smalltalk | injection | conversation
    register: str
    split: str  # dev | test
    data: dict


class PassageLocator:
    """Finds which source passage (paragraph or list item of a corpus article) holds a text."""

    def __init__(self, corpus_dir: Path) -> None:
        articles, _ = load_articles(corpus_dir)
        self.blocks = [
            (f"{a.source_id}#{i}", squash(text))
            for a in articles
            for i, (_, text, _) in enumerate(split_blocks(a.body))
        ]

    def locate(self, evidence: str) -> str | None:
        """Key of the passage holding the evidence; for evidence spanning a whole list, its first item."""
        for part in [evidence] + evidence_lines(evidence):
            wanted = squash(part)
            for key, text in self.blocks:
                if wanted and wanted in text:
                    return key
        return None


def evidence_lines(evidence: str) -> list[str]:
    """The lines of a multi-line evidence (a whole list), without their bullets."""
    return [line.strip().lstrip("-*• ").strip() for line in evidence.splitlines() if line.strip()]


def _record_group(data: dict) -> str:
    keys = list(data.get("pairs") or []) + list(data.get("candidates") or [])
    if keys:
        return "city:" + keys[0].split("|", 1)[0]
    return "id:" + data["id"]


def load_bank(eval_dir: Path, corpus_dir: Path) -> list[Item]:
    """Every item of eval/bank/*.jsonl, split by the fixed hash; eval/dev/*.jsonl (questions written
    later for tuning) and the older eval/*.jsonl sets are dev only."""
    locator = PassageLocator(corpus_dir)
    items: list[Item] = []
    problems: list[str] = []
    for folder, fixed_split in ((eval_dir / "bank", None), (eval_dir / "dev", "dev")):
        for name in BANK_FILES:
            for path in sorted(folder.glob(f"{name}*.jsonl")):
                for data in load_jsonl(path):
                    item_id = data.get("id") or f"{path.stem}-{len(items)}"
                    if name == "articles" or (name == "injection" and data.get("evidence")):
                        key = locator.locate(data.get("evidence", ""))
                        if key is None:
                            problems.append(f"{path.name}: {item_id}: evidence tidak ditemukan di corpus/")
                            continue
                        group = "passage:" + key
                    elif name == "records" or (name == "injection" and "pairs" in data):
                        group = _record_group(data)
                    else:
                        group = "id:" + item_id
                    kind = {"articles": "article", "records": "record", "conversations": "conversation"}.get(name, name)
                    split = fixed_split or ("test" if in_test_split(group) else "dev")
                    register = "injection" if name == "injection" else data.get("register") or data.get("kind") or "-"
                    items.append(Item(item_id, kind, register, split, data))
    if problems:
        raise AssistantError("Bank evaluasi tidak cocok dengan corpus:\n" + "\n".join(problems[:20]))
    items += _legacy_items(eval_dir)
    return items


def _legacy_items(eval_dir: Path) -> list[Item]:
    """The first, self-written sets (eval/articles.jsonl, eval/records.jsonl): dev only."""
    items: list[Item] = []
    articles = eval_dir / "articles.jsonl"
    if articles.exists():
        for data in load_jsonl(articles):
            if data.get("expect_refusal"):
                kind = "injection" if data.get("style") == "injection" else "offtopic"
                items.append(Item(data["id"], kind, "legacy", "dev", {**data, "expect": "refuse"}))
            else:
                items.append(Item(data["id"], "article", "legacy", "dev", {**data, "legacy_gold": data["gold"]}))
    records = eval_dir / "records.jsonl"
    if records.exists():
        for data in load_jsonl(records):
            items.append(Item(data["id"], "record", "legacy", "dev", data))
    return items
