"""What the user sees of a bug: one line and the path of a saved report, never a traceback.

Errors a user can fix are ``NerstudioError``; anything else is ours. The CLI's top-level
handler and the window's excepthook both call ``save_report``, which writes the traceback
with the version and the command to the platform's log folder.
"""

from __future__ import annotations

import logging
import platform
import sys
import traceback
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)


def log_folder() -> Path:
    import platformdirs

    return Path(platformdirs.user_log_dir("nerstudio", appauthor=False))


def save_report(error: BaseException, context: str = "") -> Path | None:
    """Write the traceback of an unexpected error to a new log file; its path, or None
    when even that fails (then the traceback goes to the ``logging`` handlers)."""
    from nerstudio import __version__

    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    header = (
        f"nerstudio {__version__}, Python {platform.python_version()}, {platform.platform()}\n"
        f"command: {context or ' '.join(sys.argv)}\n\n"
    )
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    try:
        folder = log_folder()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"bug-{stamp}.log"
        path.write_text(header + text, encoding="utf-8", errors="backslashreplace")
    except OSError:
        log.error("unexpected error (no report could be saved):\n%s", text)
        return None
    return path


def one_line(error: BaseException, report: Path | None) -> str:
    """The line a user reads for a bug: what broke, and where the details are."""
    what = f"{type(error).__name__}: {error}".splitlines()[0][:300]
    where = f"details saved to {report}" if report else "details could not be saved"
    return f"internal error ({what}); this is a bug in nerstudio, not in your data: {where}"


def user_message(error: BaseException, context: str = "") -> str:
    """What a thread or slot boundary shows for any error: ours as it is, a bug as one
    line with its saved report."""
    from nerstudio.core.errors import NerstudioError

    if isinstance(error, NerstudioError):
        return str(error)
    return one_line(error, save_report(error, context))
