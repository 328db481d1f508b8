"""The training form: the base model and the options the window shows, one editor per entry
of the training options' table (``core.training.config.FIELDS``, those ``in_form``), and
the auto-retrain settings. It reads a ``TrainConfig``; it runs nothing.

The form is a compact grid (two options a row, short texts, the details in tooltips) so it
leaves a laptop's dock room for the chart, the report and the history below it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QSettings, QSignalBlocker, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from nerstudio.core.errors import NerstudioError
from nerstudio.core.model_catalog import catalog
from nerstudio.core.training.config import FIELDS, FIRST_RUN_AFTER, Field, TrainConfig

SPIN_RANGES = {"epochs": (0, 100), "batch_size": (1, 512), "max_length": (16, 4096)}
LABELS = {"base_model": "Model"}
CHECKBOX_TEXT = {
    "train_word_embeddings": "Train word embeddings",
    "self_training": "Self-training",
}
PLACEHOLDERS = {"learning_rate": "auto"}
RECENT_MODELS = 8
MODEL_CHARACTERS = 14  # the picker's narrowest width; its popup shows whole entries
PAIRS_PER_ROW = 2


@dataclass(frozen=True)
class RetrainSettings:
    """Auto-retrain: whether, after how many newly done documents, from which model."""

    enabled: bool
    every: int
    start_from: str  # "base" (the form's model) or "active" (the active run's)


def field_label(field: Field) -> str:
    return LABELS.get(field.name, field.name.replace("_", " ").capitalize())


class ModelPicker(QComboBox):
    """Offline models first, then the curated ones to download; any hub id or folder may
    be typed. The last model a run loaded stays selected.

    The list shows each model's summary (size, offline or download); the box itself holds
    the value, the hub id or folder, so what is typed there edits a model name and never
    the summary (the summary taken for a path failed a run with "cannot load …offline1").
    The list is read again each time it opens, so a model installed meanwhile appears.
    """

    def __init__(self, settings: QSettings) -> None:
        super().__init__(editable=True, minimumContentsLength=MODEL_CHARACTERS)
        self.settings = settings
        self.folders: list[str] = []  # chosen with Folder…, kept first when the list is read
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setToolTip("A Hugging Face hub id (needs a download once) or a model folder")
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)  # typed names stay typed
        recent = self.fill()
        last = self.findData(recent[0]) if recent else -1
        if last >= 0:
            self.setCurrentIndex(last)
        self.currentIndexChanged.connect(self.show_model_name)
        self.show_model_name()

    def fill(self) -> list[str]:
        """List the folders chosen here, then the catalog; returns the recent models."""
        recent = self.settings.value("models/recent", [], list)
        for folder in self.folders:
            self.addItem(folder, folder)
        for choice in catalog(recent):
            if self.findData(choice.name_or_path) < 0:
                self.addItem(choice.summary(), choice.name_or_path)
                tip = choice.description()
                self.setItemData(self.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        popup = self.view()
        popup.setMinimumWidth(popup.sizeHintForColumn(0) + 24)
        return recent

    def refresh(self) -> None:
        """Read the catalog again, keeping the chosen or typed model in the box."""
        chosen = self.chosen()
        with QSignalBlocker(self):
            self.clear()
            self.fill()
            index = self.findData(chosen)
            self.setCurrentIndex(index)
            if index < 0:
                self.setEditText(chosen)
        self.show_model_name()

    def showPopup(self) -> None:  # a Qt override: the list is read as it opens
        self.refresh()
        super().showPopup()

    @Slot()
    def show_model_name(self) -> None:
        """The box shows the chosen model's name or folder (its value), from its start."""
        index = self.currentIndex()
        value = self.itemData(index) if index >= 0 else None
        if value:
            self.lineEdit().setText(value)
        self.lineEdit().setCursorPosition(0)

    def chosen(self) -> str:
        """The model to train from: the chosen entry's value, or what was typed."""
        index = self.currentIndex()
        data = self.itemData(index) if index >= 0 else None
        text = self.currentText().strip()
        return data if data and text in (data, self.itemText(index)) else text

    def add_folder(self, folder: str) -> None:
        self.folders = [folder] + [f for f in self.folders if f != folder]
        self.insertItem(0, folder, folder)
        self.setCurrentIndex(0)

    @Slot(str)
    def remember(self, model: str) -> None:
        """Put ``model`` first in the recent models: called once a run has loaded it, so a
        model that failed to load is never offered as the last one used."""
        recent = [model] + [m for m in self.settings.value("models/recent", [], list) if m != model]
        self.settings.setValue("models/recent", recent[:RECENT_MODELS])


