"""Markdown, read with markdown-it-py (MIT, CommonMark plus tables): headings with their
level, paragraphs, list items, table cells, code blocks; inline markup (emphasis, links,
code) reduced to its text, character references decoded. Raw HTML blocks and images are
left out and said."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nerstudio.core.formats.documents._build import TextBuilder, need
from nerstudio.core.formats.documents.plain import decode_guessing
from nerstudio.core.formats.extracted import Extracted
from nerstudio.core.formats.textfile import read_bytes
from nerstudio.core.plural import counted

_CONTAINERS = {"list_item_open": "list-item", "td_open": "table-cell", "th_open": "table-cell"}


def read(path: Path) -> Extracted:
    """The blocks of the Markdown file at ``path``."""
    need("markdown_it", "Markdown files")
    from markdown_it import MarkdownIt

    built = TextBuilder(path)
    text = decode_guessing(path, read_bytes(path), built)
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    html_blocks = images = 0
    context: list[str] = []
    level = None
    for token in tokens:
        if token.type in _CONTAINERS:
            context.append(_CONTAINERS[token.type])
        elif token.type in ("list_item_close", "td_close", "th_close"):
            context.pop()
        elif token.type == "heading_open":
            level = int(token.tag[1])
        elif token.type == "heading_close":
            level = None
        elif token.type == "inline":
            kind = "heading" if level else (context[-1] if context else "paragraph")
            images += sum(1 for c in token.children or () if c.type == "image")
            built.add(_inline(token.children or ()), kind, level=level)
        elif token.type in ("fence", "code_block"):
            built.add(token.content, context[-1] if context else "paragraph")
        elif token.type == "html_block":
            html_blocks += 1
    if html_blocks:
        built.dropped.append(counted(html_blocks, "raw HTML block"))
    if images:
        built.dropped.append(counted(images, "image"))
    return built.result()


def _inline(children: Any) -> str:
    """The plain text of a paragraph's inline tokens."""
    out = []
    for child in children:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type == "softbreak" or child.type == "hardbreak":
            out.append("\n")
    return "".join(out)
