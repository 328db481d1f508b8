"""Self-training (``--self-training``): the model labels the untouched documents, those it
is sure of join the gold for a second round, and nothing of it reaches the project."""

from __future__ import annotations

from pathlib import Path

from nerstudio.core.records import Status
from nerstudio.core.store import Project
from nerstudio.core.training import EvalFinished, TrainingNote, TrainingStarted, train
from nerstudio.core.transfer import import_files
from tests.conftest import make_sentences, tiny_train_config, write_conll


def _project(tmp_path: Path, untouched: int) -> Path:
    """40 done sentences and ``untouched`` more imported without tags (new)."""
    path = tmp_path / "self.db"
    done = write_conll(tmp_path / "done.conll", make_sentences(40, 11))
    with Project.create(path, ["PER", "ORG", "LOC"]) as project:
        import_files(project, [done])
        if untouched:
            words_only = tmp_path / "pool.conll"
            sentences = make_sentences(untouched, 12)
            words_only.write_text(
                "\n\n".join("\n".join(words) for words, _ in sentences) + "\n", encoding="utf-8"
            )
            import_files(project, [words_only])
    return path


def _state(path: Path) -> list[tuple[int, str, int]]:
    with Project.open(path) as project:
        return [(r.id, r.status.value, len(r.spans)) for r in project.documents.iter()]


def test_the_sure_untouched_documents_train_a_second_round_and_none_is_stored(
    tmp_path, tiny_model
):
    path = _project(tmp_path, untouched=60)
    before = _state(path)
    assert sum(status == "new" for _, status, _ in before) == 60
    config = tiny_train_config(tiny_model, "st", epochs=4, self_training=True)
    events = list(train(path, config))
    started = next(e for e in events if isinstance(e, TrainingStarted))
    notes = [e.message for e in events if isinstance(e, TrainingNote)]
    summary = events[-1].summary
    assert len(notes) == 1 and notes[0].startswith("self-training: ")
    assert 0 < summary["pseudo_documents"] <= 60
    assert f"{summary['pseudo_documents']} untouched document" in notes[0]
    # a second round of about the teacher's steps, its epochs counted on from the teacher's
    assert started.total_steps * 1.5 <= summary["steps"] <= started.total_steps * 2.5
    epochs = [e.epoch for e in events if isinstance(e, EvalFinished)]
    assert epochs[:4] == [1, 2, 3, 4] and epochs == sorted(set(epochs)) and len(epochs) > 4
    assert _state(path) == before  # no pseudo-label, no status reached the project


def test_without_untouched_documents_the_run_is_the_usual_one(tmp_path, tiny_model):
    """Done documents only (and a document someone has started): one round, a note that
    says there was nothing to add, the steps of a run without the option."""
    path = _project(tmp_path, untouched=0)
    with Project.open(path) as project:
        project.documents.set_status([1], Status.IN_PROGRESS)  # started: not the pool's
    config = tiny_train_config(tiny_model, "st", epochs=3, self_training=True)
    events = list(train(path, config))
    started = next(e for e in events if isinstance(e, TrainingStarted))
    assert [e.message for e in events if isinstance(e, TrainingNote)] == [
        "self-training: the model is sure of no untouched document; nothing to add"
    ]
    assert events[-1].summary["steps"] == started.total_steps
    assert events[-1].summary["pseudo_documents"] == 0


def test_the_pool_is_new_documents_of_split_train_spread_over_the_corpus(tmp_path):
    """Started, done and dev/test documents never join it; a limit takes documents spread
    over the whole corpus, not its first ones."""
    from nerstudio.core.training.self_training import pool

    path = _project(tmp_path, untouched=60)
    with Project.open(path) as project:
        new = [r.id for r in project.documents.iter(status=Status.NEW)]
        project.documents.set_split(new[:10], "dev")
        project.documents.set_status(new[10:15], Status.IN_PROGRESS)
        project.documents.set_split(new[15:20], "train")
    allowed = new[15:]
    assert [ex.document_id for ex in pool(path)] == allowed
    spread = [ex.document_id for ex in pool(path, limit=9)]
    assert len(spread) == 9 and spread[0] == allowed[0] and spread[-1] > allowed[-10]
    assert all(set(ex.tags) == {"O"} and ex.words for ex in pool(path, limit=3))
