"""The team commands: ``assign``, ``merge``, ``agreement``, ``annotator``, ``guidelines``.

Thin like the rest of the CLI: parse, call ``nerstudio.core.team`` or the store, print.
``add_parsers`` adds them to the ``nerstudio`` command's subparsers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from nerstudio.cli.arguments import add_messages, share
from nerstudio.core.errors import NerstudioError
from nerstudio.core.plural import counted
from nerstudio.core.safe_io import is_stdio
from nerstudio.core.store import Project


def read_guidelines(path: Path) -> str:
    """A guidelines file's text, or one line saying why it cannot be read."""
    if is_stdio(path):
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        raise NerstudioError(f"{path}: cannot read the guidelines: {reason}") from None


def cmd_assign(args: argparse.Namespace) -> int:
    from nerstudio.core.team import assign

    names = [name.strip() for name in args.annotators.split(",") if name.strip()]
    with Project.open(args.project) as project:
        summary = assign(project, names, args.out, args.overlap, args.seed, args.force)
    for f in summary.files:
        suggestions = f", {f.suggestions} suggestions" if summary.run else ""
        print(
            f"wrote {f.path}: {counted(f.documents, 'document')} for {f.annotator} "
            f"({f.documents - f.shared} own, {f.shared} shared{suggestions})"
        )
    run = f"; suggestions of run {summary.run}" if summary.run else ""
    print(
        f"dealt {summary.unfinished} unfinished documents to {len(summary.files)} annotators, "
        f"{summary.shared} shared by all{run}; {summary.kept} done or skipped documents "
        f"stay in {args.project}"
    )
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    from nerstudio.core.team import merge, parse_label_map

    mapping = parse_label_map(args.map or [])
    with Project.open(args.target) as target:
        summary = merge(target, args.projects, mapping)
    for s in summary.sources:
        added = f"; {counted(s.added, 'document')} the target lacked added" if s.added else ""
        print(
            f"merged {s.path} ({s.annotator}): {counted(s.documents, 'document')}, {s.done} done, "
            f"{s.changed} new or changed{added}"
        )
    if not any(s.changed for s in summary.sources):
        print(f"nothing new: {args.target} already holds this work")
        return 0
    gold = summary.gold
    print(
        f"gold: {counted(len(gold.single), 'document')} from their one finisher, "
        f"{len(gold.agreed)} "
        f"agreed by all, {len(gold.curated)} already curated, {len(gold.disputed)} with "
        "disagreements (in progress until curated)"
    )
    if gold.disputed:
        shown = ", ".join(str(i) for i in gold.disputed[:20])
        more = f" and {len(gold.disputed) - 20} more" if len(gold.disputed) > 20 else ""
        print(f"to curate: documents {shown}{more}")
    if summary.kept:
        kept = counted(len(summary.kept), "document")
        print(f"kept the target's own gold of {kept} it had finished")
    return 0


def cmd_agreement(args: argparse.Namespace) -> int:
    from nerstudio.core.team import agreement

    with Project.open(args.project) as project:
        if len(project.annotation_sets.with_sets()) < 2:
            raise NerstudioError(
                f"{args.project}: fewer than two annotators' sets; merge their projects in "
                "first with 'nerstudio merge'"
            )
        pairs = agreement(project)
    if args.channel is not None:
        from nerstudio.core.team.agreement import AgreementComputed

        args.channel.send(AgreementComputed(tuple(pairs)))
        return 0
    if args.json:
        print(json.dumps({"pairs": [p.to_json() for p in pairs]}, ensure_ascii=False))
        return 0
    for i, pair in enumerate(pairs):
        if i:
            print()
        print_pair(pair)
    return 0


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def print_pair(pair) -> None:
    print(f"{pair.a} vs {pair.b}: {counted(pair.documents, 'document')} both finished")
    if not pair.documents:
        return
    print(
        f"  exact F1 {_score(pair.f1)}   partial F1 {_score(pair.partial_f1)}   "
        f"token kappa {_score(pair.kappa)}"
    )
    if pair.per_label:
        width = max(8, *(len(label) for label in pair.per_label))
        print(f"  {'label':<{width}}  precision     recall         f1  support")
        for label, s in pair.per_label.items():
            print(
                f"  {label:<{width}}  {s.precision:>9.4f}  {s.recall:>9.4f}  {s.f1:>9.4f}"
                f"  {s.support:>7}"
            )
    if pair.confusion:
        labels = list(pair.confusion)
        width = max(8, *(len(label) for label in labels))
        print(f"  confusion (rows {pair.a}, columns {pair.b}; overlapping spans)")
        print("  " + " " * width + "".join(f"{label:>{width + 1}}" for label in labels))
        for row in labels:
            cells = "".join(f"{pair.confusion[row][col]:>{width + 1}}" for col in labels)
            print(f"  {row:<{width}}{cells}")
    if pair.worst_documents:
        print("  most disagreement (document, spans on one side only, text)")
        for d in pair.worst_documents:
            print(f"  {d.document_id:>8}  {d.disagreements:>3}  {d.text}")


