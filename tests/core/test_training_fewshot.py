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


def test_a_tiny_corpus_gets_many_more_steps_than_twenty_epochs():
    from nerstudio.core.training.config import MIN_STEPS, TrainConfig, default_epochs

    most = TrainConfig.max_epochs
    # 10 sentences (9 train) were 20 steps, 50 sentences (42 train) 60: now 100 and 120
    assert default_epochs(9, 16, most) * 1 == MIN_STEPS  # one step an epoch
    assert default_epochs(42, 16, most) * 3 == 120
    assert default_epochs(85, 16, most) * 6 == 240
    assert default_epochs(180, 16, most) * 12 == 384  # the 375-step target, as before
    assert default_epochs(14041, 16, most) == 5  # big corpora unchanged
    assert default_epochs(14041, 16, 2) == 2  # --max-epochs still caps a big corpus


def test_a_run_scored_on_few_held_out_documents_keeps_its_last_epoch(tmp_path, tiny_model):
    """Dev F1 on two documents picks a lucky early epoch and stops there; such a run
    trains its whole schedule and keeps the last epoch (at learning rate 0 every epoch
    scores the same: the old rule kept the first and called the rest no better)."""
    from nerstudio.core.store import Project
    from nerstudio.core.training import EvalFinished, train
    from nerstudio.core.transfer import import_files
    from tests.conftest import make_sentences, tiny_train_config, write_conll

    path = tmp_path / "few.db"
    with Project.create(path, ["PER", "ORG", "LOC"]) as project:
        import_files(project, [write_conll(tmp_path / "few.conll", make_sentences(20, 5))])
    config = tiny_train_config(tiny_model, "few", epochs=3, learning_rate=0.0, patience=1)
    events = list(train(path, config))
    assert [e.is_best for e in events if isinstance(e, EvalFinished)] == [True, True, True]
    assert events[-1].best_epoch == 3
    assert events[-1].summary["dev_documents"] < 30
