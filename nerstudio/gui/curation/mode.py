"""The window's team work, composed in one place so the main window only wires it: the Team
menu, the curation page (a page of the window's central stack, beside the editor), the
agreement dock and the annotator shown in the status bar.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QWidget,
)

from nerstudio.core.errors import NerstudioError
from nerstudio.gui.curation.agreement import AgreementController, AgreementPanel
from nerstudio.gui.curation.annotator import AnnotatorDialog
from nerstudio.gui.curation.controller import CurationController
from nerstudio.gui.curation.view import CurationView
from nerstudio.gui.state import AppState

CURATE_KEY = "Ctrl+Shift+C"


class TeamMode(QObject):
    """Curation, agreement and the annotator's name for one window."""

    def __init__(
        self,
        state: AppState,
        window: QMainWindow,
        pages: QStackedWidget,
        editor_page: QWidget,
        editor: QWidget,
        beside: QDockWidget,
    ) -> None:
        """``beside``: the dock the agreement dock shares a place with (as a tab behind it)."""
        super().__init__(window)
        self.state, self.window, self.pages = state, window, pages
        self.editor_page, self.editor = editor_page, editor
        self.view = CurationView()
        pages.addWidget(self.view)
        self.curation = CurationController(state, self.view, self)
        self.agreement_panel = AgreementPanel()
        self.agreement = AgreementController(state, self.agreement_panel, self)
        self.agreement_dock = QDockWidget("Agreement", window, objectName="agreement")
        self.agreement_dock.setWidget(self.agreement_panel)
        window.addDockWidget(window.dockWidgetArea(beside), self.agreement_dock)
        window.tabifyDockWidget(beside, self.agreement_dock)
        beside.raise_()
        self.agreement_dock.visibilityChanged.connect(self.agreement_shown)
        self.annotator_text = QLabel()
        window.statusBar().addPermanentWidget(self.annotator_text)
        self.view.leaveRequested.connect(self.leave)
        self.view.editRequested.connect(self.leave)
        self.agreement_panel.documentRequested.connect(self.curate)
        state.projectChanged.connect(self.project_changed)

    def build_menu(self, menu: QMenu) -> None:
        """The Team menu's actions."""
        curate = QAction("&Curate disagreements…", self.window)
        curate.setShortcut(QKeySequence(CURATE_KEY))
        curate.triggered.connect(lambda: self.curate(None))
        agreement = QAction("&Agreement…", self.window)
        agreement.triggered.connect(self.show_agreement)
        name = QAction("Annotator &name…", self.window)
        name.triggered.connect(self.ask_annotator)
        menu.addActions([curate, agreement])
        menu.addSeparator()
        menu.addAction(name)

    # -- curation ------------------------------------------------------------------------

    def is_curating(self) -> bool:
        return self.pages.currentWidget() is self.view

    @Slot(object)
    def curate(self, document_id: int | None = None) -> None:
        """The curation page, on ``document_id`` (None: the current or first disputed)."""
        if self.state.project is None:
            return
        self.pages.setCurrentWidget(self.view)
        self.curation.start(document_id)
        self.view.setFocus()

    @Slot()
    def leave(self) -> None:
        """Back to the editor, on the same document."""
        self.curation.stop()
        if self.is_curating():
            self.pages.setCurrentWidget(self.editor_page)
            self.editor.setFocus()

    @Slot()
    def project_changed(self) -> None:
        """Another project (or none): its own annotator; curation starts over."""
        project = self.state.project
        self.annotator_text.setText(f"annotating as {project.annotator()}" if project else "")
        self.agreement.forget()
        self.leave()

    # -- agreement -----------------------------------------------------------------------

    @Slot()
    def show_agreement(self) -> None:
        """Team > Agreement…: the dock in front, its figures computed afresh."""
        if self.state.project is None:
            return
        self.agreement_dock.show()
        self.agreement_dock.raise_()
        self.agreement.compute()

    @Slot(bool)
    def agreement_shown(self, visible: bool) -> None:
        """The figures are computed the first time the dock shows for a project."""
        if visible and self.state.project is not None and not self.agreement.computed:
            self.agreement.compute()

    # -- the annotator -------------------------------------------------------------------

    @Slot()
    def ask_annotator(self) -> None:
        project = self.state.project
        if project is None:
            self.state.say("Open a project first: the name is the project's.")
            return
        name = AnnotatorDialog.ask(project.annotator(), project.annotators(), self.window)
        if name is None:
            return
        try:
            project.set_annotator(name)
        except NerstudioError as err:
            self.state.say(str(err))
            return
        self.annotator_text.setText(f"annotating as {name}")
        self.state.say(f"Edits are recorded for {name} from now on.")
