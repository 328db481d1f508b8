"""The ONNX path: a run exported to model.onnx predicts what PyTorch predicts, the
Predictor picks its backend as documented, and bf16 is chosen only where it is native."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("onnxscript")

from nerstudio.core import inference
from nerstudio.core.errors import NerstudioError
from nerstudio.core.inference import Predictor, prediction_precision
from nerstudio.core.inference_onnx import BACKEND_VARIABLE, ONNX_FILE, export_onnx
from nerstudio.core.records import DocumentRecord
from nerstudio.core.tokens import tokenize
from nerstudio.core.training import models


@pytest.fixture(scope="module")
def runs(tmp_path_factory, tiny_model) -> tuple[Path, Path]:
    """(a trained run exported to ONNX, a copy of the same run without model.onnx)."""
    from tests.conftest import build_project, train_tiny

    folder = Path(train_tiny(build_project(tmp_path_factory.mktemp("onnx")), tiny_model, "r"))
    plain = tmp_path_factory.mktemp("plain") / "r"
    shutil.copytree(folder, plain)
    assert export_onnx(folder) == folder
    return folder, plain


def documents() -> list[DocumentRecord]:
    from tests.conftest import make_sentences

    texts = [" ".join(words) for words, _ in make_sentences(40, 5)]
    texts.append("Yesterday Quetzalcoatlosaka flew to Paris " * 12)  # long: many windows
    texts.append("Zanzibar")  # a one-word window
    return [DocumentRecord(t, tuple(tokenize(t)), id=i) for i, t in enumerate(texts, 1)]


def test_onnx_predicts_the_spans_pytorch_predicts(runs):
    folder, _ = runs
    torch_predictor = Predictor(folder, device="cpu", backend="torch", precision="fp32")
    onnx_predictor = Predictor(folder, device="cpu", backend="onnx")
    assert onnx_predictor.backend == "onnx" and onnx_predictor.model is None
    for predictor in (torch_predictor, onnx_predictor):
        predictor.max_length = 16  # windows of every length, batches of mixed lengths
    records = documents()
    expected, got = torch_predictor.predict(records), onnx_predictor.predict(records)
    assert sum(len(p.spans) for p in expected) > 40  # the trained model finds entities
    for want, have in zip(expected, got):
        assert have.tags == want.tags
        assert [(s.start, s.end, s.label) for s in have.spans] == [
            (s.start, s.end, s.label) for s in want.spans
        ]
        for a, b in zip(have.spans, want.spans):
            assert a.score == pytest.approx(b.score, abs=1e-3)
        for key, value in want.uncertainty.items():
            assert have.uncertainty[key] == pytest.approx(value, abs=1e-3)


def test_auto_takes_onnx_only_when_the_folder_has_it(runs, monkeypatch):
    folder, plain = runs
    monkeypatch.delenv(BACKEND_VARIABLE, raising=False)
    monkeypatch.setattr(models, "cpu_has_native_bf16", lambda: False)  # PyTorch in fp32
    assert Predictor(folder, device="cpu").backend == "onnx"
    fallback = Predictor(plain, device="cpu")
    assert fallback.backend == "torch" and fallback.model is not None
    (prediction,) = fallback.predict(documents()[:1])
    assert prediction.spans  # the PyTorch path predicts
    monkeypatch.setenv(BACKEND_VARIABLE, "torch")
    assert Predictor(folder, device="cpu").backend == "torch"
    monkeypatch.delenv(BACKEND_VARIABLE)
    monkeypatch.setattr("nerstudio.core.inference_onnx.onnxruntime_installed", lambda: False)
    assert Predictor(folder, device="cpu").backend == "torch"  # the extra is not installed


def test_auto_prefers_pytorch_bf16_where_the_cpu_has_it(runs, monkeypatch):
    """On a CPU with native bf16, PyTorch's bf16 autocast outruns ONNX Runtime's fp32
    (predict_bench), so auto takes it even beside a model.onnx, unless fp32 is asked for."""
    folder, _ = runs
    monkeypatch.delenv(BACKEND_VARIABLE, raising=False)
    monkeypatch.setattr(models, "cpu_has_native_bf16", lambda: True)
    bf16 = Predictor(folder, device="cpu")
    assert (bf16.backend, bf16.precision) == ("torch", "bf16")
    assert Predictor(folder, device="cpu", precision="fp32").backend == "onnx"
    assert Predictor(folder, device="cpu", backend="onnx").backend == "onnx"  # asked for


def test_the_onnx_backend_says_why_it_cannot_run(runs, tmp_path, monkeypatch):
    folder, plain = runs
    with pytest.raises(NerstudioError, match=r"no model\.onnx; export it with 'nerstudio export"):
        Predictor(plain, device="cpu", backend="onnx")
    with pytest.raises(NerstudioError, match="backend 'tensorrt': use one of auto, torch, onnx"):
        Predictor(folder, device="cpu", backend="tensorrt")
    # A model.onnx exported for other labels is refused, never run with this folder's tags.
    import onnx

    stale = tmp_path / "stale"
    shutil.copytree(folder, stale)
    graph = onnx.load(str(stale / ONNX_FILE))
    for prop in graph.metadata_props:
        if prop.key == "nerstudio.tags":
            prop.value = json.dumps(["O", "B-X", "I-X"])
    onnx.save(graph, str(stale / ONNX_FILE))
    with pytest.raises(
        NerstudioError, match=r"not exported for this folder's labels.*--onnx --force"
    ):
        Predictor(stale, device="cpu", backend="onnx")
    assert Predictor(stale, device="cpu").backend == "torch"  # auto: PyTorch instead
    monkeypatch.setenv(BACKEND_VARIABLE, "onnx")  # asked for by the environment: insists
    with pytest.raises(NerstudioError, match="not exported for this folder's labels"):
        Predictor(stale, device="cpu")
    monkeypatch.delenv(BACKEND_VARIABLE)
    (stale / ONNX_FILE).write_bytes(b"half a file")  # a damaged export
    with pytest.raises(NerstudioError, match="ONNX Runtime cannot load it"):
        Predictor(stale, device="cpu", backend="onnx")
    assert Predictor(stale, device="cpu").backend == "torch"


def test_bf16_is_chosen_only_on_a_cpu_with_native_bf16(runs, monkeypatch):
    _, plain = runs
    monkeypatch.setattr(models, "cpu_has_native_bf16", lambda: False)
    assert prediction_precision("auto", "cpu") == "fp32"
    with pytest.raises(NerstudioError, match="no native bf16"):
        prediction_precision("bf16", "cpu")
    assert _logits_dtype(Predictor(plain, device="cpu", backend="torch")) == "torch.float32"

    monkeypatch.setattr(models, "cpu_has_native_bf16", lambda: True)
    assert prediction_precision("auto", "cpu") == "bf16"
    assert prediction_precision("auto", "cuda") == "fp32"  # a GPU keeps what it had
    assert prediction_precision("fp32", "cpu") == "fp32"
    predictor = Predictor(plain, device="cpu", backend="torch")
    assert predictor.precision == "bf16"
    assert _logits_dtype(predictor) == "torch.bfloat16"
    assert Predictor(plain, device="cpu", precision="fp32", backend="torch").precision == "fp32"
    with pytest.raises(NerstudioError, match="precision 'int4'"):
        Predictor(plain, device="cpu", precision="int4", backend="torch")


def _logits_dtype(predictor: inference.Predictor) -> str:
    """The dtype the model's forward computed its logits in, while predicting."""
    seen: list[str] = []
    hook = predictor.model.register_forward_hook(
        lambda _module, _inputs, output: seen.append(str(output.logits.dtype))
    )
    try:
        (prediction,) = predictor.predict(documents()[:1])
    finally:
        hook.remove()
    assert len(prediction.tags) == len(documents()[0].tokens)
    return seen[0]
