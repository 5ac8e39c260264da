"""A real headless Chromium signs in through the sandbox authority's pages: the account picker, the consent page,
and an AADSTS error page (the one the workbench reported before opening any browser)."""

from __future__ import annotations

import re

import pytest

from engine.host import Host
from engine.signin.options import SignInOptions
from engine.signin.session import sign_in
from tests import chromium
from tests.system import require_system

pytestmark = pytest.mark.needs_system
A = "5f1a0000-0000-4000-8000-00000000a00"


@pytest.fixture
def lab(sandbox_factory):
    require_system(chromium.available(), "chromium (apt-get install chromium)")
    return sandbox_factory("browser-sign-in-lab", browser={"sessions": ["dev@contoso.com", "admin@contoso.com"]})


def _sign_in(box, options: SignInOptions, **person):
    browser = chromium.HeadlessChromium(box.proxy_url, **person)
    result = sign_in(options, Host(env=box.env, browser=browser.open))
    return result, browser.wait()


def test_chromium_picks_the_account_on_the_picker_and_signs_in(lab) -> None:
    result, pages = _sign_in(lab, SignInOptions(timeout=60), account="admin@contoso.com")
    assert pages == ["picker", "done"], pages
    assert result.signed_in and result.account["username"] == "admin@contoso.com"


def test_chromium_accepts_the_consent_page(lab) -> None:
    options = SignInOptions(client_id=A + "4", tenant_id="contoso.com", timeout=60)
    result, pages = _sign_in(lab, options, account="dev@contoso.com")
    assert pages == ["picker", "consent", "done"], pages
    assert result.signed_in and result.account["username"] == "dev@contoso.com"


def test_chromium_shows_the_same_aadsts_page_the_workbench_reported(lab) -> None:
    result = sign_in(SignInOptions(client_id=A + "2", timeout=60), Host(env=lab.env, browser=lambda url: False))
    assert result.error.code == 50011
    url = result.authorize_url.replace("…", "x")  # the masked copy still names the same app and redirect URI
    browser = chromium.HeadlessChromium(lab.proxy_url)
    browser.open(url)
    (page,) = browser.wait()
    # The first free port from 8400 up, as azure-identity picks it (another test may hold 8400 right now).
    assert re.match(r"error:AADSTS50011: The redirect URI 'http://localhost:8[4-9]\d\d'", page), page
    assert page.removeprefix("error:") == result.error.text


def test_the_panel_shows_what_chromium_signed_in_with(qtbot, lab) -> None:
    from app.gui.signin_panel import SignInPanel

    browser = chromium.HeadlessChromium(lab.proxy_url, account="admin@contoso.com")
    panel = SignInPanel(lambda: Host(env=lab.env, browser=browser.open))
    qtbot.addWidget(panel)
    panel.client_id.setText(A + "4")
    panel.tenant_id.setText("contoso.com")
    with qtbot.waitSignal(panel.finished, timeout=90000) as blocker:
        panel.start()
    assert browser.wait() == ["picker", "consent", "done"]
    assert blocker.args[0].signed_in and "admin@contoso.com" in panel.results.account_label.text()
    assert panel.results.access_claims.claims()["upn"] == "admin@contoso.com"
