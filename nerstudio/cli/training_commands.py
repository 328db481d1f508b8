"""Training commands: train (also under torchrun / accelerate launch), evaluate, and
export-model (a run's model as a copy and/or as ONNX)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from nerstudio.cli.arguments import add_messages
from nerstudio.cli.terminal import is_main_process, tqdm_write
from nerstudio.core.errors import NerstudioError
from nerstudio.core.plural import counted
from nerstudio.core.training.config import DEVICES, add_train_arguments


def cmd_train(args: argparse.Namespace) -> int:
    from nerstudio.core.model_source import require_loadable, resolve
    from nerstudio.core.os_priority import run_in_background
    from nerstudio.core.training.config import config_from_args

    run_in_background()  # under NERSTUDIO_BACKGROUND=1 (the window's runs): yield the CPU
    config = config_from_args(args)
    require_loadable(resolve(config.base_model))  # offline: one line now, before torch loads
    from nerstudio.core.training import train

    stop = threading.Event()

    def interrupt(signum, frame) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        print("\nnerstudio: stopping after this step (Ctrl+C again to abort)", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, interrupt)
    main = is_main_process()
    channel = args.channel if main else None
    shown = _Progress(send=channel.send if channel else None, talk=main and not args.messages)
    events = train(args.project, config, should_stop=_stop_check(stop, args.stop_file))
    try:
        for event in events:
            shown.show(event)
    except KeyboardInterrupt:
        # Ctrl+C twice: the run stops at once. Closing it first lets it tidy up (a saved
        # folder stays, a run with nothing saved is forgotten); then say which it was.
        events.close()
        if main:
            started = shown.started
            kept = started is not None and Path(started.path).is_dir()
            what = f"run {started.run} kept in {started.path}" if kept else "nothing was saved"
            print(f"nerstudio: aborted: {what}", file=sys.stderr)
        return 130
    finally:
        events.close()
        signal.signal(signal.SIGINT, previous)
        shown.close()
    return _report(shown.done, args)


def _stop_check(stop: threading.Event, stop_file: str | None) -> Callable[[], bool]:
    """Stop after this step on Ctrl+C, or once ``stop_file`` exists (the window's Stop)."""
    if stop_file is None:
        return stop.is_set
    path = Path(stop_file)
    return lambda: stop.is_set() or path.exists()


class _Progress:
    """Shows a run's events: messages to the window (``send``), or a bar and a line an
    epoch (``talk``); remembers how it started and ended."""

    def __init__(self, send: Callable[[object], object] | None, talk: bool) -> None:
        self.send, self.talk = send, talk
        self.bar = None
        self.started = None
        self.done = None

    def show(self, event) -> None:
        from nerstudio.core.training import events as ev

        if self.send is not None:
            self.send(event)
        if isinstance(event, ev.TrainingStarted):
            self.started = event
        if isinstance(event, ev.StepLogged) and self.bar is not None:
            if event.total_steps != self.bar.total:  # a second round (self-training)
                self.bar.total = event.total_steps
            self.bar.update(1)
            self.bar.set_postfix(loss=f"{event.loss:.3f}", sent_s=f"{event.sentences_per_s:.0f}")
        elif isinstance(event, ev.TrainingStarted) and self.talk:
            from tqdm import tqdm

            print(
                f"training {event.run} on {event.device} ({event.precision}): "
                f"{event.train_documents:,} train / "
                f"{counted(event.dev_documents, 'dev document')}, "
                f"{counted(event.epochs, 'epoch')} at most, lr {event.learning_rate:g}",
                file=sys.stderr,
            )
            self.bar = tqdm(total=event.total_steps, unit="step", disable=not sys.stderr.isatty())
        elif isinstance(event, ev.EvalFinished) and self.talk:
            best = " (best so far)" if event.is_best else ""
            tqdm_write(
                f"epoch {event.epoch}: dev F1 {event.f1:.4f} (P {event.precision:.4f}, "
                f"R {event.recall:.4f}, loss {event.dev_loss:.4f}){best}"
            )
        elif isinstance(event, ev.TrainingWarning) and self.talk:
            tqdm_write(f"warning: {event.message}")
        elif isinstance(event, ev.TrainingNote) and self.talk:
            tqdm_write(event.message)
        elif isinstance(event, ev.TrainingDone | ev.TrainingDiscarded):
            self.done = event

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


SUMMARY_KEYS = (
    "train_seconds",
    "train_sentences_per_s",
    "train_tokens_per_s",
    "padding_fraction",
    "epochs",
    "precision",
)


def _report(done, args: argparse.Namespace) -> int:
    """The run's last line (and ``--json`` object); the exit code."""
    from nerstudio.core.training import TrainingDiscarded

    if isinstance(done, TrainingDiscarded):
        # 130, as for Ctrl+C: the user ended it and there is no run to use, so a script's
        # `train && predict --run NAME` stops here instead of failing on a missing run.
        if is_main_process() and not args.messages:
            print(f"run {done.run} {done.message}")
            if args.json:
                print(json.dumps({"run": done.run, "path": None, "status": "cancelled"}))
        return 130
    if done is None or not is_main_process() or args.messages:
        return 0
    dev = done.dev
    print(
        f"{done.status}: run {done.run} saved to {done.path}; dev F1 {dev.get('f1', 0):.4f} "
        f"(best epoch {done.best_epoch}) in {done.summary['train_seconds']:.0f} s"
    )
    if args.json:
        result = {"run": done.run, "path": done.path, "status": done.status}
        result.update({k: done.summary[k] for k in SUMMARY_KEYS})
        result["best_epoch"] = done.best_epoch
        result["dev"] = {k: dev.get(k) for k in ("f1", "precision", "recall", "per_label")}
        result["summary"] = done.summary
        print(json.dumps(result))
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from nerstudio.core.os_priority import run_in_background
    from nerstudio.core.training.evaluation import evaluate_run

    run_in_background()

    scores = evaluate_run(args.project, args.run, args.split, args.device)
    if args.json:
        print(json.dumps({k: v for k, v in scores.to_json().items()}))
        return 0
    print(f"scored on {scores.scored_on}", file=sys.stderr)
    print(f"{'label':<12}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}")
    for label, m in sorted(scores.per_label.items()):
        print(
            f"{label:<12}{m['precision']:>10.4f}{m['recall']:>10.4f}{m['f1']:>10.4f}"
            f"{m['support']:>10}"
        )
    print(f"{'overall':<12}{scores.precision:>10.4f}{scores.recall:>10.4f}{scores.f1:>10.4f}")
    return 0


def cmd_export_model(args: argparse.Namespace) -> int:
    """``export-model RUN [--onnx] [--out FOLDER]``: model.onnx into the run's folder, or
    a copy of the run (the window's export, ``output.export_run``) with or without it."""
    from nerstudio.core.inference_onnx import ONNX_FILE, export_onnx
    from nerstudio.core.training.output import export_run

    if not args.onnx and args.out is None:
        raise NerstudioError("nothing to export: add --onnx, --out FOLDER, or both")
    folder, project = _run_folder(args.run, args.project)
    if args.onnx:
        written = export_onnx(folder, args.out, args.force, project)
        print(f"exported {folder.name} as ONNX: {written / ONNX_FILE}")
    else:
        written = export_run(folder, args.out, folder.name, project)
        print(f"exported {folder.name} to {written}")
    return 0


def _run_folder(run: str, project_path: Path | None) -> tuple[Path, Path | None]:
    """A run folder as given, or a run name of ``--project``; (folder, project file)."""
    from nerstudio.core.training.output import require_run_folder

    folder = Path(run).expanduser()
    if project_path is None:
        if not folder.is_dir():
            raise NerstudioError(
                f"{run}: no such run folder; pass the folder, or a run name with --project"
            )
        return require_run_folder(folder), None
    from nerstudio.core.store import Project
    from nerstudio.core.training.evaluation import resolve_run

    with Project.open(project_path) as project:
        return require_run_folder(resolve_run(project, run)), project.path


def add_parsers(sub) -> None:
    p = sub.add_parser(
        "train",
        help="fine-tune a transformer on the done documents",
        description="Fine-tune a Hugging Face encoder on the project's done documents "
        "(split train, or none; dev = split dev, else a held-out fraction). Every option "
        "has a default that needs no tuning. Works under torchrun / accelerate launch.",
    )
    p.add_argument("project", type=Path)
    add_train_arguments(p)
    p.add_argument("--json", action="store_true", help="last stdout line: one JSON object")
    add_messages(p, "every training event")
    p.add_argument("--stop-file", help="stop cooperatively once this file exists")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser(
        "evaluate",
        help="score a run on a split",
        description="Score a run's model on the done documents of a split.",
    )
    p.add_argument("project", type=Path)
    p.add_argument("--run", required=True, help="run name or run folder")
    p.add_argument(
        "--split",
        help="the done documents of this split (default: the ones the run held out of its "
        "training, where its dev F1 came from; else split dev)",
    )
    p.add_argument(
        "--device", choices=DEVICES, default="auto", help="where to run (default %(default)s)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser(
        "export-model",
        help="a run's model as ONNX, or a copy of its folder",
        description="--onnx writes model.onnx into the run's folder (the Predictor then "
        "runs it with ONNX Runtime; needs pip install 'nerstudio[onnx]'); --out FOLDER "
        "copies the run folder into a new FOLDER/RUN (with model.onnx when --onnx).",
    )
    p.add_argument("run", help="run folder, or run name with --project")
    p.add_argument("--project", type=Path, help="the project whose run RUN names")
    p.add_argument("--onnx", action="store_true", help="export the model to model.onnx")
    p.add_argument("--out", type=Path, help="copy the run into a new subfolder of this folder")
    p.add_argument("--force", action="store_true", help="replace an existing model.onnx")
    p.set_defaults(func=cmd_export_model)
