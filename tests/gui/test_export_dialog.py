"""The export dialog offers every format the CLI writes with the CLI's options, and the
window's export writes what was chosen, asking before it replaces anything."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from nerstudio.core.records import Status
from nerstudio.core.transfer import WRITERS
from nerstudio.gui.dialogs.export_dialog import ExportDialog

DONE = ("Anna Berg flew to Paris.", [("Anna Berg", "PER"), ("Paris", "LOC")], Status.DONE)


def test_the_dialog_offers_every_writer_and_only_the_options_a_format_uses(qtbot, tmp_path):
    dialog = ExportDialog(tmp_path / "corpus.db", ["dev", "train"])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    formats = [dialog.format.itemData(i) for i in range(dialog.format.count())]
    assert formats == list(WRITERS)
    assert dialog.scheme.isEnabled() and not dialog.keep_split_names.isEnabled()
    assert dialog.target.text().endswith("corpus.conll")
    dialog.format.setFocus()
    qtbot.keyClick(dialog.format, Qt.Key.Key_Down)  # to jsonl
    qtbot.keyClick(dialog.format, Qt.Key.Key_Down)  # to the dataset
    assert dialog.chosen_format() == "hf"
    assert not dialog.scheme.isEnabled() and dialog.keep_split_names.isEnabled()
    assert dialog.target.text().endswith("corpus-dataset")
    dialog.every.setFocus()
    qtbot.keyClick(dialog.every, Qt.Key.Key_Space)
    dialog.split.setCurrentText("train")
    request = dialog.request()
    assert (request.fmt, request.include_all, request.split) == ("hf", True, "train")
    dialog.target.clear()
    assert not dialog.ok.isEnabled()


def test_the_window_exports_the_chosen_format_and_asks_before_replacing(
    make_project, open_window, monkeypatch, dialogs, qtbot, tmp_path
):
    path = make_project([DONE])
    ui = open_window(path)
    target = tmp_path / "out-brat"

    def choose(project_path, splits, parent):
        dialog = ExportDialog(project_path, splits, parent)
        dialog.format.setCurrentIndex(list(WRITERS).index("brat"))
        dialog.target.setText(str(target))
        return dialog.request()

    monkeypatch.setattr(ExportDialog, "ask", staticmethod(choose))
    ui.window.jobs.export_dialog()
    qtbot.waitUntil(lambda: (target / "annotation.conf").is_file(), timeout=10_000)
    assert "PER" in (target / "annotation.conf").read_text(encoding="utf-8")
    qtbot.waitUntil(lambda: "Exported 1 document " in ui.window.statusBar().currentMessage())

    dialogs.answer = QMessageBox.StandardButton.No
    before = sorted(p.name for p in target.iterdir())
    ui.window.jobs.export_dialog()  # the folder exists: asked, and left alone on No
    assert dialogs.texts("question") and "Replace" in dialogs.texts("question")[-1]
    assert sorted(p.name for p in target.iterdir()) == before
