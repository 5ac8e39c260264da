"""The chain panel: the members in order, each with its availability badge and identity; drag, check,
move with Alt+Up/Down, add and remove (ChainedTokenCredential), profile selector and options editor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.chain_model import BadgeRole, ChainModel, IdentityRole, ReasonRole
from app.gui.member_status import BADGES, EXCLUDED
from app.gui.outcome_style import draw_badge_icon, look
from app.gui.resources import icon, is_dark
from engine.profiles import PROFILES
from engine.spec import CREDENTIAL_OPTIONS, DAC_OPTIONS

if TYPE_CHECKING:
    from app.gui.options_editor import OptionsEditor

ROW_HEIGHT = 48
DAC_MODE_TEXT = "<b>DefaultAzureCredential</b> — its order is fixed; drag a row to make it a ChainedTokenCredential"
CHAINED_MODE_TEXT = "<b>ChainedTokenCredential</b> — your own order and members"
FORWARDED = ("additionally_allowed_tenants", "disable_instance_discovery", "identity_config")


class MemberDelegate(QStyledItemDelegate):
    """Two lines per member: name and badge, then the identity it would use (or why it would not).

    When the list is too narrow for the full name beside the pill, the pill moves to the start of the
    second line and the name elides in the middle (the row's tooltip has it whole): nothing is clipped.
    """

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        return QSize(1, ROW_HEIGHT)  # the view gives every row its full width; never ask for more

    @staticmethod
    def fonts(base: QFont) -> tuple[QFont, QFont]:
        name = QFont(base)
        name.setBold(True)
        small = QFont(base)
        small.setPointSizeF(max(6.5, small.pointSizeF() * 0.85))
        return name, small

    @staticmethod
    def pill_width(small: QFont, text: str) -> int:
        return QFontMetrics(small).horizontalAdvance(text) + 14

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = option.widget
        style = widget.style() if widget else None
        if style is None:
            return
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        check = style.subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, opt, widget)
        pal = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text_color = pal.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        muted = pal.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText)
        badge = index.data(BadgeRole) or "unknown"
        rect = QRectF(option.rect)
        left = check.right() + 10
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        draw_badge_icon(painter, QRectF(left, rect.top() + 8, 16, 16), badge, is_dark(pal))
        left += 24
        font, small = self.fonts(option.font)
        excluded = badge == EXCLUDED
        font.setStrikeOut(excluded)
        name = f"{index.row() + 1}. {index.data()}"
        pill = look(badge).label
        pill_w = self.pill_width(small, pill)
        metrics = QFontMetrics(font)
        room = rect.right() - left - 8
        inline = metrics.horizontalAdvance(name) + 10 + pill_w <= room
        name_w = room - pill_w - 10 if inline else room
        painter.setFont(font)
        painter.setPen(muted if excluded else text_color)
        painter.drawText(
            QRectF(left, rect.top() + 5, name_w, 20),
            Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, int(name_w)),
        )
        # the pill repeats the badge in words, so neither colour nor shape is the only cue
        if inline:
            pill_rect = QRectF(rect.right() - pill_w - 8, rect.top() + 7, pill_w, 17)
            line_left = left
        else:
            pill_rect = QRectF(left, rect.top() + 26, pill_w, 16)
            line_left = left + pill_w + 6
        color = look(badge).color(is_dark(pal))
        painter.setPen(color if not selected else text_color)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(pill_rect, 8, 8)
        painter.setFont(small)
        painter.drawText(pill_rect, Qt.AlignmentFlag.AlignCenter, pill)
        second = index.data(IdentityRole) or index.data(ReasonRole) or ""
        second = second.split("\n")[0]
        painter.setPen(text_color if index.data(IdentityRole) and not excluded else muted)
        line_rect = QRectF(line_left, rect.top() + 25, max(0.0, rect.right() - line_left - 8), 18)
        painter.drawText(
            line_rect,
            Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(small).elidedText(second, Qt.TextElideMode.ElideRight, int(line_rect.width())),
        )
        painter.restore()

    def full_width(self, view: QListView) -> int:
        """The row width at which every member's name and pill sit whole on the first line."""
        model = view.model()
        font, small = self.fonts(view.font())
        metrics = QFontMetrics(font)
        rows = model.rowCount() if model is not None else 0
        names = [f"{row + 1}. {model.index(row, 0).data()}" for row in range(rows)] or [
            "10. AzureDeveloperCliCredential"
        ]
        pill = max(self.pill_width(small, look(b).label) for b in BADGES)
        indicator = view.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, None, view)
        return indicator + 8 + 10 + 24 + max(metrics.horizontalAdvance(n) for n in names) + 10 + pill + 8


