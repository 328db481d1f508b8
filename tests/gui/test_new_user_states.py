"""Empty and end states a new user meets (issue 24 item 10): Enter on the last unfinished
document says all are done instead of cycling to #1; an empty project says how to import;
closing a project leaves nothing of it on the welcome page; the guidelines can be read."""

from __future__ import annotations

from PySide6.QtCore import Qt

from nerstudio.core.records import Status

DONE = Status.DONE.value


def test_enter_on_the_last_unfinished_document_says_all_are_done_and_stays(
    make_project, open_window
):
    path = make_project([("One.", (), DONE), ("Two.", (), DONE), "Three."])
    driver = open_window(path)
    assert driver.state.document.text == "Three."
    driver.key(Qt.Key.Key_Return)
    assert driver.state.document.text == "Three."  # not back to #1, a finished one
    message = driver.window.statusBar().currentMessage()
    assert message.startswith("All 3 documents are done")
    assert "train" in message and "export" in message.lower()


def test_enter_with_skipped_documents_left_says_how_many_were_skipped(make_project, open_window):
    skipped = Status.SKIPPED.value
    path = make_project([("One.", (), skipped), "Two."])
    driver = open_window(path)
    driver.key(Qt.Key.Key_Return)
    assert driver.state.document.text == "Two."
    assert driver.window.statusBar().currentMessage().startswith(
        "All 2 documents are done (1 skipped)"
    )


def test_enter_still_moves_on_to_an_unfinished_document_before_the_current_one(
    make_project, open_window
):
    path = make_project(["One.", "Two."])
    driver = open_window(path)
    driver.key(Qt.Key.Key_PageDown)
    assert driver.state.document.text == "Two."
    driver.key(Qt.Key.Key_Return)
    assert driver.state.document.text == "One."  # wraps to the first unfinished
