"""The training engine end to end on the tiny local BERT: events, run folders, the project's
run history, evaluation, window alignment, cancel, head/LoRA, errors, early stopping, DDP.

Runs that several tests look at are trained once per module (each takes about a second).
"""

from __future__ import annotations

import itertools
import json
import math
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nerstudio.core.child_protocol import decode_line, encode_line
from nerstudio.core.errors import NerstudioError
from nerstudio.core.records import Status
from nerstudio.core.store import Project
from nerstudio.core.training import (
    EvalFinished,
    StepLogged,
    TrainConfig,
    TrainingDiscarded,
    TrainingDone,
    TrainingStarted,
    data,
    train,
)
from nerstudio.core.training.config import cli_arguments
from nerstudio.core.training.evaluation import evaluate_run
from nerstudio.core.transfer import import_files
from tests.conftest import build_project, make_sentences, write_conll

LABELS = ["PER", "ORG", "LOC"]
TAGS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
EPOCHS = 4


def config(tiny_model: Path, name: str, **overrides) -> TrainConfig:
    settings = {"epochs": EPOCHS, "batch_size": 8, "learning_rate": 0.02, "name": name}
    settings.update(overrides)
    # the tiny model is not pretrained: its word embeddings must learn too
    settings.setdefault("train_word_embeddings", True)
    return TrainConfig(base_model=str(tiny_model), **settings)


def of_type(events, kind) -> list:
    return [e for e in events if isinstance(e, kind)]


def runs_dir(project_path: Path) -> Path:
    return project_path.with_name(f"{project_path.stem}-runs")


def entities(words, tags) -> set[tuple[str, str]]:
    """(label, text) of each entity in IOB2 tags."""
    found, current = [], None
    for word, tag in zip(words, tags):
        if tag.startswith("B-"):
            current = [tag[2:], [word]]
            found.append(current)
        elif tag.startswith("I-") and current is not None:
            current[1].append(word)
        else:
            current = None
    return {(label, " ".join(parts)) for label, parts in found}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """Like ``trained_project`` (160 done train, 40 dev sentences) but shared by the module."""
    return build_project(tmp_path_factory.mktemp("training"))


@pytest.fixture(scope="module")
def full_run(project, tiny_model):
    # patience above the epochs: the run goes the whole way even when dev F1 tops out early
    events = list(train(project, config(tiny_model, "full", patience=EPOCHS + 1)))
    return events, runs_dir(project) / "full"


@pytest.fixture(scope="module")
def tokenizer(tiny_model):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tiny_model))
    assert tok.is_fast
    return tok


def safetensors(folder: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(str(folder / "model.safetensors"))


def base_encoder(tiny_model: Path) -> dict:
    """The pretrained encoder's weights, keyed as inside a token-classification model."""
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(tiny_model))
    return {f"bert.{k}": v for k, v in model.state_dict().items()}


# -- a full run ---------------------------------------------------------------------------------


def test_a_full_run_reports_start_steps_evaluations_and_end(full_run):
    events, _ = full_run
    assert isinstance(events[0], TrainingStarted)
    assert isinstance(events[-1], TrainingDone)
    started, done = events[0], events[-1]
    assert started.labels == tuple(LABELS)
    assert (started.train_documents, started.dev_documents) == (160, 40)
    assert started.epochs == EPOCHS
    assert started.learning_rate == 0.02

    steps = of_type(events, StepLogged)
    assert [s.step for s in steps] == list(range(1, started.total_steps + 1))
    assert all(math.isfinite(s.loss) and s.loss >= 0 for s in steps)
    assert steps[-1].epoch == pytest.approx(EPOCHS)
    assert sum(s.loss for s in steps[-5:]) < sum(s.loss for s in steps[:5])

    evals = of_type(events, EvalFinished)
    assert [e.epoch for e in evals] == list(range(1, EPOCHS + 1))
    # each evaluation comes right after the last step of its epoch
    for e in evals:
        before = events[events.index(e) - 1]
        assert isinstance(before, StepLogged) and before.step == e.step
    best = max(evals, key=lambda e: e.f1)
    assert best.f1 > 0.8
    assert set(best.per_label) == set(LABELS)

    assert done.status == "completed"
    assert done.best_epoch == best.epoch
    assert [e.epoch for e in evals if e.is_best][-1] == best.epoch
    assert done.dev["f1"] == pytest.approx(best.f1)
    assert done.summary["steps"] == started.total_steps
    assert done.summary["processes"] == 1


def test_the_run_folder_is_a_standard_model_folder_with_info_and_card(full_run, tiny_model):
    events, folder = full_run
    done = events[-1]
    assert Path(done.path) == folder
    assert folder.parent.name == "corpus-runs"

    hf_config = json.loads((folder / "config.json").read_text())
    assert [hf_config["id2label"][str(i)] for i in range(len(TAGS))] == TAGS
    assert hf_config["label2id"] == {tag: i for i, tag in enumerate(TAGS)}
    assert (folder / "model.safetensors").stat().st_size > 0
    assert (folder / "tokenizer.json").exists()
    assert (folder / "tokenizer_config.json").exists()

    info = json.loads((folder / "nerstudio.json").read_text())
    assert info["labels"] == LABELS
    assert info["tags"] == TAGS
    assert info["scheme"] == "IOB2"
    assert info["base_model"] == str(tiny_model)
    assert info["method"] == "full"
    assert info["status"] == "completed"
    assert info["config"]["learning_rate"] == 0.02
    assert info["config"]["epochs"] == EPOCHS
    assert info["metrics"]["dev"]["f1"] == pytest.approx(done.dev["f1"])
    with Project.open(folder.parent.parent / "corpus.db") as proj:
        train_ids = [r.id for r in proj.documents.iter(split="train")]
        dev_ids = [r.id for r in proj.documents.iter(split="dev")]
    assert info["data"]["train_ids"] == train_ids
    assert info["data"]["dev_ids"] == dev_ids
    assert len(info["data"]["hash"]) == 64

    card = (folder / "README.md").read_text()
    assert "pipeline_tag: token-classification" in card
    for label in LABELS:
        assert f"| {label} | " in card
    assert 'pipeline("token-classification"' in card
    assert f"{done.dev['f1']:.3f}" in card
    # written in a temporary folder, the card still names the run
    assert "# full" in card.splitlines() and 'model="path/to/full"' in card


