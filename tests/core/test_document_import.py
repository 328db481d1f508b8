"""Document files into a project: cut per file, page, section or paragraph, each document
recording its source file, offset and blocks; per-file transactions with refusals listed;
exports that lead back to the words of the extracted text (issue 27)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nerstudio.core.errors import FormatError
from nerstudio.core.formats import document_readers as registry
from nerstudio.core.formats.documents.plain import read as read_plain_document
from nerstudio.core.formats.extracted import Block, Extracted
from nerstudio.core.records import DocumentRecord, Origin, Region, Status
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize
from nerstudio.core.transfer import ImportOptions, export_corpus, import_files
from nerstudio.core.transfer.document_import import (
    LONG_TEXT,
    choose_split,
    records_of,
)

PAGES = [
    "Report on Harbour Works\n\nAlice Moreau inspected the pier at Brest.",
    "Second page. Omar Haddad signed the contract in Lyon.",
    "Third page. Nothing here but Alice Moreau again.",
]


def paged(text_pages: list[str], source: str = "report.pdf") -> Extracted:
    """What a PDF reader hands over: pages joined by a blank line, a block per page's
    paragraph (the first page opening with a heading)."""
    text, pages, blocks = "", [], []
    for number, page in enumerate(text_pages, 1):
        if text:
            text += "\n\n"
        start = len(text)
        text += page
        pages.append((start, len(text)))
        offset = start
        for k, para in enumerate(page.split("\n\n")):
            kind = "heading" if number == 1 and k == 0 else "paragraph"
            level = 1 if kind == "heading" else None
            blocks.append(Block(offset, offset + len(para), kind, number, level))
            offset += len(para) + 2
    return Extracted(source, text, tuple(blocks), tuple(pages), dropped=("3 page numbers",))


def read_fake_pdf(path: Path) -> Extracted:
    """A stand-in PDF reader for these tests: pages separated by form feeds."""
    data = path.read_text(encoding="utf-8")
    if data.startswith("%broken"):
        raise FormatError(path, "not a PDF (the file is damaged or cut short)")
    if data.startswith("%bug"):
        raise RuntimeError("reader bug")
    return paged(data.split("\f"), path.name)


@pytest.fixture
def pdf_reader(monkeypatch):
    """``.pdf`` read by the stand-in reader, as the real readers will be registered."""
    readers = {".txt": read_plain_document, ".pdf": read_fake_pdf}
    monkeypatch.setattr(registry, "document_readers", lambda: readers)


@pytest.fixture
def project(tmp_path):
    with Project.create(tmp_path / "p.db", ["PER", "LOC"]) as project:
        yield project


def write_pdf(path: Path, pages: list[str] = PAGES) -> Path:
    path.write_text("\f".join(pages), encoding="utf-8")
    return path


# -- reading and cutting -------------------------------------------------------------------


def test_plain_text_gives_one_paragraph_block_per_blank_line_run(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("  First line\nsame paragraph.\n\n\nSecond one.  \n", encoding="utf-8")
    extracted = read_plain_document(path)
    assert [extracted.text[b.start : b.end] for b in extracted.blocks] == [
        "First line\nsame paragraph.",
        "Second one.",
    ]
    assert {b.kind for b in extracted.blocks} == {"paragraph"}


def test_auto_keeps_a_short_file_whole_and_cuts_a_long_one_by_page_or_section():
    short = paged(PAGES)
    assert choose_split(short, None)[0] == "file"
    long_pages = paged([p * (LONG_TEXT // 100) for p in PAGES])
    assert choose_split(long_pages, "auto") == (
        "page",
        f"auto: over {LONG_TEXT:,} characters, paged",
    )
    text = "\n\n".join(f"Part {i}\n\n" + "words " * 2000 for i in range(3))
    heads = []
    for i in range(3):
        start = text.index(f"Part {i}")
        heads.append(Block(start, start + 6, "heading", level=1))
    sectioned = Extracted("a.docx", text, tuple(heads))
    assert choose_split(sectioned, None)[0] == "section"
    plain = Extracted("a.txt", "word " * 5000, (Block(0, 24999, "paragraph"),))
    assert choose_split(plain, None)[0] == "file"  # long, nothing to cut at


def test_asking_for_pages_of_an_unpaged_file_says_so():
    unpaged = Extracted("a.docx", "One.", (Block(0, 4, "paragraph"),))
    assert choose_split(unpaged, "page") == ("file", "asked per page, but it has no pages")
    assert choose_split(unpaged, "section")[0] == "file"


def test_per_page_documents_have_offsets_rebased_and_blocks_with_pages():
    extracted = paged(PAGES)
    records = records_of(extracted, "report.pdf", "page")
    assert [r.text for r in records] == PAGES
    for number, record in enumerate(records, 1):
        origin = record.origin
        assert origin.file == "report.pdf"
        assert extracted.text[origin.offset : origin.offset + len(record.text)] == record.text
        assert origin.pages == ((0, len(record.text), number),)
        assert all(0 <= r.start < r.end <= len(record.text) for r in origin.regions)
    first = records[0].origin.regions
    assert (first[0].kind, first[0].level, records[0].text[first[0].start : first[0].end]) == (
        "heading",
        1,
        "Report on Harbour Works",
    )


def test_per_file_keeps_every_page_range_in_one_document():
    (record,) = records_of(paged(PAGES), "report.pdf", "file")
    pages = record.origin.pages
    assert [p[2] for p in pages] == [1, 2, 3]
    omar = record.text.index("Omar")
    assert record.origin.page_at(omar) == 2


def test_per_section_cuts_at_the_top_headings_only():
    text = "Intro.\n\nA\n\nalpha\n\nA.1\n\nsub\n\nB\n\nbeta"
    blocks = []
    for word, kind, level in [
        ("Intro.", "paragraph", None),
        ("A", "heading", 1),
        ("alpha", "paragraph", None),
        ("A.1", "heading", 2),
        ("sub", "paragraph", None),
        ("B", "heading", 1),
        ("beta", "paragraph", None),
    ]:
        start = text.index(word, blocks[-1].end if blocks else 0)
        blocks.append(Block(start, start + len(word), kind, level=level))
    records = records_of(Extracted("a.docx", text, tuple(blocks)), "a.docx", "section")
    assert [r.text for r in records] == ["Intro.", "A\n\nalpha\n\nA.1\n\nsub", "B\n\nbeta"]
    assert records[2].origin.offset == text.index("B\n\nbeta")


def test_per_paragraph_joins_a_heading_to_its_paragraph_and_keeps_a_table_together():
    text = "Title\n\nBody text.\n\ncell 1\tcell 2\n\nEnd."
    spans = [("Title", "heading"), ("Body text.", "paragraph"), ("cell 1", "table-cell")]
    spans += [("cell 2", "table-cell"), ("End.", "paragraph")]
    blocks = [Block(text.index(w), text.index(w) + len(w), k) for w, k in spans]
    records = records_of(Extracted("a.docx", text, tuple(blocks)), "a.docx", "paragraph")
    assert [r.text for r in records] == ["Title\n\nBody text.", "cell 1\tcell 2", "End."]


# -- the store -----------------------------------------------------------------------------


def test_the_store_keeps_a_documents_origin_and_blocks(project):
    origin = Origin("a.pdf", 7, (Region(0, 5, "heading", 2, 1), Region(7, 12, "paragraph", 3)))
    record = DocumentRecord("Title\n\nBody.", tuple(tokenize("Title\n\nBody.")), origin=origin)
    (doc,) = project.documents.add([record]).document_ids
    assert project.documents.get(doc).origin == origin
    assert project.documents.sources([doc]) == {doc: ("a.pdf", 2)}
    assert project.documents.has_files()
    plain = project.documents.add([DocumentRecord("x", ((0, 1),))]).document_ids[0]
    assert project.documents.get(plain).origin is None
    assert project.documents.origins([doc, plain]) == {doc: origin}


# -- import --------------------------------------------------------------------------------


def test_importing_a_paged_file_per_page_reports_the_cut_and_what_was_dropped(
    pdf_reader, project, tmp_path
):
    path = write_pdf(tmp_path / "report.pdf")
    summary = import_files(project, [path], options=ImportOptions(per="page"))
    assert summary.documents == 3
    (read,) = summary.documents_read
    assert read.line().startswith("report.pdf: 3 pages, ")
    assert "-> 3 documents (one per page: as asked)" in read.line()
    assert "left out 3 page numbers" in read.line()
    records = list(project.documents.iter())
    ids = [r.id for r in records]
    assert project.documents.sources(ids) == {i: ("report.pdf", n) for n, i in enumerate(ids, 1)}


def test_a_folder_keeps_every_good_file_and_lists_each_refusal(
    pdf_reader, project, tmp_path, monkeypatch
):
    from nerstudio.core import bug_report

    monkeypatch.setattr(bug_report, "log_folder", lambda: tmp_path / "logs")
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    write_pdf(folder / "a.pdf")
    (folder / "broken.pdf").write_text("%broken", encoding="utf-8")
    (folder / "sub" / "bug.pdf").write_text("%bug", encoding="utf-8")
    (folder / "empty.txt").write_text("\n\n", encoding="utf-8")
    (folder / "note.txt").write_text("Alice wrote.", encoding="utf-8")
    heard: list[tuple[str, int, int]] = []
    summary = import_files(project, [folder], on_file=lambda *told: heard.append(told))
    assert heard[0] == ("a.pdf", 1, 5) and heard[-1] == ("sub/bug.pdf", 5, 5)
    assert [f.name for f in summary.documents_read] == ["a.pdf", "note.txt"]
    assert len(summary.refused) == 3
    assert any("broken.pdf" in line and "damaged" in line for line in summary.refused)
    assert any(line.startswith("sub/bug.pdf: internal error") for line in summary.refused)
    assert any("empty.txt" in line and "no text" in line for line in summary.refused)
    assert all("\n" not in line for line in summary.refused)
    sources = {r.source for r in project.documents.iter()}
    assert sources == {"a.pdf", "note.txt"}
    assert len(list((tmp_path / "logs").glob("bug-*.log"))) == 1  # the reader's bug, saved


def test_a_txt_file_stays_one_document_per_line_unless_per_is_given(project, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Line one.\nLine two.\n", encoding="utf-8")
    assert import_files(project, [path]).documents == 2
    summary = import_files(project, [path], options=ImportOptions(per="file"))
    assert summary.documents == 1 and summary.documents_read[0].name == "a.txt"


# -- export --------------------------------------------------------------------------------


def tag_and_finish(project: Project, words: dict[str, str]) -> None:
    """Tag every occurrence of each word (as a person would in the window) and mark done."""
    for record in project.documents.iter():
        for word, label in words.items():
            at = record.text.find(word)
            while at != -1:
                project.spans.add(record.id, at, at + len(word), label)
                at = record.text.find(word, at + 1)
        project.documents.set_status([record.id], Status.DONE)


@pytest.mark.parametrize("per", ["page", "file"])
def test_exported_jsonl_source_page_and_offsets_lead_back_to_the_words(
    pdf_reader, project, tmp_path, per
):
    path = write_pdf(tmp_path / "report.pdf")
    import_files(project, [path], options=ImportOptions(per=per))
    tag_and_finish(project, {"Alice Moreau": "PER", "Omar Haddad": "PER", "Lyon": "LOC"})
    out = tmp_path / "out.jsonl"
    export_corpus(project, out, "jsonl")
    extracted = read_fake_pdf(path)
    found = []
    for line in out.read_text(encoding="utf-8").splitlines():
        obj = json.loads(line)
        assert obj["source"] == "report.pdf"
        assert obj["page"] == obj["pages"][0][2]
        for start, end, label in obj["label"]:
            at = obj["offset"] + start
            word = extracted.text[at : obj["offset"] + end]
            page = next(p for s, e, p in obj["pages"] if s <= start < e)
            assert page == extracted.page_at(at)
            found.append((word, label, page))
    assert sorted(found) == [
        ("Alice Moreau", "PER", 1),
        ("Alice Moreau", "PER", 3),
        ("Lyon", "LOC", 2),
        ("Omar Haddad", "PER", 2),
    ]


def test_conll_labelstudio_and_brat_carry_the_source_and_page(pdf_reader, project, tmp_path):
    import_files(project, [write_pdf(tmp_path / "report.pdf")], options=ImportOptions(per="page"))
    tag_and_finish(project, {"Lyon": "LOC"})
    export_corpus(project, tmp_path / "c.conll", "conll")
    conll = (tmp_path / "c.conll").read_text(encoding="utf-8")
    assert "# source = report.pdf\n# page = 2\n" in conll
    export_corpus(project, tmp_path / "ls.json", "labelstudio")
    tasks = json.loads((tmp_path / "ls.json").read_text(encoding="utf-8"))
    assert [(t["data"]["source"], t["data"]["page"]) for t in tasks] == [
        ("report.pdf", 1),
        ("report.pdf", 2),
        ("report.pdf", 3),
    ]
    export_corpus(project, tmp_path / "brat", "brat")
    ann = (tmp_path / "brat" / "doc-000002.ann").read_text(encoding="utf-8")
    assert "AnnotatorNotes T1\treport.pdf, page 2, characters" in ann
    export_corpus(project, tmp_path / "c.jsonl", "jsonl")
    # and each reads back in nerstudio's own readers, the provenance fields no obstacle
    with Project.create(tmp_path / "back.db", []) as back:
        for target in ("c.conll", "ls.json", "brat", "c.jsonl"):
            assert import_files(back, [tmp_path / target]).spans == 1


def test_a_project_of_the_last_schema_gains_the_provenance_tables(tmp_path):
    from nerstudio.core.store import connection, provenance
    from nerstudio.core.store.schema import MIGRATIONS

    path = tmp_path / "old.db"
    with Project.create(path, ["PER"]) as project:
        project.documents.add([DocumentRecord("Anna", ((0, 4),))])
    db = connection.connect(path)
    with db.atomic():  # as the schema before the provenance migration left it
        db.execute("DROP TABLE document_blocks")
        db.execute("DROP TABLE document_origins")
        db.execute(
            "UPDATE project_meta SET value = ? WHERE key = 'schema_version'",
            [MIGRATIONS.index(provenance.migration)],
        )
    db.close()
    with Project.open(path) as project:
        assert not project.documents.has_files()
        assert project.documents.get(1).text == "Anna"
        origin = Origin("a.txt", 0, (Region(0, 3, "paragraph"),))
        record = DocumentRecord("Bob", ((0, 3),), origin=origin)
        (doc,) = project.documents.add([record]).document_ids
        assert project.documents.get(doc).origin == origin


# -- every cut, any structure ----------------------------------------------------------------


@st.composite
def extractions(draw) -> Extracted:
    """Text of words and blank lines; blocks over its paragraphs (some headings of level
    1 or 2), pages over runs of blocks, or none."""
    paragraphs = draw(st.lists(st.text("ab ", min_size=1, max_size=12), min_size=1, max_size=8))
    text, blocks = "", []
    for para in paragraphs:
        text += "\n\n" if text else ""
        kind = draw(st.sampled_from(["heading", "paragraph", "table-cell"]))
        level = draw(st.sampled_from([1, 2])) if kind == "heading" else None
        if para.strip():
            start = len(text) + len(para) - len(para.lstrip())
            blocks.append(Block(start, len(text) + len(para.rstrip()), kind, level=level))
        text += para
    pages = []
    if blocks and draw(st.booleans()):
        cuts = (
            sorted(set(draw(st.lists(st.integers(1, len(blocks) - 1), max_size=3))))
            if len(blocks) > 1
            else []
        )
        edges = [0, *cuts, len(blocks)]
        pages = [(blocks[a].start, blocks[b - 1].end) for a, b in itertools.pairwise(edges)]
    return Extracted("x.pdf", text, tuple(blocks), tuple(pages))


@settings(max_examples=150, deadline=None)
@given(extractions(), st.sampled_from(["auto", "file", "page", "section", "paragraph"]))
def test_every_cut_gives_slices_of_the_text_with_blocks_inside_them(extracted, asked):
    chosen, _ = choose_split(extracted, asked)
    records = records_of(extracted, "x.pdf", chosen)
    previous_end = 0
    for record in records:
        origin = record.origin
        assert record.text.strip() and record.text == record.text.strip()
        assert extracted.text[origin.offset : origin.offset + len(record.text)] == record.text
        assert origin.offset >= previous_end  # in order, never overlapping
        previous_end = origin.offset + len(record.text)
        for region in origin.regions:
            assert 0 <= region.start < region.end <= len(record.text)
            whole = extracted.page_at(origin.offset + region.start)
            assert region.page == whole
    if chosen != "page":  # pages may leave out what lies between them
        for block in extracted.blocks:
            assert any(
                r.origin.offset <= block.start and block.end <= r.origin.offset + len(r.text)
                for r in records
            )
