"""Counts read as a person would write them: never "1 threads" or "1 epochs"."""

from __future__ import annotations

import pytest

from nerstudio.core.plural import counted


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (1, "document", "1 document"),
        (0, "document", "0 documents"),
        (1766, "document", "1,766 documents"),
        (1, "entity", "1 entity"),
        (2, "entity", "2 entities"),
        (1, "epoch", "1 epoch"),
        (8, "thread", "8 threads"),
        (3, "dev document", "3 dev documents"),
    ],
)
def test_counted(count, noun, expected):
    assert counted(count, noun) == expected