def cmd_annotator(args: argparse.Namespace) -> int:
    with Project.open(args.project) as project:
        if args.name:
            project.set_annotator(args.name)
        current, known = project.annotator(), project.annotators()
    print(f"{args.project}: edits are recorded for {current} (annotators: {', '.join(known)})")
    return 0


def cmd_guidelines(args: argparse.Namespace) -> int:
    text = read_guidelines(args.set) if args.set else None
    with Project.open(args.project) as project:
        if args.set:
            project.set_guidelines(text)
            print(f"{args.project}: guidelines set from {args.set} ({len(text or '')} characters)")
            return 0
        text = project.guidelines()
    if text is None:
        print(f"{args.project}: no guidelines yet; set them with --set FILE", file=sys.stderr)
        return 0
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def add_parsers(sub) -> None:
    """Add the team commands to the ``nerstudio`` subparsers."""
    _add_assign_parser(sub)
    _add_merge_parser(sub)
    _add_agreement_parser(sub)
    _add_annotator_parser(sub)
    _add_guidelines_parser(sub)


def _add_assign_parser(sub) -> None:
    """``nerstudio assign``."""
    p = sub.add_parser(
        "assign",
        help="split the unfinished documents out to annotators, one project each",
        description="Write one project per annotator (OUT/PROJECT-NAME.db): the unfinished "
        "documents dealt out evenly (reproducibly with --seed), and a share of them (--overlap) "
        "given to every annotator to measure agreement. Labels, guidelines and the active "
        "run's suggestions go along; done and skipped documents stay in PROJECT only.",
    )
    p.add_argument("project", type=Path)
    p.add_argument("--annotators", required=True, help="comma-separated names, e.g. alice,bob")
    p.add_argument(
        "--overlap",
        type=share,
        default=0.1,
        help="share of the unfinished documents every annotator gets (default 0.1)",
    )
    p.add_argument("--out", type=Path, required=True, help="folder for the annotators' projects")
    p.add_argument(
        "--seed", type=int, default=13, help="fixes who gets which document (default %(default)s)"
    )
    p.add_argument("--force", action="store_true", help="replace annotators' projects in OUT")
    p.set_defaults(func=cmd_assign)


def _add_merge_parser(sub) -> None:
    """``nerstudio merge``."""
    p = sub.add_parser(
        "merge",
        help="merge annotators' projects back, each kept as their own set",
        description="Merge annotators' projects into TARGET, matching documents by content "
        "(a document TARGET lacks is added). Each annotator's spans and status become their "
        "own set; gold becomes the one finisher's spans, or what all finishers agree on "
        "(the document in progress until its disagreements are curated). Merging the same "
        "files again changes nothing. One transaction, after a backup.",
    )
    p.add_argument("target", type=Path, help="the lead's project")
    p.add_argument("projects", type=Path, nargs="+", help="annotators' project files")
    p.add_argument(
        "--map",
        action="append",
        metavar="OLD=NEW",
        help="read the annotators' label OLD as TARGET's label NEW (repeatable)",
    )
    p.set_defaults(func=cmd_merge)


def _add_agreement_parser(sub) -> None:
    """``nerstudio agreement``."""
    p = sub.add_parser(
        "agreement",
        help="inter-annotator agreement on the documents both of a pair finished",
        description="For every pair of annotators, on the documents both finished: exact "
        "span F1 per label and overall, overlap F1, token-level Cohen's kappa, the label "
        "confusion matrix and the documents with most disagreement.",
    )
    p.add_argument("project", type=Path)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_messages(p, "the figures")
    p.set_defaults(func=cmd_agreement)


def _add_annotator_parser(sub) -> None:
    """``nerstudio annotator``."""
    p = sub.add_parser(
        "annotator",
        help="show or set who a project's edits are recorded for",
        description="Show the annotator a project records spans and status changes for; "
        "with NAME, record them for NAME from now on.",
    )
    p.add_argument("project", type=Path)
    p.add_argument("name", nargs="?")
    p.set_defaults(func=cmd_annotator)


def _add_guidelines_parser(sub) -> None:
    """``nerstudio guidelines``."""
    p = sub.add_parser(
        "guidelines",
        help="show or set the annotation guidelines",
        description="Print the project's annotation guidelines, or set them from a file "
        "(they go along to the annotators' projects).",
    )
    p.add_argument("project", type=Path)
    p.add_argument("--set", type=Path, metavar="FILE", help="a text or Markdown file")
    p.set_defaults(func=cmd_guidelines)
