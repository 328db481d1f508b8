"""The Project: opening and refusing files, labels, documents, spans, queries, concurrency."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from nerstudio.core.errors import LabelError, NerstudioError, ProjectError, SpanError
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.store import DocumentQuery, Project, StoredSpan
from nerstudio.core.store.labels import PALETTE
from nerstudio.core.tokens import tokenize

SQL_NAME = "O'Brien\";DROP_TABLE_labels;--"


def span(text: str, phrase: str, label: str, occurrence: int = 0) -> Span:
    """The span of the ``occurrence``-th ``phrase`` in ``text``."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(phrase, start + 1)
    return Span(start, start + len(phrase), label)


def record(
    text: str,
    entities: dict[str, str] | list[tuple[str, str]] = (),
    *,
    status: Status = Status.NEW,
    split: str | None = None,
    source: str | None = None,
    meta: dict | None = None,
) -> DocumentRecord:
    """A record tokenized the way the app does, with spans given as (phrase, label)."""
    pairs = entities.items() if isinstance(entities, dict) else entities
    return DocumentRecord(
        text=text,
        tokens=tuple(tokenize(text)),
        spans=tuple(span(text, phrase, label) for phrase, label in pairs),
        status=status,
        split=split,
        source=source,
        meta=meta or {},
    )


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "project.nerstudio"


@pytest.fixture
def project(path: Path):
    with Project.create(path, ["PER", "ORG", "LOC"]) as project:
        yield project


def doc_spans(project: Project, doc_id: int) -> list[tuple[str, str]]:
    """A document's spans as (covered text, label), the way the editor shows them."""
    doc = project.documents.get(doc_id)
    return [(doc.text[s.start : s.end], s.label) for s in doc.spans]


# -- opening and creating --------------------------------------------------------------------


def test_create_then_open_round_trip(path: Path):
    with Project.create(path, ["PER", "LOC"]) as project:
        assert [label.name for label in project.labels.list()] == ["PER", "LOC"]
        assert project.documents.count() == 0
    with Project.open(str(path)) as project:  # a str path works too
        assert [label.name for label in project.labels.list()] == ["PER", "LOC"]
        assert project.path == path


def test_create_refuses_an_existing_file(path: Path):
    path.write_bytes(b"my thesis, do not overwrite")
    with pytest.raises(ProjectError, match="already exists"):
        Project.create(path)
    assert path.read_bytes() == b"my thesis, do not overwrite"


def test_create_refuses_a_missing_folder(tmp_path: Path):
    with pytest.raises(ProjectError, match="does not exist"):
        Project.create(tmp_path / "nowhere" / "p.nerstudio")


def test_open_refuses_a_missing_file(path: Path):
    with pytest.raises(ProjectError, match="no such project file"):
        Project.open(path)
    assert not path.exists()


@pytest.mark.parametrize(
    "content",
    [
        b"PK\x03\x04 this is a zip file, not a database" * 50,
        b"text,label\nParis,LOC\n",
        b"",  # an empty file (SQLite would treat it as an empty database)
    ],
)
def test_open_refuses_a_file_that_is_not_a_project_and_leaves_it_alone(path: Path, content):
    path.write_bytes(content)
    with pytest.raises(ProjectError, match="not a nerstudio project") as info:
        Project.open(path)
    assert str(path) in str(info.value)
    assert path.read_bytes() == content
    assert not Path(f"{path}-wal").exists()


