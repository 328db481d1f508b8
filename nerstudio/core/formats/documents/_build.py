"""Building an ``Extracted``: text appended block by block, offsets kept as it grows."""

from __future__ import annotations

import unicodedata
import zipfile
import zlib
from pathlib import Path

from nerstudio.core.errors import FormatError, NerstudioError
from nerstudio.core.formats.extracted import Block, Extracted

EXTRA = "pip install 'nerstudio[documents]'"
# What reading a damaged or cut-short zip package (.docx, .odt) raises, besides the XML
# parser's errors: a bad archive, bad compressed data, a missing part, bad text.
PACKAGE_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ValueError)
BLOCK_SEPARATOR = "\n\n"
_LIGATURES = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0xFB00, 0xFB07)}
# Tabs and stray carriage returns become spaces; other control characters go.
_CONTROLS = {c: None for c in range(32) if chr(c) != "\n"} | {ord("\t"): " ", ord("\r"): " "}


def need(module: str, what: str) -> None:
    """Raise one line naming the extra when ``module`` (a reader's library) is missing."""
    try:
        __import__(module)
    except ImportError:
        raise NerstudioError(f"reading {what} needs {module}: {EXTRA}") from None


def clean(text: str) -> str:
    """Ligatures (ﬁ ﬂ ﬀ ﬃ ﬄ ﬅ ﬆ) as their letters (NFKC on those characters only, so that
    nothing else in the text changes), and control characters other than line ends left out."""
    text = "".join(_LIGATURES.get(ch, ch) for ch in text) if _has_ligature(text) else text
    if any(ch < " " and ch != "\n" for ch in text):
        text = text.translate(_CONTROLS)
    return text


def _has_ligature(text: str) -> bool:
    return any(lig in text for lig in _LIGATURES)


class TextBuilder:
    """Blocks appended in order, separated by a blank line; pages marked around them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.parts: list[str] = []
        self.length = 0
        self.blocks: list[Block] = []
        self.pages: list[tuple[int, int]] = []
        self.dropped: list[str] = []
        self.notes: list[str] = []
        self.meta: dict[str, str] = {}
        self._page_start: int | None = None

    def add(
        self, text: str, kind: str, *, page: int | None = None, level: int | None = None
    ) -> None:
        """One block; whitespace around it trimmed, and nothing added for an empty one."""
        text = clean(text).strip()
        if not text:
            return
        if self.parts:
            self._append(BLOCK_SEPARATOR)
        start = self.length
        self._append(text)
        self.blocks.append(Block(start, self.length, kind, page, level))

    def _append(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def start_page(self) -> None:
        """Mark where the next page's text starts (after the separator that precedes it)."""
        self._page_start = self.length + (len(BLOCK_SEPARATOR) if self.parts else 0)

    def end_page(self) -> None:
        """Close the page opened by ``start_page``; an empty page gets an empty range."""
        start = self._page_start if self._page_start is not None else self.length
        start = min(start, self.length)
        self.pages.append((start, self.length))
        self._page_start = None

    def result(self, *, empty: str = "holds no text") -> Extracted:
        """The ``Extracted``; a document with no text at all is refused with ``empty``."""
        text = "".join(self.parts)
        if not text.strip():
            raise FormatError(self.path, empty)
        return Extracted(
            source=self.path.name,
            text=text,
            blocks=tuple(self.blocks),
            pages=tuple(self.pages),
            dropped=tuple(self.dropped),
            notes=tuple(self.notes),
            meta=self.meta,
        )
