"""Predictor, the active-learning queue, and `nerstudio predict` / `nerstudio queue`."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from nerstudio.cli import main
from nerstudio.core.active import Candidate, build_queue, near_duplicates
from nerstudio.core.errors import NerstudioError
from nerstudio.core.inference import Prediction, Predictor, ScoredSpan, uncertainty_scores
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize


@pytest.fixture(scope="module")
def run(tmp_path_factory, tiny_model):
    """A project with a trained run and ten unannotated documents."""
    from tests.conftest import build_project, make_sentences, train_tiny

    path = build_project(tmp_path_factory.mktemp("predict"))
    with Project.open(path) as project:
        texts = [" ".join(words) for words, _ in make_sentences(10, 5)]
        texts.append("Yesterday Quetzalcoatlosaka flew to Paris " * 12)  # long: windows
        project.documents.add(DocumentRecord(t, tuple(tokenize(t))) for t in texts)
    folder = train_tiny(path, tiny_model, "r")
    return path, folder


def test_predicted_spans_sit_on_token_boundaries_even_in_windows(run):
    path, folder = run
    with Project.open(path) as project:
        pool = list(project.documents.iter(status=Status.NEW))
    predictor = Predictor(folder)
    predictor.max_length = 16  # force the long document into many windows
    predictions = predictor.predict(pool)
    assert len(predictions) == len(pool)
    found = 0
    for record, prediction in zip(pool, predictions):
        starts = {s for s, _ in record.tokens}
        ends = {e for _, e in record.tokens}
        assert len(prediction.tags) == len(record.tokens)
        for span in prediction.spans:
            assert span.start in starts and span.end in ends
            assert 0.0 < span.score <= 1.0
            found += 1
        assert set(prediction.uncertainty) == {"least_confidence", "mnlp", "entropy"}
    assert found > 10  # the trained model does find the template entities
    long_doc = pool[-1]
    paris = [s for s in predictions[-1].spans if long_doc.text[s.start : s.end] == "Paris"]
    assert len(paris) >= 6  # entities across the whole long document, not only window one


def test_a_prediction_is_stored_only_under_its_own_document():
    """A prediction without a document id was stored as document 0's."""
    spans = (ScoredSpan(0, 4, "PER", 0.9),)
    scores = {"least_confidence": 0.1, "mnlp": 0.1, "entropy": 0.2}
    assert Prediction(7, ("B-PER",), spans, scores).to_row() == (7, spans, scores)
    with pytest.raises(ValueError, match="without an id"):
        Prediction(None, ("B-PER",), spans, scores).to_row()


def edit_json(path: Path, change) -> None:
    data = json.loads(path.read_text())
    path.write_text(json.dumps(change(data)))


def set_key(data: dict, dotted: str, value) -> dict:
    *parents, last = dotted.split(".")
    inner = data
    for key in parents:
        inner = inner[key]
    inner[last] = value
    return data


def drop_o(hf_config: dict) -> dict:
    hf_config["id2label"]["0"] = "X"
    return hf_config


# (how the folder is broken, the file the message names, what the message says); each of
# these was a traceback (KeyError: 'O', JSONDecodeError, KeyError: 'config', TypeError) or
# loaded a pickle
BROKEN_FOLDERS = {
    "pickle only": (
        "",
        "no safetensors weights in {folder} (only pytorch_model.bin; "
        "nerstudio never loads pickled weights); re-save it with "
        "save_pretrained(safe_serialization=True)",
    ),
    "labels without O": (
        "",
        "{folder}: not a named-entity model (its labels X, B-PER, I-PER, B-ORG… have no 'O' tag)",
    ),
    "a sequence classifier": (
        "",
        "{folder}: not a named-entity model (config.json says "
        "BertForSequenceClassification, not a token classifier)",
    ),
    "labels not IOB2": ("", "{folder}: its labels are not IOB2 tags (e.g. 'S-PER')"),
    "config.json not JSON": ("config.json", "{file}: not valid JSON"),
    "nerstudio.json not JSON": ("nerstudio.json", "{file}: not valid JSON"),
    "nerstudio.json a list": ("nerstudio.json", "{file}: not a JSON object"),
    "nerstudio.json without config": ("nerstudio.json", "{file}: 'config' is missing"),
    "max_length a string": (
        "nerstudio.json",
        "{file}: config.max_length must be a whole number of at least 16, not '256'",
    ),
    "max_length missing": (
        "nerstudio.json",
        "{file}: config.max_length must be a whole number of at least 16, not None",
    ),
    "tags not a list": ("nerstudio.json", "{file}: 'tags' must be a list of tag names"),
    "tags of another model": (
        "",
        "{folder}: nerstudio.json's tags differ from config.json's id2label",
    ),
}


