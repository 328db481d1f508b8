"""The Project: the one door to a project's SQLite file.

Its parts are sub-objects with the same verbs (``project.documents``, ``labels``,
``spans``, ``runs``, ``predictions``, ``annotation_sets``, ``curation``). Every mutation is
one transaction (``db.atomic()``, which begins IMMEDIATE so a second writer waits for the
lock), and ``project.transaction()`` makes several of them one (nested ones become
savepoints): a failed import or edit leaves the file as it was, and a killed process loses
nothing that was committed. Connections are per thread; a worker thread
opens its own ``Project``. Opening checks the file (``quick_check``), backs it up before a
migration, and marks runs whose process died as interrupted.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import sqlite_utils

from nerstudio.core.errors import ProjectError
from nerstudio.core.store import backup, connection, copies, integrity, queries, schema
from nerstudio.core.store.annotation_sets import (
    AnnotationSets,
    check_annotator_name,
    default_annotator_name,
)
from nerstudio.core.store.curation import Curation
from nerstudio.core.store.dictionaries import Dictionaries
from nerstudio.core.store.documents import Documents
from nerstudio.core.store.labels import Labels, LabelsInUse
from nerstudio.core.store.predictions import Predictions
from nerstudio.core.store.queries import ProjectStats
from nerstudio.core.store.runs import Runs
from nerstudio.core.store.spans import Spans

log = logging.getLogger(__name__)


class Project:
    """An open project file. Use ``Project.create`` or ``Project.open``; close when done.

    Each table family is a sub-object with the same verbs (``list``, ``get``, ``add``,
    ``count``, ``delete``...): ``project.documents.add(records)``, ``project.spans.list(doc)``.
    """

    def __init__(self, path: Path, db: sqlite_utils.Database, read_only: bool = False) -> None:
        self.path = path
        self.db = db
        self.read_only = read_only
        self.annotation_sets = AnnotationSets(db)
        self.curation = Curation(db, self.annotation_sets)
        self.labels = Labels(db, path, read_only)
        self.documents = Documents(db, path, self.labels, self.annotation_sets)
        self.spans = Spans(db, path)
        self.runs = Runs(db, path)
        self.predictions = Predictions(db)
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
        project.annotation_sets.rename(project.annotator(), name or default_annotator_name())
        project.labels.add_many(labels)
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
        """A rolling backup before a bulk operation (import, label merge, tag-all); made
        before its transaction begins, never inside one."""
        if self.read_only:
            return None
        return backup.make(self.db.conn, self.path, reason)

    def close(self) -> None:
        self.db.close()

    def transaction(self) -> contextlib.AbstractContextManager:
        """One all-or-nothing action made of several calls (an undo step, a merge of
        annotators' work): ``BEGIN IMMEDIATE`` outside, a savepoint inside another."""
        return self.db.atomic()

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the file, so that moving the one file moves it all."""
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def full_check(self) -> list[str]:
        """Every problem ``nerstudio check`` finds (empty: the file is sound)."""
        return integrity.full_check(self.db)

    def copy_to(self, target: Path) -> None:
        """Copy the whole project into ``target`` (a new file, named by the caller's
        ``safe_io.new_database`` block): consistent while others may be writing."""
        copies.copy_database(self.db.conn, target)

    def keep_only(self, document_ids: Iterable[int], annotator: str) -> None:
        """Cut this (copied) project down to one annotator's documents (``team assign``)."""
        copies.keep_only(self.db, self.annotation_sets, document_ids, annotator)

    # -- annotators and guidelines ---------------------------------------------------------

    def annotator(self) -> str:
        """Who this project's edits are recorded for (spans, status changes)."""
        return self.annotation_sets.current()

    def set_annotator(self, name: str) -> None:
        """Record further edits for ``name``; a new name becomes a new annotator."""
        self.annotation_sets.set_current(name)

    def annotators(self) -> list[str]:
        return self.annotation_sets.names()

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

    # -- counts ----------------------------------------------------------------------------

    def stats(self) -> ProjectStats:
        """Counts for ``nerstudio stats`` and the status bar's worker: it reads every
        document's tokens (about 100 ms at 100k documents), so never on the GUI thread;
        ``documents.splits()`` and ``spans.entity_counts()`` are the cheap parts."""
        return queries.stats(self.db, [label.name for label in self.labels.list()])


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
