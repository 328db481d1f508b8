"""The window's state is the session's, relayed: one path per event (Set active restarts
the on-the-fly suggestions once), and nothing outside the session writes the state."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QPushButton

import nerstudio.gui
from nerstudio.core.records import DocumentRecord
from nerstudio.core.spans import ScoredSpan
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize
from nerstudio.gui.controllers.suggestions import LiveSuggestions
from nerstudio.gui.state import AppState
from nerstudio.gui.widgets.run_history import NAME_ROLE

TEXT = "Anna Berg flew to Paris to meet Omar Haddad"


def two_runs(tmp_path):
    """One document; run r1 (active) predicts Anna Berg, r2 Omar Haddad."""
    path = tmp_path / "runs.db"
    with Project.create(path, ["PER", "LOC"]) as project:
        (doc,) = project.documents.add([DocumentRecord(TEXT, tuple(tokenize(TEXT)))]).document_ids
        predicted = {"r1": ScoredSpan(0, 9, "PER", 0.9), "r2": ScoredSpan(32, 43, "PER", 0.8)}
        for name, span in predicted.items():
            run = project.runs.start(name, "tiny", "full", {}, str(tmp_path / name))
            project.runs.finish(run.id, "completed", {})
            project.predictions.save(run.id, [(doc, [span], {"mnlp": 0.2})])
        project.runs.set_active("r1")
    return path


def press_set_active(qtbot, panel, name: str) -> None:
    history = panel.run_history
    table = history.table
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).data(NAME_ROLE) == name)
    table.selectRow(row)
    button = next(b for b in history.findChildren(QPushButton) if b.text() == "Set active")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_set_active_restarts_the_suggestions_once_and_shows_the_new_runs(
    open_window, qtbot, tmp_path, monkeypatch
):
    restarts: list[int | None] = []
    restart = LiveSuggestions.restart

    def counted_restart(self) -> None:
        restarts.append(self.state.active_run)
        restart(self)

    monkeypatch.setattr(LiveSuggestions, "restart", counted_restart)
    ui = open_window(two_runs(tmp_path))
    assert [s.start for s in ui.editor.suggestions] == [0]
    changed: list[bool] = []
    ui.state.activeRunChanged.connect(lambda: changed.append(True))
    restarts.clear()

    press_set_active(qtbot, ui.window.training, "r2")
    with Project.open(ui.path) as project:
        r2 = project.runs.get("r2").id
    assert restarts == [r2]  # once: not again through the training panel
    assert changed == [True]
    assert [s.start for s in ui.editor.suggestions] == [32]  # the new run's, at once

    press_set_active(qtbot, ui.window.training, "r2")  # already the active one
    assert restarts == [r2] and changed == [True]
    assert ui.window.statusBar().currentMessage() == "Run r2 is already the active model."


def test_the_state_is_read_only_outside_the_session(open_window, tmp_path):
    ui = open_window(two_runs(tmp_path))
    for name in ("project", "document", "spans", "labels", "queue", "armed_label", "active_run"):
        with pytest.raises(AttributeError):
            setattr(ui.state, name, None)


def test_only_the_state_adapter_emits_the_states_signals():
    """Every change of the state goes through the session, whose events ``AppState``
    relays: a module emitting ``state.documentEdited`` itself would be a second path."""
    signals = [name for name, value in vars(AppState).items() if isinstance(value, Signal)]
    emitted = re.compile(rf"\bstate\.({'|'.join(signals)})\.emit\(")
    gui = Path(nerstudio.gui.__file__).parent
    found = [
        f"{path.relative_to(gui)}:{number}"
        for path in sorted(gui.rglob("*.py"))
        if path.name != "state.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if emitted.search(line)
    ]
    assert len(signals) == 8 and found == []
