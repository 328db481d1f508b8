"""The one way nerstudio writes a user's file or folder: never half-written, never a
surprise.

Everything is written to a temporary sibling, flushed to disk (fsync), then moved into
place with one atomic rename, so a crash, a full disk or Ctrl+C leaves either the old
target or the new one, never a torn file. ``check_target`` refuses what the user did not
name as the target: the project file itself (and its WAL/SHM/journal), a folder that
holds it, a file the command reads (``reading``), a file a protecting check claims (a
nerstudio project, even with ``force``), and anything that exists already unless
``force`` says to replace it. A FIFO or a character device (``/dev/null``) is written
into, never replaced; ``-`` is standard output.
Files get the mode the umask gives (``mkstemp`` alone would make them 0600).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import re
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TextIO

from nerstudio.core.errors import NerstudioError

_PROJECT_SIDECARS = ("", "-wal", "-shm", "-journal")
STDIO = "-"  # a path of "-": standard output (or input), never a file named "-"

# The files the running command reads (set by ``reading``): no output may be one of them.
_INPUTS: ContextVar[tuple[Path, ...]] = ContextVar("nerstudio_inputs", default=())
# Checks that claim a file no output may replace, with what to call it (a project).
_PROTECTED: list[tuple[Callable[[Path], bool], str]] = []


class TargetError(NerstudioError):
    """An output path that would destroy or overwrite something the user did not name."""


@functools.cache
def _umask() -> int:
    """The process umask, read once (setting it to read it is not thread-safe)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _umask_mode(base: int) -> int:
    return base & ~_umask()


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
        raise _explain_os_error(target, err) from None


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


def fsync_path(folder: Path) -> None:
    """Flush a file's or folder's entry to disk (a rename is durable only then)."""
    with contextlib.suppress(OSError):  # not every platform lets a folder be opened
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _explain_os_error(target: Path, err: OSError) -> TargetError:
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = "the disk is full; free some space and try again (nothing was written)"
    elif err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "no permission to write here (read-only?); choose another place"
    elif err.errno == errno.ELOOP:
        reason = "symbolic links that loop (a link pointing back at itself); fix the link"
    else:
        reason = f"cannot write: {err.strerror or err}"
    return TargetError(f"{target}: {reason}")


def _temp_prefix(target: Path) -> str:
    """``.NAME.PID.``: a temporary sibling names its writer, so ``remove_leftovers`` can
    tell a killed writer's leftover from one still being written."""
    return f".{target.name}.{os.getpid()}."


@contextmanager
def _write_into(target: Path, binary: bool) -> Iterator[TextIO]:
    """Write straight into standard output, a FIFO or a device: there is nothing to
    replace, so no temporary file and no rename (which would swap the node for a file)."""
    if is_stdio(target):
        fh = sys.stdout.buffer if binary else sys.stdout
        try:
            yield fh
            fh.flush()
        except BrokenPipeError:  # `| head` took what it wanted: not an error
            raise
        except OSError as err:  # the caller names it: part of the output may be out
            raise OSError(err.errno, err.strerror, "standard output") from None
        return
    kwargs = {} if binary else {"encoding": "utf-8", "newline": "\n"}
    try:
        with open(target, "wb" if binary else "w", **kwargs) as fh:
            yield fh
    except OSError as err:
        raise _explain_os_error(target, err) from None


@contextmanager
def write_file(target: str | Path, binary: bool = False) -> Iterator[TextIO]:
    """Yield a handle on a temporary sibling; on success fsync and rename it onto
    ``target``. On any error the temporary file is removed and ``target`` is untouched.
    Standard output (``-``), a FIFO or a character device is written into instead."""
    if writes_into(target):
        with _write_into(Path(target), binary) as fh:
            yield fh
        return
    target = Path(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=".part", dir=target.parent)
    except OSError as err:
        raise _explain_os_error(target, err) from None
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, _umask_mode(0o666))
        mode = "wb" if binary else "w"
        kwargs = {} if binary else {"encoding": "utf-8", "newline": "\n"}
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        fsync_path(target.parent)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise _explain_os_error(target, err) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def give_umask_mode(path: Path) -> None:
    """The mode the umask gives a new file or folder (0644/0755 under umask 022), whatever
    made it: a library's own temporary file (safetensors writes model weights 0600) or
    ``mkstemp``. Files for others (a model, a teammate's project) must be readable."""
    if path.is_symlink():
        return
    if path.is_dir():
        path.chmod(_umask_mode(0o777))
    else:
        executable = path.stat().st_mode & 0o111
        path.chmod(_umask_mode(0o777 if executable else 0o666))


def _finish_tree(folder: Path) -> None:
    """Every file flushed to disk and every entry given the umask's mode."""
    for path in folder.rglob("*"):
        give_umask_mode(path)
        if path.is_file() and not path.is_symlink():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    fsync_path(folder)


