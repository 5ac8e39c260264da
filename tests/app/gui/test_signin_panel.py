"""The sign-in dock on the real sandbox lab: options in, tables and explanations out, all off the GUI thread."""

from __future__ import annotations

import json
import re

import pytest
from PySide6.QtGui import QGuiApplication

from app.cli import build_parser
from app.cli.signin import options_from
from app.gui.sandbox_host import sandbox_host
from app.gui.signin_panel import DEVICE_CODE, SignInPanel
from engine.sandbox.browser import ScriptedBrowser
from tests.app.cli.test_signin_cli import CASES as CLI_CASES
from tests.plugins.sandbox import sandbox_session_for

A = "5f1a0000-0000-4000-8000-00000000a00"


@pytest.fixture
def lab(sandbox_factory):
    return sandbox_factory("browser-sign-in-lab")


@pytest.fixture
def panel(qtbot, lab):
    widget = SignInPanel(lambda: sandbox_host(lab))
    qtbot.addWidget(widget)
    return widget


def _run(qtbot, panel: SignInPanel):
    with qtbot.waitSignal(panel.finished, timeout=60000) as blocker:
        assert panel.start()
        assert not panel.sign_in_button.isEnabled()  # the GUI thread went on; the worker signs in
    return blocker.args[0]


def _cells(table) -> dict[str, str]:
    return {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}


def test_a_sign_in_fills_the_request_redirect_and_claims_tables(qtbot, panel) -> None:
    panel.timeout.setValue(30)
    result = _run(qtbot, panel)
    assert result.signed_in
    request = _cells(panel.results.request_table)
    assert request["prompt"] == "select_account" and "…(" in request["state"]
    assert "…(" in _cells(panel.results.redirect_table)["code"]
    assert "dev@contoso.com" in panel.results.account_label.text()
    claims = {
        panel.results.access_claims.table.item(r, 0).text() for r in range(panel.results.access_claims.table.rowCount())
    }
    assert {"aud", "tid", "oid", "scp", "amr", "exp"} <= claims
    panel.results.access_claims.copy()
    copied = json.loads(QGuiApplication.clipboard().text())
    assert copied["upn"] == "dev@contoso.com" and "access_token" not in copied
    panel.results.copy_url()
    assert QGuiApplication.clipboard().text().startswith("https://login.microsoftonline.com/organizations/oauth2")
    assert not panel.results.error_box.isVisibleTo(panel.results)


def test_an_aadsts_error_is_explained_with_the_redirect_uri_sent(qtbot, panel) -> None:
    panel.client_id.setText(A + "2")
    result = _run(qtbot, panel)
    assert not result.signed_in and panel.results.error_box.isVisibleTo(panel.results)
    assert panel.results.error_code.text() == "AADSTS50011"
    assert re.search(r"redirect_uri_sent: http://localhost:8[4-9]\d\d\b", panel.results.error_details.text())
    assert "registration_must_list: http://localhost" in panel.results.error_details.text()
    assert panel.results.access_claims.table.rowCount() == 0


def test_remembered_accounts_silent_token_and_sign_out(qtbot, panel) -> None:
    panel.cache_name.setText("panel-test")
    panel.allow_unencrypted.setChecked(True)
    _run(qtbot, panel)
    qtbot.waitUntil(lambda: panel.accounts.count() == 1, timeout=20000)
    panel.accounts.setCurrentRow(0)
    with qtbot.waitSignal(panel.finished, timeout=30000) as blocker:
        panel.silent_button.click()
    assert blocker.args[0].signed_in and blocker.args[0].authorize_request == {}
    qtbot.waitUntil(lambda: panel.accounts.count() == 1 and panel.sign_out_button.isEnabled(), timeout=20000)
    panel.accounts.setCurrentRow(0)
    panel.sign_out_button.click()
    qtbot.waitUntil(
        lambda: panel.accounts.count() == 0 and "No remembered" in panel.accounts_note.text(), timeout=20000
    )


def test_device_code_shows_the_code_copy_and_the_link(qtbot, panel, lab) -> None:
    panel.credential.setCurrentText(DEVICE_CODE)
    panel.timeout.setValue(30)
    assert not panel.redirect_uri.isEnabled()
    with qtbot.waitSignal(panel.finished, timeout=60000) as blocker:
        panel.start()
        qtbot.waitUntil(lambda: panel.device_box.isVisibleTo(panel), timeout=20000)
        code = panel.device_code.text()
        assert len(code) == 9 and "/common/oauth2/deviceauth" in panel.device_link.text()
        panel.device_copy.click()
        assert QGuiApplication.clipboard().text() == code
        uri = panel.device_link.text().split('"')[1]
        ScriptedBrowser(session=sandbox_session_for(lab)).device_sign_in(uri, code)
    assert blocker.args[0].signed_in


def test_copy_as_python_gives_the_options_as_azure_identity_code(panel) -> None:
    panel.client_id.setText(A + "1")
    panel.cache_name.setText("my-app")
    panel.copy_code()
    code = QGuiApplication.clipboard().text()
    assert f'client_id="{A}1"' in code and 'TokenCachePersistenceOptions(name="my-app")' in code


def test_details_account_tab_shows_the_claims_table_of_an_attempt(qtbot) -> None:
    from app.gui.claims_table import ClaimsTable
    from app.gui.details_pane import DetailsPane
    from engine.account import Account

    pane = DetailsPane()
    qtbot.addWidget(pane)
    claims = {"aud": "https://management.azure.com", "upn": "dev@contoso.com", "exp": 0, "amr": ["pwd", "mfa"]}
    pane._fill_account(Account.from_claims(claims))
    (table,) = pane.account.findChildren(ClaimsTable)
    assert table.claims() == claims
    assert table.table.item(3, 1).text() == "pwd, mfa"


FAILING_LAB_CASES = {name: case for name, case in CLI_CASES.items() if case[2] is not None}


@pytest.mark.parametrize("name", sorted(FAILING_LAB_CASES))
def test_every_lab_failure_shows_its_code_meaning_and_fix_in_the_window(qtbot, panel, monkeypatch, name) -> None:
    argv, _, code = FAILING_LAB_CASES[name]
    args = build_parser().parse_args(["sign-in", "--timeout", "20", *argv])
    monkeypatch.setattr(panel, "options", lambda: options_from(args))
    _run(qtbot, panel)
    results = panel.results
    assert results.error_box.isVisibleTo(results) and results.error_code.text() == f"AADSTS{code}"
    assert results.error_meaning.text() and results.error_fix.text()
    assert results.error_text.text().startswith(f"AADSTS{code}: ")


def test_the_window_has_the_workbench_dock_in_the_run_and_view_menus(make_window) -> None:
    window = make_window()
    assert window.signin_dock.widget() is window.signin_panel
    assert window.workbench_action in window.menuBar().actions()[2].menu().actions()  # Run
    window.signin_dock.hide()
    window.workbench_action.trigger()
    assert window.signin_dock.isVisible()
    host = window.signin_panel._host()
    assert host is window.host  # the panel signs in on whatever host the window is on (real, what-if, sandbox)