class ChainListView(QListView):
    """Drag to reorder (moves only), Space toggles, Alt+Up/Down moves, Delete removes."""

    move_requested = Signal(int)  # -1 up, +1 down
    remove_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(MemberDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setUniformItemSizes(True)
        self.setAlternatingRowColors(True)
        self.setAccessibleName("Credential chain")
        self.setAccessibleDescription(
            "Members in the order they are tried. Space includes or excludes; Alt+Up and Alt+Down move."
        )
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListView.ResizeMode.Adjust)

    def keyPressEvent(self, event) -> None:
        if event.modifiers() & Qt.KeyboardModifier.AltModifier and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.move_requested.emit(-1 if event.key() == Qt.Key.Key_Up else 1)
            return
        if event.key() == Qt.Key.Key_Delete:
            self.remove_requested.emit()
            return
        super().keyPressEvent(event)


class ChainPanel(QWidget):
    reset_requested = Signal()
    convert_requested = Signal()

    def __init__(self, model: ChainModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.state = model.state
        self.profile = QComboBox(self)
        for name, profile in PROFILES.items():
            self.profile.addItem(f"azure-identity {profile.version}", name)
        self.profile.setAccessibleName("azure-identity version")
        self.profile.setToolTip("Which azure-identity version's DefaultAzureCredential to reproduce")
        self.profile.currentIndexChanged.connect(self._on_profile)
        self.profile_reason = QLabel("chosen", self)  # why this profile: chosen, or detected from an app
        self.profile_reason.setWordWrap(True)
        self.profile_reason.setAccessibleName("Why this azure-identity version")
        self.mode = QLabel(self)
        self.mode.setWordWrap(True)
        self.mode.setAccessibleName("Chain type")
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setObjectName("ChainNote")
        self.note.setTextFormat(Qt.TextFormat.RichText)
        self.note.linkActivated.connect(self._on_link)
        self.note.setAccessibleName("Chain note")
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setObjectName("ChainError")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.setAccessibleName("Chain error")
        self.error.setVisible(False)
        self.list = ChainListView(self)
        self.list.setModel(model)
        self.list.move_requested.connect(self.move_selected)
        self.list.remove_requested.connect(self.remove_selected)
        self.list.selectionModel().currentChanged.connect(lambda *_: self._show_options())
        self.up = self._tool("move-up", "Move up (Alt+Up)", lambda: self.move_selected(-1))
        self.down = self._tool("move-down", "Move down (Alt+Down)", lambda: self.move_selected(1))
        self.add = self._tool("add", "Add a credential (ChainedTokenCredential)", None)
        menu = QMenu(self.add)
        for name in CREDENTIAL_OPTIONS:
            action = menu.addAction(name)
            action.triggered.connect(lambda _=False, n=name: self.add_credential(n))
        self.add.setMenu(menu)
        self.add.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.remove = self._tool("remove", "Remove the selected credential (Delete)", self.remove_selected)
        self.convert = QToolButton(self)
        self.convert.setAutoRaise(True)
        self.convert.clicked.connect(self._on_convert)
        self._options: OptionsEditor | None = None  # built when first shown: the first paint does not need it
        self._options_args: tuple = ()
        self.options_toggle = QToolButton(self)
        self.options_toggle.setText("Options…")
        self.options_toggle.setCheckable(True)
        self.options_toggle.setAutoRaise(True)
        self.options_toggle.setToolTip(
            "Show the keyword arguments of the selected credential (or of DefaultAzureCredential)"
        )
        self.options_toggle.setAccessibleName("Show options")
        self.options_toggle.toggled.connect(lambda shown: self.options.setVisible(shown))
        tools = QHBoxLayout()
        tools.setSpacing(2)
        for button in (self.up, self.down, self.add, self.remove):
            tools.addWidget(button)
        tools.addStretch(1)
        tools.addWidget(self.options_toggle)
        tools.addWidget(self.convert)
        header = QHBoxLayout()
        version = QLabel("Versio&n:", self)
        version.setBuddy(self.profile)
        header.addWidget(version)
        header.addWidget(self.profile, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addWidget(self.profile_reason)
        layout.addWidget(self.mode)
        layout.addWidget(self.note)
        layout.addWidget(self.error)
        layout.addWidget(self.list, 1)
        layout.addLayout(tools)
        self._layout = layout
        model.modelReset.connect(self.sync)
        model.edited.connect(self.sync)
        self.sync()

    @property
    def options(self) -> OptionsEditor:
        """The options editor, built on first use (under the list, hidden until Options… is pressed)."""
        if self._options is None:
            from app.gui.options_editor import OptionsEditor

            self._options = OptionsEditor(self)
            self._options.applied.connect(self._on_options)
            self._options.setVisible(False)
            self._layout.addWidget(self._options)
            if self._options_args:
                self._options.edit(*self._options_args)
        return self._options

    def _edit_options(self, *args) -> None:
        self._options_args = args
        if self._options is not None:
            self._options.edit(*args)

    def preferred_width(self) -> int:
        """The dock's first-start width: every member's full name beside its pill, and the scroll bar."""
        delegate = self.list.itemDelegate()
        scroll = self.list.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self.list)
        margins = self.contentsMargins()
        frame = 2 * self.list.frameWidth()
        return delegate.full_width(self.list) + scroll + frame + margins.left() + margins.right() + 6

    def sizeHint(self) -> QSize:
        return QSize(self.preferred_width(), super().sizeHint().height())

    def _tool(self, name: str, tip: str, slot) -> QToolButton:
        button = QToolButton(self)
        button.setIcon(icon(name))
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0])
        button.setAutoRaise(True)
        if slot is not None:
            button.clicked.connect(slot)
        return button

    # ---- state -> widgets --------------------------------------------------------------------
    def sync(self) -> None:
        state = self.state
        self.profile.blockSignals(True)
        self.profile.setCurrentIndex(max(0, self.profile.findData(state.profile_name)))
        self.profile.blockSignals(False)
        self.mode.setText(DAC_MODE_TEXT if state.is_default else CHAINED_MODE_TEXT)
        note = state.note
        if not state.is_default:
            note = (note + " " if note else "") + "<a href='reset'>Back to DefaultAzureCredential</a>"
        self.note.setText(note)
        self.note.setVisible(bool(note))
        chained = not state.is_default
        self.add.setEnabled(chained)
        self.remove.setEnabled(chained and len(state) > 1)
        self.convert.setText("Reset" if chained else "Convert")
        self.convert.setToolTip(
            "Back to DefaultAzureCredential with no arguments"
            if chained
            else "Make this a ChainedTokenCredential of the same members"
        )
        self.convert.setAccessibleName(self.convert.toolTip())
        self._show_options()

    def set_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def selected_row(self) -> int:
        index = self.list.currentIndex()
        return index.row() if index.isValid() else -1

    def select_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.list.selectionModel().setCurrentIndex(
                self.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )

    def _show_options(self) -> None:
        state = self.state
        if state.is_default:
            allowed = set(state.profile.options) | set(FORWARDED)
            schema = {k: v for k, v in DAC_OPTIONS.items() if k in allowed}
            self._edit_options("DefaultAzureCredential keyword arguments", schema, state.dac_options)
            return
        row = self.selected_row()
        if row < 0 or row >= len(state):
            self._edit_options("Options (select a credential)", {}, {})
            return
        member = state.members[row]
        self._edit_options(f"{member.type} keyword arguments", CREDENTIAL_OPTIONS.get(member.type, {}), member.options)

    # ---- edits -------------------------------------------------------------------------------
    def move_selected(self, delta: int) -> None:
        row = self.selected_row()
        if row < 0:
            return
        uid = self.state.members[row].uid
        target = row + delta
        if not (0 <= target < len(self.state)):
            return
        self.model.moveRows(QModelIndex(), row, 1, QModelIndex(), target + (1 if delta > 0 else 0))
        new_row = self.state.row_of(uid)
        if new_row is not None:
            self.select_row(new_row)

    def add_credential(self, name: str) -> None:
        row = self.selected_row()
        row = self.state.add(name, None if row < 0 else row + 1)
        self.select_row(row)

    def remove_selected(self) -> None:
        row = self.selected_row()
        if row >= 0 and not self.state.is_default and len(self.state) > 1:
            self.state.remove(row)
            self.select_row(min(row, len(self.state) - 1))

    def _on_options(self, values: dict) -> None:
        if self.state.is_default:
            self.state.set_dac_options(values)
        else:
            row = self.selected_row()
            if row >= 0:
                self.state.set_options(row, values)

    def _on_profile(self, index: int) -> None:
        self.profile_reason.setText("chosen")
        self.state.set_profile(self.profile.itemData(index))

    def use_detected(self, profile_name: str, reason: str) -> None:
        """Select a profile found in the user's app environment and say where it came from."""
        self.profile.setCurrentIndex(max(0, self.profile.findData(profile_name)))
        self.profile_reason.setText(reason)

    def _on_convert(self) -> None:
        if self.state.is_default:
            self.convert_requested.emit()
        else:
            self.reset_requested.emit()

    def _on_link(self, href: str) -> None:
        if href == "reset":
            self.reset_requested.emit()
