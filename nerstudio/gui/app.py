"""Starting the window: QApplication, settings, theme, an error dialog for the unexpected."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from nerstudio import __version__
from nerstudio.core.bug_report import one_line, save_report
from nerstudio.core.errors import NerstudioError
from nerstudio.gui import theme
from nerstudio.gui.main_window import MainWindow


def _excepthook(kind, value, tb) -> None:
    """An unexpected error in a slot: one line and a saved report, never a traceback;
    the app (and the user's work, already in the file) stays alive."""
    if issubclass(kind, KeyboardInterrupt):
        QApplication.quit()
        return
    if isinstance(value, NerstudioError):
        QMessageBox.warning(None, "nerstudio", str(value))
        return
    report = save_report(value.with_traceback(tb), "the window")
    QMessageBox.critical(
        None, "nerstudio: unexpected error", f"{one_line(value, report)}\n\nYour work is saved."
    )


def create_window(project: Path | None = None) -> MainWindow:
    """The main window, with a project opened (the given one, else the most recent)."""
    settings = QSettings("nerstudio", "nerstudio")
    theme.apply(str(settings.value("theme", "light")))
    window = MainWindow(settings)
    if project is None:
        recent = [p for p in settings.value("recent", [], list) if Path(p).is_file()]
        project = Path(recent[0]) if recent else None
    if project is not None:
        window.projects.open_now(str(project))
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
