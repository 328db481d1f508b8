"""Reading files for the formats: strict UTF-8, one line-end convention.

Writing goes through ``nerstudio.core.safe_io``."""

from __future__ import annotations

from pathlib import Path

from nerstudio.core.errors import FormatError


def _lines_before(data: bytes, end: int) -> int:
    """Line ends in ``data[:end]``, counting CR LF, LF and a lone CR (old Mac files) once."""
    head = data[:end]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n")


def read_text(path: str | Path) -> str:
    """The whole file as text with ``\\n`` line ends, whether it used CR LF, LF or CR.

    A byte that is not UTF-8 is reported with its line.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise FormatError(path, f"cannot read: {err.strerror or err}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        decoded = err.object  # without the BOM, when there is one: err.start counts from there
        raise FormatError(
            path,
            f"not UTF-8 (byte 0x{decoded[err.start]:02x}); re-save the file as UTF-8",
            line=_lines_before(decoded, err.start) + 1,
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")
