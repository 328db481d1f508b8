"""The export dialog: every format the CLI writes, with the CLI's options (scheme, split,
done only or every document, split names), and where to write.

It only gathers the choice; the export itself runs in a TransferWorker through the same
``export_corpus`` as ``nerstudio export``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from nerstudio.core.spans import Scheme
from nerstudio.core.transfer import WRITERS, ExportOptions

FORMAT_TITLES = {
    "conll": "CoNLL (token TAB tag)",
    "jsonl": "JSONL (doccano)",
    "hf": "Hugging Face dataset (folder)",
    "brat": "brat standoff (folder)",
    "labelstudio": "Label Studio JSON (with the active run's suggestions)",
    "prodigy": "Prodigy / spaCy JSONL",
    "docbin": "spaCy DocBin (.spacy)",
    "cluener": "CLUENER2020 JSON (Chinese NER)",
}
ANY_SPLIT = "any split"


@dataclass(frozen=True)
class ExportRequest:
    """What the user asked to export, and where."""

    path: Path
    fmt: str
    options: ExportOptions
    include_all: bool
    split: str | None


class ExportDialog(QDialog):
    """Format, options and target of an export."""

    def __init__(self, project_path: Path, splits: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export the corpus")
        self.project_path = project_path
        self.format = QComboBox()
        for name in WRITERS:
            self.format.addItem(FORMAT_TITLES.get(name, name), name)
        self.scheme = QComboBox()
        self.scheme.addItems([scheme.value for scheme in Scheme])
        self.split = QComboBox()
        self.split.addItems([ANY_SPLIT, *splits])
        self.every = QCheckBox("Every document, not only done ones")
        self.keep_split_names = QCheckBox("Keep the dataset's split names (validation)")
        self.target = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self.browse)
        where = QHBoxLayout()
        where.addWidget(self.target, 1)
        where.addWidget(browse)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        form = QFormLayout(self)
        form.addRow("Format", self.format)
        form.addRow("Tag scheme", self.scheme)
        form.addRow("Split", self.split)
        form.addRow("", self.every)
        form.addRow("", self.keep_split_names)
        form.addRow("Write to", where)
        form.addRow(buttons)
        self.format.currentIndexChanged.connect(self.format_changed)
        self.target.textChanged.connect(self.validate)
        self.format_changed()

    def chosen_format(self) -> str:
        return str(self.format.currentData())

    @Slot()
    def format_changed(self) -> None:
        """Only the options the chosen format uses are enabled; the target follows it."""
        fmt = self.chosen_format()
        self.scheme.setEnabled(fmt == "conll")
        self.keep_split_names.setEnabled(fmt == "hf")
        self.target.setText(str(self.project_path.with_name(self._entry(fmt))))

    def _entry(self, fmt: str) -> str:
        return f"{self.project_path.stem}{WRITERS[fmt].entry}"

    @Slot()
    def browse(self) -> None:
        fmt = self.chosen_format()
        start = self.target.text() or str(self.project_path.parent)
        if WRITERS[fmt].folder:  # a new folder inside the one chosen
            folder = QFileDialog.getExistingDirectory(self, "Export into", start)
            path = str(Path(folder) / self._entry(fmt)) if folder else ""
        else:
            path, _ = QFileDialog.getSaveFileName(self, "Export to", start)
        if path:
            self.target.setText(path)

    @Slot()
    def validate(self) -> None:
        self.ok.setEnabled(bool(self.target.text().strip()))

    def request(self) -> ExportRequest:
        split = self.split.currentText()
        return ExportRequest(
            path=Path(self.target.text().strip()).expanduser(),
            fmt=self.chosen_format(),
            options=ExportOptions(
                scheme=Scheme(self.scheme.currentText()),
                keep_split_names=self.keep_split_names.isChecked(),
            ),
            include_all=self.every.isChecked(),
            split=None if split == ANY_SPLIT else split,
        )

    @classmethod
    def ask(cls, project_path: Path, splits: list[str], parent: QWidget) -> ExportRequest | None:
        dialog = cls(project_path, splits, parent)
        return dialog.request() if dialog.exec() == QDialog.DialogCode.Accepted else None