def break_folder(folder: Path, how: str) -> None:
    config, info = folder / "config.json", folder / "nerstudio.json"
    if how == "pickle only":
        import torch
        from safetensors.torch import load_file

        torch.save(load_file(str(folder / "model.safetensors")), folder / "pytorch_model.bin")
        (folder / "model.safetensors").unlink()
    elif how == "labels without O":
        edit_json(config, drop_o)
    elif how == "a sequence classifier":
        edit_json(config, lambda c: set_key(c, "architectures", ["BertForSequenceClassification"]))
    elif how == "labels not IOB2":
        edit_json(config, lambda c: set_key(c, "id2label.1", "S-PER"))
    elif how == "config.json not JSON":
        config.write_text('{"id2label": ')
    elif how == "nerstudio.json not JSON":
        info.write_text("{'run': 'r'}")
    elif how == "nerstudio.json a list":
        info.write_text("[]")
    elif how == "nerstudio.json without config":
        edit_json(info, lambda i: {k: v for k, v in i.items() if k != "config"})
    elif how == "max_length a string":
        edit_json(info, lambda i: set_key(i, "config.max_length", "256"))
    elif how == "max_length missing":
        edit_json(info, lambda i: set_key(i, "config", {}))
    elif how == "tags not a list":
        edit_json(info, lambda i: set_key(i, "tags", "O B-PER"))
    elif how == "tags of another model":
        edit_json(info, lambda i: set_key(i, "tags", ["O", "B-X", "I-X"]))


@pytest.mark.parametrize("how", list(BROKEN_FOLDERS))
def test_a_broken_model_folder_is_one_line_naming_it(run, tmp_path, how):
    _, trained = run
    folder = tmp_path / "model"
    shutil.copytree(trained, folder)
    break_folder(folder, how)
    file, expected = BROKEN_FOLDERS[how]
    expected = expected.format(folder=folder, file=folder / file)
    with pytest.raises(NerstudioError) as caught:
        Predictor(folder).predict(
            [DocumentRecord("Anna Berg met Li Wei .", tokenize("Anna Berg met Li Wei ."))]
        )
    message = str(caught.value)
    assert message.startswith(expected), message
    assert "\n" not in message


def test_a_plain_ner_folder_without_nerstudio_json_still_loads(run, tmp_path):
    _, trained = run
    folder = tmp_path / "plain"
    shutil.copytree(trained, folder)
    (folder / "nerstudio.json").unlink()
    predictor = Predictor(folder)
    # the default 256, cut to the 128 positions the tiny model holds
    assert predictor.max_length == 128 and predictor.tag_names[0] == "O"


def test_a_base_encoder_is_no_ner_model(tiny_model):
    """The base encoder loaded with a random two-class head and failed at predict time
    with KeyError: 'O'."""
    with pytest.raises(NerstudioError, match=f"^{tiny_model}: not a named-entity model"):
        Predictor(tiny_model)


def test_uncertainty_grows_as_the_model_is_less_sure():
    sure = uncertainty_scores([0.99, 0.98, 0.99], [0.05, 0.1, 0.05])
    unsure = uncertainty_scores([0.5, 0.4, 0.6], [1.0, 1.1, 0.9])
    for key in ("least_confidence", "mnlp", "entropy"):
        assert unsure[key] > sure[key]


def pool_of(n: int) -> list[Candidate]:
    rng = random.Random(1)
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa".split()
    return [
        Candidate(
            i,
            " ".join(rng.sample(words, 6)) + f" doc{i}",
            {"least_confidence": i / n, "mnlp": (n - i) / n, "entropy": (i % 7) / 7},
        )
        for i in range(n)
    ]


@pytest.mark.parametrize(
    ("strategy", "key", "descending"),
    [
        ("least-confidence", "least_confidence", True),
        ("mnlp", "mnlp", True),
        ("entropy", "entropy", True),
    ],
)
def test_each_strategy_serves_the_most_uncertain_first(strategy, key, descending):
    pool = pool_of(40)
    ordered = build_queue(pool, strategy, random_share=0.0)
    scores = list(ordered.uncertainties)
    assert scores == sorted(scores, reverse=descending)
    assert scores[0] == max(c.scores[key] for c in pool)
    assert sorted(ordered.document_ids) == list(range(40))


def test_a_share_of_the_queue_is_random_and_near_duplicates_wait():
    pool = pool_of(50)
    ordered = list(build_queue(pool, "mnlp", random_share=0.1, seed=3).document_ids)
    greedy = list(build_queue(pool, "mnlp", random_share=0.0).document_ids)
    assert sorted(ordered) == sorted(greedy) and ordered != greedy
    twin = [
        Candidate(1, "the same words again here", {"mnlp": 0.9}),
        Candidate(2, "the same words again here", {"mnlp": 0.8}),
        Candidate(3, "something else entirely now", {"mnlp": 0.1}),
    ]
    assert near_duplicates(twin[0].text, twin[1].text)
    assert list(build_queue(twin, "mnlp", 0.0).document_ids) == [1, 3, 2]