def test_the_project_records_the_run_and_its_curves(full_run, project):
    events, folder = full_run
    steps = of_type(events, StepLogged)
    evals = of_type(events, EvalFinished)
    with Project.open(project) as proj:
        run = proj.runs.get("full")
        assert run.status == "completed"
        assert run.path == str(folder)
        assert run.method == "full"
        assert run.metrics["dev"]["f1"] == pytest.approx(events[-1].dev["f1"])
        assert run.metrics["best_epoch"] == events[-1].best_epoch
        assert run.label_map == {"tags": TAGS}
        assert run.finished_at
        loss = proj.runs.metrics(run.id, "train_loss")
        f1 = proj.runs.metrics(run.id, "dev_f1")
    assert [p.step for p in loss] == [s.step for s in steps]
    assert [p.value for p in loss] == pytest.approx([s.loss for s in steps])
    assert [p.epoch for p in f1] == [e.epoch for e in evals]
    assert [p.value for p in f1] == pytest.approx([e.f1 for e in evals])


def test_the_folder_loads_with_plain_transformers_and_finds_entities(full_run):
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

    _, folder = full_run
    words, tags = make_sentences(1, seed=321)[0]
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForTokenClassification.from_pretrained(str(folder))
    assert model.config.num_labels == len(TAGS)
    with torch.inference_mode():
        logits = model(**tokenizer(" ".join(words), return_tensors="pt")).logits
    assert logits.shape[-1] == len(TAGS)

    ner = pipeline("token-classification", model=str(folder), aggregation_strategy="simple")
    found = ner(" ".join(words))
    assert found
    assert {e["entity_group"] for e in found} <= set(LABELS)
    assert {(e["entity_group"], e["word"]) for e in found} == entities(words, tags)


def test_evaluate_run_reproduces_the_best_epochs_dev_score(full_run, project):
    events, _ = full_run
    best = max(of_type(events, EvalFinished), key=lambda e: e.f1)
    scores = evaluate_run(project, "full")
    assert scores.f1 == pytest.approx(best.f1, abs=1e-6)
    assert scores.precision == pytest.approx(best.precision, abs=1e-6)
    assert scores.recall == pytest.approx(best.recall, abs=1e-6)
    assert scores.per_label == best.per_label


# -- alignment of words and sub-words ---------------------------------------------------------


def pieces(tokenizer, word: str) -> list[str]:
    return tokenizer.tokenize(word)


LONG_WORD = "Quetzalcoatlosaka"


def test_only_the_first_sub_word_of_a_word_carries_its_label(tokenizer):
    words = ("Anna", "met", LONG_WORD, ".")
    tags = ("B-PER", "O", "B-LOC", "O")
    assert len(pieces(tokenizer, LONG_WORD)) >= 3  # the premise: a word of several pieces
    enc = data.encode(tokenizer, [data.Example(1, words, tags)], TAGS, max_length=64)
    assert len(enc.features) == 1 and enc.windowed_examples == 0
    feature = enc.features[0]
    tokens = tokenizer.convert_ids_to_tokens(feature["input_ids"])
    assert tokens[0] == tokenizer.cls_token and tokens[-1] == tokenizer.sep_token
    expected_tokens, expected_labels, expected_words = [tokens[0]], [data.IGNORE], [None]
    for index, (word, tag) in enumerate(zip(words, tags)):
        word_pieces = pieces(tokenizer, word)
        expected_tokens += word_pieces
        expected_labels += [TAGS.index(tag)] + [data.IGNORE] * (len(word_pieces) - 1)
        expected_words += [index] + [None] * (len(word_pieces) - 1)
    assert tokens[:-1] == expected_tokens
    assert feature["labels"] == [*expected_labels, data.IGNORE]
    assert enc.window_words[0] == [*expected_words, None]
    assert feature["labels"].count(data.IGNORE) >= 2 + 2  # specials and LONG_WORD's rest


def long_example(tokenizer) -> data.Example:
    """About 40 words, many in several pieces, with entities throughout."""
    words, tags = [], []
    for sentence_words, sentence_tags in make_sentences(8, seed=5):
        words += sentence_words
        tags += sentence_tags
        if len(words) >= 36:
            break
    # an irregular pattern of long words, so that some windows open inside one
    words = [w + "osaka" if i % 3 == 1 and w.isalpha() else w for i, w in enumerate(words)]
    assert 36 <= len(words) <= 50
    assert sum(len(pieces(tokenizer, w)) >= 3 for w in words) >= 8
    return data.Example(7, tuple(words), tuple(tags))


def test_a_long_document_becomes_overlapping_windows_that_label_every_word(tokenizer):
    short = data.Example(8, ("Li", "Wei", "slept", "."), ("B-PER", "I-PER", "O", "O"))
    example = long_example(tokenizer)
    enc = data.encode(tokenizer, [short, example], TAGS, max_length=16)
    assert enc.windowed_examples == 1
    assert enc.window_example[0] == 0 and enc.window_example.count(0) == 1
    windows = [w for w, ex in enumerate(enc.window_example) if ex == 1]
    assert len(windows) >= 4
    assert all(len(enc.features[w]["input_ids"]) <= 16 for w in windows)

    labelled: dict[int, set[str]] = {}
    word_sets = []
    starts_mid_word = 0
    for w in windows:
        feature = enc.features[w]
        tokens = tokenizer.convert_ids_to_tokens(feature["input_ids"])
        word_ids = [i for i in enc.window_words[w] if i is not None]
        word_sets.append(set(word_ids))
        for word, label in zip(enc.window_words[w], feature["labels"]):
            if word is not None:
                labelled.setdefault(word, set()).add(TAGS[label])
        if tokens[1].startswith("##"):
            starts_mid_word += 1
            assert feature["labels"][1] == data.IGNORE
            assert enc.window_words[w][1] is None
    # every word is labelled, with its own tag, in at least one window
    assert sorted(labelled) == list(range(len(example.words)))
    assert all(labelled[i] == {tag} for i, tag in enumerate(example.tags))
    # neighbouring windows overlap
    assert all(a & b for a, b in itertools.pairwise(word_sets))
    assert starts_mid_word >= 1  # the premise: some window opens inside a word


