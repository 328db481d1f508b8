"""Reading files for the formats: the one place their bytes become text.

UTF-8 (with or without a byte-order mark) is read as it is. Bytes that are not UTF-8, or
that hold NUL bytes (which UTF-8 text never has, and UTF-16 text without a byte-order mark
is full of), go to charset-normalizer: UTF-16 or UTF-32 is read when it is its best guess
and the other byte order is not as good a one; anything else (a legacy 8-bit encoding
whose guess could be wrong, NULs, binary data) is refused with one line naming the file.

Writing goes through ``nerstudio.core.safe_io``.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from nerstudio.core.errors import FormatError

if TYPE_CHECKING:
    from charset_normalizer import CharsetMatches

BOM = "\ufeff"
_WIDE = {"utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be"}
# Control, unassigned, private-use and surrogate characters: what no text file is made of.
_NOT_TEXT = {"Cc", "Cn", "Co", "Cs"}
_RESAVE = "re-save the file as UTF-8"


def _lines_before(data: bytes, end: int) -> int:
    """Line ends in ``data[:end]``, counting CR LF, LF and a lone CR (old Mac files) once."""
    head = data[:end]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n")


def _is_text(text: str) -> bool:
    """No NUL, control (but tab and line ends), unassigned or private-use character."""
    return not any(unicodedata.category(ch) in _NOT_TEXT and ch not in "\t\n\r" for ch in set(text))


def _guess(data: bytes) -> CharsetMatches:
    """charset-normalizer's readings of ``data`` (imported only for files not UTF-8)."""
    from charset_normalizer import from_bytes

    return from_bytes(data)


def _wide_text(path: Path, guesses: CharsetMatches) -> tuple[str, bool] | None:
    """The text when charset-normalizer's best guess is UTF-16 or UTF-32, with whether a
    byte-order mark told the order; None for any other guess."""
    best = guesses.best()
    if best is None or best.encoding not in _WIDE:
        return None
    text = str(best)
    if not _is_text(text):
        return None
    if not best.bom and any(
        other.encoding in _WIDE and other.encoding != best.encoding and other.chaos <= best.chaos
        for other in guesses
    ):
        raise FormatError(
            path,
            f"looks like {best.encoding[:6].upper().replace('_', '-')} text without a"
            " byte-order mark, but its byte order cannot be told (it reads as text either"
            f" way); {_RESAVE}",
        )
    return text, best.bom


def _refuse_nul(path: Path, data: bytes, guesses: CharsetMatches) -> FormatError:
    if not data.strip(b"\0 \t\r\n"):
        return FormatError(path, "nothing but NUL bytes: not a text file")
    if guesses.best() is None:
        return FormatError(path, "binary data, not text (NUL bytes, and no text encoding fits)")
    return FormatError(
        path,
        f"holds NUL bytes: binary data, or text in an encoding not read here; {_RESAVE}",
        line=_lines_before(data, data.index(b"\0")) + 1,
    )


def _refuse_not_utf8(
    path: Path, data: bytes, err: UnicodeDecodeError, guesses: CharsetMatches
) -> FormatError:
    if guesses.best() is None:
        return FormatError(path, "binary data, not text (no text encoding fits its bytes)")
    return FormatError(
        path,
        f"not UTF-8 (byte 0x{data[err.start]:02x}); {_RESAVE}",
        line=_lines_before(data, err.start) + 1,
    )


def decode(path: str | Path, data: bytes) -> tuple[str, bool]:
    """The exact text of a file's bytes (line ends kept) and whether a byte-order mark
    preceded it (it is no part of the text)."""
    path = Path(path)
    if b"\0" not in data:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            guesses = _guess(data)
            wide = _wide_text(path, guesses)
            if wide is None:
                raise _refuse_not_utf8(path, data, err, guesses) from None
            return wide
        return (text[1:], True) if text.startswith(BOM) else (text, False)
    guesses = _guess(data)
    wide = _wide_text(path, guesses)
    if wide is None:
        raise _refuse_nul(path, data, guesses)
    return wide


def read_bytes(path: str | Path) -> bytes:
    """The file's bytes; a file that cannot be read is the user's error, not a crash."""
    path = Path(path)
    try:
        return path.read_bytes()
    except OSError as err:
        raise FormatError(path, f"cannot read: {err.strerror or err}") from None


def read_text(path: str | Path) -> str:
    """The whole file as text with ``\\n`` line ends, whether it used CR LF, LF or CR.

    A byte that is not UTF-8 is reported with its line.
    """
    text, _ = decode(path, read_bytes(path))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sniff_text(data: bytes, cut: bool) -> str:
    """The first bytes of a file (``cut`` short of its end, or all of it) as text, for
    format detection only: UTF-16 and UTF-32 as the readers decode them, the rest leniently
    as UTF-8 (the reader says what is wrong with it)."""
    if b"\0" in data or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return decode(Path("sniffed"), data[: len(data) - len(data) % 4] if cut else data)[0]
        except FormatError:
            pass
    return data.decode("utf-8-sig", errors="replace")
