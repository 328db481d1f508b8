"""CLUENER2020 JSON in and out, on the benchmark's own records.

``tests/data/json/cluener_dev_pretty.json`` is the first 20 records of CLUENER2020's dev
set as plum-Yin/GlobalPointer_pytorch ships it (pretty-printed, one object after another);
``cluener_dev.json`` holds the same records one per line, as the benchmark's files do.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from nerstudio.core.errors import FormatError
from nerstudio.core.formats.cluener import write_cluener
from nerstudio.core.formats.jsonl import read_jsonl
from nerstudio.core.records import Status

DATA = Path(__file__).parent.parent / "data" / "json"


def mentions_in(path: Path) -> set[tuple[str, str, int, int, str]]:
    """(text, mention, start, inclusive end, type) as the file states them."""
    decoder, text, pos, found = json.JSONDecoder(), path.read_text("utf-8"), 0, set()
    while text[pos:].strip():
        pos += len(text[pos:]) - len(text[pos:].lstrip())
        record, pos = decoder.raw_decode(text, pos)
        for type_name, mentions in record["label"].items():
            for mention, places in mentions.items():
                for start, end in places:
                    found.add((record["text"], mention, start, end, type_name))
    return found


def read_as_mentions(path: Path) -> set[tuple[str, str, int, int, str]]:
    return {
        (r.text, r.text[s.start : s.end], s.start, s.end - 1, s.label)
        for r in read_jsonl(path).records
        for s in r.spans
    }


@pytest.mark.parametrize("name", ["cluener_dev.json", "cluener_dev_pretty.json"])
def test_cluener_records_give_every_entity_at_its_place(name):
    path = DATA / name
    result = read_jsonl(path)

    assert len(result.records) == 20
    assert {r.status for r in result.records} == {Status.DONE}
    assert read_as_mentions(path) == mentions_in(path)
    assert sum(len(r.spans) for r in result.records) == len(mentions_in(path)) == 46
    first = result.records[0]
    assert [(first.text[s.start : s.end], s.label) for s in first.spans] == [
        ("彭小军", "name"),
        ("台湾", "address"),
    ]


def test_a_mention_that_does_not_match_its_offsets_is_refused_with_its_line(tmp_path):
    lines = (DATA / "cluener_dev.json").read_text("utf-8").splitlines()
    record = json.loads(lines[1])
    record["label"]["name"]["温格"] = [[1, 2]]  # one character off
    lines[1] = json.dumps(record, ensure_ascii=False)
    path = tmp_path / "off.json"
    path.write_text("\n".join(lines) + "\n", "utf-8")

    with pytest.raises(FormatError, match=r"line 2: .*温格.*not the mention"):
        read_jsonl(path)


@pytest.mark.parametrize(
    ("places", "reason"),
    [("0,1", r"not a list of \[start, end\]"), ([[0]], r"not \[start, end\]")],
)
def test_malformed_cluener_places_are_refused(tmp_path, places, reason):
    path = tmp_path / "bad.json"
    record = {"text": "温格的球队", "label": {"name": {"温格": places}}}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")

    with pytest.raises(FormatError, match=reason):
        read_jsonl(path)


def test_cluener_written_and_read_back_keeps_every_entity(tmp_path):
    records = read_jsonl(DATA / "cluener_dev.json").records
    out = io.StringIO()
    write_cluener(records, out)
    path = tmp_path / "again.json"
    path.write_text(out.getvalue(), "utf-8")

    assert read_as_mentions(path) == read_as_mentions(DATA / "cluener_dev.json")
    assert json.loads(out.getvalue().splitlines()[0])["label"]["name"] == {"彭小军": [[0, 2]]}


def test_an_empty_label_is_no_entities_in_a_cluener_file_and_an_error_alone(tmp_path):
    both = tmp_path / "both.json"
    both.write_text(
        '{"text": "温格", "label": {"name": {"温格": [[0, 1]]}}}\n{"text": "好的", "label": {}}\n',
        "utf-8",
    )
    first, second = read_jsonl(both).records
    assert len(first.spans) == 1 and second.spans == () and second.status is Status.DONE

    alone = tmp_path / "alone.json"
    alone.write_text('{"text": "好的", "label": {}}\n', "utf-8")
    with pytest.raises(FormatError, match="'label'"):
        read_jsonl(alone)
