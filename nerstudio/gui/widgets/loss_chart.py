"""The live training chart (pyqtgraph): loss per step, raw and smoothed, on the left axis;
dev loss and dev F1 per epoch, with F1 on a right axis from 0 to 1. The legend is a row
above the plot.

Points are appended to arrays and the curves get ``setData`` on a throttled timer, so a
fast run never redraws more than ten times a second. The background, axes and legend take
the application palette's colors, and follow it when the theme changes.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QWidget

SMOOTHING = 0.9
OVERLAY_COLORS = ("#8e44ad", "#16a085", "#c0392b")
RAW_LOSS = {"light": "#c8c8c8", "dark": "#6e7178"}  # the noisy curve: quiet on either ground
MINIMUM_HEIGHT = 150
AXES = ("left", "bottom", "right")
LEGEND_COLUMNS = 2  # two rows of two: fits a laptop's dock


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


class LossChart(pg.PlotWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(MINIMUM_HEIGHT)
        item = self.getPlotItem()
        item.setLabel("bottom", "step")
        item.setLabel("left", "loss")
        item.showGrid(x=True, y=True, alpha=0.2)
        # The legend is a row above the plot, never over it: inside the top-right corner it
        # hid the dev F1 curve, which ends up there (issue 24 item 15).
        self.legend = pg.LegendItem(colCount=LEGEND_COLUMNS, frame=False)
        self.legend.setParentItem(item)
        item.legend = self.legend  # curves named on plot() join it
        self.raw = item.plot(pen=pg.mkPen("#c8c8c8", width=1), name="train loss")
        self.smooth = item.plot(pen=pg.mkPen("#1f6fd1", width=2), name="train loss (smoothed)")
        self.dev_loss = item.plot(
            pen=pg.mkPen("#27ae60", width=2),
            symbol="s",
            symbolSize=6,
            symbolBrush="#27ae60",
            name="dev loss",
        )
        self.f1_box = pg.ViewBox()
        item.showAxis("right")
        item.scene().addItem(self.f1_box)
        item.getAxis("right").linkToView(self.f1_box)
        item.getAxis("right").setLabel("dev F1")
        self.f1_box.setXLink(item)
        self.f1_box.setYRange(0, 1)
        self.f1 = pg.PlotDataItem(
            pen=pg.mkPen("#e67e22", width=2),
            symbol="o",
            symbolSize=7,
            symbolBrush="#e67e22",
            name="dev F1",
        )
        self.f1_box.addItem(self.f1)
        self.legend.addItem(self.f1, "dev F1")
        self.legend.anchor(itemPos=(0, 0), parentPos=(0, 0), offset=(4, 2))
        item.layout.setRowFixedHeight(0, self.legend.height() + 4)  # the title row holds it
        item.vb.sigResized.connect(self._sync_boxes)
        self.overlays: list[pg.PlotDataItem] = []
        self._timer = QTimer(self, singleShot=True, interval=100)
        self._timer.timeout.connect(self._redraw)
        self.clear_run()
        self.ready = True
        self.follow_palette()

    def changeEvent(self, event: QEvent) -> None:
        """A new theme sets the application palette: repaint in its colors."""
        super().changeEvent(event)
        if getattr(self, "ready", False) and event.type() in (
            QEvent.Type.PaletteChange,
            QEvent.Type.ApplicationPaletteChange,
        ):
            self.follow_palette()

    def follow_palette(self) -> None:
        """Background, axes, grid and legend text in the palette's base and text colors."""
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        self.setBackground(base)
        item = self.getPlotItem()
        for name in AXES:
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(text))
            axis.setTextPen(pg.mkPen(text))
        self.legend.setLabelTextColor(text)
        for _sample, label in self.legend.items:
            label.setText(label.text, color=text)
        raw = RAW_LOSS["dark" if is_dark(palette) else "light"]
        self.raw.setPen(pg.mkPen(raw, width=1))

    def _sync_boxes(self) -> None:
        self.f1_box.setGeometry(self.getPlotItem().vb.sceneBoundingRect())

    def clear_run(self) -> None:
        self.steps: list[float] = []
        self.losses: list[float] = []
        self.smoothed: list[float] = []
        self.eval_steps: list[float] = []
        self.dev_losses: list[float] = []
        self.f1s: list[float] = []
        for overlay in self.overlays:
            self.f1_box.removeItem(overlay)
        self.overlays = []
        self._redraw()

    def add_step(self, step: int, loss: float) -> None:
        previous = self.smoothed[-1] if self.smoothed else loss
        self.steps.append(step)
        self.losses.append(loss)
        self.smoothed.append(SMOOTHING * previous + (1 - SMOOTHING) * loss)
        if not self._timer.isActive():
            self._timer.start()

    def add_eval(self, step: int, dev_loss: float, f1: float) -> None:
        self.eval_steps.append(step)
        self.dev_losses.append(dev_loss)
        self.f1s.append(f1)
        if not self._timer.isActive():
            self._timer.start()

    def overlay_f1(self, name: str, steps: list[float], f1s: list[float]) -> None:
        """Another run's dev F1 curve, for comparing runs."""
        color = OVERLAY_COLORS[len(self.overlays) % len(OVERLAY_COLORS)]
        curve = pg.PlotDataItem(
            steps,
            f1s,
            pen=pg.mkPen(color, width=2, style=2),
            symbol="t",
            symbolBrush=color,
            name=f"{name} dev F1",
        )
        self.f1_box.addItem(curve)
        self.overlays.append(curve)

    def _redraw(self) -> None:
        self.raw.setData(self.steps, self.losses)
        self.smooth.setData(self.steps, self.smoothed)
        self.dev_loss.setData(self.eval_steps, self.dev_losses)
        self.f1.setData(self.eval_steps, self.f1s)
