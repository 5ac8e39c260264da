"""The sign-in workbench dock: InteractiveBrowserCredential's (or DeviceCodeCredential's) options, the request,
what was sent and received, the claims, the AADSTS explanation, and the remembered accounts.

Every sign-in, silent token and sign-out runs on the worker pool; results come back by signals. The device code
reaches the GUI thread through a queued signal while the worker is still polling.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.gui.signin_results import SignInResultsView
from app.gui.workers import WorkerPool
from engine.constants import DEVELOPER_SIGN_ON_CLIENT_ID
from engine.export.signin_snippet import signin_code
from engine.host import Host
from engine.signin.options import AUTHORITIES, DEFAULT_SCOPE, DEFAULT_TIMEOUT, SignInOptions
from engine.signin.result import SignInResult

if TYPE_CHECKING:
    from engine.signin.accounts import RememberedAccount

BROWSER, DEVICE_CODE = "InteractiveBrowserCredential", "DeviceCodeCredential"
DEV_SIGN_ON_PLACEHOLDER = f"developer sign-on app ({DEVELOPER_SIGN_ON_CLIENT_ID[:8]}-…)"
WORKING = "Signing in… (the browser has the page)"
WORKING_DEVICE = "Waiting for someone to enter the code…"
NO_ACCOUNTS = "No remembered accounts in this cache."
ACCOUNTS_NEED_CACHE = "Name a persistent cache to remember accounts."


# The sign-in modules bring msal and requests: they load on the worker that first needs them, never on the GUI
# thread and never at startup.
def _sign_in(options: SignInOptions, host: Host, on_device_code: Callable[[str], None]) -> SignInResult:
    from engine.signin.session import sign_in

    return sign_in(options, host, on_device_code=on_device_code)


def _accounts(options: SignInOptions, host: Host) -> list[RememberedAccount]:
    from engine.signin.accounts import remembered_accounts

    return remembered_accounts(options, host)


def _silent(options: SignInOptions, host: Host, account: RememberedAccount) -> SignInResult:
    from engine.signin.accounts import get_token_silently

    return get_token_silently(options, host, account)


def _sign_out(options: SignInOptions, host: Host, account: RememberedAccount) -> None:
    from engine.signin.accounts import sign_out

    sign_out(options, host, account)


class _Relay(QObject):
    device_code = Signal(str)  # emitted from the worker thread, delivered on the GUI thread


class SignInPanel(QWidget):
    """``host`` gives the Host to sign in on (the real machine, a what-if, or the sandbox) at click time."""

    finished = Signal(object)  # SignInResult, after the widgets show it

    def __init__(self, host: Callable[[], Host], parent: QWidget | None = None, pool: WorkerPool | None = None) -> None:
        super().__init__(parent)
        self._host = host
        self.pool = pool or WorkerPool(self)
        self.result: SignInResult | None = None
        self._relay = _Relay(self)
        self._relay.device_code.connect(self._show_device_code)
        self._busy = False
        outer = QVBoxLayout(self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        body = QWidget(scroll)
        self._layout = QVBoxLayout(body)
        scroll.setWidget(body)
        outer.addWidget(scroll)
        self._build_options(body)
        self._build_actions(body)
        self._build_results(body)
        self._build_accounts(body)
        self._layout.addStretch(1)
        self._sync_enabled()

    # -- construction ------------------------------------------------------------------------------
    def _build_options(self, body: QWidget) -> None:
        box = QGroupBox("Options", body)
        form = QFormLayout(box)
        self.credential = QComboBox(box)
        self.credential.addItems([BROWSER, DEVICE_CODE])
        self.client_id = QLineEdit(box)
        self.client_id.setPlaceholderText(DEV_SIGN_ON_PLACEHOLDER)
        self.tenant_id = QLineEdit(box)
        self.tenant_id.setPlaceholderText("organizations")
        self.authority = QComboBox(box)
        self.authority.setEditable(True)
        self.authority.addItems(["", *AUTHORITIES])
        self.authority.setToolTip("public, usgov, china, or a custom host")
        self.redirect_uri = QLineEdit(box)
        self.redirect_uri.setPlaceholderText("http://localhost:<first free port from 8400>")
        self.login_hint = QLineEdit(box)
        self.allowed_tenants = QLineEdit(box)
        self.allowed_tenants.setPlaceholderText("tenant ids, comma separated, or *")
        self.disable_instance_discovery = QCheckBox("disable_instance_discovery", box)
        self.timeout = QSpinBox(box)
        self.timeout.setRange(1, 3600)
        self.timeout.setValue(DEFAULT_TIMEOUT)
        self.timeout.setSuffix(" s")
        self.cache_name = QLineEdit(box)
        self.cache_name.setPlaceholderText("no persistent cache")
        self.allow_unencrypted = QCheckBox("allow_unencrypted_storage", box)
        self.record_path = QLineEdit(box)
        self.record_path.setPlaceholderText("load an AuthenticationRecord (JSON)")
        self.save_record_path = QLineEdit(box)
        self.save_record_path.setPlaceholderText("save the AuthenticationRecord here")
        self.disable_auto = QCheckBox("disable_automatic_authentication", box)
        self.scopes = QLineEdit(DEFAULT_SCOPE, box)
        self.claims = QLineEdit(box)
        self.enable_cae = QCheckBox("enable_cae", box)
        for label, widget in (
            ("Credential", self.credential),
            ("client_id", self.client_id),
            ("tenant_id", self.tenant_id),
            ("authority", self.authority),
            ("redirect_uri", self.redirect_uri),
            ("login_hint", self.login_hint),
            ("additionally_allowed_tenants", self.allowed_tenants),
            ("", self.disable_instance_discovery),
            ("timeout", self.timeout),
            ("cache_persistence_options.name", self.cache_name),
            ("", self.allow_unencrypted),
            ("authentication_record", self._with_browse(box, self.record_path, save=False)),
            ("save record to", self._with_browse(box, self.save_record_path, save=True)),
            ("", self.disable_auto),
            ("scopes", self.scopes),
            ("claims", self.claims),
            ("", self.enable_cae),
        ):
            form.addRow(label, widget)
        self.credential.currentTextChanged.connect(self._sync_enabled)
        self.disable_auto.toggled.connect(self._sync_enabled)
        self.cache_name.textChanged.connect(self._sync_enabled)
        self._layout.addWidget(box)

    def _with_browse(self, parent: QWidget, line: QLineEdit, *, save: bool) -> QWidget:
        row = QWidget(parent)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(line, 1)
        button = QPushButton("…", row)
        button.setAccessibleName("Save record as" if save else "Load record")

        def browse() -> None:
            pick = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
            path, _ = pick(self, "Authentication record", line.text(), "JSON (*.json);;All files (*)")
            if path:
                line.setText(path)

        button.clicked.connect(browse)
        layout.addWidget(button)
        return row

    def _build_actions(self, body: QWidget) -> None:
        row = QHBoxLayout()
        self.sign_in_button = QPushButton("Sign in", body)
        self.sign_in_button.clicked.connect(lambda: self.start())
        self.authenticate_button = QPushButton("Authenticate…", body)
        self.authenticate_button.setToolTip(
            "authenticate(scopes): always interactive, returns the AuthenticationRecord"
        )
        self.authenticate_button.clicked.connect(lambda: self.start(authenticate=True))
        self.status = QLabel("", body)
        self.status.setWordWrap(True)
        self.export_button = QPushButton("Copy as Python", body)
        self.export_button.setToolTip(
            "These options as code for azure-identity, with the persistent cache and AuthenticationRecord idiom"
        )
        self.export_button.clicked.connect(self.copy_code)
        row.addWidget(self.sign_in_button)
        row.addWidget(self.authenticate_button)
        row.addWidget(self.export_button)
        row.addWidget(self.status, 1)
        self._layout.addLayout(row)
        self.device_box = QGroupBox("Device code", body)
        device = QHBoxLayout(self.device_box)
        self.device_code = QLabel("", self.device_box)
        self.device_code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.device_code.setStyleSheet("font-size: 16pt; font-family: monospace;")
        self.device_copy = QPushButton("Copy", self.device_box)
        self.device_copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.device_code.text()))
        self.device_link = QLabel("", self.device_box)
        self.device_link.setOpenExternalLinks(True)
        device.addWidget(self.device_code)
        device.addWidget(self.device_copy)
        device.addWidget(self.device_link, 1)
        self.device_box.setVisible(False)
        self._layout.addWidget(self.device_box)

    def _build_results(self, body: QWidget) -> None:
        self.results = SignInResultsView(body)
        self._layout.addWidget(self.results)

    def _build_accounts(self, body: QWidget) -> None:
        box = QGroupBox("Remembered accounts", body)
        layout = QVBoxLayout(box)
        self.accounts = QListWidget(box)
        self.accounts.setAccessibleName("Remembered accounts")
        self.accounts_note = QLabel(ACCOUNTS_NEED_CACHE, box)
        row = QHBoxLayout()
        self.refresh_accounts_button = QPushButton("Refresh", box)
        self.refresh_accounts_button.clicked.connect(self.refresh_accounts)
        self.silent_button = QPushButton("Get token silently", box)
        self.silent_button.clicked.connect(self.silent_token)
        self.sign_out_button = QPushButton("Sign out", box)
        self.sign_out_button.clicked.connect(self.sign_out_selected)
        for button in (self.refresh_accounts_button, self.silent_button, self.sign_out_button):
            row.addWidget(button)
        layout.addWidget(self.accounts)
        layout.addWidget(self.accounts_note)
        layout.addLayout(row)
        self.accounts.currentRowChanged.connect(lambda _: self._sync_enabled())
        self._layout.addWidget(box)

    # -- state -------------------------------------------------------------------------------------
    def options(self) -> SignInOptions:
        allowed = tuple(t.strip() for t in self.allowed_tenants.text().split(",") if t.strip())
        return SignInOptions(
            client_id=self.client_id.text().strip(),
            tenant_id=self.tenant_id.text().strip(),
            authority=self.authority.currentText().strip(),
            redirect_uri=self.redirect_uri.text().strip(),
            login_hint=self.login_hint.text().strip(),
            additionally_allowed_tenants=allowed,
            disable_instance_discovery=self.disable_instance_discovery.isChecked(),
            timeout=self.timeout.value(),
            cache_name=self.cache_name.text().strip(),
            allow_unencrypted_storage=self.allow_unencrypted.isChecked(),
            record_path=self.record_path.text().strip(),
            save_record_path=self.save_record_path.text().strip(),
            disable_automatic_authentication=self.disable_auto.isChecked(),
            scopes=tuple(self.scopes.text().split()) or (DEFAULT_SCOPE,),
            claims=self.claims.text().strip(),
            enable_cae=self.enable_cae.isChecked(),
            device_code=self.credential.currentText() == DEVICE_CODE,
        )

    def _sync_enabled(self) -> None:
        device = self.credential.currentText() == DEVICE_CODE
        for widget in (self.redirect_uri, self.login_hint):
            widget.setEnabled(not device)
        idle = not self._busy
        self.sign_in_button.setEnabled(idle)
        self.authenticate_button.setEnabled(idle and self.disable_auto.isChecked())
        has_cache = bool(self.cache_name.text().strip())
        self.refresh_accounts_button.setEnabled(idle and has_cache)
        selected = self.accounts.currentItem() is not None
        self.silent_button.setEnabled(idle and has_cache and selected)
        self.sign_out_button.setEnabled(idle and has_cache and selected)
        self.accounts_note.setText(ACCOUNTS_NEED_CACHE if not has_cache else self.accounts_note.text())

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        self.status.setText(text)
        self._sync_enabled()

    # -- actions (all on the worker pool) --------------------------------------------------------------
    def start(self, *, authenticate: bool = False) -> bool:
        """Sign in with the options as they stand; False when a sign-in is already running."""
        if self._busy:
            return False
        options = self.options()
        if authenticate:  # authenticate(): a prompt even when a record could answer silently
            options.record_path = ""
        self.device_box.setVisible(False)
        self._set_busy(True, WORKING_DEVICE if options.device_code else WORKING)
        relay = self._relay
        self.pool.start(
            lambda: _sign_in(options, self._host(), relay.device_code.emit),
            on_result=self.show_result,
            on_error=self._failed,
        )
        return True

    def silent_token(self) -> None:
        account = self._selected_account()
        if account is None or self._busy:
            return
        options = self.options()
        self._set_busy(True, f"Getting a token silently for {account.username}…")
        self.pool.start(
            lambda: _silent(options, self._host(), account),
            on_result=self.show_result,
            on_error=self._failed,
        )

    def sign_out_selected(self) -> None:
        account = self._selected_account()
        if account is None or self._busy:
            return
        options = self.options()
        self._set_busy(True, f"Signing {account.username} out of {options.cache_name}…")

        def done(_: Any) -> None:
            self._set_busy(False, f"Signed {account.username} out.")
            self.refresh_accounts()

        self.pool.start(lambda: _sign_out(options, self._host(), account), on_result=done, on_error=self._failed)

    def refresh_accounts(self) -> None:
        if not self.cache_name.text().strip():
            return
        options = self.options()
        self.pool.start(
            lambda: _accounts(options, self._host()),
            on_result=self._show_accounts,
            on_error=self._accounts_failed,
        )

    def copy_code(self) -> None:
        QGuiApplication.clipboard().setText(signin_code(self.options()))

    # -- results ---------------------------------------------------------------------------------------
    def show_result(self, result: SignInResult) -> None:
        self.result = result
        self.results.show_result(result)
        notes = "; ".join(result.notes)
        self._set_busy(
            False, ("Signed in." if result.signed_in else "Sign-in failed.") + (f" {notes}" if notes else "")
        )
        if self.cache_name.text().strip():
            self.refresh_accounts()
        self.finished.emit(result)

    def _show_device_code(self, message: str) -> None:
        uri, _, rest = message.partition(" and enter the code ")
        uri = uri.rsplit(" ", 1)[-1]
        code = rest.split(" ", 1)[0]
        self.device_code.setText(code)
        self.device_link.setText(f'<a href="{uri}">{uri}</a>')
        self.device_box.setVisible(True)

    def _failed(self, ex: BaseException) -> None:
        self._set_busy(False, f"Could not sign in: {ex}")

    def _show_accounts(self, accounts: list[RememberedAccount]) -> None:
        self.accounts.clear()
        for account in accounts:
            item = QListWidgetItem(f"{account.username}  ({account.tenant_id})")
            item.setData(Qt.ItemDataRole.UserRole, account)
            self.accounts.addItem(item)
        self.accounts_note.setText("" if accounts else NO_ACCOUNTS)
        self._sync_enabled()

    def _accounts_failed(self, ex: BaseException) -> None:
        self.accounts.clear()
        self.accounts_note.setText(f"Cannot open the cache: {ex}")
        self._sync_enabled()

    def _selected_account(self) -> RememberedAccount | None:
        item = self.accounts.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None
