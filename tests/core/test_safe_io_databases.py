"""``new_database``: the one way a database file (a new project, the sample, an annotator's
copy, a backup) is built under a temporary name and moved into place."""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from nerstudio.core.safe_io import TargetError, new_database
from nerstudio.core.safe_io import databases as databases_module
from nerstudio.core.safe_io.leftovers import _LEFTOVER
from nerstudio.core.safe_io.writing import _umask

SIDECARS = ("-wal", "-shm", "-journal")


def build(path: Path, value: str = "new") -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (v TEXT)")
        conn.execute("INSERT INTO t VALUES (?)", (value,))
    conn.close()


def value(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT v FROM t").fetchone()[0]
    finally:
        conn.close()


def test_a_new_database_takes_its_name_and_leaves_nothing_else(tmp_path):
    target = tmp_path / "corpus.db"
    with new_database(target) as tmp:
        assert tmp.parent == tmp_path and not tmp.exists()  # SQLite makes the file
        build(tmp)
    assert value(target) == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.db"]


def test_a_failure_mid_build_leaves_no_temporary_file_and_no_sidecars(tmp_path):
    target = tmp_path / "corpus.db"
    with pytest.raises(RuntimeError, match="disk gone"), new_database(target) as tmp:
        build(tmp)
        for suffix in SIDECARS:  # what a killed connection leaves beside its file
            Path(f"{tmp}{suffix}").write_bytes(b"log")
        raise RuntimeError("disk gone")
    assert list(tmp_path.iterdir()) == []


def test_an_existing_target_is_refused_and_kept(tmp_path):
    target = tmp_path / "corpus.db"
    target.write_bytes(b"someone's project")
    with (
        pytest.raises(TargetError, match=r"corpus\.db: already exists"),
        new_database(target) as tmp,
    ):
        build(tmp)
    assert target.read_bytes() == b"someone's project"
    assert [p.name for p in tmp_path.iterdir()] == ["corpus.db"]


def test_one_made_meanwhile_is_kept_when_asked(tmp_path):
    """The sample project: another process installed it while this one was building."""
    target = tmp_path / "sample.db"
    with new_database(target, keep_existing=True) as tmp:
        build(tmp, "mine")
        build(target, "theirs")
    assert value(target) == "theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["sample.db"]


def test_replace_swaps_the_file_and_drops_the_old_ones_logs(tmp_path):
    """An annotator's previous copy (--force), a backup: replaced whole, and a stale WAL
    beside the old file (which would be replayed into the new one) goes too."""
    target = tmp_path / "corpus-alice.db"
    build(target, "old")
    for suffix in SIDECARS:
        Path(f"{target}{suffix}").write_bytes(b"stale")
    with new_database(target, replace=True) as tmp:
        build(tmp, "new")
    assert value(target) == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["corpus-alice.db"]


@pytest.mark.parametrize("existing", [False, True])
def test_without_hard_links_it_renames_but_still_never_over_a_file(tmp_path, monkeypatch, existing):
    def no_links(src, dst):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(databases_module.os, "link", no_links)
    target = tmp_path / "corpus.db"
    if existing:
        target.write_bytes(b"someone's project")
        with pytest.raises(TargetError), new_database(target) as tmp:
            build(tmp)
        assert target.read_bytes() == b"someone's project"
    else:
        with new_database(target) as tmp:
            build(tmp)
        assert value(target) == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["corpus.db"]


def test_the_file_gets_the_mode_the_umask_gives(tmp_path):
    target = tmp_path / "corpus-bob.db"
    with new_database(target) as tmp:
        build(tmp)
        tmp.chmod(0o600)  # as mkstemp or a library's own temporary file leaves it
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~_umask()


def test_the_temporary_name_carries_the_writers_pid(tmp_path):
    """So ``remove_leftovers`` can tell a killed writer's file from one being written."""
    target = tmp_path / "corpus.db"
    with new_database(target) as tmp:
        match = _LEFTOVER.fullmatch(tmp.name)
        assert match is not None and match["name"] == "corpus.db"
        assert match["pid"] == str(os.getpid())
        build(tmp)
