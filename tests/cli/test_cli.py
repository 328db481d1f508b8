"""The ``nerstudio`` command, driven in-process through ``main`` as a user would type it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nerstudio.cli import main

CONLL_A = "Anna\tB-PER\nBerg\tI-PER\nflew\tO\nto\tO\nParis\tB-LOC\n\nOmar\tB-PER\nslept\tO\n\n"
CONLL_B = "Acme\tB-ORG\nhired\tO\nLi\tB-PER\nWei\tI-PER\n\n"
JSONL_C = '{"text": "Maria Rossi visited Oslo.", "label": [[0, 11, "PER"], [20, 24, "LOC"]]}\n'


def write(path: Path, content: str | bytes) -> Path:
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def run(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def stats(capsys, db: Path) -> dict:
    code, out, _ = run(capsys, "stats", db, "--json")
    assert code == 0
    return json.loads(out)


def assert_one_line_error(code: int, out: str, err: str, *fragments: str) -> None:
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("nerstudio: error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture
def db(tmp_path, capsys) -> Path:
    path = tmp_path / "corpus.db"
    code, _, _ = run(capsys, "init", path, "--labels", "PER,ORG,LOC")
    assert code == 0
    return path


# -- the happy path ----------------------------------------------------------------------------


def test_init_creates_a_project_with_labels(tmp_path, capsys):
    path = tmp_path / "new.db"

    code, out, err = run(capsys, "init", path, "--labels", "PER, ORG,LOC,")

    assert code == 0
    assert path.is_file()
    assert out.strip() == f"created {path} (labels: PER, ORG, LOC)"
    assert err == ""
    assert stats(capsys, path)["entities"] == {"PER": 0, "ORG": 0, "LOC": 0}


def test_init_without_labels(tmp_path, capsys):
    code, out, _ = run(capsys, "init", tmp_path / "bare.db")

    assert code == 0
    assert "labels: none yet" in out


def test_init_refuses_to_overwrite_an_existing_file(db, capsys):
    before = db.read_bytes()

    code, out, err = run(capsys, "init", db, "--labels", "X")

    assert_one_line_error(code, out, err, str(db), "already exists")
    assert db.read_bytes() == before


def test_import_several_files_of_different_formats(tmp_path, db, capsys):
    a = write(tmp_path / "a.conll", CONLL_A)
    b = write(tmp_path / "b.conll", CONLL_B)
    c = write(tmp_path / "c.jsonl", JSONL_C)

    code, out, err = run(capsys, "import", db, a, b, c)

    assert code == 0
    assert out.strip() == "imported 4 documents with 7 entities"
    assert "note: a.conll: tag scheme IOB2" in err
    assert "Traceback" not in err
    assert stats(capsys, db) == {
        "documents": 4,
        "done": 4,
        "tokens": 16,  # 7 + 4 + "Maria Rossi visited Oslo ."
        "entities": {"PER": 4, "ORG": 1, "LOC": 2},
        "by_status": {"new": 0, "in_progress": 0, "done": 4, "skipped": 0},
        "by_split": {"(none)": 4},
    }


def test_import_reports_new_labels(tmp_path, db, capsys):
    path = write(tmp_path / "g.conll", "Jazz\tB-GENRE\nrules\tO\n\n")

    code, out, _ = run(capsys, "import", db, path)

    assert code == 0
    assert out.strip() == "imported 1 document with 1 entity; new labels: GENRE"
    assert "GENRE" in stats(capsys, db)["entities"]


def test_import_with_split(tmp_path, db, capsys):
    run(capsys, "import", db, write(tmp_path / "a.conll", CONLL_A), "--split", "train")
    run(capsys, "import", db, write(tmp_path / "b.conll", CONLL_B), "--split", "dev")

    assert stats(capsys, db)["by_split"] == {"dev": 1, "train": 2}


def test_import_with_format_overrides_the_suffix(tmp_path, db, capsys):
    # A .data file of CoNLL, and a .txt file that must be read as plain text lines.
    conll = write(tmp_path / "corpus.data", CONLL_B)
    prose = write(tmp_path / "notes.txt", "Paris\tB-LOC\nOmar\tB-PER\n")

    assert run(capsys, "import", db, conll, "--format", "conll")[0] == 0
    assert run(capsys, "import", db, prose, "--format", "text")[0] == 0

    numbers = stats(capsys, db)
    assert numbers["documents"] == 3
    assert numbers["done"] == 1  # the text lines arrive as new documents
    assert numbers["by_status"]["new"] == 2


def test_import_text_paragraphs(tmp_path, db, capsys):
    path = write(tmp_path / "p.txt", "One.\nStill one.\n\nTwo.\n")

    code, out, _ = run(capsys, "import", db, path, "--paragraphs")

    assert code == 0
    assert out.strip() == "imported 2 documents with 0 entities"


def test_stats_json_has_the_documented_keys(tmp_path, db, capsys):
    run(capsys, "import", db, write(tmp_path / "a.conll", CONLL_A))
    run(capsys, "import", db, write(tmp_path / "n.txt", "Not annotated yet\n"))

    numbers = stats(capsys, db)

    assert {"documents", "done", "tokens", "entities"} <= set(numbers)
    assert numbers["documents"] == 3
    assert numbers["done"] == 2
    assert numbers["tokens"] == 7 + 3
    assert numbers["entities"] == {"PER": 2, "ORG": 0, "LOC": 1}


def test_stats_as_text(tmp_path, db, capsys):
    run(capsys, "import", db, write(tmp_path / "a.conll", CONLL_A), "--split", "train")

    code, out, _ = run(capsys, "stats", db)

    assert code == 0
    assert "documents          2  (done 2)" in out
    assert "tokens             7" in out
    assert "PER" in out
    assert "train" in out


def test_export_conll_gives_back_the_imported_file(tmp_path, db, capsys):
    source = write(tmp_path / "a.conll", CONLL_A)
    run(capsys, "import", db, source)
    out_file = tmp_path / "out.conll"

    code, out, err = run(capsys, "export", db, out_file)

    assert code == 0
    assert out.strip() == f"exported 2 documents (7 tokens) to {out_file}"
    assert err == ""
    assert out_file.read_bytes() == source.read_bytes()


def test_export_conll_bioes_scheme(tmp_path, db, capsys):
    run(capsys, "import", db, write(tmp_path / "a.conll", CONLL_A))
    out_file = tmp_path / "out.txt"

    code, _, _ = run(capsys, "export", db, out_file, "--format", "conll", "--scheme", "bioes")

    assert code == 0
    assert out_file.read_text(encoding="utf-8") == (
        "Anna\tB-PER\nBerg\tE-PER\nflew\tO\nto\tO\nParis\tS-LOC\n\nOmar\tS-PER\nslept\tO\n\n"
    )


def test_export_jsonl_keeps_offsets(tmp_path, db, capsys):
    run(capsys, "import", db, write(tmp_path / "c.jsonl", JSONL_C))
    out_file = tmp_path / "out.jsonl"

    code, _, _ = run(capsys, "export", db, out_file)

    assert code == 0
    (record,) = [json.loads(line) for line in out_file.read_text(encoding="utf-8").splitlines()]
    assert record["text"] == "Maria Rossi visited Oslo."
    assert record["label"] == [[0, 11, "PER"], [20, 24, "LOC"]]


def test_export_hf_folder_loads_with_datasets(tmp_path, db, capsys):
    import datasets

    run(capsys, "import", db, write(tmp_path / "a.conll", CONLL_A), "--split", "train")
    run(capsys, "import", db, write(tmp_path / "b.conll", CONLL_B), "--split", "test")
    out_dir = tmp_path / "hf"

    code, out, _ = run(capsys, "export", db, out_dir, "--format", "hf")

    assert code == 0
    assert "exported 3 documents" in out
    loaded = datasets.load_from_disk(str(out_dir))
    assert sorted(loaded.keys()) == ["test", "train"]
    assert loaded["train"].num_rows == 2
    names = loaded["test"].features["ner_tags"].feature.names
    assert names == ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
    assert loaded["test"][0]["tokens"] == ["Acme", "hired", "Li", "Wei"]


def test_export_all_and_split_filters(tmp_path, db, capsys):
    run(capsys, "import", db, write(tmp_path / "a.conll", CONLL_A), "--split", "train")
    run(capsys, "import", db, write(tmp_path / "n.txt", "Fresh text\n"), "--split", "train")

    done_only = run(capsys, "export", db, tmp_path / "d.conll")
    everything = run(capsys, "export", db, tmp_path / "e.conll", "--all", "--split", "train")

    assert "exported 2 documents" in done_only[1]
    assert "exported 3 documents" in everything[1]


# -- errors a user can fix: one line, exit 1 ---------------------------------------------------


def test_bad_conll_tag_is_one_line_naming_file_and_line(tmp_path, db, capsys):
    good = write(tmp_path / "good.conll", CONLL_A)
    bad = write(tmp_path / "bad.conll", "Anna\tB-PER\nBerg\tI-PER\n\nOmar\tX-PER\n\n")

    code, out, err = run(capsys, "import", db, good, bad)

    assert_one_line_error(code, out, err, "bad.conll", "line 4", "X-PER")
    assert stats(capsys, db)["documents"] == 0


def test_non_utf8_file_is_one_line_naming_file_and_line(tmp_path, db, capsys):
    bad = write(tmp_path / "latin1.conll", b"Anna\tB-PER\n\nZ\xfcrich\tB-LOC\n\n")

    code, out, err = run(capsys, "import", db, bad)

    assert_one_line_error(code, out, err, "latin1.conll", "line 3", "UTF-8")


def test_bad_jsonl_line_is_one_line_naming_file_and_line(tmp_path, db, capsys):
    bad = write(tmp_path / "bad.jsonl", JSONL_C + '{"text": "oops", "label": [[0, 99, "PER"]]}\n')

    code, out, err = run(capsys, "import", db, bad)

    assert_one_line_error(code, out, err, "bad.jsonl", "line 2")


def test_missing_input_file_is_one_line(tmp_path, db, capsys):
    code, out, err = run(capsys, "import", db, tmp_path / "nowhere.conll")

    assert_one_line_error(code, out, err, "nowhere.conll", "no such file")


def test_missing_project_file_is_one_line(tmp_path, capsys):
    source = write(tmp_path / "a.conll", CONLL_A)
    missing = tmp_path / "missing.db"

    code, out, err = run(capsys, "import", missing, source)

    assert_one_line_error(code, out, err, "missing.db", "nerstudio init")
    assert not missing.exists()


@pytest.mark.parametrize("command", ["stats", "export"])
def test_non_sqlite_project_file_is_one_line_and_left_untouched(tmp_path, capsys, command):
    fake = write(tmp_path / "notes.db", "These are my notes, not a database.\n" * 20)
    before = fake.read_bytes()
    extra = [tmp_path / "out.conll"] if command == "export" else []

    code, out, err = run(capsys, command, fake, *extra)

    assert_one_line_error(code, out, err, "notes.db", "not a nerstudio project")
    assert fake.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_sqlite_file_of_another_application_is_one_line(tmp_path, capsys):
    import sqlite3

    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()

    code, out, err = run(capsys, "stats", other)

    assert_one_line_error(code, out, err, "other.db", "not a nerstudio project")


def test_export_with_nothing_to_export_is_one_line(tmp_path, db, capsys):
    run(capsys, "import", db, write(tmp_path / "n.txt", "Not annotated\n"))
    target = tmp_path / "out.conll"

    code, out, err = run(capsys, "export", db, target)

    assert_one_line_error(code, out, err, "nothing to export", "--all")
    assert not target.exists()


# -- usage errors: argparse, exit 2 -------------------------------------------------------------


def test_unknown_subcommand_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])

    assert info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["import", "p.db", "a.conll", "--format", "xml"],
        ["export", "p.db", "out", "--format", "csv"],
        ["export", "p.db", "out", "--scheme", "bio9"],
        ["import", "p.db"],
        ["stats"],
    ],
    ids=["import-format", "export-format", "export-scheme", "import-no-files", "stats-no-project"],
)
def test_bad_arguments_are_usage_errors(tmp_path, monkeypatch, capsys, argv):
    monkeypatch.chdir(tmp_path)

    with pytest.raises(SystemExit) as info:
        main(argv)

    assert info.value.code == 2
    assert "usage:" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["init", "import", "export", "stats"])
def test_help_on_every_subcommand_exits_0(capsys, command):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])

    assert info.value.code == 0
    assert f"usage: nerstudio {command}" in capsys.readouterr().out


def test_top_level_help_and_no_command(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert "init" in capsys.readouterr().out


def test_a_project_argument_that_is_no_file_is_refused_before_any_window(tmp_path, capsys):
    # `nerstudio PROJECT` opens the window; a missing file must fail fast with one line.
    assert main([str(tmp_path / "missing.db")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("nerstudio: error:") and "missing.db" in err
    assert not (tmp_path / "missing.db").exists()


# -- the real entry point ------------------------------------------------------------------------


def test_console_entry_point_init_import_stats(tmp_path):
    def nerstudio(*argv: object) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "nerstudio", *map(str, argv)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )

    write(tmp_path / "a.conll", CONLL_A)
    write(tmp_path / "bad.conll", "Omar\tB-\n\n")

    init = nerstudio("init", "corpus.db", "--labels", "PER,LOC")
    imported = nerstudio("import", "corpus.db", "a.conll", "--split", "train")
    failed = nerstudio("import", "corpus.db", "bad.conll")
    numbers = nerstudio("stats", "corpus.db", "--json")

    assert (init.returncode, init.stdout.strip()) == (0, "created corpus.db (labels: PER, LOC)")
    assert (imported.returncode, imported.stdout.strip()) == (
        0,
        "imported 2 documents with 3 entities",
    )
    assert failed.returncode == 1
    assert failed.stderr.startswith("nerstudio: error: bad.conll: line 1: ")
    assert "Traceback" not in failed.stderr
    assert numbers.returncode == 0
    result = json.loads(numbers.stdout)
    assert (result["documents"], result["done"], result["tokens"]) == (2, 2, 7)
    assert result["entities"] == {"PER": 2, "LOC": 1}
    assert result["by_split"] == {"train": 2}


def test_predict_with_nothing_unfinished_says_so_and_writes_no_file(tmp_path, capsys):
    from nerstudio.core.records import DocumentRecord, Status
    from nerstudio.core.store import Project

    db = tmp_path / "p.db"
    with Project.create(db, ["PER"]) as project:
        project.documents.add([DocumentRecord("Anna sings .", ((0, 4), (5, 10), (11, 12)))])
        project.documents.set_status([1], Status.DONE)
    out = tmp_path / "predictions.jsonl"

    code, _, err = run(capsys, "predict", db, "--run", "r1", "--out", out)
    assert code == 1 and "nothing to predict" in err and "--all" in err
    assert not out.exists()  # no empty file left behind
    code, _, err = run(capsys, "predict", db, "--run", "r1", "--done")
    assert code == 1 and "nothing to predict" not in err and "r1" in err  # on to the run


def _options(parser, command=""):
    """(command, option, action) for every option of every sub-command."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _options(sub, f"{command} {name}".strip())
        elif action.option_strings and not {"-h", "--version"} & set(action.option_strings):
            yield command, action.option_strings[0], action


