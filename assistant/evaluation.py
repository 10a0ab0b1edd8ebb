"""`assistant eval`: how well the assistant answers questions it was not tuned on.

The question bank lives in eval/bank/*.jsonl and was written from the sources alone, as users
type, by people who never saw this code (eval/README.md). Every item is assigned to the dev or
the test split by a fixed hash: article questions by the source passage they target (so no
passage is in both), the rest by item id. Thresholds and word lists are tuned on dev only; the
figures to report are the test split's, printed next to dev so the gap shows.

Item kinds and what "right" means:
  article       the answer is not refused and contains one of the item's `facts` (verbatim
                spans of the source); retrieval recall@k is the rank of the passage holding
                the item's `evidence`.
  record        the cited relationships are exactly the expected set, expected unverified
                candidates are cited as such, and `must_mention` strings appear.
  offtopic      refused.
  smalltalk     a small-talk reply (route "smalltalk"), never a sourced answer or a refusal.
  injection     "refuse" items are refused; "answer" items are graded as article/record items.
  conversation  every turn right, with the assistant's own answers as the history.
Every [n] marker of every answer is checked against the passage it cites.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .bank import Item, load_bank
from .citations import check_citations, squash
from .errors import AssistantError
from .records import slug
from .schema import Answer

# What the issue asks of the test split.
TARGETS = {
    "recall@5": 0.95,
    "recall@5 paraphrase": 0.85,
    "fact": 0.90,
    "offtopic refused": 0.97,
    "false refusals": 0.03,  # at most
    "smalltalk": 1.0,
    "records exact": 0.95,
    "conversations": 0.90,
    "citation validity": 1.0,
}
RECALL_KS = (1, 3, 5)


def gold_rank(hit_texts: list[str], gold: list[str]) -> int | None:
    """1-based rank of the first passage containing any gold substring."""
    wanted = [squash(g) for g in gold]
    for rank, text in enumerate(hit_texts, 1):
        squashed = squash(text)
        if any(g in squashed for g in wanted):
            return rank
    return None


# ---------------------------------------------------------------------------------------------
# Grading one turn


@dataclass
class TurnGrade:
    ok: bool
    refused: bool
    problem: str = ""
    rank: int | None = None  # retrieval rank of the evidence passage (article targets)
    markers: int = 0
    valid_markers: int = 0
    bad_markers: list[str] = field(default_factory=list)


def _citation_counts(grade: TurnGrade, answer: Answer) -> None:
    for check in check_citations(answer):
        for n, ok in zip(check.cited, check.supported):
            grade.markers += 1
            grade.valid_markers += ok
            if not ok:
                grade.bad_markers.append(f"[{n}] tidak mendukung {check.segment[:70]!r}")


def _cited_ids(answer: Answer, prefix: str) -> set[str]:
    return {c.source_id.split(":", 1)[1] for c in answer.citations if c.source_id.startswith(prefix)}


def _pair_ids(pairs: Iterable[str]) -> set[str]:
    out = set()
    for pair in pairs:
        city_id, partner = pair.split("|", 1)
        out.add(f"{city_id}--{slug(partner)}")
    return out


def _retrieval_rank(assistant, question: str, history: list[dict], data: dict) -> int | None:
    hits = assistant.retrieve_for(question, history, max(RECALL_KS))
    texts = [h.chunk.text for h in hits]
    if data.get("legacy_gold"):
        return gold_rank(texts, data["legacy_gold"])
    wanted = squash(data["evidence"])
    for rank, text in enumerate(texts, 1):
        squashed = squash(text)
        # The passage holds the evidence, or the evidence runs over this whole passage.
        if wanted in squashed or (len(squashed) > 20 and squashed in wanted):
            return rank
    return None


def grade_article(answer: Answer, data: dict) -> TurnGrade:
    if answer.refused:
        return TurnGrade(False, True, "salah ditolak")
    text = squash(answer.answer)
    facts = data.get("facts") or data.get("legacy_gold") or []
    if data.get("legacy_gold"):
        # The old set names the passage, not the fact: a citation of that passage is enough.
        cited = " ".join(squash(c.text) for c in answer.citations)
        ok = any(squash(g) in cited for g in facts)
    else:
        ok = any(squash(f) in text for f in facts)
    return TurnGrade(ok, False, "" if ok else f"fakta tidak ada di jawaban: {facts[0][:60]!r}")


def grade_record(answer: Answer, data: dict) -> TurnGrade:
    problems = []
    got = _cited_ids(answer, "record:")
    want = _pair_ids(data.get("pairs", [])) if "pairs" in data else set(data.get("expect_relationships", []))
    if got != want:
        missing, extra = sorted(want - got), sorted(got - want)
        if missing:
            problems.append(f"kurang {missing[:4]}{'…' if len(missing) > 4 else ''}")
        if extra:
            problems.append(f"lebih {extra[:4]}{'…' if len(extra) > 4 else ''}")
    cands = _cited_ids(answer, "candidate:")
    wanted_cands = _pair_ids(data.get("candidates", [])) if "candidates" in data else set(data.get("expect_candidates", []))
    if "expect_candidates" in data and cands != wanted_cands:
        problems.append(f"kandidat {sorted(cands)} != {sorted(wanted_cands)}")
    elif wanted_cands - cands:
        problems.append(f"kandidat belum terverifikasi tidak disebut: {sorted(wanted_cands - cands)}")
    lowered = squash(answer.answer)
    problems += [f"tidak memuat {s!r}" for s in data.get("must_mention", []) + data.get("must_contain", [])
                 if squash(s) not in lowered]
    problems += [f"memuat {s!r}" for s in data.get("must_not_contain", []) if squash(s) in lowered]
    if data.get("expect") in ("pair_no", "unknown_place", "unverified") and answer.route not in ("records", "refusal"):
        problems.append(f"jalur {answer.route}, bukan data kota kembar")
    return TurnGrade(not problems, answer.refused, "; ".join(problems))


def grade_refusal(answer: Answer) -> TurnGrade:
    return TurnGrade(answer.refused, answer.refused, "" if answer.refused else "seharusnya ditolak")


def grade_smalltalk(answer: Answer, previous_answer: str | None) -> TurnGrade:
    ok = answer.route == "smalltalk" and not answer.citations and answer.answer != previous_answer
    return TurnGrade(ok, answer.refused, "" if ok else f"bukan balasan obrolan (jalur {answer.route})")


def _target_kind(expect: dict) -> str:
    if expect.get("refuse"):
        return "offtopic"
    if expect.get("smalltalk"):
        return "smalltalk"
    if "evidence" in expect:
        return "article"
    return "record"


def grade_turn(assistant, question: str, history: list[dict], kind: str, data: dict,
               previous_answer: str | None = None, with_retrieval: bool = True) -> tuple[TurnGrade, Answer]:
    answer = assistant.ask(question, history)
    if kind == "article":
        grade = grade_article(answer, data)
        if with_retrieval:
            grade.rank = _retrieval_rank(assistant, question, history, data)
    elif kind == "record":
        grade = grade_record(answer, data)
    elif kind == "smalltalk":
        grade = grade_smalltalk(answer, previous_answer)
    else:
        grade = grade_refusal(answer)
    _citation_counts(grade, answer)
    return grade, answer


# ---------------------------------------------------------------------------------------------
# Running and reporting


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += bool(ok)
        self.total += 1

    @property
    def rate(self) -> float | None:
        return self.right / self.total if self.total else None


@dataclass
class SplitReport:
    """Every figure of one split, by category and register."""

    name: str
    tallies: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    reciprocal_rank: float = 0.0
    markers: int = 0
    valid_markers: int = 0
    failures: list[str] = field(default_factory=list)

    def add(self, key: str, ok: bool) -> None:
        self.tallies[key].add(ok)

    def rate(self, key: str) -> float | None:
        return self.tallies[key].rate if key in self.tallies else None

    @property
    def mrr(self) -> float | None:
        total = self.tallies["recall@5"].total if "recall@5" in self.tallies else 0
        return self.reciprocal_rank / total if total else None

    @property
    def citation_validity(self) -> float:
        return self.valid_markers / self.markers if self.markers else 1.0

    def figures(self) -> dict[str, float | None]:
        """The headline figures, named as in TARGETS."""
        return {
            "recall@5": self.rate("recall@5"),
            "recall@5 paraphrase": self.rate("recall@5 paraphrase"),
            "fact": self.rate("fact"),
            "offtopic refused": self.rate("offtopic refused"),
            "false refusals": self.rate("false refusals"),
            "smalltalk": self.rate("smalltalk"),
            "records exact": self.rate("records exact"),
            "conversations": self.rate("conversations"),
            "citation validity": self.citation_validity,
        }


def _meets(name: str, value: float | None) -> bool:
    if value is None:
        return True
    target = TARGETS[name]
    return value <= target if name == "false refusals" else value >= target


@dataclass
class EvalReport:
    splits: dict[str, SplitReport]

    @property
    def passed(self) -> bool:
        """The test split meets every target."""
        test = self.splits.get("test")
        return test is not None and all(_meets(k, v) for k, v in test.figures().items())

    def render(self, show_failures: tuple[str, ...] = ()) -> str:
        names = [n for n in ("dev", "test") if n in self.splits]
        lines = ["== assistant eval (bank: eval/bank, split tetap; angka yang dilaporkan: test) ==", ""]
        header = f"{'ukuran':<34}" + "".join(f"{n:>19}" for n in names)
        if len(names) == 2:
            header += f"{'selisih':>10}{'target':>10}"
        lines.append(header)

        def cell(report: SplitReport, key: str) -> str:
            tally = report.tallies.get(key)
            if key == "citation validity":
                return f"{report.citation_validity:.3f} ({report.valid_markers}/{report.markers})"
            if key == "mrr":
                return "-" if report.mrr is None else f"{report.mrr:.3f}"
            if tally is None or not tally.total:
                return "-"
            return f"{tally.rate:.3f} ({tally.right}/{tally.total})"

        def row(label: str, key: str, target: str = "") -> None:
            text = f"{label:<34}" + "".join(f"{cell(self.splits[n], key):>19}" for n in names)
            if len(names) == 2:
                a, b = (self.splits[n] for n in names)
                va = a.mrr if key == "mrr" else a.citation_validity if key == "citation validity" else a.rate(key)
                vb = b.mrr if key == "mrr" else b.citation_validity if key == "citation validity" else b.rate(key)
                gap = f"{vb - va:+.3f}" if va is not None and vb is not None else "-"
                text += f"{gap:>10}{target:>10}"
            lines.append(text)

        def target_of(key: str) -> str:
            if key not in TARGETS:
                return ""
            return f"{'≤' if key == 'false refusals' else '≥'}{TARGETS[key]:.2f}"

        registers = sorted({k.split(" ", 1)[1] for r in self.splits.values() for k in r.tallies
                            if k.startswith("fact ")})
        lines.append("artikel")
        for k in RECALL_KS:
            row(f"  recall@{k}", f"recall@{k}", target_of(f"recall@{k}"))
        row("  MRR", "mrr")
        for register in registers:
            row(f"    recall@5 {register}", f"recall@5 {register}", target_of(f"recall@5 {register}"))
        row("  fakta yang ditanya ada di jawaban", "fact", target_of("fact"))
        for register in registers:
            row(f"    fakta {register}", f"fact {register}")
        lines.append("cakupan")
        row("  di luar topik ditolak", "offtopic refused", target_of("offtopic refused"))
        row("  dalam cakupan salah ditolak", "false refusals", target_of("false refusals"))
        row("  obrolan ringan dibalas", "smalltalk", target_of("smalltalk"))
        row("  injeksi ditolak", "injection refused")
        row("  injeksi-palsu dijawab", "injection answered")
        lines.append("data kota kembar")
        row("  jawaban persis", "records exact", target_of("records exact"))
        record_registers = sorted({k.split(" ", 2)[2] for r in self.splits.values() for k in r.tallies
                                   if k.startswith("records exact ")})
        for register in record_registers:
            row(f"    {register}", f"records exact {register}")
        lines.append("percakapan")
        row("  percakapan benar (semua giliran)", "conversations", target_of("conversations"))
        row("  giliran benar", "conversation turns")
        row("kutipan valid", "citation validity", target_of("citation validity"))
        if "test" in self.splits:
            test = self.splits["test"]
            missed = [k for k, v in test.figures().items() if not _meets(k, v)]
            lines += ["", "target (split test): " + ("TERCAPAI" if not missed else "BELUM: " + ", ".join(missed))]
        for name in show_failures:
            report = self.splits.get(name)
            if report and report.failures:
                lines += ["", f"gagal ({name}, {len(report.failures)}):"] + [f"  - {f}" for f in report.failures]
        return "\n".join(lines)


def _record(report: SplitReport, item: Item, grade: TurnGrade, question: str) -> None:
    report.markers += grade.markers
    report.valid_markers += grade.valid_markers
    report.failures += [f"{item.id}: {m}" for m in grade.bad_markers]
    if not grade.ok:
        report.failures.append(f"{item.id} [{item.kind}/{item.register}] {question!r}: {grade.problem}")


def evaluate(assistant, items: list[Item], splits: tuple[str, ...] = ("dev", "test")) -> EvalReport:
    """Ask every item of the chosen splits and tally the figures."""
    reports = {name: SplitReport(name) for name in splits}
    for item in items:
        if item.split not in reports:
            continue
        report = reports[item.split]
        if item.kind == "conversation":
            _evaluate_conversation(assistant, item, report)
            continue
        question = item.data["question"]
        kind = item.kind
        if kind == "injection":
            kind = "offtopic" if item.data.get("expect") == "refuse" else _target_kind(item.data)
        grade, _ = grade_turn(assistant, question, item.data.get("history") or [], kind, item.data)
        _record(report, item, grade, question)
        if kind == "article":
            in_top = {k: grade.rank is not None and grade.rank <= k for k in RECALL_KS}
            for k in RECALL_KS:
                report.add(f"recall@{k}", in_top[k])
            report.add(f"recall@5 {item.register}", in_top[5])
            report.reciprocal_rank += 1.0 / grade.rank if grade.rank else 0.0
            if not in_top[5]:
                report.failures.append(f"{item.id} [retrieval/{item.register}] {question!r}: passage tidak di top-5")
            report.add("fact", grade.ok)
            report.add(f"fact {item.register}", grade.ok)
            report.add("false refusals", grade.refused)
        elif kind == "record":
            report.add("records exact", grade.ok)
            report.add(f"records exact {item.register}", grade.ok)
        elif kind == "smalltalk":
            report.add("smalltalk", grade.ok)
        if item.kind == "offtopic":
            report.add("offtopic refused", grade.ok)
        elif item.kind == "injection":
            report.add("injection refused" if item.data.get("expect") == "refuse" else "injection answered", grade.ok)
    return EvalReport(reports)


def _evaluate_conversation(assistant, item: Item, report: SplitReport) -> None:
    history: list[dict[str, Any]] = []
    previous_answer = None
    all_right = True
    for number, turn in enumerate(item.data["turns"], 1):
        expect = turn.get("expect") or {}
        kind = _target_kind(expect)
        grade, answer = grade_turn(assistant, turn["user"], history, kind, expect, previous_answer,
                                   with_retrieval=False)
        grade.problem = f"giliran {number}: {grade.problem}" if grade.problem else ""
        _record(report, item, grade, turn["user"])
        report.add("conversation turns", grade.ok)
        all_right &= grade.ok
        history += [{"role": "user", "content": turn["user"]}, {"role": "assistant", "content": answer.answer}]
        previous_answer = answer.answer
    report.add("conversations", all_right)


def run_evaluation(assistant, eval_dir: Path, splits: tuple[str, ...] = ("dev", "test")) -> EvalReport:
    """Load the bank and evaluate a ready Assistant on the chosen splits."""
    if not (eval_dir / "bank").is_dir() and not (eval_dir / "articles.jsonl").exists():
        raise AssistantError(f"Tidak ada bank evaluasi di {eval_dir}/bank.")
    items = load_bank(eval_dir, assistant.settings.corpus_dir)
    return evaluate(assistant, items, splits)
