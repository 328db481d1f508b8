"""Training runs recorded in the project: one row per run, its metrics as a time series."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from nerstudio.core.errors import ProjectError
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
    path: str | None
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


def _run(row: tuple) -> RunRecord:
    values = list(row)
    for i in (4, 7, 8):
        values[i] = json.loads(values[i]) if values[i] else {}
    return RunRecord(*values)


class Runs:
    """The ``runs`` and ``run_metrics`` tables of one project connection."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def start(
        self, name: str, base_model: str, method: str, params: dict[str, Any], path: str
    ) -> RunRecord:
        with self.db.atomic():
            if self.db.execute("SELECT 1 FROM runs WHERE name = ?", [name]).fetchone():
                raise ProjectError(f"a run named {name!r} exists already; choose another name")
            self.db.execute(
                "INSERT INTO runs (name, base_model, method, params, status, path, started_at)"
                " VALUES (?, ?, ?, ?, 'running', ?, ?)",
                [name, base_model, method, json.dumps(params), path, schema.now()],
            )
        return self.get(name)

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
        return _run(row)

    def get_by_id(self, run_id: int) -> RunRecord:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM runs WHERE id = ?", [run_id]).fetchone()
        if row is None:
            raise ProjectError(f"no run {run_id} in this project")
        return _run(row)

    def all(self) -> list[RunRecord]:
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM runs ORDER BY id").fetchall()
        return [_run(row) for row in rows]

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
