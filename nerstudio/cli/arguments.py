"""Argument types with ranges, so a value out of range is a usage error (exit 2) that
names the option, never a crash or a silent nonsense result later."""

from __future__ import annotations

import argparse


def share(value: str) -> float:
    """A fraction between 0 and 1 (``--overlap``, ``--random-share``)."""
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number <= 1:  # also refuses nan
        raise argparse.ArgumentTypeError(f"{value!r} is not a share between 0 and 1 (e.g. 0.1)")
    return number


def positive_int(value: str) -> int:
    """A count of at least 1 (``--top``)."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least 1")
    return number


def add_messages(parser: argparse.ArgumentParser, what: str) -> None:
    """``--messages``: the command speaks ``core.child_protocol`` on stdout (what the
    window starts as a child); without it, its output is for a person or a script."""
    parser.add_argument(
        "--messages",
        action="store_true",
        help=f"print {what} and any error as typed JSON lines (for the window)",
    )
