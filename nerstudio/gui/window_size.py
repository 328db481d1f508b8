"""The window's first size: where the person left it, else a size that fits the screen.

A fixed 1600×950 ran off a 1280×720 laptop screen and left the docks too narrow for
their content, so the default is bounded by the screen's free area and each dock gets a
share of the width, never less than its content needs.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, QSize, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

DEFAULT_SIZE = QSize(1600, 950)
DOCK_SHARES = (0.27, 0.31)  # of the window's width: the documents', the training dock's
DOCK_SLACK = 24  # beyond a dock's narrowest content: its frame and a vertical scroll bar


def fit_to_screen(
    window: QMainWindow, settings: QSettings, docks: dict[QDockWidget, QWidget]
) -> None:
    """Restore the saved geometry and dock layout, or open at 1600×950 bounded by the
    screen (maximized where it had to be bounded), the docks (the documents', the training
    one's, each with the widget whose narrowest width it must keep) sized by share."""
    geometry = settings.value("window/geometry")
    if geometry is not None and window.restoreGeometry(geometry):
        window.restoreState(settings.value("window/state"))
        # once shown (sizes are laid out then): a layout saved squeezed opens mended
        QTimer.singleShot(0, window, lambda: widen_squeezed(window, docks))
        return
    size = DEFAULT_SIZE.boundedTo(window.screen().availableGeometry().size())
    window.resize(size)
    if size != DEFAULT_SIZE:
        window.setWindowState(Qt.WindowState.WindowMaximized)
    widths = [
        max(round(size.width() * share), content.minimumSizeHint().width() + DOCK_SLACK)
        for content, share in zip(docks.values(), DOCK_SHARES, strict=True)
    ]
    window.resizeDocks(list(docks), widths, Qt.Orientation.Horizontal)


def widen_squeezed(window: QMainWindow, docks: dict[QDockWidget, QWidget]) -> None:
    """Give each shown dock narrower than its content the width its content needs: a
    layout saved while the centre had squeezed the Training dock (a horizontal scroll bar,
    fields cut off) was restored squeezed on every start (issue 24 item 7)."""
    squeezed = {
        dock: content.minimumSizeHint().width() + DOCK_SLACK
        for dock, content in docks.items()
        if dock.isVisible() and not dock.isFloating()
    }
    squeezed = {dock: need for dock, need in squeezed.items() if dock.width() < need}
    if squeezed:
        window.resizeDocks(list(squeezed), list(squeezed.values()), Qt.Orientation.Horizontal)