def windows_of(*windows: tuple[int, list[int | None]]) -> data.Encoded:
    """An Encoded of hand-made windows: (example, word index per piece)."""
    features = [{"input_ids": [0] * len(words)} for _, words in windows]
    return data.Encoded(features, [ex for ex, _ in windows], [w for _, w in windows], 0)


def test_overlapping_windows_merge_each_word_from_its_most_central_window():
    # example 0: words 0-5 in two windows that overlap on words 3 and 4; example 1: one
    encoded = windows_of(
        (0, [None, 0, 1, 2, 3, 4, None]),
        (1, [None, 0, None, 1, None]),
        (0, [None, 3, 4, 5, None]),
    )
    sources = data.central_pieces(encoded, [6, 3])
    # word 3 sits 2 from an edge in window 0 and 1 in window 2; word 4: 1 and 2
    assert sources[0] == [(0, 1), (0, 2), (0, 3), (0, 4), (2, 2), (2, 3)]
    assert sources[1] == [(1, 1), (1, 3), None]  # word 2 has no piece
    # a tie goes to the earlier window, in evaluation and prediction alike
    tie = windows_of((0, [None, 0, 1, None]), (0, [None, 1, 0, None]))
    assert data.central_pieces(tie, [2]) == [[(0, 1), (0, 2)]]


def test_evaluation_reads_each_word_from_the_merged_windows():
    from nerstudio.core.training import metrics

    encoded = windows_of((0, [None, 0, 1, 2, None]), (0, [None, 1, 2, 3, None]))
    examples = [data.Example(1, ("Li", "Wei", "in", "Oslo"), ("B-PER", "I-PER", "O", "B-LOC"))]
    o, b_per, i_per, b_loc = (TAGS.index(t) for t in ("O", "B-PER", "I-PER", "B-LOC"))
    # window 0 says "in" is B-LOC at its edge; window 1, where it sits central, says O
    predicted = [[o, b_per, i_per, b_loc, o], [o, b_loc, o, b_loc, o]]
    words = metrics.word_predictions(encoded, predicted, examples, TAGS)
    assert words == [["B-PER", "I-PER", "O", "B-LOC"]]


def test_length_batches_cover_every_window_once_with_little_padding():
    rng = random.Random(0)
    lengths = [rng.randint(5, 120) for _ in range(1000)]
    batches = data.length_batches(lengths, 16, random.Random(1))
    assert sorted(i for batch in batches for i in batch) == list(range(1000))
    assert all(1 <= len(batch) <= 16 for batch in batches)
    assert data.padding_fraction(lengths, batches) < 0.10
    # batches in corpus order would be mostly padding: the grouping is what saves the time
    naive = [list(range(i, min(i + 16, 1000))) for i in range(0, 1000, 16)]
    assert data.padding_fraction(lengths, naive) > 0.3
    # a new epoch's order differs, the cover stays exact
    again = data.length_batches(lengths, 16, random.Random(2))
    assert again != batches
    assert sorted(i for batch in again for i in batch) == list(range(1000))


# -- cancel, methods --------------------------------------------------------------------------


def stop_after(steps: int):
    """A ``should_stop`` that says stop before step ``steps + 1``."""
    calls = []

    def should_stop() -> bool:
        calls.append(1)
        return len(calls) > steps

    return should_stop


def leftovers(project_path: Path) -> list[str]:
    """Temporary folders left in the runs folder (a half-written run would be one)."""
    folder = runs_dir(project_path)
    return (
        sorted(p.name for p in folder.iterdir() if p.name.startswith("."))
        if folder.exists()
        else []
    )


def test_should_stop_after_an_epoch_saves_its_best_epoch_as_cancelled(project, tiny_model):
    from transformers import AutoModelForTokenClassification

    # 20 steps an epoch: stopped in the second, the first epoch's weights are kept
    events = list(train(project, config(tiny_model, "after-epoch"), should_stop=stop_after(23)))
    assert len(of_type(events, StepLogged)) == 23
    assert [e.epoch for e in of_type(events, EvalFinished)] == [1]
    done = events[-1]
    assert isinstance(done, TrainingDone)
    assert (done.status, done.best_epoch) == ("cancelled", 1)
    folder = Path(done.path)
    model = AutoModelForTokenClassification.from_pretrained(str(folder))
    assert model.config.id2label[1] == "B-PER"
    assert json.loads((folder / "nerstudio.json").read_text())["status"] == "cancelled"
    with Project.open(project) as proj:
        assert proj.runs.get("after-epoch").status == "cancelled"


def test_should_stop_before_the_first_epoch_ended_saves_nothing_and_forgets_the_run(
    project, tiny_model
):
    """It used to save the barely trained weights as a run, as if they were a model."""
    events = list(train(project, config(tiny_model, "too-soon"), should_stop=stop_after(3)))
    assert isinstance(events[0], TrainingStarted)
    assert len(of_type(events, StepLogged)) == 3
    assert not of_type(events, EvalFinished) and not of_type(events, TrainingDone)
    discarded = events[-1]
    assert discarded == TrainingDiscarded(
        run="too-soon",
        steps=3,
        message="cancelled before the first epoch ended: nothing was saved",
    )
    # the window's child process sends it as JSON: the codec works both ways
    assert decode_line(encode_line(discarded)) == discarded
    assert not (runs_dir(project) / "too-soon").exists()
    assert leftovers(project) == []
    with Project.open(project) as proj:
        assert "too-soon" not in [r.name for r in proj.runs.all()]


def interrupt_at_step(steps: int):
    """A ``should_stop`` that raises KeyboardInterrupt (Ctrl+C twice) before step steps+1."""
    stop = stop_after(steps)

    def should_stop() -> bool:
        if stop():
            raise KeyboardInterrupt
        return False

    return should_stop


@pytest.mark.parametrize("when", ["in the first epoch", "in the second epoch"])
def test_ctrl_c_twice_before_saving_forgets_the_run_instead_of_failing_it(
    project, tiny_model, when
):
    """An abort was recorded as 'failed'; with nothing saved there is no run to keep."""
    name = f"abort-{when.split()[2]}"
    steps = 3 if when == "in the first epoch" else 23
    with pytest.raises(KeyboardInterrupt):
        list(train(project, config(tiny_model, name), should_stop=interrupt_at_step(steps)))
    assert not (runs_dir(project) / name).exists() and leftovers(project) == []
    with Project.open(project) as proj:
        assert name not in [r.name for r in proj.runs.all()]