def test_open_refuses_an_sqlite_file_without_nerstudio_tables(path: Path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    conn.execute("INSERT INTO invoices VALUES (1, 9.5)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="not a nerstudio project"):
        Project.open(path)
    assert path.read_bytes() == before  # not switched to WAL, no tables added
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall() == [
        ("invoices",)
    ]
    conn.close()


def test_open_refuses_a_project_from_a_newer_nerstudio(path: Path):
    with Project.create(path, ["PER"]) as project:
        project.documents.add([record("Anna lives here", {"Anna": "PER"})])
    conn = sqlite3.connect(path)
    conn.execute("UPDATE project_meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError, match="newer") as info:
        Project.open(path)
    assert "99" in str(info.value)
    # the file was not migrated or damaged: its data and version are as they were
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM documents").fetchone() == (1,)
    assert conn.execute(
        "SELECT value FROM project_meta WHERE key = 'schema_version'"
    ).fetchone() == ("99",)
    conn.close()


# -- labels ----------------------------------------------------------------------------------


def test_new_labels_get_palette_colors_and_hotkeys_one_to_nine(path: Path):
    names = [f"L{i}" for i in range(11)]
    with Project.create(path, names) as project:
        labels = project.labels.list()
    assert [label.name for label in labels] == names
    assert [label.position for label in labels] == list(range(11))
    assert [label.color for label in labels] == [PALETTE[i] for i in range(11)]
    assert [label.hotkey for label in labels] == [*"123456789", None, None]


def test_add_label_with_explicit_color_and_hotkey(project: Project):
    label = project.labels.add("MISC", color="#ABCDEF", hotkey="M")
    assert (label.color, label.hotkey, label.position) == ("#abcdef", "m", 3)
    assert project.labels.get("MISC") == label


def test_add_label_refuses_duplicates_and_taken_hotkeys(project: Project):
    with pytest.raises(LabelError, match="exists already"):
        project.labels.add("PER")
    with pytest.raises(LabelError, match="hotkey"):
        project.labels.add("MISC", hotkey="1")  # PER holds it
    assert [label.name for label in project.labels.list()] == ["PER", "ORG", "LOC"]


@pytest.mark.parametrize("name", ["O", "", "   ", "has space", "tab\there", "x" * 65])
def test_unusable_label_names_are_rejected(project: Project, name: str):
    with pytest.raises(LabelError):
        project.labels.add(name)
    with pytest.raises(LabelError):
        project.labels.rename("PER", name)
    assert [label.name for label in project.labels.list()] == ["PER", "ORG", "LOC"]


def test_label_name_is_stripped(project: Project):
    assert project.labels.add("  MISC ").name == "MISC"


def test_rename_label_carries_its_spans(project: Project):
    text = "Anna met Omar in Paris"
    (doc_id,) = project.documents.add(
        [record(text, [("Anna", "PER"), ("Omar", "PER"), ("Paris", "LOC")])]
    ).document_ids
    hotkey = project.labels.get("PER").hotkey
    project.labels.rename("PER", "PERSON")
    assert doc_spans(project, doc_id) == [("Anna", "PERSON"), ("Omar", "PERSON"), ("Paris", "LOC")]
    assert project.labels.get("PERSON").hotkey == hotkey
    with pytest.raises(LabelError):
        project.labels.get("PER")
    assert project.documents.count(DocumentQuery(label="PERSON")) == 1
    assert project.documents.count(DocumentQuery(label="PER")) == 0


def test_rename_label_refuses_an_existing_name_or_unknown_label(project: Project):
    with pytest.raises(LabelError, match="exists already"):
        project.labels.rename("PER", "LOC")
    with pytest.raises(LabelError, match="no label"):
        project.labels.rename("NOPE", "NEW")
    assert [label.name for label in project.labels.list()] == ["PER", "ORG", "LOC"]


def test_recolor_label(project: Project):
    project.labels.recolor("ORG", "#FF0000")
    assert project.labels.get("ORG").color == "#ff0000"
    for bad in ["red", "#fff", "#gggggg", "ff0000", "#ff00001"]:
        with pytest.raises(LabelError, match="color"):
            project.labels.recolor("ORG", bad)
    assert project.labels.get("ORG").color == "#ff0000"


def test_set_label_hotkey(project: Project):
    with pytest.raises(LabelError, match="PER"):  # names the label holding the key
        project.labels.set_hotkey("LOC", "1")
    assert project.labels.get("LOC").hotkey == "3"
    project.labels.set_hotkey("LOC", "L")
    assert project.labels.get("LOC").hotkey == "l"
    project.labels.set_hotkey("LOC", "l")  # its own key again is fine
    with pytest.raises(LabelError, match="one digit or letter"):
        project.labels.set_hotkey("LOC", "ab")
    project.labels.set_hotkey("PER", None)
    assert project.labels.get("PER").hotkey is None
    project.labels.set_hotkey("ORG", "1")  # free now
    assert project.labels.get("ORG").hotkey == "1"


def test_reorder_labels(project: Project):
    project.labels.reorder(["LOC", "PER", "ORG"])
    labels = project.labels.list()
    assert [label.name for label in labels] == ["LOC", "PER", "ORG"]
    assert [label.position for label in labels] == [0, 1, 2]
    for bad in (["LOC", "PER"], ["LOC", "PER", "ORG", "ORG"], ["LOC", "PER", "MISC"]):
        with pytest.raises(LabelError, match="each label once"):
            project.labels.reorder(bad)
    assert [label.name for label in project.labels.list()] == ["LOC", "PER", "ORG"]


def test_delete_label_removes_its_spans_and_returns_their_count(project: Project):
    result = project.documents.add(
        [
            record("Anna met Omar in Paris", [("Anna", "PER"), ("Omar", "PER"), ("Paris", "LOC")]),
            record("Li works at Globex", [("Li", "PER"), ("Globex", "ORG")]),
            record("Oslo is cold", [("Oslo", "LOC")]),
        ]
    )
    first, second, third = result.document_ids
    assert project.labels.count_spans("PER") == 3
    assert project.labels.delete("PER") == 3
    assert [label.name for label in project.labels.list()] == ["ORG", "LOC"]
    assert [label.position for label in project.labels.list()] == [0, 1]
    assert doc_spans(project, first) == [("Paris", "LOC")]
    assert doc_spans(project, second) == [("Globex", "ORG")]
    assert doc_spans(project, third) == [("Oslo", "LOC")]
    assert project.stats().entities == {"ORG": 1, "LOC": 2}
    assert project.labels.delete("ORG") == 1
    with pytest.raises(LabelError):
        project.labels.delete("PER")


def test_label_added_after_a_delete_gets_a_free_hotkey(project: Project):
    # PER, ORG, LOC hold 1, 2, 3; after deleting PER the digit 1 is free again
    project.labels.delete("PER")
    misc = project.labels.add("MISC")
    assert misc.hotkey is not None, "a new label got no hotkey although 1 and 4-9 are free"
    assert misc.hotkey not in {"2", "3"}


def test_label_added_after_a_delete_gets_a_color_no_other_label_has(project: Project):
    project.labels.delete("PER")
    misc = project.labels.add("MISC")
    others = {label.name: label.color for label in project.labels.list() if label.name != "MISC"}
    assert misc.color not in others.values(), (
        f"MISC got {misc.color}, the color of {others}: two labels look the same"
    )


def test_label_name_with_quotes_and_sql_is_stored_literally(path: Path):
    text = "Mr. O'Brien met Anna"
    with Project.create(path, ["PER"]) as project:
        label = project.labels.add(SQL_NAME)
        assert label.name == SQL_NAME
        (doc_id,) = project.documents.add(
            [record(text, [("O'Brien", SQL_NAME), ("Anna", "PER")])]
        ).document_ids
        assert doc_spans(project, doc_id) == [("O'Brien", SQL_NAME), ("Anna", "PER")]
        assert project.documents.count(DocumentQuery(label=SQL_NAME)) == 1
        assert project.stats().entities == {"PER": 1, SQL_NAME: 1}
        project.labels.recolor(SQL_NAME, "#123456")
        project.labels.set_hotkey(SQL_NAME, "q")
        project.labels.rename(SQL_NAME, SQL_NAME + "'2")
        project.labels.rename(SQL_NAME + "'2", SQL_NAME)
    with Project.open(path) as project:
        assert [label.name for label in project.labels.list()] == ["PER", SQL_NAME]
        assert project.labels.get(SQL_NAME).color == "#123456"
        assert doc_spans(project, doc_id) == [("O'Brien", SQL_NAME), ("Anna", "PER")]
        assert project.labels.delete(SQL_NAME) == 1
        assert [label.name for label in project.labels.list()] == ["PER"]


# -- documents -------------------------------------------------------------------------------


def test_add_documents_stores_text_tokens_spans_and_creates_missing_labels(project: Project):
    text = "Angela Merkel visited Zürich 🇨🇭 on Monday."
    result = project.documents.add(
        [
            record(
                text,
                [("Angela Merkel", "PER"), ("Zürich", "LOC"), ("Monday", "DATE")],
                status=Status.DONE,
                split="train",
                source="news.jsonl:1",
                meta={"url": "https://example.com", "n": 1},
            ),
            record("Nothing here."),
        ]
    )
    assert len(result.document_ids) == 2
    assert result.spans == 3
    assert result.labels_added == ("DATE",)
    assert [label.name for label in project.labels.list()] == ["PER", "ORG", "LOC", "DATE"]
    doc = project.documents.get(result.document_ids[0])
    assert doc.text == text
    assert doc.tokens == tuple(tokenize(text))
    assert doc.spans == (
        span(text, "Angela Merkel", "PER"),
        span(text, "Zürich", "LOC"),
        span(text, "Monday", "DATE"),
    )
    assert (doc.status, doc.split, doc.source) == (Status.DONE, "train", "news.jsonl:1")
    assert doc.meta == {"url": "https://example.com", "n": 1}
    assert doc.id == result.document_ids[0]
    empty = project.documents.get(result.document_ids[1])
    assert (empty.spans, empty.status, empty.split, empty.meta) == ((), Status.NEW, None, {})


def test_add_documents_reports_progress(project: Project):
    seen: list[int] = []
    project.documents.add((record(f"Doc {i}") for i in range(5)), progress=seen.append)
    assert sum(seen) == 5


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (  # overlapping spans
            DocumentRecord(
                "New York City",
                tuple(tokenize("New York City")),
                (Span(0, 8, "LOC"), Span(4, 13, "LOC")),
                source="batch.jsonl:2",
            ),
            "overlaps",
        ),
        (  # a span ending inside a token ("Yor|k")
            DocumentRecord(
                "New York City",
                tuple(tokenize("New York City")),
                (Span(0, 7, "LOC"),),
                source="batch.jsonl:2",
            ),
            "token boundaries",
        ),
        (  # a span past the end of the text
            DocumentRecord(
                "New York",
                tuple(tokenize("New York")),
                (Span(4, 20, "LOC"),),
                source="batch.jsonl:2",
            ),
            "outside the text",
        ),
    ],
)
def test_add_documents_is_all_or_nothing(project: Project, bad: DocumentRecord, message: str):
    project.documents.add([record("Anna is here", {"Anna": "PER"})])
    batch = [
        record("Omar works at Initech", {"Omar": "PER", "Initech": "COMPANY"}),
        bad,
        record("Li flew to Osaka", {"Li": "PER", "Osaka": "LOC"}),
    ]
    with pytest.raises(SpanError, match=message) as info:
        project.documents.add(batch)
    assert "batch.jsonl:2" in str(info.value)
    assert project.documents.count() == 1
    assert [label.name for label in project.labels.list()] == ["PER", "ORG", "LOC"]  # no COMPANY
    assert project.stats().entities == {"PER": 1, "ORG": 0, "LOC": 0}
    # the project is still usable after the failed import
    project.documents.add([record("Oslo", {"Oslo": "LOC"})])
    assert project.documents.count() == 2


def test_set_status_and_split(project: Project):
    ids = project.documents.add([record(f"Document number {i}") for i in range(3)]).document_ids
    project.documents.set_status(ids[:2], Status.DONE)
    project.documents.set_status([ids[2]], "skipped")
    project.documents.set_split(ids[1:], "dev")
    assert [project.documents.get(i).status for i in ids] == [
        Status.DONE,
        Status.DONE,
        Status.SKIPPED,
    ]
    assert [project.documents.get(i).split for i in ids] == [None, "dev", "dev"]
    project.documents.set_split([ids[1]], None)
    assert project.documents.get(ids[1]).split is None
    with pytest.raises(ValueError):
        project.documents.set_status(ids, "finished")
    assert project.documents.get(ids[0]).status is Status.DONE


def test_document_that_does_not_exist(project: Project):
    with pytest.raises(ProjectError, match="no document 42"):
        project.documents.get(42)


# -- spans -----------------------------------------------------------------------------------


@pytest.fixture
def doc(project: Project) -> int:
    text = "Angela Merkel met Apple's CEO in New York-based offices"
    (doc_id,) = project.documents.add([record(text, {"Angela Merkel": "PER"})]).document_ids
    return doc_id


def test_add_span_on_token_boundaries(project: Project, doc: int):
    text = project.documents.get(doc).text
    apple = span(text, "Apple", "ORG")
    stored = project.spans.add(doc, apple.start, apple.end, "ORG")
    assert isinstance(stored, StoredSpan)
    assert stored.span == apple and stored.origin == "human"
    york = span(text, "New York", "LOC")
    project.spans.add(doc, york.start, york.end, "LOC", origin="model")
    assert doc_spans(project, doc) == [
        ("Angela Merkel", "PER"),
        ("Apple", "ORG"),
        ("New York", "LOC"),
    ]
    assert [s.origin for s in project.spans.list(doc)] == ["human", "human", "model"]


def test_add_span_refuses_overlap_and_off_token_boundaries(project: Project, doc: int):
    text = project.documents.get(doc).text
    merkel = span(text, "Merkel", "PER")
    with pytest.raises(SpanError, match="overlaps"):
        project.spans.add(doc, merkel.start, merkel.end, "PER")
    with pytest.raises(SpanError, match="token boundaries"):
        project.spans.add(doc, merkel.start + 1, merkel.end, "PER")  # "erkel"
    apples = span(text, "Apple's", "ORG")
    with pytest.raises(SpanError, match="token boundaries"):
        project.spans.add(doc, apples.start, apples.end - 1, "ORG")  # "Apple'"
    with pytest.raises(SpanError, match="outside the text"):
        project.spans.add(doc, len(text) - 7, len(text) + 5, "LOC")
    with pytest.raises(LabelError, match="no label"):
        project.spans.add(doc, apples.start, apples.start + 5, "COMPANY")
    assert doc_spans(project, doc) == [("Angela Merkel", "PER")]


def test_adjacent_spans_are_allowed(project: Project, doc: int):
    text = project.documents.get(doc).text
    a, b = span(text, "Angela", "PER"), span(text, "Merkel", "PER")
    project.spans.remove(project.spans.list(doc)[0].id)
    project.spans.add(doc, a.start, a.end, "PER")
    project.spans.add(doc, b.start, b.end, "PER")
    assert doc_spans(project, doc) == [("Angela", "PER"), ("Merkel", "PER")]


def test_remove_span_returns_what_was_removed(project: Project, doc: int):
    (stored,) = project.spans.list(doc)
    removed = project.spans.remove(stored.id)
    assert removed == stored
    assert removed.span == span(project.documents.get(doc).text, "Angela Merkel", "PER")
    assert project.spans.list(doc) == []
    with pytest.raises(SpanError, match="no span"):
        project.spans.remove(stored.id)
    # undo: putting it back works
    project.spans.add(doc, removed.start, removed.end, removed.label)
    assert doc_spans(project, doc) == [("Angela Merkel", "PER")]


def test_relabel_span_returns_the_span_as_it_was(project: Project, doc: int):
    (stored,) = project.spans.list(doc)
    previous = project.spans.relabel(stored.id, "ORG")
    assert previous == stored
    assert previous.label == "PER"
    assert doc_spans(project, doc) == [("Angela Merkel", "ORG")]
    with pytest.raises(LabelError):
        project.spans.relabel(stored.id, "COMPANY")
    assert doc_spans(project, doc) == [("Angela Merkel", "ORG")]


# -- queries ---------------------------------------------------------------------------------


@pytest.fixture
def corpus(project: Project) -> list[int]:
    """Seven documents with a mix of statuses, splits and labels."""
    return list(
        project.documents.add(
            [
                record(
                    "Anna Berg visited Paris",
                    {"Anna Berg": "PER", "Paris": "LOC"},
                    status=Status.DONE,
                    split="train",
                ),
                record("Nothing to see here", status=Status.DONE, split="train"),
                record("Globex hired Omar", {"Globex": "ORG", "Omar": "PER"}, split="dev"),
                record("The café in Zürich opened", {"Zürich": "LOC"}, status=Status.DONE),
                record('He said "AND OR NOT" (quoted) near: x*', status=Status.SKIPPED),
                record(
                    "Initech moved to Osaka",
                    {"Initech": "ORG", "Osaka": "LOC"},
                    status=Status.IN_PROGRESS,
                    split="dev",
                ),
                record("Paris again, without labels", split="test"),
            ]
        ).document_ids
    )


def test_list_documents_pages_in_id_order(project: Project, corpus: list[int]):
    pages = [project.documents.list(DocumentQuery(offset=o, limit=3)) for o in (0, 3, 6, 9)]
    assert [len(page) for page in pages] == [3, 3, 1, 0]
    assert [row.id for page in pages for row in page] == corpus
    first = pages[0][0]
    assert (first.preview, first.status, first.split, first.entity_count) == (
        "Anna Berg visited Paris",
        Status.DONE,
        "train",
        2,
    )
    assert project.documents.count(DocumentQuery(offset=3, limit=1)) == 7  # paging ignored


def test_list_documents_preview_is_cut(project: Project):
    project.documents.add([record("word " * 100)])
    (row,) = project.documents.list()
    assert 0 < len(row.preview) < 500
    assert ("word " * 100).startswith(row.preview)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (DocumentQuery(status=Status.DONE), [0, 1, 3]),
        (DocumentQuery(status=Status.NEW), [2, 6]),
        (DocumentQuery(split="dev"), [2, 5]),
        (DocumentQuery(label="PER"), [0, 2]),
        (DocumentQuery(label="LOC"), [0, 3, 5]),
        (DocumentQuery(label="ORG", status=Status.NEW), [2]),
        (DocumentQuery(search="paris"), [0, 6]),
        (DocumentQuery(search="Paris", label="LOC"), [0]),
        (DocumentQuery(search="zurich"), [3]),  # diacritics folded
        (DocumentQuery(search="cafe"), [3]),
        (DocumentQuery(search="omar globex"), [2]),  # every word must appear
        (DocumentQuery(search="   "), [0, 1, 2, 3, 4, 5, 6]),  # blank search = no filter
        (DocumentQuery(search="Berlin"), []),
    ],
)
def test_list_documents_filters(project: Project, corpus: list[int], query, expected):
    assert [row.id for row in project.documents.list(query)] == [corpus[i] for i in expected]
    assert project.documents.count(query) == len(expected)


