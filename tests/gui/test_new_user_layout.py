"""What a new user met at 1280×720 (issue 24): curation must not squeeze the Training dock,
and a saved layout that squeezed it is not restored squeezed."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.gui.test_curation import curate, team_project, type_key  # noqa: F401

SIZE = (1280, 720)


def training_dock_fits(window) -> tuple[int, bool]:
    scroll = window.training_dock.widget()
    return window.training_dock.width(), scroll.horizontalScrollBar().isVisible()


def test_settling_in_curation_at_1280x720_leaves_the_training_dock_as_it_was(
    team_project, open_window, qtbot  # noqa: F811
):
    driver = open_window(team_project)
    window = driver.window
    window.resize(*SIZE)
    qtbot.waitUntil(lambda: window.size().toTuple() == SIZE, timeout=3000)
    qtbot.wait(50)
    width, scrolls = training_dock_fits(window)
    assert not scrolls
    curate(driver)
    for key in (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_PageDown, Qt.Key.Key_1):
        type_key(qtbot, key)
        qtbot.wait(20)
    print(training_dock_fits(window), width)
    assert training_dock_fits(window) == (width, False)


def test_a_layout_saved_with_the_training_dock_squeezed_opens_mended(
    team_project, open_window, qtbot  # noqa: F811
):
    first = open_window(team_project).window
    first.resize(*SIZE)
    qtbot.waitUntil(lambda: first.size().toTuple() == SIZE, timeout=3000)
    first.resizeDocks([first.training_dock], [150], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: training_dock_fits(first)[1], timeout=3000)  # squeezed: scrolls
    first.shut_down()  # saves the layout, as quitting does

    window = open_window(team_project).window
    qtbot.waitUntil(lambda: window.training_dock.width() > 150, timeout=3000)
    qtbot.wait(50)
    needs = window.training.minimumSizeHint().width()
    assert window.training_dock.width() >= needs
    assert not training_dock_fits(window)[1]
