"""Light and dark themes: Qt's Fusion style with a palette; label colors stay readable on both
(entity text is always drawn dark on the light label color)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

DARK = {
    QPalette.ColorRole.Window: "#2b2d31",
    QPalette.ColorRole.WindowText: "#e8e8e8",
    QPalette.ColorRole.Base: "#1e1f22",
    QPalette.ColorRole.AlternateBase: "#2b2d31",
    QPalette.ColorRole.Text: "#e8e8e8",
    QPalette.ColorRole.Button: "#3a3d42",
    QPalette.ColorRole.ButtonText: "#e8e8e8",
    QPalette.ColorRole.Highlight: "#3d6fb6",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.ToolTipBase: "#3a3d42",
    QPalette.ColorRole.ToolTipText: "#e8e8e8",
    QPalette.ColorRole.PlaceholderText: "#9a9a9a",
}


def apply(name: str) -> None:
    app = QApplication.instance()
    app.setStyle("Fusion")
    palette = app.style().standardPalette()
    if name == "dark":
        for role, color in DARK.items():
            palette.setColor(role, QColor(color))
    app.setPalette(palette)
