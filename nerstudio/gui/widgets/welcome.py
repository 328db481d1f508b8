"""The welcome page, shown while no project is open: what nerstudio does, the recent
projects, and the ways to start (a new project, an existing one, the sample).

It only asks: each choice is a signal, and the main window opens or creates the project.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal, Slot
from PySide6.QtGui import QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from nerstudio.gui.dialogs.new_project import PROJECT_FILTER, NewProjectDialog

PATH_ROLE = Qt.ItemDataRole.UserRole
TAGLINE = (
    "Annotate named entities in your own documents, train a transformer on what you "
    "annotated, and correct its suggestions — offline, on your own machine."
)


class RecentDelegate(QStyledItemDelegate):
    """Two lines per project: its name in bold, its folder below in a quieter color."""

    PADDING = 8

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        name = QFont(option.font)
        name.setBold(True)
        folder = QFont(option.font)
        folder.setPointSizeF(option.font.pointSizeF() * 0.9)
        return name, folder

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        name, folder = self._fonts(option)
        height = QFontMetrics(name).height() + QFontMetrics(folder).height()
        return QSize(200, height + 2 * self.PADDING + 2)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        panel = QStyleOptionViewItem(option)
        self.initStyleOption(panel, index)
        panel.text = ""
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, panel, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        color = option.palette.highlightedText() if selected else option.palette.text()
        quiet = color.color()
        quiet.setAlphaF(0.65)
        name_font, folder_font = self._fonts(option)
        rect = option.rect.adjusted(self.PADDING + 4, self.PADDING, -self.PADDING, -self.PADDING)
        name_height = QFontMetrics(name_font).height()
        painter.save()
        painter.setFont(name_font)
        painter.setPen(color.color())
        painter.drawText(
            QRect(rect.left(), rect.top(), rect.width(), name_height),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            index.data(Qt.ItemDataRole.DisplayRole),
        )
        painter.setFont(folder_font)
        painter.setPen(quiet)
        folder = str(Path(index.data(PATH_ROLE)).parent)
        folder_rect = QRect(
            rect.left(), rect.top() + name_height, rect.width(), rect.height() - name_height
        )
        painter.drawText(
            folder_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(folder_font).elidedText(
                folder, Qt.TextElideMode.ElideMiddle, folder_rect.width()
            ),
        )
        painter.restore()


class WelcomePage(QWidget):
    """Emits what the user chose; it never opens or creates a project itself."""

    openRequested = Signal(str)  # path of an existing project
    newRequested = Signal(str, list, str)  # path of the new file, its labels, annotator
    sampleRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        self._make_buttons()
        self._make_recent_list()
        self._lay_out()
        self.set_recent([])

    def _make_buttons(self) -> None:
        """New, Open and the sample project; the page only emits what was chosen."""
        self.new_button = QPushButton("New project…")
        self.open_button = QPushButton("Open…")
        self.sample_button = QPushButton("Open sample project")
        self.new_button.setDefault(True)
        self.sample_button.setToolTip(
            "A small annotated news corpus (PER, ORG, LOC, MISC) to try annotating and training"
        )
        self.new_button.clicked.connect(self.ask_new)
        self.open_button.clicked.connect(self.ask_open)
        self.sample_button.clicked.connect(self.sampleRequested)

    def _make_recent_list(self) -> None:
        """The recent projects, or a line saying there are none yet."""
        self.recent = QListWidget()
        self.recent.setItemDelegate(RecentDelegate(self.recent))
        self.recent.setUniformItemSizes(True)
        self.recent.itemActivated.connect(self.open_item)
        self.recent_title = QLabel("Recent projects")
        heading = self.recent_title.font()
        heading.setBold(True)
        self.recent_title.setFont(heading)
        self.empty = QLabel(
            "No recent projects. Create one, or open the sample project to try nerstudio "
            "on annotated news sentences.",
            wordWrap=True,
        )

    def _header(self) -> QHBoxLayout:
        """The icon and the name, large and bold."""
        title = QLabel("nerstudio")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 2.4)
        font.setBold(True)
        title.setFont(font)
        header = QHBoxLayout()
        header.setSpacing(16)
        icon = self.windowIcon()
        if not icon.isNull():
            picture = QLabel()
            picture.setPixmap(icon.pixmap(56, 56))
            header.addWidget(picture)
        header.addWidget(title)
        header.addStretch(1)
        return header

    def _lay_out(self) -> None:
        """One centred column: header, tagline, buttons, recent projects."""
        tagline = QLabel(TAGLINE, wordWrap=True)
        tagline_font = tagline.font()
        tagline_font.setPointSizeF(tagline_font.pointSizeF() * 1.1)
        tagline.setFont(tagline_font)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.open_button, self.sample_button):
            button.setMinimumHeight(34)
            buttons.addWidget(button)
        buttons.addStretch(1)
        column = QVBoxLayout()
        column.addLayout(self._header())
        column.addSpacing(8)
        column.addWidget(tagline)
        column.addSpacing(20)
        column.addLayout(buttons)
        column.addSpacing(32)
        column.addWidget(self.recent_title)
        column.addWidget(self.empty)
        column.addWidget(self.recent)
        column.addStretch(1)
        content = QWidget()
        content.setMaximumWidth(760)
        content.setLayout(column)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(40, 56, 40, 40)
        outer.addStretch(1)
        outer.addWidget(content, 4)
        outer.addStretch(1)

    def set_recent(self, paths: list[str]) -> None:
        """Most recent first; files that no longer exist are left out."""
        self.recent.clear()
        for path in paths:
            if not Path(path).is_file():
                continue
            item = QListWidgetItem(Path(path).name)
            item.setData(PATH_ROLE, path)
            item.setToolTip(path)
            self.recent.addItem(item)
        has_recent = self.recent.count() > 0
        self.recent.setVisible(has_recent)
        self.empty.setVisible(not has_recent)
        if has_recent:
            self.recent.setCurrentRow(0)
            rows = sum(self.recent.sizeHintForRow(row) for row in range(self.recent.count()))
            self.recent.setFixedHeight(rows + 2 * self.recent.frameWidth())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        (self.recent if self.recent.count() else self.new_button).setFocus()

    @Slot(QListWidgetItem)
    def open_item(self, item: QListWidgetItem) -> None:
        self.openRequested.emit(item.data(PATH_ROLE))

    @Slot()
    def ask_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", "", PROJECT_FILTER)
        if path:
            self.openRequested.emit(path)

    @Slot()
    def ask_new(self) -> None:
        chosen = NewProjectDialog.choose(self)
        if chosen is not None:
            self.newRequested.emit(*chosen)
