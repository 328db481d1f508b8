"""What the CLI writes and refuses: nothing the user did not name is deleted or overwritten,
every failure is one line, a bug leaves a report instead of a traceback."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from nerstudio.cli import main
from nerstudio.core.records import DocumentRecord
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize

CONLL = "Anna\tB-PER\nBerg\tI-PER\nflew\tO\nto\tO\nParis\tB-LOC\n\nOmar\tB-PER\nslept\tO\n\n"


def run(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code: int, err: str, *fragments: str) -> None:
    assert code == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nerstudio: error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture
def home(tmp_path, capsys) -> Path:
    """A user's folder: the project, an unrelated file, and a sub-folder of their own."""
    home = tmp_path / "home"
    home.mkdir()
    assert run(capsys, "init", home / "p.db", "--labels", "PER,LOC")[0] == 0
    (home / "in.conll").write_text(CONLL, encoding="utf-8")
    assert run(capsys, "import", home / "p.db", home / "in.conll")[0] == 0
    (home / "thesis.txt").write_text("years of work", encoding="utf-8")
    (home / "photos").mkdir()
    (home / "photos" / "cat.jpg").write_bytes(b"\xff\xd8")
    return home


def everything(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(("-wal", "-shm"))
    }


def test_export_into_an_existing_folder_adds_a_dataset_and_deletes_nothing(home, capsys):
    before = everything(home)
    code, out, err = run(capsys, "export", home / "p.db", home)
    assert code == 0, err
    assert f"to {home / 'p-dataset'}" in out
    after = everything(home)
    assert {k: after[k] for k in before} == before  # the project and the user's files
    import datasets

    assert len(datasets.load_from_disk(str(home / "p-dataset"))["train"]) == 2


def test_export_to_the_current_folder_writes_a_new_entry_in_it(home, capsys, monkeypatch):
    monkeypatch.chdir(home)
    before = everything(home)
    code, _, err = run(capsys, "export", "p.db", ".", "--format", "conll")
    assert code == 0, err
    assert (home / "p.conll").read_text(encoding="utf-8") == CONLL
    after = everything(home)
    assert {k: after[k] for k in before} == before


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_export_onto_the_project_file_is_refused_and_the_project_is_intact(home, capsys, suffix):
    target = home / f"p.db{suffix}"
    before = (home / "p.db").read_bytes()
    code, _, err = run(capsys, "export", home / "p.db", target, "--format", "conll", "--force")
    one_line_error(code, err, "project file")
    assert (home / "p.db").read_bytes() == before
    with Project.open(home / "p.db") as project:
        assert project.documents.count() == 2


def test_export_never_replaces_an_existing_file_without_force(home, capsys):
    target = home / "thesis.txt"
    code, _, err = run(capsys, "export", home / "p.db", target, "--format", "conll")
    one_line_error(code, err, "exists already", "--force")
    assert target.read_text(encoding="utf-8") == "years of work"
    code, _, err = run(capsys, "export", home / "p.db", target, "--format", "conll", "--force")
    assert code == 0, err
    assert target.read_text(encoding="utf-8") == CONLL


def test_an_earlier_dataset_export_is_replaced_only_with_force(home, capsys):
    out = home / "ds"
    assert run(capsys, "export", home / "p.db", out)[0] == 0
    code, _, err = run(capsys, "export", home / "p.db", out)
    assert code == 0, err  # into the existing folder as a new entry, the old one untouched
    assert (out / "dataset_dict.json").is_file() and (out / "p-dataset").is_dir()
    code, _, err = run(capsys, "export", home / "p.db", home / "p-dataset", "--force")
    assert code == 0, err


def test_exports_get_the_mode_the_umask_gives(home, capsys):
    previous = os.umask(0o022)
    try:
        assert run(capsys, "export", home / "p.db", home / "o.conll")[0] == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE((home / "o.conll").stat().st_mode) == 0o644


@pytest.mark.parametrize(
    ("code_", "words"), [(errno.ENOSPC, "disk is full"), (errno.EROFS, "no permission")]
)
def test_a_full_disk_or_read_only_target_is_one_line_and_leaves_no_file(
    home, capsys, monkeypatch, code_, words
):
    def failing_fsync(fd: int) -> None:
        raise OSError(code_, os.strerror(code_))

    monkeypatch.setattr(os, "fsync", failing_fsync)
    code, _, err = run(capsys, "export", home / "p.db", home / "o.jsonl")
    one_line_error(code, err, "o.jsonl", words)
    assert not (home / "o.jsonl").exists()
    assert not [p for p in home.iterdir() if p.name.endswith(".part")]


