"""What one paint of the editor sees: the text's geometry, the offsets in view, the label
colors and whether the theme is dark. Built once per paint and handed to every layer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor

from nerstudio.gui.widgets.editor.geometry import TextGeometry


@dataclass(frozen=True)
class Frame:
    geometry: TextGeometry
    top: int  # offset at the viewport's top-left corner
    bottom: int  # offset at its bottom-right corner
    colors: Mapping[str, str]  # label -> color
    dark: bool  # the base color is dark: label backgrounds are made translucent

    def shows(self, start: int, end: int) -> bool:
        """Whether ``start:end`` may be in view (the cheap test before measuring it)."""
        return end >= self.top and start <= self.bottom

    def rects(self, start: int, end: int) -> list[QRectF]:
        return self.geometry.rects(start, end)

    def label_color(self, label: str, fallback: str) -> QColor:
        return QColor(self.colors.get(label, fallback))