@pytest.mark.parametrize(
    "search",
    [
        '"AND OR NOT"',
        "AND",
        "NOT",
        "OR",
        "(quoted)",
        "near:",
        "x*",
        '"unbalanced',
        "'",
        '"',
        '""',
        "-",
        "^",
        "NEAR(a b)",
        "text:Paris",
        "{text}: Paris",
        "a AND",
    ],
)
def test_search_with_fts_syntax_characters_does_not_raise(
    project: Project, corpus: list[int], search: str
):
    rows = project.documents.list(DocumentQuery(search=search))
    assert project.documents.count(DocumentQuery(search=search)) == len(rows)


def test_search_finds_text_that_looks_like_fts_syntax(project: Project, corpus: list[int]):
    assert [r.id for r in project.documents.list(DocumentQuery(search='"AND OR NOT"'))] == [
        corpus[4]
    ]
    assert [r.id for r in project.documents.list(DocumentQuery(search="(quoted)"))] == [corpus[4]]


def test_search_sees_edits_and_new_documents(project: Project, corpus: list[int]):
    assert project.documents.count(DocumentQuery(search="Nairobi")) == 0
    project.documents.add([record("Kofi lives in Nairobi")])
    assert project.documents.count(DocumentQuery(search="nairobi")) == 1


def test_iter_documents_pairs_each_document_with_its_own_spans(project: Project, corpus: list[int]):
    records = list(project.documents.iter())
    assert [r.id for r in records] == corpus
    assert [[(r.text[s.start : s.end], s.label) for s in r.spans] for r in records] == [
        [("Anna Berg", "PER"), ("Paris", "LOC")],
        [],
        [("Globex", "ORG"), ("Omar", "PER")],
        [("Zürich", "LOC")],
        [],
        [("Initech", "ORG"), ("Osaka", "LOC")],
        [],
    ]
    assert all(r.tokens == tuple(tokenize(r.text)) for r in records)
    assert [r.split for r in records] == ["train", "train", "dev", None, None, "dev", "test"]


