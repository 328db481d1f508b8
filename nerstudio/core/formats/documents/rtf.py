"""RTF, read with striprtf (BSD-3-Clause): the text, a paragraph per ``\\par``, in the
code page the file declares (``\\ansicpgN``, Windows-1252 when it declares none); a
table row (which striprtf writes as cells each ended by ``|``) as its cells.
Formatting, pictures and embedded objects are left out."""

from __future__ import annotations

import re
from pathlib import Path

from nerstudio.core.errors import FormatError
from nerstudio.core.formats.documents._build import TextBuilder, need
from nerstudio.core.formats.extracted import Extracted
from nerstudio.core.formats.textfile import read_bytes

_CODE_PAGE = re.compile(rb"\\ansicpg(\d+)")


def read(path: Path) -> Extracted:
    """The paragraphs of the RTF file at ``path``."""
    need("striprtf", "RTF files")
    from striprtf.striprtf import rtf_to_text

    data = read_bytes(path)
    if not data.lstrip().startswith(b"{\\rtf"):
        raise FormatError(path, "not an RTF file (it does not start with {\\rtf)")
    page = _CODE_PAGE.search(data[:4096])
    encoding = f"cp{int(page[1])}" if page else "cp1252"
    try:
        "".encode(encoding)
    except LookupError:
        encoding = "cp1252"
    try:
        text = rtf_to_text(data.decode("latin-1"), encoding=encoding, errors="replace")
    except (ValueError, IndexError, LookupError) as err:
        raise FormatError(path, f"cannot be read as RTF ({type(err).__name__})") from None
    built = TextBuilder(path)
    tables = b"\\cell" in data
    for paragraph in text.replace("\r\n", "\n").split("\n"):
        if tables and paragraph.endswith("|"):  # striprtf ends each table cell with "|"
            for cell in paragraph[:-1].split("|"):
                built.add(cell, "table-cell")
        else:
            built.add(paragraph, "paragraph")
    if b"\\pict" in data or b"\\object" in data:
        built.dropped.append("pictures and embedded objects")
    return built.result()
