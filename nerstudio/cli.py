"""The ``nerstudio`` command: parse arguments, call core, print, exit code.

Errors a user can fix print one line on stderr and exit 1; usage errors exit 2.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path

from nerstudio import __version__
from nerstudio.core.errors import NerstudioError
from nerstudio.core.safe_io import check_target, write_file
from nerstudio.core.spans import Scheme
from nerstudio.core.store import Project
from nerstudio.core.transfer import (
    EXPORT_FORMATS,
    IMPORT_FORMATS,
    OVERLAP_POLICIES,
    export_corpus,
    import_files,
)


@contextmanager
def progress_bar(total: int | None, unit: str, desc: str):
    """A tqdm bar on a terminal's stderr; nothing when output is piped or logged."""
    from tqdm import tqdm

    bar = tqdm(total=total, unit=unit, desc=desc, disable=not sys.stderr.isatty(), leave=False)
    try:
        yield bar.update
    finally:
        bar.close()


def cmd_init(args: argparse.Namespace) -> int:
    labels = [name for name in (args.labels or "").split(",") if name.strip()]
    with Project.create(args.project, labels) as project:
        names = ", ".join(label.name for label in project.labels()) or "none yet"
        print(f"created {project.path} (labels: {names})")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from nerstudio.core.transfer import ImportOptions

    options = ImportOptions(
        paragraphs=args.paragraphs,
        overlaps=args.overlaps,
        layer=args.layer,
        tag_column=args.tag_column,
    )
    if args.report is not None:
        check_target(args.report, args.project, force=True)
    with Project.open(args.project) as project, progress_bar(None, "doc", "storing") as tick:
        summary = import_files(
            project, args.files, args.format, args.split, progress=tick, options=options
        )
    for file in summary.files:
        print(f"read {file.line()}", file=sys.stderr)
    for note in summary.notes:
        print(f"note: {note}", file=sys.stderr)
    for line in summary.dropped[:5]:
        print(f"dropped: {line}", file=sys.stderr)
    if len(summary.dropped) > 5:
        more = f"{len(summary.dropped) - 5:,} more dropped spans"
        where = f"in {args.report}" if args.report else "listed with --report FILE"
        print(f"dropped: {more} {where}", file=sys.stderr)
    if args.report is not None:
        with write_file(args.report) as fh:
            fh.writelines(f"{line}\n" for line in summary.dropped)
    added = f"; new labels: {', '.join(summary.labels_added)}" if summary.labels_added else ""
    print(f"imported {summary.documents} documents with {summary.spans} entities{added}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    with Project.open(args.project) as project, progress_bar(None, "doc", "exporting") as tick:
        summary = export_corpus(
            project,
            args.out,
            args.format,
            Scheme(args.scheme),
            include_all=args.all,
            split=args.split,
            progress=tick,
            force=args.force,
        )
    print(f"exported {summary.documents} documents ({summary.tokens} tokens) to {summary.path}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    with Project.open(args.project) as project:
        stats = project.stats()
    if args.json:
        print(json.dumps(stats.to_json()))
        return 0
    print(f"documents  {stats.documents:>9,}  (done {stats.done:,})")
    print(f"tokens     {stats.tokens:>9,}")
    for status, count in stats.by_status.items():
        print(f"  {status:<12}{count:>9,}")
    print("entities")
    for label, count in stats.entities.items():
        print(f"  {label:<12}{count:>9,}")
    if stats.by_split:
        print("splits")
        for split, count in stats.by_split.items():
            print(f"  {split:<12}{count:>9,}")
    return 0


def _is_main_process() -> bool:
    """Under torchrun / accelerate launch only rank 0 prints."""
    return os.environ.get("RANK", "0") == "0"


def cmd_train(args: argparse.Namespace) -> int:
    from nerstudio.core.training import (
        EvalFinished,
        StepLogged,
        TrainConfig,
        TrainingDiscarded,
        TrainingDone,
        TrainingStarted,
        TrainingWarning,
        train,
    )
    from nerstudio.core.training.events import event_to_json

    config = TrainConfig(
        base_model=args.model,
        method=args.method,
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.lr,
        max_length=args.max_length,
        seed=args.seed,
        device=args.device,
        precision=args.precision,
        patience=args.patience,
        dev_fraction=args.dev_fraction,
        name=args.name,
        train_word_embeddings=args.train_word_embeddings,
    )
    stop = threading.Event()

    def interrupt(signum, frame) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        print("\nnerstudio: stopping after this step (Ctrl+C again to abort)", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, interrupt)
    talk = _is_main_process() and not args.events
    if args.stop_file is not None:
        stop_file = Path(args.stop_file)

        def should_stop() -> bool:
            return stop.is_set() or stop_file.exists()
    else:
        should_stop = stop.is_set
    bar = None
    done = None
    started = None
    events = train(args.project, config, should_stop=should_stop)
    try:
        for event in events:
            if args.events and _is_main_process():
                print(json.dumps(event_to_json(event)), flush=True)
            if isinstance(event, TrainingStarted):
                started = event
            if isinstance(event, StepLogged) and bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{event.loss:.3f}", sent_s=f"{event.sentences_per_s:.0f}")
            elif isinstance(event, TrainingStarted) and talk:
                from tqdm import tqdm

                print(
                    f"training {event.run} on {event.device} ({event.precision}): "
                    f"{event.train_documents} train / {event.dev_documents} dev documents, "
                    f"{event.epochs} epochs at most, lr {event.learning_rate:g}",
                    file=sys.stderr,
                )
                bar = tqdm(total=event.total_steps, unit="step", disable=not sys.stderr.isatty())
            elif isinstance(event, EvalFinished) and talk:
                best = " (best so far)" if event.is_best else ""
                tqdm_write(
                    f"epoch {event.epoch}: dev F1 {event.f1:.4f} (P {event.precision:.4f}, "
                    f"R {event.recall:.4f}, loss {event.dev_loss:.4f}){best}"
                )
            elif isinstance(event, TrainingWarning) and talk:
                tqdm_write(f"warning: {event.message}")
            elif isinstance(event, TrainingDone | TrainingDiscarded):
                done = event
    except KeyboardInterrupt:
        # Ctrl+C twice: the run stops at once. Closing it first lets it tidy up (a saved
        # folder stays, a run with nothing saved is forgotten); then say which it was.
        events.close()
        if _is_main_process():
            kept = started is not None and Path(started.path).is_dir()
            what = f"run {started.run} kept in {started.path}" if kept else "nothing was saved"
            print(f"nerstudio: aborted: {what}", file=sys.stderr)
        return 130
    finally:
        events.close()
        signal.signal(signal.SIGINT, previous)
        if bar is not None:
            bar.close()
    if isinstance(done, TrainingDiscarded):
        # 130, as for Ctrl+C: the user ended it and there is no run to use, so a script's
        # `train && predict --run NAME` stops here instead of failing on a missing run.
        if _is_main_process() and not args.events:
            print(f"run {done.run} {done.message}")
            if args.json:
                print(json.dumps({"run": done.run, "path": None, "status": "cancelled"}))
        return 130
    if done is None or not _is_main_process() or args.events:
        return 0
    dev = done.dev
    print(
        f"{done.status}: run {done.run} saved to {done.path}; dev F1 {dev.get('f1', 0):.4f} "
        f"(best epoch {done.best_epoch}) in {done.summary['train_seconds']:.0f} s"
    )
    if args.json:
        print(
            json.dumps(
                {
                    "run": done.run,
                    "path": done.path,
                    "status": done.status,
                    **{
                        k: done.summary[k]
                        for k in (
                            "train_seconds",
                            "train_sentences_per_s",
                            "train_tokens_per_s",
                            "padding_fraction",
                            "epochs",
                        )
                    },
                    "best_epoch": done.best_epoch,
                    "dev": {k: dev.get(k) for k in ("f1", "precision", "recall", "per_label")},
                    "summary": done.summary,
                }
            )
        )
    return 0


def tqdm_write(message: str) -> None:
    from tqdm import tqdm

    tqdm.write(message, file=sys.stderr)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from nerstudio.core.training.evaluation import evaluate_run

    scores = evaluate_run(args.project, args.run, args.split, args.device)
    if args.json:
        print(json.dumps({k: v for k, v in scores.to_json().items()}))
        return 0
    print(f"{'label':<12}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}")
    for label, m in sorted(scores.per_label.items()):
        print(
            f"{label:<12}{m['precision']:>10.4f}{m['recall']:>10.4f}{m['f1']:>10.4f}"
            f"{m['support']:>10}"
        )
    print(f"{'overall':<12}{scores.precision:>10.4f}{scores.recall:>10.4f}{scores.f1:>10.4f}")
    return 0


def _run_predictor(project: Project, run_name: str, device: str):
    """The project's run (by name or folder) and a Predictor over its model."""
    from nerstudio.core.inference import Predictor
    from nerstudio.core.training.evaluation import resolve_run

    folder = resolve_run(project, run_name)
    run = next((r for r in project.runs.all() if r.path and Path(r.path) == folder), None)
    if run is None:
        raise NerstudioError(f"{folder}: not a run of this project; predictions are stored per run")
    return run, Predictor(folder, device=device)


def predict_documents(project: Project, run_id: int, predictor, records, out=None) -> int:
    """Predict and store in chunks of 256 (one transaction each); ``out`` gets JSON lines."""
    stored = 0
    with progress_bar(len(records), "doc", "predicting") as tick:
        for i in range(0, len(records), 256):
            chunk = records[i : i + 256]
            predictions = predictor.predict(chunk)
            stored += project.predictions.save(run_id, [p.to_row() for p in predictions])
            if out is not None:
                for record, prediction in zip(chunk, predictions):
                    out.write(json.dumps(prediction.to_json(record.text), ensure_ascii=False))
                    out.write("\n")
            tick(len(chunk))
    return stored


def cmd_predict(args: argparse.Namespace) -> int:
    from nerstudio.core.records import Status

    with Project.open(args.project) as project:
        if args.out is not None:
            check_target(args.out, project.path, args.force)
        run, predictor = _run_predictor(project, args.run, args.device)
        if args.serve:
            return serve_predictions(project, run.id, predictor)
        wanted = {Status.DONE} if args.done else {Status.NEW, Status.IN_PROGRESS}
        records = [r for r in project.iter_documents() if args.all or r.status in wanted]
        with write_file(args.out) if args.out else nullcontext() as fh:
            stored = predict_documents(project, run.id, predictor, records, fh)
    print(f"predicted {stored} documents with run {run.name}")
    return 0


def serve_predictions(project: Project, run_id: int, predictor) -> int:
    """``predict --serve``: the window's on-the-fly predictions. The model stays loaded;
    each stdin line is a document id, predicted and stored, answered by one JSON line."""
    import time

    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        started = time.perf_counter()
        try:
            document_id = int(line)
            (prediction,) = predictor.predict([project.document(document_id)])
            project.predictions.save(run_id, [prediction.to_row()])
        except (ValueError, NerstudioError) as err:
            print(json.dumps({"id": line.strip(), "error": str(err)}), flush=True)
            continue
        ms = round(1000 * (time.perf_counter() - started), 1)
        print(json.dumps({"id": document_id, "ms": ms}), flush=True)
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from nerstudio.core.records import Status
    from nerstudio.core.review import suspicious_documents

    with Project.open(args.project) as project:
        run = project.runs.get(args.run) if args.run else project.runs.active()
        if run is None:
            raise NerstudioError("no active run: pass --run or set one active in the window")
        if args.predict:
            run, predictor = _run_predictor(project, run.name, "auto")
            done = list(project.iter_documents(status=Status.DONE))
            stored = predict_documents(project, run.id, predictor, done)
            print(f"predicted {stored} documents with run {run.name}")
        found = suspicious_documents(project, run.id, args.threshold)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": s.document_id,
                        "confidence": round(s.confidence, 4),
                        "text": s.text,
                        "reasons": list(s.reasons),
                    }
                    for s in found[: args.top]
                ],
                ensure_ascii=False,
            )
        )
        return 0
    for s in found[: args.top]:
        print(f"{s.document_id:>7}  {s.confidence:.2f}  {s.reasons[0]}")
    if not found:
        print(f"no done document where {run.name} confidently disagrees with gold")
    return 0


