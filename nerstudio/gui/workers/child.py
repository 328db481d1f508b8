"""The command line that runs ``nerstudio ARGS`` in a child process.

From source the child is ``python -m nerstudio ARGS``. In a frozen app (PyInstaller)
``sys.executable`` is the app itself, which has no ``-m``: its entry point dispatches CLI
subcommands, so the child is ``<app> ARGS``.
"""

from __future__ import annotations

import sys


def nerstudio_command(args: list[str]) -> list[str]:
    """``[python, -m, nerstudio, *args]``, or ``[app, *args]`` when frozen."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-m", "nerstudio", *args]
