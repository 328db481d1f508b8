"""Teams without a server: split a project out to annotators, merge their work back, measure
how far they agree. Curation (settling disagreements into gold) is in the store
(``project.curation``), so the window's undo commands can drive it."""

from nerstudio.core.team.agreement import PairAgreement, agreement
from nerstudio.core.team.assign import AssignSummary, assign, deal
from nerstudio.core.team.merge import MergeSummary, merge, parse_label_map

__all__ = [
    "AssignSummary",
    "MergeSummary",
    "PairAgreement",
    "agreement",
    "assign",
    "deal",
    "merge",
    "parse_label_map",
]
