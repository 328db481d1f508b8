"""A brat document's ``.txt``, and which reading of it a ``.ann``'s offsets count.

The text is the file's exact text (line ends kept, since offsets count every character;
a leading byte-order mark is no part of it). brat itself reads texts with universal
newlines and so counts CR LF as one character (nlplab/brat#853), and some tools count the
byte-order mark: each such reading is a view, and the first view that every ``T`` line's
text column fits is the one the offsets are mapped from. When none fits, the first line
that does not fit the exact text is the error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nerstudio.core.errors import FormatError
from nerstudio.core.formats import textfile
from nerstudio.core.formats.brat_ann import AnnFile, Bound
from nerstudio.core.formats.standoff import surface_mismatch
from nerstudio.core.formats.textfile import BOM


def decode(path: Path) -> tuple[str, bool]:
    """The file's exact text (no line-end conversion) and whether a BOM preceded it."""
    return textfile.decode(path, textfile.read_bytes(path))


@dataclass(frozen=True)
class View:
    """A reading of the offsets: the text they count, and where each position lies in ours."""

    name: str | None
    text: str
    to_text: list[int] | None  # None: the same as ours


def _views(text: str, had_bom: bool) -> list[View]:
    views = [View(None, text, None)]
    if "\r\n" in text:
        view, positions = [], []
        for i, ch in enumerate(text):
            if ch == "\n" and i and text[i - 1] == "\r":
                continue
            view.append("\n" if ch == "\r" and text[i + 1 : i + 2] == "\n" else ch)
            positions.append(i)
        positions.append(len(text))
        views.append(View("CR LF as one character, as brat itself reads", "".join(view), positions))
    if had_bom:
        for view in list(views):
            positions = view.to_text or list(range(len(text) + 1))
            views.append(
                View(
                    "the byte-order mark as a character"
                    + (f" and {view.name}" if view.name else ""),
                    BOM + view.text,
                    [0, *positions],
                )
            )
    return views


def _mismatch(view: View, bound: Bound, txt_name: str) -> str | None:
    """Why ``bound``'s text column does not fit ``view``, or None if it does (or has none)."""
    for _, end in bound.fragments:
        if end > len(view.text):
            return (
                f"{bound.describe()} ends past the end of {txt_name}"
                f" ({len(view.text)} characters); is this the .ann of another text?"
            )
    if bound.text is None:
        return None
    actual = " ".join(view.text[s:e] for s, e in bound.fragments)
    problem = surface_mismatch(bound.text, actual, txt_name)
    return None if problem is None else f"{bound.describe()}: the .ann {problem}"


def choose_view(ann_path: Path, txt_name: str, text: str, had_bom: bool, ann: AnnFile) -> View:
    """The first reading of ``text`` that every ``T`` line of ``ann`` fits."""
    views = _views(text, had_bom)
    for view in views:
        if all(_mismatch(view, b, txt_name) is None for b in ann.bounds):
            return view
    for bound in ann.bounds:
        problem = _mismatch(views[0], bound, txt_name)
        if problem:
            raise FormatError(ann_path, problem, line=bound.line)
    raise AssertionError("the exact view fits when every bound fits it")  # pragma: no cover
