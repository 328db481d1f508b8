"""`nerstudio export-model`: model.onnx into a run's folder or a copy of it, never
replacing one without --force."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import pytest

from nerstudio.cli import main

needs_onnx_extra = pytest.mark.skipif(
    any(find_spec(m) is None for m in ("onnxruntime", "onnx", "onnxscript")),
    reason="the onnx extra is not installed",
)


@pytest.fixture(scope="module")
def trained(tmp_path_factory, tiny_model) -> tuple[Path, Path]:
    """(project file, its trained run's folder)."""
    from tests.conftest import build_project, train_tiny

    project = build_project(tmp_path_factory.mktemp("export"))
    return project, Path(train_tiny(project, tiny_model, "r"))


@needs_onnx_extra
def test_export_writes_model_onnx_and_replaces_it_only_with_force(trained, capsys):
    _, folder = trained
    onnx_file = folder / "model.onnx"
    assert main(["export-model", str(folder), "--onnx"]) == 0
    assert f"exported r as ONNX: {onnx_file}" in capsys.readouterr().out
    first = onnx_file.read_bytes()
    assert len(first) > 10_000
    onnx_file.write_bytes(b"the user's own file")

    assert main(["export-model", str(folder), "--onnx"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "exists already" in err and "--force" in err
    assert onnx_file.read_bytes() == b"the user's own file"  # untouched

    assert main(["export-model", str(folder), "--onnx", "--force"]) == 0
    assert onnx_file.read_bytes()[:100] == first[:100]
    assert not [p for p in folder.iterdir() if p.name.endswith(".part")]  # no temp left


@needs_onnx_extra
def test_export_of_a_named_run_into_a_new_folder(trained, tmp_path, capsys):
    from nerstudio.core.inference import Predictor
    from nerstudio.core.records import DocumentRecord
    from nerstudio.core.tokens import tokenize

    project, _ = trained
    args = ["export-model", "r", "--project", str(project), "--out", str(tmp_path), "--onnx"]
    assert main(args) == 0
    copy = tmp_path / "r"
    assert {"model.onnx", "model.safetensors", "config.json", "nerstudio.json"} <= {
        p.name for p in copy.iterdir()
    }
    predictor = Predictor(copy, device="cpu", backend="onnx")
    text = "Anna Berg works for Globex in Paris ."
    (prediction,) = predictor.predict([DocumentRecord(text, tuple(tokenize(text)), id=1)])
    assert [text[s.start : s.end] for s in prediction.spans] == ["Anna Berg", "Globex", "Paris"]

    capsys.readouterr()
    assert main(args) == 1  # the copy exists now: a new folder is needed
    assert "not empty" in capsys.readouterr().err


def test_export_model_says_what_is_missing(trained, tmp_path, capsys):
    _, folder = trained
    assert main(["export-model", str(folder)]) == 1
    assert "nothing to export: add --onnx, --out FOLDER, or both" in capsys.readouterr().err
    assert main(["export-model", "r", "--onnx"]) == 1
    assert "r: no such run folder; pass the folder, or a run name with --project" in (
        capsys.readouterr().err
    )


def test_export_copies_only_a_nerstudio_run_folder(trained, tmp_path, capsys):
    """`export-model /etc --out x` copied any folder at all."""
    other = tmp_path / "etc"
    other.mkdir()
    (other / "passwd").write_text("root:x:0:0\n")
    out = tmp_path / "out"
    out.mkdir()
    assert main(["export-model", str(other), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"nerstudio: error: {other}: not a nerstudio run folder (no nerstudio.json naming its "
        "run); pass a run folder, or a run name with --project\n"
    )
    assert list(out.iterdir()) == []


def test_export_never_follows_a_link_inside_the_run_folder(trained, tmp_path, capsys):
    import shutil

    _, folder = trained
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "key").write_text("private\n")
    run = tmp_path / "runs" / "r"
    shutil.copytree(folder, run)
    (run / "extra").symlink_to(secret)
    out = tmp_path / "out"
    out.mkdir()
    assert main(["export-model", str(run), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{run / 'extra'}: a link to {secret}" in err
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("onnx", [False, True], ids=["copy", "onnx"])
def test_export_model_makes_the_out_folder_it_names_as_export_does(
    trained, tmp_path, capsys, onnx
):
    if onnx and find_spec("onnxscript") is None:
        pytest.skip("needs nerstudio[onnx]")
    project, _ = trained
    deploy = tmp_path / "deploy"  # the README's `--out deploy/`: not there yet
    args = ["export-model", "r", "--project", str(project), "--out", f"{deploy}/"]
    assert main(args + (["--onnx"] if onnx else [])) == 0, capsys.readouterr().err
    assert (deploy / "r" / "model.safetensors").is_file()
    assert (deploy / "r" / "model.onnx").is_file() or not onnx
    # a folder two levels down is a typo, not a request: refused, and nothing made
    deep = tmp_path / "no" / "such"
    assert main(["export-model", "r", "--project", str(project), "--out", str(deep)]) == 1
    assert "does not exist" in capsys.readouterr().err and not (tmp_path / "no").exists()


def test_a_failed_export_model_leaves_no_folder_behind(trained, tmp_path, capsys, monkeypatch):
    import errno

    from nerstudio.core.training import output

    def disk_full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    project, _ = trained
    monkeypatch.setattr(output, "copy_folder", disk_full)
    fresh = tmp_path / "fresh"
    assert main(["export-model", "r", "--project", str(project), "--out", str(fresh)]) == 1
    assert "disk is full" in capsys.readouterr().err
    assert not fresh.exists()  # the folder made for it went again
    kept = tmp_path / "kept"
    kept.mkdir()
    assert main(["export-model", "r", "--project", str(project), "--out", str(kept)]) == 1
    assert kept.is_dir()  # a folder the user had is never removed
