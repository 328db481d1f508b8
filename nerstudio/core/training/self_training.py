"""Self-training on the unfinished pool (``--self-training``): after the run's own epochs
(the teacher), the model labels the project's untouched documents; those it labels with
every word at CONFIDENCE or more join the gold for a second round of as many steps (the
student, which goes on from the teacher's weights with a fresh schedule). The pseudo-labels
exist only in memory, for this run: nothing is written to the project.

Why hand-written: the self-training recipes published for NER (e.g. in Huang et al., "Few-
Shot Named Entity Recognition: A Comprehensive Study", 2020) are training scripts, not a
library; the pieces here are the run's own encoder, batches and schedule.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Generator
from pathlib import Path

from nerstudio.core.plural import counted
from nerstudio.core.records import Status
from nerstudio.core.store import DocumentQuery, Project
from nerstudio.core.training import data, events, metrics
from nerstudio.core.training.config import effective_patience
from nerstudio.core.training.epochs import Progress, run_epochs
from nerstudio.core.training.metrics import EVAL_BATCH_SIZE
from nerstudio.core.training.prepare import Setup, batches, linear_schedule

POOL_LIMIT = 2000  # unfinished documents read at most, spread over the corpus
CONFIDENCE = 0.9  # a document joins when the model gives every word's tag this much


def pool(project_path: Path, limit: int = POOL_LIMIT) -> list[data.Example]:
    """Up to ``limit`` new documents of split train (or none), spread over the corpus, as
    words (their tags are placeholders: they are what the teacher will say). The list's
    light rows pick them; only the picked documents' text and tokens are read."""
    with Project.open(project_path) as project:
        new = DocumentQuery(status=Status.NEW)
        query = DocumentQuery(status=Status.NEW, limit=project.documents.count(new))
        ids = [r.id for r in project.documents.list(query) if r.split in (None, "", "train")]
        records = [project.documents.get(i) for i in data.spread_sample(ids, limit)]
    return [
        data.Example(r.id, words, ("O",) * len(words))
        for r in records
        if r.id is not None and (words := tuple(r.text[s:e] for s, e in r.tokens))
    ]


def pseudo_labelled(setup: Setup, examples: list[data.Example]) -> list[data.Example]:
    """The examples the teacher (the model as it is now) tags with every word at
    CONFIDENCE or more, with its tags: all that hold an entity, and as many without one at
    most (sure "nothing here" documents are the easiest and would teach the student to
    find nothing)."""
    if not examples:
        return []
    model = setup.accelerator.unwrap_model(setup.model)
    tag_names = setup.snap.tag_names
    encoded = data.encode(setup.tokenizer, examples, tag_names, setup.config.max_length)
    ids, sure = metrics.confident_windows(
        model, encoded, setup.collator, EVAL_BATCH_SIZE, setup.accelerator.device
    )
    predicted = metrics.word_predictions(encoded, ids, examples, tag_names)
    sources = data.central_pieces(encoded, [len(ex.words) for ex in examples])
    with_entities: list[data.Example] = []
    without: list[data.Example] = []
    for example, words, tags in zip(examples, sources, predicted):
        read = [s for s in words if s is not None]
        if not read or min(sure[w][p] for w, p in read) < CONFIDENCE:
            continue
        labelled = data.Example(example.document_id, example.words, tuple(tags))
        (with_entities if any(t != "O" for t in tags) else without).append(labelled)
    return with_entities + without[: len(with_entities)]


def student(setup: Setup, pseudo: list[data.Example]) -> Setup:
    """The teacher's setup for the second round: the gold and pseudo-labelled windows in new
    batches, as many steps as the teacher took, on a fresh schedule. The optimizer is the
    teacher's with its moments cleared, so a GPU never holds two optimizers' state."""
    config = setup.config
    train_enc = data.encode(
        setup.tokenizer, [*setup.snap.train, *pseudo], setup.snap.tag_names, config.max_length
    )
    sampler, collator, loader = batches(train_enc, setup.tokenizer, config, setup.device)
    epochs = max(1, round(setup.total_steps / len(loader)))
    loader = setup.accelerator.prepare(loader)
    optimizer = setup.optimizer
    optimizer.zero_grad(set_to_none=True)
    optimizer.state.clear()  # AdamW's moments start again, as the teacher's did
    scheduler = linear_schedule(optimizer, config, len(loader) * epochs)
    return dataclasses.replace(
        setup,
        train_enc=train_enc,
        sampler=sampler,
        collator=collator,
        loader=loader,
        scheduler=scheduler,
        epochs=epochs,
        patience=effective_patience(config.patience, len(loader)),
    )


def second_round(
    project_path: Path,
    setup: Setup,
    should_stop: Callable[[], bool],
    project: Project | None,
    run_id: int | None,
    progress: Progress,
) -> Generator[events.TrainEvent, None, Setup]:
    """The teacher's best epoch labels the pool; the student trains on from it and its
    epochs count on from the teacher's (its best epoch is kept only if it scores better,
    or, on a tiny dev set, its last). Returns the setup the run ended with."""
    model = setup.accelerator.unwrap_model(setup.model)
    assert progress.best.state is not None
    model.load_state_dict(progress.best.state)
    pseudo = pseudo_labelled(setup, pool(project_path))
    if not pseudo:
        yield events.TrainingNote(
            "self-training: the model is sure of no untouched document; nothing to add"
        )
        return setup
    round_two = student(setup, pseudo)
    progress.pseudo_documents = len(pseudo)
    progress.step_base, progress.epoch_base = progress.step, setup.epochs
    progress.bad_epochs = 0
    yield events.TrainingNote(
        f"self-training: {counted(len(pseudo), 'untouched document')} the model is sure of "
        f"join the training for {round_two.total_steps} more steps"
    )
    yield from run_epochs(round_two, should_stop, project, run_id, progress)
    return round_two