def test_every_option_says_what_it_does_and_its_default():
    from nerstudio.cli import build_parser

    unexplained = [
        f"{command} {option}"
        for command, option, action in _options(build_parser())
        if not action.help
        or (action.default not in (None, False) and "default" not in action.help)
    ]
    assert unexplained == []


def test_every_list_of_strategies_backends_and_devices_is_the_core_one():
    from nerstudio.cli import build_parser
    from nerstudio.core.active import DEFAULT_STRATEGY, STRATEGIES
    from nerstudio.core.training.config import BACKENDS, DEVICES

    core = {"--strategy": STRATEGIES, "--backend": BACKENDS, "--device": DEVICES}
    offered = [
        (command, option, action)
        for command, option, action in _options(build_parser())
        if option in core
    ]
    assert {option for _, option, _ in offered} == set(core)
    for command, option, action in offered:
        assert tuple(action.choices) == core[option], f"{command} {option}"
        if option == "--strategy":
            assert action.default == DEFAULT_STRATEGY


def test_the_top_level_help_names_every_import_and_export_format(capsys):
    from nerstudio.core.transfer import EXPORT_FORMATS, IMPORT_FORMATS

    with pytest.raises(SystemExit):
        main(["--help"])
    shown = " ".join(capsys.readouterr().out.split())
    for fmt in (*IMPORT_FORMATS[1:], *EXPORT_FORMATS[1:]):
        assert fmt in shown


def test_stats_lists_the_statuses_under_documents(tmp_path, capsys):
    db = tmp_path / "p.db"
    assert run(capsys, "init", db)[0] == 0
    _, out, _ = run(capsys, "stats", db)
    lines = out.splitlines()
    assert lines[0].startswith("documents") and lines[1].lstrip().startswith("new")
    assert lines.index(next(line for line in lines if line.startswith("tokens"))) == 5


def test_the_help_shows_how_to_open_the_window_and_the_sample(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    usage = capsys.readouterr().out.splitlines()[0]
    assert "--demo" in usage and "PROJECT" in usage
