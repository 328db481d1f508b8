"""What the user's system refused (a full disk, a read-only folder, a link loop, a broken
pipe), as the one line the CLI prints and exits 1 with; anything else stays a bug (70).

Libraries report these their own ways: an ``OSError`` with or without a file name,
SQLite's "disk I/O error", the Rust "Os { code: 28 }" of safetensors. All of them land
here, at the CLI's one top-level handler, instead of in each command.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import re
import sqlite3
import sys
from collections.abc import Iterator
from typing import Any, TextIO

_FULL = "the disk is full (or your quota is used up); free some space and try again"
USER_ERRNOS: dict[int, str] = {
    errno.ENOSPC: _FULL,
    errno.EDQUOT: _FULL,
    errno.EFBIG: "the file is too large for this file system",
    errno.EROFS: "a read-only file system; choose a writable place",
    errno.EACCES: "no permission; fix its permissions or choose another place",
    errno.EPERM: "not permitted; fix its permissions or choose another place",
    errno.ELOOP: "symbolic links that loop (a link pointing back at itself); fix the link",
    errno.ENOENT: "no such file or folder",
    errno.ENOTDIR: "a path through something that is not a folder",
    errno.EISDIR: "a folder, where a file was expected",
    errno.ENAMETOOLONG: "the name is too long for this file system",
    errno.EIO: "input/output error (a removed or failing disk?)",
    errno.ENXIO: "no such device",
    errno.ENODEV: "no such device",
    errno.EPIPE: "the reading end went away (broken pipe)",
    errno.EBUSY: "busy (in use by another program)",
    errno.ETXTBSY: "busy (in use by another program)",
}
_ERRNO_IN_TEXT = re.compile(r"\[Errno (\d+)\]|Os \{ code: (\d+)|os error (\d+)")
_PATH_IN_TEXT = re.compile(r'at path "([^"]+)"')  # how safetensors names the file
# SQLite errors that are the disk's or the file's, never our SQL's.
_SQLITE_USER_WORDS = ("full", "disk i/o", "readonly", "read-only", "locked", "busy", "unable")


def os_error_of(error: BaseException) -> OSError | None:
    """The system error a user can fix behind ``error`` (itself, its cause, or named in
    its text as libraries written in other languages do), or None."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in USER_ERRNOS:
            return current
        match = _ERRNO_IN_TEXT.search(str(current))
        if match:
            code = int(next(group for group in match.groups() if group))
            if code in USER_ERRNOS:
                path = _PATH_IN_TEXT.search(str(current))
                return OSError(code, os.strerror(code), path.group(1) if path else None)
        current = current.__cause__ or current.__context__
    return None


def _project_of(args: argparse.Namespace) -> str:
    where = getattr(args, "project", None) or getattr(args, "target", None)
    return str(where) if where is not None else "nerstudio"


class NamedStdout:
    """Standard output whose write errors name it ("standard output: the disk is full")
    instead of arriving as a bare OSError that could be any file's."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as err:
            raise _named(err) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as err:
            raise _named(err) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _named(err: OSError) -> OSError:
    silence_stdout()  # Python's exit would try the same buffer again
    return OSError(err.errno, err.strerror, "standard output")  # EPIPE: a BrokenPipeError


@contextlib.contextmanager
def named_stdout() -> Iterator[None]:
    """While a command runs, its stdout errors name standard output."""
    stream = sys.stdout
    sys.stdout = NamedStdout(stream)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout = stream


def flush_stdout() -> None:
    """Flush standard output; when it refuses what was printed (``> /dev/full``, a closed
    pipe) raise that as an error of "standard output", and point it at the null device so
    Python's exit does not fail on it again."""
    try:
        sys.stdout.flush()
    except OSError as err:
        raise _named(err) from None


def silence_stdout() -> None:
    """Point the stdout file descriptor at the null device (it refused to be written)."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # not a real file (a test's capture)
        pass


def user_message(error: BaseException, args: argparse.Namespace) -> str | None:
    """The one line for an error the user's system caused, or None for a bug."""
    if isinstance(error, sqlite3.DatabaseError) and not isinstance(
        error, sqlite3.IntegrityError | sqlite3.ProgrammingError | sqlite3.InterfaceError
    ):
        if not any(word in str(error).lower() for word in _SQLITE_USER_WORDS):
            return None
        from nerstudio.core.store.connection import explain

        return str(explain(_project_of(args), error))
    found = os_error_of(error)
    if found is None:
        return None
    where = os.fsdecode(found.filename) if found.filename is not None else _project_of(args)
    return f"{where}: {USER_ERRNOS[found.errno]}"
