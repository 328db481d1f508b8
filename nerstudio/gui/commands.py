"""One QUndoCommand per kind of edit; each step (do, undo, redo) is one transaction.

``AppState.execute`` calls ``apply()`` first, so a refused edit (an overlap, a taken
hotkey) raises before anything is pushed; QUndoStack's first ``redo()`` is then skipped.
Editing a document's spans moves it from new to in progress, and undo moves it back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtGui import QUndoCommand

from nerstudio.core.errors import NerstudioError
from nerstudio.core.records import Status
from nerstudio.core.sources.dictionary import count_rejections
from nerstudio.core.spans import ScoredSpan
from nerstudio.core.store import StoredSpan
from nerstudio.gui.state import AppState


class EditCommand(QUndoCommand):
    """Base: ``apply``/``revert`` make the store calls, ``refresh`` tells the state.

    ``perform`` and ``take_back`` run ``apply``/``revert`` inside one
    ``project.transaction()`` (the parts' own transactions become savepoints), so a step
    refused half-way leaves the file as it was; the state is told after the commit, so
    nothing reads a change that is then rolled back.
    """

    def __init__(self, state: AppState, text: str) -> None:
        super().__init__(text)
        self.state = state
        self.applied = False

    @property
    def project(self):
        assert self.state.project is not None
        return self.state.project

    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError

    def refresh(self) -> None:
        """Show what ``apply`` or ``revert`` just stored."""

    def perform(self) -> None:
        """``apply`` as one transaction, then ``refresh`` (what ``AppState.execute`` calls)."""
        with self.project.transaction():
            self.apply()
        self.refresh()

    def take_back(self) -> None:
        """``revert`` as one transaction, then ``refresh``."""
        with self.project.transaction():
            self.revert()
        self.refresh()

    def redo(self) -> None:
        if self.applied:  # done already by AppState.execute
            self.applied = False
            return
        self._guarded(self.perform)

    def undo(self) -> None:
        self._guarded(self.take_back)

    def _guarded(self, step) -> None:
        """An undo/redo the file refuses (locked too long, read-only, full disk) is
        told to the user and dropped from the stack; the screen shows the file's state."""
        try:
            step()
        except NerstudioError as err:
            self.setObsolete(True)
            self.state.say(f"{self.text()}: not stored: {err}")
            self.state.resync()


class Gesture(EditCommand):
    """One user gesture made of several edits (replace entities with one, accept
    suggestions over gold, accept and mark done): one undo step, one transaction, so a
    part refused leaves nothing of the others behind."""

    def __init__(self, state: AppState, text: str, parts: Sequence[EditCommand]) -> None:
        super().__init__(state, text)
        self.parts = list(parts)

    def apply(self) -> None:
        for part in self.parts:
            part.apply()

    def revert(self) -> None:
        for part in reversed(self.parts):
            part.revert()

    def refresh(self) -> None:
        for part in self.parts:
            part.refresh()


class DocumentEdit(EditCommand):
    """A span edit in one or more documents; marks new documents in progress."""

    def __init__(self, state: AppState, text: str, document_ids: Sequence[int]) -> None:
        super().__init__(state, text)
        self.document_ids = sorted(set(document_ids))
        self.started: list[int] = []
        self.shown: tuple[Sequence[StoredSpan] | None, Sequence[StoredSpan]] = ((), ())

    def mark_in_progress(self) -> None:
        rows = self.project.documents.rows(self.document_ids)
        self.started = [row.id for row in rows if row.status is Status.NEW]
        if self.started:
            self.project.documents.set_status(self.started, Status.IN_PROGRESS)

    def unmark(self) -> None:
        if self.started:
            self.project.documents.set_status(self.started, Status.NEW)

    def show(
        self, added: Sequence[StoredSpan] | None = (), removed: Sequence[StoredSpan] = ()
    ) -> None:
        """What ``refresh`` will tell the state the edit changed (None: re-read it all)."""
        self.shown = (added, removed)

    def refresh(self) -> None:
        """Tell the state what the edit changed in each document (nothing is re-read)."""
        added, removed = self.shown
        if added is None:
            for document_id in self.document_ids:
                self.state.reload(document_id)
            return
        by_document: dict[int, tuple[list[StoredSpan], list[StoredSpan]]] = {
            document_id: ([], []) for document_id in self.document_ids
        }
        for span in added:
            by_document[span.document_id][0].append(span)
        for span in removed:
            by_document[span.document_id][1].append(span)
        for document_id, (plus, minus) in by_document.items():
            self.state.spans_edited(document_id, plus, minus)


class AddSpans(DocumentEdit):
    """Add one span, or many (tag all occurrences), as one step."""

    def __init__(self, state: AppState, items: Sequence[tuple[int, int, int, str]], text: str):
        super().__init__(state, text, [item[0] for item in items])
        self.items = list(items)
        self.removed: list[StoredSpan] = []

    def apply(self) -> None:
        if self.removed:  # a redo: the same spans with the same ids (ids are never reused)
            self.project.spans.restore(self.removed)
            added = self.removed
        else:
            self.ids = self.project.spans.add_many(self.items)
            added = self._stored(self.ids)
        self.mark_in_progress()
        self.show(added=added)

    def _stored(self, ids: Sequence[int]) -> list[StoredSpan] | None:
        """The spans just added, as stored; None where the store's order of ids is not
        the items' own (several documents: it groups them by document)."""
        if len(self.document_ids) != 1:
            return None
        return [
            StoredSpan(start, end, label, id=span_id, document_id=document_id)
            for (document_id, start, end, label), span_id in zip(self.items, ids, strict=True)
        ]

    def revert(self) -> None:
        self.removed = self.project.spans.remove_many(self.ids)
        self.unmark()
        self.show(removed=self.removed)


class RemoveSpans(DocumentEdit):
    def __init__(self, state: AppState, document_id: int, span_ids: Sequence[int]) -> None:
        super().__init__(state, "Delete entity", [document_id])
        self.span_ids = list(span_ids)
        self.removed: list[StoredSpan] = []

    def apply(self) -> None:
        self.removed = self.project.spans.remove_many(self.span_ids)
        self.mark_in_progress()
        self.show(removed=self.removed)

    def revert(self) -> None:
        self.project.spans.restore(self.removed)
        self.unmark()
        self.show(added=self.removed)


class RelabelSpan(DocumentEdit):
    def __init__(self, state: AppState, document_id: int, span_id: int, label: str) -> None:
        super().__init__(state, f"Relabel entity as {label}", [document_id])
        self.span_id = span_id
        self.label = label
        self.before: StoredSpan | None = None

    def apply(self) -> None:
        self.before = self.project.spans.relabel(self.span_id, self.label)
        self.mark_in_progress()
        self.show(added=[replace(self.before, label=self.label)], removed=[self.before])

    def revert(self) -> None:
        assert self.before is not None
        after = self.project.spans.relabel(self.span_id, self.before.label)
        self.unmark()
        self.show(added=[self.before], removed=[after])


class RejectSuggestion(EditCommand):
    """X: drop a suggestion of the active run; undo brings it back. Gold is untouched."""

    def __init__(self, state: AppState, run_id: int, document_id: int, start: int, end: int):
        super().__init__(state, "Reject suggestion")
        self.run_id, self.document_id = run_id, document_id
        self.start, self.end = start, end
        self.dropped: list[ScoredSpan] = []

    def apply(self) -> None:
        predictions = self.project.predictions
        self.dropped = predictions.reject(self.run_id, self.document_id, self.start, self.end)
        self._count_rejections(1)

    def revert(self) -> None:
        self.project.predictions.restore(self.run_id, self.document_id, self.dropped)
        self._count_rejections(-1)

    def refresh(self) -> None:
        self.state.reload(self.document_id)

    def _count_rejections(self, delta: int) -> None:
        """A dictionary source learns what was rejected (undo takes it back)."""
        if self.state.document is not None and self.state.document.id == self.document_id:
            text = self.state.document.text
            count_rejections(self.project, self.run_id, text, self.dropped, delta)


class SetStatus(EditCommand):
    def __init__(self, state: AppState, document_id: int, status: Status) -> None:
        super().__init__(state, f"Mark {status.value.replace('_', ' ')}")
        self.document_id = document_id
        self.status = status
        self.previous = Status.NEW

    def apply(self) -> None:
        self.previous = self.project.documents.rows([self.document_id])[0].status
        self.project.documents.set_status([self.document_id], self.status)

    def revert(self) -> None:
        self.project.documents.set_status([self.document_id], self.previous)

    def refresh(self) -> None:
        self.state.reload(self.document_id)


class LabelEdit(EditCommand):
    """Label edits refresh the label bar, the manager and the shown entities."""

    def refresh(self) -> None:
        self.state.reload_labels()


class AddLabel(LabelEdit):
    def __init__(self, state: AppState, name: str) -> None:
        super().__init__(state, f"Add label {name}")
        self.name = name

    def apply(self) -> None:
        self.project.labels.add(self.name)

    def revert(self) -> None:
        self.project.labels.delete(self.name)


class RenameLabel(LabelEdit):
    def __init__(self, state: AppState, old: str, new: str) -> None:
        super().__init__(state, f"Rename label {old} to {new}")
        self.old, self.new = old, new.strip()

    def apply(self) -> None:
        self.project.labels.rename(self.old, self.new)
        self._follow(self.old, self.new)

    def revert(self) -> None:
        self.project.labels.rename(self.new, self.old)
        self._follow(self.new, self.old)

    def _follow(self, before: str, after: str) -> None:
        self.state.session.follow_label_rename(before, after)


class DescribeLabel(LabelEdit):
    """A label's description: what a zero-shot model reads instead of the bare name."""

    def __init__(self, state: AppState, name: str, description: str) -> None:
        super().__init__(state, f"Describe label {name}")
        self.name, self.description = name, description.strip()
        self.previous: str | None = None

    def apply(self) -> None:
        self.previous = self.project.labels.descriptions().get(self.name)
        self.project.labels.describe(self.name, self.description)

    def revert(self) -> None:
        self.project.labels.describe(self.name, self.previous)


class RecolorLabel(LabelEdit):
    def __init__(self, state: AppState, name: str, color: str) -> None:
        super().__init__(state, f"Recolor label {name}")
        self.name, self.color, self.previous = name, color, ""

    def apply(self) -> None:
        self.previous = self.project.labels.get(self.name).color
        self.project.labels.recolor(self.name, self.color)

    def revert(self) -> None:
        self.project.labels.recolor(self.name, self.previous)


class SetLabelHotkey(LabelEdit):
    def __init__(self, state: AppState, name: str, hotkey: str | None) -> None:
        super().__init__(state, f"Set hotkey of {name}")
        self.name, self.hotkey, self.previous = name, hotkey, None

    def apply(self) -> None:
        self.previous = self.project.labels.get(self.name).hotkey
        self.project.labels.set_hotkey(self.name, self.hotkey)

    def revert(self) -> None:
        self.project.labels.set_hotkey(self.name, self.previous)


class ReorderLabels(LabelEdit):
    def __init__(self, state: AppState, names: Sequence[str]) -> None:
        super().__init__(state, "Reorder labels")
        self.names = list(names)
        self.previous: list[str] = []

    def apply(self) -> None:
        self.previous = [label.name for label in self.project.labels.list()]
        self.project.labels.reorder(self.names)

    def revert(self) -> None:
        self.project.labels.reorder(self.previous)


class DeleteLabel(LabelEdit):
    """Delete a label with its spans; undo brings both back, ids included."""

    def __init__(self, state: AppState, name: str) -> None:
        super().__init__(state, f"Delete label {name}")
        self.name = name

    def apply(self) -> None:
        self.label = self.project.labels.get(self.name)
        self.spans = self.project.spans.of_label(self.name)
        self.project.labels.delete(self.name)

    def revert(self) -> None:
        self.project.labels.restore(self.label, self.spans)


class MergeLabels(LabelEdit):
    """Move every span of ``source`` to ``target`` and delete ``source``."""

    def __init__(self, state: AppState, source: str, target: str) -> None:
        super().__init__(state, f"Merge {source} into {target}")
        self.source, self.target = source, target

    def perform(self) -> None:
        self.project.backup("merge-labels")  # outside the step's transaction
        super().perform()

    def apply(self) -> None:
        self.label = self.project.labels.get(self.source)
        self.moved = self.project.labels.merge(self.source, self.target)

    def revert(self) -> None:
        self.project.labels.restore(self.label)
        self.project.spans.relabel_many(self.moved, self.source)