def cmd_queue(args: argparse.Namespace) -> int:
    from nerstudio.core.active import Candidate, build_queue, score_key

    with Project.open(args.project) as project:
        run = project.runs.get(args.run) if args.run else project.runs.active()
        if run is None:
            done = [r for r in project.runs.all() if project.predictions.count(r.id)]
            run = done[-1] if done else None
        if run is None:
            raise NerstudioError("no run has predictions yet: run 'nerstudio predict' first")
        rows = project.predictions.pool(run.id, score=score_key(args.strategy) or "mnlp")
    pool = [Candidate(doc, text, scores) for doc, text, scores in rows]
    texts = {c.document_id: c.text for c in pool}
    entries = build_queue(pool, args.strategy, args.random_share).top(args.top)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": e.document_id,
                        "uncertainty": round(e.uncertainty, 6),
                        "reason": e.reason.value,
                        "text": texts[e.document_id],
                    }
                    for e in entries
                ],
                ensure_ascii=False,
            )
        )
        return 0
    for e in entries:
        text = texts[e.document_id][:80]
        print(f"{e.document_id:>8}  {e.uncertainty:8.4f}  {e.reason.value:<9}  {text}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from nerstudio.core.store import backup, integrity

    with Project.open(args.project, check=False) as project:
        problems = integrity.full_check(project.db)
    for problem in problems:
        print(f"{args.project}: {problem}")
    if not problems:
        print(f"{args.project}: ok (integrity, full-text index, references, spans)")
        return 0
    latest = backup.latest(Path(args.project))
    hint = f"the last good backup is {latest}" if latest else "there is no backup of it"
    print(f"nerstudio: error: {args.project}: {len(problems)} problems; {hint}", file=sys.stderr)
    return 1


def cmd_runs(args: argparse.Namespace) -> int:
    from nerstudio.core.run_folders import delete_run, rename_run

    with Project.open(args.project) as project:
        if args.action == "delete":
            record, removed = delete_run(project, args.name)
            kept = "" if removed else f" (its folder {record.path} is not its own: kept)"
            print(f"deleted run {record.name}{kept}")
            return 0
        if args.action == "rename":
            renamed = rename_run(project, args.name, args.new_name)
            print(f"renamed run {args.name} to {renamed.name}")
            return 0
        active = project.runs.active()
        runs = project.runs.all()
    if args.json:
        rows = [
            {
                "name": r.name,
                "status": r.status,
                "active": active is not None and active.id == r.id,
                "base_model": r.base_model,
                "method": r.method,
                "f1": r.metrics.get("dev", {}).get("f1"),
                "path": r.path,
                "started_at": r.started_at,
            }
            for r in runs
        ]
        print(json.dumps(rows))
        return 0
    for r in runs:
        mark = "*" if active is not None and active.id == r.id else " "
        f1 = r.metrics.get("dev", {}).get("f1")
        score = f"F1 {f1:.4f}" if isinstance(f1, (int, float)) else "no score"
        print(f"{mark} {r.name:<28} {r.status:<14} {score:<10} {r.base_model}  {r.path or ''}")
    if not runs:
        print("no runs yet: 'nerstudio train' makes one")
    return 0


def _add_admin_parsers(sub) -> None:
    p = sub.add_parser(
        "check",
        help="check a project file for damage",
        description="Full integrity check: SQLite's integrity_check, the full-text index, "
        "references between tables, and every gold span against its text and tokens.",
    )
    p.add_argument("project", type=Path)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser(
        "runs",
        help="list, delete or rename training runs",
        description="List the project's runs (* = active), delete one (its row and its own "
        "folder) or rename one (row, folder and nerstudio.json).",
    )
    p.add_argument("project", type=Path)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser("list", help="every run with its status and dev F1")
    listing.add_argument("--json", action="store_true")
    delete = actions.add_parser("delete", help="forget a run and remove its folder")
    delete.add_argument("name")
    rename = actions.add_parser("rename", help="rename a run and its folder")
    rename.add_argument("name")
    rename.add_argument("new_name")
    p.set_defaults(func=cmd_runs, action="list", json=False)


def _add_train_parser(sub) -> None:
    p = sub.add_parser(
        "train",
        help="fine-tune a transformer on the done documents",
        description="Fine-tune a Hugging Face encoder on the project's done documents "
        "(split train, or none; dev = split dev, else a held-out fraction). Every option "
        "has a default that needs no tuning. Works under torchrun / accelerate launch.",
    )
    p.add_argument("project", type=Path)
    p.add_argument("--model", required=True, help="hub id or local model folder")
    p.add_argument("--method", choices=["full", "head", "lora"], default="full")
    p.add_argument("--epochs", type=int, help="default: from the corpus size, early stopping")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, help="default: from the model's size")
    p.add_argument("--max-length", type=int, default=256, help="sub-words per window")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], default="auto")
    p.add_argument("--precision", choices=["auto", "fp32", "fp16", "bf16"], default="auto")
    p.add_argument("--patience", type=int, default=2, help="epochs without gain before stopping")
    p.add_argument("--dev-fraction", type=float, default=0.1)
    p.add_argument("--name", help="run name (default: run-DATE-TIME)")
    p.add_argument(
        "--train-word-embeddings",
        action="store_true",
        help="also train the vocabulary embeddings (default: kept as pretrained, "
        "which is faster; use for a model that was not pretrained)",
    )
    p.add_argument("--json", action="store_true", help="last stdout line: one JSON object")
    p.add_argument(
        "--events",
        action="store_true",
        help="print every event as one JSON line (for the window's training panel)",
    )
    p.add_argument("--stop-file", help="stop cooperatively once this file exists")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser(
        "evaluate",
        help="score a run on a split",
        description="Score a run's model on the done documents of a split.",
    )
    p.add_argument("project", type=Path)
    p.add_argument("--run", required=True, help="run name or run folder")
    p.add_argument("--split", default="dev")
    p.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], default="auto")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser(
        "predict",
        help="store a run's suggestions for the unfinished documents",
        description="Predict entities with a run's model for the documents not "
        "done (all with --all); stored per run, never mixed into gold.",
    )
    p.add_argument("project", type=Path)
    p.add_argument("--run", required=True, help="run name or run folder")
    p.add_argument("--all", action="store_true", help="every document, done ones too")
    p.add_argument(
        "--done", action="store_true", help="only the done documents (to review their gold)"
    )
    p.add_argument("--out", type=Path, help="also write one JSON object per document")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    p.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], default="auto")
    p.add_argument(
        "--serve",
        action="store_true",
        help="keep the model loaded; read document ids on stdin, store and answer each",
    )
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser(
        "review",
        help="done documents where the model confidently disagrees with gold",
        description="List done documents whose gold spans a run's model confidently "
        "disagrees with (most confident first), to catch annotation mistakes.",
    )
    p.add_argument("project", type=Path)
    p.add_argument("--run", help="run name (default: the active run)")
    p.add_argument(
        "--predict", action="store_true", help="first predict the done documents with the run"
    )
    p.add_argument("--threshold", type=float, default=0.8, help="minimum model confidence")
    p.add_argument("--top", type=int, default=200)
    p.add_argument("--json", action="store_true", help="print one JSON list")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser(
        "queue",
        help="the next documents to annotate, most uncertain first",
        description="Order the unfinished documents (never dev or test) by the "
        "model's uncertainty, with a share of random picks.",
    )
    p.add_argument("project", type=Path)
    p.add_argument(
        "--strategy", choices=["least-confidence", "mnlp", "entropy", "random"], default="mnlp"
    )
    p.add_argument("--top", type=int, default=20)
    p.add_argument("--run", help="run whose predictions to use (default: the active run)")
    p.add_argument("--random-share", type=float, default=0.1)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_queue)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nerstudio",
        description="Annotate named entities, train a transformer on them, export both.",
        epilog="Without a command: 'nerstudio' opens the window (a welcome page), "
        "'nerstudio PROJECT.db' opens a project, 'nerstudio --demo' the sample project.",
    )
    parser.add_argument("--version", action="version", version=f"nerstudio {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", help="create a project file", description="Create a project file.")
    p.add_argument("project", type=Path, help="the new project file, e.g. corpus.db")
    p.add_argument("--labels", help="comma-separated labels, e.g. PER,ORG,LOC,MISC")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser(
        "import",
        help="import documents (CoNLL, CoNLL-U, JSONL, brat, WebAnno TSV, text, datasets)",
        description="Import documents; all files or nothing: one bad line and nothing is "
        "stored. The format is detected from each file's content (then its name) and "
        "named in the summary; --format forces one.",
    )
    p.add_argument("project", type=Path)
    p.add_argument("files", type=Path, nargs="+", help="files or folders to import")
    p.add_argument("--format", choices=IMPORT_FORMATS, default="auto")
    p.add_argument("--split", help="put every imported document in this split (train, dev, test)")
    p.add_argument(
        "--paragraphs", action="store_true", help="text: one document per blank-line paragraph"
    )
    p.add_argument(
        "--overlaps",
        choices=OVERLAP_POLICIES,
        default="keep-longest",
        help="overlapping (nested, stacked) spans: keep the longest of each group and report "
        "the rest (default), or refuse the file",
    )
    p.add_argument("--report", type=Path, help="write every dropped span, with where, here")
    p.add_argument("--layer", help="WebAnno TSV: the layer holding entities (default NamedEntity)")
    p.add_argument(
        "--tag-column",
        help="CoNLL-U: the column (global.columns name) or MISC key holding the entity tags",
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "export",
        help="export the corpus (CoNLL, JSONL, Hugging Face datasets)",
        description="Export done documents (all with --all). OUT is a file for conll/jsonl, "
        "a new folder for hf; an existing folder gets a new entry named after the project. "
        "Nothing that exists is replaced without --force.",
    )
    p.add_argument("project", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--format", choices=EXPORT_FORMATS, default="auto")
    p.add_argument(
        "--scheme",
        choices=[s.value for s in Scheme],
        default="iob2",
        help="tag scheme for CoNLL (default iob2)",
    )
    p.add_argument("--all", action="store_true", help="every document, not only done ones")
    p.add_argument("--split", help="only documents of this split")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace OUT if it exists (never the project itself or a folder holding it)",
    )
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "stats",
        help="count documents, tokens and entities",
        description="Count documents, tokens and entities per label.",
    )
    p.add_argument("project", type=Path)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_stats)
    _add_train_parser(sub)
    _add_admin_parsers(sub)
    parser.command_names = set(sub.choices)  # type: ignore[attr-defined]
    return parser