def test_iter_documents_filters_keep_spans_with_their_documents(
    project: Project, corpus: list[int]
):
    done = list(project.documents.iter(status=Status.DONE))
    assert [r.id for r in done] == [corpus[0], corpus[1], corpus[3]]
    assert [[s.label for s in r.spans] for r in done] == [["PER", "LOC"], [], ["LOC"]]
    dev = list(project.documents.iter(split="dev"))
    assert [[r.text[s.start : s.end] for s in r.spans] for r in dev] == [
        ["Globex", "Omar"],
        ["Initech", "Osaka"],
    ]
    assert list(project.documents.iter(status=Status.DONE, split="dev")) == []


def test_iter_documents_spans_sorted_after_edits(project: Project, corpus: list[int]):
    text = project.documents.get(corpus[1]).text
    here, see = span(text, "here", "LOC"), span(text, "see", "PER")
    project.spans.add(corpus[1], here.start, here.end, "LOC")
    project.spans.add(corpus[1], see.start, see.end, "PER")
    (second,) = [r for r in project.documents.iter() if r.id == corpus[1]]
    assert second.spans == (see, here)


def test_stats(project: Project, corpus: list[int]):
    stats = project.stats()
    assert stats.documents == 7
    assert stats.done == 3
    assert stats.tokens == sum(len(tokenize(r.text)) for r in project.documents.iter())
    assert stats.entities == {"PER": 2, "ORG": 2, "LOC": 3}
    assert stats.by_status == {"new": 2, "in_progress": 1, "done": 3, "skipped": 1}
    assert stats.by_split == {"train": 2, "dev": 2, "test": 1, "(none)": 2}
    assert stats.to_json()["entities"] == stats.entities


