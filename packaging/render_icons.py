"""Render nerstudio/resources/icon.svg to the PNG sizes the app and installers use.

Run after editing the SVG, then commit the PNGs:

    QT_QPA_PLATFORM=offscreen python packaging/render_icons.py

Each size is rendered straight from the vector (not scaled down from the largest PNG),
with antialiasing, onto a transparent ARGB image.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SIZES = (16, 32, 48, 64, 128, 256)
RESOURCES = Path(__file__).resolve().parent.parent / "nerstudio" / "resources"


def render(svg: Path, size: int) -> QImage:
    """The SVG drawn into a transparent ``size`` x ``size`` image."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    svg = RESOURCES / "icon.svg"
    out = RESOURCES / "icons"
    out.mkdir(exist_ok=True)
    for size in SIZES:
        target = out / f"nerstudio-{size}.png"
        if not render(svg, size).save(str(target), "PNG"):
            raise SystemExit(f"{target}: could not write")
        print(f"wrote {target.relative_to(RESOURCES.parent.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
