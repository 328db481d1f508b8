"""Label rules: valid names, the default palette and hotkeys."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nerstudio.core.errors import LabelError

# Light backgrounds in the displaCy tradition: black text stays readable on every one.
PALETTE = (
    "#aa9cfc",  # violet
    "#7aecec",  # cyan
    "#feca74",  # amber
    "#bfeeb7",  # green
    "#ff9561",  # orange
    "#ff8197",  # pink
    "#9cc9cc",  # teal
    "#e4e7d2",  # sand
    "#c887fb",  # purple
    "#ffeb80",  # yellow
    "#a3d9ff",  # sky
    "#d9ffa3",  # lime
)

_COLOR_RE = re.compile(r"#[0-9a-fA-F]{6}")
_HOTKEY_RE = re.compile(r"[0-9a-z]")


@dataclass(frozen=True)
class Label:
    """A label as stored: its name, color, optional one-key hotkey and place in the order."""

    id: int
    name: str
    color: str
    hotkey: str | None
    position: int


def check_label_name(name: str) -> str:
    """Return the name stripped, or raise: it must be usable as the X in a ``B-X`` tag."""
    name = name.strip()
    if not name:
        raise LabelError("a label name cannot be empty")
    if name == "O":
        raise LabelError("'O' means 'outside any entity' and cannot be a label name")
    if any(ch.isspace() or not ch.isprintable() for ch in name):
        raise LabelError(
            f"label {name!r} contains a space or control character; CoNLL files could not "
            f"hold it (use e.g. {name.replace(' ', '_')!r})"
        )
    if len(name) > 64:
        raise LabelError(f"label {name[:20]!r}… is longer than 64 characters")
    return name


def check_color(color: str) -> str:
    """Return the color in ``#rrggbb`` form or raise."""
    if not _COLOR_RE.fullmatch(color):
        raise LabelError(f"color {color!r} is not of the form #rrggbb")
    return color.lower()


def check_hotkey(hotkey: str | None) -> str | None:
    """Return the hotkey (one digit or lowercase letter) or None, or raise."""
    if hotkey is None or hotkey == "":
        return None
    hotkey = hotkey.lower()
    if not _HOTKEY_RE.fullmatch(hotkey):
        raise LabelError(f"hotkey {hotkey!r} must be one digit or letter")
    return hotkey


def default_hotkey(taken: set[str]) -> str | None:
    """The first of keys 1-9 no label holds (so they follow label order as labels are added)."""
    return next((str(n) for n in range(1, 10) if str(n) not in taken), None)


def default_color(used: set[str], position: int) -> str:
    """The first palette color no label has; the palette repeats past twelve labels."""
    return next((c for c in PALETTE if c not in used), PALETTE[position % len(PALETTE)])