def test_stats_of_an_empty_project(project: Project):
    stats = project.stats()
    assert (stats.documents, stats.done, stats.tokens) == (0, 0, 0)
    assert stats.entities == {"PER": 0, "ORG": 0, "LOC": 0}
    assert stats.by_status == {"new": 0, "in_progress": 0, "done": 0, "skipped": 0}


# -- persistence and concurrency -------------------------------------------------------------


def test_everything_survives_close_and_reopen(path: Path):
    with Project.create(path, ["PER", "LOC"]) as project:
        project.labels.recolor("LOC", "#010203")
        project.labels.reorder(["LOC", "PER"])
        ids = project.documents.add(
            [
                record("Anna Berg visited Paris", {"Anna Berg": "PER"}, source="a.conll:1"),
                record("東京に行く 🇯🇵", meta={"lang": "ja"}),
            ]
        ).document_ids
        text = project.documents.get(ids[0]).text
        paris = span(text, "Paris", "LOC")
        project.spans.add(ids[0], paris.start, paris.end, "LOC")
        project.documents.set_status([ids[0]], Status.DONE)
        project.documents.set_split(ids, "train")
        before_docs = list(project.documents.iter())
        before_labels = project.labels.list()
        before_stats = project.stats()
    with Project.open(path) as project:
        assert project.labels.list() == before_labels
        assert list(project.documents.iter()) == before_docs
        assert project.stats() == before_stats
        assert project.documents.get(ids[1]).meta == {"lang": "ja"}
        assert project.documents.get(ids[1]).tokens == tuple(tokenize("東京に行く 🇯🇵"))
        assert doc_spans(project, ids[0]) == [("Anna Berg", "PER"), ("Paris", "LOC")]


