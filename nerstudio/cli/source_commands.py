"""Suggestion-source commands: ``suggest`` (a dictionary, a model folder, a zero-shot model
or the learnt dictionary over every unfinished document) and ``dictionary export``."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from nerstudio.cli.arguments import add_messages
from nerstudio.cli.terminal import progress_bar
from nerstudio.core.plural import counted
from nerstudio.core.safe_io import check_target, write_file
from nerstudio.core.store import Project
from nerstudio.core.training.config import DEVICES

SOURCE_HELP = (
    "dictionary:FILE (text<TAB>LABEL lines, .csv, or spaCy/Prodigy pattern .jsonl), "
    "model:FOLDER (a Hugging Face token-classification folder), zeroshot:MODEL, or learnt "
    "(what you have tagged)"
)


def _stdin_closed() -> threading.Event:
    """Set once standard input ends: the window's Stop, taken between batches."""
    closed = threading.Event()

    def wait() -> None:
        for _ in sys.stdin:
            break
        closed.set()

    threading.Thread(target=wait, daemon=True).start()
    return closed


def cmd_suggest(args: argparse.Namespace) -> int:
    """Suggest the unfinished documents; ``--messages``: progress and the result as
    ``SuggestProgress`` / ``SuggestFinished`` messages (the window's child)."""
    from nerstudio.core.sources import SourceOptions, open_source, parse_label_map
    from nerstudio.core.sources.running import SuggestProgress, suggest_unfinished

    stop = _stdin_closed() if args.stdin_stop else None
    channel = args.channel
    with Project.open(args.project) as project:
        options = SourceOptions(
            labels=tuple(label.name for label in project.labels.list()),
            label_map=parse_label_map(args.map),
            project_path=project.path,
            device=args.device,
        )
        source = open_source(args.source, options)
        with progress_bar(None, "doc", "suggesting") as tick:

            def progress(done: int, total: int) -> None:
                if channel is not None:
                    channel.send(SuggestProgress(done, total))
                else:
                    tick(done - progress.last)  # type: ignore[attr-defined]
                progress.last = done  # type: ignore[attr-defined]

            progress.last = 0  # type: ignore[attr-defined]
            try:
                result = suggest_unfinished(
                    project, source, args.name, progress, stop.is_set if stop else None
                )
            except KeyboardInterrupt:
                print("nerstudio: interrupted; the batches stored so far are kept", file=sys.stderr)
                return 130
    if channel is not None:
        channel.send(result)
        return 0
    verb = "stopped after" if result.stopped else "suggested"
    print(f"{verb} {counted(result.stored, 'document')} with {result.run} (now the active source)")
    if result.dropped:
        left = ", ".join(f"{label} ({n})" for label, n in sorted(result.dropped.items()))
        print(f"dropped labels with no project label (map them with --map): {left}")
    return 0


def cmd_dictionary_export(args: argparse.Namespace) -> int:
    """The learnt dictionary (every gold entity, most tagged first) as text<TAB>LABEL."""
    from nerstudio.core.sources.dictionary import learnt_entries

    with Project.open(args.project) as project:
        check_target(args.out, project.path, args.force)
        entries = learnt_entries(project)
    with write_file(args.out) as fh:
        for text, label, _count in entries:
            fh.write(f"{text}\t{label}\tcase\n")
    print(f"wrote {counted(len(entries), 'entry', 'entries')} to {args.out}")
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "suggest",
        help="suggestions from a dictionary, a model or zero-shot, before any training",
        description="Suggest every unfinished document with a source and make it the "
        "active source: its suggestions show in the window, are accepted or rejected with "
        "the usual keys, and order the queue. Nothing is written to gold.",
    )
    p.add_argument("project", type=Path)
    p.add_argument("--source", required=True, help=SOURCE_HELP)
    p.add_argument(
        "--map",
        help="source label -> project label, e.g. PER=person,ORG=organisation (labels "
        "with the same name map by themselves; others are dropped and reported)",
    )
    p.add_argument("--name", help="the source's name in the run list (default: from the source)")
    p.add_argument(
        "--device",
        choices=DEVICES,
        default="auto",
        help="where a model or zero-shot source runs (default %(default)s)",
    )
    add_messages(p, "progress and the result")
    p.add_argument(
        "--stdin-stop",
        action="store_true",
        help="stop between batches when standard input closes (the window's Stop)",
    )
    p.set_defaults(func=cmd_suggest)

    p = sub.add_parser("dictionary", help="the learnt dictionary (export)")
    dsub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    e = dsub.add_parser(
        "export", help="write every entity tagged so far as text<TAB>LABEL<TAB>case lines"
    )
    e.add_argument("project", type=Path)
    e.add_argument("out", type=Path)
    e.add_argument("--force", action="store_true", help="replace OUT if it exists")
    e.set_defaults(func=cmd_dictionary_export)
