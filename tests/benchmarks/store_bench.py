"""Benchmark of the project file and formats; prints one JSON object.

Imports CoNLL-2003 train (``../shared/data/conll2003/train.bio`` when present, else a
synthetic corpus of the same shape), reads stats, exports CoNLL and a Hugging Face
dataset, then builds a 100k-document project and times opening it, the first page of a
filtered listing and a full-text search. Last, a project of 100k unannotated documents
with a run's predictions: the active-learning pool query (``Predictions.pool``) and the
queue's order (``build_queue`` in memory and ``queue_for_run``, the window's path), timed apart.

``--big-queue FILE`` adds the row ``big_queue``: the queue of a project of 1,000,000 scored
documents (``--big-queue-documents``), built at FILE when it is not there yet and reused
after (the build takes minutes): ``nerstudio queue --top 20``, the window's first chunk
and the next one, each in a fresh process so its peak RSS is its own.

Usage: python tests/benchmarks/store_bench.py [--conll FILE] [--documents 100000]
       [--queue-only] [--gui-counts-only] [--big-queue FILE [--big-queue-documents 1000000]]

``--gui-counts-only``: only the 100k-document project, timing ``stats()`` against the cheap
``documents.splits()`` and ``spans.entity_counts()`` the window reads instead.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import ScoredSpan, Span
from nerstudio.core.store import DocumentQuery, Project
from nerstudio.core.tokens import tokenize
from nerstudio.core.transfer import export_corpus, import_files

HERE = Path(__file__).resolve()
DEFAULT_CONLL = HERE.parents[3] / "shared" / "data" / "conll2003" / "train.bio"
WORDS = (
    "the of and to in said on for was with at by from that is it government market "
    "police president minister company team match season week year percent shares"
).split()
NAMES = {
    "PER": ["Clinton", "Yeltsin", "Smith"],
    "ORG": ["Reuters", "NATO", "Ajax"],
    "LOC": ["London", "Germany", "Paris"],
    "MISC": ["German", "European", "Dutch"],
}


def synthetic_conll(path: Path, sentences: int, rng: random.Random) -> None:
    """A CoNLL file shaped like CoNLL-2003 train (about 14.5 tokens a sentence)."""
    with path.open("w", encoding="utf-8") as fh:
        for _ in range(sentences):
            for _ in range(rng.randint(4, 25)):
                if rng.random() < 0.12:
                    label = rng.choice(list(NAMES))
                    fh.write(f"{rng.choice(NAMES[label])}\tB-{label}\n")
                else:
                    fh.write(f"{rng.choice(WORDS)}\tO\n")
            fh.write("\n")


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def big_project(path: Path, documents: int, rng: random.Random) -> float:
    """Create a project of ``documents`` short annotated documents; returns seconds taken."""

    def records():
        for i in range(documents):
            words = [rng.choice(WORDS) for _ in range(rng.randint(8, 30))]
            label = rng.choice(list(NAMES))
            words[0] = rng.choice(NAMES[label])
            if i % 997 == 0:
                words.append("zanzibar")  # a rare word for the search to find
            text = " ".join(words)
            tokens = tuple(tokenize(text))
            yield DocumentRecord(
                text=text,
                tokens=tokens,
                spans=(Span(tokens[0][0], tokens[0][1], label),),
                status=Status.DONE if i % 3 == 0 else Status.NEW,
                split="train",
            )

    start = time.perf_counter()
    with Project.create(path, list(NAMES)) as project:
        project.documents.add(records())
    return time.perf_counter() - start


def gui_counts(path: Path, repeats: int = 5) -> dict[str, float]:
    """Median ms of what the window once read with ``stats()`` on the GUI thread (a run
    selected: entity counts; Export opened: splits) and of the cheap queries it reads now."""
    with Project.open(path) as project:
        figures = {
            "stats_ms": project.stats,
            "splits_ms": project.documents.splits,
            "entity_counts_ms": project.spans.entity_counts,
        }
        return {
            name: round(1000 * statistics.median(timed(call)[1] for _ in range(repeats)), 2)
            for name, call in figures.items()
        }


def scored_project(path: Path, documents: int, rng: random.Random) -> tuple[int, float]:
    """A project of ``documents`` new documents, each with a stored prediction of one run
    (spans and the three uncertainty scores); returns the run id and seconds taken."""
    start = time.perf_counter()
    with Project.create(path, list(NAMES)) as project:
        texts = (
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))) for _ in range(documents)
        )
        added = project.documents.add(DocumentRecord(t, tuple(tokenize(t))) for t in texts)
        run = project.runs.start("bench", "tiny", "full", {}, str(path.parent / "bench-run"))
        project.runs.finish(run.id, "completed", {})
        scores = ("least_confidence", "mnlp", "entropy")
        project.predictions.save(
            run.id,
            (
                (
                    doc,
                    [ScoredSpan(0, 3, "PER", 0.9)],
                    {name: rng.random() for name in scores},
                )
                for doc in added.document_ids
            ),
        )
    return run.id, time.perf_counter() - start


def queue_figures(path: Path, run_id: int, repeats: int = 3) -> dict[str, object]:
    """Median seconds of the pool query (all scores, and one score) and of ordering it."""
    from nerstudio.core.active import Candidate, build_queue, queue_for_run

    pools, pools_one, orders, windows = [], [], [], []
    for _ in range(repeats):
        with Project.open(path) as project:
            pool, seconds = timed(project.predictions.pool, run_id)
            pools.append(seconds)
            _, seconds = timed(project.predictions.pool, run_id, score="mnlp")
            pools_one.append(seconds)
            candidates = [Candidate(doc, text, scores) for doc, text, scores in pool]
            ordered, seconds = timed(build_queue, candidates, "mnlp", 0.1)
            orders.append(seconds)
            queue, seconds = timed(queue_for_run, project, run_id, "mnlp", 0.1)
            windows.append(seconds)
    assert ordered.document_ids == queue.document_ids
    return {
        "pool_documents": len(pool),
        "pool_all_scores_s": round(statistics.median(pools), 3),
        "pool_one_score_s": round(statistics.median(pools_one), 3),
        "build_queue_s": round(statistics.median(orders), 3),
        "queue_for_run_s": round(statistics.median(windows), 3),
        "random_picks": sum(reason.value == "random" for reason in queue.reasons),
        "deferred": sum(reason.value == "deferred" for reason in queue.reasons),
    }


def big_queue_figure(path: Path, what: str) -> dict[str, object]:
    """One figure of the big queue, in this (fresh) process: seconds and peak RSS."""
    from nerstudio.core.active import QUEUE_CHUNK, extend_queue, queue_for_run

    with Project.open(path, check=False) as project:
        run_id = project.runs.get("bench").id
        idle_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if what == "top_20":  # what ``nerstudio queue`` reads
            order, seconds = timed(queue_for_run, project, run_id, "mnlp", 0.1, limit=20)
        else:  # the window: its worker's first chunk, then the next as the list scrolls
            order, seconds = timed(queue_for_run, project, run_id, "mnlp", 0.1, limit=QUEUE_CHUNK)
            if what == "next_chunk":
                order, seconds = timed(extend_queue, project, order, QUEUE_CHUNK)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": round(seconds, 3),
        "entries": len(order),
        "peak_rss_mb": round(peak_mb),
        "peak_rss_over_open_mb": round(peak_mb - idle_mb),
    }


def big_queue_figures(path: Path, documents: int) -> dict[str, object]:
    """The ``big_queue`` row: the project at ``path`` (built once), each figure the median
    of three fresh processes."""
    out: dict[str, object] = {"documents": documents}
    if not path.exists():
        _, seconds = scored_project(path, documents, random.Random(0))
        out["build_seconds"] = round(seconds, 1)
    spawn = multiprocessing.get_context("spawn")
    for what in ("top_20", "first_chunk", "next_chunk"):
        runs = []
        for _ in range(3):
            with spawn.Pool(1) as pool:
                runs.append(pool.apply(big_queue_figure, (path, what)))
        runs.sort(key=lambda figure: figure["seconds"])
        out[what] = runs[1]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conll", type=Path, default=DEFAULT_CONLL)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--queue-only", action="store_true", help="only the queue figures")
    parser.add_argument("--gui-counts-only", action="store_true", help="stats vs cheap counts")
    parser.add_argument("--big-queue", type=Path, help="the 1M queue's project (built once)")
    parser.add_argument("--big-queue-documents", type=int, default=1_000_000)
    args = parser.parse_args()
    rng = random.Random(0)
    out: dict[str, object] = {}
    if args.gui_counts_only:
        with tempfile.TemporaryDirectory() as tmp_name:
            big = Path(tmp_name) / "big.db"
            seconds = big_project(big, args.documents, rng)
            out["gui_counts"] = {"documents": args.documents, "build_seconds": round(seconds, 1)}
            out["gui_counts"].update(gui_counts(big))
        json.dump(out, sys.stdout)
        print()
        return
    if args.big_queue is not None:
        out["big_queue"] = big_queue_figures(args.big_queue, args.big_queue_documents)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        scored = tmp / "scored.db"
        run_id, seconds = scored_project(scored, args.documents, rng)
        out["queue"] = {"documents": args.documents, "build_seconds": round(seconds, 2)}
        out["queue"].update(queue_figures(scored, run_id))
        if args.queue_only:
            json.dump(out, sys.stdout)
            print()
            return
        conll = args.conll
        if not conll.exists():
            conll = tmp / "synthetic.bio"
            synthetic_conll(conll, 14_041, rng)
        out["data"] = str(conll) if conll == args.conll else "synthetic (CoNLL-2003 shape)"

        project = Project.create(tmp / "corpus.db", ["PER", "ORG", "LOC", "MISC"])
        summary, seconds = timed(import_files, project, [conll], split="train")
        stats, stats_seconds = timed(project.stats)
        out["import"] = {
            "documents": summary.documents,
            "tokens": stats.tokens,
            "seconds": round(seconds, 3),
            "tokens_per_s": round(stats.tokens / seconds),
        }
        out["stats"] = {"seconds": round(stats_seconds, 4), **stats.to_json()}
        export, seconds = timed(export_corpus, project, tmp / "out.conll", "conll")
        out["export_conll"] = {
            "seconds": round(seconds, 3),
            "tokens_per_s": round(export.tokens / seconds),
        }
        import datasets  # noqa: F401  (its ~1 s import is not the export's cost)

        export, seconds = timed(export_corpus, project, tmp / "out_hf", "hf")
        out["export_hf"] = {
            "seconds": round(seconds, 3),
            "tokens_per_s": round(export.tokens / seconds),
        }
        project.close()

        big = tmp / "big.db"
        out["big_project"] = {
            "documents": args.documents,
            "build_seconds": round(big_project(big, args.documents, rng), 2),
        }
        opens, pages, searches, counts = [], [], [], []
        for _ in range(5):
            start = time.perf_counter()
            project = Project.open(big)
            rows = project.documents.list(DocumentQuery(status=Status.DONE, label="ORG", limit=100))
            opens.append(time.perf_counter() - start)
            _, seconds = timed(
                project.documents.list, DocumentQuery(split="train", label="LOC", offset=0)
            )
            pages.append(seconds)
            found, seconds = timed(project.documents.list, DocumentQuery(search="zanzibar"))
            searches.append(seconds)
            total, seconds = timed(project.documents.count, DocumentQuery(search="zanzibar"))
            counts.append(seconds)
            project.close()
        out["big_project"].update(
            {
                "open_and_first_page_ms": round(1000 * statistics.median(opens), 1),
                "first_page_rows": len(rows),
                "filtered_page_ms": round(1000 * statistics.median(pages), 1),
                "search_ms": round(1000 * statistics.median(searches), 1),
                "search_hits_on_page": len(found),
                "search_count_ms": round(1000 * statistics.median(counts), 1),
                "search_hits": total,
            }
        )
        out["gui_counts"] = gui_counts(big)
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
