"""The undo step of curation: one key settles one disagreement with one annotator's version."""

from __future__ import annotations

from nerstudio.core.store.annotations import Disagreement, Settlement
from nerstudio.core.team.curation_versions import describe_version, settle_version
from nerstudio.gui.commands import EditCommand
from nerstudio.gui.state import AppState


class SettleDisagreement(EditCommand):
    """Take ``annotator``'s version of a disagreement into gold (None: reject all of it);
    undo puts the document's gold, decisions and status back as they were."""

    def __init__(self, state: AppState, disagreement: Disagreement, annotator: str | None):
        super().__init__(state, describe_version(disagreement, annotator))
        self.disagreement = disagreement
        self.annotator = annotator
        self.settlement: Settlement | None = None

    def apply(self) -> None:
        self.settlement = settle_version(self.project, self.disagreement, self.annotator)

    def revert(self) -> None:
        assert self.settlement is not None
        self.project.curation.undo(self.settlement)

    def refresh(self) -> None:
        self.state.reload(self.disagreement.document_id)
