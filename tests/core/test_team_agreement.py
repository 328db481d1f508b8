"""Agreement figures checked against values computed by hand on a three-document corpus."""

from __future__ import annotations

import pytest

from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.store import Project
from nerstudio.core.team import agreement
from nerstudio.core.team.agreement import pair_agreement
from nerstudio.core.tokens import tokenize

DOC1 = "Anna Berg met Omar in Paris ."  # Anna 0-4 Berg 5-9 met Omar 14-18 in Paris 22-27 .
DOC2 = "Acme hired Li Wei ."  # Acme 0-4 hired Li 11-13 Wei 14-17 .
DOC3 = "Oslo is cold ."  # Oslo 0-4 is cold .

ALICE = {
    DOC1: [Span(0, 9, "PER"), Span(14, 18, "PER"), Span(22, 27, "LOC")],
    DOC2: [Span(0, 4, "ORG"), Span(11, 17, "PER")],
    DOC3: [Span(0, 4, "LOC")],
}
BOB = {
    DOC1: [Span(0, 4, "PER"), Span(14, 18, "PER"), Span(22, 27, "ORG")],  # partial, swap
    DOC2: [Span(0, 4, "ORG"), Span(11, 17, "PER")],
    DOC3: [],  # missed Oslo
}

# By hand, alice the reference (6 spans), bob the prediction (5 spans):
#
# exact matches: Omar PER, Acme ORG, Li Wei PER = 3
#   P = 3/5, R = 3/6, F1 = 2 * 0.6 * 0.5 / 1.1 = 6/11 = 0.545454...
#   PER: alice {Anna Berg, Omar, Li Wei}, bob {Anna, Omar, Li Wei}: 2 match -> P = R = F1 = 2/3,
#        support 3
#   LOC: alice {Paris, Oslo}, bob {} -> P = 0 (nothing predicted), R = 0, F1 = 0, support 2
#   ORG: alice {Acme}, bob {Acme, Paris}: 1 match -> P = 1/2, R = 1, F1 = 2/3, support 1
#
# partial (overlap with a span of the same label):
#   bob's matched: Anna~Anna Berg, Omar, Acme, Li Wei (Paris ORG is LOC for alice) = 4/5
#   alice's matched: Anna Berg, Omar, Acme, Li Wei (not Paris LOC, not Oslo) = 4/6
#   F1 = 2 * (4/5) * (2/3) / (4/5 + 2/3) = (16/15) / (22/15) = 8/11 = 0.727272...
#
# token kappa, 16 tokens, labels per token (alice / bob):
#   DOC1: PER PER O PER O LOC O   /  PER O O PER O ORG O   -> 5 of 7 agree
#   DOC2: ORG O PER PER O         /  ORG O PER PER O       -> 5 of 5
#   DOC3: LOC O O O               /  O O O O               -> 3 of 4
#   p_o = 13/16
#   alice: PER 5, O 8, LOC 2, ORG 1;  bob: PER 4, O 10, LOC 0, ORG 2
#   p_e = (5*4 + 8*10 + 2*0 + 1*2) / 256 = 102/256
#   kappa = (13/16 - 102/256) / (1 - 102/256) = (208 - 102) / (256 - 102) = 106/154 = 53/77
#
# confusion (rows alice, columns bob) over overlapping span pairs:
#   Anna Berg/Anna PER-PER, Omar PER-PER, Li Wei PER-PER -> PER,PER = 3
#   Paris LOC-ORG -> LOC,ORG = 1;  Acme ORG-ORG = 1;  Oslo: nothing overlaps -> LOC,none = 1
#
# most disagreement (spans on one side only): DOC1 4 (Anna Berg, Paris LOC / Anna, Paris ORG),
#   DOC3 1 (Oslo), DOC2 0 (left out)


def make_project(path, sets: dict[str, dict[str, list[Span]]], status=Status.DONE) -> Project:
    project = Project.create(path, ["LOC", "ORG", "PER"], annotator="lead")
    texts = list(next(iter(sets.values())))
    ids = project.documents.add(
        [DocumentRecord(text, tuple(tokenize(text))) for text in texts]
    ).document_ids
    for name, by_text in sets.items():
        project.annotation_sets.save_sets(
            name, [(ids[texts.index(t)], status, spans) for t, spans in by_text.items()]
        )
    return project


