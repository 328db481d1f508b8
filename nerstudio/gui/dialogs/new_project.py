"""The new-project dialog: where the project file goes, which entity types it starts with
(a standard label set, or the user's own), and who annotates it (the OS user by default)."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import QStandardPaths, Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nerstudio.gui.curation.annotator import AnnotatorField

CUSTOM = "Custom"
PRESETS: dict[str, tuple[str, ...]] = {
    "CoNLL-2003": ("PER", "ORG", "LOC", "MISC"),
    "OntoNotes 5": (
        "PERSON",
        "NORP",
        "FAC",
        "ORG",
        "GPE",
        "LOC",
        "PRODUCT",
        "EVENT",
        "WORK_OF_ART",
        "LAW",
        "LANGUAGE",
        "DATE",
        "TIME",
        "PERCENT",
        "MONEY",
        "QUANTITY",
        "ORDINAL",
        "CARDINAL",
    ),
    CUSTOM: (),
}
PROJECT_FILTER = "Projects (*.db)"


class NewProject(NamedTuple):
    """What the dialog asks for: the file, its labels, and whose edits it records."""

    path: str
    labels: list[str]
    annotator: str


def split_labels(text: str) -> list[str]:
    """'DRUG, dose ,DRUG' -> ['DRUG', 'dose']: trimmed, empty and repeated names dropped."""
    return list(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))


def unused_path(folder: Path, stem: str = "corpus") -> Path:
    """``folder/corpus.db``, or ``corpus-2.db``… when that file already exists."""
    path, number = folder / f"{stem}.db", 1
    while path.exists():
        number += 1
        path = folder / f"{stem}-{number}.db"
    return path


def default_folder() -> Path:
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


class NewProjectDialog(QDialog):
    """Asks for a project file, its labels and the annotator; ``project()`` is (path,
    labels), ``annotator()`` the name."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New project")
        self.setMinimumWidth(560)
        self.path = QLineEdit(str(unused_path(default_folder())))
        self.path.setToolTip("The project file: one SQLite file holds documents and annotations")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self.browse)
        self.preset = QComboBox()
        self.preset.addItems(PRESETS)
        self.custom = QLineEdit(placeholderText="comma separated, e.g. DRUG, DOSE, SYMPTOM")
        self.preview = QLabel(wordWrap=True)
        self.preview.setStyleSheet("color: palette(placeholder-text);")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # room for the longest preset (OntoNotes' 18 names), so switching never jumps
        self.preview.setMinimumHeight(3 * self.preview.fontMetrics().lineSpacing() + 4)
        self.annotator_field = AnnotatorField()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        self.form = QFormLayout()
        self.form.addRow("Project file", path_row)
        self.form.addRow("Labels", self.preset)
        self.form.addRow("", self.custom)
        self.form.addRow("", self.preview)
        self.form.addRow("Annotator", self.annotator_field)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(
            QLabel("Labels can be added, renamed, merged and recolored later (Ctrl+L).")
        )
        layout.addWidget(self.buttons)
        self.preset.currentTextChanged.connect(self.preset_changed)
        self.custom.textChanged.connect(self.update_labels)
        self.path.textChanged.connect(self.update_labels)
        self.annotator_field.validityChanged.connect(self.update_labels)
        self.update_labels()

    def labels(self) -> list[str]:
        preset = self.preset.currentText()
        return split_labels(self.custom.text()) if preset == CUSTOM else list(PRESETS[preset])

    def project(self) -> tuple[str, list[str]]:
        """The chosen file (with a .db suffix) and labels."""
        path = Path(self.path.text().strip()).expanduser()
        if path.suffix != ".db":
            path = path.with_name(path.name + ".db")
        return str(path), self.labels()

    def annotator(self) -> str | None:
        """Whose edits the project records (None while the name cannot be used)."""
        return self.annotator_field.name()

    @Slot()
    def preset_changed(self) -> None:
        self.update_labels()
        if self.preset.currentText() == CUSTOM:
            self.custom.setFocus()

    @Slot()
    def update_labels(self) -> None:
        self.form.setRowVisible(self.custom, self.preset.currentText() == CUSTOM)
        labels = self.labels()
        self.preview.setText(
            f"{len(labels)} labels: {', '.join(labels)}" if labels else "No labels yet."
        )
        ok = bool(labels) and bool(self.path.text().strip()) and self.annotator() is not None
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    @Slot()
    def browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "New project", self.path.text(), PROJECT_FILTER)
        if path:
            self.path.setText(path)

    @classmethod
    def choose(cls, parent: QWidget | None = None) -> NewProject | None:
        """Show the dialog; what the user chose when they pressed Create."""
        dialog = cls(parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return NewProject(*dialog.project(), dialog.annotator() or "")