def test_a_consumer_that_stops_iterating_cancels_the_run(project, tiny_model):
    # max length within the tiny model's 128 positions: no warning before the first step
    events = train(project, config(tiny_model, "abandoned", max_length=128))
    assert isinstance(next(events), TrainingStarted)
    assert isinstance(next(events), StepLogged)
    events.close()  # e.g. Ctrl+C in the loop that prints the events
    assert not (runs_dir(project) / "abandoned").exists() and leftovers(project) == []
    with Project.open(project) as proj:
        assert "abandoned" not in [r.name for r in proj.runs.all()]


def test_ctrl_c_after_the_folder_is_saved_marks_the_run_cancelled(project, tiny_model, monkeypatch):
    """Interrupted between the saved folder and the run's last update: 'cancelled' (it
    used to say 'failed'), and the complete folder stays."""
    from nerstudio.core.store.runs import Runs

    finish = Runs.finish

    def interrupted(self, run_id, status, metrics, label_map=None):
        if status != "cancelled":
            raise KeyboardInterrupt
        return finish(self, run_id, status, metrics, label_map)

    monkeypatch.setattr(Runs, "finish", interrupted)
    with pytest.raises(KeyboardInterrupt):
        list(train(project, config(tiny_model, "late-abort", epochs=1)))
    monkeypatch.undo()
    folder = runs_dir(project) / "late-abort"
    assert json.loads((folder / "nerstudio.json").read_text())["run"] == "late-abort"
    assert (folder / "model.safetensors").exists() and (folder / "README.md").exists()
    with Project.open(project) as proj:
        assert proj.runs.get("late-abort").status == "cancelled"
    shutil.rmtree(folder)
    with Project.open(project) as proj:
        proj.runs.delete("late-abort")


def test_a_run_that_fails_still_says_failed(project, tiny_model, monkeypatch):
    from nerstudio.core.training import metrics

    def broken(*args, **kwargs):
        raise RuntimeError("evaluation broke")

    monkeypatch.setattr(metrics, "evaluate", broken)
    with pytest.raises(RuntimeError, match="evaluation broke"):
        list(train(project, config(tiny_model, "broken", epochs=1)))
    with Project.open(project) as proj:
        run = proj.runs.get("broken")
        assert (run.status, run.metrics) == ("failed", {"error": "evaluation broke"})
        proj.runs.delete("broken")


# -- the run folder appears only complete ------------------------------------------------------


@pytest.mark.parametrize("failure", ["Ctrl+C twice", "a full disk"])
def test_an_interrupted_save_leaves_no_half_run_folder(project, tiny_model, monkeypatch, failure):
    """The folder was made first and filled file by file: a kill while saving left a model
    without its nerstudio.json or card, which loaded as if it were whole."""
    import errno

    from nerstudio.core.training import output

    def fail(path, info):
        assert not (runs_dir(project) / "half").exists()  # written in a temporary folder
        assert (path / "model.safetensors").exists() and (path / "nerstudio.json").exists()
        if failure == "a full disk":
            raise OSError(errno.ENOSPC, "No space left on device")
        raise KeyboardInterrupt

    monkeypatch.setattr(output, "write_model_card", fail)
    expected = NerstudioError if failure == "a full disk" else KeyboardInterrupt
    with pytest.raises(expected) as caught:
        list(train(project, config(tiny_model, "half", epochs=1)))
    assert not (runs_dir(project) / "half").exists() and leftovers(project) == []
    with Project.open(project) as proj:
        names = {r.name: r for r in proj.runs.all()}
    if failure == "a full disk":
        message = str(caught.value)
        assert "\n" not in message and str(runs_dir(project) / "half") in message
        assert "disk is full" in message
        assert names["half"].status == "failed"
        with Project.open(project) as proj:
            proj.runs.delete("half")
    else:
        assert "half" not in names


def test_method_head_trains_only_the_classifier(project, tiny_model):
    import torch
    from accelerate.utils import set_seed

    from nerstudio.core.training import models

    events = list(train(project, config(tiny_model, "head", method="head", epochs=2)))
    started, done = events[0], events[-1]
    assert done.status in ("completed", "early_stopped")
    classifier_size = 32 * len(TAGS) + len(TAGS)
    assert started.trainable_parameters == classifier_size < started.parameters

    weights = safetensors(Path(done.path))
    base = base_encoder(tiny_model)
    for key in (
        "bert.embeddings.word_embeddings.weight",
        "bert.encoder.layer.0.attention.self.query.weight",
        "bert.encoder.layer.1.output.dense.weight",
    ):
        assert torch.equal(weights[key], base[key]), key
    assert all(torch.equal(weights[k], v) for k, v in base.items() if k in weights)

    set_seed(13)  # the run's seed: the classifier it started from
    fresh = models.load_model(str(tiny_model), TAGS).state_dict()
    assert not torch.equal(weights["classifier.weight"], fresh["classifier.weight"])
    losses = [s.loss for s in of_type(events, StepLogged)]
    assert sum(losses[-5:]) < sum(losses[:5])


def test_method_lora_saves_merged_weights_that_load_without_peft(project, tiny_model):
    import torch
    from transformers import AutoModelForTokenClassification

    events = list(train(project, config(tiny_model, "lora", method="lora", epochs=2)))
    started, done = events[0], events[-1]
    assert done.status in ("completed", "early_stopped")
    assert started.trainable_parameters < started.parameters
    folder = Path(done.path)

    weights = safetensors(folder)
    assert not [k for k in weights if "lora" in k.lower()]
    assert not (folder / "adapter_config.json").exists()
    model = AutoModelForTokenClassification.from_pretrained(str(folder))
    assert type(model).__module__.startswith("transformers.")

    base = base_encoder(tiny_model)
    assert torch.equal(
        weights["bert.embeddings.word_embeddings.weight"],
        base["bert.embeddings.word_embeddings.weight"],
    )
    linear = [k for k in base if k.startswith("bert.encoder.") and k.endswith("dense.weight")]
    linear += [k for k in base if k.endswith(("query.weight", "key.weight", "value.weight"))]
    changed = [k for k in linear if not torch.equal(weights[k], base[k])]
    assert changed, "merged adapters should change the encoder's linear weights"