def test_predict_and_queue_from_the_cli_never_touch_gold(run, capsys, tmp_path):
    path, _ = run
    with Project.open(path) as project:
        gold_before = project.stats().entities
    out = tmp_path / "p.jsonl"
    assert main(["predict", str(path), "--run", "r", "--out", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 11 and {"id", "text", "spans", "uncertainty"} <= set(lines[0])
    capsys.readouterr()
    assert main(["queue", str(path), "--strategy", "least-confidence", "--top", "5", "--json"]) == 0
    queue = json.loads(capsys.readouterr().out)
    assert len(queue) == 5 and {"id", "uncertainty", "reason", "text"} == set(queue[0])
    with Project.open(path) as project:
        assert project.stats().entities == gold_before  # suggestions never become gold
        dev_ids = {r.id for r in project.documents.iter(split="dev")}
    assert not dev_ids & {item["id"] for item in queue}


def test_cli_predict_done_then_review_lists_a_forgotten_document(run, capsys):
    path, _ = run
    with Project.open(path) as project:
        project.spans.remove_many(
            [s.id for s in project.spans.list(1)]
        )  # an annotator forgot doc 1
    code = main(["review", str(path), "--run", "r", "--predict", "--json", "--threshold", "0.5"])
    out = capsys.readouterr().out.strip().splitlines()
    assert code == 0
    assert out[0].startswith("predicted 200 documents")  # the done ones only
    found = json.loads(out[-1])
    assert 1 in [item["id"] for item in found]
    first = next(item for item in found if item["id"] == 1)
    assert "is not tagged; the model says" in first["reasons"][0]
    with Project.open(path) as project:
        assert project.spans.list(1) == []  # review never edits gold


# -- a run with NaN weights (issue 23, item 9) ------------------------------------------------


def with_nan_weights(folder: Path) -> None:
    from safetensors.torch import load_file, save_file

    weights = load_file(str(folder / "model.safetensors"))
    weights = {k: v * float("nan") if k.startswith("classifier") else v for k, v in weights.items()}
    save_file(weights, str(folder / "model.safetensors"), metadata={"format": "pt"})


def test_a_run_with_nan_weights_is_refused_and_the_queue_still_reads(run, tmp_path, capsys):
    """Its NaN scores were stored as NaN in the scores JSON, and `queue` failed with
    'malformed JSON' (exit 70) until the run was predicted again."""
    import sqlite3

    path, _ = run
    copy = tmp_path / path.name
    with sqlite3.connect(path) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    shutil.copytree(path.with_name(f"{path.stem}-runs"), tmp_path / f"{path.stem}-runs")
    with_nan_weights(tmp_path / f"{path.stem}-runs" / "r")
    with Project.open(copy) as project:
        run_id = project.runs.get("r").id
        before = project.db.execute(
            "SELECT count(*) FROM predictions WHERE run_id = ?", [run_id]
        ).fetchone()
    assert main(["predict", str(copy), "--run", "r", "--all"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "its weights hold NaN or infinite values" in err
    assert str(tmp_path / f"{path.stem}-runs" / "r") in err
    with Project.open(copy) as project:
        after = project.db.execute(
            "SELECT count(*) FROM predictions WHERE run_id = ?", [run_id]
        ).fetchone()
    assert after == before
    assert main(["queue", str(copy), "--run", "r", "--json"]) == 0


def test_a_model_that_scores_nan_is_refused_before_anything_is_stored(run, tmp_path):
    """The same from the scores: a model whose outputs overflow, or an ONNX file."""
    import torch

    from nerstudio.core.errors import ModelError

    _, trained = run
    predictor = Predictor(trained, device="cpu", backend="torch")
    with torch.no_grad():
        predictor.model.classifier.bias.fill_(float("inf"))
    text = "Anna Berg met Li Wei ."
    with pytest.raises(ModelError, match="scores are NaN or infinite") as caught:
        predictor.predict([DocumentRecord(text, tuple(tokenize(text)), id=1)])
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("score", [float("nan"), float("inf"), float("-inf")])
def test_a_non_finite_score_is_never_stored(score):
    from nerstudio.core.errors import ModelError

    with pytest.raises(ModelError, match="document 7: the model scored it NaN or infinite"):
        Prediction(7, ("O",), (), {"mnlp": score}).to_row()
    span = ScoredSpan(0, 4, "PER", score)
    with pytest.raises(ModelError):
        Prediction(7, ("B-PER",), (span,), {"mnlp": 0.1}).to_row()
