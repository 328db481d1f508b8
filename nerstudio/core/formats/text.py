"""Plain text: one document per non-empty line, per blank-line paragraph, or per file."""

from __future__ import annotations

import re
from pathlib import Path

from nerstudio.core.errors import FormatError
from nerstudio.core.formats import ReadResult
from nerstudio.core.formats.textfile import read_text
from nerstudio.core.records import DocumentRecord
from nerstudio.core.tokens import tokenize

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def _record(text: str, source: str) -> DocumentRecord:
    return DocumentRecord(text=text, tokens=tuple(tokenize(text)), source=source)


def read_text_documents(path: str | Path, paragraphs: bool = False) -> ReadResult:
    """Documents from a .txt file (lines, or paragraphs) or a folder of .txt files."""
    path = Path(path)
    records: list[DocumentRecord] = []
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.txt") if p.is_file())
        for file in files:
            text = read_text(file).strip("\n")
            if text.strip():
                records.append(_record(text, str(file.relative_to(path))))
    else:
        text = read_text(path)
        if paragraphs:
            line = 1
            pos = 0
            for match in [*_PARAGRAPH_BREAK.finditer(text), None]:
                end = match.start() if match else len(text)
                chunk = text[pos:end]
                if chunk.strip():
                    lead = len(chunk) - len(chunk.lstrip("\n"))
                    records.append(
                        _record(chunk.strip("\n").rstrip(), f"{path.name}:{line + lead}")
                    )
                if match:
                    line += text.count("\n", pos, match.end())
                    pos = match.end()
        else:
            for number, line_text in enumerate(text.split("\n"), start=1):
                if line_text.strip():
                    records.append(_record(line_text.rstrip(), f"{path.name}:{number}"))
    if not records:
        what = "no .txt file with text in this folder" if path.is_dir() else "no text in this file"
        raise FormatError(path, f"{what} (is it empty?)")
    return ReadResult(records)
