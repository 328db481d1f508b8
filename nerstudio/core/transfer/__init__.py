"""Import files into a Project and export its corpus: formats joined to the store.

The CLI and the GUI's import/export workers both call ``import_files`` and
``export_corpus``; nothing here is written twice for them.
"""

from nerstudio.core.transfer.exporting import (
    EXPORT_FORMATS,
    WRITERS,
    ExportOptions,
    ExportSummary,
    export_corpus,
    export_format,
    export_target,
)
from nerstudio.core.transfer.importing import (
    IMPORT_FORMATS,
    OVERLAP_POLICIES,
    FileSummary,
    ImportOptions,
    ImportSummary,
    import_files,
    import_text,
    read_file,
)

__all__ = [
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "OVERLAP_POLICIES",
    "WRITERS",
    "ExportOptions",
    "ExportSummary",
    "FileSummary",
    "ImportOptions",
    "ImportSummary",
    "export_corpus",
    "export_format",
    "export_target",
    "import_files",
    "import_text",
    "read_file",
]
