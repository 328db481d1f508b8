"""The ``nerstudio`` command: parse arguments, call core, print, exit code.

Errors a user can fix print one line on stderr and exit 1 (also what the system refused:
a full disk, a read-only folder, see ``failures``); usage errors exit 2; a bug prints one
line and leaves a report (exit 70). Each command group is a module here (``*_commands``).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from nerstudio import __version__
from nerstudio.cli import (
    corpus_commands,
    label_commands,
    prediction_commands,
    source_commands,
    team_commands,
    training_commands,
)
from nerstudio.cli.terminal import print_error
from nerstudio.core.errors import NerstudioError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nerstudio",
        usage="nerstudio [-h] [--version] [--demo | PROJECT.db | COMMAND ...]",
        description="Annotate named entities, train a transformer on them, export both.",
        epilog="Without a command: 'nerstudio' opens the window (a welcome page), "
        "'nerstudio PROJECT.db' opens a project, 'nerstudio --demo' the sample project.",
    )
    parser.add_argument("--version", action="version", version=f"nerstudio {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", prog="nerstudio")

    for group in (
        corpus_commands,
        training_commands,
        prediction_commands,
        source_commands,
        label_commands,
        team_commands,
    ):
        group.add_parsers(sub)
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
            return print_error(str(err))
        print(f"sample project: {args.project}")
    if args.project is not None and not args.project.is_file():
        return print_error(f"{args.project}: no such project file; create it with 'nerstudio init'")
    from nerstudio.gui.app import main as gui_main

    return gui_main(args.project)


def _tolerant_streams() -> None:
    """A file name that is not UTF-8 (``\\xff.conll``, kept by Python as a surrogate)
    prints escaped instead of raising while the error about it is printed."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    _tolerant_streams()
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


# Where a command's arguments name what it writes; every other path argument it reads.
OUTPUT_ARGUMENTS = ("out", "report")


# The path arguments where '-' is standard input or output; anywhere else it is refused
# rather than read or written as a file named '-'.
STDIO_ARGUMENTS = {
    ("import", "files"),
    ("import", "report"),
    ("export", "out"),
    ("predict", "out"),
    ("guidelines", "set"),
    ("init", "guidelines"),
}


def refuse_stdio(args: argparse.Namespace) -> None:
    """'-' where a command cannot stream (a project, a folder) is one line, not a file."""
    for name, value in vars(args).items():
        values = value if isinstance(value, list) else [value]
        dash = any(isinstance(v, Path) and str(v) == "-" for v in values)
        if dash and (args.command, name) not in STDIO_ARGUMENTS:
            raise NerstudioError(
                f"'-' (standard input or output) cannot be the {name} of {args.command}; "
                "name a file or folder"
            )


def command_inputs(args: argparse.Namespace) -> list[Path]:
    """The files and folders a command reads: its path arguments that are not outputs."""
    found: list[Path] = []
    for name, value in vars(args).items():
        if name in OUTPUT_ARGUMENTS:
            continue
        values = value if isinstance(value, list) else [value]
        found += [v for v in values if isinstance(v, Path)]
    return found


def run_command(args: argparse.Namespace) -> int:
    """The one top-level handler, around ``_run`` (``--messages``: the command's output and
    its error are ``core.child_protocol`` messages on stdout, for the window)."""
    from nerstudio.cli.failures import named_stdout
    from nerstudio.core.child_protocol import ChildFailed, message_channel

    if not getattr(args, "messages", False):
        args.channel = None
        return _run(args, lambda message, error, code: print_error(message, code))
    with named_stdout(), message_channel() as channel:
        args.channel = channel

        def fail(message: str, error: str, code: int) -> int:
            with contextlib.suppress(OSError):  # the window is gone: nobody reads it
                channel.send(ChildFailed(message, error))
            return code

        return _run(args, fail)


Failure = Callable[[str, str, int], int]  # (the user's line, the error's class, exit code)


def _run(args: argparse.Namespace, fail: Failure) -> int:
    """Our errors and what the system refused are one line (exit 1), anything else is a
    bug: one line and the traceback saved to a log file (exit 70). No output of a command
    may be one of its inputs (``reading``)."""
    from nerstudio.cli.failures import flush_stdout, named_stdout, silence_stdout, user_message
    from nerstudio.core.bug_report import one_line, save_report
    from nerstudio.core.safe_io import reading

    try:
        refuse_stdio(args)
        with named_stdout(), reading(command_inputs(args)):
            code = args.func(args)
            flush_stdout()  # what was printed last may still wait in the buffer
        return code
    except NerstudioError as err:
        return fail(str(err), type(err).__name__, 1)
    except KeyboardInterrupt:
        print("nerstudio: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `nerstudio queue ... | head`
        silence_stdout()
        return 0
    except Exception as err:
        message = user_message(err, args)
        if message is not None:
            return fail(message, type(err).__name__, 1)
        report = save_report(err)
        line = one_line(err, report)
        if args.channel is None:
            print(f"nerstudio: {line}", file=sys.stderr)
            return 70
        return fail(line, type(err).__name__, 70)
