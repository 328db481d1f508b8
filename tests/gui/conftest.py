"""Fixtures for the annotation window: isolated settings, a QThread guard, no blocking
dialogs, small projects in tmp_path, and a driver that sends real mouse and key events.

Points in the editor are found from the editor's own layout (``cursorRect``), with the
UTF-16 position computed here from the text, independently of the app's ``OffsetMap``,
so a test that clicks "the character at code point N" checks the conversion too.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QPoint, QSettings, Qt, QThread
from PySide6.QtGui import QColor, QTextCursor
from PySide6.QtWidgets import QInputDialog, QMessageBox

from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize

LABELS = ("PER", "ORG", "LOC")

# -- guard: no test may leave a QThread running ---------------------------------------------


class StartedThread:
    """A QThread a test started, as the guard sees it. The job runner deletes a thread once
    it has finished (``deleteLater``), so a deleted one counts as finished."""

    def __init__(self, thread: QThread) -> None:
        self.thread = thread

    def alive(self) -> bool:
        return shiboken6.isValid(self.thread)

    def isRunning(self) -> bool:  # QThread's names
        return self.alive() and self.thread.isRunning()

    def isFinished(self) -> bool:
        return not self.alive() or self.thread.isFinished()

    def quit(self) -> None:
        if self.alive():
            self.thread.quit()

    def wait(self, ms: int) -> bool:
        return not self.alive() or self.thread.wait(ms)

    def __repr__(self) -> str:
        return repr(self.thread) if self.alive() else "<deleted QThread>"


_started_threads: list[StartedThread] = []


@pytest.fixture(autouse=True)
def record_threads(monkeypatch) -> list[StartedThread]:
    """Remember every QThread started during the test (checked by the hook below)."""
    _started_threads.clear()
    original = QThread.start

    def start(self, *args, **kwargs):
        _started_threads.append(StartedThread(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QThread, "start", start)
    return _started_threads


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a test that returns while a QThread it started still runs.

    Checked right after the test body, before pytest-qt closes the windows (whose
    closeEvent would wait for their threads and hide the leak).
    """
    result = yield
    running = [t for t in _started_threads if t.isRunning()]
    for thread in running:  # stop them anyway, so the next test starts clean
        thread.quit()
        thread.wait(5000)
    if running:
        pytest.fail(f"test left {len(running)} QThread(s) running: {running}", pytrace=False)
    return result


# -- isolation ----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch) -> Path:
    """QSettings (recent projects, geometry, theme) under tmp_path, never the user's."""
    folder = tmp_path / "settings"
    folder.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    # No standby prediction process (torch loading in a child) behind every window that
    # has a run; tests of the standby set it back to "1".
    monkeypatch.setenv("NERSTUDIO_STANDBY", "0")
    monkeypatch.setenv("HOME", str(tmp_path))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, str(folder))
    return folder


