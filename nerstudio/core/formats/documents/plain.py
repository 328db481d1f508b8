"""Plain text in any encoding: UTF-8, UTF-16 and UTF-32 as the text formats read them;
text in a legacy 8-bit encoding (which the structured formats refuse, since a wrong guess
would shift their offsets silently) read by charset-normalizer's guess, said in ``notes``
("read as windows-1252") so the person can check it. Paragraphs are the runs between
blank lines."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from nerstudio.core.errors import FormatError
from nerstudio.core.formats.documents._build import TextBuilder
from nerstudio.core.formats.extracted import Extracted
from nerstudio.core.formats.textfile import decode, read_bytes


def read(path: Path) -> Extracted:
    """The paragraphs of the text file at ``path``."""
    built = TextBuilder(path)
    text = decode_guessing(path, read_bytes(path), built)
    for paragraph in re.split(r"\n[ \t]*\n", text):
        built.add(paragraph, "paragraph")
    return built.result()


def decode_guessing(path: Path, data: bytes, built: TextBuilder) -> str:
    """``data`` as text with ``\\n`` line ends; a legacy encoding guessed and noted."""
    try:
        text, _ = decode(path, data)
    except FormatError:
        if b"\0" in data:
            raise  # binary data, or UTF-16 whose byte order cannot be told: refused as before
        best = _likeliest(data)
        if best is None:
            raise
        text = str(best)
        built.notes.append(
            f"read as {_encoding_name(best.encoding)}; check the text if it looks wrong"
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _likeliest(data: bytes) -> Any:
    """charset-normalizer's best reading, or a Windows code page that reads the bytes as
    well (its best guess among near ties is often an ISO 8859 part few files are in)."""
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    ties = [m for m in matches if m.chaos <= best.chaos and m.coherence >= best.coherence - 0.05]
    return next((m for m in ties if m.encoding.startswith("cp125")), best)


def _encoding_name(codec: str) -> str:
    """The encoding as people name it: cp1252 -> windows-1252, latin_1 -> latin-1."""
    match = re.fullmatch(r"cp(125\d)", codec)
    return f"windows-{match[1]}" if match else codec.replace("_", "-")
