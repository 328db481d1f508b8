"""Loading the base model and tokenizer with clear errors, and applying full/head/LoRA."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors import SafetensorError
from transformers import AutoModelForTokenClassification, AutoTokenizer
from transformers.utils import logging as hf_logging

from nerstudio.core import model_source
from nerstudio.core.errors import ModelError, NerstudioError
from nerstudio.core.plural import counted
from nerstudio.core.training.model_folder import check_loadable, check_model_folder, first_line

log = logging.getLogger(__name__)
# Tokenizers without a limit of their own say int(1e30) (transformers' VERY_LARGE_INTEGER).
NO_TOKENIZER_LIMIT = 1_000_000


def _explain(base_model: str, err: Exception) -> NerstudioError:
    path = Path(base_model).expanduser()
    if path.is_dir():
        if not (path / "config.json").exists():
            return NerstudioError(
                f"{path}: not a model folder (no config.json); choose a folder saved with "
                "save_pretrained, or a Hugging Face hub id"
            )
        return NerstudioError(f"{path}: cannot load the model in this folder: {first_line(err)}")
    if base_model.startswith((".", "/", "~")) or path.suffix:
        return NerstudioError(f"{base_model}: no such model folder")
    if "safetensors" in str(err):
        return NerstudioError(
            f"cannot load {base_model!r}: it has no safetensors weights (nerstudio never loads "
            "pickled weights); choose another model, or load it once with transformers and "
            "save_pretrained(safe_serialization=True) to a folder"
        )
    return NerstudioError(
        f"cannot load {base_model!r}: it is not a local folder and the Hugging Face hub did "
        "not answer (offline?). Download it once where there is a network, or pass the "
        "path of a local model folder"
    )


def quiet_transformers() -> None:
    """Our own progress and warnings replace transformers' load reports and bars."""
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def _from_pretrained(cls, base_model: str, **kwargs):
    """The local folder or the Hugging Face cache first; the network only when both miss."""
    try:
        return cls.from_pretrained(base_model, local_files_only=True, **kwargs)
    except (OSError, ValueError):
        if Path(base_model).expanduser().is_dir():
            raise
    return cls.from_pretrained(base_model, **kwargs)


def _local_folder(base_model: str) -> Path | None:
    """``base_model`` as a local model folder, checked (``check_loadable``); None for a
    hub id. A path (``./x``, ``/x``, ``~/x``) that names no folder is one line here."""
    folder = Path(base_model).expanduser()
    if folder.is_dir():
        check_loadable(folder)
        return folder
    if base_model.startswith((".", "/", "~")):
        raise ModelError(f"{base_model}: no such model folder")
    return None


def model_to_load(base_model: str) -> str:
    """The folder or hub id behind ``base_model`` (the packaged MiniLM's short name is its
    folder); a hub id this computer cannot get now (not cached, offline) is refused at
    once in one line, instead of after the hub client's retries."""
    name = model_source.resolve(base_model)
    model_source.require_loadable(name)
    return name


PROBE_WORDS = ["Zanzibar", "\u2603", "\U0001d518nknown", "ok", "\u00e9t\u00e9"]


def load_tokenizer(base_model: str):
    """The model's fast tokenizer (word alignment needs ``word_ids``), shown able to
    encode words it has never seen (a vocabulary without its [UNK] token fails on the
    first one, mid-run)."""
    quiet_transformers()
    base_model = model_to_load(base_model)
    folder = _local_folder(base_model)
    try:
        tokenizer = _from_pretrained(AutoTokenizer, base_model)
    except Exception as err:  # the tokenizers library raises plain Exception for bad files
        if folder is None and isinstance(err, OSError | ValueError):
            raise _explain(base_model, err) from None
        raise ModelError(
            f"{base_model}: cannot load its tokenizer ({first_line(err)}); restore the "
            "model's files (config.json, tokenizer.json, vocab), or re-save them with "
            "save_pretrained"
        ) from None
    if not tokenizer.is_fast:
        raise NerstudioError(f"{base_model}: nerstudio needs a fast (Rust) tokenizer")
    try:
        tokenizer(PROBE_WORDS, is_split_into_words=True)
    except Exception as err:  # the tokenizers library raises plain Exception
        raise ModelError(
            f"{base_model}: its tokenizer cannot encode words outside its vocabulary "
            f"({first_line(err)}); give it an unknown token such as [UNK] (in its vocabulary "
            "and tokenizer.json), or choose another model"
        ) from None
    return tokenizer


