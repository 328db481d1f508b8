"""An existing model folder as a suggestion source (issue 26 item 3): the trained-run
Predictor path, labels mapped by --map or by name, unmapped ones dropped and counted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nerstudio.core.errors import NerstudioError
from nerstudio.core.records import DocumentRecord
from nerstudio.core.sources import SourceOptions, open_source
from nerstudio.core.sources.running import suggest_unfinished
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize

TAGS = ["O", "B-PER", "I-PER", "B-CITY", "I-CITY"]


def tagging_model(tiny_model: Path, folder: Path, always: str) -> Path:
    """A token-classification folder whose every word is ``always`` (its classifier's
    bias says so): suggestions that do not depend on random weights."""
    import torch
    from transformers import BertForTokenClassification

    shutil.copytree(tiny_model, folder)
    model = BertForTokenClassification.from_pretrained(
        str(tiny_model),
        num_labels=len(TAGS),
        id2label=dict(enumerate(TAGS)),
        label2id={t: i for i, t in enumerate(TAGS)},
    )
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.copy_(torch.tensor([10.0 if t == always else 0.0 for t in TAGS]))
    model.save_pretrained(str(folder), safe_serialization=True)
    return folder


@pytest.fixture(scope="module")
def person_model(tiny_model, tmp_path_factory) -> Path:
    return tagging_model(tiny_model, tmp_path_factory.mktemp("m") / "per-model", "B-PER")


def _project(path: Path, labels) -> Project:
    project = Project.create(path, labels)
    texts = ["Anna Berg works in Paris .", "Omar Haddad flew ."]
    project.documents.add([DocumentRecord(t, tuple(tokenize(t))) for t in texts])
    return project


def test_a_model_folder_suggests_with_mapped_labels(person_model, tmp_path):
    with _project(tmp_path / "p.db", ["person", "place"]) as project:
        options = SourceOptions(labels=("person", "place"), label_map={"PER": "person"})
        source = open_source(f"model:{person_model}", options)
        assert (source.kind, source.name) == ("model", "model-per-model")
        result = suggest_unfinished(project, source)
        assert result.stored == 2 and result.dropped == {}
        run = project.runs.active()
        assert (run.method, run.params["map"]) == ("model", {"PER": "person"})
        spans = project.predictions.get(run.id, 1).spans
        assert {s.label for s in spans} == {"person"} and len(spans) == 6  # a word each
        assert project.spans.list(1) == []  # nothing in gold


def test_unmapped_labels_are_dropped_and_counted(person_model, tmp_path):
    with _project(tmp_path / "p.db", ["place"]) as project:
        source = open_source(f"model:{person_model}", SourceOptions(labels=("place",)))
        result = suggest_unfinished(project, source)
        assert result.dropped == {"PER": 10}  # every word of both documents
        assert project.predictions.get(project.runs.active().id, 1).spans == ()


def test_labels_of_the_same_name_map_by_themselves(person_model):
    source = open_source(f"model:{person_model}", SourceOptions(labels=("per",)))
    assert source.mapping.targets == {"PER": "per"}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("model:/no/such/folder", "no such folder"),
        ("model:", "name the model folder"),
        ("nonsense:x", "use one of dictionary:..."),
    ],
)
def test_bad_sources_are_one_line(spec, message):
    with pytest.raises(NerstudioError, match=message):
        open_source(spec, SourceOptions(labels=("PER",)))


def test_a_map_to_a_label_the_project_lacks_is_refused(person_model):
    with pytest.raises(NerstudioError, match="has no label 'human'"):
        open_source(f"model:{person_model}", SourceOptions(("person",), {"PER": "human"}))
