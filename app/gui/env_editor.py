"""The what-if environment: the variables that shape the chain, their real values (secrets masked),
and an overlay the user edits. The overlay becomes ``host.with_overlay(...)``; os.environ is never touched.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.env_vars import CHAIN_VARIABLES, SECRET_VARIABLES
from engine.host import Host

MASK = "••••••••"
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
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self._on_item_changed)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("What-if status")
        hint = QLabel(HINT, self)
        hint.setWordWrap(True)
        self.unset_button = QPushButton("Unset", self)
        self.unset_button.setToolTip("Run and probe as if the selected variables were not set")
        self.reset_button = QPushButton("Reset selected", self)
        self.reset_all_button = QPushButton("Reset all", self)
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

    def clear_variable(self, name: str) -> None:
        self.overlay.pop(name, None)
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
            real_item = QTableWidgetItem(masked(name, real))
            real_item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
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
                what_if.setToolTip("What-if: " + ("unset" if value is None else "set to a new value"))
            else:
                what_if.setToolTip("As on this machine; double-click to override")
            self.table.setItem(row, 0, name_item)
            self.table.setItem(row, 1, real_item)
            self.table.setItem(row, 2, what_if)
        self._filling = False
        if self.overlay:
            self.status.setText(f"<b>What-if active:</b> {describe_overlay(self.overlay)}")
        else:
            self.status.setText("No what-if: runs use the environment as it is.")

    def index_of(self, name: str) -> QModelIndex:
        return self.table.model().index(CHAIN_VARIABLES.index(name), 2)
