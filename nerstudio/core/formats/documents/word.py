"""Word .docx, read with python-docx (MIT): paragraphs, headings with their level, list
items, tables cell by cell (a merged cell once), then footnotes and endnotes, which
python-docx does not model but its package parts hold. Page headers and footers, images
and comments are left out and said."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from nerstudio.core.errors import FormatError
from nerstudio.core.formats.documents._build import PACKAGE_ERRORS, TextBuilder, need
from nerstudio.core.formats.extracted import Extracted
from nerstudio.core.plural import counted

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING = re.compile(r"heading (\d)", re.IGNORECASE)
_NOTE_PARTS = ("/footnotes", "/endnotes")
_NOT_NOTES = ("separator", "continuationSeparator", "continuationNotice")


def read(path: Path) -> Extracted:
    """The text of the Word file at ``path``, block by block in document order."""
    need("docx", "Word files")
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import LxmlError

    try:
        document = docx.Document(str(path))
        built = TextBuilder(path)
        _body(document, built)
        _notes(document, built)
        _left_out(document, built)
    except (PackageNotFoundError, LxmlError, *PACKAGE_ERRORS) as err:
        raise FormatError(
            path,
            "cannot be read as a Word .docx file (damaged, cut short, or an old .doc: save it"
            f" as .docx) ({type(err).__name__})",
        ) from None
    props = document.core_properties
    built.meta.update({k: v for k, v in (("title", props.title), ("author", props.author)) if v})
    return built.result()


def _body(document: Any, built: TextBuilder) -> None:
    for item in document.iter_inner_content():
        if hasattr(item, "rows"):
            _table(item, built)
        else:
            kind, level = _paragraph_kind(item)
            built.add(item.text, kind, level=level)


def _paragraph_kind(paragraph: Any) -> tuple[str, int | None]:
    """heading (with its level), list-item or paragraph, from the style and numbering."""
    style = paragraph.style.name if paragraph.style is not None else ""
    match = _HEADING.fullmatch(style or "")
    if match:
        return "heading", int(match[1])
    if style == "Title":
        return "heading", 1
    ppr = paragraph._p.pPr
    if (ppr is not None and ppr.numPr is not None) or (style or "").startswith("List"):
        return "list-item", None
    return "paragraph", None


def _table(table: Any, built: TextBuilder) -> None:
    """Each cell once (a merged cell spans several grid places), row by row; a table
    inside a cell follows that cell."""
    seen: set[Any] = set()  # the cells' XML elements, kept alive so that none is seen twice
    for row in table.rows:
        for cell in row.cells:
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            built.add("\n".join(p.text for p in cell.paragraphs), "table-cell")
            for inner in cell.tables:
                _table(inner, built)


def _notes(document: Any, built: TextBuilder) -> None:
    """Footnotes, then endnotes, in the order the parts list them."""
    from lxml import etree

    for rel in document.part.rels.values():
        if rel.is_external or not rel.reltype.endswith(_NOTE_PARTS):
            continue
        root = etree.fromstring(rel.target_part.blob)
        for note in root:
            if note.get(f"{_W}type") in _NOT_NOTES:
                continue
            paragraphs = ["".join(_runs_text(p)) for p in note.iter(f"{_W}p")]
            built.add("\n".join(paragraphs), "footnote")


def _runs_text(paragraph: Any) -> list[str]:
    out = []
    for node in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br"):
        out.append(node.text or "" if node.tag == f"{_W}t" else " ")
    return out


def _left_out(document: Any, built: TextBuilder) -> None:
    """Say what the text leaves out: headers and footers, images, comments."""
    furniture = any(
        p.text.strip()
        for section in document.sections
        for part in (section.header, section.footer)
        if not part.is_linked_to_previous
        for p in part.paragraphs
    )
    if furniture:
        built.dropped.append("page headers and footers")
    images = len(document.inline_shapes)
    if images:
        built.dropped.append(counted(images, "image"))
    comments = sum(1 for rel in document.part.rels.values() if rel.reltype.endswith("/comments"))
    if comments:
        built.dropped.append("comments")
