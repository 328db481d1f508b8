"""A real PDF imported, tagged and exported: the JSONL's ``source``, ``page`` and offsets
lead back to the tagged words in the extracted text, on the pages ``pdftotext`` (an
independent extractor, its reading stored in tests/data/documents/pdftotext.json) puts them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nerstudio.core.formats.documents import read_document
from nerstudio.core.records import Status
from nerstudio.core.store import Project
from nerstudio.core.transfer import ImportOptions, export_corpus, import_files

pytest.importorskip("pypdfium2")

DATA = Path(__file__).parent.parent / "data" / "documents"
PDF = "bzip2-manual-p6-9.pdf"
WORDS = {"Burrows-Wheeler": "ALGO", "Huffman": "ALGO", "verbosity": "TERM"}


def pdftotext_pages(word: str) -> set[int]:
    """The 1-based pages on which pdftotext reads ``word``."""
    pages = json.loads((DATA / "pdftotext.json").read_text(encoding="utf-8"))[PDF]
    return {n for n, page in enumerate(pages, 1) if word in " ".join(page["lines"])}


@pytest.mark.parametrize("per", ["page", "file"])
def test_a_tagged_pdf_exports_offsets_and_pages_that_find_the_words_again(tmp_path, per):
    with Project.create(tmp_path / "p.db", sorted(set(WORDS.values()))) as project:
        import_files(project, [DATA / PDF], options=ImportOptions(per=per))
        for record in project.documents.iter():
            for word, label in WORDS.items():
                at = record.text.find(word)
                while at != -1:
                    project.spans.add(record.id, at, at + len(word), label)
                    at = record.text.find(word, at + 1)
            project.documents.set_status([record.id], Status.DONE)
        out = tmp_path / "out.jsonl"
        export_corpus(project, out, "jsonl")
    extracted = read_document(DATA / PDF)
    seen: dict[str, set[int]] = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        assert record["source"] == PDF
        for start, end, label in record["label"]:
            at = record["offset"] + start
            word = extracted.text[at : record["offset"] + end]
            assert WORDS[word] == label
            page = next(p for s, e, p in record["pages"] if s <= start < e)
            assert page == extracted.page_at(at)
            seen.setdefault(word, set()).add(page)
    assert set(seen) == set(WORDS)
    for word, pages in seen.items():
        assert pages == pdftotext_pages(word), word
