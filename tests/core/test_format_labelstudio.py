"""Label Studio in (JSON tasks, one task, JSON-MIN) and out: counts worked out by hand.

Data in tests/data/json/ (sources in its README.md): ``labelstudio_preannotated_ner_tasks.json``
is the example of HumanSignal/label-studio ``docs/source/guide/predictions.md`` ("Import span
pre-annotations for text"); ``labelstudio_export.json`` and ``labelstudio_json_min.json``
are written from ``docs/source/guide/export.md`` and from label-studio-converter's
``convert_to_json_min``; ``labelstudio_single_task_utf16.json`` holds the text and offsets of
label-studio issue #1347 (offsets counted in UTF-16 by Label Studio before 1.0).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nerstudio.core.errors import FormatError, NerstudioError
from nerstudio.core.formats.jsonl import read_jsonl
from nerstudio.core.formats.labelstudio_write import write_labelstudio
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.safe_io import write_file
from nerstudio.core.spans import Span
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize
from nerstudio.core.transfer import import_files
from nerstudio.core.transfer.importing import settle_overlaps

DATA = Path(__file__).parent.parent / "data" / "json"
NOT_SPANS = "Label Studio results that are not spans (relations, choices...)"


def surface(record) -> list[tuple[str, str]]:
    return [(record.text[s.start : s.end], s.label) for s in record.spans]


def write(path: Path, value) -> Path:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def region(start, end, labels, **value):
    return {
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": end, "labels": labels, **value},
    }


# -- real and documented files ---------------------------------------------------------------


def test_the_documented_pre_annotations_are_suggestions_of_two_runs_never_gold():
    result = read_jsonl(DATA / "labelstudio_preannotated_ner_tasks.json")

    first, second = result.records
    assert (first.status, second.status) == (Status.NEW, Status.NEW)  # predictions only
    assert first.spans == second.spans == ()
    runs = [(index, run, len(spans)) for index, run, spans in result.suggestions]
    assert runs == [(0, "one", 4), (0, "two", 5), (1, "one", 5), (1, "two", 6)]
    by_run = {(i, run): spans for i, run, spans in result.suggestions}
    one = by_run[(0, "one")]
    assert [(first.text[s["start"] : s["end"]], s["label"], s["score"]) for s in one] == [
        ("27", "Date", 0.70),
        ("Jerusalem", "Location", 0.65),
        ("the weekend", "Date", 0.95),
        ("Easter", "Date", 0.50),
    ]
    assert by_run[(0, "two")][-1] == {"start": 96, "end": 104, "label": "Date", "score": 0.96}
    # The second task's predictions give no score at all: each span gets 1.0.
    assert {s["score"] for s in by_run[(1, "one")] + by_run[(1, "two")]} == {1.0}
    assert second.text.startswith(" Each journal")  # the leading space is kept
    assert second.text[18:32] == "several inches"


def test_export_gold_is_the_latest_annotation_not_cancelled_with_its_annotator():
    result = read_jsonl(DATA / "labelstudio_export.json")

    assert [r.status for r in result.records] == [
        Status.DONE,
        Status.DONE,
        Status.NEW,  # predictions only
        Status.SKIPPED,  # its one annotation was cancelled
        Status.NEW,  # no annotation at all
    ]
    first, second, third, _, _ = result.records
    # Annotation 12 (updated 2024-03-02) wins over 11 (2024-03-01); 13 is cancelled even
    # though it is the newest.
    assert surface(first) == [("Anna Berg", "PER"), ("Acme Corp", "ORG"), ("Berlin", "LOC")]
    assert first.meta == {"annotator": "omar@example.com"}
    assert second.meta == {"annotator": 2}
    assert result.skipped == {
        NOT_SPANS: 2,  # annotation 12's relation and choices
        "cancelled Label Studio annotations": 2,  # 13 and 41
        "other annotations of a task (not gold)": 1,  # 11
    }
    assert any(
        "1 annotations left out" in n and "task 1 annotation 11 by 2" in n for n in result.notes
    )
    assert [(i, run) for i, run, _ in result.suggestions] == [(0, "bert-v1"), (2, "label-studio")]
    (_, _, bert), (_, _, unnamed) = result.suggestions
    assert bert == [
        {"start": 0, "end": 9, "label": "PER", "score": 0.9},  # its own score
        {"start": 19, "end": 23, "label": "ORG", "score": 0.8},  # the prediction's
    ]
    assert unnamed == [{"start": 20, "end": 24, "label": "LOC", "score": 0.3}]  # result's
    assert third.text[20:24] == "Oslo"


def test_a_region_with_two_labels_is_two_spans_settled_by_the_import(tmp_path):
    result = read_jsonl(DATA / "labelstudio_export.json")
    assert surface(result.records[1]) == [
        ("Omar", "PER"),
        ("Li Wei", "ORG"),
        ("Li Wei", "PER"),
        ("Paris", "LOC"),
    ]

    settled = settle_overlaps(result, "keep-longest")
    assert surface(settled.records[1]) == [("Omar", "PER"), ("Li Wei", "ORG"), ("Paris", "LOC")]
    assert settled.dropped == [
        "labelstudio_export.json:2: PER 9-15 'Li Wei' overlaps a longer span, dropped"
    ]
    with pytest.raises(NerstudioError, match=r"labelstudio_export\.json:2: span 9-15"):
        settle_overlaps(result, "error")


def test_export_imports_into_a_project_with_suggestions_left_to_the_caller(tmp_path):
    with Project.create(tmp_path / "p.db", ["PER", "ORG", "LOC"]) as project:
        summary = import_files(project, [DATA / "labelstudio_export.json"])

        assert summary.documents == 5
        assert summary.spans == 3 + 3  # task 2 keeps 3 of its 4 spans
        (line,) = [f.line() for f in summary.files]
        assert "2 Label Studio results that are not spans" in line


def test_one_task_object_over_many_lines_with_utf16_offsets_is_read():
    path = DATA / "labelstudio_single_task_utf16.json"
    assert path.read_text(encoding="utf-8").startswith("{\n")

    result = read_jsonl(path)

    (doc,) = result.records
    # Label Studio wrote 13-23 (the emoji counted as two); in characters it is 12-22.
    assert doc.spans == (Span(12, 22, "Annotation"),)
    assert doc.status is Status.DONE  # its "completions" are the annotations of old
    assert doc.source == "labelstudio_single_task_utf16.json:1"
    assert any("1 spans had UTF-16 offsets" in note for note in result.notes)


def test_json_min_rows_of_one_task_are_one_document_the_latest_gold():
    result = read_jsonl(DATA / "labelstudio_json_min.json")

    maria, nothing = result.records
    assert surface(maria) == [("Maria Rossi", "PER"), ("Oslo", "LOC")]  # annotation 101
    assert maria.meta == {"annotator": 7}
    assert maria.status is nothing.status is Status.DONE
    assert nothing.spans == ()  # annotated, with no entity in it
    assert result.skipped == {"other annotations of a task (not gold)": 1}


def test_json_min_with_a_custom_text_field_and_a_choice_needs_the_text_named(tmp_path):
    row = {
        "sentence": "Li Wei left.",
        "mood": "calm",
        "ner": [{"start": 0, "end": 6, "text": "Li Wei", "labels": ["PER"]}],
        "annotator": "x@example.com",
        "annotation_id": 3,
        "lead_time": 1.0,
    }
    path = write(tmp_path / "min.json", [row])

    with pytest.raises(FormatError, match=r"record 1: several fields could hold the text"):
        read_jsonl(path)
    (doc,) = read_jsonl(path, text_key="sentence").records
    assert surface(doc) == [("Li Wei", "PER")]


# -- statuses and choices ---------------------------------------------------------------------


def test_a_draft_alone_is_in_progress_and_a_cancelled_task_is_skipped(tmp_path):
    tasks = [
        {"data": {"text": "Anna left."}, "drafts": [{"result": [region(0, 4, ["PER"])]}]},
        {"data": {"text": "Omar left."}, "annotations": [{"was_cancelled": True, "result": []}]},
    ]
    drafted, cancelled = read_jsonl(write(tmp_path / "t.json", tasks)).records

    assert (drafted.status, surface(drafted)) == (Status.IN_PROGRESS, [("Anna", "PER")])
    assert (cancelled.status, cancelled.spans) == (Status.SKIPPED, ())


def test_without_dates_the_highest_id_then_the_last_annotation_wins(tmp_path):
    text = "Anna met Omar."
    task = {
        "data": {"text": text},
        "annotations": [
            {"id": 9, "result": [region(0, 4, ["PER"])]},
            {"id": 3, "result": [region(9, 13, ["PER"])]},
            {"result": [region(0, 4, ["ORG"])]},
        ],
    }
    (doc,) = read_jsonl(write(tmp_path / "t.json", task)).records

    assert surface(doc) == [("Anna", "PER")]  # id 9 beats id 3 and the one without an id


def test_an_old_doccano_export_is_not_mistaken_for_label_studio(tmp_path):
    line = {"text": "EU rejects", "annotations": [{"label": 7, "start_offset": 0, "end_offset": 2}]}
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")

    with pytest.raises(FormatError, match=r"line 1: 'annotations' holds doccano 1\.0 spans"):
        read_jsonl(path)


@pytest.mark.parametrize(
    ("prediction", "reason"),
    [
        ({"result": [region(0, 4, ["PER"], score="high")]}, r"predictions\[0\]: score 'high'"),
        ({"result": [region(0, 9, ["PER"])]}, r"predictions\[0\]: span 0-9 .*outside"),
        ({"result": [region(0, 4, ["PER"])], "score": True}, "score True is not a number"),
        ({"result": "x"}, r"predictions\[0\]\.result is 'x', not a list"),
    ],
    ids=["score-string", "outside", "score-bool", "result-string"],
)
def test_a_bad_prediction_names_the_record_and_the_prediction(tmp_path, prediction, reason):
    tasks = [{"data": {"text": "Fine."}}, {"data": {"text": "Anna"}, "predictions": [prediction]}]

    with pytest.raises(FormatError, match=reason) as info:
        read_jsonl(write(tmp_path / "bad.json", tasks))

    assert info.value.record == 2


def test_a_span_off_our_tokens_splits_them_for_gold_and_suggestions_alike(tmp_path):
    task = {
        "data": {"text": "iPhone15 sold"},
        "annotations": [{"result": [region(0, 6, ["PROD"])]}],
        "predictions": [{"model_version": "m", "result": [region(6, 8, ["NUM"])]}],
    }
    (doc,) = read_jsonl(write(tmp_path / "t.json", task)).records

    assert [doc.text[s:e] for s, e in doc.tokens] == ["iPhone", "15", "sold"]


# -- writing ----------------------------------------------------------------------------------

TEXT = "Anna Berg flew to 東京 👍🏽 today."


def record(status: Status, spans=(), id=1, meta=None) -> DocumentRecord:
    return DocumentRecord(TEXT, tuple(tokenize(TEXT)), tuple(spans), status, id=id, meta=meta or {})


def test_written_tasks_follow_the_import_format():
    done = record(Status.DONE, [Span(0, 9, "PER"), Span(18, 20, "LOC")], id=4)
    fh = io.StringIO()

    tokens = write_labelstudio(
        [done, record(Status.NEW, id=5)],
        fh,
        suggestions={4: [{"start": 18, "end": 20, "label": "LOC", "score": 0.5}]},
        model_version="run-3",
    )

    first, second = json.loads(fh.getvalue())
    assert tokens == 2 * len(tokenize(TEXT))
    assert first["data"] == {"text": TEXT}
    (annotation,) = first["annotations"]
    assert annotation["was_cancelled"] is False
    assert annotation["result"][1] == {
        "id": "n0-1",
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {"start": 18, "end": 20, "text": "東京", "labels": ["LOC"]},
    }
    (prediction,) = first["predictions"]
    assert prediction["model_version"] == "run-3"
    assert prediction["score"] == 0.5
    assert prediction["result"][0]["value"]["score"] == 0.5
    assert second == {"data": {"text": TEXT}}  # new: nothing to carry
    ids = [r["id"] for r in annotation["result"] + prediction["result"]]
    assert len(ids) == len(set(ids))


def test_writing_through_safe_io_and_reading_back(tmp_path):
    out = tmp_path / "tasks.json"
    with write_file(out) as fh:
        write_labelstudio([record(Status.SKIPPED, [Span(0, 4, "PER")])], fh)

    (doc,) = read_jsonl(out).records
    assert (doc.status, surface(doc)) == (Status.SKIPPED, [("Anna", "PER")])


WORDS = ["Anna", "Zürich", "東京", "株式会社", "👍🏽", "🇫🇷", "café", "Li", "O'Neil", "3.5", "-"]
SEPARATORS = [" ", "  ", "\n", " \n "]


@st.composite
def records(draw) -> list[DocumentRecord]:
    result = []
    for n in range(draw(st.integers(1, 4))):
        words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8))
        text = draw(st.sampled_from(["", " "]))
        for word in words:
            text += word + draw(st.sampled_from(SEPARATORS))
        tokens = tokenize(text)
        status = draw(st.sampled_from(list(Status)))
        spans = []
        if status is not Status.NEW:  # a new document carries no spans to Label Studio
            i = 0
            while i < len(tokens):
                length = draw(st.integers(0, 3))
                if length and i + length <= len(tokens):
                    label = draw(st.sampled_from(["PER", "ORG", "人名"]))
                    spans.append(Span(tokens[i][0], tokens[i + length - 1][1], label))
                i += max(length, 1)
        result.append(DocumentRecord(text, tuple(tokens), tuple(spans), status, id=n + 1))
    return result


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(docs=records(), data=st.data())
def test_write_then_read_keeps_texts_offsets_labels_statuses_and_suggestions(tmp_path, docs, data):
    suggestions = {
        d.id: [{"start": s.start, "end": s.end, "label": s.label, "score": 0.25} for s in d.spans]
        for d in docs
        if data.draw(st.booleans())
    }
    out = tmp_path / "round.json"
    with write_file(out) as fh:
        write_labelstudio(docs, fh, suggestions=suggestions, model_version="m1")

    back = read_jsonl(out)

    assert [(r.text, r.spans, r.status, r.tokens) for r in back.records] == [
        (d.text, d.spans, d.status, d.tokens) for d in docs
    ]
    assert {i + 1: spans for i, run, spans in back.suggestions} == suggestions
    assert {run for _, run, _ in back.suggestions} <= {"m1"}


# -- value.text, field types and tag labels (issue 23 item 7) ---------------------------------

ANNA = "Anna Berg works at Acme."


@pytest.mark.parametrize(
    ("task", "says"),
    [
        (
            {"annotations": [{"result": [region(0, 9, ["PER"], text="Acme")]}]},
            r"annotations\[0\]|span 0-9 \(PER\) gives the text 'Acme' but the record's text has",
        ),
        (
            {"predictions": [{"result": [region(19, 23, ["ORG"], text="Anna")]}]},
            r"predictions\[0\]: span 19-23 \(ORG\) gives the text 'Anna'",
        ),
        (
            {"annotations": [{"result": [region(0, 9, ["PER"], text=9)]}]},
            r"span 0-9 \(PER\): its text is 9, not a string",
        ),
    ],
    ids=["gold", "prediction", "text-number"],
)
def test_a_value_text_that_contradicts_the_offsets_is_refused(tmp_path, task, says):
    tasks = [{"data": {"text": ANNA}}, {"data": {"text": ANNA}, **task}]

    with pytest.raises(FormatError, match=says) as info:
        read_jsonl(write(tmp_path / "t.json", tasks))

    assert info.value.record == 2


def test_a_json_min_region_whose_text_contradicts_the_offsets_is_refused(tmp_path):
    row = {
        "text": ANNA,
        "label": [{"start": 0, "end": 9, "text": "Anna Ber", "labels": ["PER"]}],
        "annotator": 1,
        "annotation_id": 2,
        "lead_time": 1.0,
    }

    with pytest.raises(FormatError, match="gives the text 'Anna Ber' but"):
        read_jsonl(write(tmp_path / "min.json", [row]))


def test_a_value_text_with_its_line_break_or_as_a_space_fits(tmp_path):
    text = "Anna\nBerg left."
    regions = [region(0, 9, ["PER"], text="Anna\nBerg")]
    other = [region(0, 9, ["PER"], text="Anna Berg")]
    tasks = [
        {"data": {"text": text}, "annotations": [{"result": regions}]},
        {"data": {"text": text}, "annotations": [{"result": other}]},
    ]

    first, second = read_jsonl(write(tmp_path / "t.json", tasks)).records

    assert first.spans == second.spans == (Span(0, 9, "PER"),)


@pytest.mark.parametrize(
    ("annotation", "says"),
    [
        ({"was_cancelled": "false", "result": []}, r"annotations\[0\]\.was_cancelled is 'false'"),
        ({"result": [{**region(0, 4, ["PER"]), "type": 3}]}, r"result\[0\]\.type is 3, not a"),
        ({"result": [region(0, 4, "B-PER")]}, "carries the tag prefix 'B-'"),
    ],
    ids=["cancelled-string", "type-number", "tag-label"],
)
def test_an_annotation_field_of_the_wrong_type_or_a_tag_label_is_refused(
    tmp_path, annotation, says
):
    task = {"data": {"text": ANNA}, "annotations": [annotation]}

    with pytest.raises(FormatError, match=says) as info:
        read_jsonl(write(tmp_path / "t.json", [task]))

    assert info.value.record == 1


def test_a_json_min_region_list_with_a_stray_item_is_refused_not_ignored(tmp_path):
    row = {
        "text": ANNA,
        "label": [{"start": 0, "end": 9, "text": "Anna Berg", "labels": ["PER"]}, "ORG"],
        "annotator": 1,
        "annotation_id": 2,
        "lead_time": 1.0,
    }

    with pytest.raises(FormatError, match=r"label\[1\] is 'ORG', not an object"):
        read_jsonl(write(tmp_path / "min.json", [row]))
