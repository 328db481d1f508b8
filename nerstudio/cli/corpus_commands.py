"""Project and corpus commands: init, import, export, stats, check, runs."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from nerstudio.cli.terminal import print_error, progress_bar
from nerstudio.core.errors import ProjectError
from nerstudio.core.plural import counted
from nerstudio.core.safe_io import check_target, is_stdio, new_database, write_file
from nerstudio.core.spans import Scheme
from nerstudio.core.store import Project
from nerstudio.core.transfer import (
    EXPORT_FORMATS,
    IMPORT_FORMATS,
    OVERLAP_POLICIES,
    export_corpus,
    import_files,
)
from nerstudio.core.transfer.document_import import LONG_TEXT, SPLIT_MODES


def cmd_init(args: argparse.Namespace) -> int:
    """Make the project under a temporary name and link it into place once complete: a
    failed init (a full disk) leaves nothing behind that blocks the retry, and never
    removes a file someone else made meanwhile."""
    from nerstudio.cli.team_commands import read_guidelines

    labels = [name for name in (args.labels or "").split(",") if name.strip()]
    guidelines = read_guidelines(args.guidelines) if args.guidelines else None
    target = Path(args.project)
    if os.path.lexists(target):
        raise ProjectError(f"{target}: already exists; open it, or choose another name")
    if not target.parent.is_dir():
        raise ProjectError(f"{target}: folder {target.parent} does not exist")
    # Linked into place when complete: never over a file someone made meanwhile.
    with (
        new_database(target) as tmp,
        Project.create(tmp, labels, annotator=args.annotator) as project,
    ):
        if guidelines is not None:
            project.set_guidelines(guidelines)
        names = ", ".join(label.name for label in project.labels.list()) or "none yet"
    print(f"created {target} (labels: {names})")
    return 0


@contextlib.contextmanager
def _stdin_as_file(files: list[Path]) -> Iterator[list[Path]]:
    """``-`` among the files to import is standard input, read into a temporary file
    named ``stdin`` (formats are told apart by content)."""
    if not any(is_stdio(f) for f in files):
        yield files
        return
    with tempfile.TemporaryDirectory(prefix="nerstudio-") as folder:
        spooled = Path(folder) / "stdin"
        with spooled.open("wb") as fh:
            shutil.copyfileobj(sys.stdin.buffer, fh)
        yield [spooled if is_stdio(f) else f for f in files]


def cmd_import(args: argparse.Namespace) -> int:
    from nerstudio.core.transfer import ImportOptions

    options = ImportOptions(
        paragraphs=args.paragraphs,
        overlaps=args.overlaps,
        layer=args.layer,
        token_column=args.token_column,
        tag_column=args.tag_column,
        tokens_column=args.tokens_column,
        tags_column=args.tags_column,
        tag_names=tuple(args.tag_names.split(",")) if args.tag_names else None,
        text_key=args.text_key,
        label_key=args.label_key,
        per=args.per,
    )
    if args.report is not None:
        check_target(args.report, args.project, force=args.force)
    with (
        Project.open(args.project) as project,
        progress_bar(None, "doc", "storing") as tick,
        _stdin_as_file(args.files) as files,
    ):
        summary = import_files(
            project, files, args.format, args.split, progress=tick, options=options
        )
    for file in summary.files:
        print(f"read {file.line()}", file=sys.stderr)
    for document in summary.documents_read:
        print(f"read {document.line()}", file=sys.stderr)
    for line in summary.refused:
        print(f"refused {line}", file=sys.stderr)
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
    found = f"{counted(summary.documents, 'document')} with {counted(summary.spans, 'entity')}"
    refused = f"; {counted(len(summary.refused), 'file')} refused" if summary.refused else ""
    print(f"imported {found}{added}{refused}")
    return 1 if summary.refused else 0


def cmd_export(args: argparse.Namespace) -> int:
    from nerstudio.core.transfer import ExportOptions

    options = ExportOptions(Scheme(args.scheme), keep_split_names=args.keep_split_names)
    with Project.open(args.project) as project, progress_bar(None, "doc", "exporting") as tick:
        summary = export_corpus(
            project,
            args.out,
            args.format,
            include_all=args.all,
            split=args.split,
            progress=tick,
            force=args.force,
            options=options,
            annotator=args.annotator,
        )
    where = "standard output" if is_stdio(summary.path) else summary.path
    print(
        f"exported {counted(summary.documents, 'document')}"
        f" ({counted(summary.tokens, 'token')}) to {where}",
        file=sys.stderr if is_stdio(summary.path) else sys.stdout,  # stdout holds the data
    )
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    with Project.open(args.project) as project:
        stats = project.stats()
    if args.json:
        print(json.dumps(stats.to_json()))
        return 0
    print(f"documents  {stats.documents:>9,}  (done {stats.done:,})")
    for status, count in stats.by_status.items():
        print(f"  {status:<12}{count:>9,}")
    print(f"tokens     {stats.tokens:>9,}")
    print("entities")
    for label, count in stats.entities.items():
        print(f"  {label:<12}{count:>9,}")
    if stats.by_split:
        print("splits")
        for split, count in stats.by_split.items():
            print(f"  {split:<12}{count:>9,}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from nerstudio.core.store import backup

    with Project.open(args.project, check=False) as project:
        problems = project.full_check()
    for problem in problems:
        print(f"{args.project}: {problem}")
    if not problems:
        print(f"{args.project}: ok (integrity, full-text index, references, spans)")
        return 0
    latest = backup.latest(Path(args.project))
    hint = f"the last good backup is {latest}" if latest else "there is no backup of it"
    return print_error(f"{args.project}: {len(problems)} problems; {hint}")


def cmd_runs(args: argparse.Namespace) -> int:
    from nerstudio.core.run_folders import delete_run, rename_run

    with Project.open(args.project) as project:
        if args.action in ("delete", "rename") and project.read_only:
            raise ProjectError(
                f"{args.project}: read-only (no permission to write the file or its folder); "
                f"cannot {args.action} run {args.name!r}: fix its permissions first"
            )
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


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add init, import, export, stats, check and runs to the ``nerstudio`` subparsers."""
    for add in (_add_init, _add_import, _add_export, _add_stats, _add_check, _add_runs):
        add(sub)


