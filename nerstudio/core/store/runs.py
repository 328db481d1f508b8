"""Training runs recorded in the project: one row per run, its metrics as a time series."""

from __future__ import annotations

import itertools
import json
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from nerstudio.core.errors import ProjectError
from nerstudio.core.safe_io import remove_leftovers
from nerstudio.core.store import schema


@dataclass(frozen=True)
class RunRecord:
    """A run as the run history shows it."""

    id: int
    name: str
    base_model: str
    method: str
    params: dict[str, Any]
    status: str
    path: str | None  # absolute (stored relative to the project file when beside it)
    label_map: dict[str, Any]
    metrics: dict[str, Any]
    started_at: str | None
    finished_at: str | None


@dataclass(frozen=True)
class MetricPoint:
    """One logged value: training loss at a step, dev F1 at an epoch, ..."""

    step: int | None
    epoch: float | None
    name: str
    value: float


_COLUMNS = "id, name, base_model, method, params, status, path, label_map, metrics,"
_COLUMNS += " started_at, finished_at"


_NAME_RULE = "letters, digits, '.', '_' and '-', not starting with '.' or '-', at most 100"


def check_run_name(name: str) -> str:
    """A run name is one safe folder name beside the project: never a path."""
    ok = (
        0 < len(name) <= 100
        and name[0] not in ".-"
        and all(c.isalnum() or c in "._-" for c in name)
    )
    if not ok:
        raise ProjectError(f"run name {name!r}: use {_NAME_RULE} characters")
    return name


def runs_folder(project_path: Path) -> Path:
    """Runs live beside the project: ``corpus.db`` -> ``corpus-runs/``."""
    project_path = Path(project_path)
    return project_path.with_name(f"{project_path.stem}-runs")


def _process_alive(pid: int, started_at: str | None) -> bool:
    """Whether the process that started a run still runs (and is not a reused pid)."""
    import psutil

    try:
        process = psutil.Process(pid)
        created = process.create_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied, ValueError):
        return False
    if started_at:
        try:
            started = datetime.fromisoformat(started_at).timestamp()
        except ValueError:
            return True
        return created <= started + 1
    return True