def test_agreement_figures_match_the_hand_computation(tmp_path):
    with make_project(tmp_path / "team.db", {"alice": ALICE, "bob": BOB}) as project:
        (pair,) = agreement(project)
    assert (pair.a, pair.b, pair.documents) == ("alice", "bob", 3)
    assert pair.f1 == pytest.approx(6 / 11)
    assert pair.partial_f1 == pytest.approx(8 / 11)
    assert pair.kappa == pytest.approx(53 / 77)
    scores = {k: (v.precision, v.recall, v.f1, v.support) for k, v in pair.per_label.items()}
    assert scores == {
        "LOC": (0.0, 0.0, 0.0, 2),
        "ORG": (0.5, 1.0, pytest.approx(2 / 3), 1),
        "PER": (pytest.approx(2 / 3), pytest.approx(2 / 3), pytest.approx(2 / 3), 3),
    }
    assert pair.confusion == {
        "LOC": {"LOC": 0, "ORG": 1, "PER": 0, "none": 1},
        "ORG": {"LOC": 0, "ORG": 1, "PER": 0, "none": 0},
        "PER": {"LOC": 0, "ORG": 0, "PER": 3, "none": 0},
        "none": {"LOC": 0, "ORG": 0, "PER": 0, "none": 0},
    }
    assert [(d.text, d.disagreements) for d in pair.worst_documents] == [(DOC1, 4), (DOC3, 1)]


def test_the_message_the_window_reads_gives_the_same_figures_back(tmp_path):
    from nerstudio.core.child_protocol import decode_line, encode_line
    from nerstudio.core.team.agreement import AgreementComputed

    with make_project(tmp_path / "team.db", {"alice": ALICE, "bob": BOB}) as project:
        (pair,) = agreement(project)
    message = AgreementComputed((pair,))
    assert decode_line(encode_line(message), "nerstudio agreement") == message


def test_f1_partial_f1_and_kappa_do_not_depend_on_who_is_the_reference(tmp_path):
    with make_project(tmp_path / "team.db", {"alice": ALICE, "bob": BOB}) as project:
        shared = [
            (doc, sets["alice"], sets["bob"]) for doc, sets in project.annotation_sets.iter_sets()
        ]
    forward = pair_agreement("alice", "bob", shared)
    backward = pair_agreement("bob", "alice", [(d, b, a) for d, a, b in shared])
    assert backward.f1 == pytest.approx(forward.f1)
    assert backward.partial_f1 == pytest.approx(forward.partial_f1)
    assert backward.kappa == pytest.approx(forward.kappa)
    # precision and recall swap: bob is now the reference for ORG (support 2)
    assert backward.per_label["ORG"].support == 2
    assert backward.per_label["ORG"].precision == pytest.approx(1.0)
    assert backward.per_label["ORG"].recall == pytest.approx(0.5)
    assert backward.confusion["ORG"]["LOC"] == 1  # the swapped Paris, seen from bob
    assert backward.confusion["none"]["LOC"] == 1  # Oslo, which bob did not mark


def test_only_documents_both_finished_count(tmp_path):
    with make_project(tmp_path / "team.db", {"alice": ALICE, "bob": BOB}) as project:
        doc3 = next(r.id for r in project.documents.iter() if r.text == DOC3)
        project.annotation_sets.save_sets("bob", [(doc3, Status.IN_PROGRESS, [])])
        (pair,) = agreement(project)
    # without DOC3: exact 3 of bob's 5, 3 of alice's 5 -> F1 0.6
    assert pair.documents == 2
    assert pair.f1 == pytest.approx(0.6)
    assert pair.per_label["LOC"].support == 1


def test_perfect_and_empty_agreement_are_one_and_no_shared_documents_is_none(tmp_path):
    same = {"alice": ALICE, "bob": ALICE}
    with make_project(tmp_path / "same.db", same) as project:
        (pair,) = agreement(project)
    assert (pair.f1, pair.partial_f1, pair.kappa) == (1.0, 1.0, 1.0)
    assert pair.worst_documents == ()

    nothing = {name: {text: [] for text in ALICE} for name in ("alice", "bob")}
    with make_project(tmp_path / "empty.db", nothing) as project:
        (pair,) = agreement(project)
    assert (pair.f1, pair.partial_f1, pair.kappa) == (1.0, 1.0, 1.0)

    with make_project(tmp_path / "apart.db", {"alice": ALICE, "bob": BOB}) as project:
        project.annotation_sets.save_sets(
            "carol", [(r.id, Status.IN_PROGRESS, []) for r in project.documents.iter()]
        )
        pairs = {(p.a, p.b): p for p in agreement(project)}
    assert set(pairs) == {("alice", "bob"), ("alice", "carol"), ("bob", "carol")}
    assert pairs["alice", "carol"].documents == 0
    assert pairs["alice", "carol"].f1 is None
