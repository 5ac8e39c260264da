"""The request bar's presets and request, and the About box's versions."""

from __future__ import annotations

from app.gui.about import about_html, versions
from app.gui.request_bar import SCOPE_PRESETS, RequestBar


def test_presets_fill_the_scope_and_custom_text_selects_custom(qtbot):
    bar = RequestBar()
    qtbot.addWidget(bar)
    bar.preset.setCurrentIndex(1)
    assert bar.scope.text() == "https://graph.microsoft.com/.default"
    assert [label for label, _ in SCOPE_PRESETS] == [
        "Azure Resource Manager",
        "Microsoft Graph",
        "Storage",
        "Key Vault",
    ]
    qtbot.keyClicks(bar.scope, "x")
    assert bar.preset.currentText() == "Custom…"
    bar.scope.setText("https://vault.azure.net/.default")
    bar.tenant.setText(" t1 ")
    bar.cae.setChecked(True)
    request = bar.request()
    assert request.scopes == ("https://vault.azure.net/.default",)
    assert request.tenant_id == "t1" and request.claims is None and request.enable_cae


def test_run_and_cancel_buttons_follow_the_running_state(qtbot):
    bar = RequestBar()
    qtbot.addWidget(bar)
    bar.set_running(True)
    assert not bar.run_button.isEnabled() and bar.cancel_button.isEnabled()
    bar.set_running(False)
    assert bar.run_button.isEnabled() and not bar.cancel_button.isEnabled()


def test_about_lists_chainsight_azure_identity_msal_qt_and_python_versions():
    labels = [label for label, _ in versions("1.23")]
    assert labels == ["Chainsight", "azure-identity behaviour", "msal", "PySide6 / Qt", "Python"]
    assert "1.23.1" in dict(versions("1.23"))["azure-identity behaviour"]
    assert "PySide6" in about_html()
