"""The per-label report of a run: precision, recall, F1 and support per label on the dev
documents, then the micro and macro averages, then the project's labels that have no dev
examples (a blank there would read as a score of 0, which it is not)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidgetItem, QVBoxLayout, QWidget

from nerstudio.gui.widgets.tables import read_only_table

REPORT_COLUMNS = ("label", "precision", "recall", "F1", "support")
MICRO, MACRO = "micro avg", "macro avg"
NO_DEV_EXAMPLES = "no dev examples"

Scores = Mapping[str, float]


def scored_labels(per_label: Mapping[str, Scores]) -> dict[str, Scores]:
    """The labels the dev documents hold (support > 0): only these have a recall."""
    return {name: m for name, m in per_label.items() if m.get("support", 0) > 0}


def macro_average(per_label: Mapping[str, Scores]) -> dict[str, float]:
    """The unweighted mean over the labels with dev examples: each label counts once,
    so a rare label's weakness shows, where the micro average hides it."""
    scored = scored_labels(per_label)
    count = max(len(scored), 1)
    average = {
        key: sum(m[key] for m in scored.values()) / count for key in ("precision", "recall", "f1")
    }
    return {**average, "support": sum(int(m["support"]) for m in scored.values())}


def report_rows(
    per_label: Mapping[str, Scores], micro: Mapping[str, float], labels: Iterable[str]
) -> list[list[str]]:
    """Rows of the report: scored labels by name, the two averages, then each label of
    ``labels`` (the project's) that no dev document holds."""
    scored = scored_labels(per_label)
    if not scored:
        return [_missing_row(name) for name in sorted(set(labels) | set(per_label))]
    rows = [_score_row(name, m) for name, m in sorted(scored.items())]
    support = sum(int(m["support"]) for m in scored.values())
    rows.append(_score_row(MICRO, {**micro, "support": support}))
    rows.append(_score_row(MACRO, macro_average(per_label)))
    missing = sorted((set(labels) | set(per_label)) - set(scored))
    rows += [_missing_row(name) for name in missing]
    return rows


def _missing_row(name: str) -> list[str]:
    return [name, NO_DEV_EXAMPLES, "", "", ""]


def _score_row(name: str, m: Mapping[str, float]) -> list[str]:
    return [
        name,
        f"{m['precision']:.3f}",
        f"{m['recall']:.3f}",
        f"{m['f1']:.3f}",
        str(m["support"]),
    ]


def weakest_label_line(per_label: Mapping[str, Scores], counts: Mapping[str, int]) -> str:
    """'MISC: F1 0.61 from 212 examples' and 'annotate more MISC' (labels with dev examples),
    on two lines so a narrow dock shows all of it."""
    scored = scored_labels(per_label)
    if not scored:
        return ""
    name, scores = min(scored.items(), key=lambda kv: kv[1]["f1"])
    return (
        f"{name}: F1 {scores['f1']:.2f} from {counts.get(name, 0):,} examples\nannotate more {name}"
    )


class LabelReport(QWidget):
    """The weakest label in a line, then the report's table (averages in bold)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.weakest = QLabel()  # no word wrap: it would make the dock's height depend on its width
        self.weakest.setStyleSheet("font-weight: bold;")
        self.table = read_only_table(REPORT_COLUMNS, stretch=True)
        self.table.setWordWrap(False)
        names = QHeaderView.ResizeMode.ResizeToContents  # "macro avg" whole, the scores share
        self.table.horizontalHeader().setSectionResizeMode(0, names)
        self.table.setToolTip(
            "Entity-level scores on the dev documents. Micro averages every entity; macro "
            "averages the labels with dev examples, each counted once."
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.weakest)
        layout.addWidget(self.table, 1)

    def clear(self) -> None:
        self.weakest.clear()
        self.table.setRowCount(0)

    def show_scores(
        self,
        dev: Mapping,
        labels: Iterable[str],
        counts: Mapping[str, int],
    ) -> None:
        """``dev``: a run's dev scores (``f1``, ``precision``, ``recall``, ``per_label``)."""
        per_label = dev.get("per_label", {})
        micro = {key: float(dev.get(key, 0.0)) for key in ("precision", "recall", "f1")}
        rows = report_rows(per_label, micro, labels)
        self.table.clearSpans()
        self.table.setRowCount(len(rows))
        bold = QFont(self.table.font())
        bold.setBold(True)
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if values[0] in (MICRO, MACRO):
                    item.setFont(bold)
                self.table.setItem(row, column, item)
            if values[1] == NO_DEV_EXAMPLES:  # one note across the scores, not four zeros
                self.table.setSpan(row, 1, 1, len(REPORT_COLUMNS) - 1)
        self.weakest.setText(weakest_label_line(per_label, counts))

    def rows(self) -> list[list[str]]:
        """What the table shows, cell by cell."""
        table = self.table
        return [
            [
                table.item(r, c).text() if table.item(r, c) else ""
                for c in range(table.columnCount())
            ]
            for r in range(table.rowCount())
        ]