# -- errors -----------------------------------------------------------------------------------


def test_a_project_without_done_documents_is_refused(tmp_path, tiny_model):
    path = tmp_path / "fresh.db"
    with Project.create(path, LABELS) as proj:
        import_files(proj, [write_conll(tmp_path / "a.conll", make_sentences(20, 3))])
        ids = [r.id for r in proj.documents.iter()]
        proj.documents.set_status(ids, Status.IN_PROGRESS)
    with pytest.raises(NerstudioError, match="no done documents"):
        list(train(path, config(tiny_model, "x")))
    assert not runs_dir(path).exists()


@pytest.mark.parametrize("content", ["a stray file", "tokenizer files only"])
def test_a_folder_without_config_json_is_not_a_model_folder(project, tiny_model, tmp_path, content):
    folder = tmp_path / "not-a-model"
    folder.mkdir()
    if content == "a stray file":
        (folder / "notes.txt").write_text("weights go here\n")
    else:
        for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt"):
            shutil.copy(tiny_model / name, folder / name)
    with pytest.raises(NerstudioError, match="not a model folder"):
        list(train(project, TrainConfig(base_model=str(folder), name="no-model")))
    with Project.open(project) as proj:
        assert "no-model" not in [r.name for r in proj.runs.all()]
    assert not (runs_dir(project) / "no-model").exists()


def test_an_unknown_method_is_refused(tiny_model):
    with pytest.raises(NerstudioError, match=r"method 'bogus'.*full, head, lora"):
        TrainConfig(base_model=str(tiny_model), method="bogus")


def test_a_run_name_in_use_is_refused_and_the_old_run_kept(full_run, project, tiny_model):
    _, folder = full_run
    before = (folder / "model.safetensors").read_bytes()
    with pytest.raises(NerstudioError, match="exists already"):
        list(train(project, config(tiny_model, "full")))
    assert (folder / "model.safetensors").read_bytes() == before
    with Project.open(project) as proj:
        assert proj.runs.get("full").status == "completed"
        assert [r.name for r in proj.runs.all()].count("full") == 1


@pytest.mark.parametrize(
    "name", ["../../outside", "a/b", "..", ".", ".hidden", "a\\b", "", "x" * 101, "tab\there"]
)
def test_a_run_name_is_one_folder_name_refused_before_anything_is_written(
    project, tiny_model, name
):
    """``--name ../../x`` wrote the run outside the runs folder."""
    with pytest.raises(NerstudioError, match="run name") as caught:
        list(train(project, config(tiny_model, name)))
    assert "\n" not in str(caught.value)
    assert not (project.parent.parent / "outside").exists()
    assert not (runs_dir(project) / "a").exists()
    with Project.open(project) as proj:
        assert name not in [r.name for r in proj.runs.all()]


def test_a_run_name_whose_folder_exists_is_refused_before_the_model_loads(project, tmp_path):
    taken = runs_dir(project) / "taken"
    taken.mkdir(parents=True)
    (taken / "notes.txt").write_text("mine")
    try:
        with pytest.raises(NerstudioError, match="taken: exists already; choose another"):
            list(train(project, TrainConfig(base_model=str(tmp_path / "none"), name="taken")))
        assert [p.name for p in taken.iterdir()] == ["notes.txt"]
        with Project.open(project) as proj:
            assert "taken" not in [r.name for r in proj.runs.all()]
    finally:
        shutil.rmtree(taken)


# -- only safetensors, only NER folders --------------------------------------------------------