class TrainingForm(QWidget):
    """``config()`` reads the form; ``retrain_settings()`` the auto-retrain row."""

    retrainToggled = Signal(bool)

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.model = ModelPicker(settings)
        self.editors: dict[str, QWidget] = {"base_model": self.model}
        browse = QPushButton("Folder…")
        browse.setToolTip("Train from a model folder on this computer")
        browse.clicked.connect(self.choose_folder)
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(4)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model, 1)
        model_row.addWidget(browse)
        grid.addWidget(QLabel(field_label(FIELDS[0])), 0, 0)
        grid.addLayout(model_row, 0, 1, 1, 2 * PAIRS_PER_ROW - 1)
        self._add_options(grid)
        self.device_text = QLabel("device: auto")
        self.device_text.setToolTip("The device a run trains on: each run reports what it uses")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(grid)
        layout.addLayout(self._retrain_rows())
        layout.addWidget(self.device_text)

    def _add_options(self, grid: QGridLayout) -> None:
        """The options after the model: label and editor pairs, two a row; check boxes
        two a row after them."""
        checks: list[QCheckBox] = []
        slot = 0
        for field in FIELDS:
            if not field.in_form or field.name == "base_model":
                continue
            editor = self.editors[field.name] = self._editor(field)
            if isinstance(editor, QCheckBox):
                checks.append(editor)
                continue
            row, pair = 1 + slot // PAIRS_PER_ROW, slot % PAIRS_PER_ROW
            label = QLabel(field_label(field))
            label.setToolTip(field.help)
            grid.addWidget(label, row, 2 * pair)
            grid.addWidget(editor, row, 2 * pair + 1)
            slot += 1
        row = 1 + (slot + PAIRS_PER_ROW - 1) // PAIRS_PER_ROW
        for index, check in enumerate(checks):  # two a row, as the pairs
            pair = index % PAIRS_PER_ROW
            grid.addWidget(check, row + index // PAIRS_PER_ROW, 2 * pair, 1, 2)
        for pair in range(PAIRS_PER_ROW):
            grid.setColumnStretch(2 * pair + 1, 1)

    def _editor(self, field: Field) -> QWidget:
        """The editor of one option, by its type; its tooltip is the option's help."""
        if field.choices:
            editor = QComboBox()
            editor.addItems(list(field.choices))
            editor.setCurrentText(str(field.default))
        elif field.type is bool:
            editor = QCheckBox(CHECKBOX_TEXT.get(field.name, field_label(field)))
            editor.setChecked(bool(field.default))
        elif field.type is int:
            low, high = SPIN_RANGES.get(field.name, (0, 1_000_000))
            editor = QSpinBox(minimum=low, maximum=high)
            if field.default is None:
                editor.setSpecialValueText("auto")  # the minimum means "choose for me"
            else:
                editor.setValue(field.default)
        else:
            editor = QLineEdit(placeholderText=PLACEHOLDERS.get(field.name, "auto"))
            if field.default is not None:
                editor.setText(str(field.default))
        editor.setToolTip(field.help)
        return editor

    def _retrain_rows(self) -> QGridLayout:
        """'[x] Auto-retrain [every 20 done]' and under it where from: two short rows, so
        the form stays narrow."""
        self.auto_retrain = QCheckBox("Auto-retrain")
        self.auto_retrain.setToolTip(
            "In the background: train, make the new model active, re-predict the unfinished "
            "documents and re-order the queue. Annotating goes on meanwhile."
        )
        self.auto_every = QSpinBox(
            minimum=1, maximum=10_000, value=20, prefix="every ", suffix=" done"
        )
        self.auto_every.setToolTip(
            f"A project's first model comes at {FIRST_RUN_AFTER} done documents; "
            "after that, a new run each time this many more are done."
        )
        self.auto_from = QComboBox()
        self.auto_from.addItem("from base model", "base")
        self.auto_from.addItem("from active run", "active")
        settings = self.settings
        self.auto_retrain.setChecked(settings.value("auto_retrain/enabled", False, bool))
        self.auto_every.setValue(settings.value("auto_retrain/every", 20, int))
        self.auto_from.setCurrentIndex(
            max(0, self.auto_from.findData(settings.value("auto_retrain/from", "base")))
        )
        self.auto_retrain.toggled.connect(self.save_retrain_settings)
        self.auto_retrain.toggled.connect(self.retrainToggled)
        self.auto_every.valueChanged.connect(self.save_retrain_settings)
        self.auto_from.currentIndexChanged.connect(self.save_retrain_settings)
        rows = QGridLayout()
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setVerticalSpacing(4)
        rows.addWidget(self.auto_retrain, 0, 0)
        rows.addWidget(self.auto_every, 0, 1)
        rows.addWidget(self.auto_from, 1, 1)
        rows.setColumnStretch(2, 1)
        return rows

    @Slot()
    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Model folder")
        if folder:
            self.model.add_folder(folder)

    def chosen_model(self) -> str:
        return self.model.chosen()

    def value(self, name: str):
        """The option ``name`` as the form says it (None: choose for me)."""
        field = next(f for f in FIELDS if f.name == name)
        editor = self.editors[name]
        if isinstance(editor, ModelPicker):
            return editor.chosen()
        if isinstance(editor, QComboBox):
            return editor.currentText()
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QSpinBox):
            special = editor.specialValueText() and editor.value() == editor.minimum()
            return None if special else editor.value()
        text = editor.text().strip()
        if not text:
            return None
        try:
            return field.type(text)
        except ValueError:
            raise NerstudioError(f"{field_label(field).lower()} {text!r} is not a number") from None

    def config(self) -> TrainConfig:
        """A run of the form's settings, named by the time."""
        values = {name: self.value(name) for name in self.editors}
        return TrainConfig(**values, name=datetime.now().strftime("run-%Y%m%d-%H%M%S"))

    def retrain_settings(self) -> RetrainSettings:
        return RetrainSettings(
            self.auto_retrain.isChecked(), self.auto_every.value(), self.auto_from.currentData()
        )

    @Slot()
    def save_retrain_settings(self) -> None:
        settings = self.retrain_settings()
        self.settings.setValue("auto_retrain/enabled", settings.enabled)
        self.settings.setValue("auto_retrain/every", settings.every)
        self.settings.setValue("auto_retrain/from", settings.start_from)

    def show_device(self, text: str) -> None:
        self.device_text.setText(f"device: {text}")
