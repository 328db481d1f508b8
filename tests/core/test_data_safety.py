"""Data safety of the project file: writers wait, damage is caught, runs have a life cycle,
backups roll, a read-only file reads but never half-writes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from nerstudio.core.errors import NerstudioError, ProjectError
from nerstudio.core.records import DocumentRecord
from nerstudio.core.store import MetricPoint, Project, backup
from nerstudio.core.tokens import tokenize
from nerstudio.core.transfer import import_files


def records(count: int, words: int = 12, tag: str = "d") -> list[DocumentRecord]:
    texts = [" ".join(f"{tag}{i}w{j}" for j in range(words)) for i in range(count)]
    return [DocumentRecord(text=t, tokens=tuple(tokenize(t))) for t in texts]


@pytest.fixture
def project_path(tmp_path) -> Path:
    path = tmp_path / "corpus.db"
    with Project.create(path, ["PER", "LOC"]) as project:
        project.documents.add(records(400, words=40))
    return path


# -- writers that wait ---------------------------------------------------------------------


def test_a_second_writer_waits_for_the_lock_instead_of_failing(project_path):
    """Deferred transactions failed at once with 'database is locked' under a writer."""
    outcome: dict = {}

    def write_span() -> None:
        started = time.monotonic()
        with Project.open(project_path) as waiter:
            try:
                outcome["span"] = waiter.spans.add(2, 0, len("d1w0"), "PER")
            except Exception as err:
                outcome["error"] = err
            outcome["waited"] = time.monotonic() - started

    with Project.open(project_path) as holder:
        holder.db.conn.execute("BEGIN IMMEDIATE")
        holder.db.execute("UPDATE documents SET seconds_spent = 1 WHERE id = 1")
        writer = threading.Thread(target=write_span)
        writer.start()
        time.sleep(0.6)
        holder.db.conn.execute("COMMIT")
        writer.join(30)
        assert "error" not in outcome, outcome.get("error")
        assert outcome["waited"] >= 0.5
        assert [s.id for s in holder.spans.list(2)] == [outcome["span"].id]
        assert holder.documents.seconds_spent(1) == 1


def test_a_lock_held_past_the_retries_is_one_clear_error_and_nothing_changes(
    project_path, monkeypatch
):
    from nerstudio.core.store import connection

    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 100)
    holder = Project.open(project_path)
    waiter = Project.open(project_path)
    try:
        waiter.db.execute("PRAGMA busy_timeout=100")
        holder.db.conn.execute("BEGIN IMMEDIATE")
        with pytest.raises(ProjectError, match=r"another process .* nothing was changed"):
            waiter.spans.add(2, 0, 4, "PER")
        holder.db.conn.execute("ROLLBACK")
        assert waiter.spans.list(2) == []
    finally:
        holder.close()
        waiter.close()


WRITER = r"""
import sys, time
from nerstudio.core.store import MetricPoint, Project
from nerstudio.core.records import DocumentRecord
from nerstudio.core.tokens import tokenize
path, role, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
done = failed = 0
deadline = time.monotonic() + seconds
with Project.open(path) as project:
    run = project.runs.get("metrics") if role == "metrics" else None
    i = 0
    while time.monotonic() < deadline:
        i += 1
        try:
            if role.startswith("import"):
                texts = [" ".join(f"{role}x{i}w{j}" for j in range(30)) + f" n{k}"
                         for k in range(50)]
                recs = [DocumentRecord(text=t, tokens=tuple(tokenize(t))) for t in texts]
                project.documents.add(recs)
            elif role == "spans":
                doc = 1 + (i % 400)
                span = project.spans.add(doc, 0, len(f"d{doc - 1}w0"), "PER")
                project.spans.remove(span.id)
            else:
                project.runs.log(run.id, [MetricPoint(i, i / 10, "train_loss", 1.0 / i)] * 20)
            done += 1
        except Exception as err:
            failed += 1
            print("FAILED", type(err).__name__, err, file=sys.stderr)
