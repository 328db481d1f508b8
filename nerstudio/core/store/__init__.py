"""The project file (SQLite): schema and migrations, the Project, read queries."""

from nerstudio.core.store.documents import AddResult
from nerstudio.core.store.labels import Label
from nerstudio.core.store.project import Project
from nerstudio.core.store.queries import DocumentQuery, DocumentRow, ProjectStats
from nerstudio.core.store.runs import MetricPoint, RunRecord, Runs
from nerstudio.core.store.spans import StoredSpan

__all__ = [
    "AddResult",
    "DocumentQuery",
    "DocumentRow",
    "Label",
    "MetricPoint",
    "Project",
    "ProjectStats",
    "RunRecord",
    "Runs",
    "StoredSpan",
]
