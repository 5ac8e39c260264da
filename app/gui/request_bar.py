"""The request bar: what to ask the chain for (scope, tenant, claims, CAE) and the Run/Cancel buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from app.gui.resources import icon
from app.gui.run_record import Request

SCOPE_PRESETS = (
    ("Azure Resource Manager", "https://management.azure.com/.default"),
    ("Microsoft Graph", "https://graph.microsoft.com/.default"),
    ("Storage", "https://storage.azure.com/.default"),
    ("Key Vault", "https://vault.azure.net/.default"),
)
CUSTOM = "Custom…"


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
        self.scope = QLineEdit(SCOPE_PRESETS[0][1], self)
        self.scope.setAccessibleName("Scope")
        self.scope.setToolTip("The scope passed to get_token; several scopes are separated by spaces")
        self.scope.setMinimumWidth(240)
        self.tenant = QLineEdit(self)
        self.tenant.setPlaceholderText("tenant_id (optional)")
        self.tenant.setAccessibleName("Tenant ID")
        self.tenant.setToolTip("get_token(tenant_id=…): ask for a token from another tenant")
        self.claims = QLineEdit(self)
        self.claims.setPlaceholderText("claims (optional)")
        self.claims.setAccessibleName("Claims challenge")
        self.tenant.setMinimumWidth(150)
        self.claims.setMinimumWidth(110)
        self.cae = QCheckBox("CAE", self)
        self.cae.setToolTip("get_token(enable_cae=True): request a Continuous Access Evaluation token")
        self.cae.setAccessibleName("Enable CAE")
        self.run_button = QPushButton(icon("run"), "Run", self)
        self.run_button.setToolTip("Ask the chain for a token (Ctrl+R)")
        self.run_button.setAccessibleName("Run")
        self.run_button.setDefault(True)
        self.try_button = QPushButton(icon("try-every"), "Try every credential", self)
        self.try_button.setToolTip("Run each member on its own, side by side, to see every account")
        self.try_button.setAccessibleName("Try every credential")
        self.cancel_button = QPushButton(icon("stop"), "Cancel", self)
        self.cancel_button.setToolTip("Cancel the run (Esc, Ctrl+.)")
        self.cancel_button.setAccessibleName("Cancel")
        self.cancel_button.setEnabled(False)
        self.preset.currentIndexChanged.connect(self._on_preset)
        self.scope.textEdited.connect(self._on_scope_edited)
        self.run_button.clicked.connect(self.run_requested)
        self.try_button.clicked.connect(self.try_every_requested)
        self.cancel_button.clicked.connect(self.cancel_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        label = QLabel("&Scope:", self)
        label.setBuddy(self.preset)
        layout.addWidget(label)
        layout.addWidget(self.preset)
        layout.addWidget(self.scope, 3)
        layout.addWidget(self.tenant, 2)
        layout.addWidget(self.claims, 1)
        layout.addWidget(self.cae)
        layout.addSpacing(8)
        layout.addWidget(self.run_button)
        layout.addWidget(self.try_button)
        layout.addWidget(self.cancel_button)

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
