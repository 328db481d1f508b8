"""Errors a user can cause, each naming where (file, line, record) and what to do.

The CLI prints ``str(error)`` as one line and exits 1; the GUI shows it in a dialog.
"""

from __future__ import annotations

from pathlib import Path


class NerstudioError(Exception):
    """Base of every error a user can cause and fix."""


class FormatError(NerstudioError):
    """Bad input in a file being imported: names the file, the line or record, the reason."""

    def __init__(
        self,
        path: str | Path,
        reason: str,
        *,
        line: int | None = None,
        record: int | None = None,
    ) -> None:
        self.path = str(path)
        self.line = line
        self.record = record
        self.reason = reason
        where = self.path
        if line is not None:
            where += f": line {line}"
        elif record is not None:
            where += f": record {record}"
        super().__init__(f"{where}: {reason}")


class TagError(NerstudioError):
    """A malformed tag or an ill-formed tag sequence (strict validation)."""

    def __init__(self, reason: str, *, index: int | None = None) -> None:
        self.index = index
        self.reason = reason
        super().__init__(reason)


class SpanError(NerstudioError):
    """A span that cannot be stored: off token boundaries, overlapping, out of range."""


class LabelError(NerstudioError):
    """A label that does not exist, exists already, or has an unusable name."""


class ProjectError(NerstudioError):
    """A project file that cannot be opened or created."""


class ModelError(NerstudioError):
    """A model folder (config, tokenizer, weights) that cannot be loaded: names the folder
    or file, and the fix."""
