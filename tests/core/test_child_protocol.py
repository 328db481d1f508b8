"""core.child_protocol: every child's messages round-trip through one line, and a line
that is no message is a ProtocolError naming the child and the line."""

from __future__ import annotations

import dataclasses
import io
import json
import sys
import types
import typing
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nerstudio.core.prediction
import nerstudio.core.sources.running
import nerstudio.core.team.agreement
import nerstudio.core.training.events  # noqa: F401  (each registers its children's messages)
from nerstudio.core.child_protocol import (
    MESSAGE_TYPES,
    ChildFailed,
    ProtocolError,
    child_message,
    decode_line,
    encode_line,
    message_channel,
)

EVERY_CHILD = {
    "ChildFailed",  # any child
    "TrainingStarted",  # train
    "TrainingWarning",
    "TrainingNote",  # train --self-training's second round
    "StepLogged",
    "EvalFinished",
    "TrainingDone",
    "TrainingDiscarded",
    "ServeReady",  # predict --serve
    "PredictionStored",
    "PredictionFailed",
    "DocumentsPredicted",  # predict (pre-annotation), review --predict
    "SuspiciousFound",  # review
    "AgreementComputed",  # agreement
    "SuggestProgress",  # suggest (a source over the unfinished documents)
    "SuggestFinished",
}

JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=8)


def values(hint: Any) -> st.SearchStrategy:
    """Values of a message field's type, as JSON can carry them (no NaN: NaN != NaN)."""
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        fields = {f.name: values(hints[f.name]) for f in dataclasses.fields(hint)}
        return st.builds(hint, **fields)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(values(a) for a in args))
    if origin is tuple:
        return st.lists(values(args[0]), min_size=1, max_size=2).map(tuple)
    if origin is dict:
        return st.dictionaries(st.text(max_size=6), values(args[1]), max_size=2)
    simple = {
        Any: JSON_SCALARS,
        type(None): st.none(),
        bool: st.booleans(),
        int: st.integers(),
        float: st.floats(allow_nan=False, allow_infinity=False),
        str: st.text(max_size=20),
    }
    return simple[hint]


def test_every_child_registers_its_messages() -> None:
    assert set(MESSAGE_TYPES) == EVERY_CHILD


@pytest.mark.parametrize("name", sorted(EVERY_CHILD))
def test_every_message_type_round_trips_through_one_line(name: str) -> None:
    cls = MESSAGE_TYPES[name]

    @settings(max_examples=25, deadline=None)
    @given(values(cls))
    def round_trip(message) -> None:
        line = encode_line(message)
        assert line.endswith("\n") and line.count("\n") == 1
        assert json.loads(line)["type"] == name
        assert decode_line(line, "nerstudio x") == message

    round_trip()


def test_unknown_keys_of_a_newer_writer_are_ignored() -> None:
    line = '{"type": "ChildFailed", "message": "m", "error": "E", "hint": "new"}'
    assert decode_line(line) == ChildFailed("m", "E")


@pytest.mark.parametrize(
    "line",
    [
        "loading the model...",
        "[1, 2]",
        '{"no": "type"}',
        '{"type": "Nonsense"}',
        '{"type": "StepLogged", "step": 1}',
        '{"type": "PredictionStored", "document_id": true, "ms": 1}',
        '{"type": "TrainingStarted", "labels": 3}',
    ],
)
def test_a_bad_line_is_a_protocol_error_naming_the_child_and_the_line(line: str) -> None:
    with pytest.raises(ProtocolError) as raised:
        decode_line(line + "\n", "nerstudio train")
    text = str(raised.value)
    assert text.startswith("nerstudio train ") and line[:20] in text
    assert "\n" not in text  # one line a person reads


def test_only_frozen_dataclasses_register_and_names_stay_unique() -> None:
    @dataclasses.dataclass
    class Loose:
        x: int

    with pytest.raises(TypeError, match="frozen"):
        child_message(Loose)

    @dataclasses.dataclass(frozen=True)
    class ChildFailed:
        message: str

    with pytest.raises(TypeError, match="registered already"):
        child_message(ChildFailed)


def test_an_unregistered_message_is_refused_at_the_writer() -> None:
    @dataclasses.dataclass(frozen=True)
    class Unknown:
        x: int

    with pytest.raises(TypeError, match="not a registered"):
        encode_line(Unknown(1))


def test_while_the_channel_is_open_stray_prints_go_to_stderr(monkeypatch) -> None:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    with message_channel() as channel:
        print("a library talks")
        channel.send(ChildFailed("gone", "ProjectError"))
    assert decode_line(out.getvalue()) == ChildFailed("gone", "ProjectError")
    assert err.getvalue() == "a library talks\n"
