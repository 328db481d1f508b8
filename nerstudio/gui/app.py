"""Starting the window: QApplication, settings, theme, an error dialog for the unexpected."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from nerstudio import __version__
from nerstudio.gui import theme
from nerstudio.gui.main_window import MainWindow


def _excepthook(kind, value, tb) -> None:
    """An unexpected error in a slot: show it, keep the app (and the user's work) alive."""
    text = "".join(traceback.format_exception(kind, value, tb))
    sys.stderr.write(text)
    QMessageBox.critical(
        None,
        "nerstudio: unexpected error",
        f"{value}\n\nYour work is saved. Details:\n\n{text[-2000:]}",
    )


def create_window(project: Path | None = None) -> MainWindow:
    """The main window, with a project opened (the given one, else the most recent)."""
    settings = QSettings("nerstudio", "nerstudio")
    theme.apply(str(settings.value("theme", "light")))
    window = MainWindow(settings)
    if project is not None:
        window.open_project(project)
    else:
        recent = [p for p in settings.value("recent", [], list) if Path(p).is_file()]
        if recent:
            window.open_project(recent[0])
    return window


def main(project: Path | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("nerstudio")
    app.setOrganizationName("nerstudio")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(theme.app_icon())
    sys.excepthook = _excepthook
    window = create_window(project)
    window.show()
    return app.exec()
