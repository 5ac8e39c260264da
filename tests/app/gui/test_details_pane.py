"""The Details pane at a narrow width: the Account card wraps ids and keeps its copy buttons in view;
the Steps table elides long results (tooltip has them) and offers Copy / Copy as curl / Copy command
line with secrets masked."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QToolButton

from app.gui.details_pane import DetailsPane, WrappingLabel, step_copies
from app.gui.run_record import Request, RunRecord
from engine.account import Account
from engine.run import Attempt, ChainRun, Step

GUID = "0c9a51f2-5b3e-4d8a-9f61-2e7c4b8d0a11"
TOKEN_SHAPE = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNlY3JldC12YWx1ZQ"


def record_with(attempt: Attempt) -> RunRecord:
    run = ChainRun()
    run.attempts.append(attempt)
    record = RunRecord(1, "run", "DefaultAzureCredential", Request())
    record.runs = [run]
    record.finished = True
    return record


def test_the_account_card_wraps_ids_and_every_copy_button_stays_in_view(qtbot):
    pane = DetailsPane()
    qtbot.addWidget(pane)
    pane.resize(240, 600)
    pane.show()
    account = Account(tenant_id=GUID, object_id=GUID, client_id=GUID, name="Deploy SP", identity_type="app")
    attempt = Attempt(0, "EnvironmentCredential", "EnvironmentCredential", 0.0, 0.1, "succeeded", account=account)
    pane.show_attempt(record_with(attempt), 0)
    pane.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: pane.account.isVisible(), timeout=2000)
    QApplication.processEvents()
    viewport = pane.account.parentWidget()
    buttons = [b for b in pane.account.findChildren(QToolButton) if b.objectName().startswith("copy_")]
    assert {b.objectName() for b in buttons} == {"copy_tenant_id", "copy_object_id", "copy_client_id"}
    for button in buttons:
        corner = button.mapTo(viewport, QPoint(button.width(), button.height()))
        assert corner.x() <= viewport.width(), button.objectName()
    labels = [w for w in pane.account.findChildren(WrappingLabel) if w.text() == GUID]
    assert labels and all(label.height() > label.fontMetrics().height() + 4 for label in labels)  # wrapped
    assert pane.account.width() <= viewport.width()


def test_a_long_result_is_elided_with_a_tooltip_and_start_and_took_stay_visible(qtbot):
    pane = DetailsPane()
    qtbot.addWidget(pane)
    pane.resize(260, 500)
    pane.show()
    long_error = "ERROR: " + "AADSTS700082: The refresh token has expired due to inactivity. " * 4
    step = Step(0, "process", "az account get-access-token", 0.0, 0.5, {"argv": ["az", "account"], "exit_status": 1})
    step.detail["stderr"] = long_error
    attempt = Attempt(0, "AzureCliCredential", "AzureCliCredential", 0.0, 0.5, "failed", steps=[step])
    pane.show_attempt(record_with(attempt), 0)
    QApplication.processEvents()
    header = pane.steps.horizontalHeader()
    right = header.sectionViewportPosition(3) + header.sectionSize(3)
    assert right <= pane.steps.viewport().width()  # Took is on screen
    assert pane.steps_model.item(0, 1).toolTip() == "exit 1: " + long_error


def test_step_copies_offer_curl_and_command_lines_with_secrets_masked():
    http = Step(
        0,
        "http",
        "POST token",
        0.0,
        0.2,
        {"method": "POST", "url": f"https://login.example/t/oauth2/v2.0/token?client_secret=s3cr3t&x={TOKEN_SHAPE}"},
    )
    copies = dict(step_copies(http))
    assert set(copies) == {"Copy", "Copy as curl"}
    assert copies["Copy as curl"].startswith("curl -sS -X POST 'https://login.example/t/oauth2/v2.0/token?")
    for text in copies.values():
        assert "s3cr3t" not in text and TOKEN_SHAPE not in text
    process = Step(1, "process", "az", 0.0, 0.1, {"argv": ["az", "account", "get-access-token", "--tenant", "a b"]})
    copies = dict(step_copies(process))
    assert copies["Copy command line"] == "az account get-access-token --tenant 'a b'"
    file_step = Step(2, "file", "read", 0.0, 0.1, {"path": "/tmp/x"})
    assert [name for name, _ in step_copies(file_step)] == ["Copy"]
