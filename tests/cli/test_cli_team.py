"""The team commands as a user types them, through a parser built from add_parsers."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from nerstudio.cli import run_command
from nerstudio.cli.team_commands import add_parsers
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize

TEXTS = ["Anna Berg met Omar in Paris .", "Acme hired Li Wei .", "Oslo is cold ."]
ALICE = {
    TEXTS[0]: [Span(0, 9, "PER"), Span(14, 18, "PER"), Span(22, 27, "LOC")],
    TEXTS[1]: [Span(0, 4, "ORG"), Span(11, 17, "PER")],
    TEXTS[2]: [Span(0, 4, "LOC")],
}
BOB = {
    TEXTS[0]: [Span(0, 4, "PER"), Span(14, 18, "PER"), Span(22, 27, "ORG")],
    TEXTS[1]: [Span(0, 4, "ORG"), Span(11, 17, "PER")],
    TEXTS[2]: [],
}


def run(capsys, *argv: object) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="nerstudio")
    add_parsers(parser.add_subparsers(dest="command"))
    code = run_command(parser.parse_args([str(a) for a in argv]))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code: int, out: str, err: str) -> str:
    assert code == 1 and out == ""
    (line,) = err.splitlines()
    assert line.startswith("nerstudio: error: ") and "Traceback" not in err
    return line


def annotate(path: Path, marks: dict[str, list[Span]]) -> None:
    with Project.open(path) as project:
        for doc in project.documents.iter():
            project.spans.add_many([(doc.id, s.start, s.end, s.label) for s in marks[doc.text]])
            project.documents.set_status([doc.id], Status.DONE)


@pytest.fixture
def lead(tmp_path) -> Path:
    path = tmp_path / "corpus.db"
    with Project.create(path, ["PER", "ORG", "LOC"], annotator="lead") as project:
        project.documents.add([DocumentRecord(t, tuple(tokenize(t))) for t in TEXTS])
    return path


@pytest.fixture
def merged(lead, tmp_path, capsys) -> Path:
    code, _, _ = run(
        capsys, "assign", lead, "--annotators", "alice,bob", "--overlap", "1", "--out",
        tmp_path / "team",
    )  # fmt: skip
    assert code == 0
    annotate(tmp_path / "team" / "corpus-alice.db", ALICE)
    annotate(tmp_path / "team" / "corpus-bob.db", BOB)
    team = [tmp_path / "team" / f"corpus-{n}.db" for n in ("alice", "bob")]
    code, _, _ = run(capsys, "merge", lead, *team)
    assert code == 0
    return lead


def test_assign_writes_one_project_per_annotator_and_says_what_went_where(lead, tmp_path, capsys):
    code, out, err = run(
        capsys, "assign", lead, "--annotators", "alice,bob,carol", "--overlap", "0.3",
        "--out", tmp_path / "team", "--seed", "2",
    )  # fmt: skip
    assert code == 0, err
    lines = out.splitlines()
    alice = tmp_path / "team" / "corpus-alice.db"
    assert lines[0] == f"wrote {alice}: 2 documents for alice (1 own, 1 shared)"
    assert lines[-1] == (
        "dealt 3 unfinished documents to 3 annotators, 1 shared by all; "
        f"0 done or skipped documents stay in {lead}"
    )
    assert sorted(p.name for p in (tmp_path / "team").iterdir()) == [
        "corpus-alice.db",
        "corpus-bob.db",
        "corpus-carol.db",
    ]
    again = run(capsys, "assign", lead, "--annotators", "alice", "--out", tmp_path / "team")
    assert "exists already" in one_line_error(*again)
    forced = run(
        capsys, "assign", lead, "--annotators", "alice", "--out", tmp_path / "team", "--force"
    )
    assert forced[0] == 0


def test_an_overlap_outside_zero_to_one_is_a_usage_error(lead, tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        run(capsys, "assign", lead, "--annotators", "a,b", "--overlap", "2", "--out", tmp_path)
    assert exited.value.code == 2
    assert "between 0 and 1" in capsys.readouterr().err


def test_merge_reports_sets_and_gold_and_a_second_merge_changes_nothing(lead, tmp_path, capsys):
    run(
        capsys, "assign", lead, "--annotators", "alice,bob", "--overlap", "1", "--out",
        tmp_path / "team",
    )  # fmt: skip
    team = [tmp_path / "team" / f"corpus-{n}.db" for n in ("alice", "bob")]
    annotate(team[0], ALICE)
    annotate(team[1], BOB)
    code, out, _ = run(capsys, "merge", lead, *team)
    assert code == 0
    assert out.splitlines() == [
        f"merged {team[0]} (alice): 3 documents, 3 done, 3 new or changed",
        f"merged {team[1]} (bob): 3 documents, 3 done, 3 new or changed",
        "gold: 0 documents from their one finisher, 1 agreed by all, 0 already curated, "
        "2 with disagreements (in progress until curated)",
        "to curate: documents 1, 3",
    ]
    code, out, _ = run(capsys, "merge", lead, *team)
    assert code == 0
    assert out.splitlines()[-1] == f"nothing new: {lead} already holds this work"
    assert "0 new or changed" in out.splitlines()[0]


def test_merge_refuses_other_labels_in_one_line_and_maps_them(lead, tmp_path, capsys):
    other = tmp_path / "carol.db"
    with Project.create(other, ["PERSON", "ORG", "LOC"], annotator="carol") as carol:
        record = DocumentRecord(TEXTS[0], tuple(tokenize(TEXTS[0])), (Span(0, 9, "PERSON"),))
        carol.documents.add([record])
    line = one_line_error(*run(capsys, "merge", lead, other))
    assert "only in the source: PERSON; only in the target: PER" in line
    code, out, _ = run(capsys, "merge", lead, other, "--map", "PERSON=PER")
    assert code == 0 and "1 new or changed" in out
    bad = one_line_error(*run(capsys, "merge", lead, other, "--map", "PERSON"))
    assert "OLD=NEW" in bad


def test_agreement_prints_a_table_and_exactly_the_documented_json(merged, capsys):
    code, out, _ = run(capsys, "agreement", merged)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "alice vs bob: 3 documents both finished"
    assert lines[1] == "  exact F1 0.5455   partial F1 0.7273   token kappa 0.6883"
    assert "  PER          0.6667     0.6667     0.6667        3" in lines
    assert any(line.split() == ["LOC", "0", "1", "0", "1"] for line in lines)
    assert lines[-2:] == [
        "         1    4  Anna Berg met Omar in Paris .",
        "         3    1  Oslo is cold .",
    ]

    code, out, _ = run(capsys, "agreement", merged, "--json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["pairs"]
    (pair,) = data["pairs"]
    assert set(pair) == {
        "a",
        "b",
        "documents",
        "f1",
        "partial_f1",
        "kappa",
        "per_label",
        "confusion",
        "worst_documents",
    }
    assert (pair["a"], pair["b"], pair["documents"]) == ("alice", "bob", 3)
    assert pair["f1"] == pytest.approx(6 / 11)
    assert pair["kappa"] == pytest.approx(53 / 77)
    assert pair["per_label"]["ORG"] == {
        "precision": 0.5,
        "recall": 1.0,
        "f1": pytest.approx(2 / 3),
        "support": 1,
    }
    assert pair["confusion"]["LOC"] == {"LOC": 0, "ORG": 1, "PER": 0, "none": 1}
    assert [d["id"] for d in pair["worst_documents"]] == [1, 3]


def test_agreement_without_sets_says_to_merge_first(lead, capsys):
    assert "nerstudio merge" in one_line_error(*run(capsys, "agreement", lead))


def test_annotator_and_guidelines_commands(lead, tmp_path, capsys):
    code, out, _ = run(capsys, "annotator", lead)
    assert out == f"{lead}: edits are recorded for lead (annotators: lead)\n"
    code, out, _ = run(capsys, "annotator", lead, "zoe")
    assert code == 0 and out == f"{lead}: edits are recorded for zoe (annotators: lead, zoe)\n"
    assert "annotator name" in one_line_error(*run(capsys, "annotator", lead, "a b"))

    guide = tmp_path / "guide.md"
    guide.write_text("# Tagging\nPeople are PER.\n", encoding="utf-8")
    code, out, _ = run(capsys, "guidelines", lead, "--set", guide)
    assert code == 0
    code, out, _ = run(capsys, "guidelines", lead)
    assert out == "# Tagging\nPeople are PER.\n"
    missing = one_line_error(*run(capsys, "guidelines", lead, "--set", tmp_path / "nope.md"))
    assert "cannot read the guidelines" in missing


def test_export_of_one_annotators_set_says_how_many_documents_it_wrote(lead, tmp_path, capsys):
    from nerstudio.cli import main

    code, _, _ = run(
        capsys, "assign", lead, "--annotators", "alice,bob", "--overlap", "0", "--out",
        tmp_path / "team",
    )  # fmt: skip
    assert code == 0
    for name, marks in (("alice", ALICE), ("bob", BOB)):
        annotate(tmp_path / "team" / f"corpus-{name}.db", marks)
    team = [tmp_path / "team" / f"corpus-{n}.db" for n in ("alice", "bob")]
    assert run(capsys, "merge", lead, *team)[0] == 0
    with Project.open(team[0]) as alices:
        hers = alices.documents.count()

    out = tmp_path / "alice.jsonl"
    assert main(["export", str(lead), str(out), "--annotator", "alice"]) == 0
    said = capsys.readouterr().out
    lines = out.read_text("utf-8").splitlines()
    assert len(lines) == hers < len(TEXTS)  # her share, not every document of the gold
    assert f"exported {hers} documents" in said
    assert main(["export", str(lead), str(tmp_path / "nobody.jsonl"), "--annotator", "carol"]) == 1
    assert "no annotator 'carol'" in capsys.readouterr().err
