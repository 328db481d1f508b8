"""HTML pages, Markdown, e-mail and plain text in a legacy encoding, read as documents; the
suffix table; a missing optional library named in one line."""

from __future__ import annotations

import builtins
from pathlib import Path

import pytest

from nerstudio.core.errors import FormatError, NerstudioError
from nerstudio.core.formats.documents import DOCUMENT_SUFFIXES, read_document

DATA = Path(__file__).parents[1] / "data" / "documents"


def kinds(extracted, kind: str) -> list[str]:
    return [extracted.text[b.start : b.end] for b in extracted.blocks if b.kind == kind]


def test_html_article_without_the_navigation_around_it() -> None:
    pytest.importorskip("trafilatura")
    extracted = read_document(DATA / "wikimediafoundation-turkey.html")
    assert kinds(extracted, "heading")[0] == (
        "Access to Wikipedia restored in Turkey after more than two and a half years"
    )
    assert "the Wikimedia Foundation has received reports that access to Wikipedia in Turkey" in (
        extracted.text
    )
    assert "“We are thrilled to be reunited with the people of Turkey,” said Katherine Maher" in (
        extracted.text
    )
    for navigation in ("Toggle search", "Support Wikipedia", "Careers", "nonprofit charitable"):
        assert navigation not in extracted.text
    assert "&#" not in extracted.text and "&amp;" not in extracted.text
    assert any("navigation" in line for line in extracted.dropped)
    assert extracted.meta["title"].startswith("Access to Wikipedia restored")


def test_html_entities_decoded_and_headings_kept(tmp_path: Path) -> None:
    pytest.importorskip("trafilatura")
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>T</title></head><body><nav><a href='/'>Home</a> | <a>About us</a>"
        "</nav><article><h2>Caf&eacute; &amp; Bar &#8211; news</h2>"
        + "<p>Ren&eacute;e M&uuml;ller opened the caf&eacute; in Z&uuml;rich on Monday.</p>"
        * 3
        + "<p>The opening drew a crowd of neighbours &amp; friends from all over town.</p>"
        "</article><footer>Imprint</footer></body></html>",
        encoding="utf-8",
    )
    extracted = read_document(page)
    assert "Café & Bar – news" in kinds(extracted, "heading")
    assert "Renée Müller opened the café in Zürich on Monday." in extracted.text
    assert "Home" not in extracted.text and "Imprint" not in extracted.text


def test_markdown_blocks_plain_text_and_left_out() -> None:
    pytest.importorskip("markdown_it")
    extracted = read_document(DATA / "pdfplumber-README.md")
    headings = [
        (extracted.text[b.start : b.end], b.level) for b in extracted.blocks if b.kind == "heading"
    ]
    assert headings[0] == ("pdfplumber", 1)
    assert ("Table of Contents", 2) in headings
    assert kinds(extracted, "list-item") and kinds(extracted, "table-cell")
    assert "Installation" in kinds(extracted, "list-item")  # "- [Installation](#installation)"
    assert "(#installation)" not in extracted.text
    assert "im.draw_lines(list_of_lines, **kwargs)" in kinds(extracted, "table-cell")
    assert any("image" in line for line in extracted.dropped)


def test_eml_header_fields_body_and_attachment_listed() -> None:
    extracted = read_document(DATA / "python-email-msg_07.eml")
    assert kinds(extracted, "header-field") == [
        "Subject: Here is your dingus fish",
        "From: Barry <barry@digicool.com>",
        "To: Dingus Lovers <cravindogs@cravindogs.com>",
    ]
    assert kinds(extracted, "paragraph") == ["Hi there,", "This is the dingus fish."]
    assert extracted.dropped == (
        "attachment dingusfish.gif (image/gif, 3,512 bytes): not imported",
    )
    assert "R0lGOD" not in extracted.text
    assert extracted.meta["subject"] == "Here is your dingus fish"
    text_attachment = read_document(DATA / "python-email-msg_04.eml")
    assert any("msg.txt" in line for line in text_attachment.dropped)


def test_legacy_encodings_read_by_guess_and_said() -> None:
    polish = read_document(DATA / "ansicpg1250-windows-1250.txt")
    assert polish.text.startswith("Proszę o zapoznanie się z poniższą klauzulą informacyjną.")
    assert polish.notes[0].startswith("read as windows-1250")
    japanese = read_document(DATA / "cpython-shift_jis.txt")
    expected = (DATA / "cpython-shift_jis-utf8.txt").read_text(encoding="utf-8")
    assert "".join(japanese.text.split()) == "".join(expected.split())
    assert japanese.notes[0].startswith("read as cp932")


def test_structured_formats_still_refuse_legacy_encodings(tmp_path: Path) -> None:
    """The text files of structured formats keep refusing what is not UTF-8: a wrong guess
    there would shift their offsets silently."""
    from nerstudio.core.formats.textfile import read_text

    with pytest.raises(FormatError, match="not UTF-8"):
        read_text(DATA / "ansicpg1250-windows-1250.txt")


def test_utf8_text_read_as_it_is_without_a_note(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("First paragraph\nstill first.\n\nSecond.\n", encoding="utf-8")
    extracted = read_document(path)
    assert kinds(extracted, "paragraph") == ["First paragraph\nstill first.", "Second."]
    assert extracted.notes == ()


def test_suffixes_map_to_readers_and_others_refused(tmp_path: Path) -> None:
    import importlib

    for suffix, reader in DOCUMENT_SUFFIXES.items():
        assert suffix == suffix.lower() and suffix.startswith(".")
        assert callable(importlib.import_module(f"nerstudio.core.formats.documents.{reader}").read)
    with pytest.raises(FormatError, match="not a document nerstudio reads"):
        read_document(tmp_path / "slides.pptx")


def test_a_missing_library_named_with_its_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real = builtins.__import__

    def without_pdfium(name, *args, **kwargs):
        if name.startswith("pypdfium2"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_pdfium)
    with pytest.raises(NerstudioError) as caught:
        read_document(DATA / "pdfminer-jo.pdf")
    expected = "reading PDF files needs pypdfium2: pip install 'nerstudio[documents]'"
    assert str(caught.value) == expected
