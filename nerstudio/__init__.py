"""nerstudio: annotate named entities, train a transformer on them, correct its suggestions.

Importing this package loads neither Qt nor torch: the CLI and the window start fast.
"""

__version__ = "0.1.0"
