"""Windows cut to the model's positions, bf16 on a CPU that has it, background priority."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from nerstudio.core import inference, os_priority
from nerstudio.core.errors import NerstudioError
from nerstudio.core.records import DocumentRecord
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize
from nerstudio.core.training import (
    TrainConfig,
    TrainingDone,
    TrainingStarted,
    TrainingWarning,
    models,
)
from nerstudio.core.training.loop import train
from nerstudio.core.transfer import import_files
from tests.conftest import make_sentences, save_tiny_bert, tiny_train_config, write_conll

SENTINEL = int(1e30)  # what a tokenizer with no limit of its own says


@pytest.fixture(scope="module")
def short_model(tmp_path_factory, tiny_model: Path) -> Path:
    """The tiny BERT's vocabulary under a model with only 64 position embeddings."""
    from transformers import BertTokenizerFast

    folder = tmp_path_factory.mktemp("bert-64")
    tokenizer = BertTokenizerFast.from_pretrained(str(tiny_model))
    tokenizer.save_pretrained(str(folder))
    assert tokenizer.model_max_length >= SENTINEL  # the sentinel must not count as a limit
    save_tiny_bert(folder, tokenizer.vocab_size, max_position_embeddings=64)
    return folder


@pytest.fixture(scope="module")
def long_project(tmp_path_factory) -> Path:
    """Done documents of ~90 words (over 64 sub-words each) in train and dev."""
    from nerstudio.core.store import Project as P

    folder = tmp_path_factory.mktemp("long")

    def long_docs(count: int, seed: int):
        sentences = make_sentences(count * 8, seed)
        return [
            (
                list(itertools.chain.from_iterable(w for w, _ in sentences[i : i + 8])),
                list(itertools.chain.from_iterable(t for _, t in sentences[i : i + 8])),
            )
            for i in range(0, len(sentences), 8)
        ]

    path = folder / "long.db"
    with P.create(path, ["PER", "ORG", "LOC"]) as project:
        import_files(project, [write_conll(folder / "t.conll", long_docs(24, 1))], split="train")
        import_files(project, [write_conll(folder / "d.conll", long_docs(6, 2))], split="dev")
    return path


def test_length_limit_reads_positions_not_the_tokenizer_sentinel(short_model: Path):
    model = models.load_model(str(short_model), ["O", "B-PER", "I-PER"])
    tokenizer = models.load_tokenizer(str(short_model))
    assert models.model_length_limit(model, tokenizer) == (64, 64)
    assert models.cap_max_length(48, model, tokenizer, "m") == (48, None)
    capped, note = models.cap_max_length(256, model, tokenizer, "bert-64")
    assert capped == 64
    assert note == (
        "max length 256 is more than bert-64 holds (64 positions): windows of 64 sub-words"
    )
    smaller = SimpleNamespace(model_max_length=32)
    assert models.model_length_limit(model, smaller) == (32, 64)


def test_roberta_holds_its_positions_less_the_padding_offset():
    from transformers import RobertaConfig, RobertaForTokenClassification

    config = RobertaConfig(
        vocab_size=50,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=66,
        pad_token_id=1,
    )
    model = RobertaForTokenClassification(config)
    tokenizer = SimpleNamespace(model_max_length=SENTINEL)
    assert models.model_length_limit(model, tokenizer) == (64, 66)
    capped, note = models.cap_max_length(256, model, tokenizer, "roberta")
    assert capped == 64 and "(66 positions): windows of 64 sub-words" in note


def test_a_short_model_trains_at_the_default_length_and_predicts(
    long_project: Path, short_model: Path, monkeypatch
):
    config = tiny_train_config(short_model, "short", epochs=1)
    assert config.max_length == 256
    events = list(train(long_project, config))
    warnings = [e.message for e in events if isinstance(e, TrainingWarning)]
    assert f"max length 256 is more than {short_model.name} holds (64 positions): " in warnings[0]
    assert any("train as overlapping windows" in w and " 64 sub-words" in w for w in warnings)
    done = events[-1]
    assert isinstance(done, TrainingDone)
    info = json.loads((Path(done.path) / "nerstudio.json").read_text())
    assert info["config"]["max_length"] == 64  # the windows it trained with

    # A folder whose nerstudio.json asks for more than the model holds is cut on load.
    info["config"]["max_length"] = 512
    (Path(done.path) / "nerstudio.json").write_text(json.dumps(info))
    called = []
    monkeypatch.setattr(inference, "run_in_background", lambda: called.append(True))
    predictor = inference.Predictor(done.path, device="cpu")
    assert called == [True]
    assert predictor.max_length == 64
    text = " ".join(" ".join(w) for w, _ in make_sentences(12, 7))
    record = DocumentRecord(text, tuple(tokenize(text)), id=1)
    (prediction,) = predictor.predict([record])
    assert len(prediction.tags) == len(record.tokens)


