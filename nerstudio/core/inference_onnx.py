"""A run's model as ONNX: ``export-model --onnx`` writes it, the Predictor runs it.

``model.onnx`` sits in the run folder beside the safetensors weights, so the folder stays a
standard Hugging Face folder and gains the artefact people deploy without Python's torch.
The Predictor runs it through ONNX Runtime on the CPU when it is there and PyTorch would
predict in fp32 (backend ``auto``; see ``choose_backend``).

Why ``torch.onnx.export`` and not optimum: optimum's exporter (``optimum-onnx`` 0.1, what
``optimum[onnxruntime]`` 2.x installs) pins ``transformers<4.58``, so installing it would
downgrade our transformers 5. ``torch.onnx.export`` (the dynamo exporter) is the library
made for the job and exports the model exactly as transformers builds it; ``onnxruntime``
runs it. Both are optional: ``pip install nerstudio[onnx]``.

The file carries what it was exported from (tags, the weights' size, the window limit)
as ONNX metadata, so a model.onnx that does not belong to the folder's weights is refused
instead of predicting with other labels.
"""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import io
import json
import logging
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import torch

from nerstudio.core.errors import NerstudioError
from nerstudio.core.safe_io import check_target, output_folder, write_file
from nerstudio.core.training import models
from nerstudio.core.training.config import BACKENDS
from nerstudio.core.training.model_folder import check_model_folder, first_line
from nerstudio.core.training.output import export_run

log = logging.getLogger(__name__)
ONNX_FILE = "model.onnx"
WEIGHTS_FILE = "model.safetensors"
BACKEND_VARIABLE = "NERSTUDIO_PREDICT_BACKEND"  # reaches the window's prediction children
INSTALL_HINT = "install the ONNX extra: pip install 'nerstudio[onnx]'"
_TAGS, _WEIGHTS, _LIMIT = "nerstudio.tags", "nerstudio.weights_bytes", "nerstudio.window_limit"


def onnxruntime_installed() -> bool:
    """Whether ONNX Runtime can be imported (the optional ``onnx`` extra)."""
    return importlib.util.find_spec("onnxruntime") is not None


def _weights_bytes(folder: Path) -> int:
    weights = folder / WEIGHTS_FILE
    return weights.stat().st_size if weights.exists() else 0


# -- export ----------------------------------------------------------------------------------


def export_onnx(
    folder: str | Path,
    into: str | Path | None = None,
    force: bool = False,
    project: Path | None = None,
) -> Path:
    """Write ``model.onnx`` into the run folder, or into a copy of it at ``into/<run>``
    (``output.export_run``, the window's export); returns the folder written to.

    An existing model.onnx is replaced only with ``force``; the copy's folder must be
    new. The slow export runs first, into a temporary folder, so a refusal or a model
    the exporter cannot handle leaves nothing behind."""
    folder = Path(folder)
    if into is None:
        check_target(folder / ONNX_FILE, project, force)
        return _export_into(folder, None, force)
    with output_folder(into):
        check_target(Path(into) / folder.name, project)  # a new (or empty) folder
        return _export_into(folder, Path(into), force, project)


def _export_into(
    folder: Path, into: Path | None, force: bool, project: Path | None = None
) -> Path:
    """The export itself: model.onnx into ``folder`` (``into`` None), or a copy of the run
    in ``into`` with it."""
    target = folder if into is None else into / folder.name
    _check_exporter()
    with tempfile.TemporaryDirectory(prefix="nerstudio-onnx-") as tmp:
        produced = _export_to(folder, Path(tmp))
        if into is None:
            _write_files(produced, target, force)
            return target
        export_run(folder, into, folder.name, project)
        try:
            _write_files(produced, target, force=True)
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)  # the copy made just above
            raise
    return target


