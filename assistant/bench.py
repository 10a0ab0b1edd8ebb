"""`assistant bench`: speed and memory figures, printed (never asserted on a clock).

- time to ingest a fresh index; cold start to first answer and peak RSS (in a fresh process);
- warm p50/p95 of ask and retrieve in one process;
- side by side on the same article questions: a plain LangChain baseline
  (RecursiveCharacterTextSplitter 500/50, all-MiniLM-L6-v2, Chroma similarity top-4) vs ours.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .config import Settings
from .bank import load_jsonl
from .evaluation import gold_rank

# Source run in the measured child processes (here and in scale_bench): their own peak memory.
PEAK_RSS_CODE = r"""
import resource


def peak_rss_mb():
    # VmHWM is this program's own peak; ru_maxrss also counts the parent it was forked from.
    try:
        with open("/proc/self/status") as status:
            return next(int(l.split()[1]) for l in status if l.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

_CHILD = PEAK_RSS_CODE + r"""
import json, sys, time
t0 = time.perf_counter()
from assistant import Assistant, Settings
settings = Settings.from_env()
assistant = Assistant.from_settings(settings)
answer = assistant.ask("Apa itu sister city?")
first = time.perf_counter() - t0
first_wall = time.time()  # read now: the questions below are for peak RSS, not for the cold start
for q in json.loads(sys.argv[1]):
    assistant.ask(q)
print(json.dumps({"first_answer_s": first, "first_answer_wall": first_wall, "refused": answer.refused,
                  "peak_rss_mb": peak_rss_mb()}))
"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def _timed(fn, *args) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args)
    return (time.perf_counter() - start) * 1000, result


def _fresh_process(settings: Settings, questions: list[str]) -> dict:
    env = dict(os.environ, ASSISTANT_INDEX_DIR=str(settings.index_dir), ASSISTANT_EMBEDDER=settings.embedder,
               HF_HUB_OFFLINE="1")
    spawned = time.time()  # wall clock: the child reports when its first answer was ready
    out = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(questions)], env=env, capture_output=True,
                         text=True, check=True, cwd=Path(__file__).resolve().parent.parent)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    data["cold_start_s"] = data["first_answer_wall"] - spawned
    return data


def _baseline(settings: Settings, items: list[dict]) -> tuple[float, list[float]]:
    """Plain LangChain RAG retrieval over the same article files: recall@4 and latencies (ms)."""
    os.environ.setdefault("TQDM_DISABLE", "1")  # keep the printed figures readable
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from .corpus import load_articles
    from .embeddings import make_embedder

    articles, _ = load_articles(settings.corpus_dir)
    docs = [Document(page_content=a.body, metadata={"source": a.source_id}) for a in articles]
    splits = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50).split_documents(docs)
    with tempfile.TemporaryDirectory() as tmp:
        store = Chroma.from_documents(splits, make_embedder("minilm"), persist_directory=tmp,
                                      collection_name="baseline")
        latencies, found = [], 0
        for item in items:
            ms, hits = _timed(store.similarity_search, item["question"], 4)
            latencies.append(ms)
            found += gold_rank([h.page_content for h in hits], item["gold"]) is not None
        return found / len(items), latencies


def run_benchmarks(settings: Settings, eval_dir: Path, repeats: int = 3, baseline: bool = True) -> None:
    """Measure and print; returns nothing because figures are for people, not assertions."""
    from .core import Assistant

    items = [i for i in load_jsonl(eval_dir / "articles.jsonl") if not i.get("expect_refusal") and not i.get("history")]
    records = load_jsonl(eval_dir / "records.jsonl") if (eval_dir / "records.jsonl").exists() else []
    questions = [i["question"] for i in items] + [r["question"] for r in records if not r.get("history")]
    print(f"== assistant bench ({settings.embedder}, {os.cpu_count()} CPU, {len(questions)} pertanyaan) ==")

    with tempfile.TemporaryDirectory() as tmp:
        fresh = settings.with_(index_dir=Path(tmp) / "index")
        start = time.perf_counter()
        Assistant.from_settings(fresh)
        print(f"ingest (indeks baru, termasuk embedding): {time.perf_counter() - start:.2f} s")
        cold = _fresh_process(fresh, questions)
        print(f"cold start -> jawaban pertama (proses baru, indeks ada): {cold['cold_start_s']:.2f} s "
              f"(setelah interpreter siap: {cold['first_answer_s']:.2f} s)")
        print(f"peak RSS (proses baru, {len(questions) + 1} pertanyaan): {cold['peak_rss_mb']:.0f} MB")

        assistant = Assistant.from_settings(fresh)
        for q in questions[:3]:  # warm-up: first calls fill caches (stemmer, engine)
            assistant.ask(q)
        ask_ms, retrieve_ms = [], []
        for _ in range(repeats):
            for q in questions:
                # Every timing pays for its own question embedding: repeats are not cache hits.
                assistant.retriever.forget_queries()
                ask_ms.append(_timed(assistant.ask, q)[0])
                assistant.retriever.forget_queries()
                retrieve_ms.append(_timed(assistant.retrieve, q, 5)[0])
        print(f"ask (hangat, n={len(ask_ms)}): p50={percentile(ask_ms, 50):.1f} ms  p95={percentile(ask_ms, 95):.1f} ms")
        print(f"retrieve (hangat, n={len(retrieve_ms)}): p50={percentile(retrieve_ms, 50):.1f} ms  "
              f"p95={percentile(retrieve_ms, 95):.1f} ms")

        if baseline and items:
            ours_ms, ours_found = [], 0
            for item in items:
                assistant.retriever.forget_queries()
                ms, hits = _timed(assistant.retrieve, item["question"], 5)
                ours_ms.append(ms)
                ours_found += gold_rank([h.chunk.text for h in hits], item["gold"]) is not None
            base_recall, base_ms = _baseline(settings, items)
            print(f"\nperbandingan pada {len(items)} pertanyaan artikel yang sama:")
            print(f"  {'sistem':<58} {'recall':>7} {'p50 ms':>8} {'p95 ms':>8}")
            print(f"  {'baseline LangChain (split 500/50, MiniLM, Chroma top-4)':<58} {base_recall:>7.3f} "
                  f"{percentile(base_ms, 50):>8.1f} {percentile(base_ms, 95):>8.1f}")
            print(f"  {'asisten ini (hybrid BM25+' + settings.embedder + ', top-5)':<58} "
                  f"{ours_found / len(items):>7.3f} {percentile(ours_ms, 50):>8.1f} {percentile(ours_ms, 95):>8.1f}")
            print("  (recall baseline = recall@4, karena baseline hanya mengembalikan 4 potongan)")
