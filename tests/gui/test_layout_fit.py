"""The window fits a laptop and a desktop screen, in both themes, and says what it shows:
the training dock needs no scrolling at 1280×720 or 1920×1080 and clips nothing, its tabs
reach the run history and Set active, the per-label report has its averages and names the
labels no dev document holds, the chart follows the dark theme, the hotkey dialog starts
from the current key, and "What the model will see" shows each tag whole."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QColor, QFontMetrics, QTextCursor
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QWidget,
)

from nerstudio.core.store import Project
from nerstudio.gui import theme
from nerstudio.gui.dialogs.label_manager import LabelManager

SCREENS = [(1280, 720), (1920, 1080)]
PER_LABEL = {
    "LOC": {"precision": 0.9, "recall": 0.8, "f1": 0.847, "support": 36},
    "ORG": {"precision": 0.5, "recall": 0.4, "f1": 0.444, "support": 27},
    "PER": {"precision": 1.0, "recall": 0.9, "f1": 0.947, "support": 30},
}
DEV = {"f1": 0.76, "precision": 0.81, "recall": 0.72, "loss": 0.3, "per_label": PER_LABEL}


@pytest.fixture
def scored_project(trained_project: Path, tmp_path: Path) -> Path:
    """The test corpus with a label no document holds (MISC) and a finished run."""
    folder = tmp_path / "corpus-runs" / "run-a"
    folder.mkdir(parents=True)
    with Project.open(trained_project) as project:
        project.labels.add("MISC")
        run = project.runs.start("run-a", "tiny-bert", "full", {}, str(folder))
        metrics = {"dev": DEV, "train_seconds": 90, "train_documents": 160}
        project.runs.finish(run.id, "completed", metrics)
    return trained_project


@pytest.fixture
def light_afterwards():
    """The theme is the application's: put light back for the tests that follow."""
    yield
    theme.apply("light")


def sized_window(open_window, path: Path, qtbot, size: tuple[int, int]):
    ui = open_window(path)
    ui.window.resize(*size)
    qtbot.waitUntil(lambda: ui.window.size().toTuple() == size, timeout=3000)
    qtbot.wait(50)  # the docks settle after the resize
    return ui


def click_tab(qtbot, panel, title: str) -> None:
    bar = panel.tabs.tabBar()
    index = next(i for i in range(bar.count()) if bar.tabText(i) == title)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert panel.tabs.currentIndex() == index


def on_screen(widget: QWidget, window: QWidget) -> bool:
    """Whether the whole of ``widget`` lies inside the window (nothing off its edge)."""
    top_left = widget.mapTo(window, QPoint(0, 0))
    return window.rect().contains(QRect(top_left, widget.size()))


def clipped(panel: QWidget) -> list[str]:
    """The visible texts of the panel narrower than they need to be read whole."""
    out = []
    for widget in panel.findChildren(QWidget):
        if not widget.isVisible() or not isinstance(widget, (QLabel, QAbstractButton, QComboBox)):
            continue
        if type(widget.parent()).__name__ == "QTabBar":
            continue  # the tab bar's scroll arrows
        if widget.width() < widget.minimumSizeHint().width():
            out.append(f"{type(widget).__name__} {getattr(widget, 'text', lambda: '')()!r}")
    return out


@pytest.mark.parametrize("size", SCREENS, ids=["1280x720", "1920x1080"])
def test_the_training_dock_fits_without_scrolling_and_reaches_the_history(
    open_window, scored_project, qtbot, size
):
    ui = sized_window(open_window, scored_project, qtbot, size)
    window, panel = ui.window, ui.window.training
    scroll = window.training_dock.findChild(QScrollArea)
    assert not scroll.horizontalScrollBar().isVisible()
    assert not scroll.verticalScrollBar().isVisible()
    assert clipped(panel) == []
    assert on_screen(panel.start, window) and on_screen(panel.tabs, window)

    click_tab(qtbot, panel, "Runs")
    set_active = next(b for b in panel.findChildren(QPushButton) if b.text() == "Set active")
    assert set_active.isVisible() and on_screen(set_active, window)
    history = panel.run_history.table
    assert history.isVisible() and on_screen(history, window)
    assert history.rowCount() == 1 and history.item(0, 0).text() == "run-a"
    assert not history.horizontalScrollBar().isVisible()
    assert clipped(panel) == []


def test_the_per_label_report_has_averages_and_names_labels_without_dev_examples(
    open_window, scored_project, qtbot
):
    ui = sized_window(open_window, scored_project, qtbot, SCREENS[0])
    panel = ui.window.training
    click_tab(qtbot, panel, "Runs")
    row = panel.run_history.table.visualItemRect(panel.run_history.table.item(0, 0)).center()
    qtbot.mouseClick(panel.run_history.table.viewport(), Qt.MouseButton.LeftButton, pos=row)
    click_tab(qtbot, panel, "Per label")

    assert panel.report.rows() == [
        ["LOC", "0.900", "0.800", "0.847", "36"],
        ["ORG", "0.500", "0.400", "0.444", "27"],
        ["PER", "1.000", "0.900", "0.947", "30"],
        ["micro avg", "0.810", "0.720", "0.760", "93"],
        ["macro avg", "0.800", "0.700", "0.746", "93"],
        ["MISC", "no dev examples", "", "", ""],
    ]
    assert "ORG: F1 0.44" in panel.report.weakest.text()  # the weakest of those with examples
    table = panel.report.table
    assert not table.verticalScrollBar().isVisible()  # every row shows, not two
    last = table.visualItemRect(table.item(table.rowCount() - 1, 0))
    assert table.viewport().rect().contains(last)
    assert elided_cells(table) == []  # "macro avg" and every score read whole


