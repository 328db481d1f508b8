"""Files in other encodings than UTF-8, and files that are not text, through every text reader.

Issue 23 item 6: UTF-16 without a byte-order mark was read as UTF-8 (every other character a
NUL) and a file of NULs was imported as a document. Each reader decodes through
``formats.textfile``, so each is tried here with the same bytes.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from nerstudio.core.errors import FormatError
from nerstudio.core.formats.brat import read_brat
from nerstudio.core.formats.conll import read_conll
from nerstudio.core.formats.conllu import read_conllu
from nerstudio.core.formats.detect import detect_format
from nerstudio.core.formats.jsonl import read_jsonl
from nerstudio.core.formats.spacy_iob import read_spacy_iob
from nerstudio.core.formats.text import read_text_documents
from nerstudio.core.formats.textfile import read_text
from nerstudio.core.formats.webanno import read_webanno

TEXT = "Anna Berg flew to Zürich.\nLi Wei stayed in 東京.\n"
NAMED_ENTITY = "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"

# name: (file name, reader, content, what the reader must find in it)
READERS = {
    "text": ("a.txt", read_text_documents, TEXT, "Anna Berg flew to Zürich."),
    "conll": ("a.conll", read_conll, "Anna\tB-PER\nBerg\tI-PER\nflew\tO\n\n", "Anna Berg"),
    "conllu": (
        "a.conllu",
        read_conllu,
        "# global.columns = ID FORM NER\n1\tAnna\tB-PER\n2\tBerg\tI-PER\n3\tflew\tO\n\n",
        "Anna Berg",
    ),
    "jsonl": (
        "a.jsonl",
        read_jsonl,
        json.dumps({"text": "Anna Berg flew", "label": [[0, 9, "PER"]]}, ensure_ascii=False) + "\n",
        "Anna Berg",
    ),
    "spacy-iob": (
        "a.iob",
        read_spacy_iob,
        "Anna|NNP|B-PER Berg|NNP|I-PER flew|VBD|O\n",
        "Anna Berg",
    ),
    "webanno": (
        "a.tsv",
        read_webanno,
        f"#FORMAT=WebAnno TSV 3.3\n#T_SP={NAMED_ENTITY}|value\n\n\n"
        "#Text=Anna Berg flew\n1-1\t0-4\tAnna\tPER[1]\n1-2\t5-9\tBerg\tPER[1]\n"
        "1-3\t10-14\tflew\t_\n",
        "Anna Berg",
    ),
}
WIDE = ["utf-16-le", "utf-16-be", "utf-16", "utf-32-le", "utf-32-be", "utf-32"]


def entities(result) -> list[str]:
    return [r.text[s.start : s.end] for r in result.records for s in r.spans]


def texts(result) -> list[str]:
    return [r.text for r in result.records]


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("encoding", WIDE)
@pytest.mark.parametrize("name", list(READERS))
def test_utf16_and_utf32_with_or_without_a_bom_read_as_their_text(tmp_path, name, encoding):
    file_name, reader, content, found = READERS[name]
    result = reader(write(tmp_path / file_name, content.encode(encoding)))

    got = texts(result) if name == "text" else entities(result)
    assert found in got, got
    assert not any("\x00" in text for text in texts(result))


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_brat_text_and_ann_are_read(tmp_path, encoding):
    write(tmp_path / "d.txt", "Anna Berg flew to Zürich.".encode(encoding))
    write(tmp_path / "d.ann", "T1\tPER 0 9\tAnna Berg\nT2\tLOC 18 24\tZürich\n".encode(encoding))

    result = read_brat(tmp_path)

    assert entities(result) == ["Anna Berg", "Zürich"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_detection_sees_the_format_of_utf16_text(tmp_path, encoding):
    path = write(tmp_path / "a.txt", "Anna\tB-PER\nBerg\tI-PER\nflew\tO\n\n".encode(encoding))

    assert detect_format(path).name == "conll"


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"\x00" * 100, "nothing but NUL bytes"),
        (b"\x00" * 101, "nothing but NUL bytes"),
        (b"Anna went\x00 home\n", "holds NUL bytes"),
        (bytes(range(256)) * 8, "NUL bytes"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(200, 256)) * 10, "not text"),
    ],
    ids=["nuls", "odd-nuls", "nul-in-utf8", "binary", "binary-without-nul"],
)
@pytest.mark.parametrize("name", list(READERS))
def test_nul_and_binary_files_are_refused_in_one_line_naming_the_file(tmp_path, name, data, says):
    file_name, reader, _, _ = READERS[name]
    path = write(tmp_path / file_name, data)

    with pytest.raises(FormatError, match=says) as info:
        reader(path)

    assert file_name in str(info.value)
    assert "\n" not in str(info.value)


def test_short_utf16_whose_byte_order_cannot_be_told_is_refused(tmp_path):
    # "Hi" is 48 00 69 00: read big-endian it is 䠀椀, text as well
    path = write(tmp_path / "hi.txt", "Hi".encode("utf-16-le"))

    with pytest.raises(FormatError, match=r"byte order cannot be told.*re-save"):
        read_text_documents(path)


def test_legacy_8bit_text_is_still_refused_with_its_line(tmp_path):
    path = write(tmp_path / "a.txt", "Anna\nZürich est très belle.\n".encode("latin-1"))

    with pytest.raises(FormatError, match=r"not UTF-8 \(byte 0xfc\); re-save") as info:
        read_text(path)

    assert info.value.line == 2


def test_utf8_stays_fast_and_never_asks_charset_normalizer(tmp_path, monkeypatch):
    import charset_normalizer

    def refuse(*_args, **_kwargs):
        raise AssertionError("charset-normalizer was called for UTF-8")

    monkeypatch.setattr(charset_normalizer, "from_bytes", refuse)
    path = write(tmp_path / "big.txt", ("\ufeff" + TEXT * 40_000).encode("utf-8"))

    started = time.perf_counter()
    text = read_text(path)
    elapsed = time.perf_counter() - started

    assert text.startswith("Anna") and len(text) == len(TEXT) * 40_000
    assert elapsed < 1.0


EMOJI_LINES = [
    "Anna Berg flew to New York.\n\nAcme hired Li Wei.\nZu\u0308rich 👨\u200d👩\u200d👧 東京\n",
    # more "mess" than charset-normalizer accepts at all: no guess, one byte order reads
    "👨\u200d👩\u200d👧 العربية 👨\u200d👩\u200d👧 Zu\u0308rich 👍🏽 😀\n"
    "👨\u200d👩\u200d👧 東京 العربية 👍🏽\n",
]


@pytest.mark.parametrize("text", EMOJI_LINES, ids=["some-emoji", "emoji-and-scripts"])
@pytest.mark.parametrize("encoding", WIDE)
def test_utf16_text_with_emoji_sequences_and_mixed_scripts_is_read(tmp_path, encoding, text):
    path = write(tmp_path / "a.txt", text.encode(encoding))

    assert read_text(path) == text


def test_utf8_with_a_stray_nul_is_refused_not_read_as_utf16(tmp_path):
    # charset-normalizer reads these bytes as UTF-16 BE: Hangul and CJK
    data = "Москва Москва Москва Zürich".encode()
    path = write(tmp_path / "a.txt", data[:2] + b"\x00\x00" + data[2:])

    with pytest.raises(FormatError, match="holds NUL bytes"):
        read_text(path)
