"""Detection looks at content before names, and never reads a structured file as prose;
CoNLL-U and spaCy's IOB lines, written from their specs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nerstudio.core.errors import FormatError
from nerstudio.core.formats.conllu import read_conllu
from nerstudio.core.formats.detect import detect_format
from nerstudio.core.formats.spacy_iob import read_spacy_iob
from nerstudio.core.records import Status
from nerstudio.core.store import Project
from nerstudio.core.transfer import import_files


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


BRAT_ANN = "T1\tPER 0 4\tAnna\nT2\tLOC 14 19\tParis\nR1\tLives Arg1:T1 Arg2:T2\n"
GERMEVAL = (
    "#\thttp://de.wikipedia.org/wiki/Manfred_Korfmann [2009-10-17]\n"
    "1\tAufgrund\tO\tO\n2\tseiner\tO\tO\n3\tPersönlichkeit\tO\tO\n"
    "4\tDeutschlands\tB-LOCderiv\tB-LOC\n\n"
)
CONLLU = """# sent_id = s1
# text = Anna lives in Paris.
1\tAnna\tAnna\tPROPN\t_\t_\t2\tnsubj\t_\tNE=B-PER
2\tlives\tlive\tVERB\t_\t_\t0\troot\t_\t_
3\tin\tin\tADP\t_\t_\t4\tcase\t_\t_
4\tParis\tParis\tPROPN\t_\t_\t2\tobl\t_\tNE=B-LOC|SpaceAfter=No
5\t.\t.\tPUNCT\t_\t_\t2\tpunct\t_\t_

# sent_id = s2
# text = del Prado
1-2\tdel\t_\t_\t_\t_\t_\t_\t_\t_
1\tde\tde\tADP\t_\t_\t3\tcase\t_\t_
2\tel\tel\tDET\t_\t_\t3\tdet\t_\t_
3\tPrado\tPrado\tPROPN\t_\t_\t0\troot\t_\tNE=B-LOC