print(done, failed)
"""


def test_importers_an_annotator_and_a_training_log_write_together_for_20_s(project_path):
    """Two imports, span edits and metric logging at once: zero failed writes, every row."""
    with Project.open(project_path) as project:
        project.runs.start("metrics", "tiny", "full", {}, str(project_path.parent / "r"))
    roles = ["import-a", "import-b", "spans", "metrics"]
    procs = {
        role: subprocess.Popen(
            [sys.executable, "-c", WRITER, str(project_path), role, "20"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for role in roles
    }
    results = {}
    for role, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        done, failed = map(int, out.split())
        assert failed == 0, err
        assert done > 0
        results[role] = done
    with Project.open(project_path) as project:
        for role in ("import-a", "import-b"):
            stored = project.db.execute(
                "SELECT count(*) FROM documents WHERE text LIKE ?", [f"{role}x%"]
            ).fetchone()[0]
            assert stored == 50 * results[role]
        run = project.runs.get("metrics")
        assert len(project.runs.metrics(run.id)) == 20 * results["metrics"]
        assert project.db.execute("SELECT count(*) FROM spans").fetchone()[0] == 0
        assert project.full_check() == []


# -- damage ----------------------------------------------------------------------------------


def test_a_damaged_project_is_refused_on_open_with_the_backup_named(project_path, corrupt_page):
    with Project.open(project_path) as project:
        made = project.backup("test")
    assert made is not None and made.is_file()
    corrupt_page(project_path)
    before = project_path.read_bytes()
    with pytest.raises(ProjectError) as caught:
        Project.open(project_path)
    message = str(caught.value)
    assert "damaged" in message and str(made) in message and "nerstudio check" in message
    assert "\n" not in message
    assert project_path.read_bytes() == before
    with Project.open(made) as good:  # the backup is a whole, sound project
        assert good.documents.count() == 400


def test_full_check_lists_the_damage_and_passes_a_sound_file(project_path, corrupt_page):
    with Project.open(project_path) as project:
        assert project.full_check() == []
    corrupt_page(project_path)
    with Project.open(project_path, check=False) as project:
        problems = project.full_check()
    assert problems and all("\n" not in p for p in problems)


def test_full_check_finds_spans_that_break_the_rules(project_path):
    with Project.open(project_path) as project:
        project.spans.add(1, 0, 4, "PER")
        project.db.execute('UPDATE spans SET "end" = 2')  # inside a token: another tool did it
        problems = project.full_check()
    assert len(problems) == 1 and problems[0].startswith("document 1:")


def test_full_check_finds_a_full_text_index_out_of_step(project_path):
    with Project.open(project_path) as project:
        project.db.execute("DROP TRIGGER documents_au")
        project.db.execute("UPDATE documents SET text = 'changed behind the index' WHERE id = 3")
        problems = project.full_check()
    assert any("full-text" in p for p in problems)


def test_a_missing_schema_version_is_one_line_not_a_key_error(project_path):
    with sqlite3.connect(project_path) as conn:
        conn.execute("DELETE FROM project_meta WHERE key = 'schema_version'")
    with pytest.raises(ProjectError, match="schema_version is missing"):
        Project.open(project_path)


# -- backups ---------------------------------------------------------------------------------


def test_imports_into_a_project_with_documents_back_it_up_and_keep_the_newest_three(
    project_path, tmp_path
):
    source = tmp_path / "more.txt"
    with Project.open(project_path) as project:
        for i in range(5):
            source.write_text(f"Extra document number {i} .\n", encoding="utf-8")
            import_files(project, [source])
    kept = sorted(backup.folder(project_path).glob("corpus-*-import.db"))
    assert len(kept) == backup.KEEP
    with Project.open(kept[-1]) as newest:  # made before the fifth import
        assert newest.documents.count() == 404


def test_a_migration_backs_the_old_file_up_first(tmp_path):
    from nerstudio.core.store import schema

    path = tmp_path / "old.db"
    with Project.create(path, ["PER"]) as project:
        project.documents.add(records(3))
        project.db.execute("ALTER TABLE runs DROP COLUMN pid")
        project.db.execute("ALTER TABLE runs DROP COLUMN host")
        project.db.execute("UPDATE project_meta SET value = 3 WHERE key = 'schema_version'")
    with Project.open(path) as project:
        assert schema.schema_version(project.db, path) == schema.SCHEMA_VERSION
    (made,) = backup.folder(path).glob("old-*-before-schema-*.db")
    with sqlite3.connect(made) as conn:
        version = conn.execute("SELECT value FROM project_meta WHERE key = 'schema_version'")
        assert version.fetchone()[0] == "3"


# -- runs ------------------------------------------------------------------------------------


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_run_whose_process_died_is_interrupted_on_the_next_open(project_path):
    with Project.open(project_path) as project:
        project.runs.start("killed", "tiny", "full", {}, str(project_path.parent / "k"))
        project.runs.start("alive", "tiny", "full", {}, str(project_path.parent / "a"))
        project.db.execute("UPDATE runs SET pid = ? WHERE name = 'killed'", [dead_pid()])
    with Project.open(project_path) as project:
        assert project.runs.get("killed").status == "interrupted"
        assert project.runs.get("alive").status == "running"  # this very process


def test_run_folders_are_recorded_beside_the_project_and_survive_a_move(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    path = home / "corpus.db"
    Project.create(path, ["PER"]).close()
    monkeypatch.chdir(tmp_path)
    with Project.open(Path("home/corpus.db")) as project:
        project.runs.start("r1", "tiny", "full", {}, "home/corpus-runs/r1")
        stored = project.db.execute("SELECT path FROM runs").fetchone()[0]
    assert stored == "corpus-runs/r1"
    moved = tmp_path / "elsewhere"
    home.rename(moved)
    monkeypatch.chdir("/")
    with Project.open(moved / "corpus.db") as project:
        assert project.runs.get("r1").path == str((moved / "corpus-runs" / "r1").resolve())


@pytest.mark.parametrize("name", ["../../x", "a/b", ".hidden", "", "x" * 101, "tab\tname"])
def test_a_run_name_is_never_a_path(project_path, name):
    with Project.open(project_path) as project, pytest.raises(ProjectError, match="run name"):
        project.runs.start(name, "tiny", "full", {}, str(project_path.parent / "r"))


# -- read-only ---------------------------------------------------------------------------------


def test_a_read_only_project_reads_and_refuses_writes_in_one_line(project_path, monkeypatch):
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if mode == os.W_OK else real_access(p, mode)
    )
    with Project.open(project_path) as project:
        assert project.read_only
        assert project.documents.count() == 400
        with pytest.raises(ProjectError, match="read-only") as caught:
            project.spans.add(1, 0, 4, "PER")
        assert "\n" not in str(caught.value)
        assert project.spans.list(1) == []


def test_every_store_error_is_ours(project_path):
    """A write the file refuses is a NerstudioError at the store's door, not sqlite3's."""
    with Project.open(project_path) as project:
        project.db.execute("PRAGMA query_only = ON")
        with pytest.raises(NerstudioError):
            project.runs.log(1, [MetricPoint(1, 1.0, "x", 1.0)])


# -- outputs: never an input, never another project, FIFOs and devices written into --------


def test_a_project_is_known_by_its_content_not_its_name(project_path, tmp_path):
    from nerstudio.core.store.connection import is_project_file

    renamed = tmp_path / "notes.txt"
    renamed.write_bytes(project_path.read_bytes())
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    (tmp_path / "plain.db").write_text("not a database", encoding="utf-8")
    assert is_project_file(project_path) and is_project_file(renamed)
    assert not is_project_file(other) and not is_project_file(tmp_path / "plain.db")


def test_force_never_replaces_a_project_but_replaces_other_files(project_path, tmp_path):
    from nerstudio.core.safe_io import TargetError, check_target

    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    check_target(other, force=True)  # another application's database: the user named it
    with pytest.raises(TargetError, match="nerstudio project"):
        check_target(project_path, force=True)
    check_target(project_path, force=True, replaces_protected=True)  # assign's own copies


def test_an_output_is_never_a_file_the_command_reads(tmp_path):
    from nerstudio.core.safe_io import TargetError, check_target, reading

    source = tmp_path / "in.conll"
    source.write_text("x", encoding="utf-8")
    os.link(source, tmp_path / "alias.conll")
    with reading([source]):
        for target in (source, tmp_path / "alias.conll", tmp_path):
            with pytest.raises(TargetError, match="reads"):
                check_target(target, force=True)
        check_target(tmp_path / "out.conll")
    check_target(source, force=True)  # outside the command: nothing read


def test_a_fifo_is_written_into_and_stays_a_fifo(tmp_path):
    import stat

    from nerstudio.core.safe_io import check_target, write_file

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    check_target(fifo)  # exists, yet nothing is replaced: no --force needed
    with write_file(fifo) as fh:
        fh.write("hello\n")
    reader.join(10)
    assert got == [b"hello\n"] and stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]