def _check_exporter() -> None:
    """The dynamo exporter: torch 2.5 or newer (``dynamo=True``), onnx and onnxscript."""
    missing = [m for m in ("onnx", "onnxscript") if importlib.util.find_spec(m) is None]
    if missing:
        raise NerstudioError(f"exporting to ONNX needs {', '.join(missing)}: {INSTALL_HINT}")
    major, minor = (int(part) for part in torch.__version__.split(".")[:2])
    if (major, minor) < (2, 5):
        raise NerstudioError(
            f"exporting to ONNX needs torch 2.5 or newer (this is {torch.__version__}): "
            "pip install -U torch"
        )


def _write_files(produced: list[Path], target: Path, force: bool = False) -> None:
    """Each exported file (model.onnx, and model.onnx.data for a model over 2 GB) into
    ``target`` through ``safe_io.write_file``: never half-written."""
    for path in produced:
        check_target(target / path.name, force=force or path.name != ONNX_FILE)
    for path in sorted(produced, key=lambda p: p.name == ONNX_FILE):  # the .data file first
        with write_file(target / path.name, binary=True) as out, path.open("rb") as source:
            shutil.copyfileobj(source, out, 1 << 20)


def _export_to(folder: Path, tmp: Path) -> list[Path]:
    """Export the folder's model into ``tmp``; the files it made."""
    loaded = models.load_run(folder, "cpu")
    model, tokenizer = loaded.model, loaded.tokenizer
    example = _example_inputs(tokenizer, model)
    dims = (torch.export.Dim("batch"), torch.export.Dim("sequence"))
    try:
        with warnings.catch_warnings(), _quiet_exporter():
            warnings.simplefilter("ignore")
            program = torch.onnx.export(
                model,
                (),
                kwargs=example,
                dynamo=True,
                dynamic_shapes={name: {0: dims[0], 1: dims[1]} for name in example},
                input_names=list(example),
                output_names=["logits"],
                verbose=False,
            )
    except (RuntimeError, TypeError, ValueError) as err:  # OnnxExporterError is a RuntimeError
        cause = re.sub(r"\x1b\[[0-9;]*m", "", first_line(err.__cause__ or err))  # no colours
        raise NerstudioError(
            f"{folder}: torch.onnx cannot export this model ({model.config.model_type}): {cause}"
        ) from None
    limit, _ = models.model_length_limit(model, tokenizer)
    program.model.metadata_props.update(
        {
            _TAGS: json.dumps(loaded.tag_names),
            _WEIGHTS: str(_weights_bytes(folder)),
            _LIMIT: str(limit or 0),
        }
    )
    program.save(str(tmp / ONNX_FILE))
    return sorted(tmp.iterdir())


@contextmanager
def _quiet_exporter() -> Iterator[None]:
    """The exporter's notes (progress, skipped torchvision ops) are for its developers."""
    exporter_log = logging.getLogger("torch.onnx")
    level = exporter_log.level
    exporter_log.setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        exporter_log.setLevel(level)


def _example_inputs(tokenizer, model) -> dict[str, torch.Tensor]:
    """Two padded windows of different lengths, with the inputs the model's forward takes
    (batch and length are traced as dynamic: two rows keep the exporter from fixing 1)."""
    encoded = tokenizer(
        [["Anna", "works", "in", "Paris", "."], ["Hello"]],
        is_split_into_words=True,
        padding=True,
        return_tensors="pt",
    )
    accepted = inspect.signature(model.forward).parameters
    return {k: v for k, v in encoded.items() if k in accepted}


# -- prediction ------------------------------------------------------------------------------


def requested_backend(preference: str | None) -> str:
    """The backend asked for: ``preference``, else ``NERSTUDIO_PREDICT_BACKEND``, else
    ``auto``; anything but auto, torch or onnx is refused in one line."""
    preference = preference or os.environ.get(BACKEND_VARIABLE) or "auto"
    if preference not in BACKENDS:
        raise NerstudioError(f"prediction backend {preference!r}: use one of {', '.join(BACKENDS)}")
    return preference


