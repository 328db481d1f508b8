"""The one protocol between the window and its child processes (train, predict --serve,
review, agreement, pre-annotation, suggest): typed messages, one JSON object a line.

A message is a frozen dataclass registered with ``@child_message``; on the wire it is
``{"type": "<class name>", <its fields>}``. Both ends encode and decode here, so adding a
child kind is defining and registering its message types. A failure is a message too
(``ChildFailed``: the user's one line and the error's class), never a prefix on stderr to
parse back. A line that is no registered message is a ``ProtocolError`` naming the child
and the line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sys
import types
import typing
from collections.abc import Iterator
from typing import Any, TextIO

from nerstudio.core.errors import NerstudioError

MESSAGE_TYPES: dict[str, type] = {}
"""Every message type by its wire name (the class name)."""

SHOWN_CHARS = 120  # of a bad line, in the error


class ProtocolError(NerstudioError):
    """A child process printed a line that is not one of its messages."""


def child_message(cls: type) -> type:
    """Register a frozen dataclass as a message type (a class decorator)."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen:
        raise TypeError(f"{cls.__name__}: a child message is a frozen dataclass")
    known = MESSAGE_TYPES.setdefault(cls.__name__, cls)
    if known is not cls:
        raise TypeError(f"{cls.__name__}: a message type of that name is registered already")
    return cls


@child_message
@dataclasses.dataclass(frozen=True)
class ChildFailed:
    """The child's last word when it fails: ``message`` is the one line the user reads,
    ``error`` the class of the error (its exit code says the same as on a terminal)."""

    message: str
    error: str


def message_to_json(message: Any) -> dict[str, Any]:
    """A registered message as a JSON object (``type`` names its class)."""
    name = type(message).__name__
    if MESSAGE_TYPES.get(name) is not type(message):
        raise TypeError(f"{name} is not a registered child message")
    return {"type": name, **dataclasses.asdict(message)}


def message_from_json(data: Any, child: str = "the child process") -> Any:
    """The inverse of ``message_to_json``; unknown keys are ignored (a newer writer),
    anything else that does not fit is a ``ProtocolError`` naming ``child``."""
    shown = json.dumps(data, ensure_ascii=False)[:SHOWN_CHARS]
    cls = MESSAGE_TYPES.get(data.get("type")) if isinstance(data, dict) else None
    if cls is None:
        raise ProtocolError(f"{child} sent {shown}: no message of a known type")
    try:
        return _convert(data, cls)
    except (KeyError, TypeError, ValueError) as err:
        raise ProtocolError(f"{child} sent {shown}: not a {cls.__name__} ({err})") from None


def encode_line(message: Any) -> str:
    """One message as the line a child prints."""
    return json.dumps(message_to_json(message), ensure_ascii=False) + "\n"


def decode_line(line: str, child: str = "the child process") -> Any:
    """One line a child printed as its message; ``ProtocolError`` naming ``child`` and
    the line when it is none."""
    try:
        data = json.loads(line)
    except (TypeError, ValueError):
        shown = str(line).strip()[:SHOWN_CHARS]
        raise ProtocolError(f"{child} printed {shown!r}, not a message (a JSON line)") from None
    return message_from_json(data, child)


def _convert(value: Any, hint: Any) -> Any:
    """``value`` (decoded JSON) as ``hint`` says: dataclasses, tuples, dicts, lists,
    optionals and plain scalars; refuses what does not fit instead of guessing."""
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise TypeError(f"{hint.__name__} must be an object")
        hints = typing.get_type_hints(hint)
        fields = [f for f in dataclasses.fields(hint) if f.init]
        given = {f.name: _convert(value[f.name], hints[f.name]) for f in fields if f.name in value}
        return hint(**given)  # a missing field without a default: TypeError
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            return value  # a union of several types: kept as decoded
        return _convert(value, inner[0])
    if origin in (tuple, list):
        if not isinstance(value, list):
            raise TypeError(f"expected a list, not {value!r}"[:SHOWN_CHARS])
        item = args[0] if args else Any
        return origin(_convert(v, item) for v in value)
    if origin is dict:
        if not isinstance(value, dict):
            raise TypeError(f"expected an object, not {value!r}"[:SHOWN_CHARS])
        item = args[1] if len(args) == 2 else Any
        return {k: _convert(v, item) for k, v in value.items()}
    return _scalar(value, hint)


def _scalar(value: Any, hint: Any) -> Any:
    if hint is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if hint in (int, str, bool) and (type(value) is not hint):
        raise TypeError(f"expected {hint.__name__}, not {value!r}"[:SHOWN_CHARS])
    return value


class MessageWriter:
    """A child's end: sends messages on the stream its parent reads."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def send(self, message: Any) -> None:
        self.stream.write(encode_line(message))
        self.stream.flush()


@contextlib.contextmanager
def message_channel() -> Iterator[MessageWriter]:
    """Messages on standard output, and everything else printed meanwhile on standard
    error: a library's stray ``print`` never lands among the messages."""
    writer = MessageWriter(sys.stdout)
    with contextlib.redirect_stdout(sys.stderr):
        yield writer
