"""Quitting stops every job the window started, whatever went wrong before: a read-only
project (every write refused), a close that fails half-way, a quit that closes no window.
A QThread still running when the process ends aborts it (SIGABRT, the work of a child
cut mid-write), so the process must end with exit code 0."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from nerstudio.core.errors import ProjectError
from nerstudio.gui.workers.runner import Worker

TEXTS = ["Kofi Mensah visited Oslo on Monday.", "Ama Owusu works at Acme in Accra."]


class UntilStopped(Worker):
    """Runs until asked to stop, as the live predictor's child does."""

    def work(self) -> None:
        self.stopping.wait(60)


@pytest.fixture
def read_only(monkeypatch) -> None:
    """No write permission on any file or folder (tests may run as root, whom chmod does
    not stop): projects open read-only, as on a read-only mount."""
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode, **kw: mode != os.W_OK and real_access(p, mode, **kw)
    )


def test_a_read_only_project_is_edited_moved_through_and_closed_with_every_job_stopped(
    make_project, open_window, read_only, dialogs, qtbot
):
    ui = open_window(make_project(TEXTS))
    assert ui.state.project.read_only
    job = ui.state.runner.start(UntilStopped())
    ui.window.timekeeper.pending = 12.0  # seconds spent on the document, not storable
    ui.key("1")
    assert "read-only" in ui.window.statusBar().currentMessage()
    ui.key(Qt.Key.Key_PageDown)  # moving on stores the time spent: nothing to store
    assert ui.document_id == 2
    assert dialogs.shown == []  # time is bookkeeping: no dialog over the document
    ui.window.close()
    assert not job.is_running() and not job.thread.isRunning()
    assert ui.state.runner.jobs == []


def test_a_close_that_fails_half_way_still_stops_every_job(make_project, open_window, qtbot):
    ui = open_window(make_project(TEXTS))
    job = ui.state.runner.start(UntilStopped())

    def fails() -> None:
        raise ProjectError("corpus.db: the disk is full; nothing was changed: free some space")

    ui.window.timekeeper.flush = fails
    with pytest.raises(ProjectError):  # from the event loop: the excepthook's dialog
        ui.window.close()
    assert not job.is_running() and ui.state.runner.jobs == []
    assert ui.state.project is None


SCRIPT = """
import os, sys
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

real_access = os.access
os.access = lambda p, mode, **kw: mode != os.W_OK and real_access(p, mode, **kw)
for kind in ("warning", "critical", "information"):  # an error dialog, answered
    setattr(QMessageBox, kind, staticmethod(lambda *a, **k: print("dialog", a[1:])))

from nerstudio.gui.app import create_window, _excepthook
from nerstudio.gui.workers.runner import Worker

class UntilStopped(Worker):
    def work(self):
        self.stopping.wait(60)

app = QApplication(["nerstudio", "-platform", "offscreen"])
sys.excepthook = _excepthook
window = create_window(sys.argv[1])
window.show()
window.state.runner.start(UntilStopped())

def edit_then_quit():
    window.timekeeper.pending = 12.0
    QTest.keyClick(window.editor, Qt.Key.Key_1)
    QTest.keyClick(window.editor, Qt.Key.Key_PageDown)
    window.timekeeper.pending = 3.0
    window.close() if sys.argv[2] == "close" else app.quit()

QTimer.singleShot(100, edit_then_quit)
QTimer.singleShot(20_000, lambda: os._exit(3))  # never hang the test
sys.exit(app.exec())
"""


@pytest.mark.parametrize("how", ["close", "quit"])
def test_the_window_on_a_read_only_project_exits_with_code_0(make_project, tmp_path, how):
    path = make_project(TEXTS)
    script = tmp_path / "window.py"
    script.write_text(textwrap.dedent(SCRIPT), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2]), "NERSTUDIO_STANDBY": "0"}
    done = subprocess.run(
        [sys.executable, str(script), str(path), how],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Destroyed while thread" not in done.stderr
