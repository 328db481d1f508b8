"""What a run that learnt nothing tells the user to do."""

from __future__ import annotations


def test_a_run_that_learnt_nothing_says_to_train_longer_with_the_default():
    from types import SimpleNamespace

    from nerstudio.core.training.config import TrainConfig
    from nerstudio.core.training.outcome import untrained_hint

    # --max-epochs 1 on 300 sentences: 19 steps an epoch at batch size 16
    limited = TrainConfig(base_model="m", max_epochs=1)
    setup = SimpleNamespace(config=limited, epochs=1, steps_per_epoch=19)
    assert untrained_hint(setup, {"f1": 0.0}) == (
        "dev F1 is 0 after 1 epoch: train longer: 20 epochs is the default for this corpus"
    )
    assert untrained_hint(setup, {"f1": 0.41}) is None
    setup.epochs = 20
    assert "check that the done documents hold entities" in untrained_hint(setup, {"f1": 0.0})


def test_a_run_on_the_default_schedule_is_not_told_to_take_it():
    """A small corpus trains fewer, longer epochs by default (its mention-replaced copies
    are in them): its own schedule is the default, so F1 0 points at the data or the
    learning rate, never at 'train longer' with another number of epochs."""
    from types import SimpleNamespace

    from nerstudio.core.training.config import TrainConfig
    from nerstudio.core.training.outcome import untrained_hint

    # 40 sentences and their 3 copies: 160 windows, 10 steps an epoch, 10 epochs
    setup = SimpleNamespace(config=TrainConfig(base_model="m"), epochs=10, steps_per_epoch=10)
    hint = untrained_hint(setup, {"f1": 0.0})
    assert hint.startswith("dev F1 is 0 after 10 epochs: check that the done documents")
