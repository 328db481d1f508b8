"""Training commands: train (also under torchrun / accelerate launch) and evaluate."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path

from nerstudio.cli.terminal import is_main_process, tqdm_write


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
    talk = is_main_process() and not args.events
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
            if args.events and is_main_process():
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
        if is_main_process():
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
        if is_main_process() and not args.events:
            print(f"run {done.run} {done.message}")
            if args.json:
                print(json.dumps({"run": done.run, "path": None, "status": "cancelled"}))
        return 130
    if done is None or not is_main_process() or args.events:
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


def add_parsers(sub) -> None:
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
