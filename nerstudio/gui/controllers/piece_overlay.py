"""Keeps the editor's "what the model will see" overlay in step with the document, its
spans and the base model chosen in the training panel."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Slot

from nerstudio.core.errors import NerstudioError
from nerstudio.core.plural import counted
from nerstudio.core.training.pieces import load_piece_tokenizer, piece_view
from nerstudio.gui.state import AppState
from nerstudio.gui.widgets.editor import AnnotationEditor
from nerstudio.gui.widgets.training_panel import TrainingPanel


class PieceOverlay(QObject):
    def __init__(
        self,
        state: AppState,
        editor: AnnotationEditor,
        panel: TrainingPanel,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.editor = editor
        self.panel = panel
        self.enabled = False
        self.tokenizers: dict[str, object] = {}
        state.documentChanged.connect(self.refresh)
        state.documentEdited.connect(self.refresh)

    @Slot(bool)
    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        self.refresh()

    @Slot()
    def refresh(self, *_args) -> None:
        record = self.state.document
        if not self.enabled or record is None:
            self.editor.set_pieces(None)
            return
        folder = self.panel.chosen_model()
        try:
            if folder not in self.tokenizers:
                if not Path(folder).is_dir():
                    raise NerstudioError(
                        f"{folder}: pick a local model folder in the training panel to see "
                        "its sub-word pieces"
                    )
                self.tokenizers[folder] = load_piece_tokenizer(folder)
        except NerstudioError as err:
            self.state.say(str(err))
            self.editor.set_pieces(None)
            return
        gold = tuple(span.span for span in self.state.spans)  # the record's are ``state.spans``
        view = piece_view(
            self.tokenizers[folder],
            replace(record, spans=gold),
            self.panel.form.editors["max_length"].value(),
        )
        self.editor.set_pieces(view)
        note = f"{len(view.pieces):,} pieces in {view.windows} window(s)"
        if view.cut_entities:
            cut = counted(len(view.cut_entities), "entity")
            note += f"; {cut} cut by the max length (red frames)"
        self.state.say(note)
