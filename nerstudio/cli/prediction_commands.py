"""Prediction commands: predict (and the window's --serve loop), review, queue."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import nullcontext
from pathlib import Path

from nerstudio.cli.arguments import add_messages, positive_int, share
from nerstudio.cli.terminal import progress_bar
from nerstudio.core.active import DEFAULT_STRATEGY, STRATEGIES
from nerstudio.core.errors import NerstudioError
from nerstudio.core.plural import counted
from nerstudio.core.safe_io import check_target, is_stdio, write_file
from nerstudio.core.store import Project
from nerstudio.core.training.config import BACKENDS, DEVICES


def _predict(project: Project, run_id: int, predictor, records, out=None) -> int:
    """``core.prediction.predict_documents`` with a progress bar on a terminal."""
    from nerstudio.core.prediction import predict_documents

    with progress_bar(len(records), "doc", "predicting") as tick:
        return predict_documents(project, run_id, predictor, records, out, progress=tick)


def _nothing_to_predict(every: bool, done: bool) -> str:
    if every:
        return "nothing to predict: the project has no documents; import some first"
    if done:
        return "nothing to predict: no document is done yet; --all predicts every document"
    return (
        "nothing to predict: no new or in-progress document (all are done or skipped);"
        " --all predicts every document, --done the done ones"
    )


def cmd_predict(args: argparse.Namespace) -> int:
    from nerstudio.core.child_protocol import MessageWriter
    from nerstudio.core.prediction import DocumentsPredicted, run_predictor, serve_predictions
    from nerstudio.core.records import Status

    if args.run == "-":  # a standby for the window: the slow imports now, the run later
        if not args.serve:
            raise NerstudioError("--run - (the run's name on stdin) is for --serve only")
        import nerstudio.core.inference  # noqa: F401  (torch and transformers: seconds)

        args.run = sys.stdin.readline().strip()
        if not args.run:
            return 0  # the window closed before it chose a run
    with Project.open(args.project) as project:
        if args.out is not None:
            check_target(args.out, project.path, args.force)
        records: list = []
        if not args.serve:  # which documents, before the model loads or --out is written
            wanted = {Status.DONE} if args.done else {Status.NEW, Status.IN_PROGRESS}
            records = [r for r in project.documents.iter() if args.all or r.status in wanted]
            if not records:
                raise NerstudioError(_nothing_to_predict(args.all, args.done))
        run, predictor = run_predictor(project, args.run, args.device, args.backend)
        if args.serve:  # its replies are messages, with --messages or without
            send = (args.channel or MessageWriter(sys.stdout)).send
            return serve_predictions(project, run.id, predictor, sys.stdin, send)
        with write_file(args.out) if args.out else nullcontext() as fh:
            stored = _predict(project, run.id, predictor, records, fh)
    if args.channel is not None:
        args.channel.send(DocumentsPredicted(run.name, stored))
        return 0
    # with --out -, stdout holds the predictions: the summary goes to stderr
    summary = sys.stderr if is_stdio(args.out) else sys.stdout
    print(f"predicted {counted(stored, 'document')} with run {run.name}", file=summary)
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from nerstudio.core.prediction import (
        DocumentsPredicted,
        SuspiciousFound,
        run_predictor,
        suspicious_to_json,
    )
    from nerstudio.core.records import Status
    from nerstudio.core.review import suspicious_documents

    with Project.open(args.project) as project:
        run = project.runs.get(args.run) if args.run else project.runs.active()
        if run is None:
            raise NerstudioError("no active run: pass --run or set one active in the window")
        if args.predict:
            run, predictor = run_predictor(project, run.name, "auto", args.backend)
            done = list(project.documents.iter(status=Status.DONE))
            stored = _predict(project, run.id, predictor, done)
            if args.channel is not None:
                args.channel.send(DocumentsPredicted(run.name, stored))
            else:
                print(f"predicted {counted(stored, 'document')} with run {run.name}")
        found = suspicious_documents(project, run.id, args.threshold)
    if args.channel is not None:
        args.channel.send(SuspiciousFound(run.name, tuple(found[: args.top])))
        return 0
    if args.json:
        print(json.dumps(suspicious_to_json(found[: args.top]), ensure_ascii=False))
        return 0
    for s in found[: args.top]:
        print(f"{s.document_id:>7}  {s.confidence:.2f}  {s.reasons[0]}")
    if not found:
        print(f"no done document where {run.name} confidently disagrees with gold")
    return 0


def cmd_queue(args: argparse.Namespace) -> int:
    from nerstudio.core.active import queue_for_run

    with Project.open(args.project) as project:
        run = project.runs.get(args.run) if args.run else project.runs.active()
        if run is None:
            done = [r for r in project.runs.all() if project.predictions.count(r.id)]
            run = done[-1] if done else None
        if run is None:
            raise NerstudioError("no run has predictions yet: run 'nerstudio predict' first")
        order = queue_for_run(project, run.id, args.strategy, args.random_share, limit=args.top)
        entries = order.top(args.top)
        texts = {e.document_id: project.documents.get(e.document_id).text for e in entries}
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


def _add_backend(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        help="auto (default): PyTorch in bf16 on a CPU with native bf16; elsewhere the "
        "run's model.onnx when present and onnxruntime is installed (pip install "
        "'nerstudio[onnx]'), else PyTorch",
    )


def add_parsers(sub) -> None:
    """Add the prediction commands to the ``nerstudio`` subparsers."""
    _add_predict_parser(sub)
    _add_review_parser(sub)
    _add_queue_parser(sub)


def _add_predict_parser(sub) -> None:
    """``nerstudio predict``."""
    p = sub.add_parser(
        "predict",
        help="store a run's suggestions for the unfinished documents",
        description="Predict entities with a run's model for the documents not "
        "done (all with --all); stored per run, never mixed into gold.",
    )
    p.add_argument("project", type=Path)
    p.add_argument(
        "--run",
        required=True,
        help="run name or run folder; with --serve, '-' loads torch first and then reads "
        "the run's name from stdin (the window keeps such a process warm)",
    )
    p.add_argument("--all", action="store_true", help="every document, done ones too")
    p.add_argument(
        "--done", action="store_true", help="only the done documents (to review their gold)"
    )
    p.add_argument("--out", type=Path, help="also write one JSON object per document ('-': stdout)")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    p.add_argument(
        "--device", choices=DEVICES, default="auto", help="where to run (default %(default)s)"
    )
    _add_backend(p)
    p.add_argument(
        "--serve",
        action="store_true",
        help="keep the model loaded; read document ids on stdin, store and answer each "
        "(in typed JSON lines)",
    )
    add_messages(p, "what was stored")
    p.set_defaults(func=cmd_predict)


def _add_review_parser(sub) -> None:
    """``nerstudio review``."""
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
    _add_backend(p)
    p.add_argument(
        "--threshold",
        type=share,
        default=0.8,
        help="list a disagreement only where the model is at least this sure (0 to 1, "
        "default %(default)s)",
    )
    p.add_argument(
        "--top", type=positive_int, default=200, help="list at most N (default %(default)s)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON list")
    add_messages(p, "the findings")
    p.set_defaults(func=cmd_review)


def _add_queue_parser(sub) -> None:
    """``nerstudio queue``."""
    p = sub.add_parser(
        "queue",
        help="the next documents to annotate, most uncertain first",
        description="Order the unfinished documents (never dev or test) by the "
        "model's uncertainty, with a share of random picks.",
    )
    p.add_argument("project", type=Path)
    p.add_argument(
        "--strategy",
        choices=STRATEGIES,
        default=DEFAULT_STRATEGY,
        help="how uncertainty is measured (default %(default)s: mean token log-probability)",
    )
    p.add_argument(
        "--top", type=positive_int, default=20, help="show the first N (default %(default)s)"
    )
    p.add_argument("--run", help="run whose predictions to use (default: the active run)")
    p.add_argument(
        "--random-share",
        type=share,
        default=0.1,
        help="share of random picks among the queue, so it is not all of one kind "
        "(0 to 1, default %(default)s)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON list")
    p.set_defaults(func=cmd_queue)
