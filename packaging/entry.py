"""The frozen app's entry point (PyInstaller): the same dispatch as the ``nerstudio``
command, so one binary opens the window (``nerstudio [PROJECT]``) and also runs the CLI
subcommands the window starts as child processes (``nerstudio train ... --events``).

Not imported by the app; ``packaging/nerstudio.spec`` builds from it.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    # Must come first: a multiprocessing child of a frozen app re-runs this binary with
    # "--multiprocessing-fork" and has to be caught here, before the CLI sees the argument.
    multiprocessing.freeze_support()

    from nerstudio.cli import main

    sys.exit(main())
