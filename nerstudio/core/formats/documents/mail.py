"""E-mail (.eml), read with the standard library's ``email``: the subject, sender and
recipients as header-field blocks, then the body (its plain-text part, else its HTML
part read as a web page). Attachments are listed in ``dropped``, not imported."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path
from typing import Any

from nerstudio.core.errors import FormatError
from nerstudio.core.formats.documents._build import TextBuilder
from nerstudio.core.formats.extracted import Extracted
from nerstudio.core.formats.textfile import read_bytes

_FIELDS = (("Subject", "subject"), ("From", "from"), ("To", "to"), ("Cc", "cc"))


def read(path: Path) -> Extracted:
    """The header fields and body of the e-mail at ``path``."""
    data = read_bytes(path)
    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
        if not any(message.get(name) for name, _ in (*_FIELDS, ("Date", ""))):
            raise FormatError(path, "not an e-mail: it has no Subject, From, To or Date header")
        built = TextBuilder(path)
        for name, key in _FIELDS:
            value = str(message.get(name) or "").strip()
            if value:
                built.meta[key] = value
                built.add(f"{name}: {value}", "header-field")
        if message.get("Date"):
            built.meta["date"] = str(message["Date"])
        _body(path, message, built)
        _attachments(message, built)
    except (LookupError, ValueError, TypeError, AttributeError, IndexError) as err:
        raise FormatError(path, f"cannot be read as an e-mail ({type(err).__name__})") from None
    return built.result()


def _body(path: Path, message: Any, built: TextBuilder) -> None:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return
    content = part.get_content()
    if isinstance(content, bytes):
        return
    if part.get_content_subtype() == "html":
        from nerstudio.core.formats.documents.web import add_html

        add_html(path, content, built)
        return
    for paragraph in re.split(r"\n[ \t]*\n", content.replace("\r\n", "\n")):
        built.add(paragraph, "paragraph")


def _attachments(message: Any, built: TextBuilder) -> None:
    for part in message.iter_attachments():
        name = part.get_filename() or "(unnamed)"
        size = len(part.get_payload(decode=True) or b"")
        what = part.get_content_type() + (f", {size:,} bytes" if size else "")
        built.dropped.append(f"attachment {name} ({what}): not imported")
