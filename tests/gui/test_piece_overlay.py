"""View → What the model will see: the editor shows the base model's pieces."""

from __future__ import annotations

from PySide6.QtCore import QSettings


def test_the_overlay_follows_the_model_chosen_in_the_panel(
    qtbot, tmp_path, trained_project, tiny_model
):
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    from nerstudio.gui.app import create_window

    window = create_window(trained_project)
    qtbot.addWidget(window)
    window.show()
    window.training.form.model.setEditText(str(tiny_model))
    plain = window.editor.viewport().grab().toImage()
    window.pieces.set_enabled(True)
    view = window.editor.pieces
    assert view is not None and view.pieces
    text = window.state.document.text
    first_entity = window.state.spans[0]
    tagged = [p for p in view.pieces if p.start == first_entity.start]
    assert tagged and tagged[0].tag == f"B-{first_entity.label}"
    assert "pieces in 1 window" in window.statusBar().currentMessage()
    window.editor.grab().save(str(tmp_path / "pieces.png"))
    # the tags read at the interface's size (they were 0.6 of the editor's: 7.2 pt)
    from PySide6.QtWidgets import QApplication

    assert window.editor.piece_font.pointSizeF() >= QApplication.font().pointSizeF()
    assert window.editor.viewport().grab().toImage() != plain  # underlines and tags painted
    window.pieces.set_enabled(False)
    assert window.editor.pieces is None
    assert window.editor.viewport().grab().toImage() == plain  # and gone again
    assert text  # the text itself is never altered by the overlay
