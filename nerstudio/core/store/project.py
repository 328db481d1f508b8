"""The Project: the one door to a project's SQLite file.

Every mutation is one transaction (``db.atomic()``, which begins IMMEDIATE so a second
writer waits for the lock): a failed import or edit leaves the file as it was, and a killed
process loses nothing that was committed. Connections are per thread; a worker thread
opens its own ``Project``. Opening checks the file (``quick_check``), backs it up before a
migration, and marks runs whose process died as interrupted.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import sqlite_utils

from nerstudio.core.errors import ProjectError
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.store import backup, connection, integrity, queries, schema
from nerstudio.core.store.annotations import (
    Annotations,
    check_annotator_name,
    default_annotator_name,
)
from nerstudio.core.store.dictionaries import Dictionaries
from nerstudio.core.store.documents import ProjectDocuments
from nerstudio.core.store.labels import LabelsInUse, ProjectLabels
from nerstudio.core.store.predictions import Predictions
from nerstudio.core.store.queries import DocumentQuery, DocumentRow, ProjectStats
from nerstudio.core.store.runs import Runs
from nerstudio.core.store.spans import ProjectSpans

_ALL = DocumentQuery()
log = logging.getLogger(__name__)


class Project(ProjectLabels, ProjectDocuments, ProjectSpans):
    """An open project file. Use ``Project.create`` or ``Project.open``; close when done.

    Its labels, documents and gold spans are written in their own modules (``labels``,
    ``documents``, ``spans``) and mixed in here, so every caller still asks the Project.
    """

    def __init__(self, path: Path, db: sqlite_utils.Database, read_only: bool = False) -> None:
        self.path = path
        self.db = db
        self.read_only = read_only
        self.runs = Runs(db, path)
        self.predictions = Predictions(db)
        self.annotations = Annotations(db)
        self.dictionaries = Dictionaries(db)

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def create(
        cls, path: str | Path, labels: Iterable[str] = (), annotator: str | None = None
    ) -> Project:
        """Create a new project file; refuses to overwrite an existing file. Its edits are
        recorded for ``annotator`` (default: the OS user name)."""
        path = Path(path)
        name = check_annotator_name(annotator) if annotator is not None else None
        if path.exists():
            raise ProjectError(f"{path}: already exists; open it, or choose another name")
        if not path.parent.exists():
            raise ProjectError(f"{path}: folder {path.parent} does not exist")
        labels = list(labels)
        in_use = LabelsInUse(())
        for label in labels:  # a bad or repeated name is refused before the file exists
            in_use.new(label, None, None)
        db = connection.connect(path)
        connection.configure(db)
        schema.initialize(db)
        project = cls(path, db)
        project.annotations.rename(project.annotator(), name or default_annotator_name())
        project.add_labels(labels)
        return project

    @classmethod
    def open(cls, path: str | Path, check: bool = True) -> Project:
        """Open a project, upgrading an older schema; clear errors for anything else.

        A damaged file (``quick_check``) is refused, pointing at the newest backup, unless
        ``check`` is off (``nerstudio check`` itself). A file or folder without write
        permission opens read-only: reading works, every write says why it cannot.
        """
        path = Path(path)
        if not path.is_file():
            raise ProjectError(f"{path}: no such project file; create it with 'nerstudio init'")
        db, read_only = _connect(path)
        try:
            # The version first, before any pragma could touch a foreign file.
            version = schema.schema_version(db, path)
            if check:
                integrity.require_intact(db, path)
            if read_only:
                if version < schema.SCHEMA_VERSION:
                    raise ProjectError(
                        f"{path}: written by an older nerstudio and read-only, so it cannot "
                        "be upgraded; copy it somewhere writable and open the copy"
                    )
            else:
                connection.configure(db)
                if version < schema.SCHEMA_VERSION and version > 0:
                    backup.make(db.conn, path, f"before-schema-{schema.SCHEMA_VERSION}")
                schema.upgrade(db, path)
            project = cls(path, db, read_only)
            if not read_only:
                _mark_interrupted(project)
                project.runs.remove_leftovers()
        except sqlite3.Error as err:
            db.close()
            raise connection.explain(path, err) from None
        except BaseException:
            db.close()
            raise
        return project

    def backup(self, reason: str) -> Path | None:
        """A rolling backup before a bulk operation (import, label merge, tag-all)."""
        if self.read_only:
            return None
        return backup.make(self.db.conn, self.path, reason)

    def close(self) -> None:
        self.db.close()

    def transaction(self) -> contextlib.AbstractContextManager:
        """One all-or-nothing action made of several calls (a merge of annotators' work)."""
        return self.db.atomic()

    # -- annotators and guidelines ---------------------------------------------------------

    def annotator(self) -> str:
        """Who this project's edits are recorded for (spans, status changes)."""
        return self.annotations.current()

    def set_annotator(self, name: str) -> None:
        """Record further edits for ``name``; a new name becomes a new annotator."""
        self.annotations.set_current(name)

    def annotators(self) -> list[str]:
        return self.annotations.names()

    def guidelines(self) -> str | None:
        """The annotation guidelines (a project note that goes along to annotators)."""
        row = self.db.execute("SELECT value FROM project_meta WHERE key = 'guidelines'")
        found = row.fetchone()
        return found[0] if found else None

    def set_guidelines(self, text: str | None) -> None:
        with self.db.atomic():
            self.db.execute("DELETE FROM project_meta WHERE key = 'guidelines'")
            if text:
                self.db.execute(
                    "INSERT INTO project_meta (key, value) VALUES ('guidelines', ?)", [text]
                )

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- queries ---------------------------------------------------------------------------

    def list_documents(self, query: DocumentQuery = _ALL) -> list[DocumentRow]:
        """One page of documents matching the filters, in id order."""
        return queries.list_documents(self.db, query)

    def count_documents(self, query: DocumentQuery = _ALL) -> int:
        """How many documents match the filters (paging ignored)."""
        return queries.count_documents(self.db, query)

    def document_rows(self, ids: Sequence[int]) -> list[DocumentRow]:
        return queries.document_rows(self.db, ids)

    def neighbour_document(
        self, document_id: int, step: int, unfinished_only: bool = False
    ) -> int | None:
        """The next/previous document id (only new or in-progress ones if asked)."""
        return queries.neighbour_document(self.db, document_id, step, unfinished_only)

    def iter_documents(
        self, status: Status | None = None, split: str | None = None, annotator: str | None = None
    ) -> Iterator[DocumentRecord]:
        """Every matching document with tokens and spans, streamed in id order. With
        ``annotator``: that person's merged annotation set instead of gold (their spans and
        their status, which ``status`` then filters on), only documents they have a set for.
        """
        if annotator is not None:
            return self.annotations.iter_documents(annotator, status, split)
        return queries.iter_documents(self.db, status, split)

    def stats(self) -> ProjectStats:
        """Counts for the status bar and ``nerstudio stats``."""
        return queries.stats(self.db, [label.name for label in self.labels()])


def _mark_interrupted(project: Project) -> None:
    """Runs whose process died become ``interrupted``. Where another process holds the
    write lock (a long import), that is left for a later open: a reader must not wait."""
    with project.db.without_waiting():
        try:
            project.runs.mark_interrupted()
        except connection.ProjectBusyError:
            log.info("%s: the project is busy; dead runs are marked on a later open", project.path)


def _connect(path: Path) -> tuple[connection.ProjectDatabase, bool]:
    """A read-write connection, or a read-only one where the file or its folder cannot be
    written (a read-only mount, a file without write permission)."""
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    if writable:
        return connection.connect(path), False
    return connection.connect(path, read_only=True), True
