"""Word, OpenDocument and RTF files that public projects ship, read block by block:
headings with their level, list items, tables cell by cell, footnotes and endnotes."""

from __future__ import annotations

from pathlib import Path

import pytest

from nerstudio.core.formats.documents import read_document

DATA = Path(__file__).parents[1] / "data" / "documents"


def blocks(extracted) -> list[tuple[str, str, int | None]]:
    return [(b.kind, extracted.text[b.start : b.end], b.level) for b in extracted.blocks]


def test_docx_footnotes_and_endnotes_after_the_body() -> None:
    pytest.importorskip("docx")
    footnotes = read_document(DATA / "mammoth-footnotes.docx")
    assert blocks(footnotes) == [
        ("paragraph", "Ouch.", None),
        ("footnote", "A tachyon walks into a bar.", None),
        ("footnote", "Fin.", None),
    ]
    endnotes = read_document(DATA / "mammoth-endnotes.docx")
    assert [kind for kind, _, _ in blocks(endnotes)] == ["paragraph", "footnote", "footnote"]


def test_docx_table_cell_by_cell_between_its_paragraphs() -> None:
    pytest.importorskip("docx")
    extracted = read_document(DATA / "mammoth-tables.docx")
    assert blocks(extracted) == [
        ("paragraph", "Above", None),
        ("table-cell", "Top left", None),
        ("table-cell", "Top right", None),
        ("table-cell", "Bottom left", None),
        ("table-cell", "Bottom right", None),
        ("paragraph", "Below", None),
    ]


def test_docx_list_items_and_headings() -> None:
    pytest.importorskip("docx")
    assert blocks(read_document(DATA / "mammoth-simple-list.docx")) == [
        ("list-item", "Apple", None),
        ("list-item", "Banana", None),
    ]
    extracted = read_document(DATA / "python-docx-test.docx")
    assert blocks(extracted)[0] == ("heading", "python-docx was here!", 1)
    assert extracted.pages == () and extracted.page_at(0) is None


def test_odt_nested_lists_table_and_heading() -> None:
    pytest.importorskip("odf")
    lists = blocks(read_document(DATA / "twolevellist.odt"))
    assert ("list-item", "Subitem B.1", None) in lists
    assert lists[0] == ("paragraph", "Line 1", None) and lists[-1] == ("paragraph", "Line 4", None)
    cells = blocks(read_document(DATA / "simpletable.odt"))
    texts = [text for _, text, _ in cells]
    assert texts == ["Cell 1", "Cell 2", "Cell 3 (bold)", "Cell 4 (italic)"]
    assert {kind for kind, _, _ in cells} == {"table-cell"}
    assert blocks(read_document(DATA / "headerfooter.odt")) == [("heading", "Lorem ipsum", 1)]


def test_rtf_code_page_unicode_and_table() -> None:
    pytest.importorskip("striprtf")
    polish = read_document(DATA / "ansicpg1250.rtf")
    assert polish.text.startswith("Proszę o zapoznanie się z poniższą klauzulą informacyjną.")
    assert read_document(DATA / "unicode.rtf").text == "柔道"
    table = blocks(read_document(DATA / "simple_table.rtf"))
    assert [text for kind, text, _ in table if kind == "table-cell"] == ["foo", "bar", "1", "1"]
