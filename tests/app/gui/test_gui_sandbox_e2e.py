"""End to end on the real sandbox: laptop-wrong-account through the real engine and credentials."""

from __future__ import annotations

import pytest

from app.gui.sandbox_host import sandbox_host
from engine import sandbox as sandboxes

SCENARIO = "laptop-wrong-account"


@pytest.fixture
def sandbox():
    started = sandboxes.start(SCENARIO)
    yield started
    started.stop()


def test_wrong_account_story_in_the_window_and_the_what_if_fix(qtbot, sandbox, settings):
    from app.gui.main_window import MainWindow

    window = MainWindow(host=sandbox_host(sandbox), settings=settings)
    window.ask_discard = lambda: True
    qtbot.addWidget(window)
    window.set_host(sandbox_host(sandbox), sandbox=None, scenario=sandbox.scenario)
    assert f"sandbox: {SCENARIO}" in window.windowTitle()
    with qtbot.waitSignals([window.run_finished, window.diagnosed], timeout=60000):
        window.run_chain()
    record = window.timeline.current()
    expected = sandbox.scenario.expected
    assert window.banner.diagnosis.selected == expected.credential
    assert expected.account in window.banner.headline.text()
    assert window.timeline.canvas.records == [record]
    # the what-if fix: without the leftover secret, DefaultAzureCredential reaches the developer's az login
    window.env_editor.set_variable("AZURE_CLIENT_SECRET", None)
    with qtbot.waitSignals([window.run_finished, window.diagnosed], timeout=60000):
        window.run_chain()
    assert window.banner.diagnosis.selected == "AzureCliCredential"
    assert "dev@contoso.com" in window.banner.headline.text()


def test_the_sandbox_menu_starts_a_scenario_off_the_gui_thread_and_runs_it(qtbot, settings):
    from app.gui.main_window import MainWindow
    from engine.host import Host

    # IMDS points at a closed loopback port: nothing may ever reach 169.254.169.254
    loopback = {"PATH": "/usr/bin:/bin", "AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:9"}
    window = MainWindow(host=Host(env=loopback), settings=settings)
    window.ask_discard = lambda: True
    qtbot.addWidget(window)
    window._fill_sandbox_menu()
    assert SCENARIO in [a.text() for a in window.sandbox_menu.actions()]
    with qtbot.waitSignal(window.run_finished, timeout=60000):
        window.open_sandbox(SCENARIO, then_run=True)
    assert f"sandbox: {SCENARIO}" in window.windowTitle()
    started = window.sandbox
    assert started is not None and window.host.label == f"sandbox: {SCENARIO}"
    window.close()
    assert window.sandbox is None and not started.started  # stopped on quit


def test_sign_in_with_a_browser_runs_the_interactive_credential_alone(qtbot, settings):
    from app.gui.main_window import MainWindow

    box = sandboxes.start("laptop-az")
    try:
        window = MainWindow(host=sandbox_host(box), settings=settings)
        window.ask_discard = lambda: True
        qtbot.addWidget(window)
        window.set_host(sandbox_host(box), sandbox=None, scenario=box.scenario)
        with qtbot.waitSignals([window.run_finished, window.diagnosed], timeout=60000):
            window.sign_in_with_browser()
        record = window.timeline.current()
        assert [lane.attempt.credential for lane in record.lanes] == ["InteractiveBrowserCredential"]
        assert window.banner.diagnosis.selected == "InteractiveBrowserCredential"
        assert "dev@contoso.com" in window.banner.headline.text()
        kinds = [step.kind for step in record.lanes[0].attempt.steps]
        assert "browser" in kinds and "http" in kinds
        assert window.state.names()[0] == "EnvironmentCredential"  # the chain being edited is untouched
    finally:
        box.stop()
