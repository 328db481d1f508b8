"""Which format a file is in: from its content first, its name second, never a silent guess.

Every structured format has a signature a few lines in (WebAnno's ``#FORMAT=`` header,
WebAnno TSV 2's `` # de.tudarmstadt...NamedEntity | value`` header,
CoNLL-U Plus's ``# global.columns``, brat's ``T1<TAB>LABEL 0 4`` lines, CoNLL-U's ten
columns, a JSON object, token-and-tag columns). A file whose content carries a signature is
read in that format whatever its suffix says; a file is read as plain text only when nothing
structured shows, so a brat ``.ann`` or a CoNLL ``.txt`` is never imported as prose.
``import --format NAME`` skips all this.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from nerstudio.core.errors import FormatError
from nerstudio.core.formats.document_readers import document_suffixes
from nerstudio.core.formats.textfile import sniff_text
from nerstudio.core.formats.webanno_tsv2 import looks_like_webanno_tsv2

# Every format an import can read, with the name the summary uses.
FORMAT_NAMES = {
    "conll": "CoNLL columns",
    "conllu": "CoNLL-U",
    "jsonl": "JSON / JSONL",
    "text": "plain text",
    "hf": "Hugging Face dataset",
    "brat": "brat standoff",
    "webanno": "WebAnno TSV 3",
    "webanno-tsv2": "WebAnno TSV 2",
    "spacy-iob": "spaCy word|POS|tag lines",
    "docbin": "spaCy DocBin",
    "document": "document file",
}

SUFFIXES = {
    ".conll": "conll",
    ".conll03": "conll",
    ".bio": "conll",
    ".iob": "conll",
    ".iob2": "conll",
    ".bioes": "conll",
    ".conllu": "conllu",
    ".tsv": "conll",
    ".jsonl": "jsonl",
    ".json": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "hf",
    ".ann": "brat",
    ".spacy": "docbin",
    ".txt": "text",
}

_BRAT_LINE = re.compile(r"^(T\d+\t\S+ \d+ \d+(;\d+ \d+)*\t|[RE]\d+\t\S+ |[AM]\d+\t\S+ |#\d+\t)")
_TAG = re.compile(r"^(O|[BIESLU][-_]\S+|\S+[-_][BIESLU]|B|I)$")
_CONLLU_ID = re.compile(r"^\d+(-\d+|\.\d+)?$")
_SPACY_IOB = re.compile(r"^\S+\|\S+\|(O|[BI]-\S+)$")
_SNIFF_BYTES = 65536


@dataclass(frozen=True)
class Detected:
    """A format name, and why it was chosen (for the import summary)."""

    name: str
    reason: str


def _head(path: Path) -> list[str]:
    """The first lines of a file, decoded leniently (detection only; readers are strict)."""
    try:
        with path.open("rb") as fh:
            data = fh.read(_SNIFF_BYTES)
    except OSError as err:
        raise FormatError(path, f"cannot read: {err.strerror or err}") from None
    cut = len(data) == _SNIFF_BYTES
    text = sniff_text(data, cut).replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    return lines[:-1] if cut else lines  # the last may be cut


def _content_format(lines: list[str]) -> str | None:
    """The structured format these lines show, or None when nothing does."""
    filled = [line for line in lines if line.strip()]
    if not filled:
        return None
    first = filled[0].lstrip()
    if first.startswith("#FORMAT=WebAnno TSV 3"):
        return "webanno"
    if looks_like_webanno_tsv2(filled):  # before CoNLL: its rows look like columns
        return "webanno-tsv2"
    if first.startswith("# global.columns ="):  # CoNLL-U Plus names its columns first
        return "conllu"
    if first[:1] in "{[":
        return "jsonl"
    sample = filled[:200]
    if sum(bool(_BRAT_LINE.match(line)) for line in sample) >= max(1, len(sample) * 0.8):
        return "brat"
    rows = [line for line in sample if not line.startswith("#")]
    if (
        rows
        and all(len(line.split("\t")) == 10 for line in rows)
        and all(_CONLLU_ID.match(line.split("\t")[0]) for line in rows)
    ):
        return "conllu"
    words = [w for line in sample for w in _columns(line)]
    if words and all(_SPACY_IOB.match(w) for w in words):
        return "spacy-iob"
    if rows and _looks_like_columns(rows):
        return "conll"
    return None


def _columns(line: str) -> list[str]:
    """Columns as the CoNLL reader splits them: on tabs and ASCII spaces only."""
    return [c for c in re.split(r"[ \t]+", line.strip(" \t")) if c]


def _looks_like_columns(rows: list[str]) -> bool:
    """Token lines whose last column is a tag (``-DOCSTART-`` lines allowed)."""
    for row in rows:
        columns = _columns(row)
        if columns[0] == "-DOCSTART-":
            continue
        if len(columns) < 2 or not _TAG.match(columns[-1]):
            return False
    return True


def _is_document(path: Path) -> bool:
    """A PDF, Word, HTML ... file by its name; plain ``.txt`` stays one document per line
    (read as a document file when ``--per`` asks, or with ``--format document``)."""
    suffix = path.suffix.lower()
    return suffix in document_suffixes() and suffix not in SUFFIXES


def detect_format(path: Path) -> Detected:
    """The import format of a file or folder."""
    path = Path(path)
    if not path.exists():
        raise FormatError(path, "no such file or folder")
    if path.is_dir():
        markers = ("dataset_dict.json", "dataset_info.json", "state.json")
        if any((path / marker).is_file() for marker in markers):
            return Detected("hf", "a dataset folder saved by Hugging Face datasets")
        if next(path.rglob("*.ann"), None) is not None:
            return Detected("brat", "a folder with .ann files")
        if any(_is_document(p) for p in path.rglob("*") if p.is_file()):
            return Detected("document", "a folder of document files: each file on its own")
        return Detected("text", "a folder: one document per .txt file")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return Detected("hf", "a parquet file")
    if suffix == ".spacy":
        return Detected("docbin", "a spaCy DocBin file")
    if _is_document(path):
        return Detected("document", f"its name ({suffix})")
    if suffix == ".txt" and path.with_suffix(".ann").is_file():
        return Detected("brat", f"{path.with_suffix('.ann').name} lies beside it")
    found = _content_format(_head(path))
    by_name = SUFFIXES.get(suffix)
    if found is not None:
        how = "its content" if found == by_name or by_name is None else f"its content, not {suffix}"
        return Detected(found, how)
    if by_name in (None, "text"):
        return Detected("text", "no structured format shows in it: one document per line")
    return Detected(by_name, f"its name ({suffix})")