class LoadedPickle:
    """Unpickling this runs code: it writes the file named in ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "the pickle ran"))


def pickled(folder: Path, into: Path, payload=None) -> Path:
    """A copy of a model folder whose weights are a pickle (pytorch_model.bin) only."""
    import torch

    copy = into / f"{folder.name}-pickled"
    shutil.copytree(folder, copy)
    torch.save(payload if payload is not None else safetensors(copy), copy / "pytorch_model.bin")
    (copy / "model.safetensors").unlink()
    return copy


def test_evaluate_never_loads_pickled_weights(full_run, project, tmp_path):
    """A folder with only pytorch_model.bin was unpickled (and a hostile pickle gave an
    UnpicklingError traceback)."""
    folder = pickled(full_run[1], tmp_path)
    with pytest.raises(NerstudioError) as caught:
        evaluate_run(project, str(folder))
    assert str(caught.value) == (
        f"no safetensors weights in {folder} (only pytorch_model.bin; nerstudio never loads "
        "pickled weights); re-save it with save_pretrained(safe_serialization=True)"
    )
    marker = tmp_path / "ran.txt"
    hostile = pickled(full_run[1], tmp_path / "hostile", {"w": LoadedPickle(marker)})
    with pytest.raises(NerstudioError, match="never loads pickled weights"):
        evaluate_run(project, str(hostile))
    assert not marker.exists()


def test_training_never_starts_from_pickled_weights(project, tiny_model, tmp_path):
    folder = pickled(tiny_model, tmp_path)
    with pytest.raises(NerstudioError, match=f"no safetensors weights in {folder} "):
        list(train(project, config(folder, "from-pickle")))
    assert not (runs_dir(project) / "from-pickle").exists()
    with Project.open(project) as proj:
        assert "from-pickle" not in [r.name for r in proj.runs.all()]


def test_evaluating_a_folder_that_is_no_ner_model_is_one_line(
    project, tiny_model, full_run, tmp_path
):
    """The base encoder (labels LABEL_0, LABEL_1) or labels without O gave KeyError: 'O'."""
    with pytest.raises(NerstudioError, match=f"{tiny_model}: not a named-entity model"):
        evaluate_run(project, str(tiny_model))
    folder = tmp_path / "no-o"
    shutil.copytree(full_run[1], folder)
    hf_config = json.loads((folder / "config.json").read_text())
    hf_config["id2label"]["0"] = "OUTSIDE"
    (folder / "config.json").write_text(json.dumps(hf_config))
    with pytest.raises(NerstudioError, match=r"no-o: not a named-entity model .*no 'O' tag"):
        evaluate_run(project, str(folder))


# -- early stopping ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def early_run(project, tiny_model, full_run) -> list:
    """From a trained run (dev F1 above 0) at a learning rate of 0: nothing improves after
    the first epoch. 20 steps an epoch, so patience 1 becomes 3 epochs (50 steps at least)."""
    settings = {"epochs": 8, "learning_rate": 0.0, "patience": 1}
    return list(train(project, config(full_run[1], "early", **settings)))


def test_a_run_that_stops_improving_stops_early(early_run, project):
    evals = of_type(early_run, EvalFinished)
    assert evals[0].f1 > 0
    assert [e.epoch for e in evals] == [1, 2, 3, 4]
    assert [e.is_best for e in evals] == [True, False, False, False]
    done = early_run[-1]
    assert done.status == "early_stopped"
    assert done.best_epoch == 1
    assert done.summary["epochs"] == 4
    with Project.open(project) as proj:
        assert proj.runs.get("early").status == "early_stopped"


def test_patience_is_never_shorter_than_fifty_steps():
    from nerstudio.core.training.config import effective_patience

    assert effective_patience(2, 125) == 2  # 2,000 sentences: two epochs are 250 steps
    assert effective_patience(2, 7) == 8  # 100 sentences
    assert effective_patience(2, 2) == 25  # the 30-document sample


def test_epochs_follow_the_corpus_size_but_a_big_corpus_still_gets_five():
    from nerstudio.core.training.config import default_epochs

    assert default_epochs(30, 16, 20) == 50  # the sample: 2 steps an epoch, 100 at least
    assert default_epochs(500, 16, 20) == 12  # 32 steps an epoch: 375 steps in 12
    assert default_epochs(2000, 16, 20) == 5  # 125 steps an epoch: 375 in 3, the floor is 5
    assert default_epochs(14041, 16, 20) == 5  # full CoNLL-2003: still rising at 3 and 5
    assert default_epochs(14041, 16, 2) == 2  # --max-epochs is a ceiling, floor or not


def test_a_learning_rate_of_zero_is_used_as_given(early_run):
    started, done = early_run[0], early_run[-1]
    assert started.learning_rate == 0.0
    assert done.summary["learning_rate"] == 0.0
    assert all(s.learning_rate == 0.0 for s in of_type(early_run, StepLogged))


# -- several processes ------------------------------------------------------------------------


def test_torchrun_with_two_processes_writes_one_run(trained_project, tiny_model):
    env = dict(os.environ, HF_HUB_OFFLINE="1", OMP_NUM_THREADS="1")
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node",
        "2",
        "-m",
        "nerstudio",
        "train",
        str(trained_project),
        *cli_arguments(
            TrainConfig(
                base_model=str(tiny_model), epochs=2, learning_rate=0.02, batch_size=8, name="ddp"
            )
        ),
        "--json",
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["summary"]["processes"] == 2
    assert result["run"] == "ddp"
    assert [p.name for p in runs_dir(trained_project).iterdir()] == ["ddp"]
    with Project.open(trained_project) as proj:
        runs = proj.runs.all()
    assert [(r.name, r.status) for r in runs] == [("ddp", "completed")]


# -- the options table ----------------------------------------------------------------------------


def test_the_options_table_names_every_setting_once_with_its_default():
    import dataclasses

    from nerstudio.core.training.config import DEVICES, FIELDS, METHODS, PRECISIONS

    settings = {f.name: f.default for f in dataclasses.fields(TrainConfig)}
    assert [f.name for f in FIELDS] == list(settings)  # each once, in TrainConfig's order
    assert len({f.flag for f in FIELDS}) == len(FIELDS)
    assert all(f.default == settings[f.name] for f in FIELDS)
    by_name = {f.name: f for f in FIELDS}
    assert by_name["base_model"].default is dataclasses.MISSING  # --model is required
    # the flags users and scripts know keep their names
    assert {n: by_name[n].flag for n in ("learning_rate", "max_length", "batch_size")} == {
        "learning_rate": "--lr",
        "max_length": "--max-length",
        "batch_size": "--batch-size",
    }
    assert [by_name[n].choices for n in ("method", "device", "precision")] == [
        METHODS,
        DEVICES,
        PRECISIONS,
    ]
    # a switch can only turn on what is off by default
    assert all(f.default is False for f in FIELDS if f.type is bool)
    form = [f.name for f in FIELDS if f.in_form]
    assert form == [
        "base_model",
        "method",
        "epochs",
        "batch_size",
        "learning_rate",
        "max_length",
        "train_word_embeddings",
        "self_training",
    ]


def test_cli_arguments_name_only_what_differs_from_the_defaults():
    assert cli_arguments(TrainConfig(base_model="m")) == ["--model", "m"]
    config = TrainConfig(
        base_model="-odd", learning_rate=1e-05, seed=3, train_word_embeddings=True, name="r"
    )
    assert cli_arguments(config) == [
        "--model=-odd",  # a value that looks like a flag is attached to its own
        "--lr",
        "1e-05",
        "--seed",
        "3",
        "--train-word-embeddings",
        "--name",
        "r",
    ]


# -- a killed run, and what killed writers leave (issue 23, item 4) ---------------------------


def dead_pid() -> int:
    """The pid of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_killed_run_that_saved_nothing_gives_its_name_to_the_next_run(project, tiny_model):
    """kill -9 once its row existed left it 'interrupted' without a folder, and
    ``train --name k9`` said "a run named 'k9' exists already" for ever."""
    with Project.open(project) as proj:
        run = proj.runs.start("k9", str(tiny_model), "full", {}, str(runs_dir(project) / "k9"))
        proj.db.execute("UPDATE runs SET pid = ? WHERE id = ?", [dead_pid(), run.id])
        proj.db.conn.commit()
    with Project.open(project) as proj:
        assert proj.runs.get("k9").status == "interrupted"
    done = list(train(project, config(tiny_model, "k9", epochs=1)))[-1]
    assert isinstance(done, TrainingDone) and Path(done.path).is_dir()
    with Project.open(project) as proj:
        assert [(r.name, r.status) for r in proj.runs.all() if r.name == "k9"] == [
            ("k9", "completed")
        ]
        proj.runs.delete("k9")
    shutil.rmtree(done.path)


