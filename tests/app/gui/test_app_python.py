"""The window's version detection and "Check against my app's azure-identity…" (worker pool, no blocking)."""

from __future__ import annotations

import pytest

from app.gui.main_window import MainWindow
from tests.oracle.releases import interpreter

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def window(qtbot, monkeypatch):
    monkeypatch.setattr("app.gui.app_python.QMessageBox.information", lambda *a: None)
    monkeypatch.setattr("app.gui.app_python.QMessageBox.warning", lambda *a: None)
    # The window probes this machine's chain and crosscheck runs the user's DefaultAzureCredential: IMDS
    # included. Point it at a closed loopback port, for both (the crosscheck child inherits the variable).
    monkeypatch.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:9")
    win = MainWindow()
    qtbot.addWidget(win)
    return win


def test_detected_version_selects_its_profile_and_says_why(window, qtbot):
    python = str(interpreter("1.23.1"))
    window.app_python.use_version(python)
    qtbot.waitUntil(lambda: window.chain_panel.profile_reason.text() != "chosen", timeout=60000)
    assert window.state.profile_name == "1.23"
    assert window.chain_panel.profile_reason.text() == f"azure-identity 1.23.1 found for {python}"
    window.chain_panel.profile.setCurrentIndex(0)
    assert window.chain_panel.profile_reason.text() == "chosen"


def test_check_against_my_app_runs_on_the_pool_and_reports(window, qtbot):
    window.app_python.check(str(interpreter("1.27.0")))
    qtbot.waitUntil(lambda: window.app_python.last_result is not None, timeout=120000)
    result = window.app_python.last_result
    assert result["azure_identity"] == "1.27.0" and result["profile"] == "1.27"
    # Agreement itself is proven in every sandbox scenario (tests/oracle/test_crosscheck_oracle.py); here
    # the test environment's IMDS stand-in is not one, so only the report's shape is checked.
    assert result["agree"] is (result["differences"] == [])
    assert set(result) >= {"engine", "theirs", "differences"}


def test_a_missing_interpreter_is_reported_not_raised(window, qtbot, tmp_path):
    window.app_python.check(str(tmp_path / "no-python"))
    qtbot.waitUntil(lambda: window.app_python.last_result is not None, timeout=30000)
    assert "no such interpreter" in window.app_python.last_result["error"]
