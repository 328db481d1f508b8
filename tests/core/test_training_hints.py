"""What a run that learnt nothing tells the user to do."""

from __future__ import annotations


def test_a_run_that_learnt_nothing_says_to_train_longer_with_the_default():
    from types import SimpleNamespace

    from nerstudio.core.training.config import TrainConfig
    from nerstudio.core.training.outcome import untrained_hint

    # --max-epochs 1 on 300 sentences: 19 steps an epoch at batch size 16
    setup = SimpleNamespace(config=TrainConfig(base_model="m"), epochs=1, steps_per_epoch=19)
    assert untrained_hint(setup, {"f1": 0.0}) == (
        "dev F1 is 0 after 1 epoch: train longer: 20 epochs is the default for this corpus"
    )
    assert untrained_hint(setup, {"f1": 0.41}) is None
    setup.epochs = 20
    assert "check that the done documents hold entities" in untrained_hint(setup, {"f1": 0.0})
