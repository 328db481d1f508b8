"""Writing a file or folder: a temporary sibling, flushed, renamed into place; the mode the
umask gives; a FIFO, a device or standard output written into, never replaced."""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from nerstudio.core.errors import NerstudioError
from nerstudio.core.safe_io.targets import TargetError, explain_os_error, is_stdio, writes_into


@functools.cache
def _umask() -> int:
    """The process umask, read once (setting it to read it is not thread-safe)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _umask_mode(base: int) -> int:
    return base & ~_umask()


def fsync_path(folder: Path) -> None:
    """Flush a file's or folder's entry to disk (a rename is durable only then)."""
    with contextlib.suppress(OSError):  # not every platform lets a folder be opened
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


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
        raise explain_os_error(target, err) from None


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
        raise explain_os_error(target, err) from None
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
        raise explain_os_error(target, err) from None
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
        raise explain_os_error(target, err) from None
    try:
        yield tmp
        _finish_tree(tmp)
        _move_into_place(tmp, target, replace)
        fsync_path(target.parent)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise explain_os_error(target, err) from None
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


@contextmanager
def output_folder(folder: str | Path) -> Iterator[Path]:
    """A folder the user named to put outputs in (``--out deploy/``): made if it is missing
    (its parent must exist, so a typo never builds a tree), and removed again if it is
    still empty when writing fails, so a refused export leaves nothing behind."""
    folder = Path(folder)
    made = False
    if not folder.exists():
        if not folder.parent.is_dir():
            raise TargetError(f"{folder}: folder {folder.parent} does not exist")
        try:
            folder.mkdir()
        except OSError as err:
            raise explain_os_error(folder, err) from None
        give_umask_mode(folder)
        made = True
    try:
        yield folder
    except BaseException:
        if made:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if still empty
        raise
