"""Every file the CLI reads or writes, as a user meets them: outputs never land on an
input or another project, FIFOs and devices are written into (never replaced), ``-`` is
standard output or input, and what the system refuses (a full disk, a read-only folder,
a link loop) is one line and exit 1, never the "bug in nerstudio" exit 70."""

from __future__ import annotations

import argparse
import errno
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from nerstudio.cli import main, run_command
from nerstudio.core.inference import Prediction
from nerstudio.core.store import Project
from tests.conftest import make_sentences, write_conll


def run(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([a if isinstance(a, str) else os.fspath(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code: int, err: str, *fragments: str) -> str:
    assert code == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nerstudio: error: "), err
    assert "Traceback" not in err and "internal error" not in err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


OVERLAPPING = (
    '{"text": "Anna flew", "spans": [{"start": 0, "end": 4, "label": "PER"}, '
    '{"start": 0, "end": 9, "label": "LOC"}]}\n'
)


@pytest.fixture
def home(tmp_path, capsys, monkeypatch) -> Path:
    """p.db with 200 imported CoNLL sentences, and a JSONL file whose import drops a span."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    write_conll(tmp_path / "data.conll", make_sentences(200, 1))
    assert run(capsys, "init", tmp_path / "p.db", "--labels", "PER,ORG,LOC")[0] == 0
    assert run(capsys, "import", tmp_path / "p.db", tmp_path / "data.conll")[0] == 0
    (tmp_path / "mydata.jsonl").write_text(OVERLAPPING, encoding="utf-8")
    return tmp_path


# -- item 2: an output is never an input of the same command, nor an existing file -----------


def test_import_report_onto_the_file_being_imported_is_refused(home, capsys):
    code, _, err = run(
        capsys, "import", home / "p.db", home / "mydata.jsonl", "--report", home / "mydata.jsonl"
    )
    one_line_error(code, err, "mydata.jsonl", "reads")
    assert (home / "mydata.jsonl").read_text(encoding="utf-8") == OVERLAPPING


@pytest.mark.parametrize("alias", ["same", "second", "hard-link", "symlink"])
def test_no_output_is_an_input_even_with_force(home, capsys, alias):
    (home / "other.conll").write_text("Oslo\tB-LOC\n\n", encoding="utf-8")
    target = {"same": home / "mydata.jsonl", "second": home / "other.conll"}.get(alias)
    if alias == "hard-link":
        target = home / "alias.jsonl"
        os.link(home / "mydata.jsonl", target)
    elif alias == "symlink":
        target = home / "alias.jsonl"
        target.symlink_to(home / "mydata.jsonl")
    before = (home / "other.conll").read_bytes()
    code, _, err = run(
        capsys,
        "import",
        home / "p.db",
        home / "mydata.jsonl",
        home / "other.conll",
        "--report",
        target,
        "--force",
    )
    one_line_error(code, err, "reads")
    assert (home / "mydata.jsonl").read_text(encoding="utf-8") == OVERLAPPING
    assert (home / "other.conll").read_bytes() == before


def path_arguments() -> dict[tuple[str, str], bool]:
    """Every path argument of every command: (command, name) -> whether it is an output."""
    from nerstudio.cli import OUTPUT_ARGUMENTS, build_parser

    found: dict[tuple[str, str], bool] = {}

    def walk(parser: argparse.ArgumentParser, command: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):  # nested: dictionary export
                for name, child in action.choices.items():
                    walk(child, f"{command} {name}".strip())
            elif action.type is Path:
                found[(command, action.dest)] = action.dest in OUTPUT_ARGUMENTS

    walk(build_parser(), "")
    return found


def test_every_path_argument_is_known_as_an_input_or_an_output():
    """The audit: a new path option must be named here, so it cannot write unchecked."""
    outputs = {key for key, output in path_arguments().items() if output}
    assert outputs == {
        ("import", "report"),
        ("export", "out"),
        ("predict", "out"),
        ("assign", "out"),
        ("export-model", "out"),
        ("dictionary export", "out"),
    }
    inputs = {key for key, output in path_arguments().items() if not output}
    assert inputs == {
        *((c, "project") for c in ("init", "import", "export", "stats", "check", "runs")),
        *((c, "project") for c in ("train", "evaluate", "export-model", "predict", "review")),
        *((c, "project") for c in ("queue", "assign", "agreement", "annotator", "guidelines")),
        *((c, "project") for c in ("suggest", "dictionary export", "labels")),
        ("init", "guidelines"),
        ("import", "files"),
        ("merge", "target"),
        ("merge", "projects"),
        ("guidelines", "set"),
    }


def test_import_report_replaces_an_existing_file_only_with_force(home, capsys):
    (home / "old.txt").write_text("keep me", encoding="utf-8")
    args = ["import", home / "p.db", home / "mydata.jsonl", "--report", home / "old.txt"]
    code, _, err = run(capsys, *args)
    one_line_error(code, err, "old.txt", "--force")
    assert (home / "old.txt").read_text(encoding="utf-8") == "keep me"
    code, _, err = run(capsys, *args, "--force")
    assert code == 0, err
    assert "overlaps a longer span" in (home / "old.txt").read_text(encoding="utf-8")


# -- item 3: --force never replaces a project, a FIFO or a device ------------------------------


@pytest.mark.parametrize("name", ["other.db", "notes.txt"])  # by content, not by name
def test_export_with_force_never_replaces_another_project(home, capsys, name):
    other = home / "other.db"
    assert run(capsys, "init", other, "--labels", "X")[0] == 0
    if name != other.name:
        other = other.rename(home / name)
    before = other.read_bytes()
    code, _, err = run(capsys, "export", home / "p.db", other, "--format", "conll", "--force")
    one_line_error(code, err, name, "nerstudio project", "not even with --force")
    assert other.read_bytes() == before
    with Project.open(other) as project:
        assert [label.name for label in project.labels.list()] == ["X"]


def read_fifo(path: Path, into: list[bytes]) -> threading.Thread:
    def reader() -> None:
        with open(path, "rb") as fh:
            into.append(fh.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("force", [False, True])
def test_export_into_a_fifo_writes_into_it_and_keeps_the_fifo(home, capsys, force):
    assert run(capsys, "export", home / "p.db", home / "plain.conll")[0] == 0
    fifo = home / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    thread = read_fifo(fifo, got)
    code, _, err = run(
        capsys, "export", home / "p.db", fifo, "--format", "conll", *(["--force"] if force else [])
    )
    thread.join(10)
    assert code == 0, err
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert got == [(home / "plain.conll").read_bytes()]


def test_export_to_dev_null_writes_into_it_and_it_stays_a_device(home, capsys):
    # never with --force here: the code before this fix replaced /dev/null with a file
    code, out, err = run(capsys, "export", home / "p.db", "/dev/null", "--format", "conll")
    assert code == 0, err
    assert "200 documents" in out
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def make_node(path: Path, kind: int, device: tuple[int, int]) -> Path:
    try:
        os.mknod(path, kind | 0o666, os.makedev(*device))
    except (PermissionError, AttributeError):
        pytest.skip("this system does not let a test make a device node")
    return path


def test_export_with_force_into_a_character_device_writes_into_it(home, capsys):
    null = make_node(home / "null", stat.S_IFCHR, (1, 3))  # a second /dev/null
    code, _, err = run(capsys, "export", home / "p.db", null, "--format", "conll", "--force")
    assert code == 0, err
    assert stat.S_ISCHR(os.stat(null).st_mode)


def test_a_block_device_is_never_an_output(home, capsys):
    disk = make_node(home / "disk", stat.S_IFBLK, (7, 0))
    code, _, err = run(capsys, "export", home / "p.db", disk, "--format", "conll", "--force")
    one_line_error(code, err, "block device")
    assert stat.S_ISBLK(os.stat(disk).st_mode)


def test_dash_is_standard_output_not_a_file_named_dash(home, capsys):
    code, out, err = run(capsys, "export", home / "p.db", "-", "--format", "conll")
    assert code == 0, err
    assert out == (home / "data.conll").read_text(encoding="utf-8")
    assert "to standard output" in err
    assert not (home / "-").exists()
    code, _, err = run(capsys, "export", home / "p.db", "-")
    one_line_error(code, err, "--format")


def test_dash_is_standard_input_for_import_and_standard_output_for_the_report(
    home, capsys, monkeypatch
):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(OVERLAPPING.encode())))
    code, out, err = run(capsys, "import", home / "p.db", "-", "--report", "-")
    assert code == 0, err
    assert "overlaps a longer span" in out and "imported 1 document " in out
    assert not (home / "-").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["init", "-"],
        ["stats", "-"],
        ["assign", "p.db", "--annotators", "a,b", "--out", "-"],
        ["merge", "-", "p.db"],
    ],
)
def test_dash_where_nothing_can_stream_is_one_line_and_no_file(home, capsys, argv):
    code, _, err = run(capsys, *argv)
    one_line_error(code, err, "'-'")
    assert not (home / "-").exists()


# -- item 12: what the system refuses is one line and exit 1 ------------------------------------


class FullStream(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_standard_output_is_one_line(home, capsys, monkeypatch):
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdout", FullStream())
    code = main(["stats", str(home / "p.db")])
    err = capsys.readouterr().err
    one_line_error(code, err, "standard output", "disk is full")


def test_a_full_dev_full_as_standard_output_is_one_line(home):
    if not stat.S_ISCHR(os.stat("/dev/full").st_mode):
        pytest.skip("no /dev/full device here")
    for argv in (["stats", "p.db"], ["export", "p.db", "-", "--format", "conll"]):
        with open("/dev/full", "w") as full:
            done = subprocess.run(
                [sys.executable, "-m", "nerstudio", *argv],
                cwd=home,
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                timeout=60,
            )
        one_line_error(done.returncode, done.stderr, "standard output", "disk is full")


def test_assign_on_a_full_disk_is_one_line(home, capsys, monkeypatch):
    def full(self, target):
        raise sqlite3.OperationalError("database or disk is full")

    (home / "new.txt").write_text("Anna flew to Oslo .\nOmar slept .\n", encoding="utf-8")
    assert run(capsys, "import", home / "p.db", home / "new.txt", "--format", "text")[0] == 0
    monkeypatch.setattr(Project, "copy_to", full)
    code, _, err = run(capsys, "assign", home / "p.db", "--annotators", "a,b", "--out", home / "t")
    one_line_error(code, err, "disk is full")
    assert not [p for p in (home / "t").iterdir()]


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (
            OSError(errno.ENOSPC, "No space left on device", "/x/model.bin"),
            "/x/model.bin: the disk",
        ),
        (OSError(errno.EROFS, "Read-only file system", "/x"), "read-only"),
        (PermissionError(errno.EACCES, "Permission denied", "/x"), "no permission"),
        (OSError(errno.ELOOP, "Too many levels of symbolic links", "/x"), "loop"),
        (sqlite3.OperationalError("disk I/O error"), "p.db: the disk"),
        (sqlite3.OperationalError("database or disk is full"), "p.db: the disk is full"),
        (
            RuntimeError(  # safetensors' SafetensorError, from Rust
                "Error while serializing: I/O error: No space left on device (os error 28) "
                'at path "/runs/.r1.part/model.safetensors"'
            ),
            "/runs/.r1.part/model.safetensors: the disk is full",
        ),
    ],
)
def test_what_the_system_refuses_is_one_line_not_a_bug(capsys, error, words):
    def command(args):
        raise error

    code = run_command(argparse.Namespace(func=command, project=Path("p.db")))
    one_line_error(code, capsys.readouterr().err, words)


@pytest.mark.parametrize(
    "error", [ValueError("ours"), sqlite3.IntegrityError("FOREIGN KEY constraint failed")]
)
def test_our_own_mistakes_stay_bugs(capsys, monkeypatch, tmp_path, error):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))

    def command(args):
        raise error

    assert run_command(argparse.Namespace(func=command, project=Path("p.db"))) == 70
    assert "internal error" in capsys.readouterr().err


def test_a_safetensors_full_disk_is_recognised_in_its_own_exception_type():
    from safetensors import SafetensorError

    from nerstudio.cli.failures import os_error_of

    found = os_error_of(
        SafetensorError('I/O error: No space left on device (os error 28) at path "/r/m"')
    )
    assert found is not None and found.errno == errno.ENOSPC and found.filename == "/r/m"


@pytest.mark.parametrize(
    "argv",
    [
        ["queue", "p.db", "--top", "-1"],
        ["queue", "p.db", "--top", "0"],
        ["queue", "p.db", "--random-share", "2"],
        ["queue", "p.db", "--random-share", "-0.1"],
        ["queue", "p.db", "--random-share", "nan"],
        ["review", "p.db", "--top", "0"],
        ["review", "p.db", "--threshold", "1.5"],
    ],
)
def test_out_of_range_options_are_usage_errors(home, capsys, argv):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert argv[2] in err and "Traceback" not in err


def test_a_failed_init_leaves_nothing_that_blocks_a_retry(tmp_path, capsys, monkeypatch):
    from nerstudio.core.store import schema

    real = schema.initialize

    def full(db):
        real(db)
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(schema, "initialize", full)
    code, _, err = run(capsys, "init", tmp_path / "p.db", "--labels", "PER")
    one_line_error(code, err, "disk is full")
    assert sorted(os.listdir(tmp_path)) == []
    monkeypatch.setattr(schema, "initialize", real)
    code, _, err = run(capsys, "init", tmp_path / "p.db", "--labels", "PER")
    assert code == 0, err
    assert sorted(os.listdir(tmp_path)) == ["p.db"]


def test_init_never_touches_a_file_that_exists(tmp_path, capsys):
    (tmp_path / "p.db").write_text("mine", encoding="utf-8")
    code, _, err = run(capsys, "init", tmp_path / "p.db")
    one_line_error(code, err, "already exists")
    assert (tmp_path / "p.db").read_text(encoding="utf-8") == "mine"


def test_a_file_name_that_is_not_utf8_imports_and_prints(home, capsys):
    name = os.fsdecode(b"\xff\xfe-data.conll")
    (home / name).write_bytes((home / "data.conll").read_bytes())
    code, _, err = run(capsys, "import", home / "p.db", home / name)
    assert code == 0, err
    assert "Traceback" not in err and "\\xff\\xfe-data.conll" in err
    (home / os.fsdecode(b"\xff-empty.conll")).write_bytes(b"")
    code, _, err = run(capsys, "import", home / "p.db", home / os.fsdecode(b"\xff-empty.conll"))
    one_line_error(code, err, "empty.conll")


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
def test_import_of_a_fifo_or_a_device_is_refused_at_once(home, kind):
    path = "/dev/zero"
    if kind == "fifo":
        os.mkfifo(home / "pipe")
        path = "pipe"
    done = subprocess.run(
        [sys.executable, "-m", "nerstudio", "import", "p.db", path],
        cwd=home,
        capture_output=True,
        text=True,
        timeout=60,
    )
    one_line_error(done.returncode, done.stderr, path, "not a regular file")


def test_a_symlink_loop_is_named_as_one(home, capsys):
    (home / "loop").symlink_to(home / "loop")
    code, _, err = run(capsys, "import", home / "p.db", home / "loop")
    one_line_error(code, err, "loop", "symbolic links")
    code, _, err = run(capsys, "export", home / "p.db", home / "loop", "--format", "conll")
    one_line_error(code, err, "loop", "symbolic links")


def add_run(project_path: Path, name: str = "r1") -> Path:
    folder = project_path.with_name("p-runs") / name
    folder.mkdir(parents=True)
    (folder / "nerstudio.json").write_text(json.dumps({"run": name}), encoding="utf-8")
    with Project.open(project_path) as project:
        record = project.runs.start(name, "tiny", "full", {}, str(folder))
        project.runs.finish(record.id, "completed", {})
    return folder


def test_runs_delete_and_rename_without_write_permission_are_one_line(home, capsys, monkeypatch):
    folder = add_run(home / "p.db")

    def refused(self, target):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "rename", refused)
    for action in (["delete", "r1"], ["rename", "r1", "r2"]):
        code, _, err = run(capsys, "runs", home / "p.db", *action)
        one_line_error(code, err, "no permission")
    monkeypatch.undo()
    assert folder.is_dir()
    with Project.open(home / "p.db") as project:
        assert project.runs.get("r1").name == "r1"


def test_runs_delete_in_a_read_only_project_is_refused_before_anything_moves(
    home, capsys, monkeypatch
):
    folder = add_run(home / "p.db")
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if mode == os.W_OK else real_access(p, mode)
    )
    code, _, err = run(capsys, "runs", home / "p.db", "delete", "r1")
    one_line_error(code, err, "read-only", "r1")
    assert folder.is_dir()


# -- item 11: a run deleted while it predicts ---------------------------------------------------


class DeletingPredictor:
    """Deletes the run from a second connection (as ``runs delete`` in another terminal
    would) when asked for its ``at``-th chunk, then predicts nothing anywhere."""

    def __init__(self, project_path: Path, at: int) -> None:
        self.project_path, self.at, self.calls = project_path, at, 0

    def predict(self, records):
        self.calls += 1
        if self.calls == self.at:
            assert main(["runs", str(self.project_path), "delete", "r1"]) == 0
        return [Prediction(r.id, ("O",) * len(r.tokens), ()) for r in records]


@pytest.mark.parametrize("at", [1, 2])  # before anything is stored, and between chunks
def test_deleting_the_run_while_it_predicts_ends_predict_in_one_line(home, capsys, monkeypatch, at):
    from nerstudio.core import prediction

    folder = add_run(home / "p.db")
    predictor = DeletingPredictor(home / "p.db", at)

    def run_predictor(project, name, device, backend=None):
        return project.runs.get(name), predictor

    monkeypatch.setattr(prediction, "run_predictor", run_predictor)
    monkeypatch.setattr(prediction, "CHUNK", 64)
    code, _, err = run(capsys, "predict", home / "p.db", "--run", "r1", "--all")
    line = err.strip().splitlines()[-1]
    assert code == 1, err
    assert line.startswith("nerstudio: error: ") and "'r1' was deleted while predicting" in line
    assert "Traceback" not in err and "internal error" not in err
    assert not folder.exists()
    with Project.open(home / "p.db") as project:
        assert [r.name for r in project.runs.all()] == []


def test_the_windows_serve_loop_answers_a_deleted_run_with_an_error_reply(home):
    from nerstudio.core.prediction import PredictionFailed, serve_one

    add_run(home / "p.db")
    with Project.open(home / "p.db") as project:
        run_id = project.runs.get("r1").id
        predictor = DeletingPredictor(home / "p.db", 1)
        reply = serve_one(project, run_id, predictor, "1\n")
    assert isinstance(reply, PredictionFailed) and "deleted" in reply.error