"""


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("notes.ann", BRAT_ANN, "brat"),
        ("looks.txt", BRAT_ANN, "brat"),  # brat lines in a .txt are never prose
        ("data.txt", '{"text": "Anna", "label": []}\n', "jsonl"),
        ("germeval.tsv", GERMEVAL, "conll"),
        ("sentences.txt", "Anna\tB-PER\nsleeps\tO\n\n", "conll"),
        ("ud.txt", CONLLU, "conllu"),
        ("ud.conllu", CONLLU, "conllu"),
        ("iob.txt", "Anna|NNP|B-PER sleeps|VBZ|O\n", "spacy-iob"),
        ("curation.tsv", "#FORMAT=WebAnno TSV 3.3\n#T_SP=x|value\n\n", "webanno"),
        ("prose.txt", "Anna lives in Paris.\nShe likes it.\n", "text"),
    ],
)
def test_detection_reads_content_first(tmp_path, name, content, expected):
    assert detect_format(write(tmp_path / name, content)).name == expected


def test_a_txt_beside_its_ann_is_brat_and_a_folder_with_ann_files_too(tmp_path):
    write(tmp_path / "doc.txt", "Anna went to Paris.")
    write(tmp_path / "doc.ann", BRAT_ANN)
    assert detect_format(tmp_path / "doc.txt").name == "brat"
    assert detect_format(tmp_path).name == "brat"


def test_conllu_rebuilds_the_text_and_reads_misc_ne_tags(tmp_path):
    result = read_conllu(write(tmp_path / "ud.conllu", CONLLU))
    first, second = result.records
    assert first.text == "Anna lives in Paris."
    assert [(first.text[s.start : s.end], s.label) for s in first.spans] == [
        ("Anna", "PER"),
        ("Paris", "LOC"),
    ]
    assert second.text == "del Prado"  # the multiword token is one token of the text
    assert [second.text[s:e] for s, e in second.tokens] == ["del", "Prado"]
    assert [(s.start, s.end, s.label) for s in second.spans] == [(4, 9, "LOC")]
    assert first.status is Status.DONE


def test_conllu_plus_reads_a_named_column_and_without_tags_documents_are_new(tmp_path):
    plus = "# global.columns = ID FORM NER\n1\tAcme\tB-ORG\n2\tCorp\tI-ORG\n3\tgrew\tO\n\n"
    (record,) = read_conllu(write(tmp_path / "plus.conllu", plus)).records
    assert [(record.text[s.start : s.end], s.label) for s in record.spans] == [("Acme Corp", "ORG")]
    bare = CONLLU.replace("NE=B-PER", "_").replace("NE=B-LOC|", "").replace("NE=B-LOC", "_")
    result = read_conllu(write(tmp_path / "bare.conllu", bare))
    assert {r.status for r in result.records} == {Status.NEW}
    assert "no entity tags found" in result.notes[0]


def test_conllu_errors_name_the_file(tmp_path):
    with pytest.raises(FormatError, match=r"bad\.conllu"):
        read_conllu(write(tmp_path / "bad.conllu", "1\tAnna\n2\n"))


def test_spacy_iob_lines(tmp_path):
    result = read_spacy_iob(
        write(tmp_path / "x.iob", "Anna|NNP|B-PER Berg|NNP|I-PER left|VBD|O\nOslo|B-LOC\n")
    )
    first, second = result.records
    assert [(first.text[s.start : s.end], s.label) for s in first.spans] == [("Anna Berg", "PER")]
    assert second.text == "Oslo" and second.spans[0].label == "LOC"
    with pytest.raises(FormatError, match=r"x.iob: line 1"):
        read_spacy_iob(write(tmp_path / "x.iob", "Anna|NNP|Q-PER\n"))


def test_the_summary_says_what_each_file_was_read_as(tmp_path):
    with Project.create(tmp_path / "p.db") as project:
        summary = import_files(
            project,
            [write(tmp_path / "ud.txt", CONLLU), write(tmp_path / "g.tsv", GERMEVAL)],
        )
    lines = [f.line() for f in summary.files]
    assert lines[0].startswith("ud.txt: CoNLL-U (its content, not .txt), 2 documents, 3 entities")
    assert lines[1].startswith("g.tsv: CoNLL columns")


# -- CoNLL-U columns that do not pair up with their names (issue 23 item 7) --------------------

TEN = "ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC"


@pytest.mark.parametrize(
    ("content", "line", "says"),
    [
        (
            "# global.columns = ID FORM UPOS\n1\tAnna\tPROPN\tB-PER\n2\tleft\tVERB\tO\n\n",
            2,
            "a token line of 4 columns, but the # global.columns of line 1 names 3 (ID FORM UPOS)",
        ),
        (
            f"# global.columns = {TEN} NER\n1\tAnna\t_\t_\t_\t_\t_\t_\t_\tB-PER\n\n",
            2,
            f"a token line of 10 columns, but the # global.columns of line 1 names 11 ({TEN} NER)",
        ),
        (
            "1\tAnna\t_\t_\t_\t_\t_\t_\t_\t_\tB-PER\n2\tleft\t_\t_\t_\t_\t_\t_\t_\t_\tO\n\n",
            1,
            f"a token line of 11 columns, but CoNLL-U has 10 ({TEN})",
        ),
        (
            "# global.columns = FORM NER\nAnna\tB-PER\n\n",
            1,
            "# global.columns (FORM NER) has no ID column, which every token needs",
        ),
    ],
    ids=["header-short", "header-long", "no-header", "no-id"],
)
def test_conllu_columns_that_do_not_pair_up_with_their_names_are_refused(
    tmp_path, content, line, says
):
    path = write(tmp_path / "plus.conllu", content)

    with pytest.raises(FormatError, match=re.escape(says)) as info:
        read_conllu(path)

    assert info.value.line == line
    assert str(info.value).startswith(f"{path}: line {line}: ")


def test_conllu_tag_column_that_no_column_and_no_misc_can_hold_is_refused(tmp_path):
    path = write(tmp_path / "plus.conllu", "# global.columns = ID FORM NER\n1\tAnna\tB-PER\n\n")

    assert read_conllu(path, tag_column="NER").records[0].spans
    with pytest.raises(FormatError, match=r"has no column 'ENT' \(named by --tag-column\)"):
        read_conllu(path, tag_column="ENT")


def test_conllu_plus_is_detected_by_its_header_whatever_its_columns(tmp_path):
    path = write(tmp_path / "plus.txt", "# global.columns = ID FORM UPOS NER\n1\tAnna\tX\tB-PER\n")

    assert detect_format(path).name == "conllu"
