"""HTML pages, read with trafilatura (Apache-2.0): the main text, not the navigation,
menus, footers and comments around it; headings, paragraphs, list items and table cells
kept as blocks; character references decoded by the HTML parser. A page where trafilatura
finds no main text is read whole (said in ``notes``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from nerstudio.core.errors import FormatError
from nerstudio.core.formats.documents._build import TextBuilder, need
from nerstudio.core.formats.extracted import Extracted
from nerstudio.core.plural import counted

_BLOCKS = {"head", "p", "item", "cell", "quote", "code", "list", "table", "row", "div", "main"}
_OWN_KIND = {"item": "list-item", "cell": "table-cell"}
_LEVEL = re.compile(r"h(\d)")


def read(path: Path) -> Extracted:
    """The main text of the HTML page at ``path``."""
    from nerstudio.core.formats.textfile import read_bytes

    built = TextBuilder(path)
    add_html(path, read_bytes(path), built)
    return built.result()


def add_html(path: Path, data: bytes | str, built: TextBuilder) -> None:
    """The main text of the page ``data`` as blocks of ``built`` (an e-mail's HTML body too)."""
    need("trafilatura", "HTML pages")
    import trafilatura
    from lxml import etree

    try:
        xml = trafilatura.extract(
            data,
            output_format="xml",
            include_tables=True,
            include_comments=False,
            with_metadata=True,
            include_images=False,
        ) or trafilatura.extract(
            data,
            output_format="xml",
            include_tables=True,
            include_comments=False,
            with_metadata=True,
            favor_recall=True,
        )
        whole = trafilatura.html2txt(data) or ""
    except (ValueError, TypeError, etree.LxmlError) as err:
        raise FormatError(path, f"cannot be read as HTML ({type(err).__name__})") from None
    if xml is None:
        for paragraph in re.split(r"\n\s*\n|\n", whole):
            built.add(paragraph, "paragraph")
        if whole.strip():
            built.notes.append("no main text found on the page: read all of its text")
        return
    root = etree.fromstring(xml.encode("utf-8"))
    built.meta.update({k: root.get(k) for k in ("title", "author", "date", "url") if root.get(k)})
    main = root.find("main")
    title = root.get("title") or ""
    first = _inline(main[0]).strip() if main is not None and len(main) else ""
    if title and title.strip() != first:
        built.add(title, "heading", level=1)  # trafilatura keeps the page's title apart
    if main is not None:
        _walk(main, "paragraph", built)
    kept = built.length
    left = len(re.sub(r"\s+", "", whole)) - len(re.sub(r"\s+", "", "".join(built.parts)))
    if kept and left > 0:
        built.dropped.append(
            f"{counted(left, 'character')} of navigation, menus and boilerplate around the text"
        )


def _walk(element: Any, kind: str, built: TextBuilder) -> None:
    """Blocks of ``element``: its block children in turn, and its own loose text as one
    block of ``kind`` (a list item's text beside a nested list, say)."""
    loose = [element.text or ""]
    for child in element:
        if child.tag in _BLOCKS:
            _flush(loose, kind, built)
            if child.tag == "head":
                level = _LEVEL.fullmatch(child.get("rend") or "")
                built.add(_inline(child), "heading", level=int(level[1]) if level else None)
            else:
                _walk(child, _OWN_KIND.get(child.tag, kind), built)
            loose = [child.tail or ""]
        else:
            loose.append(_inline(child) + (child.tail or ""))
    _flush(loose, kind, built)


def _flush(loose: list[str], kind: str, built: TextBuilder) -> None:
    built.add("".join(loose), kind)
    loose.clear()


def _inline(element: Any) -> str:
    """The text of an inline element (emphasis, link, line break), without its tail."""
    if element.tag == "lb":
        return "\n"
    return (element.text or "") + "".join(_inline(c) + (c.tail or "") for c in element)
