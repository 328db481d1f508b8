"""Every list of choices the window offers is core's one definition: the import dialog's
filter names every suffix the import recognises, the queue's strategies are
``core.active.STRATEGIES`` and the training form's combos are the options' own choices."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFileDialog

from nerstudio.core.active import DEFAULT_STRATEGY, STRATEGIES
from nerstudio.core.formats.detect import SUFFIXES
from nerstudio.core.training.config import DEVICES, FIELDS, METHODS


def _patterns(file_filter: str) -> set[str]:
    """The patterns of a dialog filter's first entry, ``Corpora (*.a *.b)``."""
    first = file_filter.split(";;")[0]
    return set(first[first.index("(") + 1 : first.index(")")].split())


def test_the_import_dialog_offers_every_suffix_the_import_recognises(
    open_window, make_project, monkeypatch
):
    window = open_window(make_project(["Anna lives in Paris."])).window
    asked: list[str] = []

    def choose(_parent, _title, _folder, file_filter, *_args, **_kwargs):
        asked.append(file_filter)
        return [], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(choose))
    window.jobs.import_dialog()
    assert len(asked) == 1
    assert {f"*{suffix}" for suffix in SUFFIXES} <= _patterns(asked[0])


def test_the_queue_offers_core_strategies_the_default_first(open_window, make_project):
    order = open_window(make_project(["Anna lives in Paris."])).window.document_list.order
    offered = [order.itemData(i) for i in range(order.count())]
    assert offered == [None, *STRATEGIES]  # None: by number
    assert offered[1] == DEFAULT_STRATEGY


def test_the_training_form_combos_are_the_options_own_choices(open_window, make_project):
    editors = open_window(make_project(["Anna lives in Paris."])).window.training.form.editors
    fields = {field.name: field for field in FIELDS}
    assert fields["device"].choices is DEVICES and fields["method"].choices is METHODS
    combos = {
        name: [editor.itemText(i) for i in range(editor.count())]
        for name, editor in editors.items()
        if isinstance(editor, QComboBox) and fields[name].choices
    }
    assert "method" in combos
    for name, offered in combos.items():
        assert offered == list(fields[name].choices), name