def test_an_interrupted_run_that_kept_its_folder_keeps_its_name(project, tiny_model):
    folder = runs_dir(project) / "kept"
    folder.mkdir(parents=True)
    try:
        with Project.open(project) as proj:
            run = proj.runs.start("kept", str(tiny_model), "full", {}, str(folder))
            proj.db.execute("UPDATE runs SET pid = ? WHERE id = ?", [dead_pid(), run.id])
            proj.db.conn.commit()
        with Project.open(project) as proj:
            with pytest.raises(NerstudioError, match="exists already"):
                proj.runs.start("kept", str(tiny_model), "full", {}, str(folder))
            assert proj.runs.get("kept").status == "interrupted"
            proj.runs.delete("kept")
    finally:
        shutil.rmtree(folder)


def test_leftovers_of_killed_writers_go_on_open_but_a_running_writers_stay(project):
    """A kill during the save left a hidden ``.part`` folder (130 MB for a larger model)
    that nothing removed; a live writer's must survive."""
    import time

    folder = runs_dir(project)
    folder.mkdir(exist_ok=True)
    dead, alive = dead_pid(), os.getpid()
    made = {
        f".k9.{dead}.a1b2c3d4.part": True,  # write_folder's temporary run folder
        f".nerstudio.json.{dead}.x_y7z9q0.part": True,  # write_file's temporary file
        f".old.old-{dead}": True,  # replaced by --force, not yet removed
        f".gone.deleted-{dead}": True,  # runs delete, killed while removing
        f".live.{alive}.a1b2c3d4.part": False,  # being written right now
        ".legacy.abcd1234.part": True,  # written before names carried the pid, days ago
        ".fresh.abcd1234.part": False,  # the same, but recent: it may be being written
        ".notes": False,  # the user's own hidden file
    }
    for name in made:
        path = folder / name
        if name.startswith(".nerstudio.json"):
            path.write_text("{")
        else:
            path.mkdir()
            (path / "model.safetensors").write_bytes(b"x" * 100)
    week_ago = time.time() - 7 * 24 * 3600
    os.utime(folder / ".legacy.abcd1234.part", (week_ago, week_ago))
    try:
        Project.open(project).close()
        assert {p.name for p in folder.iterdir() if p.name in made} == {
            name for name, removed in made.items() if not removed
        }
    finally:
        for name in made:
            shutil.rmtree(folder / name, ignore_errors=True)


def test_temporary_names_carry_the_writers_pid(tmp_path):
    from nerstudio.core.safe_io import write_file, write_folder

    with write_folder(tmp_path / "run") as tmp:
        assert tmp.name.startswith(f".run.{os.getpid()}.") and tmp.name.endswith(".part")
    with write_file(tmp_path / "a.json") as fh:
        (temp,) = [p for p in tmp_path.iterdir() if p.name.startswith(".a.json")]
        assert temp.name.startswith(f".a.json.{os.getpid()}.")
        fh.write("{}")


def test_two_runs_without_a_name_in_the_same_second_get_two_names(project, tiny_model, monkeypatch):
    """Both were named run-DATE-TIME; the second failed with 'exists already'."""
    from datetime import datetime

    from nerstudio.core.training import loop

    class SameSecond(datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(2026, 1, 1, 12, 0, 0)

    monkeypatch.setattr(loop, "datetime", SameSecond)
    first = list(train(project, config(tiny_model, None, epochs=1)))[-1]
    second = list(train(project, config(tiny_model, None, epochs=1)))[-1]
    assert (first.run, second.run) == ("run-20260101-120000", "run-20260101-120000-2")
    assert Path(second.path) == runs_dir(project) / "run-20260101-120000-2"
    assert json.loads((Path(second.path) / "nerstudio.json").read_text())["run"] == second.run
    with Project.open(project) as proj:
        assert proj.runs.get(second.run).path == second.path
        for done in (first, second):
            proj.runs.delete(done.run)
            shutil.rmtree(done.path)


# -- a base model whose weights do not fit it (item 8) --------------------------------------


def mismatched(tiny_model: Path, into: Path) -> Path:
    """A copy of the tiny model whose config.json says hidden 64: every weight is 32 wide."""
    folder = into / "mismatched"
    shutil.copytree(tiny_model, folder)
    settings = json.loads((folder / "config.json").read_text())
    settings.update(hidden_size=64, intermediate_size=128)
    (folder / "config.json").write_text(json.dumps(settings))
    return folder


def test_a_base_model_whose_weights_have_the_wrong_shapes_is_refused(project, tiny_model, tmp_path):
    """``ignore_mismatched_sizes`` re-initialised the whole encoder, and training ran from
    random weights without a word."""
    folder = mismatched(tiny_model, tmp_path)
    with pytest.raises(NerstudioError) as caught:
        list(train(project, config(folder, "mismatched", epochs=1)))
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{folder}: ")
    assert "(bert.embeddings.LayerNorm.bias has shape [32] in the weights but [64]" in message
    with Project.open(project) as proj:
        assert "mismatched" not in [r.name for r in proj.runs.all()]


def test_only_the_classifier_head_starts_fresh_and_the_log_says_so(tiny_model, caplog):
    import logging

    from nerstudio.core.training import models

    with caplog.at_level(logging.INFO, logger="nerstudio.core.training.models"):
        model = models.load_model(str(tiny_model), TAGS)
    assert "a fresh classifier head (classifier.bias, classifier.weight)" in caplog.text
    encoder = base_encoder(tiny_model)
    loaded = model.state_dict()
    assert all(loaded[k].equal(v) for k, v in encoder.items() if k in loaded)


def test_a_safetensors_index_naming_a_pickle_shard_is_refused_before_torch_load(
    project, tiny_model, tmp_path, monkeypatch
):
    import torch

    marker = tmp_path / "ran.txt"
    folder = pickled(tiny_model, tmp_path, {"w": LoadedPickle(marker)})
    (folder / "pytorch_model.bin").rename(folder / "pytorch_model-00001-of-00001.bin")
    index = {"metadata": {}, "weight_map": {"w": "pytorch_model-00001-of-00001.bin"}}
    (folder / "model.safetensors.index.json").write_text(json.dumps(index))

    def never(*args, **kwargs):
        raise AssertionError("torch.load was reached")

    monkeypatch.setattr(torch, "load", never)
    with pytest.raises(NerstudioError, match=r"names the shard 'pytorch_model-00001-of-00001\.bin"):
        list(train(project, config(folder, "index-pickle", epochs=1)))
    with pytest.raises(NerstudioError, match=r"not a \.safetensors file beside it"):
        evaluate_run(project, str(folder))
    assert not marker.exists()


# -- options and model folders a user gets wrong (item 12) ------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("seed", 99999999999999999999, "--seed 99999999999999999999: give a value from 0 to "),
        ("seed", -1, "--seed -1: give a value from 0 to 4294967295"),
        ("learning_rate", math.nan, "--lr nan: give a finite number"),
        ("learning_rate", math.inf, "--lr inf: give a finite number"),
        ("learning_rate", -1.0, "--lr -1.0: give a value from 0 to 10"),
        ("warmup_ratio", 2.0, "--warmup-ratio 2.0: give a value from 0 to 1"),
        ("weight_decay", math.nan, "--weight-decay nan: give a finite number"),
        ("max_grad_norm", -1.0, "--max-grad-norm -1.0: give a value from 0 to "),
        ("batch_size", 0, "--batch-size 0: give a value from 1 to "),
        ("epochs", 0, "--epochs 0: give a value from 1 to "),
        ("max_length", 10**12, "--max-length 1000000000000: give a value from 16 to "),
        ("lora_rank", 0, "--lora-rank 0: give a value from 1 to "),
        ("patience", -2, "--patience -2: give a value from 0 to "),
        ("eval_limit", 1.5, "--eval-limit 1.5: give a whole number"),
        ("dev_fraction", math.nan, "--dev-fraction nan: give a finite number"),
    ],
)
def test_every_numeric_option_is_checked_by_the_options_table(tiny_model, option, value, says):
    """--seed 99999999999999999999 and --lr nan ended in exit 70; --lr -1 trained."""
    with pytest.raises(NerstudioError) as caught:
        TrainConfig(base_model=str(tiny_model), **{option: value})
    assert str(caught.value).startswith(says)


