"""The Export pane: follows edits live, switches styles (disabled ones say why), copies and saves."""

from __future__ import annotations

import ast

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from app.gui.export_pane import ExportPane
from engine.spec import ChainSpec, CredentialSpec

CANARY = "canary-Pane-Secret-7e3a"
DEV = {
    "exclude_environment_credential": True,
    "exclude_workload_identity_credential": True,
    "exclude_managed_identity_credential": True,
}


def chain(*types: str, **options) -> ChainSpec:
    credentials = [CredentialSpec(t, dict(options.get(t, {}))) for t in types]
    return ChainSpec(type="ChainedTokenCredential", credentials=credentials)


@pytest.fixture
def pane(qtbot):
    widget = ExportPane()
    qtbot.addWidget(widget)
    return widget


def _item(pane: ExportPane, style: str):
    return pane.style_box.model().item(pane.style_box.findData(style))


def test_pane_without_a_spec_asks_for_one(pane):
    assert pane.code() == "" and "Edit the chain" in pane.why.text()
    assert not pane.copy_button.isEnabled() and not pane.save_button.isEnabled()


def test_pane_shows_the_spec_as_code_with_the_why(qtbot, pane):
    with qtbot.waitSignal(pane.code_changed):
        pane.set_spec(ChainSpec())
    assert "credential = DefaultAzureCredential()" in pane.code_view.toPlainText()
    assert pane.code_view.isReadOnly()
    assert pane.why.text().startswith("DefaultAzureCredential chosen")
    ast.parse(pane.code())


def test_pane_follows_each_edit(qtbot, pane):
    pane.set_spec(ChainSpec())
    with qtbot.waitSignal(pane.code_changed):
        pane.set_spec(ChainSpec(options=DEV))
    assert "require_envvar" not in pane.code() and "exclude_" in pane.code()  # auto: runs as it is
    assert "AZURE_TOKEN_CREDENTIALS=dev set where the app runs: --style env" in pane.code()
    assert _item(pane, "env").isEnabled()
    with qtbot.waitSignal(pane.code_changed):
        pane.set_spec(chain("AzureCliCredential", "AzureDeveloperCliCredential"))
    assert "ChainedTokenCredential(" in pane.code()


def test_forms_that_would_behave_differently_are_disabled_with_the_reason(pane):
    pane.set_spec(chain("ManagedIdentityCredential"))
    assert _item(pane, "chained").isEnabled()
    for style in ("default", "env"):
        item = _item(pane, style)
        assert not item.isEnabled()
        assert item.toolTip().startswith("Not available:") and "token exchange" in item.toolTip()
    assert "Behaves like this chain" in _item(pane, "chained").toolTip()


def test_switching_style_renders_that_form(qtbot, pane):
    pane.set_spec(chain("EnvironmentCredential", "AzureCliCredential"))
    assert pane.style() == "auto" and "DefaultAzureCredential(" in pane.code()
    with qtbot.waitSignal(pane.code_changed):
        pane.set_style("chained")
    assert "ChainedTokenCredential(EnvironmentCredential(), AzureCliCredential())" in pane.code()
    assert "(as requested)" in pane.why.text()
    with qtbot.waitSignal(pane.code_changed):
        pane.set_style("default")
    assert "exclude_broker_credential=True" in pane.code()


def test_a_chosen_style_that_stops_fitting_after_an_edit_falls_back_to_auto(pane):
    pane.set_spec(chain("EnvironmentCredential", "AzureCliCredential"))
    pane.set_style("default")
    pane.set_spec(chain("AzureCliCredential", "EnvironmentCredential"))  # reordered: not DAC's order
    assert pane.style() == "auto"
    assert "ChainedTokenCredential(" in pane.code()


def test_async_and_example_toggles(qtbot, pane):
    pane.set_spec(ChainSpec())
    with qtbot.waitSignal(pane.code_changed):
        pane.set_async(True)
    assert "from azure.identity.aio import" in pane.code()
    with qtbot.waitSignal(pane.code_changed):
        pane.set_example("get_token")
    assert "asyncio.run(main())" in pane.code() and "await credential.get_token(" in pane.code()
    pane.set_async(False)
    pane.set_example("client")
    assert "PipelineClient(" in pane.code() and "async" not in pane.code()


def test_a_chain_with_no_form_shows_why_and_disables_copy(pane):
    pane.set_spec(chain("InteractiveBrowserCredential"))
    pane.set_async(True)
    assert pane.code() == ""
    assert "InteractiveBrowserCredential" in pane.why.text()
    assert not pane.copy_button.isEnabled()


def test_copy_puts_the_code_on_the_clipboard_and_never_a_secret(qtbot, pane, monkeypatch):
    monkeypatch.setenv("APP_SECRET", CANARY)
    monkeypatch.setenv("AZURE_CLIENT_SECRET", CANARY)
    spec = chain(
        "ClientSecretCredential",
        ClientSecretCredential={"tenant_id": "contoso.com", "client_id": "app", "client_secret_env": "APP_SECRET"},
    )
    pane.set_spec(spec)
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(pane.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert copied == pane.code() and 'os.environ["APP_SECRET"]' in copied
    assert CANARY not in copied
    assert "Copied" in pane.status.text()


def test_save_writes_the_code_to_a_python_file(pane, tmp_path):
    pane.set_spec(ChainSpec(options=DEV))
    target = pane.save_to(tmp_path / "auth.py")
    assert target.read_text() == pane.code()
    assert not (tmp_path / "auth.py.tmp").exists()
    assert "Saved auth.py" in pane.status.text()


def test_save_dialog_adds_the_py_suffix(pane, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    pane.set_spec(ChainSpec())
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "cred"), "Python (*.py)"))
    pane.save_dialog()
    assert (tmp_path / "cred.py").read_text() == pane.code()


def test_code_is_highlighted(pane, monkeypatch):
    highlighter = pane.highlighter
    formatted: dict[str, tuple] = {}
    original = highlighter.setFormat

    def record(start, length, fmt):
        text = highlighter.currentBlock().text()[start : start + length]
        formatted[text] = (fmt.fontWeight(), fmt.fontItalic(), fmt.foreground().color().name())
        original(start, length, fmt)

    monkeypatch.setattr(highlighter, "setFormat", record)
    pane.set_spec(chain("AzureCliCredential", AzureCliCredential={"process_timeout": 30}))
    pane.set_style("chained")
    assert formatted["from"][0] > 400  # keyword, bold
    assert "AzureCliCredential" in formatted  # azure-identity class
    assert "30" in formatted  # number
    comments = [t for t in formatted if t.startswith("# Chainsight export")]
    assert comments and formatted[comments[0]][1]  # comment, italic
    assert formatted["from"][2] != formatted["AzureCliCredential"][2]


def test_main_window_embeds_the_pane_and_it_follows_chain_edits(qtbot, make_window):
    window = make_window()
    pane = window.export_pane
    assert isinstance(pane, ExportPane)
    assert pane.code() != ""
    before = pane.code()
    with qtbot.waitSignal(pane.code_changed):
        window.state.set_enabled(0, False)
    assert pane.code() != before
    spec = window.chain_spec()
    from engine.export import export

    assert pane.code() == export(spec).code
