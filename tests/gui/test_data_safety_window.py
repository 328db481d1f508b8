"""The window and a file it cannot write: refused edits are told and never half-shown, a
damaged or foreign file is refused with a dialog instead of a crash, a bug is one line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from nerstudio.core.store import connection

TEXT = "Kofi Mensah visited Oslo on Monday."


@pytest.fixture
def short_lock_wait(monkeypatch):
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 200)


def test_an_edit_the_locked_file_refuses_is_told_and_not_shown(
    make_project, open_window, short_lock_wait
):
    path = make_project([TEXT])
    ui = open_window(path)
    ui.state.project.db.execute("PRAGMA busy_timeout=200")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock for too long
    try:
        ui.key("1")
        message = ui.window.statusBar().currentMessage()
        assert "another process" in message and "nothing was changed" in message
        assert ui.state.spans == []  # the screen shows what the file holds
        assert ui.background("Kofi") != ui.label_color("PER")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert ui.spans(1) == []
    ui.key("1")  # the lock is gone: the same key press now stores the entity
    assert ui.spans(1) == [(0, 4, "PER")]


def test_an_undo_the_file_refuses_is_told_and_leaves_the_screen_as_the_file_is(
    make_project, open_window, short_lock_wait
):
    path = make_project([TEXT])
    ui = open_window(path)
    ui.state.project.db.execute("PRAGMA busy_timeout=200")
    ui.key("1")
    assert ui.spans(1) == [(0, 4, "PER")]
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        ui.undo()
        assert "not stored" in ui.window.statusBar().currentMessage()
        assert [(s.start, s.end, s.label) for s in ui.state.spans] == [(0, 4, "PER")]
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert ui.spans(1) == [(0, 4, "PER")]


@pytest.mark.parametrize("kind", ["garbage", "damaged"])
def test_a_file_that_is_not_a_sound_project_opens_a_dialog_not_a_crash(
    make_project, qtbot, dialogs, tmp_path, corrupt_page, kind
):
    from nerstudio.gui.app import create_window

    if kind == "garbage":
        path = tmp_path / "notes.db"
        path.write_bytes(b"these are not the bytes of a database" * 200)
    else:
        path = make_project([f"{TEXT} {i} " + "word " * 40 for i in range(300)])
        corrupt_page(path)
    window = create_window(path)
    qtbot.addWidget(window)
    assert window.state.project is None
    (shown,) = dialogs.texts("warning")
    assert str(path) in shown and "\n" not in shown.split(": ", 1)[1]


def test_an_unexpected_error_in_a_slot_is_one_line_and_a_report(dialogs, tmp_path, monkeypatch):
    from nerstudio.gui.app import _excepthook

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert QApplication.instance() is not None
    try:
        raise ValueError("a bug of ours")
    except ValueError as err:
        _excepthook(type(err), err, err.__traceback__)
    (shown,) = dialogs.texts("critical")
    assert "Traceback" not in shown and "a bug of ours" in shown
    report = shown.split("details saved to ", 1)[1].split()[0].rstrip(";")
    assert "Traceback" in Path(report).read_text(encoding="utf-8")


def test_opening_a_damaged_project_is_checked_off_the_gui_thread_and_keeps_the_open_one(
    make_project, open_window, open_project, qtbot, dialogs, corrupt_page, monkeypatch
):
    """The check reads the whole file (it grows with the corpus), so it runs in a worker;
    a file it refuses leaves the project that was open as it was."""
    import threading

    from nerstudio.core.store import integrity

    good = make_project([TEXT])
    ui = open_window(good)
    damaged = make_project([f"{TEXT} {i} " + "word " * 40 for i in range(300)], name="bad.db")
    corrupt_page(damaged)
    checked_in = []
    check = integrity.require_intact

    def recording_check(db, path):
        checked_in.append(threading.current_thread() is threading.main_thread())
        return check(db, path)

    monkeypatch.setattr(integrity, "require_intact", recording_check)
    open_project(ui.window, damaged)
    assert checked_in == [False]  # the check ran off the GUI thread
    (shown,) = dialogs.texts("warning")
    assert str(damaged) in shown
    assert ui.state.project is not None and ui.state.project.path == good
    assert ui.text == TEXT  # the open document is still shown
