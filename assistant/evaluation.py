"""`assistant eval`: retrieval, refusal, citation and record-exactness metrics on our own sets.

eval/articles.jsonl  questions about the two articles: `gold` substrings identify the passage
                     that answers; `expect_refusal` marks out-of-scope questions.
eval/records.jsonl   questions about sister-city records: `expect_relationships` is the exact set
                     of relationships the answer must cite (every one, none extra).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .citations import check_citations, squash
from .errors import AssistantError

TARGETS = {"recall@5": 0.95, "mrr": 0.85, "citation_validity": 1.0, "records_exact": 1.0}
MAX_WRONG_REFUSALS = 0.05


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


def gold_rank(hit_texts: list[str], gold: list[str]) -> int | None:
    """1-based rank of the first passage containing any gold substring."""
    wanted = [squash(g) for g in gold]
    for rank, text in enumerate(hit_texts, 1):
        squashed = squash(text)
        if any(g in squashed for g in wanted):
            return rank
    return None


@dataclass
class EvalReport:
    n_retrieval: int = 0
    recall: dict[int, float] = field(default_factory=dict)
    mrr: float = 0.0
    n_out_of_scope: int = 0
    refused_out_of_scope: int = 0
    n_in_scope: int = 0
    wrongly_refused: int = 0
    markers: int = 0
    valid_markers: int = 0
    n_records: int = 0
    records_exact: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def refusal_recall(self) -> float:
        return self.refused_out_of_scope / self.n_out_of_scope if self.n_out_of_scope else 1.0

    @property
    def refusal_precision(self) -> float:
        refused = self.refused_out_of_scope + self.wrongly_refused
        return self.refused_out_of_scope / refused if refused else 1.0

    @property
    def wrong_refusal_rate(self) -> float:
        return self.wrongly_refused / self.n_in_scope if self.n_in_scope else 0.0

    @property
    def citation_validity(self) -> float:
        return self.valid_markers / self.markers if self.markers else 1.0

    @property
    def records_exactness(self) -> float:
        return self.records_exact / self.n_records if self.n_records else 1.0

    @property
    def passed(self) -> bool:
        return (
            self.recall.get(5, 0) >= TARGETS["recall@5"]
            and self.mrr >= TARGETS["mrr"]
            and self.refusal_recall == 1.0
            and self.wrong_refusal_rate <= MAX_WRONG_REFUSALS
            and self.citation_validity == TARGETS["citation_validity"]
            and self.records_exactness == TARGETS["records_exact"]
        )

    def render(self) -> str:
        lines = [
            "== assistant eval ==",
            f"artikel: {self.n_retrieval} pertanyaan dalam cakupan (retrieval)",
            "  " + "  ".join(f"recall@{k}={v:.3f}" for k, v in sorted(self.recall.items())) + f"  MRR={self.mrr:.3f}",
            f"penolakan: {self.refused_out_of_scope}/{self.n_out_of_scope} di luar cakupan ditolak "
            f"(recall={self.refusal_recall:.3f}, precision={self.refusal_precision:.3f}); "
            f"{self.wrongly_refused}/{self.n_in_scope} dalam cakupan salah ditolak ({self.wrong_refusal_rate:.1%})",
            f"kutipan: {self.valid_markers}/{self.markers} penanda [n] valid (validitas={self.citation_validity:.3f})",
            f"data kota kembar: {self.records_exact}/{self.n_records} jawaban persis (exactness={self.records_exactness:.3f})",
            f"target: {'TERCAPAI' if self.passed else 'BELUM TERCAPAI'}",
        ]
        if self.failures:
            lines.append("gagal:")
            lines += [f"  - {f}" for f in self.failures]
        return "\n".join(lines)


def _count_citations(report: EvalReport, item_id: str, answer) -> None:
    for check in check_citations(answer):
        for n, ok in zip(check.cited, check.supported):
            report.markers += 1
            report.valid_markers += ok
            if not ok:
                report.failures.append(f"{item_id}: [{n}] tidak mendukung {check.segment[:70]!r}")


def evaluate_articles(assistant, items: list[dict], report: EvalReport, ks=(1, 3, 5)) -> None:
    reciprocal = 0.0
    found = {k: 0 for k in ks}
    for item in items:
        history = item.get("history") or []
        answer = assistant.ask(item["question"], history)
        _count_citations(report, item["id"], answer)
        if item.get("expect_refusal"):
            report.n_out_of_scope += 1
            report.refused_out_of_scope += answer.refused
            if not answer.refused:
                report.failures.append(f"{item['id']}: seharusnya ditolak: {item['question']!r}")
            continue
        report.n_in_scope += 1
        if answer.refused:
            report.wrongly_refused += 1
            report.failures.append(f"{item['id']}: salah ditolak: {item['question']!r}")
        standalone = assistant.standalone(item["question"], history)
        hits = assistant.retrieve(standalone, max(ks))
        rank = gold_rank([h.chunk.text for h in hits], item["gold"])
        report.n_retrieval += 1
        if rank is None:
            report.failures.append(f"{item['id']}: passage emas tidak di top-{max(ks)}: {item['question']!r}")
        else:
            reciprocal += 1.0 / rank
            for k in ks:
                found[k] += rank <= k
    n = max(report.n_retrieval, 1)
    report.recall = {k: found[k] / n for k in ks}
    report.mrr = reciprocal / n


def record_ids(answer) -> set[str]:
    return {c.source_id.split(":", 1)[1] for c in answer.citations if c.source_id.startswith("record:")}


def evaluate_records(assistant, items: list[dict], report: EvalReport) -> None:
    for item in items:
        answer = assistant.ask(item["question"], item.get("history") or [])
        _count_citations(report, item["id"], answer)
        report.n_records += 1
        problems = []
        got, want = record_ids(answer), set(item.get("expect_relationships", []))
        if got != want:
            missing, extra = sorted(want - got), sorted(got - want)
            problems.append(f"kurang {missing}" if missing else "")
            problems.append(f"lebih {extra}" if extra else "")
        lowered = answer.answer.casefold()
        problems += [f"tidak memuat {s!r}" for s in item.get("must_contain", []) if s.casefold() not in lowered]
        problems += [f"memuat {s!r}" for s in item.get("must_not_contain", []) if s.casefold() in lowered]
        cands = {c.source_id.split(":", 1)[1] for c in answer.citations if c.source_id.startswith("candidate:")}
        if "expect_candidates" in item and set(item["expect_candidates"]) != cands:
            problems.append(f"kandidat {sorted(cands)} != {sorted(item['expect_candidates'])}")
        problems = [p for p in problems if p]
        if problems:
            report.failures.append(f"{item['id']}: {item['question']!r}: {'; '.join(problems)}")
        else:
            report.records_exact += 1


def run_evaluation(assistant, eval_dir: Path, verbose: bool = False) -> EvalReport:
    """Run both eval sets against a ready Assistant."""
    report = EvalReport()
    articles = eval_dir / "articles.jsonl"
    records = eval_dir / "records.jsonl"
    if not articles.exists() and not records.exists():
        raise AssistantError(f"Tidak ada set evaluasi di {eval_dir} (articles.jsonl / records.jsonl).")
    if articles.exists():
        evaluate_articles(assistant, load_jsonl(articles), report)
    if records.exists():
        evaluate_records(assistant, load_jsonl(records), report)
    return report
