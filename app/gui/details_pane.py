"""The selected attempt in detail: outcome and message, its steps, its log lines, and the account card.

Ids can be copied with one click; tokens never appear here, so they cannot be copied.
"""

from __future__ import annotations

import json
import logging
import shlex
from datetime import datetime

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAction,
    QFontDatabase,
    QGuiApplication,
    QPainter,
    QPalette,
    QPixmap,
    QStandardItem,
    QStandardItemModel,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
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
from engine import events
from engine.account import Account
from engine.run import Attempt, Step
from engine.secrets import redact_text, redact_url

NOTHING_SELECTED = "Select an attempt in the timeline to see its message, steps, log lines and account."
NO_ACCOUNT = "No account: this attempt did not return a token."
CANCELLED_BY_YOU = "Cancelled by you"
RESULT_SHARE = 0.45
CARD_STACK_WIDTH = 380  # below this the Account card puts labels above values
RESULT_LIMIT = 2000  # the table elides a result to its column; the tooltip and Copy show up to this much
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
        self.message.setTabChangesFocus(True)
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
        self.steps.setTabKeyNavigation(False)  # Tab leaves the table; the arrow keys move within it
        self.steps.setAccessibleName("Steps of the attempt")
        header = self.steps.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # what and result share the room; a long result is elided (its tooltip and Copy have it whole)
        # instead of pushing Start and Took off the table
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)  # see _fit_result_column
        self.steps.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.steps.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.steps.customContextMenuRequested.connect(self._steps_menu)
        self.log = QPlainTextEdit(self)
        self.log.setReadOnly(True)
        self.log.setFont(mono)
        self.log.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.log.setAccessibleName("Log lines in azure.identity format")
        self.log.setTabChangesFocus(True)
        self.account = QWidget(self)
        self.account_form = QFormLayout(self.account)
        self.account_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.account_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # narrow: label above value
        account_scroll = QScrollArea(self)
        account_scroll.setWidgetResizable(True)
        # ids wrap instead of widening the card: the copy buttons stay in view, never behind a scroll bar
        account_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        account_scroll.setWidget(self.account)
        self._steps: list[Step] = []
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
        text = attempt.message or ("Signed in." if attempt.outcome == events.SUCCEEDED else "")
        if attempt.outcome == events.CANCELLED and (text == "cancelled" or text.startswith("abandoned:")):
            text = CANCELLED_BY_YOU
        if self.message.toPlainText() != text:
            self.message.setPlainText(text)
        self._fill_steps(attempt.steps)
        log = "\n".join(f"{logging.getLevelName(r.level)} {r.logger}: {r.message}" for r in attempt.logs)
        if self.log.toPlainText() != log:
            self.log.setPlainText(log)
        self._fill_account(attempt.account, attempt.expires_on)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_result_column()
        # narrow: each label above its value, so ids get the whole width (fewer, longer lines)
        wrap = QFormLayout.RowWrapPolicy
        policy = wrap.WrapAllRows if event.size().width() < CARD_STACK_WIDTH else wrap.WrapLongRows
        if self.account_form.rowWrapPolicy() != policy:
            self.account_form.setRowWrapPolicy(policy)

    def _fit_result_column(self) -> None:
        """Result as wide as its longest text, but at most RESULT_SHARE of the table: "200 OK" whole, a
        tool's long error elided; What takes the rest."""
        header = self.steps.horizontalHeader()
        wanted = max(self.steps.sizeHintForColumn(1), header.sectionSizeFromContents(1).width())
        header.resizeSection(
            1,
            max(
                header.sectionSizeFromContents(1).width(),
                min(wanted, int(self.steps.viewport().width() * RESULT_SHARE)),
            ),
        )

    def _steps_menu(self, pos) -> None:
        index = self.steps.indexAt(pos)
        if not index.isValid() or index.row() >= len(self._steps):
            return
        step = self._steps[index.row()]
        menu = QMenu(self.steps)
        for text, value in step_copies(step):
            menu.addAction(text, lambda v=value: QGuiApplication.clipboard().setText(v))
        menu.popup(self.steps.viewport().mapToGlobal(pos))
        self.steps_menu = menu  # kept for tests

    def _fill_steps(self, steps: list[Step]) -> None:
        self._steps = list(steps)
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
        self._fit_result_column()

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
            field = WrappingLabel(str(value), self.account)
            field.setAccessibleName(label)
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


class WrappingLabel(QWidget):
    """A value that wraps anywhere (a GUID has no spaces to break at), so it never widens its pane.

    Right-click copies it whole; the copy is the value itself, not the wrapped lines.
    """

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = text
        self.setToolTip(text)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        copy = QAction("Copy", self)
        copy.triggered.connect(lambda: QGuiApplication.clipboard().setText(self._text))
        self.addAction(copy)

    def text(self) -> str:
        return self._text

    def _option(self) -> QTextOption:
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        return option

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        rect = self.fontMetrics().boundingRect(
            QRect(0, 0, max(1, width), 10000), int(Qt.TextFlag.TextWrapAnywhere), self._text
        )
        return rect.height() + 2

    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance(self._text) + 2, self.fontMetrics().height() + 2)

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().averageCharWidth() * 8, self.fontMetrics().height() + 2)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        painter.drawText(QRectF(self.rect()), self._text, self._option())


def step_copies(step: Step) -> list[tuple[str, str]]:
    """What the Steps table's context menu offers to copy for ``step``: the row, and for an HTTP step a
    curl command, for a process step its command line. Secrets (token shapes, secret query values) are
    masked; request bodies and headers are never recorded, so they cannot leak."""
    row = "\t".join((_what(step), _result(step), tick_label(step.started), attempt_duration_text(step.duration)))
    copies = [("Copy", redact_text(row))]
    detail = step.detail
    if step.kind == "http" and detail.get("url"):
        method = str(detail.get("method") or "GET").upper()
        command = f"curl -sS -X {method} {shlex.quote(redact_url(str(detail['url'])))}"
        if method != "GET":
            command += "  # the request body carried credentials: it is not recorded"
        copies.append(("Copy as curl", redact_text(command)))
    if step.kind == "process" and detail.get("argv"):
        copies.append(("Copy command line", redact_text(shlex.join(str(a) for a in detail["argv"]))))
    return copies


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
        return f"{detail.get('method', '')} {redact_url(str(detail.get('url', step.label)))}".strip()
    if step.kind == "process" and detail.get("argv"):
        return "$ " + " ".join(str(a) for a in detail["argv"])
    return f"{step.kind}: {step.label}"


def _result(step: Step) -> str:
    detail = step.detail
    if step.error:
        if step.error.split(":")[0] == "RunCancelled":
            return CANCELLED_BY_YOU
        return step.error.split("\n")[0][:RESULT_LIMIT]
    if "status" in detail:
        return f"{detail['status']} {detail.get('reason', '')}".strip()
    if "exit_status" in detail:
        first_error_line = next((ln for ln in str(detail.get("stderr", "")).splitlines() if ln.strip()), "")
        if detail["exit_status"] != 0 and first_error_line:  # what the tool said, already token-masked
            return f"exit {detail['exit_status']}: {first_error_line[:RESULT_LIMIT]}"
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