def test_runs_list_rename_and_delete(home, capsys):
    runs = home / "p-runs"
    with Project.open(home / "p.db") as project:
        for name in ("first", "second"):
            folder = runs / name
            folder.mkdir(parents=True)
            (folder / "nerstudio.json").write_text(json.dumps({"run": name}), encoding="utf-8")
            record = project.runs.start(name, "tiny", "full", {}, str(folder))
            project.runs.finish(record.id, "completed", {"dev": {"f1": 0.5}})
        project.runs.set_active("first")
    code, out, _ = run(capsys, "runs", home / "p.db", "list", "--json")
    listed = json.loads(out)
    assert [(r["name"], r["active"], r["f1"]) for r in listed] == [
        ("first", True, 0.5),
        ("second", False, 0.5),
    ]
    code, out, err = run(capsys, "runs", home / "p.db", "rename", "first", "best")
    assert code == 0, err
    assert not (runs / "first").exists()
    assert json.loads((runs / "best" / "nerstudio.json").read_text())["run"] == "best"
    with Project.open(home / "p.db") as project:
        assert project.runs.active().name == "best"
        assert project.runs.get("best").path == str((runs / "best").resolve())
    code, out, err = run(capsys, "runs", home / "p.db", "delete", "second")
    assert code == 0 and "deleted run second" in out
    assert not (runs / "second").exists() and (runs / "best").is_dir()
    code, _, err = run(capsys, "runs", home / "p.db", "delete", "nope")
    one_line_error(code, err, "no run named 'nope'")


def test_deleting_a_run_never_removes_a_folder_that_is_not_its_own(home, capsys):
    with Project.open(home / "p.db") as project:
        odd = project.runs.start("odd", "tiny", "full", {}, str(home / "photos"))
        project.runs.finish(odd.id, "failed", {})
        project.runs.start("live", "tiny", "full", {}, str(home / "p-runs" / "live"))
    code, _, err = run(capsys, "runs", home / "p.db", "delete", "live")
    one_line_error(code, err, "still training")
    code, out, _ = run(capsys, "runs", home / "p.db", "delete", "odd")
    assert code == 0 and "kept" in out
    assert (home / "photos" / "cat.jpg").is_file()


def test_check_reports_a_sound_project_and_a_damaged_one(home, capsys, corrupt_page):
    code, out, _ = run(capsys, "check", home / "p.db")
    assert code == 0 and "ok" in out
    with Project.open(home / "p.db") as project:
        text = " ".join(f"word{i}" for i in range(60))
        project.documents.add([DocumentRecord(text=text, tokens=tuple(tokenize(text)))] * 300)
    corrupt_page(home / "p.db")
    for command in ("stats", "export", "import"):
        extra = {"export": [home / "x.conll"], "import": [home / "in.conll"]}.get(command, [])
        code, out, err = run(capsys, command, home / "p.db", *extra)
        one_line_error(code, err, "damaged", "nerstudio check")
    code, out, err = run(capsys, "check", home / "p.db")
    assert code == 1 and out.count("p.db: ") >= 1
    assert "problems" in err and "Traceback" not in err


def test_an_unexpected_error_is_one_line_and_a_saved_report(home, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def broken(*args, **kwargs):
        raise RuntimeError("something we did not foresee")

    monkeypatch.setattr(Project, "stats", broken)
    code, _, err = run(capsys, "stats", home / "p.db")
    assert code == 70
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert "internal error (RuntimeError: something we did not foresee)" in lines[0]
    report = Path(lines[0].rsplit("details saved to ", 1)[1])
    assert report.is_file() and "Traceback" in report.read_text(encoding="utf-8")


def test_two_imports_at_once_both_land(home, tmp_path):
    """Deferred transactions made the second importer die with 'database is locked'."""
    files = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.conll"
        path.write_text("".join(f"{name}{i}\tO\nx\tO\n\n" for i in range(20000)), encoding="utf-8")
        files.append(path)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "nerstudio", "import", str(home / "p.db"), str(f)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    with Project.open(home / "p.db") as project:
        assert project.documents.count() == 2 + 40000
