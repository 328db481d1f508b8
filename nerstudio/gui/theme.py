"""Light and dark themes: Qt's Fusion style with a palette; label colors stay readable on both
(entity text is always drawn dark on the light label color). A small style sheet per theme
(``nerstudio/resources/<name>.qss``) adds spacing the palette cannot; the app icon lives there
too. Both are read through ``importlib.resources``, so they load from a wheel or a frozen app.
"""

from __future__ import annotations

from importlib import resources

from PySide6.QtGui import QColor, QIcon, QPalette, QPixmap
from PySide6.QtWidgets import QApplication

THEMES = ("light", "dark")
ICON_SIZES = (16, 32, 48, 64, 128, 256)

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
# Disabled widgets (a Stop button with nothing to stop) must look disabled in the dark too.
DARK_DISABLED = {
    QPalette.ColorRole.WindowText: "#7c7f86",
    QPalette.ColorRole.Text: "#7c7f86",
    QPalette.ColorRole.ButtonText: "#7c7f86",
    QPalette.ColorRole.Button: "#303236",
    QPalette.ColorRole.Base: "#26272a",
}


def stylesheet(name: str) -> str:
    """The bundled style sheet of a theme (``light`` for an unknown name)."""
    name = name if name in THEMES else "light"
    return resources.files("nerstudio.resources").joinpath(f"{name}.qss").read_text("utf-8")


def app_icon() -> QIcon:
    """The nerstudio icon at every bundled size, so each platform picks a sharp one."""
    icon = QIcon()
    folder = resources.files("nerstudio.resources") / "icons"
    for size in ICON_SIZES:
        pixmap = QPixmap()
        pixmap.loadFromData((folder / f"nerstudio-{size}.png").read_bytes(), "PNG")
        icon.addPixmap(pixmap)
    return icon


def apply(name: str) -> None:
    """Fusion with the theme's palette and style sheet; an unknown name means light."""
    app = QApplication.instance()
    app.setStyle("Fusion")
    palette = app.style().standardPalette()
    if name == "dark":
        for role, color in DARK.items():
            palette.setColor(role, QColor(color))
        for role, color in DARK_DISABLED.items():
            palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(color))
    app.setPalette(palette)
    app.setStyleSheet(stylesheet(name))