def test_every_numeric_option_has_bounds_that_hold_its_default():
    from nerstudio.core.training.config import FIELDS

    numbers = [f for f in FIELDS if f.type in (int, float) and f.name != "dev_fraction"]
    assert all(f.low is not None and f.high is not None for f in numbers)
    assert all(f.default is None or f.low <= f.default <= f.high for f in numbers)


CONFIG_CHANGES = {
    "a size that is text": {"num_hidden_layers": "two"},
    "no attention heads": {"num_attention_heads": 0},
    "a padding id past the vocabulary": {"pad_token_id": 10**9},
}


def broken_copy(tiny_model: Path, into: Path, how: str) -> Path:
    """A copy of the tiny model damaged in one way."""
    folder = into / how
    shutil.copytree(tiny_model, folder)
    config_file, tokenizer_file = folder / "config.json", folder / "tokenizer.json"
    if how == "config a list":
        config_file.write_text("[1, 2]")
    elif how == "config nested deeply":
        config_file.write_text('{"a":' * 100_000 + "1" + "}" * 100_000)
    elif how == "a 4 TB hidden size":
        settings = json.loads(config_file.read_text())
        settings.update(hidden_size=2**30, intermediate_size=2**32)
        config_file.write_text(json.dumps(settings))
    elif how in CONFIG_CHANGES:
        settings = json.loads(config_file.read_text())
        settings.update(CONFIG_CHANGES[how])
        config_file.write_text(json.dumps(settings))
    elif how == "tokenizer.json garbage":
        tokenizer_file.write_text("garbage {{{")
    elif how == "tokenizer.json nested deeply":
        tokenizer_file.write_text("[" * 200_000 + "]" * 200_000)
    elif how == "tokenizer.json not a tokenizer":
        tokenizer_file.write_text('{"model": 3}')
    elif how == "no [UNK] token":
        settings = json.loads(tokenizer_file.read_text())
        del settings["model"]["vocab"]["[UNK]"]
        tokenizer_file.write_text(json.dumps(settings))
    return folder


BROKEN = [
    ("config a list", "config.json: not a JSON object"),
    ("config nested deeply", "config.json: nested too deeply"),
    ("a 4 TB hidden size", "config.json: describes a model of about"),
    ("a size that is text", "config.json: num_hidden_layers must be a whole number of at least 0"),
    ("no attention heads", "config.json: num_attention_heads must be a whole number of at least 1"),
    ("a padding id past the vocabulary", ": cannot load the model: Padding_idx must be within"),
    ("tokenizer.json garbage", "tokenizer.json: not valid JSON"),
    ("tokenizer.json nested deeply", "tokenizer.json: nested too deeply"),
    ("tokenizer.json not a tokenizer", ": cannot load its tokenizer"),
    ("no [UNK] token", ": its tokenizer cannot encode words outside its vocabulary"),
]


@pytest.mark.parametrize(("how", "says"), BROKEN)
def test_a_malformed_model_folder_is_one_line_naming_it(project, tiny_model, tmp_path, how, says):
    """Each of these ended in exit 70 (a TypeError, a RecursionError, a 4 TB allocation),
    or trained and failed later on the first unknown word."""
    from nerstudio.core.errors import ModelError

    folder = broken_copy(tiny_model, tmp_path, how)
    with pytest.raises(ModelError) as caught:
        list(train(project, config(folder, "broken-model", epochs=1)))
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(folder)) and says in message
    with Project.open(project) as proj:
        assert "broken-model" not in [r.name for r in proj.runs.all()]


def test_a_run_whose_loss_is_nan_stops_in_one_line_and_stores_no_nan(project, tiny_model, tmp_path):
    """A NaN loss reached the run's metrics (NOT NULL constraint failed, exit 70)."""
    from safetensors.torch import load_file, save_file

    folder = tmp_path / "nan-base"
    shutil.copytree(tiny_model, folder)
    weights = load_file(str(folder / "model.safetensors"))
    weights = {k: v * float("nan") for k, v in weights.items()}
    save_file(weights, str(folder / "model.safetensors"), metadata={"format": "pt"})
    with pytest.raises(NerstudioError, match=r"diverged at step 1 \(loss nan\); lower --lr"):
        list(train(project, config(folder, "nan-loss", epochs=1)))
    with Project.open(project) as proj:
        run = proj.runs.get("nan-loss")
        assert run.status == "failed" and proj.runs.metrics(run.id) == []
        proj.runs.delete("nan-loss")
    assert not (runs_dir(project) / "nan-loss").exists()