def choose_backend(preference: str, folder: Path, device: str, torch_bf16: bool = False) -> str:
    """``torch`` or ``onnx`` for a Predictor over ``folder`` on ``device``.

    ``auto`` takes the ONNX model when the folder has one, ONNX Runtime is installed, the
    model runs on the CPU and PyTorch would run it in fp32 there (``torch_bf16`` False).
    Where PyTorch predicts in bf16 autocast (a CPU with native bf16) it is the faster one:
    ``predict_bench.py`` measured 414 against 228 sentences/s on a quiet machine and 149
    against 137 beside a training run; in fp32 ONNX Runtime wins (228 against 208, and
    137 against 31). ``onnx`` insists and says in one line why it cannot."""
    if preference == "torch":
        return "torch"
    has_file, installed = (folder / ONNX_FILE).is_file(), onnxruntime_installed()
    on_cpu = models.pick_device(device) == "cpu"
    if preference == "auto":
        return "onnx" if has_file and installed and on_cpu and not torch_bf16 else "torch"
    if not has_file:
        raise NerstudioError(
            f"{folder}: no {ONNX_FILE}; export it with 'nerstudio export-model {folder} --onnx'"
        )
    if not installed:
        raise NerstudioError(f"the ONNX backend needs onnxruntime: {INSTALL_HINT}")
    if not on_cpu:
        raise NerstudioError("the ONNX backend runs on the CPU; use --device cpu or backend torch")
    return "onnx"


@dataclass(frozen=True)
class OnnxRun:
    """A run folder's tokenizer and ONNX Runtime session: what the Predictor needs from
    ``models.load_run``, without loading the PyTorch weights."""

    tokenizer: object
    session: object
    input_names: tuple[str, ...]
    tag_names: list[str]
    max_length: int

    def logits(self, batch: Mapping[str, torch.Tensor]) -> torch.Tensor:
        """The model's logits for a collated batch; an input the tokenizer does not give
        (token type ids of a one-segment window) is zeros, as in the PyTorch model."""
        ids = batch["input_ids"]
        feeds = {
            name: (batch[name] if name in batch else torch.zeros_like(ids)).numpy()
            for name in self.input_names
        }
        return torch.from_numpy(self.session.run(None, feeds)[0])  # logits come first


def load_onnx_run(folder: Path, threads: int) -> OnnxRun:
    """The folder's tokenizer and model.onnx in a CPU session of ``threads`` threads.

    Refused in one line when the file does not belong to the folder's weights or labels
    (export again with --force)."""
    import onnxruntime

    checked = check_model_folder(folder)
    tokenizer = models.load_tokenizer(str(checked.path))
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # errors only: its notes are not the user's business
    path = checked.path / ONNX_FILE
    try:
        session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
    except _session_errors() as err:
        raise NerstudioError(f"{path}: ONNX Runtime cannot load it: {first_line(err)}") from None
    meta = session.get_modelmeta().custom_metadata_map
    fix = f"export it again: nerstudio export-model {checked.path} --onnx --force"
    if meta.get(_TAGS) != json.dumps(checked.tags):
        raise NerstudioError(f"{path}: not exported for this folder's labels; {fix}")
    if meta.get(_WEIGHTS) != str(_weights_bytes(checked.path)):
        raise NerstudioError(f"{path}: not exported from this folder's weights; {fix}")
    max_length = checked.max_length
    limit = int(meta[_LIMIT]) if meta.get(_LIMIT, "").isdigit() else 0
    if limit and max_length > limit:
        log.warning(
            "max length %d is more than %s holds: windows of %d sub-words",
            max_length,
            checked.path.name,
            limit,
        )
        max_length = limit
    names = tuple(i.name for i in session.get_inputs())
    return OnnxRun(tokenizer, session, names, checked.tags, max_length)


def _session_errors() -> tuple[type[BaseException], ...]:
    """ONNX Runtime's load errors: pybind classes with no common base short of Exception."""
    from onnxruntime.capi import onnxruntime_pybind11_state as state

    names = ("Fail", "InvalidArgument", "NoSuchFile", "InvalidProtobuf", "InvalidGraph")
    return (RuntimeError, OSError, *(getattr(state, n) for n in names if hasattr(state, n)))
