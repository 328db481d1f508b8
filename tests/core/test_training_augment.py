"""Mention replacement (``--mention-copies``): copies of a tiny corpus with each entity
swapped for another of its label, trained in the same number of steps."""

from __future__ import annotations

from nerstudio.core.training.augment import mentions, replaced_copies
from nerstudio.core.training.data import Example


def example(document_id: int, tagged: str) -> Example:
    """``"Ann/B-PER Lee/I-PER works/O"`` as an Example."""
    pairs = [part.rsplit("/", 1) for part in tagged.split()]
    return Example(document_id, tuple(w for w, _ in pairs), tuple(t for _, t in pairs))


CORPUS = [
    example(1, "Ann/B-PER Lee/I-PER joined/O Acme/B-ORG in/O Paris/B-LOC ./O"),
    example(2, "Bob/B-PER met/O Zed/B-PER at/O Initech/B-ORG ./O"),
    example(3, "It/O rained/O in/O Rome/B-LOC and/O Oslo/B-LOC ./O"),
    example(4, "Nothing/O here/O ./O"),
    example(5, "Only/O Mars/B-MISC ./O"),  # MISC has no other mention to swap in
]


def test_mentions_reads_iob2_runs_adjacent_entities_and_stray_inside_tags():
    assert mentions(CORPUS[0]) == [(0, 2, "PER"), (3, 4, "ORG"), (5, 6, "LOC")]
    assert mentions(example(9, "A/B-PER B/B-PER c/O")) == [(0, 1, "PER"), (1, 2, "PER")]
    assert mentions(example(9, "x/O A/I-ORG B/I-ORG C/I-PER")) == [(1, 3, "ORG"), (3, 4, "PER")]


def test_copies_swap_entities_for_others_of_the_same_label_and_keep_the_rest():
    surfaces = {
        label: {ex.words[s:e] for ex in CORPUS for s, e, lab in mentions(ex) if lab == label}
        for label in ("PER", "ORG", "LOC")
    }
    copies = replaced_copies(CORPUS, 3, seed=7)
    # documents 1-3 have a swappable entity; 4 has none, 5 only a label with one mention
    assert sorted(c.document_id for c in copies) == [1, 1, 1, 2, 2, 2, 3, 3, 3]
    for copy in copies:
        original = CORPUS[copy.document_id - 1]
        assert copy != original  # at least one mention changed
        found = mentions(copy)
        assert [label for _, _, label in found] == [label for _, _, label in mentions(original)]
        for start, end, label in found:
            assert copy.words[start:end] in surfaces[label]
        outside = [w for i, w in enumerate(copy.words) if copy.tags[i] == "O"]
        assert outside == [w for i, w in enumerate(original.words) if original.tags[i] == "O"]
        assert len(copy.words) == len(copy.tags)
    assert replaced_copies(CORPUS, 3, seed=7) == copies  # the same copies for a seed
    assert replaced_copies(CORPUS, 0, seed=7) == []


def test_training_with_copies_takes_the_steps_the_corpus_alone_would(tmp_path, tiny_model):
    from nerstudio.core.store import Project
    from nerstudio.core.training import TrainingStarted, train
    from nerstudio.core.transfer import import_files
    from tests.conftest import make_sentences, tiny_train_config, write_conll

    path = tmp_path / "few.db"
    with Project.create(path, ["PER", "ORG", "LOC"]) as project:
        import_files(project, [write_conll(tmp_path / "few.conll", make_sentences(40, 3))])

    def started(name: str, copies: int) -> TrainingStarted:
        config = tiny_train_config(
            tiny_model, name, epochs=None, max_epochs=4, mention_copies=copies
        )
        events = list(train(path, config))
        assert events[-1].summary["steps"] == events[0].total_steps  # it trained them all
        return events[0]

    alone, copied = started("alone", 0), started("copied", 2)
    assert copied.train_windows >= 2 * alone.train_windows  # the copies were trained
    assert abs(copied.total_steps - alone.total_steps) <= alone.total_steps // 5  # not 3x
    assert copied.train_documents == alone.train_documents  # they count as no document


def test_a_small_corpus_trains_with_copies_by_default_but_not_with_its_own_epochs(
    tmp_path, tiny_model
):
    """The default schedule of a corpus under COPIES_BELOW windows takes 3 copies of each
    document (4x the windows, about the same steps); ``--epochs N`` keeps N epochs of the
    corpus as it is, unless ``--mention-copies`` asks for copies."""
    from nerstudio.core.store import Project
    from nerstudio.core.training import TrainingStarted, train
    from nerstudio.core.training.config import MENTION_COPIES
    from nerstudio.core.transfer import import_files
    from tests.conftest import make_sentences, tiny_train_config, write_conll

    path = tmp_path / "few.db"
    with Project.create(path, ["PER", "ORG", "LOC"]) as project:
        import_files(project, [write_conll(tmp_path / "few.conll", make_sentences(40, 3))])

    def started(name: str, **options) -> TrainingStarted:
        config = tiny_train_config(tiny_model, name, **options)
        return next(e for e in train(path, config) if isinstance(e, TrainingStarted))

    default = started("default", epochs=None, max_epochs=4)
    alone = started("alone", epochs=None, max_epochs=4, mention_copies=0)
    assert default.train_windows == (1 + MENTION_COPIES) * alone.train_windows
    own = started("own", epochs=2)
    assert own.train_windows == alone.train_windows and own.epochs == 2
    asked = started("asked", epochs=2, mention_copies=1)
    assert asked.train_windows == 2 * alone.train_windows and asked.epochs == 2
