"""``nerstudio suggest`` and ``nerstudio dictionary export`` (issue 26)."""

from __future__ import annotations

import pytest

from nerstudio.core.child_protocol import ChildFailed, decode_line
from nerstudio.core.records import DocumentRecord
from nerstudio.core.sources.running import SuggestFinished, SuggestProgress
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize
from tests.cli.test_cli import run

TEXTS = ["Anna Berg lives in Oslo .", "Oslo and Lima are cities .", "Nothing here ."]


def _project(tmp_path):
    path = tmp_path / "s.db"
    with Project.create(path, ["person", "place"]) as project:
        project.documents.add(DocumentRecord(t, tuple(tokenize(t))) for t in TEXTS)
    return path


def test_suggest_from_a_dictionary_with_a_map_reports_what_it_dropped(tmp_path, capsys):
    path = _project(tmp_path)
    gazetteer = tmp_path / "g.tsv"
    gazetteer.write_text("Oslo\tLOC\nLima\tLOC\nAnna Berg\tPER\nAcme\tORG\n", encoding="utf-8")
    code, out, err = run(
        capsys, "suggest", path, "--source", f"dictionary:{gazetteer}", "--map", "LOC=place"
    )
    assert code == 0, err
    assert "suggested 3 documents with dictionary-g (now the active source)" in out
    assert "dropped labels with no project label (map them with --map): ORG (1), PER (1)" in out
    with Project.open(path) as project:
        run_ = project.runs.active()
        assert run_.name == "dictionary-g"
        assert [s.label for s in project.predictions.get(run_.id, 2).spans] == ["place"] * 2
        assert all(project.spans.list(d) == [] for d in (1, 2, 3))


def test_suggest_messages_are_progress_and_the_result(tmp_path, capsys):
    """``--messages`` (the window's child): typed lines, the protocol of every child."""
    path = _project(tmp_path)
    gazetteer = tmp_path / "g.tsv"
    gazetteer.write_text("Oslo\tplace\n", encoding="utf-8")
    code, out, _ = run(capsys, "suggest", path, "--source", f"dictionary:{gazetteer}", "--messages")
    messages = [decode_line(line) for line in out.splitlines()]
    assert code == 0 and messages[0] == SuggestProgress(0, 3)
    assert messages[-2:] == [SuggestProgress(3, 3), SuggestFinished("dictionary-g", 3, 3)]


def test_a_failed_suggest_child_sends_the_users_one_line(tmp_path, capsys):
    path = _project(tmp_path)
    gazetteer = tmp_path / "bad.tsv"
    gazetteer.write_text("Oslo\tplace\nLima place\n", encoding="utf-8")
    code, out, err = run(
        capsys, "suggest", path, "--source", f"dictionary:{gazetteer}", "--messages"
    )
    assert code == 1 and "error" not in err
    assert [decode_line(line) for line in out.splitlines()] == [
        ChildFailed(
            f"{gazetteer}: line 2: expected 'text<TAB>LABEL' (and an optional case column)",
            "FormatError",
        )
    ]


def test_a_bad_dictionary_line_is_one_error_line_and_exit_1(tmp_path, capsys):
    path = _project(tmp_path)
    gazetteer = tmp_path / "bad.tsv"
    gazetteer.write_text("Oslo\tplace\nLima place\n", encoding="utf-8")
    code, _, err = run(capsys, "suggest", path, "--source", f"dictionary:{gazetteer}")
    assert code == 1
    assert err.strip().splitlines() == [
        f"nerstudio: error: {gazetteer}: line 2: expected 'text<TAB>LABEL' (and an optional "
        "case column)"
    ]
    with Project.open(path) as project:
        assert project.runs.all() == []  # nothing made of a file that was refused


def test_dictionary_export_writes_the_learnt_dictionary(tmp_path, capsys):
    path = _project(tmp_path)
    with Project.open(path) as project:
        project.spans.add(1, 19, 23, "place")
        project.spans.add(2, 0, 4, "place")
        project.spans.add(1, 0, 9, "person")
    out_file = tmp_path / "learnt.tsv"
    code, out, _ = run(capsys, "dictionary", "export", path, out_file)
    assert code == 0 and "wrote 2 entries" in out
    assert out_file.read_text(encoding="utf-8") == "Oslo\tplace\tcase\nAnna Berg\tperson\tcase\n"
    assert run(capsys, "dictionary", "export", path, out_file)[0] == 1  # exists: --force


def test_a_source_is_no_run_folder_and_says_how_to_run_it_again(tmp_path, capsys):
    from nerstudio.core.errors import NerstudioError
    from nerstudio.core.training.evaluation import resolve_run

    path = _project(tmp_path)
    gazetteer = tmp_path / "g.tsv"
    gazetteer.write_text("Oslo\tplace\n", encoding="utf-8")
    assert run(capsys, "suggest", path, "--source", f"dictionary:{gazetteer}")[0] == 0
    with Project.open(path) as project, pytest.raises(NerstudioError) as caught:
        resolve_run(project, "dictionary-g")
    assert "'dictionary-g' is a dictionary source, not a trained run" in str(caught.value)


def test_stdin_stop_ends_between_batches_keeping_what_was_stored(tmp_path):
    """The window's Stop: the child's stdin closes, and it stops before its next batch."""
    import subprocess
    import sys

    path = _project(tmp_path)
    gazetteer = tmp_path / "g.tsv"
    gazetteer.write_text("Oslo\tplace\n", encoding="utf-8")
    args = [
        "suggest",
        str(path),
        "--source",
        f"dictionary:{gazetteer}",
        "--messages",
        "--stdin-stop",
    ]
    done = subprocess.run(
        [sys.executable, "-m", "nerstudio", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = decode_line(done.stdout.splitlines()[-1])
    assert isinstance(result, SuggestFinished)
    assert result.stopped is True and result.stored < result.total
