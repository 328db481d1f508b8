"""`python -m nerstudio` runs the same entry point as the `nerstudio` command."""

from nerstudio.cli import main

raise SystemExit(main())
