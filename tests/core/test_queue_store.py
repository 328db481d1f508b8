"""The queue read from the store (index walks) against the queue as it was computed in
Python before: the same order on random data with ties, finished and held-out documents
and a random share; read in pieces; non-finite scores; old projects migrated."""

from __future__ import annotations

import json
import math
import random

import pytest

from nerstudio.core import active
from nerstudio.core.active import (
    Candidate,
    Reason,
    _shingles,
    _similar,
    build_queue,
    extend_queue,
    queue_for_run,
    random_rank,
)
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.store import DocumentQuery, Project, connection, schema
from nerstudio.core.tokens import tokenize

WORDS = "alpha beta gamma delta epsilon zeta eta theta".split()
SCORES = ("least_confidence", "mnlp", "entropy")


def old_order(ids, texts, scores, every, seed, randoms_of=None):
    """The queue's ``_order`` as it was before the store kept the order (verbatim), but
    for where random picks come from: ``randoms_of(ranked)`` instead of a shuffle of the
    whole ranked list (which no index can give; None keeps the shuffle)."""
    total = len(ids)
    ranked = sorted(range(total), key=ids.__getitem__)
    negated = [-score for score in scores]
    ranked.sort(key=negated.__getitem__)
    if randoms_of is None:
        randoms = list(ranked)
        random.Random(seed).shuffle(randoms)
    else:
        randoms = randoms_of(ranked)
    picks, reasons, taken, deferred = [], [], set(), []
    ranked_at = random_at = deferred_at = 0
    last = None
    while len(picks) < total:
        pick, shingles = -1, None
        if every and (len(picks) + 1) % every == 0:
            while random_at < total and ids[randoms[random_at]] in taken:
                random_at += 1
            if random_at < total:
                pick, reason = randoms[random_at], Reason.RANDOM
        else:
            while ranked_at < total:
                i = ranked[ranked_at]
                ranked_at += 1
                if ids[i] in taken:
                    continue
                if picks:
                    if last is None:
                        last = _shingles(texts[picks[-1]])
                    shingles = _shingles(texts[i])
                    if _similar(last, shingles, active.NEAR_DUPLICATE):
                        deferred.append(i)
                        continue
                pick, reason = i, Reason.UNCERTAIN
                break
            if pick < 0:
                while deferred_at < len(deferred) and ids[deferred[deferred_at]] in taken:
                    deferred_at += 1
                if deferred_at < len(deferred):
                    pick, reason = deferred[deferred_at], Reason.DEFERRED
        if pick < 0:
            break
        picks.append(pick)
        reasons.append(reason)
        taken.add(ids[pick])
        last = shingles if reason is Reason.UNCERTAIN else None
    return [(ids[p], scores[p], r) for p, r in zip(picks, reasons)]


