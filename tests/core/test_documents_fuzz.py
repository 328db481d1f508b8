"""Document files cut short or with bytes overwritten: each read either gives sound
blocks or one ``FormatError`` line naming the file, never a library's traceback."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nerstudio.core.errors import FormatError
from nerstudio.core.formats.documents import DOCUMENT_SUFFIXES, read_document

DATA = Path(__file__).parents[1] / "data" / "documents"
SAMPLES = [
    ("pdfplumber-issue-848-p1.pdf", "pypdfium2"),
    ("pdfminer-jo.pdf", "pypdfium2"),
    ("mammoth-tables.docx", "docx"),
    ("simpletable.odt", "odf"),
    ("simple_table.rtf", "striprtf"),
    ("wikimediafoundation-turkey.html", "trafilatura"),
    ("pdfplumber-README.md", "markdown_it"),
    ("python-email-msg_07.eml", "email"),
]
CUTS = 12  # truncation points per file, spread over its length
FUZZ = settings(
    max_examples=int(os.environ.get("NERSTUDIO_FUZZ_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def read_soundly(path: Path) -> None:
    """The reading is sound blocks in order, or one line naming the file."""
    try:
        extracted = read_document(path)
    except FormatError as error:
        assert "\n" not in str(error) and str(error).startswith(str(path))
        return
    end = 0
    for block in extracted.blocks:
        assert end <= block.start < block.end <= len(extracted.text)
        end = block.end
    for start, stop in extracted.pages:
        assert 0 <= start <= stop <= len(extracted.text)


@pytest.mark.parametrize(("name", "library"), SAMPLES)
def test_cut_short_anywhere(name: str, library: str, tmp_path: Path) -> None:
    pytest.importorskip(library)
    data = (DATA / name).read_bytes()
    path = tmp_path / name
    for cut in sorted({0, 1, 7, *range(len(data) // CUTS, len(data), len(data) // CUTS)}):
        path.write_bytes(data[:cut])
        read_soundly(path)


@pytest.mark.parametrize(("name", "library"), SAMPLES)
def test_bytes_overwritten(name: str, library: str, tmp_path: Path) -> None:
    pytest.importorskip(library)
    data = bytearray((DATA / name).read_bytes())
    path = tmp_path / name
    chance = random.Random(name)
    for _ in range(6):
        damaged = bytearray(data)
        for _ in range(max(1, len(data) // 500)):
            at = chance.randrange(len(damaged))
            damaged[at : at + 8] = bytes(chance.randrange(256) for _ in range(8))
        path.write_bytes(bytes(damaged))
        read_soundly(path)


@FUZZ
@given(data=st.binary(max_size=2000), suffix=st.sampled_from(sorted(DOCUMENT_SUFFIXES)))
def test_random_bytes(data: bytes, suffix: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    for library in ("pypdfium2", "docx", "trafilatura", "odf", "striprtf", "markdown_it"):
        pytest.importorskip(library)
    path = tmp_path_factory.mktemp("fuzz") / f"random{suffix}"
    path.write_bytes(data)
    read_soundly(path)
