"""The one way nerstudio writes a user's file or folder: never half-written, never a
surprise.

Everything is written to a temporary sibling, flushed to disk (fsync), then moved into
place with one atomic rename, so a crash, a full disk or Ctrl+C leaves either the old
target or the new one, never a torn file. ``check_target`` refuses what the user did not
name as the target: the project file itself (and its WAL/SHM/journal), a folder that
holds it, a file the command reads (``reading``), a file a protecting check claims (a
nerstudio project, even with ``force``), and anything that exists already unless
``force`` says to replace it. A FIFO or a character device (``/dev/null``) is written
into, never replaced; ``-`` is standard output.
A database is built the same way (``new_database``): under a temporary name, then
linked into place (never over an existing file) or, where asked, replacing it.
Files get the mode the umask gives (``mkstemp`` alone would make them 0600).
"""

from nerstudio.core.safe_io.databases import new_database
from nerstudio.core.safe_io.leftovers import remove_leftovers
from nerstudio.core.safe_io.targets import (
    STDIO,
    TargetError,
    check_target,
    is_stdio,
    protect,
    reading,
    writes_into,
)
from nerstudio.core.safe_io.writing import (
    copy_folder,
    fsync_path,
    give_umask_mode,
    output_folder,
    refuse_links,
    write_file,
    write_folder,
)

__all__ = [
    "STDIO",
    "TargetError",
    "check_target",
    "copy_folder",
    "fsync_path",
    "give_umask_mode",
    "is_stdio",
    "new_database",
    "output_folder",
    "protect",
    "reading",
    "refuse_links",
    "remove_leftovers",
    "write_file",
    "write_folder",
    "writes_into",
]
