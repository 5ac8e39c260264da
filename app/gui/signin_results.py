"""The sign-in's outcome as tables: why it failed (code, meaning, fix), the authorization request (Copy URL), the
redirect received, the account, and the ID and access token claims."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.gui.claims_table import ClaimsTable
from engine.signin.result import SignInResult


def _table(parent: QWidget, name: str) -> QTableWidget:
    table = QTableWidget(0, 2, parent)
    table.setHorizontalHeaderLabels(("Parameter", "Value"))
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    table.setAccessibleName(name)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    return table


def _fill(table: QTableWidget, rows: dict[str, str]) -> None:
    table.setRowCount(len(rows))
    for r, (key, value) in enumerate(rows.items()):
        table.setItem(r, 0, QTableWidgetItem(key))
        item = QTableWidgetItem(str(value))
        item.setToolTip(str(value))
        table.setItem(r, 1, item)
    table.resizeColumnToContents(0)


class SignInResultsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: SignInResult | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.error_box = QGroupBox("Why it failed", self)
        error = QFormLayout(self.error_box)
        self.error_code, self.error_text = QLabel(self.error_box), QLabel(self.error_box)
        self.error_meaning, self.error_fix = QLabel(self.error_box), QLabel(self.error_box)
        self.error_details = QLabel(self.error_box)
        for label, widget in (
            ("Code", self.error_code),
            ("Message", self.error_text),
            ("What it means", self.error_meaning),
            ("Likely fix", self.error_fix),
            ("Details", self.error_details),
        ):
            widget.setWordWrap(True)
            widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            error.addRow(label, widget)
        self.error_box.setVisible(False)
        layout.addWidget(self.error_box)
        request = QGroupBox("Authorization request", self)
        request_layout = QVBoxLayout(request)
        self.request_table = _table(request, "Authorization request")
        self.copy_url_button = QPushButton("Copy URL", request)
        self.copy_url_button.setToolTip("The request URL with state, nonce and code_challenge masked")
        self.copy_url_button.clicked.connect(self.copy_url)
        request_layout.addWidget(self.request_table)
        request_layout.addWidget(self.copy_url_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(request)
        redirect = QGroupBox("Redirect received", self)
        QVBoxLayout(redirect).addWidget(redirect_table := _table(redirect, "Redirect received"))
        self.redirect_table = redirect_table
        layout.addWidget(redirect)
        self.account_label = QLabel("", self)
        self.account_label.setWordWrap(True)
        self.account_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.account_label)
        self.id_claims = ClaimsTable("ID token claims", self)
        self.access_claims = ClaimsTable("Access token claims", self)
        layout.addWidget(self.id_claims)
        layout.addWidget(self.access_claims)

    def show_result(self, result: SignInResult) -> None:
        self.result = result
        _fill(self.request_table, result.authorize_request)
        _fill(self.redirect_table, result.redirect)
        self.copy_url_button.setEnabled(bool(result.authorize_url))
        self.id_claims.set_claims(result.id_token_claims)
        self.access_claims.set_claims(result.access_token_claims)
        account = result.account
        self.account_label.setText(
            f"<b>Signed in as {account['username']}</b> (tenant {account['tenant_id']}, object id "
            f"{account['object_id']})"
            if account
            else ""
        )
        err = result.error
        self.error_box.setVisible(err is not None)
        if err is not None:
            self.error_code.setText(f"AADSTS{err.code}" if err.code is not None else "—")
            self.error_text.setText(err.text)
            self.error_meaning.setText(err.explanation)
            self.error_fix.setText(err.fix)
            self.error_details.setText("\n".join(f"{k}: {v}" for k, v in err.details.items()) or "—")

    def copy_url(self) -> None:
        """The request URL, with state, nonce and code_challenge masked."""
        if self.result and self.result.authorize_url:
            QGuiApplication.clipboard().setText(self.result.authorize_url)
