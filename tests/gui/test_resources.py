"""Bundled resources in the window: each theme's style sheet, the app icon, and the sample
project opened in the real window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication

from nerstudio.core.sample import install_sample_project
from nerstudio.gui import theme


@pytest.fixture
def restore_theme(qapp):
    yield qapp
    theme.apply("light")


@pytest.mark.parametrize("name", ["light", "dark"])
def test_apply_loads_the_themes_style_sheet(restore_theme, name):
    theme.apply(name)

    sheet = QApplication.instance().styleSheet()
    assert sheet == theme.stylesheet(name)
    assert "QDockWidget::title" in sheet


def test_the_dark_theme_differs_and_an_unknown_name_is_light(restore_theme):
    assert theme.stylesheet("dark") != theme.stylesheet("light")
    assert theme.stylesheet("solarized") == theme.stylesheet("light")


def test_dark_disabled_text_looks_disabled(restore_theme):
    from PySide6.QtGui import QPalette

    theme.apply("dark")

    palette = QApplication.instance().palette()
    enabled = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.ButtonText)
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText)
    assert disabled.lightness() < enabled.lightness() - 60


def test_the_app_icon_has_every_size(qapp):
    icon = theme.app_icon()

    assert not icon.isNull()
    sizes = {(s.width(), s.height()) for s in icon.availableSizes()}
    assert sizes == {(n, n) for n in theme.ICON_SIZES}
    assert not icon.pixmap(QSize(256, 256)).toImage().isNull()


def test_the_window_opens_on_the_sample_project(open_window, tmp_path):
    path = install_sample_project(tmp_path / "data")

    ui = open_window(path)

    assert ui.state.project.path == path
    assert ui.window.progress_text.text().endswith("of 300 done")
    assert ui.state.document.status.value == "new"  # the first unfinished document
