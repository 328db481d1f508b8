"""Training from the first few documents: a first run on 10 done documents always has one
to be scored on, and the defaults give tiny corpora enough optimisation steps."""

from __future__ import annotations

from nerstudio.core.training.data import Example, _dev_draw, hold_out


def examples(ids) -> list[Example]:
    return [Example(i, ("a",), ("O",)) for i in ids]


def test_ten_documents_whose_draws_miss_the_fraction_still_hold_one_out():
    ids = [i for i in range(1, 500) if _dev_draw(i) >= 0.1][:10]  # a 10% draw picks none
    train, dev = hold_out(examples(ids), 0.1)
    assert len(dev) == 1 and len(train) == 9
    assert hold_out(examples(reversed(ids)), 0.1)[1] == dev  # the same one every run


def test_the_fraction_decides_when_it_picks_some_and_one_document_is_never_held_out():
    ids = list(range(1, 201))
    train, dev = hold_out(examples(ids), 0.1)
    assert {ex.document_id for ex in dev} == {i for i in ids if _dev_draw(i) < 0.1}
    assert len(train) + len(dev) == 200
    lone = [i for i in ids if _dev_draw(i) >= 0.1][:1]
    assert hold_out(examples(lone), 0.1) == (examples(lone), [])