def elided_cells(table) -> list[str]:
    """The texts of cells narrower than their text (a spanned cell has the span's width)."""
    out = []
    for row in range(table.rowCount()):
        for column in range(table.columnCount()):
            item = table.item(row, column)
            if item is None or not item.text():
                continue
            metrics = QFontMetrics(item.font())
            if table.visualItemRect(item).width() < metrics.horizontalAdvance(item.text()) + 6:
                out.append(item.text())
    return out


def click_menu(qtbot, window, menu_title: str, entry: str) -> None:
    """Open a menu of the menu bar and click one of its entries, with the mouse."""
    bar = window.menuBar()
    top = next(a for a in bar.actions() if a.text().replace("&", "") == menu_title)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.actionGeometry(top).center())
    menu = top.menu()
    qtbot.waitUntil(menu.isVisible, timeout=2000)
    action = next(a for a in menu.actions() if a.text().replace("&", "") == entry)
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())


def chart_ground(chart) -> QColor:
    """The color of the chart's corner, where only its background shows."""
    return chart.grab().toImage().pixelColor(2, 2)


def test_the_chart_follows_the_dark_theme(open_window, scored_project, qtbot, light_afterwards):
    ui = sized_window(open_window, scored_project, qtbot, SCREENS[0])
    chart = ui.window.training.chart
    assert chart_ground(chart).lightness() > 200

    click_menu(qtbot, ui.window, "View", "Dark theme")

    assert chart_ground(chart).lightness() < 60
    assert chart_ground(chart) == ui.editor.palette().base().color()
    axis_text = chart.getPlotItem().getAxis("left").textPen().color()
    assert axis_text.lightness() > 180  # light numbers on the dark ground

    click_menu(qtbot, ui.window, "View", "Light theme")
    assert chart_ground(chart).lightness() > 200


FIRST = ("Anna Berg works for Acme Corp in Paris.", [("Anna Berg", "PER"), ("Acme Corp", "ORG")])


def test_the_hotkey_dialog_starts_from_the_current_key(make_project, open_window, qtbot):
    ui = open_window(make_project([FIRST]))
    manager = LabelManager(ui.state, ui.window)
    qtbot.addWidget(manager)
    manager.show()
    items: QListWidget = manager.list
    qtbot.mouseClick(
        items.viewport(),
        Qt.MouseButton.LeftButton,
        pos=items.visualItemRect(items.item(0)).center(),
    )
    assert manager.current() == "PER"
    seen: list[tuple[str, str]] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QInputDialog)
        seen.append((dialog.textValue(), dialog.labelText()))
        field = dialog.findChild(QLineEdit)
        qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(field, "7")
        qtbot.keyClick(field, Qt.Key.Key_Return)

    QTimer.singleShot(0, answer)
    hotkey = next(b for b in manager.findChildren(QPushButton) if b.text() == "Hotkey…")
    qtbot.mouseClick(hotkey, Qt.MouseButton.LeftButton)

    assert seen and seen[0][0] == "1"
    assert "now 1" in seen[0][1]
    with Project.open(ui.path) as project:
        assert project.labels.get("PER").hotkey == "7"
    assert "key 7" in items.item(0).text()
    manager.close()


CUT = ("They flew to Buenos Aires today .", [("Buenos Aires", "LOC")])


def tag_row(ui, offset: int) -> QRect:
    """Where the tag of the piece starting at ``offset`` is written: under its line, as
    wide as the text 'B-LOC' in the editor's caption font."""
    cursor = QTextCursor(ui.editor.document())
    cursor.setPosition(ui.qt_position(offset))
    line = ui.editor.cursorRect(cursor)
    metrics = QFontMetrics(ui.editor.caption_font)
    return QRect(line.left(), line.bottom() + 4, metrics.horizontalAdvance("B-LOC"), 9)


def ink(color: QColor) -> str:
    """'page' (white), 'grey' (an "O" or "·" mark: no hue at all) or 'tag' (the brown of
    an entity tag, its antialiased edges included)."""
    if color.lightness() >= 235:
        return "page"
    return "grey" if color.hsvSaturation() < 8 else "tag"


def test_ctrl_m_writes_each_tag_whole(make_project, open_window, tiny_model, qtbot):
    """Tags were cut to 'B-': the marks of the next pieces ('·') were drawn over them."""
    ui = open_window(make_project([CUT]))
    ui.window.training.form.model.setEditText(str(tiny_model))
    ui.key(Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    view = ui.editor.pieces
    assert view is not None
    start = ui.at("Buenos")
    first = next(p for p in view.pieces if p.start == start)
    assert first.tag == "B-LOC" and first.end - first.start < len("Buenos")  # the premise

    image = ui.editor.viewport().grab().toImage()
    row = tag_row(ui, start)
    inks = Counter(
        ink(image.pixelColor(QPoint(x, y)))
        for x in range(row.left(), row.right() + 1)
        for y in range(row.top(), row.bottom() + 1)
    )
    assert inks["tag"] > 40, inks  # the tag's brown ink is there...
    assert inks["grey"] == 0, inks  # ...and no grey mark of another piece over it
    right_third = Counter(
        ink(image.pixelColor(QPoint(x, y)))
        for x in range(row.right() - row.width() // 3, row.right() + 1)
        for y in range(row.top(), row.bottom() + 1)
    )
    assert right_third["tag"] > 10, right_third  # "OC" is written, not only "B-"
