"""The active-learning queue's order: its rules as properties, against a plain restatement
of the rules, at 100k documents (counting work, never timing it), and from the store."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nerstudio.core import active
from nerstudio.core.active import (
    Candidate,
    Reason,
    build_queue,
    near_duplicates,
    queue_for_run,
    random_rank,
)
from nerstudio.core.errors import NerstudioError
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize

WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu".split()
SCORED = ("least-confidence", "mnlp", "entropy")
KEYS = {"least-confidence": "least_confidence", "mnlp": "mnlp", "entropy": "entropy"}


def reference_order(candidates, strategy, random_share, seed):
    """The queue's rules written the obvious (quadratic) way: the oracle for small pools.
    Random picks follow the seed's random order (``random_rank``), not a shuffle of the
    whole pool, so the store can draw them along an index."""
    if strategy == "random":
        pool = sorted(candidates, key=lambda c: random_rank(c.document_id, seed))
        return [(c.document_id, Reason.RANDOM) for c in pool]
    key = KEYS[strategy]
    ranked = sorted(candidates, key=lambda c: (-c.scores.get(key, 0.0), c.document_id))
    randoms = sorted(ranked, key=lambda c: random_rank(c.document_id, seed))
    every = round(1 / random_share) if random_share > 0 else 0
    ordered, taken, deferred = [], set(), []
    while len(ordered) < len(ranked):
        pick = reason = None
        if every and (len(ordered) + 1) % every == 0:
            pick, reason = next((c for c in randoms if c.document_id not in taken), None), "r"
        else:
            for c in ranked:  # from the top each time: the best one neither taken nor waiting
                if c.document_id in taken or any(c is d for d in deferred):
                    continue
                if ordered and near_duplicates(ordered[-1][0].text, c.text):
                    deferred.append(c)
                    continue
                pick, reason = c, "u"
                break
            if pick is None:
                pick, reason = next((c for c in deferred if c.document_id not in taken), None), "d"
        if pick is None:
            break
        ordered.append((pick, reason))
        taken.add(pick.document_id)
    names = {"r": Reason.RANDOM, "u": Reason.UNCERTAIN, "d": Reason.DEFERRED}
    return [(c.document_id, names[r]) for c, r in ordered]


def pool_with_twins(n: int, seed: int = 1, twins: float = 0.3) -> list[Candidate]:
    """Random texts; a share of them nearly repeat the document scored just above them."""
    rng = random.Random(seed)
    out: list[Candidate] = []
    for i in range(n):
        if out and rng.random() < twins:
            text = out[-1].text + " again"  # one bigram more: Jaccard well above 0.8
        else:
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14)))
        score = 1 - i / n
        out.append(
            Candidate(
                i,
                text,
                {"least_confidence": score, "mnlp": score, "entropy": rng.random()},
            )
        )
    rng.shuffle(out)  # the order of the pool must not matter
    return out


def as_pairs(order) -> list[tuple[int, Reason]]:
    return list(zip(order.document_ids, order.reasons))


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(0, 40),
    seed=st.integers(0, 5),
    strategy=st.sampled_from(active.STRATEGIES),
    share=st.sampled_from([0.0, 0.05, 0.1, 0.25, 0.34, 0.5, 1.0]),
    twins=st.sampled_from([0.0, 0.3, 0.8]),
    pool_seed=st.integers(0, 1000),
)
def test_the_order_is_the_rules_applied(n, seed, strategy, share, twins, pool_seed):
    pool = pool_with_twins(n, pool_seed, twins)
    expected = reference_order(pool, strategy, share, seed)
    assert as_pairs(build_queue(pool, strategy, share, seed)) == expected


@pytest.mark.parametrize("strategy", active.STRATEGIES)
@pytest.mark.parametrize("share", [0.0, 0.1, 0.3])
def test_every_candidate_comes_exactly_once(strategy, share):
    pool = pool_with_twins(300)
    order = build_queue(pool, strategy, share, seed=4)
    assert sorted(order.document_ids) == sorted(c.document_id for c in pool)
    assert len(order) == len(order.uncertainties) == len(order.reasons) == 300


@pytest.mark.parametrize(("share", "every"), [(0.1, 10), (0.25, 4), (0.3, 3), (0.5, 2)])
def test_the_random_share_is_every_nth_pick(share, every):
    order = build_queue(pool_with_twins(500), "mnlp", share, seed=2)
    randoms = [i + 1 for i, reason in enumerate(order.reasons) if reason is Reason.RANDOM]
    assert randoms == list(range(every, 501, every))
    assert len(randoms) == 500 // every
    greedy = build_queue(pool_with_twins(500), "mnlp", 0.0, seed=2)
    assert Reason.RANDOM not in greedy.reasons


def test_ranked_picks_come_most_uncertain_first():
    pool = pool_with_twins(400)
    for strategy in SCORED:
        order = build_queue(pool, strategy, 0.1, seed=1)
        ranked = [u for u, r in zip(order.uncertainties, order.reasons) if r is Reason.UNCERTAIN]
        assert ranked == sorted(ranked, reverse=True)
        by_id = {c.document_id: c.scores[KEYS[strategy]] for c in pool}
        assert list(order.uncertainties) == [by_id[d] for d in order.document_ids]


def test_near_duplicates_are_not_adjacent_when_avoidable():
    # Pairs of twins scored next to each other, among distinct documents.
    pool = pool_with_twins(200, seed=7, twins=0.5)
    texts = {c.document_id: c.text for c in pool}
    twins_in_pool = sum(near_duplicates(texts[i], texts[i + 1]) for i in range(199))
    assert twins_in_pool > 50  # in score order, the pool is full of them
    order = build_queue(pool, "mnlp", 0.0)
    adjacent = [
        (a, b)
        for a, b in zip(order.document_ids, order.document_ids[1:])
        if near_duplicates(texts[a], texts[b])
    ]
    deferred = [d for d, r in zip(order.document_ids, order.reasons) if r is Reason.DEFERRED]
    assert deferred, "twins wait their turn"
    # A twin waits until the ranked list runs dry; only twins of each other may then meet.
    first = order.reasons.index(Reason.DEFERRED)
    assert set(order.reasons[first:]) == {Reason.DEFERRED}
    assert all(a in deferred and b in deferred for a, b in adjacent)
    # No ranked pick nearly repeats the pick before it.
    for i, reason in enumerate(order.reasons):
        if i and reason is Reason.UNCERTAIN:
            assert not near_duplicates(
                texts[order.document_ids[i - 1]], texts[order.document_ids[i]]
            )


def test_the_three_twins_example():
    twin = [
        Candidate(1, "the same words again here", {"mnlp": 0.9}),
        Candidate(2, "the same words again here", {"mnlp": 0.8}),
        Candidate(3, "something else entirely now", {"mnlp": 0.1}),
    ]
    assert as_pairs(build_queue(twin, "mnlp", 0.0)) == [
        (1, Reason.UNCERTAIN),
        (3, Reason.UNCERTAIN),
        (2, Reason.DEFERRED),
    ]


def test_a_seed_gives_one_order_and_another_seed_another():
    pool = pool_with_twins(200)
    for strategy in active.STRATEGIES:
        first = build_queue(pool, strategy, 0.1, seed=11)
        assert build_queue(pool, strategy, 0.1, seed=11) == first
        assert build_queue(pool, strategy, 0.1, seed=12) != first
        if strategy != "random":  # which shuffles the pool as given; the others rank it
            assert build_queue(list(reversed(pool)), strategy, 0.1, seed=11) == first


def test_the_random_strategy_shuffles_everything():
    pool = pool_with_twins(100)
    order = build_queue(pool, "random", 0.1, seed=3)
    assert set(order.reasons) == {Reason.RANDOM}
    assert set(order.uncertainties) == {0.0}
    assert sorted(order.document_ids) == sorted(c.document_id for c in pool)
    assert list(order.document_ids) != [c.document_id for c in pool]
    entries = order.top(3)
    assert [e.document_id for e in entries] == list(order.document_ids[:3])
    assert entries[0].reason is Reason.RANDOM and entries[0].uncertainty == 0.0


def test_an_unknown_strategy_is_refused():
    with pytest.raises(NerstudioError, match="use one of"):
        build_queue([], "margin")


class CountedId(int):
    """A document id that counts how often it is hashed (set lookups, dict keys)."""

    hashes = 0

    def __hash__(self) -> int:
        CountedId.hashes += 1
        return int.__hash__(self)


def test_100k_documents_take_linear_work(monkeypatch):
    """The old order rescanned the shuffled list for every random pick and the deferred
    list for every deferred one: ~n^2/200 id lookups. Count lookups and shingles instead of
    timing anything."""
    n = 100_000
    pool = [
        Candidate(CountedId(c.document_id), c.text, c.scores) for c in pool_with_twins(n, twins=0.2)
    ]
    shingled = 0
    real = active._shingles

    def counted(text):
        nonlocal shingled
        shingled += 1
        return real(text)

    monkeypatch.setattr(active, "_shingles", counted)
    CountedId.hashes = 0
    order = build_queue(pool, "mnlp", 0.1, seed=0)
    assert CountedId.hashes <= 4 * n
    assert shingled <= 2 * n
    assert len(order) == n and len(set(order.document_ids)) == n
    assert order.reasons.count(Reason.RANDOM) == n // 10
    assert order.reasons.count(Reason.DEFERRED) > n // 20  # the twins were deferred
    ranked = [u for u, r in zip(order.uncertainties, order.reasons) if r is Reason.UNCERTAIN]
    assert ranked == sorted(ranked, reverse=True)


def test_queue_for_run_orders_the_stored_pool(tmp_path):
    path = tmp_path / "p.db"
    texts = [" ".join(random.Random(i).sample(WORDS, 6)) for i in range(12)]
    with Project.create(path, ["PER"]) as project:
        ids = project.documents.add(DocumentRecord(t, tuple(tokenize(t))) for t in texts)
        docs = ids.document_ids
        project.documents.set_status(docs[:2], Status.DONE)
        project.documents.set_status(docs[2:3], Status.SKIPPED)
        project.documents.set_status(docs[3:4], Status.IN_PROGRESS)
        project.documents.set_split(docs[4:5], "dev")
        project.documents.set_split(docs[5:6], "test")
        run = project.runs.start("r", "tiny", "full", {}, str(tmp_path / "r"))
        scores = {d: {"mnlp": i / 12, "entropy": 1 - i / 12} for i, d in enumerate(docs)}
        project.predictions.save(run.id, [(d, [], scores[d]) for d in docs[:-1]])
        pool = project.predictions.pool(run.id)
        one = project.predictions.pool(run.id, score="entropy")
        assert [doc for doc, _, _ in pool] == list(docs[3:4] + docs[6:-1])  # unfinished, train
        assert [(doc, text) for doc, text, _ in one] == [(doc, text) for doc, text, _ in pool]
        assert pool[0][2] == scores[docs[3]]
        assert one[0][2] == {"entropy": scores[docs[3]]["entropy"]}
        assert project.predictions.pool(run.id, score="margin")[0][2] == {}
        for strategy in active.STRATEGIES:
            order = queue_for_run(project, run.id, strategy, 0.25, seed=5)
            candidates = [Candidate(d, t, s) for d, t, s in pool]
            assert order == build_queue(candidates, strategy, 0.25, seed=5)
        assert queue_for_run(project, run.id, "mnlp", 0.0).document_ids[0] == docs[-2]
