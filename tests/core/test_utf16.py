"""The one UTF-16 converter: code points <-> UTF-16 units agree with Python's own encoder
for emoji, CJK extension B and combining marks, and round-trip."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from nerstudio.core.utf16 import Utf16Map, utf16_length, utf16_positions

# Plain ASCII, a combining mark, a ZWJ, emoji, CJK extension B, and the BMP's edge.
_CHARS = st.sampled_from(
    ["a", " ", "é", "\u0301", "e\u0301\u0302", "\u200d", "😀", "👍", "\U0001f3fd"]
)
_CHARS |= st.sampled_from(["𠀀", "𪜀", "\U0002a6df", "\uffff", "\U00010000"])
TEXTS = st.lists(st.one_of(_CHARS, st.characters(exclude_categories=["Cs"])), max_size=40).map(
    "".join
)


def _units(text: str, offset: int) -> int:
    """UTF-16 offset of code-point ``offset``, by Python's encoder: the reference."""
    return len(text[:offset].encode("utf-16-le")) // 2


@given(TEXTS)
def test_code_points_to_utf16_and_back_round_trip(text):
    convert = Utf16Map(text)
    for offset in range(len(text) + 1):
        unit = convert.to_units(offset)
        assert unit == _units(text, offset)
        assert convert.to_points(unit) == offset


@given(TEXTS)
def test_positions_table_and_length_agree_with_the_map(text):
    convert = Utf16Map(text)
    positions = utf16_positions(text)
    assert len(positions) == utf16_length(text) + 1 == _units(text, len(text)) + 1
    for unit, point in enumerate(positions):
        if point is None:  # inside a surrogate pair: the map gives the pair's start
            assert convert.to_points(unit) == positions[unit - 1]
        else:
            assert convert.to_points(unit) == point
            assert convert.to_units(point) == unit


def test_a_lone_surrogate_is_one_code_point_and_one_unit():
    text = "a\ud83db"
    assert utf16_length(text) == 3
    assert utf16_positions(text) == [0, 1, 2, 3]