def load_model(base_model: str, tag_names: Sequence[str]):
    """A token-classification model with a fresh head for ``tag_names``: safetensors
    weights only, never remote code. Only the classifier head may start from random
    weights (the log says so); any other weight missing or of the wrong shape is refused,
    as training would start from scratch without a word."""
    quiet_transformers()
    base_model = model_to_load(base_model)
    folder = _local_folder(base_model)
    id2label = dict(enumerate(tag_names))
    try:
        model, info = _from_pretrained(
            AutoModelForTokenClassification,
            base_model,
            num_labels=len(tag_names),
            id2label=id2label,
            label2id={tag: i for i, tag in id2label.items()},
            ignore_mismatched_sizes=True,  # for the head: a classifier of other labels
            use_safetensors=True,
            trust_remote_code=False,
            output_loading_info=True,
        )
    except (OSError, ValueError, SafetensorError) as err:
        raise _explain(base_model, err) from None
    except LOAD_ERRORS as err:
        if folder is None:
            raise
        raise ModelError(f"{folder}: cannot load the model: {first_line(err)}; {REFIX}") from None
    _check_only_the_head_is_new(base_model, model, info)
    return model


# What transformers raises deep in building a model from a config that makes no sense
# (a pad_token_id past the vocabulary: AssertionError; a zero size: ZeroDivisionError).
LOAD_ERRORS = (
    TypeError,
    LookupError,
    AttributeError,
    RuntimeError,
    ArithmeticError,
    AssertionError,
)
REFIX = "restore config.json and the weights, or re-save the model with save_pretrained"


def _check_only_the_head_is_new(base_model: str, model, info: dict) -> None:
    """Refuse a model whose encoder weights did not load (wrong shapes, missing); log
    which classifier weights start fresh."""
    head = head_parameter_names(model)
    mismatched = [(key, tuple(a), tuple(b)) for key, a, b in info.get("mismatched_keys", [])]
    fresh = [key for key in info.get("missing_keys", [])] + [key for key, _, _ in mismatched]
    encoder = sorted(key for key in fresh if key not in head)
    if encoder:
        shapes = {key: (a, b) for key, a, b in mismatched}
        first = encoder[0]
        why = (
            f"has shape {list(shapes[first][0])} in the weights but {list(shapes[first][1])} "
            "in config.json"
            if first in shapes
            else "is missing from the weights"
        )
        raise ModelError(
            f"{base_model}: {len(encoder)} of its encoder's weights do not load ({first} "
            f"{why}); its config.json and weights belong to different models: restore the "
            "folder, or re-save the model with save_pretrained"
        )
    if fresh:
        log.info("%s: a fresh classifier head (%s)", base_model, ", ".join(sorted(fresh)))


@dataclass(frozen=True)
class LoadedRun:
    """A saved run folder, ready to score or predict: tokenizer, model, tags, window size."""

    tokenizer: object
    model: object
    tag_names: list[str]
    max_length: int


