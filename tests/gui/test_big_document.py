"""A document of hundreds of thousands of tokens answers a key as fast as a short one: a key
press reads no span list of the whole document and Qt lays out, hit-tests and paints
paragraphs of bounded length (one paragraph of 6 MB made each key cost half a second)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import ScoredSpan, Span
from nerstudio.core.store import Project
from nerstudio.core.store.documents import Documents
from nerstudio.core.store.predictions import Predictions
from nerstudio.core.store.spans import Spans
from nerstudio.core.tokens import tokenize
from nerstudio.gui.widgets.editor.paragraphs import PARAGRAPH_CHARS, in_paragraphs

SHIFT = Qt.KeyboardModifier.ShiftModifier
WORDS = "the market said government minister shares week police team match year".split()
NAMES = ["Berlin", "Reuters", "Clinton", "Paris", "NATO"]


# -- what the editor's QTextDocument holds ----------------------------------------------------


@given(
    st.lists(
        st.one_of(
            st.sampled_from(["word", "x", "Paris.", "\n", "a-very-long-token" * 3]),
            st.text(alphabet="ab .!?\n\t", max_size=12),
        ),
        max_size=400,
    ),
    st.integers(min_value=8, max_value=120),
)
def test_paragraphs_keep_every_offset_and_break_only_at_spaces(parts, limit):
    text = " ".join(parts)
    shown = in_paragraphs(text, limit)
    assert len(shown) == len(text)
    changed = [i for i, (a, b) in enumerate(zip(text, shown, strict=True)) if a != b]
    assert all(text[i] == " " and shown[i] == "\n" for i in changed)
    for paragraph in shown.split("\n"):
        # A paragraph runs past the limit only where it has no space to break at.
        assert len(paragraph) <= limit or " " not in paragraph[1:limit]


def test_a_paragraph_breaks_after_a_sentence_where_one_ends():
    text = " ".join(f"Sentence number {i} ends here." for i in range(200))
    for paragraph in in_paragraphs(text).split("\n"):
        assert paragraph.endswith(".") and len(paragraph) <= PARAGRAPH_CHARS


def test_a_short_document_is_shown_as_it_is():
    text = "Kofi Mensah visited Oslo.\nAma went to Accra. " * 10
    assert in_paragraphs(text) == text


# -- the window on a big document --------------------------------------------------------------


def big_record(words: int, seed: int = 0) -> DocumentRecord:
    """One line of ``words`` words (as CoNLL joins a document), a name every 10th word."""
    rng = random.Random(seed)
    parts = [rng.choice(NAMES) if i % 10 == 0 else rng.choice(WORDS) for i in range(words)]
    for i in range(39, words, 40):
        parts[i] += "."
    text = " ".join(parts)
    tokens = tuple(tokenize(text))
    spans = tuple(Span(s, e, "PER") for s, e in tokens if text[s:e] in NAMES)
    return DocumentRecord(text=text, tokens=tokens, spans=spans, status=Status.NEW)


def with_predictions(project: Project, document_id: int, spans, folder) -> None:
    """An active run whose prediction of the document is ``spans``."""
    run = project.runs.start("r1", "tiny", "full", {}, str(folder / "r1"))
    project.runs.finish(run.id, "completed", {})
    project.predictions.save(run.id, [(document_id, spans, {"mnlp": 0.2})])
    project.runs.set_active("r1")


@pytest.fixture
def big_window(tmp_path, open_window):
    """20,000 words, each name gold PER; the active run predicts LOC on each."""
    path = tmp_path / "big.db"
    record = big_record(20_000)
    with Project.create(path, ["PER", "ORG", "LOC"]) as project:
        (doc,) = project.documents.add([record]).document_ids
        predicted = [ScoredSpan(s.start, s.end, "LOC", 0.7) for s in record.spans]
        with_predictions(project, doc, predicted, tmp_path)
    return open_window(path)


class Reads:
    """Counts the window's reads of a whole document (its spans, its record, a run's
    prediction of it)."""

    def __init__(self, monkeypatch) -> None:
        self.calls: list[str] = []
        for owner, name in ((Spans, "list"), (Documents, "get"), (Predictions, "get")):
            real = getattr(owner, name)
            monkeypatch.setattr(owner, name, self._counted(f"{owner.__name__}.{name}", real))

    def _counted(self, name, real):
        def read(project, *args, **kwargs):
            self.calls.append(name)
            return real(project, *args, **kwargs)

        return read


def test_the_big_document_is_shown_in_paragraphs_of_bounded_length(big_window):
    document = big_window.editor.document()
    assert document.characterCount() - 1 == len(big_window.text)
    assert document.blockCount() > len(big_window.text) // PARAGRAPH_CHARS
    block = document.begin()
    while block.isValid():
        assert block.length() <= PARAGRAPH_CHARS + 1
        block = block.next()


def test_a_key_press_reads_no_whole_document(big_window, monkeypatch):
    ui = big_window
    reads = Reads(monkeypatch)
    for _ in range(3):
        ui.key(Qt.Key.Key_Right)  # from "Berlin…" (an entity) to the words after it
    ui.key(Qt.Key.Key_Right, SHIFT)
    words = ui.selected_text()
    assert len(words.split()) == 2 and not any(n in words for n in NAMES)
    ui.key("2")  # a new ORG over the two words
    start = ui.text.index(words)
    ui.key(Qt.Key.Key_Delete)
    ui.undo()
    ui.key("3")  # relabel it
    for _ in range(3):
        ui.key(Qt.Key.Key_Left)  # back to the first word, a name tagged at import
    assert ui.editor.selected_span is not None and ui.editor.selected_span.start == 0
    assert ui.state.suggestions == []  # gold covers every prediction
    ui.key(Qt.Key.Key_Delete)
    assert reads.calls == []  # every key above touched only the spans next to it
    (back,) = ui.state.suggestions  # the prediction the deleted name covered
    assert (back.start, back.label) == (0, "LOC") and ui.editor.suggestions is ui.state.suggestions
    stored = ui.spans()
    assert (start, start + len(words), "LOC") in stored
    assert len(stored) == len(ui.state.spans) == 2_000
    shown = [(s.start, s.end, s.label) for s in ui.state.spans]
    assert shown == stored and [(s.start, s.end, s.label) for s in ui.editor.spans] == stored


def test_edits_undone_and_redone_leave_the_screen_as_the_file_is(
    make_project, open_window, tmp_path
):
    """Random edits, undos and redos: the spans shown are the file's, and the suggestions
    shown are the run's minus what gold covers, edit after edit."""
    text = "Kofi Mensah visited Oslo and Accra with Ama Owusu of Acme Corp today."
    path = make_project([(text, [("Oslo", "LOC")])])
    tokens = tokenize(text)
    predicted = [ScoredSpan(s, e, "PER", 0.5) for s, e in tokens[::3]]
    with Project.open(path) as project:
        with_predictions(project, 1, predicted, tmp_path)
    ui = open_window(path)
    rng = random.Random(3)
    for _ in range(40):
        choice = rng.random()
        if choice < 0.5:
            ui.editor.selection = tuple(sorted(rng.sample(range(len(ui.editor.starts)), 2)))
            ui.editor.selected_span = None
            ui.key(rng.choice("123"))
        elif choice < 0.7:
            ui.undo()
        elif choice < 0.85:
            ui.redo()
        else:
            ui.key(Qt.Key.Key_Right)
            ui.key(Qt.Key.Key_Delete)
        with Project.open(ui.path) as project:
            stored = [(s.start, s.end, s.label, s.id) for s in project.spans.list(1)]
        assert [(s.start, s.end, s.label, s.id) for s in ui.state.spans] == stored
        uncovered = [p for p in predicted if not any(p.overlaps(g) for g in ui.state.spans)]
        assert ui.state.suggestions == uncovered
        assert ui.editor.spans is ui.state.spans or ui.editor.spans == ui.state.spans
