"""``nerstudio train`` and ``nerstudio evaluate`` as a user types them, on the tiny local BERT."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from nerstudio.cli import main
from nerstudio.core.store import Project
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