def load_run(folder: Path, device: str) -> LoadedRun:
    """Load a run folder (or any IOB2 token-classification folder) onto ``device``.

    The folder is checked first (safetensors weights, IOB2 labels with an O, a sound
    nerstudio.json), so a wrong folder is one line, never a traceback.
    """
    checked = check_model_folder(folder)
    tokenizer = load_tokenizer(str(checked.path))
    quiet_transformers()
    try:
        model = AutoModelForTokenClassification.from_pretrained(
            str(checked.path), use_safetensors=True, trust_remote_code=False
        )
    except SafetensorError as err:
        raise NerstudioError(
            f"{checked.path}: its safetensors weights are damaged ({first_line(err)}); "
            "restore the folder, or train the run again"
        ) from None
    except (OSError, ValueError, RuntimeError) as err:
        raise NerstudioError(f"{checked.path}: cannot load the model: {first_line(err)}") from None
    refuse_non_finite_weights(checked.path, model)
    model.to(torch.device(pick_device(device))).eval()
    max_length, note = cap_max_length(checked.max_length, model, tokenizer, checked.path.name)
    if note:
        log.warning(note)
    return LoadedRun(tokenizer, model, checked.tags, max_length)


def refuse_non_finite_weights(folder: Path, model) -> None:
    """A model with a NaN or infinite weight scores every word NaN: refuse it in one line
    before it predicts (its NaN scores broke every later read of the queue)."""
    with torch.no_grad():
        bad = next((n for n, p in model.named_parameters() if not torch.isfinite(p).all()), None)
    if bad is not None:
        raise ModelError(
            f"{folder}: its weights hold NaN or infinite values ({bad}; the training "
            "diverged, or the file is damaged); train the run again (a lower --lr)"
        )


def model_length_limit(model, tokenizer) -> tuple[int | None, int | None]:
    """(sub-words a window may hold, the model's position embeddings) as far as they bind.

    The positions are ``max_position_embeddings``, less the offset of models whose position
    ids start after the padding index (RoBERTa's 514 hold 512); the tokenizer's
    ``model_max_length`` counts too unless it is the 'no limit' sentinel. None: no limit.
    """
    config = getattr(model, "config", None)
    positions = getattr(config, "max_position_embeddings", None)
    limit = positions if isinstance(positions, int) and positions > 0 else None
    if limit is not None:
        limit -= _position_offset(model, config)
    tokenizer_limit = getattr(tokenizer, "model_max_length", None)
    if isinstance(tokenizer_limit, int) and 0 < tokenizer_limit < NO_TOKENIZER_LIMIT:
        limit = tokenizer_limit if limit is None else min(limit, tokenizer_limit)
    return limit, positions if isinstance(positions, int) else None


def _position_offset(model, config) -> int:
    """Positions a model's embeddings reserve below the first real one: padding_idx + 1
    where position ids count from past the padding index (RoBERTa, XLM-R, CamemBERT)."""
    embeddings = getattr(getattr(model, "base_model", model), "embeddings", None)
    table = getattr(embeddings, "position_embeddings", None)
    padding_idx = getattr(table, "padding_idx", None)
    if isinstance(padding_idx, int):
        return padding_idx + 1
    if getattr(config, "model_type", "") in ("roberta", "xlm-roberta", "camembert", "longformer"):
        return (getattr(config, "pad_token_id", None) or 1) + 1
    return 0


def cap_max_length(requested: int, model, tokenizer, name: str) -> tuple[int, str | None]:
    """``requested`` or what the model holds, whichever is less, and a note when it was cut.

    A window longer than the position embeddings fails deep in the model with a
    tensor-size error; cutting it here trains and predicts in shorter windows instead."""
    limit, positions = model_length_limit(model, tokenizer)
    if limit is None or requested <= limit:
        return requested, None
    held = f"{positions} positions" if positions is not None else f"{limit} sub-words"
    return limit, (
        f"max length {requested} is more than {name} holds ({held}): windows of {limit} sub-words"
    )


def head_parameter_names(model) -> set[str]:
    """Parameters outside the pretrained encoder: the freshly initialized classifier."""
    encoder = {f"{model.base_model_prefix}.{n}" for n, _ in model.base_model.named_parameters()}
    return {name for name, _ in model.named_parameters() if name not in encoder}


