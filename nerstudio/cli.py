"""The ``nerstudio`` command: parse arguments, call core, print, exit code.

Errors a user can fix print one line on stderr and exit 1; usage errors exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

from nerstudio import __version__
from nerstudio.core.errors import NerstudioError
from nerstudio.core.spans import Scheme
from nerstudio.core.store import Project
from nerstudio.core.transfer import EXPORT_FORMATS, IMPORT_FORMATS, export_corpus, import_files


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
    with Project.open(args.project) as project, progress_bar(None, "doc", "storing") as tick:
        summary = import_files(
            project, args.files, args.format, args.split, args.paragraphs, progress=tick
        )
    for note in summary.notes:
        print(f"note: {note}", file=sys.stderr)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nerstudio",
        description="Annotate named entities, train a transformer on them, export both.",
    )
    parser.add_argument("--version", action="version", version=f"nerstudio {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", help="create a project file", description="Create a project file.")
    p.add_argument("project", type=Path, help="the new project file, e.g. corpus.db")
    p.add_argument("--labels", help="comma-separated labels, e.g. PER,ORG,LOC,MISC")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser(
        "import",
        help="import documents (CoNLL, JSONL, text, Hugging Face datasets)",
        description="Import documents; all files or nothing: one bad line and nothing is stored.",
    )
    p.add_argument("project", type=Path)
    p.add_argument("files", type=Path, nargs="+", help="files or folders to import")
    p.add_argument("--format", choices=IMPORT_FORMATS, default="auto")
    p.add_argument("--split", help="put every imported document in this split (train, dev, test)")
    p.add_argument(
        "--paragraphs", action="store_true", help="text: one document per blank-line paragraph"
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "export",
        help="export the corpus (CoNLL, JSONL, Hugging Face datasets)",
        description="Export done documents (all with --all). OUT is a file for conll/jsonl, "
        "a folder for hf.",
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
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "stats",
        help="count documents, tokens and entities",
        description="Count documents, tokens and entities per label.",
    )
    p.add_argument("project", type=Path)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_stats)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return args.func(args)
    except NerstudioError as err:
        print(f"nerstudio: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("nerstudio: interrupted", file=sys.stderr)
        return 130
