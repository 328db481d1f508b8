"""A database file (a project, a backup, an annotator's copy) built under a temporary name
and given its own only when complete, so a crash or a full disk never leaves a half-made
database that looks whole, and a new one never lands over a project by surprise."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nerstudio.core.safe_io.targets import TargetError
from nerstudio.core.safe_io.writing import _temp_prefix, fsync_path, give_umask_mode

log = logging.getLogger(__name__)

SIDECARS = ("-wal", "-shm", "-journal")


@contextmanager
def new_database(
    target: str | Path, *, replace: bool = False, keep_existing: bool = False
) -> Iterator[Path]:
    """Yield a temporary sibling path (``.NAME.PID.xxxxxxxx.part``, not yet made) to build
    a database at; close every connection to it before the block ends.

    On success the file is flushed and given the umask's mode, then takes ``target``'s
    name: linked into place, never over an existing file (that is a ``TargetError``, or
    with ``keep_existing`` the other file is kept and the new one dropped: someone else
    made it meanwhile); with ``replace`` it replaces ``target`` (whose stale WAL/SHM/journal
    would corrupt the new file, so they go first). The temporary name and its sidecars are
    removed whatever happens; an ``OSError`` reaches the caller to name what it was doing.
    """
    target = Path(target)
    fd, name = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # the name is reserved by its pid and random part; SQLite makes the file
    try:
        yield tmp
        give_umask_mode(tmp)  # a teammate or a restore must be able to read it
        fsync_path(tmp)
        if replace:
            for suffix in SIDECARS:
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            os.replace(tmp, target)
        else:
            _link_new(tmp, target, keep_existing)
        fsync_path(target.parent)
    finally:
        for suffix in ("", *SIDECARS):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)


def _link_new(tmp: Path, target: Path, keep_existing: bool) -> None:
    """Give the complete file its name, unless that name was taken meanwhile."""
    try:
        os.link(tmp, target)  # fails if target exists: never replaces a file
        return
    except FileExistsError:
        pass
    except OSError:  # a file system without hard links: check, then rename
        if not os.path.lexists(target):
            os.replace(tmp, target)
            return
    if not keep_existing:
        raise TargetError(f"{target}: already exists; open it, or choose another name")
    log.info("%s appeared while building; keeping it", target)
