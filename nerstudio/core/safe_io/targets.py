"""Which outputs may be written: never the project, an input of the command, a file a
protecting check claims (a nerstudio project), or anything that exists without --force."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from nerstudio.core.errors import NerstudioError

_PROJECT_SIDECARS = ("", "-wal", "-shm", "-journal")
STDIO = "-"  # a path of "-": standard output (or input), never a file named "-"

# The files the running command reads (set by ``reading``): no output may be one of them.
_INPUTS: ContextVar[tuple[Path, ...]] = ContextVar("nerstudio_inputs", default=())
# Checks that claim a file no output may replace, with what to call it (a project).
_PROTECTED: list[tuple[Callable[[Path], bool], str]] = []


class TargetError(NerstudioError):
    """An output path that would destroy or overwrite something the user did not name."""



def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def is_stdio(path: str | Path | None) -> bool:
    """Whether a path argument is ``-``: standard output or input, not a file."""
    return path is not None and str(path) == STDIO


def protect(check: Callable[[Path], bool], what: str) -> None:
    """Never let an output replace a file ``check`` claims (``what`` names it), even with
    --force; the store registers its project check here (safe_io cannot import it)."""
    _PROTECTED.append((check, what))


@contextmanager
def reading(paths: Iterable[str | Path]) -> Iterator[None]:
    """While a command runs: the files it reads, which none of its outputs may be."""
    token = _INPUTS.set(tuple(Path(p) for p in paths if not is_stdio(p)))
    try:
        yield
    finally:
        _INPUTS.reset(token)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)  # hard links and other names of one file too
    except OSError:
        return _same(a, b)


def _refuse_inputs(target: Path) -> None:
    for source in _INPUTS.get():
        if _same_file(target, source):
            raise TargetError(
                f"{target}: that is a file this command reads; write the output somewhere else"
            )
        if target.is_dir() and _holds(target, source):
            raise TargetError(
                f"{target}: this folder holds {source}, which this command reads; name a "
                "new file or folder to write to"
            )


def _holds(folder: Path, path: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


def _file_type(target: Path) -> int | None:
    """The ``stat`` file type the target is (links followed), None when there is none."""
    try:
        return stat.S_IFMT(target.stat().st_mode)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise explain_os_error(target, err) from None


def writes_into(target: str | Path) -> bool:
    """Whether the target is written into rather than replaced: a FIFO, a character
    device (``/dev/null``, a terminal) or ``-``."""
    if is_stdio(target):
        return True
    return _file_type(Path(target)) in (stat.S_IFIFO, stat.S_IFCHR)


def _check_kind(target: Path, replaces_protected: bool) -> int | None:
    """Refuse a target no output may replace; return its file type (None: absent)."""
    kind = _file_type(target)
    if kind in (stat.S_IFBLK, stat.S_IFSOCK):
        what = "a block device (a disk)" if kind == stat.S_IFBLK else "a socket"
        raise TargetError(f"{target}: {what}; name a regular file to write to")
    if kind == stat.S_IFREG and not replaces_protected:
        for check, what in _PROTECTED:
            if check(target):
                raise TargetError(
                    f"{target}: {what}; an output never replaces one, not even with "
                    "--force: name another file"
                )
    return kind


def check_target(
    target: Path,
    project: Path | None = None,
    force: bool = False,
    replaces_protected: bool = False,
) -> None:
    """Refuse a target that is (or holds) the project or an input of the command, a
    protected file (another project) unless ``replaces_protected`` (assign's own copies),
    a disk or socket, or a file that exists without ``force``. A FIFO or a character
    device is written into, so it passes."""
    if is_stdio(target):
        return
    target = Path(target)
    if project is not None:
        project = Path(project)
        for suffix in _PROJECT_SIDECARS:
            if _same(target, project.with_name(project.name + suffix)):
                raise TargetError(
                    f"{target}: that is the project file{' (' + suffix + ')' if suffix else ''}"
                    "; write the output somewhere else"
                )
        if (
            target.exists()
            and target.is_dir()
            and project.resolve().is_relative_to(target.resolve())
        ):
            raise TargetError(
                f"{target}: this folder holds the project {project.name}; "
                "name a new file or folder to write to"
            )
    _refuse_inputs(target)
    kind = _check_kind(target, replaces_protected)
    if kind in (stat.S_IFIFO, stat.S_IFCHR):
        return
    if not target.parent.exists():
        raise TargetError(f"{target}: folder {target.parent} does not exist")
    if force or kind is None:
        return
    if kind == stat.S_IFDIR:
        if any(target.iterdir()):
            raise TargetError(
                f"{target}: a folder that is not empty; name a new folder, or add --force "
                "to replace it"
            )
        return
    raise TargetError(f"{target}: exists already; name another file, or add --force to replace it")


def explain_os_error(target: Path, err: OSError) -> TargetError:
    """The one line for an OS error on an output: what happened and what to do."""
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = "the disk is full; free some space and try again (nothing was written)"
    elif err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "no permission to write here (read-only?); choose another place"
    elif err.errno == errno.ELOOP:
        reason = "symbolic links that loop (a link pointing back at itself); fix the link"
    else:
        reason = f"cannot write: {err.strerror or err}"
    return TargetError(f"{target}: {reason}")