def apply_method(model, method: str, lora_rank: int, train_word_embeddings: bool = True):
    """Freeze the encoder (``head``) or wrap it in LoRA adapters (``lora``); ``full`` as is,
    but for the word embeddings unless ``train_word_embeddings``."""
    if method == "head":
        head = head_parameter_names(model)
        for name, param in model.named_parameters():
            param.requires_grad = name in head
        return model
    if method == "lora":
        from peft import LoraConfig, TaskType, get_peft_model

        config = LoraConfig(
            task_type=TaskType.TOKEN_CLS,
            r=lora_rank,
            lora_alpha=2 * lora_rank,
            lora_dropout=0.1,
            target_modules="all-linear",
            exclude_modules=["classifier"],  # the fresh head trains fully (modules_to_save)
        )
        return get_peft_model(model, config)
    if not train_word_embeddings:
        model.get_input_embeddings().weight.requires_grad = False
    return model


def count_parameters(model) -> tuple[int, int]:
    """(trainable, total) parameter counts."""
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, total


def pick_device(preference: str) -> str:
    """``auto`` -> cuda, then mps, then cpu; asking for an absent GPU is an error."""
    has_cuda = torch.cuda.is_available()
    has_mps = bool(getattr(torch.backends, "mps", None)) and torch.backends.mps.is_available()
    if preference == "auto":
        return "cuda" if has_cuda else "mps" if has_mps else "cpu"
    if preference == "cuda" and not has_cuda:
        raise NerstudioError("device cuda: no CUDA GPU is visible to torch; use --device cpu")
    if preference == "mps" and not has_mps:
        raise NerstudioError("device mps: Apple's Metal backend is not available here")
    return preference


def describe_device(device: str) -> str:
    """What the run uses, as the panel shows it: GPU name and memory, or the CPU threads."""
    if device == "cuda":
        props = torch.cuda.get_device_properties(0)
        count = torch.cuda.device_count()
        many = f" (+{count - 1} more)" if count > 1 else ""
        return f"{props.name}, {props.total_memory / 2**30:.0f} GiB{many}"
    if device == "mps":
        return "Apple GPU (Metal)"
    return f"CPU, {counted(torch.get_num_threads(), 'thread')}"


CPU_BF16_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_has_native_bf16() -> bool:
    """Whether this processor computes bf16 natively (AVX512-BF16 or AMX), where bf16
    autocast is fast; elsewhere torch emulates it, slower than fp32."""
    probe = getattr(torch.cpu, "_is_avx512_bf16_supported", None)
    amx = getattr(torch.cpu, "_is_amx_tile_supported", None)
    try:
        if (probe is not None and probe()) or (amx is not None and amx()):
            return True
    except RuntimeError:
        pass
    if torch.backends.cpu.get_cpu_capability() not in ("AVX512", "AMX"):
        return False
    return bool(set(_cpuinfo_flags()) & set(CPU_BF16_FLAGS))


def _cpuinfo_flags() -> list[str]:
    """The processor's feature flags from /proc/cpuinfo (Linux; empty elsewhere)."""
    path = Path("/proc/cpuinfo")
    if os.name != "posix" or not path.exists():
        return []
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("flags"):
            return line.partition(":")[2].split()
    return []


def pick_precision(preference: str, device: str) -> str:
    """``auto``: bf16 where the GPU supports it, else fp16 on GPU; on CPU, bf16 autocast
    where the processor computes it natively (``cpu_has_native_bf16``), else fp32.

    CPU bf16 is ``auto``'s choice because train_bench.py --precision both measured it
    holding dev F1 within 0.3 points of fp32 at 1.4x the speed (README, Benchmarks);
    without native bf16 torch emulates it, slower than fp32, so fp32 stays there."""
    if preference != "auto":
        if device == "cpu" and preference == "fp16":
            raise NerstudioError("precision fp16 needs a GPU; use fp32 or bf16 on the CPU")
        if device == "cpu" and preference == "bf16" and not cpu_has_native_bf16():
            raise NerstudioError(
                "precision bf16: this processor has no native bf16 (AVX512-BF16 or AMX); "
                "use fp32 on this CPU"
            )
        return preference
    if device == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    if device == "cpu" and cpu_has_native_bf16():
        return "bf16"
    return "fp32"
