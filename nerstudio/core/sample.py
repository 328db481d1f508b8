"""The sample project: the bundled corpus installed as ``sample.db`` in the user's data folder.

The corpus ships inside the package (``nerstudio/resources/sample/sample.jsonl``) and is read
through ``importlib.resources``, so this works from a wheel and from a frozen app. It goes in
through the same import the CLI uses. An existing sample project is never replaced: the user's
work on it is theirs. A new one is built in a temporary file beside the target and moved into
place when complete, so a crash leaves no half-written project behind.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from nerstudio.core.errors import NerstudioError
from nerstudio.core.safe_io import new_database
from nerstudio.core.store import Project
from nerstudio.core.transfer import import_files

log = logging.getLogger(__name__)

SAMPLE_NAME = "sample.db"
SAMPLE_LABELS = ("PER", "ORG", "LOC", "MISC")


def default_data_dir() -> Path:
    """Where nerstudio keeps per-user data (``~/.local/share/nerstudio`` on Linux)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("nerstudio", appauthor=False))


def sample_project_path(data_dir: Path | None = None) -> Path:
    """Where the sample project lives (or would live) for ``data_dir``."""
    return (Path(data_dir) if data_dir is not None else default_data_dir()) / SAMPLE_NAME


def install_sample_project(data_dir: Path | None = None) -> Path:
    """Create ``<data_dir>/sample.db`` from the bundled corpus, or return the existing one.

    ``data_dir`` defaults to the user data folder. A valid project already there is
    returned untouched; any other file there is an error naming it (nothing is overwritten).
    """
    target = sample_project_path(data_dir)
    if target.exists():
        try:
            Project.open(target).close()
        except NerstudioError as err:
            raise NerstudioError(
                f"{target} exists but cannot be opened as the sample project ({err}); "
                "move it away and try again"
            ) from None
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise NerstudioError(f"cannot create the folder {target.parent}: {err}") from None
    # Linked into place when complete, unless another process installed one meanwhile.
    with new_database(target, keep_existing=True) as tmp:
        _build(tmp)
    log.info("installed the sample project at %s", target)
    return target


def _build(path: Path) -> None:
    corpus = resources.files("nerstudio.resources") / "sample" / "sample.jsonl"
    with resources.as_file(corpus) as jsonl, Project.create(path, SAMPLE_LABELS) as project:
        import_files(project, [jsonl], fmt="jsonl")
        # Fold the write-ahead log into the file, so that moving the one file moves it all.
        project.checkpoint()
