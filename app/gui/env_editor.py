"""The what-if environment: the variables that shape the chain, their real values (secrets masked),
and an overlay the user edits. The overlay becomes ``host.with_overlay(...)``; os.environ is never touched.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.env_vars import CHAIN_VARIABLES, SECRET_VARIABLES
from engine.host import Host

MASK = "••••••••"
VARIABLE_SHARE = 0.4  # the variable names never take more than this of the table's width
CELL_PADDING = 18
NOT_SET = "—"
UNSET_TEXT = "(unset)"
VALUE_ROLE = Qt.ItemDataRole.UserRole + 1  # the overlay value: a str, None for "unset", absent for "as is"
HINT = (
    "Double-click a <b>What-if</b> cell to set a value, or select rows and press <b>Unset</b>. "
    "Runs and probes use the overlay; your real environment is never changed."
)


def masked(name: str, value: str | None) -> str:
    """What the table shows for a value: secrets are never displayed."""
    if value is None:
        return NOT_SET
    if name in SECRET_VARIABLES:
        return f"{MASK} (set)" if value else "(set, empty)"  # not even its length: that narrows a guess
    return value if value else "(set, empty)"


def overlay_host(host: Host, overlay: Mapping[str, str | None]) -> Host:
    """``host`` with the overlay applied (None unsets a variable)."""
    if not overlay:
        return host
    return host.with_overlay(
        set={k: v for k, v in overlay.items() if v is not None}, unset=[k for k, v in overlay.items() if v is None]
    )


def describe_overlay(overlay: Mapping[str, str | None]) -> str:
    """ "AZURE_CLIENT_SECRET unset, AZURE_TENANT_ID=…" with secret values masked."""
    parts = []
    for name, value in overlay.items():
        if value is None:
            parts.append(f"{name} unset")
        else:
            parts.append(f"{name}={MASK if name in SECRET_VARIABLES else value}")
    return ", ".join(parts)


class _WhatIfDelegate(QStyledItemDelegate):
    """Edits the what-if value; secret variables are typed into a password field."""

    def createEditor(self, parent, option, index):
        editor = QLineEdit(parent)
        name = index.siblingAtColumn(0).data()
        if name in SECRET_VARIABLES:
            editor.setEchoMode(QLineEdit.EchoMode.Password)
        editor.setPlaceholderText("value (empty: as on this machine)")
        return editor

    def setEditorData(self, editor, index) -> None:
        value = index.data(VALUE_ROLE)
        editor.setText(value if isinstance(value, str) else "")

    def setModelData(self, editor, model, index) -> None:
        model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)


def fitted_widths(wanted: list[int], minimums: list[int], available: int, first_share: float) -> list[int]:
    """Share ``available`` pixels among columns that want ``wanted``: the first gets at most ``first_share``
    of it and gives way so that the others keep at least their minimum (their header: the What-if column
    is the one people edit); spare room goes to the others in proportion to what they want, a shortfall
    is shared in proportion to how much more than their minimum they want. Only when even the headers do
    not fit does the sum exceed ``available`` (then the table scrolls)."""
    rest_min = sum(minimums[1:])
    first = max(minimums[0], min(wanted[0], int(available * first_share), available - rest_min))
    room = max(0, available - first)
    rest_wanted = [max(w, m) for w, m in zip(wanted[1:], minimums[1:], strict=True)]
    if sum(rest_wanted) <= room:  # everything fits: spread the spare room in proportion
        total = sum(rest_wanted) or 1
        spare = room - sum(rest_wanted)
        return [first, *(w + spare * w // total for w in rest_wanted)]
    extra = max(0, room - rest_min)
    excess = [w - m for w, m in zip(rest_wanted, minimums[1:], strict=True)]
    total = sum(excess) or 1
    return [first, *(m + extra * e // total for m, e in zip(minimums[1:], excess, strict=True))]


def _button(text: str, parent: QWidget) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button


class EnvEditor(QWidget):
    overlay_changed = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.base: dict[str, str] = {}
        self.overlay: dict[str, str | None] = {}
        self._filling = False
        self.table = QTableWidget(len(CHAIN_VARIABLES), 3, self)
        self.table.setHorizontalHeaderLabels(["Variable", "On this machine", "What-if"])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.setItemDelegateForColumn(2, _WhatIfDelegate(self.table))
        self.table.setAccessibleName("Environment variables that affect the chain")
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; the arrow keys move within it
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.itemChanged.connect(self._on_item_changed)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("What-if status")
        hint = QLabel(HINT, self)
        hint.setWordWrap(True)
        # tool buttons: as wide as their words, so the dock can be narrow
        self.unset_button = _button("Unset", self)
        self.unset_button.setToolTip("Run and probe as if the selected variables were not set")
        self.reset_button = _button("Reset selected", self)
        self.reset_button.setToolTip("Back to this machine's value for the selected variables")
        self.reset_all_button = _button("Reset all", self)
        self.reset_all_button.setToolTip("Drop the whole overlay: back to this machine's environment")
        for button in (self.unset_button, self.reset_button, self.reset_all_button):
            button.setAccessibleName(button.text())
        self.unset_button.clicked.connect(lambda: self._apply_to_selection(None))
        self.reset_button.clicked.connect(lambda: self._apply_to_selection(...))
        self.reset_all_button.clicked.connect(self.reset)
        buttons = QHBoxLayout()
        buttons.addWidget(self.unset_button)
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        buttons.addWidget(self.reset_all_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self._fill()

    # ---- public ------------------------------------------------------------------------------
    def set_base(self, env: Mapping[str, str]) -> None:
        """The environment the overlay applies to (this machine's, or the sandbox's)."""
        self.base = dict(env)
        self._fill()

    def set_variable(self, name: str, value: str | None) -> None:
        """Override one variable (None: unset it)."""
        self.overlay[name] = value
        self._changed()

    def reset(self) -> None:
        if self.overlay:
            self.overlay.clear()
            self._changed()

    @property
    def active(self) -> bool:
        return bool(self.overlay)

    # ---- internals ---------------------------------------------------------------------------
    def _changed(self) -> None:
        self._fill()
        self.overlay_changed.emit(dict(self.overlay))

    def _apply_to_selection(self, value) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        for row in rows:
            name = CHAIN_VARIABLES[row]
            if value is ...:
                self.overlay.pop(name, None)
            else:
                self.overlay[name] = value
        if rows:
            self._changed()

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != 2:
            return
        name = CHAIN_VARIABLES[item.row()]
        text = item.data(Qt.ItemDataRole.EditRole) or ""
        if text:
            self.overlay[name] = text
        else:
            self.overlay.pop(name, None)
        self._changed()

    def _fill(self) -> None:
        self._filling = True
        bold = QFont(self.font())
        bold.setBold(True)
        accent = QBrush(QColor("#c98a00"))
        for row, name in enumerate(CHAIN_VARIABLES):
            real = self.base.get(name)
            name_item = QTableWidgetItem(name)
            name_item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            name_item.setToolTip(name)
            real_item = QTableWidgetItem(masked(name, real))
            real_item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            real_item.setToolTip(f"On this machine: {masked(name, real) if real is not None else 'not set'}")
            if real is None:
                real_item.setForeground(self.palette().placeholderText())
            what_if = QTableWidgetItem()
            if name in self.overlay:
                value = self.overlay[name]
                what_if.setText(UNSET_TEXT if value is None else masked(name, value))
                what_if.setData(VALUE_ROLE, value)
                what_if.setFont(bold)
                what_if.setForeground(accent)
                name_item.setFont(bold)
                what_if.setToolTip(f"What-if: {'unset' if value is None else masked(name, value)}")
            else:
                what_if.setToolTip("As on this machine; double-click to override")
            self.table.setItem(row, 0, name_item)
            self.table.setItem(row, 1, real_item)
            self.table.setItem(row, 2, what_if)
        self._filling = False
        if self.isVisible():  # a background tab sizes its columns when it comes up (showEvent)
            self.fit_columns()
        if self.overlay:
            self.status.setText(f"<b>What-if active:</b> {describe_overlay(self.overlay)}")
        else:
            self.status.setText("No what-if: runs use the environment as it is.")

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.isVisible():
            self.fit_columns()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.fit_columns()

    def fit_columns(self) -> None:
        """Columns as wide as what they show: the variable at most VARIABLE_SHARE of the table, each
        header whole; what does not fit scrolls sideways (every cell has its full text as a tooltip)."""
        table = self.table
        header = table.horizontalHeader()
        available = table.viewport().width()
        wanted = []
        for column in range(table.columnCount()):
            contents = header.sectionSizeFromContents(column).width()
            for row in range(table.rowCount()):
                item = table.item(row, column)
                if item is not None and item.text():
                    contents = max(contents, QFontMetrics(item.font()).horizontalAdvance(item.text()) + CELL_PADDING)
            wanted.append(contents)
        minimums = [header.sectionSizeFromContents(c).width() for c in range(table.columnCount())]
        widths = fitted_widths(wanted, minimums, available, VARIABLE_SHARE)
        for column, width in enumerate(widths):
            header.resizeSection(column, width)
