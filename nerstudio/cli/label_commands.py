"""``nerstudio labels``: the project's labels with their hotkeys, entity counts and
descriptions; ``--describe`` gives a label the description a zero-shot model reads."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from nerstudio.core.store import Project


def cmd_labels(args: argparse.Namespace) -> int:
    with Project.open(args.project) as project:
        if args.describe is not None:
            name, text = args.describe
            project.labels.describe(name, text)
            text = text.strip()
            print(f"described {name}: {text}" if text else f"{name}: no description")
            return 0
        labels = project.labels.list()
        counts = project.spans.entity_counts()
        described = project.labels.descriptions()
    rows = [
        {
            "name": label.name,
            "hotkey": label.hotkey,
            "entities": counts.get(label.name, 0),
            "description": described.get(label.name),
        }
        for label in labels
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    width = max((len(row["name"]) for row in rows), default=5)
    for row in rows:
        line = f"{row['name']:<{width}}  {row['hotkey'] or '-':>2}  {row['entities']:>9,}"
        print(line + (f"  {row['description']}" if row["description"] else ""))
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "labels",
        help="list the labels (hotkey, entities, description) or describe one",
        description="List the project's labels with their hotkey, entity count and "
        "description. A description tells a zero-shot model what a label means "
        "(nerstudio suggest --source zeroshot:MODEL reads it instead of the bare name).",
    )
    p.add_argument("project", type=Path)
    p.add_argument(
        "--describe",
        nargs=2,
        metavar=("LABEL", "TEXT"),
        help="give LABEL a description (at most 500 characters; '' removes it)",
    )
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.set_defaults(func=cmd_labels)
