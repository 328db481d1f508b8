"""Reading files for the formats: the one place their bytes become text.

UTF-8 (with or without a byte-order mark) is read as it is. Bytes that are not UTF-8, or
that hold NUL bytes (which UTF-8 text never has, and UTF-16 text without a byte-order mark
is full of), go to charset-normalizer: UTF-16 or UTF-32 is read when it is its best guess
and the other byte order is not as good a one (where it has no guess for bytes with NULs:
when exactly one byte order reads as text). UTF-8 with a few NULs put in it, a legacy 8-bit
encoding (whose guess could be wrong), NULs alone and binary data are refused with one line
naming the file.

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
_BYTE_ORDERS = ("utf_16_le", "utf_16_be", "utf_32_le", "utf_32_be")
_WIDE = {"utf_16", "utf_32", *_BYTE_ORDERS}
# charset-normalizer's most "mess" a reading may have: above its default of 0.2, which it
# finds in plain UTF-16 text with an emoji joined by ZWJs (0.24). Its guess is read only
# when it is UTF-16 or UTF-32 and holds no control or unassigned character.
_MESS = 0.5
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

    return from_bytes(data, threshold=_MESS)


def _ambiguous(path: Path, codec: str) -> FormatError:
    return FormatError(
        path,
        f"looks like {codec[:6].upper().replace('_', '-')} text without a byte-order mark,"
        f" but its byte order cannot be told (it reads as text either way); {_RESAVE}",
    )


def _utf8_with_nuls(data: bytes) -> bool:
    """UTF-8 text with a few NUL bytes put in it (a damaged file), which charset-normalizer
    can take for UTF-16: in UTF-16 text NULs are many, or what is left without them is not
    UTF-8 text (Cyrillic's low bytes read as control characters, CJK's as broken UTF-8)."""
    if data.count(b"\0") * 4 >= len(data):
        return False
    try:
        return _is_text(data.replace(b"\0", b"").decode("utf-8"))
    except UnicodeDecodeError:
        return False


def _only_reading(path: Path, data: bytes) -> str | None:
    """The text of ``data`` in the one UTF-16 or UTF-32 byte order in which it reads as
    text, for bytes with NULs that charset-normalizer gives up on (it finds too much "mess"
    in lines that mix scripts and emoji); None when no byte order does."""
    readings = []
    for codec in _BYTE_ORDERS:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _is_text(text):
            readings.append((codec, text))
    if len(readings) > 1:
        raise _ambiguous(path, readings[0][0])
    return readings[0][1] if readings else None


def _wide_text(path: Path, data: bytes, guesses: CharsetMatches) -> tuple[str, bool] | None:
    """The text when a byte-order mark says UTF-16 or UTF-32, or when bytes with NULs are
    that by charset-normalizer's best guess (or, where it has none, in the one byte order
    that reads as text), with whether a byte-order mark told the order; None otherwise."""
    best = guesses.best()
    if best is not None and best.bom and best.encoding in _WIDE:
        text = str(best)
        return None if "\0" in text else (text, True)
    if b"\0" not in data or _utf8_with_nuls(data):
        return None  # without a BOM, UTF-16 text of any length has NULs (spaces, line ends)
    if best is None or best.encoding not in _WIDE:
        text = _only_reading(path, data)
        return None if text is None else (text, False)
    text = str(best)
    if not _is_text(text):
        return None
    if any(
        other.encoding in _WIDE and other.encoding != best.encoding and other.chaos <= best.chaos
        for other in guesses
    ):
        raise _ambiguous(path, best.encoding)
    return text, False


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
            wide = _wide_text(path, data, guesses)
            if wide is None:
                raise _refuse_not_utf8(path, data, err, guesses) from None
            return wide
        return (text[1:], True) if text.startswith(BOM) else (text, False)
    guesses = _guess(data)
    wide = _wide_text(path, data, guesses)
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