def launch_window(argv: Sequence[str]) -> int:
    """``nerstudio [PROJECT | --demo]``: the annotation window (Qt loads only here)."""
    parser = argparse.ArgumentParser(prog="nerstudio", description="Open the annotation window.")
    parser.add_argument("project", nargs="?", type=Path, help="a project file to open")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the sample project (installed in your data folder on first use)",
    )
    args = parser.parse_args(argv)
    if args.demo:
        if args.project is not None:
            parser.error("give a project or --demo, not both")
        from nerstudio.core.sample import install_sample_project

        try:
            args.project = install_sample_project()
        except NerstudioError as err:
            print(f"nerstudio: error: {err}", file=sys.stderr)
            return 1
        print(f"sample project: {args.project}")
    if args.project is not None and not args.project.is_file():
        print(
            f"nerstudio: error: {args.project}: no such project file; create it with "
            "'nerstudio init'",
            file=sys.stderr,
        )
        return 1
    from nerstudio.gui.app import main as gui_main

    return gui_main(args.project)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    first = argv[0] if argv else ""
    looks_like_path = Path(first).suffix != "" or "/" in first or Path(first).exists()
    if not argv or first == "--demo" or (first not in parser.command_names and looks_like_path):
        return launch_window(argv)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return run_command(args)


def run_command(args: argparse.Namespace) -> int:
    """The one top-level handler: our errors are one line (exit 1), anything else is a
    bug: one line on stderr and the traceback saved to a log file (exit 70)."""
    from nerstudio.core.bug_report import one_line, save_report

    try:
        return args.func(args)
    except NerstudioError as err:
        print(f"nerstudio: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("nerstudio: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `nerstudio queue ... | head`
        return 0
    except Exception as err:
        report = save_report(err)
        print(f"nerstudio: {one_line(err, report)}", file=sys.stderr)
        return 70
