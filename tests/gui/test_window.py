"""The whole window: a screenshot artifact of a small sample project, and settings that
stay in the test's own folder."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage

from nerstudio.core.records import Status

SAMPLE = [
    (
        "Anna Berg works for Acme Corp in Paris, said Omar Haddad on Monday.",
        [("Anna Berg", "PER"), ("Acme Corp", "ORG"), ("Paris", "LOC"), ("Omar Haddad", "PER")],
        Status.IN_PROGRESS,
    ),
    ("Globex opened an office in Nairobi last week.", [("Globex", "ORG")], Status.DONE),
    "Yesterday Li Wei flew to Osaka to meet Initech.",
    "The report by Maria Rossi praised Umbrella Group.",
]


def test_screenshot_of_the_main_window(make_project, open_window, tmp_path):
    ui = open_window(make_project(SAMPLE))
    ui.key(Qt.Key.Key_Right)  # the token cursor off the first entity
    ui.key(Qt.Key.Key_Right)
    ui.key(Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)

    out = tmp_path / "main_window.png"
    assert ui.window.grab().save(str(out))

    assert out.is_file()
    assert out.stat().st_size > 20_000  # a real window, not a blank image
    image = QImage(str(out))
    assert image.width() >= 1000 and image.height() >= 600
    colors = {image.pixelColor(x, y).name() for x in range(0, 1000, 7) for y in range(0, 600, 7)}
    assert len(colors) > 20
    assert ui.window.progress_text.text() == "1 of 4 done"
    assert ui.window.windowTitle() == "corpus.db — nerstudio"


def test_settings_stay_in_the_test_folder(make_project, open_window, isolated_settings):
    path = make_project(["Hello world."])
    ui = open_window(path)
    settings = QSettings("nerstudio", "nerstudio")
    assert str(isolated_settings) in settings.fileName()
    assert settings.value("recent", [], list)[0] == str(path.resolve())

    ui.window.close()  # saves the geometry
    assert QSettings("nerstudio", "nerstudio").value("window/geometry") is not None
    assert (isolated_settings / "nerstudio" / "nerstudio.conf").is_file()
