"""End to end on the real sandbox: laptop-wrong-account through the real engine and credentials."""

from __future__ import annotations

import time

import pytest

from app.gui.sandbox_host import sandbox_host
from engine import sandbox as sandboxes

GIVES_UP = {
    "browser": {"sessions": []},
    "users": [{"upn": "dev@contoso.com", "oid": "a1b2c3d4-0001-4000-8000-00000000d001", "name": "Dana Developer"}],
}

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
    assert SCENARIO in [a.data() for a in window.sandbox_menu.actions()]
    with qtbot.waitSignal(window.run_finished, timeout=60000):
        window.open_sandbox(SCENARIO, then_run=True)
    assert f"sandbox: {SCENARIO}" in window.windowTitle()
    started = window.sandbox
    assert started is not None and window.host.label == f"sandbox: {SCENARIO}"
    window.close()
    assert window.sandbox is None
    window.finish_quit()  # what main() does once the window has gone
    assert not started.started and not started.tmp.exists()  # stopped on quit, temp folder and key gone


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


def test_a_browser_that_gives_up_is_reported_at_once_with_its_reason(qtbot, settings):
    from app.gui.main_window import BROWSER_GAVE_UP, MainWindow

    # no signed-in session and no password it could type: the scripted browser gets stuck and gives up
    box = sandboxes.start("laptop-az", overrides=GIVES_UP)
    try:
        window = MainWindow(host=sandbox_host(box), settings=settings)
        window.ask_discard = lambda: True
        qtbot.addWidget(window)
        window.set_host(sandbox_host(box), sandbox=None, scenario=box.scenario)
        started = time.monotonic()
        with qtbot.waitSignal(window.run_finished, timeout=30000):
            window.sign_in_with_browser()
        assert time.monotonic() - started < 15  # not the credential's own multi-minute timeout
        assert window.banner.headline.text() == BROWSER_GAVE_UP
        assert "scripted browser" in window.banner.body.text() or "no way forward" in window.banner.body.text()
    finally:
        box.stop()


def test_cancelling_a_browser_sign_in_says_cancelled_by_you(qtbot, settings):
    from app.gui.details_pane import CANCELLED_BY_YOU
    from app.gui.main_window import MainWindow

    box = sandboxes.start("laptop-az", overrides=GIVES_UP)
    try:
        window = MainWindow(host=sandbox_host(box), settings=settings)
        qtbot.addWidget(window)
        window.set_host(sandbox_host(box), sandbox=None, scenario=box.scenario)
        window._browser_watch.setInterval(60000)  # the user is quicker than the browser watch here
        record = window.sign_in_with_browser()
        qtbot.waitUntil(lambda: bool(record.lanes), timeout=10000)
        with qtbot.waitSignal(window.run_finished, timeout=10000):
            window.cancel()
        window.details.show_attempt(record, 0)
        assert window.details.message.toPlainText() == CANCELLED_BY_YOU
        results = [window.details.steps_model.item(r, 1).text() for r in range(window.details.steps_model.rowCount())]
        assert not any("RunCancelled" in r for r in results), results
    finally:
        box.stop()


def test_quitting_while_a_sandbox_starts_leaves_no_temp_folder_key_or_server(qtbot, settings, tmp_path, monkeypatch):
    import tempfile

    from app.gui.main_window import MainWindow
    from engine.host import Host

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # this test's sandboxes only, not other runs'
    loopback = {"PATH": "/usr/bin:/bin", "AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:9"}
    window = MainWindow(host=Host(env=loopback), settings=settings)
    qtbot.addWidget(window)
    window.open_sandbox("laptop-az")
    assert window.launcher.busy  # the start is under way (queued or running)
    window.close()
    window.finish_quit()
    assert window.sandbox is None and not window.launcher.busy
    left = list(tmp_path.glob("chainsight-sandbox-*"))
    assert not left, f"left behind: {left}"


def test_a_sandbox_up_but_not_yet_taken_by_the_window_is_stopped_on_quit():
    from app.gui.sandbox_host import SandboxLauncher

    launcher = SandboxLauncher()
    ticket = launcher.choose()
    sandbox, _host = launcher.start("laptop-az", ticket)  # up; its news has not reached a window
    launcher.close()
    launcher.wait()
    assert not sandbox.started and not sandbox.tmp.exists()
