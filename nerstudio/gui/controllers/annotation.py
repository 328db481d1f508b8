"""Turns what the editor and the label bar ask for into undo commands, and keeps both in
step (the labels, the armed label).

Kept out of the main window so that window stays composition only.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, QSettings, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from nerstudio.core import text_order
from nerstudio.core.records import Status
from nerstudio.core.spans import ScoredSpan, Span
from nerstudio.core.store import StoredSpan
from nerstudio.gui import commands
from nerstudio.gui.keyboard import return_keyboard
from nerstudio.gui.state import AppState
from nerstudio.gui.widgets.editor import AnnotationEditor
from nerstudio.gui.widgets.label_bar import LabelBar

ENTER_ACCEPTS_KEY = "editor/enter_accepts_suggestions"  # "yes", "no"; unset: ask once


def respanned(start: int, end: int, overlapped: Sequence[Span]) -> tuple[int, int]:
    """Where one entity replacing the entities a selection overlaps goes: the selection,
    grown to take in whole each entity it cuts into (one it shares no edge with: "Port"
    extended over "Elm" of "Elm Rovers" makes "Port Elm Rovers"). An entity it covers, or
    shares an edge with, is re-spanned to the selection: that is how one extends or shrinks."""
    cut = [s for s in overlapped if s.start < start < s.end or s.start < end < s.end]
    cut = [s for s in cut if s.start != start and s.end != end]
    return min([start, *(s.start for s in cut)]), max([end, *(s.end for s in cut)])


class AnnotationController(QObject):
    def __init__(
        self, state: AppState, editor: AnnotationEditor, label_bar: LabelBar, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.editor = editor
        self.label_bar = label_bar
        self.window = parent
        label_bar.labelClicked.connect(editor.apply_label)
        label_bar.armedChanged.connect(self.arm)
        editor.spanRequested.connect(self.add_span)
        editor.relabelRequested.connect(self.relabel)
        editor.removeRequested.connect(self.remove)
        editor.doneRequested.connect(self.done_and_next)
        editor.navigateRequested.connect(self.navigate)
        editor.acceptRequested.connect(self.accept)
        editor.rejectRequested.connect(self.reject)
        state.documentChanged.connect(self.show_document)
        state.documentEdited.connect(self.document_edited)
        state.labelsChanged.connect(self.labels_changed)
        state.message.connect(editor.show_message)
        editor.hintRequested.connect(lambda text: self.window.statusBar().showMessage(text, 5000))

    @Slot(int)
    def show_document(self, _document_id: int) -> None:
        self.editor.show_document(self.state.document, self.state.spans)
        self.editor.set_suggestions(self.state.suggestions)
        return_keyboard(self.editor)

    @Slot(int)
    def document_edited(self, document_id: int) -> None:
        if self.state.document is not None and self.state.document.id == document_id:
            self.editor.set_spans(self.state.spans)
            self.editor.set_suggestions(self.state.suggestions)

    @Slot(object)
    def accept(self, items: list) -> None:
        """A / Shift+A: suggestions become gold spans, as one undoable step."""
        document = self.state.document
        if document is None:
            return
        rows = [(document.id, start, end, label) for start, end, label in items]
        taken = [Span(start, end, label) for start, end, label in items]
        text = "Accept suggestion" if len(rows) == 1 else f"Accept {len(rows)} suggestions"
        # Under review, the model's span replaces the gold it disagrees with.
        gold = self.state.spans
        overlapped = (text_order.overlapping(gold, t.start, t.end) for t in taken)
        replaced = list(dict.fromkeys(span.id for spans in overlapped for span in spans))
        command: commands.EditCommand = commands.AddSpans(self.state, rows, text)
        if replaced:  # one step, one transaction: nothing half-done
            command = commands.Gesture(
                self.state,
                f"{text} (replacing {len(replaced)} gold)",
                [commands.RemoveSpans(self.state, document.id, replaced), command],
            )
        accepted = self.state.execute(command)
        if accepted and len(rows) == 1:
            self.editor.select_span_at(rows[0][1], rows[0][2])

    @Slot(int, int)
    def reject(self, start: int, end: int) -> None:
        """X: drop a suggestion from the active run's stored predictions (undoable)."""
        project, document = self.state.project, self.state.document
        run = project.runs.active() if project else None
        if run is None or document is None:
            return
        self.state.execute(commands.RejectSuggestion(self.state, run.id, document.id, start, end))

    @Slot()
    def labels_changed(self) -> None:
        self.editor.set_labels(self.state.labels)  # a label gone is disarmed (``Session``)
        self.editor.armed_label = self.state.armed_label
        self.label_bar.set_labels(self.state.labels, self.state.armed_label)

    @Slot(object)
    def arm(self, name: str | None) -> None:
        """Shift+click on a label: every drag tags with it at once (None: disarmed)."""
        self.state.session.arm(name)
        self.editor.armed_label = name
        message = f"{name} armed: every drag tags at once" if name else ""
        self.window.statusBar().showMessage(message)

    @Slot(int, int, str)
    def add_span(self, start: int, end: int, label: str) -> None:
        """Tag the selection; over entities, replace them with one (see ``respanned``)."""
        document = self.state.document
        if document is None:
            return
        overlapped = text_order.overlapping(self.state.spans, start, end)
        if not overlapped:
            text = document.text[start:end]
            if self.state.execute(
                commands.AddSpans(
                    self.state, [(document.id, start, end, label)], f"Tag '{text[:30]}' as {label}"
                )
            ):
                self.editor.select_span_at(start, end)
            return
        start, end = respanned(start, end, overlapped)
        if len(overlapped) == 1 and (overlapped[0].start, overlapped[0].end) == (start, end):
            if overlapped[0].label != label:  # the same extent: a plain relabel
                self.relabel(overlapped[0].id, label)
            self.editor.select_span_at(start, end)
            return
        self._replace(document.id, overlapped, Span(start, end, label))

    def _replace(self, document_id: int, overlapped: list[StoredSpan], new: Span) -> None:
        """Remove ``overlapped`` and add ``new`` as one undo step (nothing half-done)."""
        count = len(overlapped)
        name = (
            f"Merge {count} entities into {new.label}" if count > 1 else f"Re-span as {new.label}"
        )
        parts = [
            commands.RemoveSpans(self.state, document_id, [s.id for s in overlapped]),
            commands.AddSpans(self.state, [(document_id, new.start, new.end, new.label)], name),
        ]
        if self.state.execute(commands.Gesture(self.state, name, parts)):
            self.editor.select_span_at(new.start, new.end)

    @Slot(int, str)
    def relabel(self, span_id: int, label: str) -> None:
        if self.state.document is not None:
            self.state.execute(
                commands.RelabelSpan(self.state, self.state.document.id, span_id, label)
            )

    @Slot(int)
    def remove(self, span_id: int) -> None:
        if self.state.document is not None:
            self.state.execute(commands.RemoveSpans(self.state, self.state.document.id, [span_id]))

    def set_status(self, status: Status) -> None:
        if self.state.document is not None:
            self.state.execute(commands.SetStatus(self.state, self.state.document.id, status))

    @property
    def settings(self) -> QSettings:
        return getattr(self.window, "settings", None) or QSettings()

    def enter_accepts(self) -> bool | None:
        """Whether Enter accepts the suggestions shown (None: not chosen yet)."""
        value = self.settings.value(ENTER_ACCEPTS_KEY)
        return None if value is None else str(value) == "yes"

    def set_enter_accepts(self, accepts: bool) -> None:
        self.settings.setValue(ENTER_ACCEPTS_KEY, "yes" if accepts else "no")

    def _pending_suggestions(self) -> list[ScoredSpan]:
        """Suggestions on screen that Enter would otherwise throw away (not under review)."""
        document = self.state.document
        if document is None or document.status is Status.DONE:
            return []
        return list(self.state.suggestions)

    @Slot()
    def done_and_next(self) -> None:
        """Enter: mark done, then open the next unfinished document. With suggestions on
        screen, first accept them if the user chose so (asked once, then a preference)."""
        document = self.state.document
        pending = self._pending_suggestions()
        if pending:
            accepts = self.enter_accepts()
            if accepts is None:
                answer = QMessageBox.question(
                    self.window,
                    "Suggestions on screen",
                    f"This document shows {len(pending)} suggestion(s). Should Enter accept "
                    "the suggestions shown as entities before marking a document done?\n"
                    "(Change it later: Document → Enter accepts suggestions.)",
                )
                accepts = answer == QMessageBox.StandardButton.Yes
                self.set_enter_accepts(accepts)
                self.sync_enter_action()
            if accepts and document is not None:
                rows = [(document.id, s.start, s.end, s.label) for s in pending]
                parts = [
                    commands.AddSpans(self.state, rows, f"Accept {len(rows)} suggestions"),
                    commands.SetStatus(self.state, document.id, Status.DONE),
                ]
                text = f"Accept {len(rows)} suggestion(s) and mark done"
                if not self.state.execute(commands.Gesture(self.state, text, parts)):
                    return
                self._open_next()
                return
        self.set_status(Status.DONE)
        self._open_next()

    def sync_enter_action(self) -> None:
        action = getattr(self.window, "enter_accepts_action", None)
        if action is not None:
            action.setChecked(self.enter_accepts() is True)

    def _open_next(self) -> None:
        following = self.state.following_unfinished()
        if following is not None:
            self.state.open_document(following)
        elif self.state.project is not None:
            self.state.say(self.state.all_done_text())

    @Slot(int)
    def navigate(self, step: int) -> None:
        target = self.state.neighbour(step)
        if target is not None:
            self.state.open_document(target)

    def tag_all(self, everywhere: bool) -> None:
        """Tag every other exact occurrence of the selected entity's tokens."""
        span = self.editor.selected_span
        document = self.state.document
        if span is None or document is None or self.state.project is None:
            self.state.say("Select an entity first (click it), then tag all.")
            return
        words = [document.text[s:e] for s, e in document.tokens if span.contains(s)]
        scope = None if everywhere else [document.id]
        found = self.state.project.spans.find_occurrences(words, scope)
        if everywhere:
            here = [f for f in found if f[0] == document.id]
            found = here + [f for f in found if f[0] != document.id]
        if not found:
            self.state.say(f"No other untagged '{' '.join(words)}' found.")
            return
        if everywhere:
            docs = len({f[0] for f in found})
            answer = QMessageBox.question(
                self.window,
                "Tag all occurrences",
                f"Tag {len(found):,} occurrences of '{' '.join(words)}' as {span.label} in "
                f"{docs:,} documents not yet done?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            self.state.project.backup("tag-all")
        items = [(doc, start, end, span.label) for doc, start, end in found]
        if self.state.execute(
            commands.AddSpans(self.state, items, f"Tag all '{' '.join(words)}' as {span.label}")
        ):
            self.state.say(f"Tagged {len(items):,} more as {span.label}.")
