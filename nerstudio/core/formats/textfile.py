"""Reading and writing files for the formats: strict UTF-8 in, all-or-nothing out."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from nerstudio.core.errors import FormatError


def read_text(path: str | Path) -> str:
    """The whole file as text; a byte that is not UTF-8 is reported with its line."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise FormatError(path, f"cannot read: {err.strerror or err}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise FormatError(
            path,
            f"not UTF-8 (byte 0x{data[err.start]:02x}); re-save the file as UTF-8",
            line=line,
        ) from None
    return text.replace("\r\n", "\n")


@contextmanager
def atomic_write(path: str | Path) -> Iterator[TextIO]:
    """Write to a temporary file beside ``path`` and move it into place only on success."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