def test_evaluating_a_folder_that_asks_for_too_long_windows_works(long_project: Path):
    from nerstudio.core.training.evaluation import evaluate_run

    with Project.open(long_project) as project:
        folder = Path(project.runs.get("short").path)
    scores = evaluate_run(long_project, str(folder), "dev", "cpu")
    assert 0.0 <= scores.f1 <= 1.0


# -- precision --------------------------------------------------------------------------------


@pytest.mark.parametrize("native", [True, False])
def test_auto_picks_bf16_on_cpu_only_where_native(monkeypatch, native: bool):
    monkeypatch.setattr(models, "cpu_has_native_bf16", lambda: native)
    assert models.pick_precision("auto", "cpu") == ("bf16" if native else "fp32")
    assert models.pick_precision("fp32", "cpu") == "fp32"
    if native:
        assert models.pick_precision("bf16", "cpu") == "bf16"
    else:
        with pytest.raises(NerstudioError, match="no native bf16"):
            models.pick_precision("bf16", "cpu")
    with pytest.raises(NerstudioError, match="fp16 needs a GPU"):
        models.pick_precision("fp16", "cpu")


@pytest.mark.parametrize(
    ("capability", "flags", "expected"),
    [
        ("AVX512", ["avx512f", "avx512_bf16"], True),
        ("AVX512", ["avx512f", "amx_bf16", "amx_tile"], True),
        ("AVX512", ["avx512f"], False),
        ("AVX2", ["avx2"], False),
        ("DEFAULT", ["avx512_bf16"], False),
    ],
)
def test_native_bf16_from_capability_and_cpu_flags(monkeypatch, capability, flags, expected):
    import torch

    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False, raising=False)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False, raising=False)
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: capability)
    monkeypatch.setattr(models, "_cpuinfo_flags", lambda: flags)
    assert models.cpu_has_native_bf16() is expected


def test_native_bf16_from_torch_probe(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: True, raising=False)
    monkeypatch.setattr(models, "_cpuinfo_flags", list)
    assert models.cpu_has_native_bf16() is True


@pytest.mark.skipif(not models.cpu_has_native_bf16(), reason="this CPU has no native bf16")
def test_a_bf16_run_trains_on_a_cpu_with_native_bf16(trained_project: Path, tiny_model: Path):
    config = tiny_train_config(tiny_model, "bf16", epochs=1, device="cpu", precision="bf16")
    events = list(train(trained_project, config))
    started = next(e for e in events if isinstance(e, TrainingStarted))
    assert started.precision == "bf16"
    assert isinstance(events[-1], TrainingDone)
    # after fp32 runs in this process: CPU bf16 does not depend on accelerate's state
    fp32 = TrainConfig(**{**config.to_json(), "precision": "fp32", "name": "fp32"})
    assert isinstance(list(train(trained_project, fp32))[-1], TrainingDone)


# -- background priority ----------------------------------------------------------------------

CHILD = (
    "import os, torch; from nerstudio.core.os_priority import run_in_background; "
    "applied = [run_in_background(), run_in_background()]; "
    "print(applied[0], os.getpriority(os.PRIO_PROCESS, 0), torch.get_num_threads())"
)


def child(env_value: str | None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != os_priority.BACKGROUND_VARIABLE}
    if env_value is not None:
        env[os_priority.BACKGROUND_VARIABLE] = env_value
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    return done.stdout.split()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX niceness")
def test_a_background_child_runs_nice_with_a_core_left_free():
    applied, niceness, threads = child("1")
    assert applied == "True"
    # raised to 10 once, not by 10 per call (it is called twice)
    assert int(niceness) == max(10, os.getpriority(os.PRIO_PROCESS, 0))
    assert int(threads) == max(1, os_priority.usable_cores() - 1)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX niceness")
def test_without_the_variable_nothing_changes():
    applied, niceness, _ = child(None)
    assert applied == "False"
    assert int(niceness) == os.getpriority(os.PRIO_PROCESS, 0)
    assert child("0")[0] == "False"
