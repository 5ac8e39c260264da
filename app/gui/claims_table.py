"""A token's claims as a table like jwt.ms: claim, value (times in local time), one line of meaning; Copy as JSON."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.signin import claims as claims_mod

HEADERS = ("Claim", "Value", "Meaning")


class ClaimsTable(QWidget):
    """Claims of one token; the token itself never reaches this widget."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._claims: dict[str, Any] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        self.title = QLabel(f"<b>{title}</b>", self)
        self.copy_button = QPushButton("Copy claims as JSON", self)
        self.copy_button.setAccessibleName(f"Copy {title} as JSON")
        self.copy_button.clicked.connect(self.copy)
        header.addWidget(self.title, 1)
        header.addWidget(self.copy_button)
        layout.addLayout(header)
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setAccessibleName(title)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        head.setStretchLastSection(True)
        self.table.setColumnWidth(1, 260)
        layout.addWidget(self.table)
        self.set_claims({})

    def set_claims(self, claims: dict[str, Any]) -> None:
        self._claims = dict(claims)
        rows = claims_mod.rows(self._claims)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate((row.name, row.value, row.explanation)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(r, c, item)
        self.copy_button.setEnabled(bool(rows))
        self.table.setVisible(bool(rows))

    def claims(self) -> dict[str, Any]:
        return dict(self._claims)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(claims_mod.as_json(self._claims))