@contextmanager
def write_folder(target: str | Path, replace: bool = False) -> Iterator[Path]:
    """Yield an empty temporary sibling folder to fill; on success it becomes ``target``.

    An existing empty ``target`` is replaced; a non-empty one only with ``replace`` (the
    user named it with --force), and then only after the new folder is complete.
    """
    if writes_into(target):
        raise TargetError(f"{target}: not a folder; this output is a folder: name a new one")
    target = Path(target)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(target), suffix=".part", dir=target.parent))
        tmp.chmod(_umask_mode(0o777))
    except OSError as err:
        raise _explain_os_error(target, err) from None
    try:
        yield tmp
        _finish_tree(tmp)
        _move_into_place(tmp, target, replace)
        fsync_path(target.parent)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise _explain_os_error(target, err) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _move_into_place(tmp: Path, target: Path, replace: bool) -> None:
    if not target.exists():
        tmp.rename(target)
        return
    if target.is_dir() and not any(target.iterdir()):
        target.rmdir()
        tmp.rename(target)
        return
    if not replace:
        raise TargetError(f"{target}: exists already; add --force to replace it")
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    target.rename(old)
    try:
        tmp.rename(target)
    except BaseException:
        old.rename(target)
        raise
    if old.is_dir():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.unlink(missing_ok=True)


def copy_folder(source: str | Path, target: str | Path, replace: bool = False) -> Path:
    """Copy a folder (a run's model) to ``target`` through ``write_folder``.

    A link inside ``source`` is refused, never followed: following it would copy whatever
    it points at (``/etc``, a home folder) into the copy."""
    source, target = Path(source), Path(target)
    refuse_links(source)
    with write_folder(target, replace=replace) as tmp:
        try:
            shutil.copytree(source, tmp, symlinks=True, dirs_exist_ok=True)
        except shutil.Error as err:  # copytree gathers each file's error into one list
            raise _first_os_error(err) from None
    return target


def refuse_links(folder: Path) -> None:
    """One line naming the first symbolic link in ``folder`` (or ``folder`` itself)."""
    for path in (folder, *folder.rglob("*")):
        if path.is_symlink():
            raise NerstudioError(
                f"{path}: a link to {os.readlink(path)}; nerstudio copies only real files "
                "and folders, so remove the link (or replace it with a copy) and try again"
            )


def _first_os_error(err: shutil.Error) -> OSError:
    """The first file error ``copytree`` collected, as the OSError it was."""
    for entry in err.args[0] if err.args and isinstance(err.args[0], list) else []:
        reason = str(entry[2]) if len(entry) > 2 else ""
        for code in (errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM):
            if f"[Errno {code}]" in reason:
                return OSError(code, os.strerror(code))
    return OSError(errno.EIO, str(err))


# A killed writer's leftovers: write_file/write_folder's ``.NAME.PID.xxxxxxxx.part``, the
# replaced target ``.NAME.old-PID``, and a deleted run's ``.NAME.deleted-PID``.
_LEFTOVER = re.compile(
    r"\.(?P<name>.+?)\.(?:(?P<pid>\d+)\.[^.]+\.part|(?:old|deleted)-(?P<pid2>\d+))"
)
# Written before temporary names carried the pid: removed once they are this old.
_OLD_PART = re.compile(r"\..+\.[^.]{8}\.part")
UNNAMED_LEFTOVER_SECONDS = 24 * 3600


def remove_leftovers(folder: str | Path) -> list[Path]:
    """Remove what killed writers left in ``folder`` (only its top level); returns them.

    A leftover whose writer still runs is kept: its name carries the writer's pid, and a
    pid counts as that writer only when its process is older than the leftover (a pid can
    be reused). What cannot be removed stays, to be tried again next time."""
    folder = Path(folder)
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    removed = []
    for path in entries:
        if path.name.startswith(".") and _is_dead_leftover(path) and _remove(path):
            removed.append(path)
    return removed


def _is_dead_leftover(path: Path) -> bool:
    try:
        modified = path.lstat().st_mtime
    except OSError:
        return False
    match = _LEFTOVER.fullmatch(path.name)
    if match is not None:
        return not _writer_alive(int(match["pid"] or match["pid2"]), modified)
    if _OLD_PART.fullmatch(path.name):
        return time.time() - modified > UNNAMED_LEFTOVER_SECONDS
    return False


def _writer_alive(pid: int, modified: float) -> bool:
    """Whether process ``pid`` may still be writing a leftover last modified at ``modified``."""
    import psutil

    if pid == os.getpid():
        return True
    try:
        return psutil.Process(pid).create_time() <= modified + 1
    except psutil.NoSuchProcess:
        return False
    except (psutil.Error, OSError, ValueError, OverflowError):
        return True  # cannot tell: keep it


def _remove(path: Path) -> bool:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except OSError:
        return False
    return True
