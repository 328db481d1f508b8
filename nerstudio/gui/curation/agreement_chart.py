"""A small bar chart (pyqtgraph): exact-span F1 per label for one annotator pair, each bar
in its label's color, the y axis from 0 to 1. Colors follow the window's palette, so the
chart reads on the light and the dark theme alike."""

from __future__ import annotations

from collections.abc import Mapping

import pyqtgraph as pg
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QWidget

FALLBACK = "#8aa4c8"  # a label the project no longer has
BAR_WIDTH = 0.6


class AgreementChart(pg.PlotWidget):
    """``show_scores({label: f1}, colors)``: one bar per label, in label order."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(150)
        item = self.getPlotItem()
        item.setLabel("left", "F1")
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setMouseEnabled(x=False, y=False)
        item.showGrid(y=True, alpha=0.2)
        item.setYRange(0, 1.05, padding=0)
        self.bars = pg.BarGraphItem(x=[], height=[], width=BAR_WIDTH)
        item.addItem(self.bars)
        self.labels: list[str] = []
        self.heights: list[float] = []
        self._follow_palette()

    def show_scores(self, scores: Mapping[str, float], colors: Mapping[str, str]) -> None:
        self.labels = list(scores)
        self.heights = [float(scores[label]) for label in self.labels]
        xs = list(range(len(self.labels)))
        brushes = [pg.mkBrush(colors.get(label, FALLBACK)) for label in self.labels]
        self.bars.setOpts(x=xs, height=self.heights, width=BAR_WIDTH, brushes=brushes)
        axis = self.getPlotItem().getAxis("bottom")
        axis.setTicks([[(x, label) for x, label in zip(xs, self.labels)]])
        self.getPlotItem().setXRange(-0.6, max(len(xs), 1) - 0.4, padding=0)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        changed = event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
        if changed and hasattr(self, "bars"):  # pyqtgraph's own set-up changes it too
            self._follow_palette()

    def _follow_palette(self) -> None:
        """Background and axes in the palette's colors (the theme switches at run time)."""
        palette = self.palette()
        self.setBackground(palette.base().color())
        text = palette.text().color()
        for name in ("left", "bottom"):
            axis = self.getPlotItem().getAxis(name)
            axis.setPen(pg.mkPen(text))
            axis.setTextPen(pg.mkPen(text))
        pen = pg.mkPen(palette.window().color().darker(160) if text.lightness() < 128 else text)
        self.bars.setOpts(pen=pen)