def test_a_second_connection_sees_committed_changes(path: Path):
    with Project.create(path, ["PER"]) as writer, Project.open(path) as reader:
        assert reader.documents.count() == 0
        (doc_id,) = writer.documents.add([record("Anna is here", {"Anna": "PER"})]).document_ids
        assert reader.documents.count() == 1
        assert doc_spans(reader, doc_id) == [("Anna", "PER")]
        # and the other way round: the reader's edits reach the writer
        reader.labels.add("LOC")
        reader.documents.set_status([doc_id], Status.DONE)
        assert [label.name for label in writer.labels.list()] == ["PER", "LOC"]
        assert writer.documents.get(doc_id).status is Status.DONE
        mode = writer.db.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode.lower() == "wal"


def test_a_failed_edit_leaves_the_other_connection_undisturbed(path: Path):
    with Project.create(path, ["PER"]) as writer, Project.open(path) as reader:
        writer.documents.add([record("Anna is here", {"Anna": "PER"})])
        with pytest.raises(SpanError):
            writer.documents.add(
                [record("Omar"), DocumentRecord("x", ((0, 1),), (Span(0, 2, "PER"),))]
            )
        assert reader.documents.count() == 1
        reader.documents.add([record("Li is there")])  # not locked by the failed import
        assert writer.documents.count() == 2


