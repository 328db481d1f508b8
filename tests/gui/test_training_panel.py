"""The training panel driven with real clicks: a run of the tiny model from Start to the
history, Stop mid-run, a bad model folder, and closing the window during a run."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from nerstudio.core.store import Project


@pytest.fixture
def window(qtbot, tmp_path, trained_project):
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    from nerstudio.gui.app import create_window

    win = create_window(trained_project)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.training.stop_and_wait()


def start(qtbot, window, model: Path | str, epochs: int, lr: str = "0.02") -> None:
    panel = window.training
    panel.model.setEditText(str(model))
    panel.epochs.setValue(epochs)
    panel.batch.setValue(8)
    panel.lr.setText(lr)
    qtbot.mouseClick(panel.start, Qt.MouseButton.LeftButton)
    assert panel.is_running()


def wait_done(qtbot, window, timeout: int = 120_000) -> None:
    qtbot.waitUntil(lambda: window.training.thread is None, timeout=timeout)


def test_a_run_from_start_to_history_and_active_model(qtbot, window, tiny_model):
    panel = window.training
    start(qtbot, window, tiny_model, epochs=3)
    assert not panel.start.isEnabled() and panel.stop.isEnabled()
    # the window stays usable while it trains: annotate a word meanwhile
    window.editor.setFocus()
    qtbot.keyClick(window.editor, Qt.Key.Key_Right)
    wait_done(qtbot, window)
    assert len(panel.chart.steps) == 3 * 20  # 160 sentences / batch 8, every step plotted
    assert len(panel.chart.f1s) == 3
    assert panel.scores.rowCount() == 3  # PER, ORG, LOC with support in dev
    assert "annotate more" in panel.weakest.text()
    assert panel.history.rowCount() == 1
    run_name = panel.history.item(0, 0).text()
    panel.history.selectRow(0)
    qtbot.mouseClick(
        next(b for b in panel.findChildren(type(panel.start)) if b.text() == "Set active"),
        Qt.MouseButton.LeftButton,
    )
    with Project.open(window.state.project.path) as project:
        assert project.runs.active().name == run_name
        assert project.runs.get(run_name).status in ("completed", "early_stopped")
    assert panel.history.item(0, 7).text() == "active"
    assert window.live_suggestions.is_running()  # the active model now suggests on the fly
    window.close()  # ... until the window closes, which stops its child
    assert not window.live_suggestions.is_running()


def test_stop_mid_run_keeps_a_cancelled_run(qtbot, window, tiny_model):
    panel = window.training
    start(qtbot, window, tiny_model, epochs=50, lr="0.001")
    qtbot.waitUntil(lambda: len(panel.chart.steps) > 5, timeout=60_000)
    qtbot.mouseClick(panel.stop, Qt.MouseButton.LeftButton)
    assert panel.stop.text() == "Stopping…"
    wait_done(qtbot, window)
    assert panel.start.isEnabled()
    with Project.open(window.state.project.path) as project:
        (run,) = project.runs.all()
        assert run.status == "cancelled"
        assert Path(run.path, "model.safetensors").exists()


def test_a_bad_model_folder_shows_a_dialog_and_changes_nothing(
    qtbot, window, tmp_path, monkeypatch
):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))
    not_a_model = tmp_path / "empty-folder"
    not_a_model.mkdir()
    start(qtbot, window, not_a_model, epochs=1)
    wait_done(qtbot, window)
    assert shown and "not a model folder" in shown[0]
    assert window.training.start.isEnabled()
    with Project.open(window.state.project.path) as project:
        assert project.runs.all() == []


def test_closing_during_a_run_asks_then_stops_cleanly(qtbot, window, tiny_model, monkeypatch):
    asked = []

    def answer(*args):
        asked.append(args[2])
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    panel = window.training
    path = window.state.project.path
    start(qtbot, window, tiny_model, epochs=50, lr="0.001")
    qtbot.waitUntil(lambda: len(panel.chart.steps) > 3, timeout=60_000)
    window.close()
    assert asked and "training" in asked[0].lower()
    assert not panel.is_running()
    with Project.open(path) as project:
        assert project.runs.all()[0].status == "cancelled"


def test_the_model_picker_lists_offline_models_first_with_sizes(
    qtbot, tmp_path, monkeypatch, tiny_model
):
    from nerstudio.gui.state import AppState
    from nerstudio.gui.widgets.training_panel import TrainingPanel

    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "no-cache"))
    settings = QSettings(str(tmp_path / "picker.ini"), QSettings.Format.IniFormat)
    settings.setValue("models/recent", [str(tiny_model), str(tmp_path / "deleted-run")])
    panel = TrainingPanel(AppState(), settings)
    qtbot.addWidget(panel)
    combo = panel.model
    items = [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())]
    offline = [text for text, _ in items if text.endswith("offline")]
    assert [text for text, _ in items[: len(offline)]] == offline  # offline ones first
    assert items[0][1] == str(tiny_model) and panel.chosen_model() == str(tiny_model)
    assert str(tmp_path / "deleted-run") not in {data for _, data in items}
    bert = next(i for i, (_, data) in enumerate(items) if data == "bert-base-cased")
    assert combo.itemText(bert) == "bert-base-cased — 108M params · 436 MB download"
    assert "needs a network" in combo.itemData(bert, Qt.ItemDataRole.ToolTipRole)
    combo.setCurrentIndex(bert)
    assert panel.chosen_model() == "bert-base-cased"  # the hub id, not the shown text
    combo.setEditText("my-org/my-model")
    assert panel.chosen_model() == "my-org/my-model"
