"""The report's diagnosis is the one app/diagnosis gives `chainsight run --json` and the window's banner:
on every sandbox scenario (one sandbox each, in this process, as the window and the run share it), with
a what-if overlay, and through File > Save report after a run in the window."""

from __future__ import annotations

import json

import pytest

from app.cli import build_parser
from app.cli.common import load_spec
from app.cli.report import collect_report
from app.gui.sandbox_host import sandbox_host
from tests.app.diagnosis.scenarios import cli_run, each_scenario, restore_files, snapshot_files

RUN_TIMEOUT = 60000
WRONG_ACCOUNT = "laptop-wrong-account"


box = each_scenario()


def report_on(box, *extra: str) -> dict:
    """The document `chainsight report --json EXTRA...` writes on the sandbox ``box``, in this process."""
    args = build_parser().parse_args(["report", "--json", *extra])
    return collect_report(args, load_spec(args), sandbox_host(box))


def _report_then_run(box, *extra: str):
    """The report and `chainsight run --json` with the same flags, each on the machine as it was found."""
    before = snapshot_files(box.home)
    document = report_on(box, *extra)
    restore_files(box.home, before)
    try:
        return document, cli_run(box, *extra)
    finally:
        restore_files(box.home, before)


def test_the_reports_diagnosis_is_chainsight_runs(box) -> None:
    document, run = _report_then_run(box)
    assert document["diagnosis"]["verdict"] and document["diagnosis"] == run.diagnosis.to_json()
    assert document["run"]["selected"] == run.run.selected


@pytest.mark.parametrize("box", [WRONG_ACCOUNT], indirect=True)  # its leftover AZURE_CLIENT_SECRET
def test_a_report_with_the_secret_unset_sees_the_cli_account_as_run_does(box) -> None:
    document, run = _report_then_run(box, "--unset-env", "AZURE_CLIENT_SECRET")
    assert document["run"]["selected"] == "AzureCliCredential" == run.run.selected
    assert document["diagnosis"] == run.diagnosis.to_json()
    assert document["diagnosis"]["verdict"].startswith("DefaultAzureCredential uses AzureCliCredential")
    assert {"name": "AZURE_CLIENT_SECRET", "value": None, "unset": True} in document["machine"]["what_if"]


@pytest.mark.parametrize("box", [WRONG_ACCOUNT], indirect=True)  # one is enough: the run's path covers every one
def test_the_window_saves_the_diagnosis_its_banner_shows(box, qtbot, tmp_path) -> None:
    from app.gui import report_actions
    from app.gui.main_window import MainWindow
    from app.gui.settings import Settings

    host = sandbox_host(box)
    window = MainWindow(host=host, settings=Settings(tmp_path / "settings.ini"))
    window.ask_discard = lambda: True
    qtbot.addWidget(window)
    window.show()  # a hidden window's status bar keeps no message: "Report saved" is how the save is seen
    before = snapshot_files(box.home)
    try:
        with qtbot.waitSignal(window.probes_finished, timeout=RUN_TIMEOUT):
            window.set_host(host, sandbox=None, scenario=box.scenario)  # the shared sandbox is not the window's
            window.reprobe()
        with qtbot.waitSignals([window.run_finished, window.diagnosed], timeout=RUN_TIMEOUT):
            window.run_chain()
        shown = window.banner.diagnosis
        assert shown is not None and shown is window.diagnosis
        target = tmp_path / "report.json"
        errors: list[str] = []
        window._error = lambda title, detail: errors.append(f"{title}: {detail}")
        report_actions.save_report(window, str(target))
        qtbot.waitUntil(lambda: errors or "Report saved to" in window.statusBar().currentMessage(), timeout=RUN_TIMEOUT)
        assert not errors, errors
    finally:
        restore_files(box.home, before)
    document = json.loads(target.read_text())
    assert document["diagnosis"] == shown.to_json()
    assert document["diagnosis"]["verdict"] == window.banner.headline.text()
    assert document["run"]["selected"] == window.timeline.history[-1].runs[0].selected
