"""The one way nerstudio writes a user's file or folder: never half-written, never a
surprise.

Everything is written to a temporary sibling, flushed to disk (fsync), then moved into
place with one atomic rename, so a crash, a full disk or Ctrl+C leaves either the old
target or the new one, never a torn file. ``check_target`` refuses what the user did not
name as the target: the project file itself (and its WAL/SHM/journal), a folder that
holds it, and anything that exists already unless ``force`` says to replace it.
Files get the mode the umask gives (``mkstemp`` alone would make them 0600).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from nerstudio.core.errors import NerstudioError

_PROJECT_SIDECARS = ("", "-wal", "-shm", "-journal")


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


def check_target(target: Path, project: Path | None = None, force: bool = False) -> None:
    """Refuse a target that is (or holds) the project, or that exists without ``force``."""
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
    if not target.parent.exists():
        raise TargetError(f"{target}: folder {target.parent} does not exist")
    if force or not target.exists():
        return
    if target.is_dir():
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
    if err.errno == errno.ENOSPC:
        reason = "the disk is full; free some space and try again (nothing was written)"
    elif err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "no permission to write here (read-only?); choose another place"
    else:
        reason = f"cannot write: {err.strerror or err}"
    return TargetError(f"{target}: {reason}")


def _temp_prefix(target: Path) -> str:
    """``.NAME.PID.``: a temporary sibling names its writer, so ``remove_leftovers`` can
    tell a killed writer's leftover from one still being written."""
    return f".{target.name}.{os.getpid()}."


@contextmanager
def write_file(target: str | Path, binary: bool = False) -> Iterator[TextIO]:
    """Yield a handle on a temporary sibling; on success fsync and rename it onto
    ``target``. On any error the temporary file is removed and ``target`` is untouched."""
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


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    fsync_path(folder)


@contextmanager
def write_folder(target: str | Path, replace: bool = False) -> Iterator[Path]:
    """Yield an empty temporary sibling folder to fill; on success it becomes ``target``.

    An existing empty ``target`` is replaced; a non-empty one only with ``replace`` (the
    user named it with --force), and then only after the new folder is complete.
    """
    target = Path(target)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(target), suffix=".part", dir=target.parent))
        tmp.chmod(_umask_mode(0o777))
    except OSError as err:
        raise _explain_os_error(target, err) from None
    try:
        yield tmp
        _fsync_tree(tmp)
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