class Runs:
    """The ``runs`` and ``run_metrics`` tables of one project connection.

    Run folders are recorded relative to the project file's folder when they sit beside
    it, so a project moved or opened from another working directory still finds them.
    """

    def __init__(self, db: sqlite_utils.Database, project_path: Path | None = None) -> None:
        self.db = db
        self.project_path = Path(project_path).resolve() if project_path else None
        self.base = self.project_path.parent if self.project_path else Path.cwd()

    def _stored_path(self, path: str | None) -> str | None:
        if path is None:
            return None
        absolute = Path(path).expanduser().resolve()
        try:
            return absolute.relative_to(self.base).as_posix()
        except ValueError:
            return str(absolute)

    def _run(self, row: tuple) -> RunRecord:
        values = list(row)
        for i in (4, 7, 8):
            values[i] = json.loads(values[i]) if values[i] else {}
        if values[6]:
            values[6] = str(self.base / values[6])  # an absolute path stays as it is
        return RunRecord(*values)

    def start(
        self,
        name: str,
        base_model: str,
        method: str,
        params: dict[str, Any],
        path: str | None,
        unique: bool = False,
    ) -> RunRecord:
        """Record a new running run. With ``unique`` (a name nerstudio chose) a name in use
        becomes ``name-2``, ``name-3``…, its folder renamed alike; the record says which."""
        check_run_name(name)
        with self.db.atomic():
            name, path = self._claim_name(name, path, unique)
            self.db.execute(
                "INSERT INTO runs (name, base_model, method, params, status, path, started_at,"
                " pid, host) VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?)",
                [
                    name,
                    base_model,
                    method,
                    json.dumps(params),
                    self._stored_path(path),
                    schema.now(),
                    os.getpid(),
                    socket.gethostname(),
                ],
            )
        return self.get(name)

    def _claim_name(self, name: str, path: str | None, unique: bool) -> tuple[str, str | None]:
        """The first free name (and folder) of ``name``, ``name-2``…; only ``name`` unless
        ``unique``. A run killed before it saved anything gives up its name here."""
        for n in itertools.count(1):
            candidate = name if n == 1 else check_run_name(f"{name}-{n}")
            folder = path if n == 1 or path is None else str(Path(path).with_name(candidate))
            self._forget_unsaved_interrupted(candidate)
            row = self.db.execute("SELECT 1 FROM runs WHERE name = ?", [candidate]).fetchone()
            if row is None and not (unique and folder and os.path.lexists(folder)):
                return candidate, folder
            if not unique:
                break
        raise ProjectError(f"a run named {name!r} exists already; choose another name")

    def _forget_unsaved_interrupted(self, name: str) -> None:
        """An interrupted run that has no folder (killed before it saved) holds nothing
        to keep: forget it, so its name is free for the next run."""
        row = self.db.execute(
            "SELECT id, path FROM runs WHERE name = ? AND status = 'interrupted'", [name]
        ).fetchone()
        if row is None or (row[1] and (self.base / row[1]).exists()):
            return
        self.db.execute("DELETE FROM project_meta WHERE key = 'active_run' AND value = ?", [name])
        self.db.execute("DELETE FROM runs WHERE id = ?", [row[0]])

    def remove_leftovers(self) -> list[Path]:
        """What killed runs left in the runs folder (a half-written run folder, a
        half-deleted one) when the process writing it is gone; returns what went."""
        if self.project_path is None:
            return []
        return remove_leftovers(runs_folder(self.project_path))

    def add_imported(self, name: str, source: str) -> RunRecord:
        """A run that holds only suggestions made elsewhere (a Label Studio model version,
        a lead's project): no folder, never trainable, shown in the history as imported.
        Returns the existing one when a run of that name was imported before."""
        with self.db.atomic():
            row = self.db.execute(f"SELECT {_COLUMNS} FROM runs WHERE name = ?", [name]).fetchone()
            if row is not None:
                record = self._run(row)
                if record.status != "imported":
                    raise ProjectError(
                        f"a trained run named {name!r} exists; imported suggestions need "
                        "another name"
                    )
                return record
            self.db.execute(
                "INSERT INTO runs (name, base_model, method, params, status, started_at,"
                " finished_at) VALUES (?, ?, 'imported', '{}', 'imported', ?, ?)",
                [name, source, schema.now(), schema.now()],
            )
        return self.get(name)

    def add_source(self, name: str, kind: str, origin: str, params: dict[str, Any]) -> RunRecord:
        """The row of a suggestion source (``method`` is its kind, status ``source``, no
        folder): made, or updated when a source of that name and kind exists (its earlier
        suggestions stay until replaced). A trained run's name is refused."""
        check_run_name(name)
        with self.db.atomic():
            row = self.db.execute("SELECT method, status FROM runs WHERE name = ?", [name])
            found = row.fetchone()
            if found is not None and found != (kind, "source"):
                raise ProjectError(
                    f"a run named {name!r} exists already; give the source another --name"
                )
            if found is None:
                self.db.execute(
                    "INSERT INTO runs (name, base_model, method, params, status, started_at,"
                    " finished_at) VALUES (?, ?, ?, ?, 'source', ?, ?)",
                    [name, origin, kind, json.dumps(params), schema.now(), schema.now()],
                )
            else:
                self.db.execute(
                    "UPDATE runs SET base_model = ?, params = ?, finished_at = ? WHERE name = ?",
                    [origin, json.dumps(params), schema.now(), name],
                )
        return self.get(name)

    def mark_interrupted(self) -> list[str]:
        """Runs left ``running`` by a process that is gone become ``interrupted`` (a run
        on another machine sharing the file is left alone); returns their names."""
        rows = self.db.execute(
            "SELECT id, name, pid, host, started_at FROM runs WHERE status = 'running'"
        ).fetchall()
        here = socket.gethostname()
        dead = [
            (run_id, name)
            for run_id, name, pid, host, started in rows
            if pid is None or (host == here and not _process_alive(pid, started))
        ]
        if dead:
            with self.db.atomic():
                self.db.conn.executemany(
                    "UPDATE runs SET status = 'interrupted', finished_at = ?,"
                    " metrics = coalesce(metrics, ?) WHERE id = ? AND status = 'running'",
                    [
                        (schema.now(), json.dumps({"error": "its process ended unexpectedly"}), i)
                        for i, _ in dead
                    ],
                )
        return [name for _, name in dead]

    def rename(self, old: str, new: str, path: str | None = None) -> RunRecord:
        """Rename a run (and record its moved folder); the active run follows."""
        check_run_name(new)
        with self.db.atomic():
            record = self.get(old)
            if (
                new != old
                and self.db.execute("SELECT 1 FROM runs WHERE name = ?", [new]).fetchone()
            ):
                raise ProjectError(f"a run named {new!r} exists already; choose another name")
            stored = self._stored_path(path) if path else None
            self.db.execute(
                "UPDATE runs SET name = ?, path = coalesce(?, path) WHERE id = ?",
                [new, stored, record.id],
            )
            self.db.execute(
                "UPDATE project_meta SET value = ? WHERE key = 'active_run' AND value = ?",
                [new, old],
            )
        return self.get(new)

    def log(self, run_id: int, points: Iterable[MetricPoint]) -> None:
        with self.db.atomic():
            self.db.conn.executemany(
                "INSERT INTO run_metrics (run_id, step, epoch, name, value) VALUES (?, ?, ?, ?, ?)",
                [(run_id, p.step, p.epoch, p.name, p.value) for p in points],
            )

    def finish(
        self,
        run_id: int,
        status: str,
        metrics: dict[str, Any],
        label_map: dict[str, Any] | None = None,
    ) -> None:
        with self.db.atomic():
            self.db.execute(
                "UPDATE runs SET status = ?, metrics = ?, label_map = coalesce(?, label_map),"
                " finished_at = ? WHERE id = ?",
                [
                    status,
                    json.dumps(metrics),
                    json.dumps(label_map) if label_map else None,
                    schema.now(),
                    run_id,
                ],
            )

    def get(self, name: str) -> RunRecord:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM runs WHERE name = ?", [name]).fetchone()
        if row is None:
            raise ProjectError(f"no run named {name!r} in this project")
        return self._run(row)

    def get_by_id(self, run_id: int) -> RunRecord:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM runs WHERE id = ?", [run_id]).fetchone()
        if row is None:
            raise ProjectError(f"no run {run_id} in this project")
        return self._run(row)

    def all(self) -> list[RunRecord]:
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM runs ORDER BY id").fetchall()
        return [self._run(row) for row in rows]

    def set_active(self, name: str | None) -> None:
        """Choose the run whose model makes suggestions (None: no active model)."""
        with self.db.atomic():
            if name is not None:
                self.get(name)
            self.db.execute("DELETE FROM project_meta WHERE key = 'active_run'")
            if name is not None:
                self.db.execute(
                    "INSERT INTO project_meta (key, value) VALUES ('active_run', ?)", [name]
                )

    def active(self) -> RunRecord | None:
        row = self.db.execute("SELECT value FROM project_meta WHERE key = 'active_run'").fetchone()
        return self.get(row[0]) if row else None

    def delete(self, name: str) -> RunRecord:
        """Forget a run (its metrics go with it); the caller removes its folder."""
        with self.db.atomic():
            record = self.get(name)
            if (active := self.active()) is not None and active.id == record.id:
                self.set_active(None)
            self.db.execute("DELETE FROM runs WHERE id = ?", [record.id])
        return record

    def metrics(self, run_id: int, name: str | None = None) -> list[MetricPoint]:
        sql = "SELECT step, epoch, name, value FROM run_metrics WHERE run_id = ?"
        params: list[Any] = [run_id]
        if name is not None:
            sql += " AND name = ?"
            params.append(name)
        rows = self.db.execute(sql + " ORDER BY rowid", params).fetchall()
        return [MetricPoint(*row) for row in rows]
