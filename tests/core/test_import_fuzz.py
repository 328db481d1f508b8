"""Importers fuzzed: random bytes and broken versions of valid files never do harm.

Every input goes through ``import_files`` into a real Project. Whatever it is, the import
either succeeds and stores sound documents, or raises a ``NerstudioError`` whose message is
one line naming the file, and leaves the project exactly as it was.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nerstudio.core.errors import NerstudioError
from nerstudio.core.spans import check_spans
from nerstudio.core.store import Project
from nerstudio.core.tokens import cluster_interiors
from nerstudio.core.transfer import import_files
from nerstudio.core.transfer.importing import read_file

# NERSTUDIO_FUZZ_EXAMPLES=2000 for a longer hunt; the default keeps this file near 15 s.
FUZZ = settings(
    max_examples=int(os.environ.get("NERSTUDIO_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# The cases of one reported problem each (issue 23): fewer examples, since each one's input
# space is small.
CASES = settings(FUZZ, max_examples=int(os.environ.get("NERSTUDIO_FUZZ_EXAMPLES", "25")))

# -- valid files, one per importer -----------------------------------------------------------

CONLL = (
    "-DOCSTART- -X- O O\n\n"
    "Anna\tB-PER\nBerg\tI-PER\nflew\tO\nto\tO\nNew\tB-LOC\nYork\tI-LOC\n.\tO\n\n"
    "# a comment\nAcme\tNNP\tB-ORG\nhired\tVBD\tO\nLi\tNNP\tB-PER\nWei\tNNP\tI-PER\n\n"
)
DOCCANO = [
    {"text": "Anna Berg visited Paris.", "label": [[0, 9, "PER"], [18, 23, "LOC"]]},
    {
        "id": 7,
        "text": "Acme Corp hired Li Wei.",
        "entities": [
            {"id": 1, "label": "ORG", "start_offset": 0, "end_offset": 9},
            {"id": 2, "label": "PER", "start_offset": 16, "end_offset": 22},
        ],
        "relations": [],
    },
    {"text": "Nothing to see 👍🏽 here.", "label": []},
    {"text": "Zu\u0308rich is in 🇨🇭.", "label": [[0, 7, "LOC"]], "split": "dev"},
]
LABEL_STUDIO = [
    {
        "id": 1,
        "data": {"text": "Anna Berg works at Acme Corp."},
        "annotations": [
            {
                "id": 10,
                "result": [
                    {
                        "id": "a",
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "value": {"start": 0, "end": 9, "text": "Anna Berg", "labels": ["PER"]},
                    },
                    {
                        "id": "b",
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "value": {"start": 19, "end": 28, "text": "Acme Corp", "labels": ["ORG"]},
                    },
                    {"from_id": "a", "to_id": "b", "type": "relation", "direction": "right"},
                ],
                "was_cancelled": False,
            }
        ],
    },
    {"id": 2, "data": {"text": "Not yet annotated."}, "annotations": []},
]
_PRODIGY_TEXT = "Omar moved to New York"
PRODIGY = [
    {
        "text": _PRODIGY_TEXT,
        "tokens": [
            {"text": _PRODIGY_TEXT[s:e], "start": s, "end": e, "id": i, "ws": True}
            for i, (s, e) in enumerate([(0, 4), (5, 10), (11, 13), (14, 17), (18, 22)])
        ],
        "spans": [
            {"start": 0, "end": 4, "label": "PER", "token_start": 0, "token_end": 0},
            {"start": 14, "end": 22, "label": "LOC", "token_start": 3, "token_end": 4},
        ],
        "answer": "accept",
        "meta": {"source": "news", "score": 0.5},
    },
    {"text": "Li Wei works at Initech", "spans": [{"start": 0, "end": 6, "label": "PER"}]},
]
TEXT = "Anna Berg flew to New York.\n\nAcme hired Li Wei.\nZu\u0308rich 👨\u200d👩\u200d👧 東京\n"

IMPORTERS = {
    # name: (file name, import format, a valid file's text)
    "conll": ("in.conll", "conll", CONLL),
    "doccano": ("in.jsonl", "jsonl", "".join(json.dumps(o) + "\n" for o in DOCCANO)),
    "label-studio": ("in.json", "jsonl", json.dumps(LABEL_STUDIO, indent=1)),
    "prodigy": ("in.jsonl", "jsonl", "".join(json.dumps(o) + "\n" for o in PRODIGY)),
    "text": ("in.txt", "text", TEXT),
}
JSON_SEEDS = {"doccano": DOCCANO, "label-studio": LABEL_STUDIO, "prodigy": PRODIGY}

# -- the property -----------------------------------------------------------------------------


def snapshot(project: Project) -> tuple:
    """Everything an import could change, compared before and after a refused one."""
    db = project.db
    counts = tuple(
        db.execute(f"SELECT count(*), max(rowid) FROM {table}").fetchone()
        for table in ("documents", "spans", "labels")
    )
    labels = [
        (label.name, label.color, label.hotkey, label.position) for label in project.labels.list()
    ]
    return counts, labels, project.stats().to_json()


def check_import(
    project: Project, path: Path, fmt: str, paragraphs: bool = False
) -> NerstudioError | None:
    """Import ``path``; the error when it is refused (after checking that the refusal did
    no harm), None when it was imported (after checking what it stored)."""
    before = snapshot(project)
    last_id = before[0][0][1] or 0
    try:
        import_files(project, [path], fmt=fmt, paragraphs=paragraphs)
    except NerstudioError as err:
        message = str(err)
        assert "\n" not in message, f"not one line: {message!r}"
        assert path.name in message, f"does not name the file: {message!r}"
        message.encode("utf-8")  # printable: no lone surrogate from the input in it
        assert snapshot(project) == before, f"a refused import changed the project: {message}"
        return err
    for row in project.db.execute("SELECT id FROM documents WHERE id > ?", [last_id]):
        doc = project.documents.get(row[0])
        doc.text.encode("utf-8")  # storable and exportable as UTF-8
        check_spans(doc.spans, doc.tokens, len(doc.text))
        inside = cluster_interiors(doc.text)
        assert not any(p in inside for s in doc.spans for p in (s.start, s.end)), doc
    return None


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def project(fuzz_dir):
    """One project for every example: refused imports must leave it as it was."""
    with Project.create(fuzz_dir / "fuzz.db", ["PER", "ORG"]) as proj:
        import_files(proj, [write(fuzz_dir / "seed.conll", CONLL.encode())])
        yield proj


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_every_seed_file_imports(fuzz_dir, project):
    for name, (file_name, fmt, content) in IMPORTERS.items():
        before = project.documents.count()
        import_files(project, [write(fuzz_dir / file_name, content.encode())], fmt=fmt)
        assert project.documents.count() > before, name


# -- random bytes -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*IMPORTERS, "auto"])
@FUZZ
@given(data=st.binary(max_size=400), paragraphs=st.booleans())
def test_random_bytes(fuzz_dir, project, name, data, paragraphs):
    file_name, fmt, _ = IMPORTERS.get(name, ("in.dat", "auto", ""))
    check_import(project, write(fuzz_dir / file_name, data), fmt, paragraphs)


# -- mutations of valid files -----------------------------------------------------------------

WEIRD = [
    "\u00a0",  # no-break space
    "\u3000",  # ideographic space
    "\u0301",  # combining acute
    "\u200d",  # zero-width joiner
    "\u200b",  # zero-width space
    "\ufeff",  # BOM inside the text
    "\ufe0f",  # variation selector
    "\U0001f3fd",  # skin tone
    "\U0001f1eb",  # half a flag
    "👨\u200d👩\u200d👧",
    "\u0600",  # Arabic number sign (joins the next character)
    "\u2028",  # line separator
    "\x85",  # next line
    "\x00",
    "\x1e",
    "\r",
    "\r\n",
    "\t",
    " ",
    "\n",
    "\n\n",
    "#",
    "-DOCSTART-",
    "B-",
    "I-PER",
    "O",
    "\\ud800",  # a lone surrogate, as a JSON escape
    "\\udc00\\ud800",
    '"',
    "\\",
    "{",
    "]",
    "1" * 5000,  # more digits than Python reads
]


@st.composite
def broken_text(draw, content: str) -> bytes:
    """A valid file with lines deleted, duplicated, swapped; weird text inserted; cut."""
    lines = content.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "cut-line"]))
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "insert":
            at = draw(st.integers(0, len(lines[i])))
            weird = draw(st.sampled_from(WEIRD) | st.text(max_size=3))
            lines[i] = lines[i][:at] + weird + lines[i][at:]
        elif op == "cut-line":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]  # truncated, maybe mid-character
    return data


@pytest.mark.parametrize("name", list(IMPORTERS))
@FUZZ
@given(data=st.data())
def test_broken_files(fuzz_dir, project, name, data):
    file_name, fmt, content = IMPORTERS[name]
    broken = data.draw(broken_text(content))
    check_import(project, write(fuzz_dir / file_name, broken), fmt)


# A value put where another was: other types, numbers as strings, nested nulls, booleans,
# offsets out of range, strings that no UTF-8 file can hold.
SWAPS = st.sampled_from(
    [
        None,
        True,
        False,
        0,
        -1,
        1,
        3,
        10**30,
        1.5,
        float("nan"),
        "",
        " ",
        "0",
        "4",
        "PER",
        " PER ",
        "O",
        "B-PER",
        "A B",
        "A\nB",
        "\u00a0",
        "x" * 70,
        "\ud800",
        [],
        {},
        [None],
        [[None]],
        {"start": None},
        {"a": [None, {"b": None}]},
        [0, 4, "PER"],
        [[0, 4, "PER"]],
        ["PER"],
        {"start": 0, "end": 4, "labels": ["PER"]},
    ]
)


def _paths(value: Any, here: tuple = ()) -> list[tuple]:
    """Every place in a JSON value, as the keys and indices that lead to it."""
    found = [here]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*here, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            found += _paths(child, (*here, i))
    return found


def _replace(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    head, *rest = path
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = _replace(value[head], tuple(rest), new)
    return copy


def _stringify_numbers(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        return {k: _stringify_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify_numbers(v) for v in value]
    return value


@st.composite
def mutated_records(draw, name: str) -> bytes:
    """The seed records with values swapped, numbers turned to strings, fields dropped."""
    records = json.loads(json.dumps(JSON_SEEDS[name]))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(records)
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["swap", "swap", "strings", "drop", "nest"]))
        if op == "swap":
            records = _replace(records, path, draw(SWAPS))
        elif op == "strings":
            records = _replace(records, path, _stringify_numbers(_get(records, path)))
        elif op == "drop" and path:
            parent = _get(records, path[:-1])
            smaller = dict(parent) if isinstance(parent, dict) else list(parent)
            del smaller[path[-1]]
            records = _replace(records, path[:-1], smaller)
        elif op == "nest":
            records = _replace(records, path, [_get(records, path), None])
    if not isinstance(records, list):
        records = [records]
    if name == "label-studio":
        text = json.dumps(records, indent=1)
    else:
        text = "".join(json.dumps(r) + "\n" for r in records)
    raw = draw(st.sampled_from(["none", "digits", "deep"]))
    if raw == "digits":  # a number too long to read, where an offset was
        text = re.sub(r"\b\d+\b", "9" * 5000, text, count=1)
    elif raw == "deep":  # nested deeper than the parser goes, where a value was
        text = re.sub(r"null|true|false|\b\d+\b", "[" * 1500 + "]" * 1500, text, count=1)
    return text.encode("utf-8")


def _get(value: Any, path: tuple) -> Any:
    for key in path:
        value = value[key]
    return value


@pytest.mark.parametrize("name", list(JSON_SEEDS))
@FUZZ
@given(data=st.data())
def test_mutated_json_records(fuzz_dir, project, name, data):
    file_name, fmt, _ = IMPORTERS[name]
    mutated = data.draw(mutated_records(name))
    check_import(project, write(fuzz_dir / file_name, mutated), fmt)


# -- issue 23 items 6 and 7: encodings, NULs, span fields of the wrong type, tag labels -------
#
# Each case is either read right or refused with a NerstudioError: never imported with its
# text garbled or its annotations dropped.

_WIDE = ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"]
_WORDS = st.sampled_from(
    "Anna Berg flew to New York . Acme hired Li Wei Zürich 東京 Москва straße , 2021 👍🏽".split()
)


def _read(path: Path, fmt: str) -> list[tuple[str, tuple]]:
    _, result = read_file(path, fmt)
    return [(r.text, r.spans) for r in result.records]


@pytest.mark.parametrize("name", list(IMPORTERS))
@CASES
@given(data=st.data(), encoding=st.sampled_from(_WIDE))
def test_utf16_and_utf32_without_a_bom_are_read_right_or_refused(fuzz_dir, name, data, encoding):
    file_name, fmt, content = IMPORTERS[name]
    if data.draw(st.booleans(), label="words"):  # a text of its own, for the text reader
        lines = data.draw(st.lists(st.lists(_WORDS, min_size=1, max_size=12), min_size=1))
        content = "".join(" ".join(words) + "\n" for words in lines) if fmt == "text" else content
    expected = _read(write(fuzz_dir / file_name, content.encode()), fmt)
    path = write(fuzz_dir / file_name, content.encode(encoding))

    try:
        got = _read(path, fmt)
    except NerstudioError as err:  # only when the byte order cannot be told
        assert "byte order cannot be told" in str(err), str(err)
        assert "\n" not in str(err) and path.name in str(err), str(err)
        return
    assert got == expected


@pytest.mark.parametrize("name", [*IMPORTERS, "auto"])
@CASES
@given(data=st.data())
def test_nul_bytes_are_never_imported(fuzz_dir, project, name, data):
    file_name, fmt, content = IMPORTERS.get(name, ("in.dat", "auto", TEXT))
    raw = content.encode()
    if data.draw(st.booleans(), label="all NULs"):
        raw = b"\0" * data.draw(st.integers(1, 300))
    else:  # a valid UTF-8 file with NULs put in it
        for _ in range(data.draw(st.integers(1, 3))):
            at = data.draw(st.integers(0, len(raw)))
            raw = raw[:at] + b"\0" * data.draw(st.integers(1, 3)) + raw[at:]
    error = check_import(project, write(fuzz_dir / file_name, raw), fmt)

    assert error is not None, "a file with NUL bytes was imported"


_NOT_A_LIST = (
    st.text(max_size=8)
    | st.integers()
    | st.floats()
    | st.booleans()
    | st.dictionaries(st.text(max_size=3), st.integers() | st.text(max_size=3), max_size=2)
)


@CASES
@given(key=st.sampled_from(["label", "labels", "entities"]), value=_NOT_A_LIST)
def test_doccano_span_field_of_the_wrong_type_is_refused(fuzz_dir, project, key, value):
    record = {"text": "Anna Berg visited Paris.", key: value}
    path = write(fuzz_dir / "in.jsonl", (json.dumps(record) + "\n").encode())

    assert check_import(project, path, "jsonl") is not None


_TASK_TEXT = "Anna Berg works at Acme Corp.\nLi Wei 👍🏽 東京"


@CASES
@given(data=st.data())
def test_label_studio_value_text_is_checked_against_the_offsets(fuzz_dir, project, data):
    start = data.draw(st.integers(0, len(_TASK_TEXT) - 1))
    end = data.draw(st.integers(start + 1, len(_TASK_TEXT)))
    actual = _TASK_TEXT[start:end]
    given_text = data.draw(st.sampled_from([actual, actual.replace("\n", " ")]) | st.text())
    value = {"start": start, "end": end, "text": given_text, "labels": ["PER"]}
    task = {"data": {"text": _TASK_TEXT}, "annotations": [{"result": [{"value": value}]}]}
    path = write(fuzz_dir / "in.json", json.dumps([task]).encode())

    error = check_import(project, path, "jsonl")

    if given_text not in (actual, actual.replace("\n", " ")):
        assert error is not None, "a value.text that is not at its offsets was accepted"
    elif error is None:
        (spans,) = [spans for _, spans in _read(path, "jsonl")]
        assert [(s.start, s.end) for s in spans] == [(start, end)]


_SPAN_FILES = {
    "doccano": lambda label: {"text": "Anna Berg left", "label": [[0, 9, label]]},
    "prodigy": lambda label: {
        "text": "Anna Berg left",
        "spans": [{"start": 0, "end": 9, "label": label}],
        "answer": "accept",
    },
    "label-studio": lambda label: {
        "data": {"text": "Anna Berg left"},
        "annotations": [{"result": [{"value": {"start": 0, "end": 9, "labels": [label]}}]}],
    },
}


@pytest.mark.parametrize("name", [*_SPAN_FILES, "brat"])
@CASES
@given(
    prefix=st.sampled_from("BIESLU"),
    name_of=st.from_regex(r"[A-Za-z][A-Za-z_-]{0,8}", fullmatch=True),
)
def test_a_label_that_is_a_token_tag_is_refused_by_span_formats(
    fuzz_dir, project, name, prefix, name_of
):
    label = f"{prefix}-{name_of}"
    if name == "brat":
        folder = fuzz_dir / "brat"
        folder.mkdir(exist_ok=True)
        write(folder / "d.txt", b"Anna Berg left")
        path = write(folder / "d.ann", f"T1\t{label} 0 9\tAnna Berg\n".encode())
        fmt = "brat"
    else:
        record = _SPAN_FILES[name](label)
        path = write(fuzz_dir / "in.jsonl", (json.dumps(record) + "\n").encode())
        fmt = "jsonl"

    error = check_import(project, path, fmt)

    assert error is not None and "tag prefix" in str(error)


_CONLLU_COLUMNS = ["ID", "FORM", "LEMMA", "UPOS", "XPOS", "FEATS", "HEAD", "DEPREL", "DEPS"]


@CASES
@given(data=st.data())
def test_conllu_global_columns_that_do_not_fit_the_rows_are_refused(fuzz_dir, project, data):
    header = ["ID", "FORM", *data.draw(st.lists(st.sampled_from(_CONLLU_COLUMNS[2:]), max_size=4))]
    header.insert(data.draw(st.integers(2, len(header))), "NER")
    width = data.draw(st.integers(2, len(header) + 2))
    rows = []
    for number, (word, tag) in enumerate([("Anna", "B-PER"), ("Berg", "I-PER"), ("left", "O")]):
        values = {"ID": str(number + 1), "FORM": word, "NER": tag}
        rows.append("\t".join(values.get(name, "_") for name in header[:width]))
        rows[-1] += "\t_" * (width - len(header))
    content = f"# global.columns = {' '.join(header)}\n" + "\n".join(rows) + "\n\n"
    path = write(fuzz_dir / "in.conllu", content.encode())

    error = check_import(project, path, "conllu")

    if width != len(header):
        assert error is not None, "a token line that does not fit global.columns was read"
    else:
        assert error is None
        ((text, spans),) = _read(path, "conllu")
        assert [(text[s.start : s.end], s.label) for s in spans] == [("Anna Berg", "PER")]