def random_project(path, n: int, rng: random.Random) -> tuple[int, dict[int, tuple[str, dict]]]:
    """Documents with tied scores (two decimals), twins, some done, skipped, dev or test,
    some without a prediction; returns the run id and the pool (id -> text, scores)."""
    texts, drawn = [], []
    for _ in range(n):
        if texts and rng.random() < 0.25:
            texts.append(texts[-1] + " again")  # a near-duplicate, scored the same (a tie)
            drawn.append(dict(drawn[-1]))
        else:
            texts.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9))))
            drawn.append({s: round(rng.random(), 2) for s in SCORES})
    with Project.create(path, ["PER"]) as project:
        docs = project.documents.add(DocumentRecord(t, tuple(tokenize(t))) for t in texts)
        text_of = dict(zip(docs.document_ids, texts))
        drawn_of = dict(zip(docs.document_ids, drawn))
        ids = list(docs.document_ids)
        rng.shuffle(ids)
        project.documents.set_status(ids[: n // 8], Status.DONE)
        project.documents.set_status(ids[n // 8 : n // 6], Status.SKIPPED)
        project.documents.set_status(ids[n // 6 : n // 4], Status.IN_PROGRESS)
        project.documents.set_split(ids[n // 4 : n // 4 + n // 10], "dev")
        project.documents.set_split(ids[n // 4 + n // 10 : n // 4 + n // 5], "test")
        run = project.runs.start("r", "tiny", "full", {}, str(path.parent / "r"))
        scored = {d: drawn_of[d] for d in ids[: n - n // 20]}
        for found in list(scored.values())[::7]:
            found.pop("entropy")  # a score missing: ranked as 0.0
        project.predictions.save(run.id, [(d, [], s) for d, s in scored.items()])
        open_ids = {*ids[n // 6 : n // 4], *ids[n // 4 + 2 * (n // 10) :]}  # unfinished, train
        pool = {d: (text_of[d], found) for d, found in scored.items() if d in open_ids}
    return run.id, pool


def old_queue(pool, strategy, share, seed, random_order=True):
    """The queue by the old Python computation over the pool."""
    ids = sorted(pool)
    key = active.score_key(strategy)
    scores = [pool[d][1].get(key, 0.0) if key else 0.0 for d in ids]
    texts = [pool[d][0] for d in ids]
    every = 1 if key is None else (round(1 / share) if share else 0)

    def by_rank(ranked):
        return sorted(ranked, key=lambda i: random_rank(ids[i], seed))

    return old_order(ids, texts, scores, every, seed, by_rank if random_order else None)


def triples(order):
    return list(zip(order.document_ids, order.uncertainties, order.reasons))


@pytest.mark.parametrize("pool_seed", [1, 2, 3])
def test_the_store_serves_the_old_order(tmp_path, pool_seed):
    run_id, pool = random_project(tmp_path / "p.db", 300, random.Random(pool_seed))
    with Project.open(tmp_path / "p.db") as project:
        for strategy in active.STRATEGIES:
            for share in (0.0, 0.1, 0.25):
                for seed in (0, 7):
                    order = queue_for_run(project, run_id, strategy, share, seed)
                    assert triples(order) == old_queue(pool, strategy, share, seed)
                    assert order.more is None
        # Without a random share nothing changed at all: the old code, shuffle and all.
        order = queue_for_run(project, run_id, "mnlp", 0.0)
        assert triples(order) == old_queue(pool, "mnlp", 0.0, 0, random_order=False)
        reasons = set(queue_for_run(project, run_id, "mnlp", 0.1).reasons)
        assert reasons == set(Reason)  # ranked, random and deferred picks all came up


def test_a_queue_read_in_pieces_is_the_whole_queue(tmp_path):
    run_id, _ = random_project(tmp_path / "p.db", 200, random.Random(5))
    with Project.open(tmp_path / "p.db") as project:
        for strategy in active.STRATEGIES:
            whole = queue_for_run(project, run_id, strategy, 0.25, seed=3)
            order = queue_for_run(project, run_id, strategy, 0.25, seed=3, limit=7)
            assert triples(order) == triples(whole)[:7] and order.more is not None
            while order.more is not None:
                order = extend_queue(project, order, 13)
            assert triples(order) == triples(whole)
            assert extend_queue(project, order, 5) is order


def test_the_top_of_a_big_queue_reads_only_the_top(tmp_path, monkeypatch):
    """Counting, not timing: the top 20 of 2,000 documents shingles a few dozen texts."""
    run_id, _ = random_project(tmp_path / "p.db", 2000, random.Random(9))
    shingled = 0
    real = active._shingles

    def counted(text):
        nonlocal shingled
        shingled += 1
        return real(text)

    monkeypatch.setattr(active, "_shingles", counted)
    with Project.open(tmp_path / "p.db") as project:
        order = queue_for_run(project, run_id, "mnlp", 0.1, limit=20)
    assert len(order) == 20 and order.more is not None
    assert shingled < 200


def test_non_finite_scores_are_never_stored_and_rank_as_zero(tmp_path):
    texts = ["Anna met Omar", "Li flew to Lima", "Kofi saw Paris", "Maria is in Oslo"]
    with Project.create(tmp_path / "p.db", ["PER"]) as project:
        docs = project.documents.add(DocumentRecord(t, tuple(tokenize(t))) for t in texts)
        d1, d2, d3, d4 = docs.document_ids
        run = project.runs.start("r", "tiny", "full", {}, str(tmp_path / "r"))
        scores = {
            d1: {"mnlp": math.nan, "entropy": 0.5},
            d2: {"mnlp": math.inf},
            d3: {"mnlp": 0.3},
            d4: {"mnlp": -math.inf, "entropy": math.nan},
        }
        project.predictions.save(run.id, [(d, [], s) for d, s in scores.items()])
        assert project.predictions.get(run.id, d1).scores == {"entropy": 0.5}
        assert project.predictions.get(run.id, d2).scores == {}
        stored = project.db.execute(
            "SELECT mnlp, entropy, uncertainty, scores FROM predictions ORDER BY document_id"
        ).fetchall()
        for mnlp, entropy, uncertainty, text in stored:
            assert math.isfinite(mnlp) and math.isfinite(entropy)
            assert uncertainty is None or math.isfinite(uncertainty)
            json.loads(text, parse_constant=pytest.fail)  # no NaN or Infinity in the JSON
        order = queue_for_run(project, run.id, "mnlp", 0.0)
        assert order.document_ids == (d3, d1, d2, d4) and order.uncertainties[1:] == (0.0,) * 3
        candidates = [Candidate(d, t, scores[d]) for d, t in zip(docs.document_ids, texts)]
        assert build_queue(candidates, "mnlp", 0.0) == order


def make_version_5(path, scores: list[str | None]) -> None:
    """A project as schema 5 wrote it: a document per ``scores`` JSON, each predicted."""
    db = connection.connect(path)
    with db.atomic():
        db.execute("CREATE TABLE project_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute(
            "INSERT INTO project_meta VALUES ('application', ?), ('schema_version', 5)",
            [schema.APPLICATION],
        )
        for migration in schema.MIGRATIONS[:5]:
            migration(db)
        db.execute(
            "INSERT INTO runs (id, name, base_model, method, status) VALUES (1, 'r', 't', 'f', 'c')"
        )
        for i, found in enumerate(scores, 1):
            db.execute(
                "INSERT INTO documents (id, text, tokens, content_hash, updated_at)"
                " VALUES (?, ?, '[]', 'x', 'now')",
                [i, f"document number {i} of the old project"],
            )
            db.execute(
                "INSERT INTO predictions (document_id, run_id, spans, uncertainty, scores,"
                " created_at) VALUES (?, 1, '[]', NULL, ?, 'now')",
                [i, found],
            )
    db.close()


def test_an_old_project_gets_its_queue_columns_filled(tmp_path):
    old = [
        '{"mnlp": 0.2, "entropy": 0.9, "least_confidence": 0.4}',
        '{"mnlp": NaN, "entropy": 0.1}',  # Python's json.dumps wrote NaN: SQLite cannot read it
        '{"mnlp": 0.7, "entropy": "high"}',
        None,  # before schema 3: no scores
        '{"mnlp": Infinity, "entropy": 0.3}',
        '{"mnlp": 0.7}',
    ]
    path = tmp_path / "old.db"
    make_version_5(path, old)
    with Project.open(path) as project:
        assert project.predictions.get(1, 2).scores == {"entropy": 0.1}
        assert project.predictions.get(1, 5).scores == {"entropy": 0.3}
        rows = project.db.execute(
            "SELECT mnlp, entropy, least_confidence FROM predictions ORDER BY document_id"
        ).fetchall()
        assert [r[0] for r in rows] == [0.2, 0.0, 0.7, 0.0, 0.0, 0.7]
        assert [r[1] for r in rows] == [0.9, 0.1, 0.0, 0.0, 0.3, 0.0]
        assert rows[0][2] == 0.4
        pool = [Candidate(d, t, s) for d, t, s in project.predictions.pool(1)]
        for strategy in active.STRATEGIES:
            assert queue_for_run(project, 1, strategy, 0.34) == build_queue(pool, strategy, 0.34)
        assert queue_for_run(project, 1, "mnlp", 0.0).document_ids[:3] == (3, 6, 1)


def test_unscored_is_the_pool_without_a_prediction(tmp_path):
    """What Set active still has to score, by one query, as the window computed it before
    (every document listed, every prediction of the run read)."""
    run_id, _ = random_project(tmp_path / "p.db", 300, random.Random(4))
    with Project.open(tmp_path / "p.db") as project:
        scored = {doc for doc, _, _ in project.predictions.pool(run_id, score="mnlp")}
        rows = project.documents.list(DocumentQuery(limit=1000))
        expected = [
            r.id
            for r in rows
            if r.status in (Status.NEW, Status.IN_PROGRESS)
            and r.split not in ("dev", "test")
            and r.id not in scored
        ]
        assert expected  # the last 5% have no prediction
        assert project.predictions.unscored(run_id) == sorted(expected)
        assert project.predictions.unscored(run_id + 1) == sorted(
            r.id
            for r in rows
            if r.status in (Status.NEW, Status.IN_PROGRESS) and r.split not in ("dev", "test")
        )
