"""Prodigy / spaCy JSONL in and out: counts worked out by hand from the files.

Data in tests/data/json/ (sources in its README.md): ``prodigy_fashion_brands.jsonl`` holds
lines 2 and 5 of explosion/projects ``tutorials/ner_fashion_brands/assets/
fashion_brands_training.jsonl`` and ``prodigy_drugs_training.jsonl`` lines 1 and 3 of
explosion/projects ``ner-drugs/drugs_training.jsonl`` (ner.manual exports, byte for byte);
``prodigy_ner_teach.jsonl`` is written from Prodigy's ner.teach task format (one span per
answer, ``_input_hash``, ``_task_hash``, ``_view_id`` ``ner``);
``prodigy_reddit_product_teach.jsonl`` holds 68 lines of a real ner.teach export
(explosion/prodigy-recipes).
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
from nerstudio.core.formats.prodigy import write_prodigy
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.safe_io import write_file
from nerstudio.core.spans import Span
from nerstudio.core.tokens import tokenize
from nerstudio.core.transfer.importing import settle_overlaps

DATA = Path(__file__).parent.parent / "data" / "json"


def surface(record) -> list[tuple[str, str]]:
    return [(record.text[s.start : s.end], s.label) for s in record.spans]


def jsonl(path: Path, *objects) -> Path:
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects), "utf-8")
    return path


def task(text: str, *spans, **fields) -> dict:
    spans_ = [{"start": s, "end": e, "label": lab} for s, e, lab in spans]
    return {"text": text, "spans": spans_, **fields}


# -- real ner.manual exports -----------------------------------------------------------------


def test_ner_manual_export_keeps_the_given_tokens_and_accepts_as_gold():
    result = read_jsonl(DATA / "prodigy_fashion_brands.jsonl")

    slp, sweatpants = result.records
    assert surface(slp) == [("SLP", "FASHION_BRAND")]
    assert sweatpants.spans == ()  # accepted with no entity: done, not unknown
    assert slp.status is sweatpants.status is Status.DONE
    assert len(slp.tokens) == 42 and slp.tokens[5] == (20, 23)  # "n’t" as Prodigy split it
    assert slp.meta == {"section": "malefashionadvice"}
    assert result.skipped == {} and result.suggestions == []


def test_an_accepted_answer_without_a_span_list_is_done_with_no_entities():
    lol, heroin = read_jsonl(DATA / "prodigy_drugs_training.jsonl").records

    assert (lol.text, lol.spans, lol.status) == ("^^LOL^^", (), Status.DONE)
    assert surface(heroin) == [("H", "DRUG")]
    assert [heroin.text[s:e] for s, e in heroin.tokens[:3]] == ["Well", "i", "m"]


def test_manual_reject_is_a_new_document_without_its_spans_and_ignore_is_skipped(tmp_path):
    path = jsonl(
        tmp_path / "answers.jsonl",
        task("Anna left.", (0, 4, "PER"), answer="accept", _view_id="ner_manual"),
        task("Omar left.", (0, 4, "ORG"), (5, 9, "X"), answer="reject", _view_id="ner_manual"),
        task("Li left.", (0, 2, "PER"), answer="ignore", _view_id="ner_manual"),
        task("Not answered.", status="in_progress"),
        {"text": "Never seen."},
    )
    result = read_jsonl(path)

    assert [(r.status, surface(r)) for r in result.records] == [
        (Status.DONE, [("Anna", "PER")]),
        (Status.NEW, []),
        (Status.SKIPPED, [("Li", "PER")]),
        (Status.IN_PROGRESS, []),
        (Status.NEW, []),
    ]
    assert result.skipped == {"spans of rejected Prodigy answers": 2}
    assert any(
        "1 rejected answers imported as new documents without their 2 spans" in n
        for n in result.notes
    )


def test_annotator_of_a_multi_user_session_goes_into_meta(tmp_path):
    path = jsonl(
        tmp_path / "s.jsonl",
        task(
            "Anna",
            (0, 4, "PER"),
            answer="accept",
            _annotator_id="news-alex",
            meta={"source": "bbc"},
        ),
    )

    (doc,) = read_jsonl(path).records
    assert doc.meta == {"source": "bbc", "annotator": "news-alex"}


# -- binary (ner.teach) answers ---------------------------------------------------------------


def test_ner_teach_answers_are_grouped_by_input_hash_accepted_merged_rejected_never_gold():
    result = read_jsonl(DATA / "prodigy_ner_teach.jsonl")

    apple, li = result.records
    # 7 answers: about the first text ORG accept, PERSON reject, GPE accept twice
    # (overlapping), ORG ignore; about the second GPE reject, PERSON accept.
    assert surface(apple) == [
        ("Apple", "ORG"),
        ("New York", "GPE"),
        ("New York City", "GPE"),
    ]
    assert surface(li) == [("Li Wei", "PERSON")]
    assert apple.status is li.status is Status.IN_PROGRESS
    assert apple.source == "prodigy_ner_teach.jsonl:1"  # where its first answer is
    assert li.source == "prodigy_ner_teach.jsonl:3"
    assert result.skipped == {
        "rejected binary suggestions (never gold)": 2,
        "binary suggestions ignored or not answered": 1,
    }
    (note,) = result.notes
    assert "7 binary answers" in note and "into 2 documents" in note
    assert "4 accepted spans kept, 2 rejected left out" in note

    settled = settle_overlaps(result, "keep-longest")
    assert surface(settled.records[0]) == [("Apple", "ORG"), ("New York City", "GPE")]
    with pytest.raises(NerstudioError, match=r"span 24-32 \(GPE\) overlaps"):
        settle_overlaps(result, "error")


def test_binary_answers_without_a_view_id_are_known_by_one_span_and_the_hashes(tmp_path):
    lines = [
        json.loads(line) for line in (DATA / "prodigy_ner_teach.jsonl").read_text().splitlines()
    ]
    for line in lines:
        del line["_view_id"]
    result = read_jsonl(jsonl(tmp_path / "teach.jsonl", *lines))

    assert [r.status for r in result.records] == [Status.IN_PROGRESS, Status.IN_PROGRESS]
    # Two suggested spans (each with the model's score) in one task are still binary ...
    lines[0]["spans"] = [dict(span) for span in lines[0]["spans"] * 2]
    result = read_jsonl(jsonl(tmp_path / "teach2.jsonl", *lines))
    assert [r.status for r in result.records] == [Status.IN_PROGRESS, Status.IN_PROGRESS]
    # ... but two plain spans (what a person drew) make them manual answers.
    for span in lines[0]["spans"]:
        for key in ("score", "rank"):
            span.pop(key)
    result = read_jsonl(jsonl(tmp_path / "manual.jsonl", *lines))
    assert len(result.records) == 7 and result.records[0].status is Status.DONE


def _accepted_in(path: Path) -> set[tuple[object, int, int, str]]:
    """What the file's accepted answers hold, worked out without nerstudio: spans of
    tasks answered accept that were not themselves answered otherwise, once per text."""
    gold = set()
    for line in path.read_text("utf-8").splitlines():
        task_ = json.loads(line)
        if task_["answer"] != "accept":
            continue
        for span in task_["spans"]:
            if span.get("answer", "accept") == "accept":
                gold.add((task_["_input_hash"], span["start"], span["end"], span["label"]))
    return gold


def test_a_real_ner_teach_export_gives_exactly_its_accepted_spans_as_gold():
    # explosion/prodigy-recipes' reddit PRODUCT ner.teach answers: tasks with up to five
    # suggested spans, span-level answers, ignores and texts asked about several times.
    path = DATA / "prodigy_reddit_product_teach.jsonl"
    result = read_jsonl(path)

    gold = {(r.text, s.start, s.end, s.label) for r in result.records for s in r.spans}
    texts = {
        json.loads(line)["_input_hash"]: json.loads(line)["text"]
        for line in path.read_text("utf-8").splitlines()
    }
    expected = {(texts[h], s, e, label) for h, s, e, label in _accepted_in(path)}
    assert gold == expected and len(gold) == 23
    assert len(result.records) == len(texts)  # one document per text, not per answer
    assert {r.status for r in result.records} == {Status.IN_PROGRESS}
    # An accepted task's span answered reject (line 1,215 of the original) is not gold.
    assert result.skipped["rejected binary suggestions (never gold)"] > 0


def test_a_span_answered_reject_inside_an_accepted_manual_task_is_not_gold(tmp_path):
    record = task("Anna met Omar", (0, 4, "PER"), (9, 13, "PER"), answer="accept")
    record["spans"][1]["answer"] = "reject"

    (doc,) = read_jsonl(jsonl(tmp_path / "m.jsonl", record)).records
    assert surface(doc) == [("Anna", "PER")] and doc.status is Status.DONE


def test_binary_answers_about_one_hash_with_two_texts_are_refused(tmp_path):
    a = task("Anna", (0, 4, "PER"), answer="accept", _input_hash=1, _task_hash=2, _view_id="ner")
    b = task("Omar", (0, 4, "PER"), answer="accept", _input_hash=1, _task_hash=3, _view_id="ner")

    with pytest.raises(FormatError, match="line 2: has the _input_hash of line 1 but another"):
        read_jsonl(jsonl(tmp_path / "t.jsonl", a, b))


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (task("Anna", answer="yes"), r"'answer' is 'yes', not one of accept, reject, ignore"),
        (task("Anna", answer=None) | {"spans": "PER"}, r"'spans' is 'PER', not a list"),
        (task("Anna", (0, 9, "PER"), answer="accept"), r"span 0-9 \(PER\) is outside the text"),
    ],
    ids=["answer", "spans-string", "outside"],
)
def test_a_bad_prodigy_record_names_its_line(tmp_path, record, reason):
    with pytest.raises(FormatError, match=reason) as info:
        read_jsonl(jsonl(tmp_path / "bad.jsonl", task("Fine.", answer="accept"), record))

    assert info.value.line == 2


# -- writing ----------------------------------------------------------------------------------


def test_written_tasks_have_spacy_tokens_inclusive_token_end_and_no_hashes():
    text = " Anna Berg\nmet  東京."
    tokens = tuple(tokenize(text))
    docs = [
        DocumentRecord(text, tokens, (Span(1, 10, "PER"), Span(16, 18, "LOC")), Status.DONE),
        DocumentRecord("Skip me", tuple(tokenize("Skip me")), (), Status.SKIPPED),
        DocumentRecord("Later", ((0, 5),), (Span(0, 5, "X"),), Status.IN_PROGRESS, meta={"k": 1}),
    ]
    fh = io.StringIO()

    assert write_prodigy(docs, fh) == len(tokens) + 2 + 1
    done, skipped, later = [json.loads(line) for line in fh.getvalue().splitlines()]
    assert [(t["text"], t["ws"]) for t in done["tokens"]] == [
        (" ", False),  # leading whitespace is a token, as in spaCy
        ("Anna", True),
        ("Berg", False),
        ("\n", False),
        ("met", True),
        (" ", False),  # the second of two spaces
        ("東", False),  # our tokenizer splits CJK characters
        ("京", False),
        (".", False),
    ]
    assert "".join(t["text"] + " " * t["ws"] for t in done["tokens"]) == text
    assert [t["id"] for t in done["tokens"]] == list(range(9))
    assert done["spans"] == [
        {"start": 1, "end": 10, "label": "PER", "token_start": 1, "token_end": 2},
        {"start": 16, "end": 18, "label": "LOC", "token_start": 6, "token_end": 7},
    ]
    assert done["answer"] == "accept" and skipped["answer"] == "ignore"
    assert "answer" not in later and later["status"] == "in_progress"
    assert later["meta"] == {"k": 1}
    assert not any(key.startswith("_") for obj in (done, skipped, later) for key in obj)


WORDS = ["Anna", "Zürich", "東京", "株式会社", "👍🏽", "🇫🇷", "café", "Li", "O'Neil", "3.5", "-"]
SEPARATORS = [" ", "  ", "\n", " \n ", "\t"]


@st.composite
def records(draw) -> list[DocumentRecord]:
    result = []
    for _ in range(draw(st.integers(1, 4))):
        text = draw(st.sampled_from(["", " ", "\n"]))
        for word in draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8)):
            text += word + draw(st.sampled_from(SEPARATORS))
        tokens = tokenize(text)
        spans, i = [], 0
        while i < len(tokens):
            length = draw(st.integers(0, 3))
            if length and i + length <= len(tokens):
                label = draw(st.sampled_from(["PER", "ORG", "人名"]))
                spans.append(Span(tokens[i][0], tokens[i + length - 1][1], label))
            i += max(length, 1)
        status = draw(st.sampled_from(list(Status)))
        result.append(DocumentRecord(text, tuple(tokens), tuple(spans), status))
    return result


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(docs=records())
def test_write_then_read_keeps_texts_offsets_labels_statuses_and_tokens(tmp_path, docs):
    out = tmp_path / "round.jsonl"
    with write_file(out) as fh:
        write_prodigy(docs, fh)

    back = read_jsonl(out).records

    assert [(r.text, r.spans, r.status, r.tokens) for r in back] == [
        (d.text, d.spans, d.status, d.tokens) for d in docs
    ]
