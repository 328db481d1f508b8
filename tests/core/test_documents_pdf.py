"""The PDF reader on real PDFs, against poppler's ``pdftotext`` reading of them (stored in
tests/data/documents/pdftotext.json, so CI needs no poppler): the lines pdftotext reads
are found on the same page, words only one page holds are on that page, running headers
and page numbers are left out and said, ligatures spelt out, line-end hyphens joined,
scanned pages said and a PDF without text refused in one line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nerstudio.core.errors import FormatError
from nerstudio.core.formats.documents import read_document
from nerstudio.core.formats.documents._build import TextBuilder

pytest.importorskip("pypdfium2")

DATA = Path(__file__).parents[1] / "data" / "documents"
PDFTOTEXT = json.loads((DATA / "pdftotext.json").read_text(encoding="utf-8"))
LIGATURES = re.compile("[\ufb00-\ufb06]")


def flat(text: str) -> str:
    return " ".join(text.split())


def page_text(extracted, number: int) -> str:
    start, end = extracted.pages[number - 1]
    return flat(extracted.text[start:end])


@pytest.mark.parametrize("name", sorted(n for n in PDFTOTEXT if "scanned" not in n))
def test_lines_and_words_of_pdftotext_on_their_pages(name: str) -> None:
    extracted = read_document(DATA / name)
    assert len(extracted.pages) == len(PDFTOTEXT[name])
    lines = found = 0
    for number, expected in enumerate(PDFTOTEXT[name], 1):
        text = page_text(extracted, number)
        lines += len(expected["lines"])
        found += sum(line in text for line in expected["lines"])
        for word in expected["words"]:
            # a word as the expectations cut it out: letters between non-letters (a line of
            # Japanese, which runs on into the next line here: Japanese has no spaces)
            edge = "" if word.isascii() is False and word[0] > "\u3000" else r"[^\W\d_]"
            pattern = rf"(?<!{edge}){word}(?!{edge})" if edge else word
            found_at = re.finditer(pattern, extracted.text)
            pages = {extracted.page_at(m.start()) for m in found_at}
            assert pages == {number}, (word, number, pages)
    # pdftotext drops the hyphen of FAA-approved and superscript footnote marks get a space
    # there; everything else it reads, this reader reads on the same page.
    assert found >= 0.95 * lines, (found, lines)


def test_three_columns_read_column_by_column() -> None:
    """Consecutive lines of one column (pdftotext's reading) follow each other here too:
    columns read side by side line by line would break nearly every pair."""
    name = "federal-register-2020-17221-p2-4.pdf"
    extracted = read_document(DATA / name)
    pairs = joined = 0
    for number, expected in enumerate(PDFTOTEXT[name], 1):
        text = page_text(extracted, number)
        for first, second in zip(expected["lines"], expected["lines"][1:]):
            pairs += 1
            joined += f"{first} {second}" in text
    assert joined >= 0.85 * pairs, (joined, pairs)
    assert "Investigation of the accident has been completed by the Indonesian authorities" in flat(
        extracted.text
    )


def test_running_headers_page_numbers_and_margin_stamps_left_out_and_said() -> None:
    extracted = read_document(DATA / "federal-register-2020-17221-p2-4.pdf")
    for furniture in ("Federal Register / Vol. 85", "Proposed Rules", "VerDate", "DSKJLSW7X2PROD"):
        assert furniture not in extracted.text
    assert any("running header/footer line" in line for line in extracted.dropped)
    bzip2 = read_document(DATA / "bzip2-manual-p6-9.pdf")
    assert "How to use bzip2" not in bzip2.text
    assert "4 page numbers" in bzip2.dropped
    assert not re.search(r"(^|\n)\d+(\n|$)", bzip2.text)  # no page number left alone


def test_ligatures_spelt_out() -> None:
    """pdftotext reads "oﬃcers" in this file (its expectations are stored NFKC)."""
    extracted = read_document(DATA / "pdfplumber-issue-848-p1.pdf")
    assert "three police officers have been murdered" in extracted.text
    for name in PDFTOTEXT:
        if "scanned" not in name:
            assert not LIGATURES.search(read_document(DATA / name).text), name


def test_words_hyphenated_at_line_ends_joined_and_compounds_kept() -> None:
    fontconfig = read_document(DATA / "fontconfig-user-p1-3.pdf")
    assert "customization" in fontconfig.text and "cus-tomization" not in fontconfig.text
    register = read_document(DATA / "federal-register-2020-17221-p2-4.pdf")
    # "non-normal" and "FAA-approved" break at their hyphen; the document spells them so.
    assert "nonnormal" not in register.text and "non-normal" in register.text
    assert "FAAapproved" not in register.text and "FAA-approved" in register.text


def test_blocks_and_pages_cover_the_text_in_order() -> None:
    extracted = read_document(DATA / "federal-register-2020-17221-p2-4.pdf")
    ends = [0]
    for block in extracted.blocks:
        assert block.start >= ends[-1] and block.end > block.start
        assert (
            extracted.text[block.start : block.end].strip()
            == extracted.text[block.start : block.end]
        )
        start, end = extracted.pages[block.page - 1]
        assert start <= block.start and block.end <= end
        ends.append(block.end)
    assert [start for start, _ in extracted.pages] == sorted(s for s, _ in extracted.pages)


def test_cjk_text_read_without_spaces_between_lines() -> None:
    extracted = read_document(DATA / "pdfminer-jo.pdf")
    for word in PDFTOTEXT["pdfminer-jo.pdf"][0]["words"]:
        assert word in extracted.text
    assert "わたくしといふ現象は" in extracted.text
    assert extracted.page_at(extracted.text.index("現象")) == 1


@pytest.mark.parametrize(
    "name", ["nics-background-checks-2015-11-rotated.pdf", "pdfplumber-issue-1054-rotated.pdf"]
)
def test_rotated_pages_read(name: str) -> None:
    extracted = read_document(DATA / name)
    text = flat(extracted.text)
    assert all(line in text for line in PDFTOTEXT[name][0]["lines"])


def test_a_scanned_pdf_refused_in_one_line_naming_ocr() -> None:
    path = DATA / "bzip2-manual-p8-scanned.pdf"
    with pytest.raises(FormatError) as caught:
        read_document(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    assert "no text layer" in message and "ocrmypdf" in message


def test_a_scanned_page_among_text_pages_left_out_and_said() -> None:
    extracted = read_document(DATA / "bzip2-manual-p6-7-and-scan.pdf")
    assert len(extracted.pages) == 3
    start, end = extracted.pages[2]
    assert start == end == len(extracted.text)
    assert "page 3: a scanned image without a text layer" in extracted.dropped
    assert any("ocrmypdf" in note for note in extracted.notes)
    assert extracted.page_at(extracted.text.index("Burrows-Wheeler")) == 1


def test_ligature_characters_alone_normalised() -> None:
    """NFKC on ligatures only: a superscript two, a full-width letter and a
    compatibility character that is not a ligature stay as they are."""
    built = TextBuilder(Path("x.pdf"))
    built.add("ﬁnal ﬂow, eﬀect, oﬃce, ﬄ; m² ｱ ℌ", "paragraph")
    assert built.result().text == "final flow, effect, office, ffl; m² ｱ ℌ"


def test_a_pdf_behind_a_password_refused_in_one_line() -> None:
    path = DATA / "pdfminer-aes-256-r6.pdf"
    with pytest.raises(FormatError, match="protected by a password") as caught:
        read_document(path)
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)


def test_headings_by_font_size_with_their_pages() -> None:
    extracted = read_document(DATA / "bzip2-manual-p6-9.pdf")
    headings = [
        (extracted.text[b.start : b.end], b.level, b.page)
        for b in extracted.blocks
        if b.kind == "heading"
    ]
    assert ("2.4. OPTIONS", 1, 2) in headings
    assert ("2.6. RECOVERING DATA FROM DAMAGED FILES", 1, 4) in headings  # two lines, one heading
    fontconfig = read_document(DATA / "fontconfig-user-p1-3.pdf")
    levels = [(fontconfig.text[b.start : b.end], b.level) for b in fontconfig.blocks]
    assert ("fonts-conf", 1) in levels and ("Synopsis", 2) in levels