class Dialogs:
    """Records the message boxes the app opened instead of blocking on them."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str, str]] = []  # (kind, title, text)
        self.answer = QMessageBox.StandardButton.No

    def texts(self, kind: str) -> list[str]:
        return [f"{title}: {text}" for k, title, text in self.shown if k == kind]


@pytest.fixture(autouse=True)
def dialogs(monkeypatch) -> Dialogs:
    """No modal QMessageBox/QInputDialog can hang a test: each is recorded and answered."""
    record = Dialogs()

    def fake(kind: str) -> Callable:
        def show(_parent, title, text, *_args, **_kwargs):
            record.shown.append((kind, title, text))
            return record.answer if kind == "question" else QMessageBox.StandardButton.Ok

        return show

    for kind in ("question", "warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(fake(kind)))

    def no_input(*_args, **_kwargs):
        raise AssertionError("an unexpected QInputDialog opened")

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(no_input))
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(no_input))
    return record


# -- projects -------------------------------------------------------------------------------


Doc = str | tuple
"""A document for a test project: its text, or (text, [(needle, label)...], status)."""


def make_record(doc: Doc) -> DocumentRecord:
    text, entities, status = (
        (doc, (), Status.NEW) if isinstance(doc, str) else (*doc, Status.NEW)[:3]
    )
    tokens = tuple(tokenize(text))
    spans = []
    for needle, label in entities:
        start = text.index(needle)
        spans.append(Span(start, start + len(needle), label))
    return DocumentRecord(text=text, tokens=tokens, spans=tuple(spans), status=Status(status))


@pytest.fixture
def make_project(tmp_path) -> Callable[..., Path]:
    """``make_project(docs, labels=LABELS, name="corpus.db")`` -> path of a new project."""

    def make(docs: Iterable[Doc], labels: Sequence[str] = LABELS, name: str = "corpus.db") -> Path:
        path = tmp_path / name
        with Project.create(path, labels) as project:
            project.documents.add([make_record(doc) for doc in docs])
        return path

    return make


def stored_spans(path: Path, document_id: int) -> list[tuple[int, int, str]]:
    """The spans of a document as a fresh connection reads them from the file."""
    with Project.open(path) as project:
        return [(s.start, s.end, s.label) for s in project.spans.list(document_id)]


def stored_status(path: Path, document_id: int) -> Status:
    with Project.open(path) as project:
        return project.documents.rows([document_id])[0].status


# -- driving the window -------------------------------------------------------------------


class Driver:
    """The open window and real input events on its editor."""

    def __init__(self, qtbot, window, path: Path) -> None:
        self.qtbot = qtbot
        self.window = window
        self.path = path

    @property
    def editor(self):
        return self.window.editor

    @property
    def state(self):
        return self.window.state

    @property
    def text(self) -> str:
        return self.editor.record.text

    @property
    def document_id(self) -> int:
        return self.state.document.id

    def at(self, needle: str, inside: int = 0, nth: int = 0) -> int:
        """Code-point offset of character ``inside`` of the ``nth`` occurrence of needle."""
        start = -1
        for _ in range(nth + 1):
            start = self.text.index(needle, start + 1)
        return start + inside

    def qt_position(self, offset: int) -> int:
        """UTF-16 position of a code-point offset, computed from the text itself."""
        return len(self.text[:offset].encode("utf-16-le")) // 2

    def point(self, offset: int) -> QPoint:
        """Viewport point at the middle of the character at code-point ``offset``."""
        cursor = QTextCursor(self.editor.document())
        cursor.setPosition(self.qt_position(offset))
        left = self.editor.cursorRect(cursor)
        cursor.setPosition(self.qt_position(offset + 1))
        right = self.editor.cursorRect(cursor)
        assert left.top() == right.top(), "the character wraps; pick another"
        return QPoint((left.left() + right.left()) // 2, left.center().y())

    # mouse
    def press(self, offset: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        self.qtbot.mousePress(
            self.editor.viewport(), Qt.MouseButton.LeftButton, modifier, self.point(offset)
        )

    def move(self, offset: int) -> None:
        self.qtbot.mouseMove(self.editor.viewport(), self.point(offset))

    def release(self, offset: int) -> None:
        self.qtbot.mouseRelease(
            self.editor.viewport(), Qt.MouseButton.LeftButton, pos=self.point(offset)
        )

    def drag(self, start: int, end: int) -> None:
        self.press(start)
        self.move(end)
        self.release(end)

    def click(self, offset: int) -> None:
        self.qtbot.mouseClick(
            self.editor.viewport(), Qt.MouseButton.LeftButton, pos=self.point(offset)
        )

    def double_click(self, offset: int) -> None:
        self.qtbot.mouseDClick(
            self.editor.viewport(), Qt.MouseButton.LeftButton, pos=self.point(offset)
        )

    # keyboard
    def key(self, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        self.qtbot.keyClick(self.editor, key, modifier)

    def undo(self) -> None:
        self.key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)

    def redo(self) -> None:
        self.key(
            Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        )

    # what the user sees
    def selected_text(self) -> str | None:
        """The words under the live (blue) token selection."""
        offsets = self.editor.selected_offsets()
        return None if offsets is None else self.text[offsets[0] : offsets[1]]

    def _rect(self, offset: int):
        cursor = QTextCursor(self.editor.document())
        cursor.setPosition(self.qt_position(offset))
        return self.editor.cursorRect(cursor)

    def background(self, needle: str, nth: int = 0) -> str:
        """The color painted behind ``needle`` (the most common pixel over it)."""
        start = self.at(needle, nth=nth)
        left, right = self._rect(start), self._rect(start + len(needle))
        assert left.top() == right.top(), "the text wraps; pick another"
        image = self.editor.viewport().grab().toImage()
        counts = Counter(
            image.pixelColor(QPoint(x, y)).name()
            for x in range(left.left() + 1, right.left())
            for y in range(left.top(), left.bottom() + 1)
        )
        return counts.most_common(1)[0][0]

    def caption_below(self, needle: str, nth: int = 0) -> QColor | None:
        """The color of a caption chip under the start of ``needle`` (the most common
        saturated color just below the line), or None where nothing is painted there."""
        rect = self._rect(self.at(needle, nth=nth))
        image = self.editor.viewport().grab().toImage()
        counts = Counter(
            image.pixelColor(QPoint(x, y)).name()
            for x in range(rect.left() + 1, rect.left() + 7)
            for y in range(rect.bottom() + 2, rect.bottom() + 24)
        )
        chips = [(n, c) for c, n in counts.items() if QColor(c).saturation() > 60]
        if not chips or max(chips)[0] < 12:
            return None
        return QColor(max(chips)[1])

    @property
    def selection_color(self) -> str:
        """The background of the live token selection."""
        from nerstudio.gui.widgets.editor import SELECTION_COLOR

        return SELECTION_COLOR.name()

    @property
    def plain(self) -> str:
        return self.editor.viewport().palette().base().color().name()

    def label_color(self, name: str) -> str:
        return next(label.color for label in self.state.labels if label.name == name)

    def spans(self, document_id: int | None = None) -> list[tuple[int, int, str]]:
        """Spans stored in the file (a fresh connection: proves autosave)."""
        return stored_spans(self.path, document_id or self.document_id)

    def status(self, document_id: int | None = None) -> Status:
        return stored_status(self.path, document_id or self.document_id)

    def entity(self, needle: str, label: str, nth: int = 0) -> tuple[int, int, str]:
        start = self.at(needle, nth=nth)
        return (start, start + len(needle), label)


@pytest.fixture
def open_window(qtbot) -> Callable[[Path], Driver]:
    """``open_window(path)``: the real window from ``create_window``, shown and active."""
    from nerstudio.gui.app import create_window

    def open_(path: Path) -> Driver:
        window = create_window(path)
        qtbot.addWidget(window)
        window.show()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=3000)
        return Driver(qtbot, window, path)

    return open_


@pytest.fixture
def open_project(qtbot) -> Callable[[object, Path], None]:
    """``open_project(window, path)``: what the File menu does (the file is checked off the
    GUI thread, then opened), waiting until that is over."""

    def open_(window, path: Path) -> None:
        window.open_project(path)
        qtbot.waitUntil(lambda: not window.projects.is_opening(), timeout=10_000)

    return open_


@pytest.fixture(scope="session")
def qapp_args(tmp_path_factory) -> list[str]:
    """A 1920×1080 offscreen screen (Qt's default is 800×800), so the window opens at the
    size it has on a desktop: the window fits itself to the screen it is on."""
    config = tmp_path_factory.mktemp("screen") / "screen.json"
    screen = {
        "name": "desktop",
        "x": 0,
        "y": 0,
        "width": 1920,
        "height": 1080,
        "logicalDpi": 96,
        "logicalBaseDpi": 96,
        "dpr": 1,
    }
    config.write_text(json.dumps({"screens": [screen]}))
    return ["nerstudio-tests", "-platform", f"offscreen:configfile={config}"]
