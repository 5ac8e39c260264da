"""The selected attempt in detail: outcome and message, its steps, its log lines, and the account card.

Ids can be copied with one click; tokens never appear here, so they cannot be copied.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication, QPainter, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.claims_table import ClaimsTable
from app.gui.outcome_style import RUNNING, draw_badge_icon, look
from app.gui.resources import icon, is_dark
from app.gui.run_record import RunRecord, attempt_duration_text
from app.gui.timeline_model import tick_label
from engine.account import Account
from engine.run import Attempt, Step

NOTHING_SELECTED = "Select an attempt in the timeline to see its message, steps, log lines and account."
NO_ACCOUNT = "No account: this attempt did not return a token."
COPYABLE = ("tenant_id", "object_id", "client_id", "upn")


class DetailsPane(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record: RunRecord | None = None
        self.lane: int | None = None
        self.badge = QLabel(self)
        self.badge.setFixedSize(22, 22)
        self.title = QLabel(NOTHING_SELECTED, self)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.setAccessibleName("Selected attempt")
        self.message = QPlainTextEdit(self)
        self.message.setReadOnly(True)
        self.message.setAccessibleName("Attempt message")
        self.message.setPlaceholderText("The attempt's message appears here (selectable text).")
        self.message.setMaximumHeight(96)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.steps_model = QStandardItemModel(0, 4, self)
        self.steps_model.setHorizontalHeaderLabels(["What", "Result", "Start", "Took"])
        self.steps = QTableView(self)
        self.steps.setModel(self.steps_model)
        self.steps.verticalHeader().setVisible(False)
        self.steps.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.steps.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.steps.setWordWrap(False)
        self.steps.setAlternatingRowColors(True)
        self.steps.setAccessibleName("Steps of the attempt")
        header = self.steps.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.steps.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.log = QPlainTextEdit(self)
        self.log.setReadOnly(True)
        self.log.setFont(mono)
        self.log.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.log.setAccessibleName("Log lines in azure.identity format")
        self.account = QWidget(self)
        self.account_form = QFormLayout(self.account)
        self.account_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        account_scroll = QScrollArea(self)
        account_scroll.setWidgetResizable(True)
        account_scroll.setWidget(self.account)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.steps, "Steps")
        self.tabs.addTab(self.log, "Log")
        self.tabs.addTab(account_scroll, "Account")
        self.tabs.setAccessibleName("Attempt details")
        head = QHBoxLayout()
        head.setSpacing(8)
        head.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.title, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        self.show_attempt(None, None)

    # ---- content -----------------------------------------------------------------------------
    def show_attempt(self, record: RunRecord | None, lane: int | None) -> None:
        self.record, self.lane = record, lane
        attempt = self.attempt
        if attempt is None:
            self.title.setText(NOTHING_SELECTED)
            self.badge.clear()
            self.message.setPlainText(record.error if record and record.error else "")
            self.steps_model.setRowCount(0)
            self.log.setPlainText("")
            self._fill_account(None)
            return
        self.refresh()

    @property
    def attempt(self) -> Attempt | None:
        if self.record is None or self.lane is None:
            return None
        lanes = self.record.lanes
        return lanes[self.lane].attempt if 0 <= self.lane < len(lanes) else None

    def refresh(self) -> None:
        """Re-read the selected attempt (it may still be running)."""
        attempt = self.attempt
        if attempt is None:
            return
        outcome = attempt.outcome or RUNNING
        self.badge.setPixmap(_badge_pixmap(outcome, self.devicePixelRatioF(), is_dark(self.palette())))
        duration = attempt_duration_text(attempt.duration)
        locked = " · locked in (DefaultAzureCredential reuses its first success)" if attempt.locked_in else ""
        self.title.setText(
            f"<b>{attempt.credential}</b> — {look(outcome).label} · {duration}"
            f"<br><span style='font-size:small'>attempt {attempt.index + 1} of run #{self.record.number}"
            f" ({attempt.credential_class}){locked}</span>"
        )
        text = attempt.message or ("Signed in." if attempt.outcome == "succeeded" else "")
        if self.message.toPlainText() != text:
            self.message.setPlainText(text)
        self._fill_steps(attempt.steps)
        log = "\n".join(f"{logging.getLevelName(r.level)} {r.logger}: {r.message}" for r in attempt.logs)
        if self.log.toPlainText() != log:
            self.log.setPlainText(log)
        self._fill_account(attempt.account, attempt.expires_on)

    def _fill_steps(self, steps: list[Step]) -> None:
        model = self.steps_model
        model.setRowCount(len(steps))
        for row, step in enumerate(steps):
            values = [_what(step), _result(step), tick_label(step.started), attempt_duration_text(step.duration)]
            for column, value in enumerate(values):
                item = model.item(row, column)
                if item is None:
                    item = QStandardItem()
                    item.setEditable(False)
                    model.setItem(row, column, item)
                if item.text() != value:
                    item.setText(value)
                    item.setToolTip(_step_tooltip(step) if column == 0 else value)

    def _fill_account(self, account: Account | None, expires_on: int | None = None) -> None:
        while self.account_form.rowCount():
            self.account_form.removeRow(0)
        if account is None:
            note = QLabel(NO_ACCOUNT, self.account)
            note.setWordWrap(True)
            self.account_form.addRow(note)
            return
        rows = [
            ("Account", account.display, None),
            ("Name", account.name, None),
            ("Identity type", account.identity_type, None),
            ("Tenant ID", account.tenant_id, "tenant_id"),
            ("Object ID", account.object_id, "object_id"),
            ("App (client) ID", account.client_id, "client_id"),
            ("User principal name", account.upn, "upn"),
            ("Audience", account.audience, None),
            ("Issuer", account.issuer, None),
            ("Scopes", " ".join(account.scopes) or None, None),
            ("Roles", ", ".join(account.roles) or None, None),
            ("Expires", _when(account.expires_on or expires_on), None),
            ("Token version", account.version, None),
        ]
        for label, value, copy_key in rows:
            if not value:
                continue
            field = QLabel(str(value), self.account)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            field.setAccessibleName(label)
            field.setWordWrap(True)
            if copy_key in COPYABLE:
                row = QWidget(self.account)
                box = QHBoxLayout(row)
                box.setContentsMargins(0, 0, 0, 0)
                box.addWidget(field, 1)
                button = QToolButton(row)
                button.setIcon(icon("copy"))
                button.setAutoRaise(True)
                button.setToolTip(f"Copy the {label.lower()}")
                button.setAccessibleName(f"Copy {label}")
                button.setObjectName(f"copy_{copy_key}")
                button.clicked.connect(lambda _=False, v=str(value): QGuiApplication.clipboard().setText(v))
                box.addWidget(button)
                self.account_form.addRow(label + ":", row)
            else:
                self.account_form.addRow(label + ":", field)
        if account.claims:  # the token's claims, jwt.ms style (the sign-in workbench's table)
            table = ClaimsTable("Access token claims", self.account)
            table.set_claims(account.claims)
            self.account_form.addRow(table)


def _badge_pixmap(outcome: str, ratio: float, dark: bool) -> QPixmap:
    pixmap = QPixmap(int(22 * ratio), int(22 * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    draw_badge_icon(painter, QRectF(1, 1, 20, 20), outcome, dark)
    painter.end()
    return pixmap


def _what(step: Step) -> str:
    detail = step.detail
    if step.kind == "http":
        return f"{detail.get('method', '')} {detail.get('url', step.label)}".strip()
    if step.kind == "process" and detail.get("argv"):
        return "$ " + " ".join(str(a) for a in detail["argv"])
    return f"{step.kind}: {step.label}"


def _result(step: Step) -> str:
    detail = step.detail
    if step.error:
        return step.error.split("\n")[0][:120]
    if "status" in detail:
        return f"{detail['status']} {detail.get('reason', '')}".strip()
    if "exit_status" in detail:
        first_error_line = next((ln for ln in str(detail.get("stderr", "")).splitlines() if ln.strip()), "")
        if detail["exit_status"] != 0 and first_error_line:  # what the tool said, already token-masked
            return f"exit {detail['exit_status']}: {first_error_line[:160]}"
        return f"exit {detail['exit_status']}"
    if detail.get("killed"):
        return "killed"
    if step.ended is None:
        return "running…"
    return "ok"


def _step_tooltip(step: Step) -> str:
    shown = {k: v for k, v in step.detail.items() if k != "stdout"}
    return f"{step.label}\n{json.dumps(shown, indent=1, default=str)[:1500]}"


def _when(epoch: int | None) -> str | None:
    if not epoch:
        return None
    return datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M:%S")
