"""What the CLI shows on a terminal besides its results: progress bars, rank-0 talk."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager


@contextmanager
def progress_bar(total: int | None, unit: str, desc: str):
    """A tqdm bar on a terminal's stderr; nothing when output is piped or logged."""
    from tqdm import tqdm

    bar = tqdm(total=total, unit=unit, desc=desc, disable=not sys.stderr.isatty(), leave=False)
    try:
        yield bar.update
    finally:
        bar.close()


def is_main_process() -> bool:
    """Under torchrun / accelerate launch only rank 0 prints."""
    return os.environ.get("RANK", "0") == "0"


def tqdm_write(message: str) -> None:
    from tqdm import tqdm

    tqdm.write(message, file=sys.stderr)


def print_error(message: str, code: int = 1) -> int:
    """The one line a person reads for an error (``nerstudio: error: ...``); the code."""
    print(f"nerstudio: error: {message}", file=sys.stderr)
    return code
