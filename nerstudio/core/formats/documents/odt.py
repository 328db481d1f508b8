"""OpenDocument text (.odt), read with odfpy (Apache-2.0, also GPL/LGPL): headings with
their outline level, paragraphs, list items, table cells, sections; footnotes and
endnotes after the body. Frames (images, drawings) and comments are left out and said."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.parsers.expat import ExpatError

from nerstudio.core.errors import FormatError
from nerstudio.core.formats.documents._build import PACKAGE_ERRORS, TextBuilder, need
from nerstudio.core.formats.extracted import Extracted
from nerstudio.core.plural import counted

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_LEFT = {"annotation": ("comment", None), "frame": ("image or frame", "images and frames")}
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def read(path: Path) -> Extracted:
    """The blocks of the ODT file at ``path``."""
    need("odf", "ODT files")
    from odf.opendocument import load

    built = TextBuilder(path)
    notes: list[str] = []
    left: dict[str, int] = {}
    try:
        document = load(str(path))
        _walk(document.text, "paragraph", built, notes, left)
    except (ExpatError, AttributeError, *PACKAGE_ERRORS) as err:
        raise FormatError(
            path, f"cannot be read as an OpenDocument text file ({type(err).__name__})"
        ) from None
    for note in notes:
        built.add(note, "footnote")
    built.dropped.extend(counted(count, *_LEFT[what]) for what, count in left.items())
    return built.result()


def _walk(node: Any, kind: str, built: TextBuilder, notes: list[str], left: dict[str, int]) -> None:
    for child in node.childNodes:
        if child.nodeType != child.ELEMENT_NODE:
            continue
        ns, name = child.qname
        if ns == _TEXT and name == "h":
            level = child.attributes.get((_TEXT, "outline-level"))
            built.add(_text(child, notes, left), "heading", level=int(level) if level else 1)
        elif ns == _TEXT and name == "p":
            built.add(_text(child, notes, left), kind, level=None)
        elif ns == _TEXT and name == "list-item":
            _walk(child, "list-item", built, notes, left)
        elif ns == _TABLE and name == "table-cell":
            texts = []
            for part in child.childNodes:
                if part.nodeType == part.ELEMENT_NODE and part.qname == (_TEXT, "p"):
                    texts.append(_text(part, notes, left))
            built.add("\n".join(texts), "table-cell")
        elif (ns, name) in ((_OFFICE, "annotation"), (_DRAW, "frame")):
            _count(left, name)
        else:  # lists, tables and their rows, sections: what they hold
            _walk(child, kind, built, notes, left)


def _count(left: dict[str, int], name: str) -> None:
    left[name] = left.get(name, 0) + 1


def _text(node: Any, notes: list[str], left: dict[str, int]) -> str:
    """A paragraph's text: spaces (``text:s``), tabs and line breaks spelt out; a note's
    body kept aside for ``notes``; frames and comments counted in ``left``."""
    out = []
    for child in node.childNodes:
        if child.nodeType == child.TEXT_NODE:
            out.append(child.data)
            continue
        if child.nodeType != child.ELEMENT_NODE:
            continue
        ns, name = child.qname
        if (ns, name) == (_TEXT, "s"):
            out.append(" " * int(child.attributes.get((_TEXT, "c")) or 1))
        elif (ns, name) in ((_TEXT, "tab"), (_TEXT, "line-break")):
            out.append(" " if name == "tab" else "\n")
        elif (ns, name) == (_TEXT, "note"):
            for part in child.childNodes:
                if part.nodeType == part.ELEMENT_NODE and part.qname == (_TEXT, "note-body"):
                    notes.append(
                        "\n".join(
                            _text(p, notes, left)
                            for p in part.childNodes
                            if p.nodeType == p.ELEMENT_NODE
                        )
                    )
        elif (ns, name) in ((_OFFICE, "annotation"), (_DRAW, "frame")):
            _count(left, name)
        else:
            out.append(_text(child, notes, left))
    return "".join(out)
