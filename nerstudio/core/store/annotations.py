"""Annotators, their own annotation sets, and the curation that settles them into gold:
the team's value types in one import.

Gold stays the ``spans`` table (what training and export read). Each annotator's work,
merged back from their project (``nerstudio merge``), is kept beside it as their own set
(``annotations`` + ``annotation_status``; ``project.annotation_sets``), which curation
never changes; ``project.curation`` settles where finished sets disagree.
"""

from __future__ import annotations

from nerstudio.core.store.annotation_sets import (
    AnnotationSet,
    check_annotator_name,
    default_annotator_name,
)
from nerstudio.core.store.curation import (
    Choice,
    Disagreement,
    DisputedDocument,
    GoldSummary,
    Option,
    Settlement,
)

__all__ = [
    "AnnotationSet",
    "Choice",
    "Disagreement",
    "DisputedDocument",
    "GoldSummary",
    "Option",
    "Settlement",
    "check_annotator_name",
    "default_annotator_name",
]