# -- one shape: sub-objects, cheap counts, whole-project operations -----------------------


def test_the_project_is_sub_objects_not_mixins(project: Project):
    """Each table family is a sub-object with the same verbs; nothing is mixed in."""
    assert Project.__mro__ == (Project, object)
    for part in ("documents", "labels", "spans", "runs", "predictions", "annotation_sets"):
        assert not callable(getattr(project, part)), part
    for part, verbs in {
        "documents": ("add", "get", "list", "count", "iter"),
        "labels": ("add", "get", "list", "rename", "delete"),
        "spans": ("add", "list", "remove", "relabel", "restore"),
    }.items():
        assert all(callable(getattr(getattr(project, part), verb)) for verb in verbs), part


def test_splits_and_entity_counts_agree_with_stats(project: Project):
    """The GUI thread reads these two instead of ``stats()`` (which reads every token)."""
    ids = project.documents.add(
        [
            record("Anna met Omar", {"Anna": "PER", "Omar": "PER"}, split="train"),
            record("Lima is far", {"Lima": "LOC"}, split="dev"),
            record("Nothing here"),
        ]
    ).document_ids
    assert ids
    stats = project.stats()
    assert project.documents.splits() == stats.by_split == {"train": 1, "dev": 1, "(none)": 1}
    assert project.spans.entity_counts() == stats.entities == {"PER": 2, "ORG": 0, "LOC": 1}
    assert list(project.spans.entity_counts()) == ["PER", "ORG", "LOC"]  # label order


def test_checkpoint_full_check_and_copy_to(project: Project, tmp_path: Path):
    """What sample, check and assign asked of ``project.db`` directly."""
    project.documents.add([record("Anna met Omar", {"Anna": "PER"})])
    project.checkpoint()
    assert project.full_check() == []
    copy = tmp_path / "copy.db"
    project.copy_to(copy)
    assert not Path(f"{copy}-wal").exists()  # one self-contained file
    with Project.open(copy) as copied:
        assert [d.text for d in copied.documents.iter()] == ["Anna met Omar"]


def test_pasted_text_is_one_tokenized_document(project: Project):
    from nerstudio.core.transfer import import_text

    document_id = import_text(project, "  Anna flew to Oslo.\n", source="clipboard")
    stored = project.documents.get(document_id)
    assert stored.text == "Anna flew to Oslo."
    assert stored.tokens == tuple(tokenize("Anna flew to Oslo."))
    assert stored.source == "clipboard"
    with pytest.raises(NerstudioError, match="clipboard: holds no text"):
        import_text(project, "   ")
