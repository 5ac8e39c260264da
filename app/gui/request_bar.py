"""The request bar: what to ask the chain for (scope, tenant, claims, CAE) and the Run/Cancel buttons.

Wide enough, everything sits on one line. When narrow, tenant, claims and CAE move to a second line
behind a "More" toggle, so Run, Try every credential and Cancel always stay on screen.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.resources import icon
from app.gui.run_record import Request

SCOPE_PRESETS = (
    ("Azure Resource Manager", "https://management.azure.com/.default"),
    ("Microsoft Graph", "https://graph.microsoft.com/.default"),
    ("Storage", "https://storage.azure.com/.default"),
    ("Key Vault", "https://vault.azure.net/.default"),
)
CUSTOM = "Custom…"
MORE_TEXT = "More"
MORE_SET_TEXT = "More ({count} set)"
MORE_TIP = "Tenant, claims challenge and CAE: the rest of get_token's arguments"
SCOPE_MIN = 140  # the scope field never gets narrower than this; below it the extras fold away
TENANT_WIDTH = 150
CLAIMS_WIDTH = 110


class RequestBar(QWidget):
    run_requested = Signal()
    try_every_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preset = QComboBox(self)
        for label, scope in SCOPE_PRESETS:
            self.preset.addItem(label, scope)
        self.preset.addItem(CUSTOM, "")
        self.preset.setAccessibleName("Scope preset")
        # the preset may shrink (its full name is in the list and in the scope field beside it)
        self.preset.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.preset.setMinimumContentsLength(10)
        self.scope = QLineEdit(SCOPE_PRESETS[0][1], self)
        self.scope.setAccessibleName("Scope")
        self.scope.setToolTip("The scope passed to get_token; several scopes are separated by spaces")
        self.scope.setMinimumWidth(SCOPE_MIN)
        self.tenant = QLineEdit(self)
        self.tenant.setPlaceholderText("tenant_id (optional)")
        self.tenant.setAccessibleName("Tenant ID")
        self.tenant.setToolTip("get_token(tenant_id=…): ask for a token from another tenant")
        self.claims = QLineEdit(self)
        self.claims.setPlaceholderText("claims (optional)")
        self.claims.setAccessibleName("Claims challenge")
        self.claims.setToolTip("get_token(claims=…): a claims challenge from a resource (JSON)")
        self.tenant.setMinimumWidth(TENANT_WIDTH)
        self.claims.setMinimumWidth(CLAIMS_WIDTH)
        self.cae = QCheckBox("C&AE", self)
        self.cae.setToolTip("get_token(enable_cae=True): request a Continuous Access Evaluation token")
        self.cae.setAccessibleName("Enable CAE")
        self.more = QToolButton(self)
        self.more.setCheckable(True)
        self.more.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.more.setArrowType(Qt.ArrowType.DownArrow)
        self.more.setToolTip(MORE_TIP)
        self.more.setAccessibleName("More request options")
        self.more.toggled.connect(self._on_more)
        self.run_button = QPushButton(icon("run"), "Run", self)
        self.run_button.setToolTip("Ask the chain for a token (Ctrl+R)")
        self.run_button.setAccessibleName("Run")
        self.run_button.setDefault(True)
        self.try_button = QPushButton(icon("try-every"), "Try every credential", self)
        self.try_button.setToolTip("Run each member on its own, side by side, to see every account (Ctrl+Shift+R)")
        self.try_button.setAccessibleName("Try every credential")
        self.cancel_button = QPushButton(icon("stop"), "Cancel", self)
        self.cancel_button.setToolTip("Cancel the run (Esc, Ctrl+.)")
        self.cancel_button.setAccessibleName("Cancel")
        self.cancel_button.setEnabled(False)
        for button in (self.run_button, self.try_button, self.cancel_button):
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.preset.currentIndexChanged.connect(self._on_preset)
        self.scope.textEdited.connect(self._on_scope_edited)
        self.tenant.textChanged.connect(self._update_more_text)
        self.claims.textChanged.connect(self._update_more_text)
        self.cae.toggled.connect(self._update_more_text)
        self.run_button.clicked.connect(self.run_requested)
        self.try_button.clicked.connect(self.try_every_requested)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.scope_label = QLabel("Sc&ope:", self)
        self.scope_label.setBuddy(self.preset)
        self.top = QHBoxLayout()
        self.top.setSpacing(6)
        self.top.addWidget(self.scope_label)
        self.top.addWidget(self.preset)
        self.top.addWidget(self.scope, 3)
        self.extras = QHBoxLayout()
        self.extras.setSpacing(6)
        self.extras.setContentsMargins(0, 0, 0, 0)
        self.extras_row = QWidget(self)
        self.extras_row.setLayout(self.extras)
        self.top.addWidget(self.more)
        self.top.addSpacing(8)
        self.top.addWidget(self.run_button)
        self.top.addWidget(self.try_button)
        self.top.addWidget(self.cancel_button)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        # the bar decides its own minimum (the compact form); the wide form must not raise it
        outer.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        outer.addLayout(self.top)
        outer.addWidget(self.extras_row)
        self.compact: bool | None = None
        self._set_compact(True)
        self._update_more_text()

    # ---- layout ------------------------------------------------------------------------------
    def _fixed_width(self) -> int:
        """Width of the first line without the extras and the scope field's stretch."""
        widgets = (self.scope_label, self.preset, self.run_button, self.try_button, self.cancel_button)
        margins = self.contentsMargins()
        spacing = self.top.spacing()
        return sum(w.sizeHint().width() for w in widgets) + spacing * 8 + 8 + margins.left() + margins.right()

    def wide_width(self) -> int:
        """The width from which tenant, claims, CAE and the preset's whole name fit on the first line."""
        extras = TENANT_WIDTH + CLAIMS_WIDTH + self.cae.sizeHint().width()
        metrics = self.preset.fontMetrics()
        whole_preset = max(metrics.horizontalAdvance(self.preset.itemText(i)) for i in range(self.preset.count()))
        grow = max(0, whole_preset + 40 - self.preset.sizeHint().width())
        return self._fixed_width() + grow + SCOPE_MIN + extras + 3 * self.top.spacing()

    def minimumSizeHint(self) -> QSize:
        width = self._fixed_width() + self.more.sizeHint().width() + SCOPE_MIN
        height = self.top.sizeHint().height() + self.contentsMargins().top() + self.contentsMargins().bottom()
        if self.compact and self.more.isChecked():
            height += self.extras_row.sizeHint().height() + 4
        # a narrower preset is all the slack there is: the combo shrinks to its minimum contents
        return QSize(width - self.preset.sizeHint().width() + self.preset.minimumSizeHint().width(), height)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(
            max(hint.width(), self.minimumSizeHint().width()), max(hint.height(), self.minimumSizeHint().height())
        )

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._set_compact(event.size().width() < self.wide_width())

    def _set_compact(self, compact: bool) -> None:
        if compact == self.compact:
            return
        self.compact = compact
        fields = (self.tenant, self.claims, self.cae)
        for field in fields:
            (self.top if not compact else self.extras).removeWidget(field)
        if compact:
            self.extras.addWidget(self.tenant, 2)
            self.extras.addWidget(self.claims, 1)
            self.extras.addWidget(self.cae)
        else:
            at = self.top.indexOf(self.scope) + 1
            for offset, (field, stretch) in enumerate(((self.tenant, 2), (self.claims, 1), (self.cae, 0))):
                field.setParent(self)
                self.top.insertWidget(at + offset, field, stretch)
                field.show()
        # with room to spare the preset shows its whole name; when narrow it shrinks (the scope beside it says it)
        self.preset.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            if compact
            else QComboBox.SizeAdjustPolicy.AdjustToContents
        )
        self.more.setVisible(compact)
        self.extras_row.setVisible(compact and self.more.isChecked())
        self._fix_tab_order()
        self.updateGeometry()

    def _fix_tab_order(self) -> None:
        """Tab follows what the eye sees: the extras come where they are shown."""
        order = [self.preset, self.scope]
        extras = [self.tenant, self.claims, self.cae]
        order += [self.more, *extras] if self.compact else extras
        order += [self.run_button, self.try_button, self.cancel_button]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

    def _on_more(self, shown: bool) -> None:
        self.more.setArrowType(Qt.ArrowType.UpArrow if shown else Qt.ArrowType.DownArrow)
        self.extras_row.setVisible(self.compact and shown)
        self.updateGeometry()
        if shown and self.compact:
            self.tenant.setFocus(Qt.FocusReason.OtherFocusReason)

    def _update_more_text(self, *_) -> None:
        count = sum((bool(self.tenant.text().strip()), bool(self.claims.text().strip()), self.cae.isChecked()))
        self.more.setText(MORE_SET_TEXT.format(count=count) if count else MORE_TEXT)

    # ---- request -----------------------------------------------------------------------------
    def request(self) -> Request:
        scopes = tuple(self.scope.text().split()) or (SCOPE_PRESETS[0][1],)
        return Request(
            scopes=scopes,
            tenant_id=self.tenant.text().strip() or None,
            claims=self.claims.text().strip() or None,
            enable_cae=self.cae.isChecked(),
        )

    def remembered(self) -> dict[str, str]:
        """What the next session starts with: the scope and tenant (claims are per challenge, not kept)."""
        return {"scope": self.scope.text().strip(), "tenant": self.tenant.text().strip()}

    def restore(self, scope: str, tenant: str) -> None:
        if scope:
            self.scope.setText(scope)
            self._on_scope_edited(scope)
        self.tenant.setText(tenant)

    def set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.try_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    def _on_preset(self, index: int) -> None:
        scope = self.preset.itemData(index)
        if scope:
            self.scope.setText(scope)
        else:
            self.scope.setFocus(Qt.FocusReason.OtherFocusReason)
            self.scope.selectAll()

    def _on_scope_edited(self, text: str) -> None:
        index = next((i for i, (_, s) in enumerate(SCOPE_PRESETS) if s == text.strip()), len(SCOPE_PRESETS))
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(index)
        self.preset.blockSignals(False)
