"""Outside formats: one module each; readers return plain records, writers take them.

No module here touches the database: ``nerstudio.core.transfer`` joins formats and the
Project.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nerstudio.core.records import DocumentRecord


@dataclass
class ReadResult:
    """Records read from one file, plus notes worth telling the user (repairs, scheme)."""

    records: list[DocumentRecord]
    notes: list[str] = field(default_factory=list)