def _add_init(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="create a project file", description="Create a project file.")
    p.add_argument("project", type=Path, help="the new project file, e.g. corpus.db")
    p.add_argument("--labels", help="comma-separated labels, e.g. PER,ORG,LOC,MISC")
    p.add_argument("--annotator", help="who annotates this project (default: your user name)")
    p.add_argument("--guidelines", type=Path, help="a text file of annotation guidelines")
    p.set_defaults(func=cmd_init)


def _add_import(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help=f"import documents ({', '.join(IMPORT_FORMATS[1:])})",
        description="Import documents; all files or nothing: one bad line and nothing is "
        "stored. The format is detected from each file's content (then its name) and "
        "named in the summary; --format forces one.",
    )
    p.add_argument("project", type=Path)
    p.add_argument(
        "files", type=Path, nargs="+", help="files or folders to import ('-': standard input)"
    )
    p.add_argument(
        "--format",
        choices=IMPORT_FORMATS,
        default="auto",
        help="read every file as this format (default %(default)s: detected from each file)",
    )
    p.add_argument("--split", help="put every imported document in this split (train, dev, test)")
    p.add_argument(
        "--paragraphs", action="store_true", help="text: one document per blank-line paragraph"
    )
    p.add_argument(
        "--per",
        choices=SPLIT_MODES,
        help="document files (PDF, Word, HTML, Markdown, e-mail; .txt when given): one "
        "document per file, page, section (cut at the top headings) or paragraph (default "
        f"auto: per file up to {LONG_TEXT:,} characters, else per page or section)",
    )
    p.add_argument(
        "--overlaps",
        choices=OVERLAP_POLICIES,
        default="keep-longest",
        help="overlapping (nested, stacked) spans: keep the longest of each group and report "
        "the rest (default), or refuse the file",
    )
    p.add_argument(
        "--report", type=Path, help="write every dropped span, with where, here ('-': stdout)"
    )
    p.add_argument("--force", action="store_true", help="replace the --report file if it exists")
    p.add_argument("--layer", help="WebAnno TSV: the layer holding entities (default NamedEntity)")
    p.add_argument("--token-column", help="CoNLL: the token column (1-based, or -1 for the last)")
    p.add_argument(
        "--tag-column",
        help="CoNLL: the tag column (1-based or negative); CoNLL-U: the column name "
        "(global.columns) or MISC key holding the entity tags",
    )
    p.add_argument("--tokens-column", help="HF datasets / run_ner JSON: the words column")
    p.add_argument("--tags-column", help="HF datasets / run_ner JSON: the tags column")
    p.add_argument("--tag-names", help="integer tags without a ClassLabel: O,B-PER,I-PER,...")
    p.add_argument("--text-key", help="JSONL (doccano): the field holding the text")
    p.add_argument("--label-key", help="JSONL (doccano): the field holding the spans")
    p.set_defaults(func=cmd_import)


def _add_export(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help=f"export the corpus ({', '.join(EXPORT_FORMATS[1:])})",
        description="Export done documents (all with --all). OUT is a file for conll/jsonl, "
        "a new folder for hf; an existing folder gets a new entry named after the project. "
        "Nothing that exists is replaced without --force.",
    )
    p.add_argument("project", type=Path)
    p.add_argument("out", type=Path, help="a file, a folder, or '-' for standard output")
    p.add_argument(
        "--format",
        choices=EXPORT_FORMATS,
        default="auto",
        help="the format to write (default %(default)s: from OUT's name)",
    )
    p.add_argument(
        "--scheme",
        choices=[s.value for s in Scheme],
        default="iob2",
        help="tag scheme for CoNLL (default iob2; bioes and bilou mark ends and singles)",
    )
    p.add_argument("--all", action="store_true", help="every document, not only done ones")
    p.add_argument("--split", help="only documents of this split")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace OUT if it exists (never the project itself or a folder holding it)",
    )
    p.add_argument("--annotator", help="one annotator's set instead of the gold (after merge)")
    p.add_argument(
        "--keep-split-names",
        action="store_true",
        help="hf: the split names the imported dataset had (validation stays validation)",
    )
    p.set_defaults(func=cmd_export)


def _add_stats(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "stats",
        help="count documents, tokens and entities",
        description="Count documents, tokens and entities per label.",
    )
    p.add_argument("project", type=Path)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_stats)


def _add_check(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="check a project file for damage",
        description="Full integrity check: SQLite's integrity_check, the full-text index, "
        "references between tables, and every gold span against its text and tokens.",
    )
    p.add_argument("project", type=Path)
    p.set_defaults(func=cmd_check)


def _add_runs(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "runs",
        help="list, delete or rename training runs",
        description="List the project's runs (* = active), delete one (its row and its own "
        "folder) or rename one (row, folder and nerstudio.json).",
    )
    p.add_argument("project", type=Path)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser("list", help="every run with its status and dev F1")
    listing.add_argument("--json", action="store_true", help="print one JSON list")
    delete = actions.add_parser("delete", help="forget a run and remove its folder")
    delete.add_argument("name")
    rename = actions.add_parser("rename", help="rename a run and its folder")
    rename.add_argument("name")
    rename.add_argument("new_name")
    p.set_defaults(func=cmd_runs, action="list", json=False)
