"""``nerstudio import --per`` for document files, refusals listed one line each, and
``nerstudio export --format jsonl`` carrying ``source`` and ``page`` (issue 27)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nerstudio.cli import main
from nerstudio.core.errors import FormatError
from nerstudio.core.formats import document_readers as registry
from nerstudio.core.formats.documents.plain import read as read_plain_document
from nerstudio.core.formats.extracted import Block, Extracted


def read_fake_pdf(path: Path) -> Extracted:
    """A stand-in PDF reader: pages separated by form feeds; ``%broken`` is refused."""
    data = path.read_text(encoding="utf-8")
    if data.startswith("%broken"):
        raise FormatError(path, "not a PDF (damaged or cut short)")
    text, pages = "", []
    for page in data.split("\f"):
        text += "\n\n" if text else ""
        pages.append((len(text), len(text) + len(page)))
        text += page
    blocks = tuple(Block(s, e, "paragraph", n) for n, (s, e) in enumerate(pages, 1))
    return Extracted(path.name, text, blocks, tuple(pages), dropped=("2 running headers",))


@pytest.fixture(autouse=True)
def pdf_reader(monkeypatch):
    readers = {".txt": read_plain_document, ".pdf": read_fake_pdf}
    monkeypatch.setattr(registry, "document_readers", lambda: readers)


def run(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path, capsys) -> Path:
    path = tmp_path / "corpus.db"
    assert run(capsys, "init", path, "--labels", "PER,LOC")[0] == 0
    return path


def test_import_per_page_says_what_was_read_and_left_out(tmp_path, db, capsys):
    pdf = tmp_path / "report.pdf"
    pdf.write_text("Alice in Paris.\fBob in Lyon.", encoding="utf-8")
    code, out, err = run(capsys, "import", db, pdf, "--per", "page")
    assert code == 0
    assert out == "imported 2 documents with 0 entities\n"
    assert err.startswith("read report.pdf: 2 pages, 29 characters -> 2 documents (one per page")
    assert "left out 2 running headers" in err
    code, out, _ = run(capsys, "export", db, "-", "--format", "jsonl", "--all")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["source"], r["page"], r["offset"], r["text"]) for r in rows] == [
        ("report.pdf", 1, 0, "Alice in Paris."),
        ("report.pdf", 2, 17, "Bob in Lyon."),
    ]


def test_a_folder_keeps_the_good_files_and_refuses_each_bad_one_on_its_line(tmp_path, db, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.pdf").write_text("Alice.", encoding="utf-8")
    (folder / "bad.pdf").write_text("%broken", encoding="utf-8")
    (folder / "worse.pdf").write_text("%broken again", encoding="utf-8")
    code, out, err = run(capsys, "import", db, folder)
    assert code == 1  # not everything came in
    assert out == "imported 1 document with 0 entities; 2 files refused\n"
    refused = [line for line in err.splitlines() if line.startswith("refused ")]
    assert len(refused) == 2
    assert all("not a PDF" in line for line in refused)
    assert "Traceback" not in err


def test_asking_pages_of_a_text_file_falls_back_to_one_document_and_says_so(tmp_path, db, capsys):
    txt = tmp_path / "a.txt"
    txt.write_text("One.\n\nTwo.\n", encoding="utf-8")
    code, _, err = run(capsys, "import", db, txt, "--per", "page")
    assert code == 0
    assert "-> 1 document (one document: asked per page, but it has no pages)" in err


def test_per_rejects_an_unknown_cut(tmp_path, db, capsys):
    with pytest.raises(SystemExit):
        main(["import", str(db), str(tmp_path), "--per", "chapter"])


def test_per_reads_a_folder_of_text_files_as_document_files(tmp_path, db, capsys):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text("Alice came.\n\nBob left.\n", encoding="utf-8")
    (folder / "b.txt").write_text("Carol stayed.\n", encoding="utf-8")
    code, out, err = run(capsys, "import", db, folder, "--per", "paragraph")
    assert code == 0, err
    assert out == "imported 3 documents with 0 entities\n"
    assert "read a.txt: 22 characters -> 2 documents (one per paragraph: as asked)" in err
