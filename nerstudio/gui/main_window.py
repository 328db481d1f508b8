"""The main window: composition only. Docks, menus and actions wired to state and widgets."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from nerstudio.gui import theme
from nerstudio.gui.controllers.annotation import AnnotationController
from nerstudio.gui.controllers.auto_retrain import AutoRetrain
from nerstudio.gui.controllers.corpus_view import CorpusView
from nerstudio.gui.controllers.jobs import BackgroundJobs
from nerstudio.gui.controllers.piece_overlay import PieceOverlay
from nerstudio.gui.controllers.projects import ProjectOpener
from nerstudio.gui.controllers.review import ReviewController
from nerstudio.gui.controllers.sources import SourcesController
from nerstudio.gui.controllers.suggestions import LiveSuggestions
from nerstudio.gui.controllers.timekeeper import Timekeeper
from nerstudio.gui.curation.mode import TeamMode
from nerstudio.gui.dialogs.guidelines import sync_guidelines_action
from nerstudio.gui.dialogs.label_manager import LabelManager
from nerstudio.gui.keyboard import return_keyboard
from nerstudio.gui.menus import add_action, build_menus
from nerstudio.gui.models.documents import DocumentListModel
from nerstudio.gui.shortcuts import KeyboardHelp
from nerstudio.gui.state import AppState
from nerstudio.gui.widgets.document_list import DocumentList
from nerstudio.gui.widgets.editor import AnnotationEditor
from nerstudio.gui.widgets.empty_project import EmptyProjectPage
from nerstudio.gui.widgets.label_bar import LabelBar
from nerstudio.gui.widgets.review_list import ReviewList
from nerstudio.gui.widgets.training_panel import TrainingPanel
from nerstudio.gui.widgets.welcome import WelcomePage
from nerstudio.gui.window_size import fit_to_screen

QUIT_WAIT_S = 120.0  # a training run saves its best epoch; every other job ends sooner


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings) -> None:
        super().__init__()
        self.settings = settings
        self.setWindowTitle("nerstudio")
        self.state = AppState(self)
        central = self._build_pages()
        self.on_welcome: bool | None = None
        self.editor_layout = None  # docks and toolbars, kept while the welcome page shows
        dock = self._build_docks(settings)
        training_dock = self.training_dock
        self.review = ReviewController(self.state, self.review_list, self)
        self.controller = AnnotationController(self.state, self.editor, self.label_bar, self)
        self.live_suggestions = LiveSuggestions(self.state, self)
        self.auto_retrain = AutoRetrain(
            self.state, self.training.form, self.training.controller, self
        )
        self.pieces = PieceOverlay(self.state, self.editor, self.training, self)
        self.timekeeper = Timekeeper(self.state, self)
        self.progress_text = QLabel()
        self.time_text = QLabel()
        self.jobs = BackgroundJobs(self.state, self)
        self.sources = SourcesController(self.state, self)
        self.projects = ProjectOpener(self.state, settings, self)
        self.corpus = CorpusView(
            self.state, self.documents, self.document_list, self.progress_text, self
        )
        self.team = TeamMode(self.state, self, self.pages, central, self.editor, dock)
        self.statusBar().addPermanentWidget(self.jobs.busy)
        self.statusBar().addPermanentWidget(self.sources.active_text)
        self.statusBar().addPermanentWidget(self.time_text)
        self.statusBar().addPermanentWidget(self.progress_text)
        build_menus(self, dock)
        self._wire()
        self.keyboard = KeyboardHelp(self, self.editor, lambda: self.state.labels)
        self.keyboard.focus_keeper.after_choices(self)
        docks = {dock: self.document_list, training_dock: self.training}
        fit_to_screen(self, settings, docks)
        self.show_page()
        QApplication.instance().aboutToQuit.connect(self.shut_down)

    # -- building ------------------------------------------------------------------------

    def _build_pages(self) -> QWidget:
        """The welcome page and the editor's page (label bar, editor, empty-project page),
        stacked; returns the editor's page."""
        self.editor = AnnotationEditor()
        self.label_bar = LabelBar()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label_bar)
        layout.addWidget(self.editor, 1)
        self.empty_page = EmptyProjectPage()
        layout.addWidget(self.empty_page, 1)
        self.welcome = WelcomePage()
        central.setFocusProxy(self.editor)  # the page's keys are the editor's
        self.editor_page = central
        self.pages = QStackedWidget()
        self.pages.addWidget(self.welcome)
        self.pages.addWidget(central)
        self.setCentralWidget(self.pages)
        return central

    def _build_docks(self, settings: QSettings) -> QDockWidget:
        """The documents, training and review docks; returns the documents dock."""
        self.documents = DocumentListModel(self)
        self.document_list = DocumentList(self.documents)
        dock = QDockWidget("Documents", self, objectName="documents")
        dock.setWidget(self.document_list)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.training = TrainingPanel(self.state, settings)
        training_dock = QDockWidget("Training", self, objectName="training")
        training_scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        training_scroll.setWidget(self.training)  # a short screen scrolls, never crops
        training_dock.setWidget(training_scroll)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, training_dock)
        self.training_dock = training_dock
        self.review_list = ReviewList()
        self.review_dock = QDockWidget("Suspicious annotations", self, objectName="review")
        self.review_dock.setWidget(self.review_list)
        self.tabifyDockWidget(dock, self.review_dock)
        dock.raise_()
        return dock

    def _wire(self) -> None:
        state = self.state
        state.projectChanged.connect(self.project_changed)
        state.documentChanged.connect(self.show_empty_hint)
        self.empty_page.importRequested.connect(self.jobs.import_dialog)
        self.empty_page.filesDropped.connect(self.jobs.import_files)
        state.message.connect(self.statusBar().showMessage)
        self.welcome.openRequested.connect(self.open_project)
        self.welcome.newRequested.connect(self.projects.create)
        self.welcome.sampleRequested.connect(self.projects.open_sample)
        self.projects.aboutToOpen.connect(self.timekeeper.flush)
        self.projects.recentChanged.connect(self.show_recent)
        self.label_bar.manageRequested.connect(self.manage_labels)
        self.editor.helpRequested.connect(lambda: self.keyboard.show_sheet())
        self.timekeeper.ticked.connect(self.show_time)
        self.timekeeper.stopped.connect(self.time_text.clear)
        self.training.controller.runFinished.connect(self.live_suggestions.expect_run)
        self.jobs.corpusChanged.connect(self.corpus.corpus_changed)
        self.jobs.predictionsStored.connect(self.corpus.predictions_stored)
        self.sources.activeSourceChanged.connect(self.training.controller.runsChanged)
        self.sources.activeSourceChanged.connect(self.corpus.predictions_stored)

    # -- project -------------------------------------------------------------------------

    def open_project(self, path: str | Path) -> None:
        """Open a project once it is checked off the GUI thread (``ProjectOpener.open``)."""
        self.projects.open(path)

    @Slot(list)
    def show_recent(self, recent: list[str]) -> None:
        self.recent_menu.clear()
        for path in recent:
            add_action(self, self.recent_menu, path, lambda _=False, p=path: self.open_project(p))
        self.welcome.set_recent(recent)

    @Slot()
    def project_changed(self) -> None:
        project = self.state.project
        self.setWindowTitle(f"{project.path.name} — nerstudio" if project else "nerstudio")
        self.state.undo_stack.clear()
        sync_guidelines_action(self.guidelines_action, project)
        if project is None:
            self.forget_project_texts()
        self.show_empty_hint()
        self.show_page()

    @Slot()
    def show_empty_hint(self) -> None:
        """A project without documents shows how to import, not a blank editor."""
        empty = self.state.project is not None and self.state.document is None
        was_empty = self.editor.isHidden()
        self.empty_page.setVisible(empty)
        self.editor.setVisible(not empty)
        self.label_bar.setVisible(not empty)
        if was_empty and not empty:
            return_keyboard(self.editor)  # documents arrived: the keys annotate them

    def forget_project_texts(self) -> None:
        """Every status-bar text was the closed project's: "44 of 300 done" stayed on the
        welcome page after closing (issue 24 item 10)."""
        self.statusBar().clearMessage()
        for label in self.statusBar().findChildren(QLabel):
            label.clear()

    @Slot()
    def close_project(self) -> None:
        """Back to the welcome page (a running training run must be stopped first)."""
        if self.state.project is None:
            return
        if self.training.is_running() or self.jobs.is_busy():
            self.state.say("Stop the training run or pre-annotation first.")
            return
        self.timekeeper.flush()
        self.live_suggestions.stop()
        self.state.close_project()

    def show_page(self) -> None:
        """The editor and its docks with a project open; else the welcome page alone."""
        welcome = self.state.project is None
        if welcome == self.on_welcome:
            return
        self.on_welcome = welcome
        if welcome:
            self.editor_layout = self.saveState()
            for dock in self.findChildren(QDockWidget):
                dock.hide()
            self.pages.setCurrentWidget(self.welcome)
        else:
            self.pages.setCurrentWidget(self.editor_page)
            if self.editor_layout is not None:
                self.restoreState(self.editor_layout)

    @Slot(float)
    def show_time(self, seconds: float) -> None:
        minutes, secs = divmod(int(seconds), 60)
        self.time_text.setText(f"{minutes}:{secs:02d} on this document")

    @Slot(object)
    def arm(self, name: str | None) -> None:
        """Arm a label (None: disarm), as a Shift+click on it does."""
        self.controller.arm(name)

    @Slot()
    def manage_labels(self) -> None:
        if self.state.project is not None:
            LabelManager(self.state, self).exec()
            return_keyboard(self.editor)

    # -- look and lifetime -------------------------------------------------------------

    def set_theme(self, name: str) -> None:
        theme.apply(name)
        self.settings.setValue("theme", name)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.training.is_running():
            answer = QMessageBox.question(
                self,
                "A model is training",
                "Stop the training run and quit? The best epoch so far is kept.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.shut_down()
        super().closeEvent(event)

    @Slot()
    def shut_down(self) -> None:
        """Stop every job and close the project, once: on close, and on a quit that closes
        no window (Ctrl+C). Whatever fails on the way (the excepthook tells it after), the
        jobs are stopped: a QThread still running when the process ends aborts it."""
        if self.state.runner.closed:
            return
        try:
            self.timekeeper.flush()
            self.settings.setValue("window/geometry", self.saveGeometry())
            layout = self.editor_layout if self.on_welcome else self.saveState()
            self.settings.setValue("window/state", layout)
        finally:
            self.state.runner.stop_all(QUIT_WAIT_S)  # training keeps its best epoch
            self.state.session.close_on_quit()
