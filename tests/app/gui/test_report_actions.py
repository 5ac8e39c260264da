"""File > Save report… and Copy report: collected on the worker pool, never on the GUI thread; the same
report the command line writes, of what the window shows."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from PySide6.QtGui import QGuiApplication

from app.gui import report_actions
from tests.app.gui.doubles import WRONG_ACCOUNT_ENV

SLOW_AZ = """#!{python}
import time
time.sleep(1.5)
print('{{"azure-cli": "2.67.0"}}')
"""


def _slow_az(tmp_path: Path) -> dict:
    """The test environment with an `az` that takes 1.5 s to say its version."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "az").write_text(SLOW_AZ.format(python=sys.executable))
    (bin_dir / "az").chmod(0o755)
    return {**WRONG_ACCOUNT_ENV, "PATH": str(bin_dir)}


def test_file_menu_offers_save_report_and_copy_report(make_window) -> None:
    window = make_window()
    file_menu = window.menuBar().actions()[0].menu()
    texts = [a.text() for a in file_menu.actions()]
    assert "Save re&port…" in texts and "Cop&y report" in texts


def test_save_report_collects_off_the_gui_thread_and_reports_the_last_run(make_window, qtbot, tmp_path) -> None:
    window = make_window(env=_slow_az(tmp_path))
    with qtbot.waitSignal(window.run_finished, timeout=10000):
        window.run_chain()
    if hasattr(window, "diagnosed"):  # a window whose diagnosis follows the run from the worker pool
        qtbot.waitUntil(lambda: getattr(window, "diagnosis", None) is not None, timeout=10000)
    target = tmp_path / "report.json"
    started = time.monotonic()
    report_actions.save_report(window, str(target))
    assert time.monotonic() - started < 0.5  # the 1.5 s tool runs on the worker pool
    qtbot.waitUntil(lambda: "Report saved to" in window.statusBar().currentMessage(), timeout=20000)
    document = json.loads(target.read_text())
    assert {t["name"]: t["version"] for t in document["machine"]["tools"]}["az"] == "2.67.0"
    assert document["machine"]["label"] == "test host"
    record = window.timeline.history[-1]
    assert document["run"]["selected"] == record.runs[0].selected
    assert record.runs[0].selected in document["diagnosis"]["verdict"].split("\n")[0]
    assert [m["credential"] for m in document["chain"]["members"]] == list(record.runs[0].members)
    assert "CANARY-CLIENT-SECRET" not in target.read_text()


def test_copy_report_puts_markdown_on_the_clipboard(make_window, qtbot) -> None:
    window = make_window()
    QGuiApplication.clipboard().setText("")
    report_actions.copy_report(window)
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text().startswith("# Chainsight report"), timeout=20000)
    text = QGuiApplication.clipboard().text()
    assert "The chain was not run" in text and "CANARY-CLIENT-SECRET" not in text


def test_a_report_that_cannot_be_written_says_why(make_window, qtbot, tmp_path) -> None:
    window = make_window()
    target = tmp_path / "missing-dir" / "report.md"
    report_actions.save_report(window, str(target))
    qtbot.waitUntil(lambda: "Could not save the report" in window.statusBar().currentMessage(), timeout=20000)
    assert not target.exists()


def test_the_report_carries_the_diagnosis_the_window_shows(make_window, qtbot, tmp_path) -> None:
    from tests.app.report.samples import DIAGNOSIS

    class Shown:  # what the window holds once its banner shows a diagnosis
        def to_json(self) -> dict:
            return DIAGNOSIS

    window = make_window()
    window.diagnosis = Shown()
    target = tmp_path / "report.md"
    report_actions.save_report(window, str(target))
    qtbot.waitUntil(lambda: "Report saved to" in window.statusBar().currentMessage(), timeout=20000)
    assert "Next steps" in target.read_text()
    assert "Try without AZURE_CLIENT_SECRET" in target.read_text()
