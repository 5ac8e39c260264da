"""The main window end to end on test-double credentials: live runs, verdict, details, what-if, files, cancel."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.gui import member_status as ms
from engine.chain import ChainedTokenCredential
from engine.spec import ChainSpec
from tests.app.gui.doubles import (
    CONTOSO,
    DEV_UPN,
    SP_APPID,
    TOKEN_CANARY,
    WRONG_ACCOUNT_ENV,
    Double,
    failing,
    succeeding,
    unavailable,
    user_token,
)


def _run(qtbot, window, start=None):
    """Start a run and wait for it and for the diagnosis the banner then shows."""
    records = []
    window.run_finished.connect(records.append)
    with qtbot.waitSignals([window.run_finished, window.diagnosed], timeout=10000):
        (start or window.run_chain)()
    window.run_finished.disconnect(records.append)
    return records[-1]


def _run_without_diagnosis(qtbot, window, start=None):
    with qtbot.waitSignal(window.run_finished, timeout=10000) as blocker:
        (start or window.run_chain)()
    return blocker.args[0]


def test_a_live_run_fills_the_timeline_and_the_verdict_names_credential_and_account(qtbot, make_window):
    window = make_window()
    seen_lanes = []
    window.runner.run_updated.connect(lambda record: seen_lanes.append(len(record.lanes)))
    record = _run(qtbot, window)
    assert seen_lanes and max(seen_lanes) >= 1  # the timeline was fed while the run was going on
    assert [lane.attempt.credential for lane in record.lanes] == ["EnvironmentCredential"]
    assert window.timeline.canvas.records == [record]
    assert window.banner.diagnosis.selected == "EnvironmentCredential"
    assert SP_APPID in window.banner.headline.text()
    assert "AZURE_CLIENT_SECRET" in window.banner.body.text()  # the leftover-secret warning
    assert window.details.attempt.credential == "EnvironmentCredential"
    assert "EnvironmentCredential" in window.statusBar().currentMessage()


def test_rows_show_probe_badges_identities_and_unknown_reasons(make_window):
    window = make_window()
    statuses = {m.type: window.model.status(i) for i, m in enumerate(window.state.members)}
    assert statuses["AzureCliCredential"].badge == ms.AVAILABLE
    assert statuses["AzureCliCredential"].identity.upn == DEV_UPN
    assert statuses["ManagedIdentityCredential"].badge == ms.UNKNOWN
    assert "no static check" in statuses["ManagedIdentityCredential"].reason  # the same words as `scan`


def test_unsetting_client_secret_in_the_what_if_moves_the_verdict_to_azure_cli(qtbot, make_window, monkeypatch):
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "real-process-value")
    window = make_window()
    window.env_editor.set_variable("AZURE_CLIENT_SECRET", None)
    assert window.what_if_bar.isVisibleTo(window) and "AZURE_CLIENT_SECRET unset" in window.what_if_bar.text()
    assert "what-if" in window.windowTitle()
    record = _run(qtbot, window)
    assert record.overlay == {"AZURE_CLIENT_SECRET": None}
    assert window.banner.diagnosis.selected == "AzureCliCredential"
    assert f"as {DEV_UPN} (tenant {CONTOSO})" in window.banner.headline.text()
    assert os.environ["AZURE_CLIENT_SECRET"] == "real-process-value"  # the real environment is untouched
    window.env_editor.reset()
    assert not window.what_if_bar.isVisibleTo(window)
    assert window.host.env["AZURE_CLIENT_SECRET"] == WRONG_ACCOUNT_ENV["AZURE_CLIENT_SECRET"]


def test_the_banner_fix_excludes_the_credential_and_runs_again(qtbot, make_window):
    window = make_window()
    _run(qtbot, window)
    # After one run only EnvironmentCredential is known: excluding it is offered, but untested.
    assert not any(f.label == "Exclude EnvironmentCredential" for f in window.banner.fix_links())
    assert "untested" in window.banner.body.text()
    _run(qtbot, window, window.try_every)
    _run(qtbot, window)
    fix = next(f for f in window.banner.fix_links() if f.label == "Exclude EnvironmentCredential")
    assert fix.to_json()["expect"] == {"selected": "AzureCliCredential", "account": DEV_UPN}
    _run(qtbot, window, lambda: window.banner.fix_requested.emit(fix))
    assert window.state.to_spec().options == {"exclude_environment_credential": True}
    assert window.banner.diagnosis.selected == "AzureCliCredential"


def test_try_every_credential_shows_each_account_side_by_side(qtbot, make_window):
    window = make_window()
    record = _run(qtbot, window, window.try_every)
    assert [lane.attempt.outcome for lane in record.lanes] == ["succeeded", "unavailable", "succeeded"]
    assert window.banner.diagnosis.verdict.startswith("Tried each credential on its own: 2 of 3 signed in")
    assert any("different accounts" in w.text for w in window.banner.diagnosis.warnings)
    cli_row = window.state.names().index("AzureCliCredential")
    assert window.model.status(cli_row).source == f"try every #{record.number}"  # the latest evidence wins


def test_details_of_a_failed_attempt_show_message_steps_and_log(qtbot, make_window):
    def builder(spec, host):
        return ChainedTokenCredential(
            Double("EnvironmentCredential", unavailable("not configured")),
            Double("ManagedIdentityCredential", failing("IMDS answered 500: boom"), steps=2),
            Double("AzureCliCredential", succeeding(user_token())),
        )

    window = make_window(builder)
    record = _run(qtbot, window)
    assert window.banner.diagnosis.verdict.startswith("ChainedTokenCredential stopped at ManagedIdentityCredential")
    window.timeline.canvas.select(0, 1)
    details = window.details
    assert details.attempt.outcome == "failed"
    assert "ManagedIdentityCredential" in details.title.text() and "failed" in details.title.text()
    assert details.message.toPlainText() == "IMDS answered 500: boom"
    assert details.message.isReadOnly()
    assert details.steps_model.rowCount() == 2
    assert details.steps_model.item(0, 0).text() == "$ tool 0"
    assert (
        "INFO azure.identity._credentials.double: ManagedIdentityCredential.get_token called"
        in details.log.toPlainText()
    )
    assert len(record.lanes) == 2  # the chain stopped: AzureCliCredential was never tried


def test_cancel_ends_a_hanging_run_promptly(qtbot, make_window):
    def builder(spec, host):
        return ChainedTokenCredential(Double("AzureCliCredential", succeeding(user_token(), delay=30), host=host))

    window = make_window(builder)
    window.run_chain()
    qtbot.waitUntil(lambda: bool(window.runner.current.lanes), timeout=5000)
    assert window.request_bar.cancel_button.isEnabled()
    record = _run(qtbot, window, lambda: QTest.keyClick(window, Qt.Key.Key_Escape))
    assert record.runs[0].outcome == "cancelled"
    assert record.lanes[0].attempt.outcome == "cancelled"
    assert window.banner.diagnosis.outcome == "cancelled"
    expected = "Cancelled after 0 of 1 members; 0 signed in so far; not tried: none (AzureCliCredential abandoned"
    assert window.banner.headline.text().startswith(expected)
    assert record.summary.split(" — ")[1].startswith(expected)  # the history says so too
    assert window.request_bar.run_button.isEnabled()


def test_a_chain_that_cannot_be_built_is_reported_and_edits_are_kept(qtbot, make_window):
    def builder(spec, host):
        raise ValueError("'http://bad' is an invalid authority. The value must be a TLS protected (https) URL.")

    window = make_window(builder)
    window.state.set_enabled(0, False)
    qtbot.waitUntil(lambda: window.chain_panel.error.isVisibleTo(window), timeout=3000)
    assert "invalid authority" in window.chain_panel.error.text()
    record = _run_without_diagnosis(qtbot, window)
    assert "invalid authority" in record.error
    assert "could not run" in window.banner.headline.text()
    assert window.state.to_spec().options == {"exclude_environment_credential": True}
    assert window.state.can_undo


def test_spec_save_and_load_round_trip_and_remember_recent_files(make_window, tmp_path: Path, settings):
    window = make_window()
    window.state.move(window.state.names().index("AzureCliCredential"), 0)
    path = tmp_path / "mine.toml"
    assert window.save_to(path)
    assert not window.dirty and "mine.toml" in window.windowTitle()
    saved = ChainSpec.load(path)
    assert saved == window.chain_spec() and saved.credentials[0].type == "AzureCliCredential"
    other = make_window()
    assert other.open_path(path)
    assert other.chain_spec() == saved
    assert settings.recent_files()[0] == str(path.resolve())
    assert other.recent_menu.actions()[0].text() == str(path.resolve())


def test_a_broken_spec_file_is_refused_without_losing_edits(make_window, tmp_path: Path):
    window = make_window()
    window.state.set_enabled(0, False)
    before = window.chain_spec()
    bad = tmp_path / "bad.toml"
    bad.write_text('[chain]\ntype = "Nope"\n')
    assert not window.open_path(bad)
    assert window.chain_spec() == before and window.state.can_undo
    assert "Could not open" in window.statusBar().currentMessage()


def test_keyboard_moves_undo_and_redo(qtbot, make_window):
    window = make_window()
    window.activateWindow()
    panel = window.chain_panel
    panel.select_row(0)
    panel.list.setFocus()
    QTest.keyClick(panel.list, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert window.state.names()[:2] == ["WorkloadIdentityCredential", "EnvironmentCredential"]
    assert panel.selected_row() == 1  # the selection follows the moved member
    assert "ChainedTokenCredential" in panel.mode.text()
    window.undo_action.trigger()
    assert window.state.names()[0] == "EnvironmentCredential" and window.state.is_default
    window.redo_action.trigger()
    assert window.state.names()[1] == "EnvironmentCredential"
    shortcuts = {a.text().split(" ")[0]: a.shortcut().toString() for a in window.actions()}
    assert shortcuts["&Run"] == "Ctrl+R" and shortcuts["&Cancel"] == "Esc"


def test_the_export_slot_follows_chain_edits(qtbot, make_window):
    window = make_window()
    with qtbot.waitSignal(window.chain_changed) as blocker:
        window.state.set_enabled(0, False)
    assert blocker.args[0] == window.chain_spec()
    pane = window.export_pane  # built on first use (the first paint does not need it)
    assert window.export_dock.widget() is pane


def test_window_geometry_and_state_are_remembered(qtbot, make_window, settings):
    window = make_window()
    first_start = window.size()
    window.resize(first_start.width(), first_start.height() - 60)
    wanted = window.size()
    window.signin_dock.close()
    window.close()
    again = make_window()
    assert wanted != first_start and again.size() == wanted
    assert again.signin_dock.isHidden() and not again.details_dock.isHidden()


def test_the_last_scope_and_tenant_come_back_but_claims_do_not(qtbot, make_window):
    window = make_window()
    window.request_bar.scope.setText("https://vault.azure.net/.default")
    window.request_bar._on_scope_edited("https://vault.azure.net/.default")
    window.request_bar.tenant.setText("contoso.onmicrosoft.com")
    window.request_bar.claims.setText('{"access_token": {}}')
    window.close()
    again = make_window()
    request = again.request_bar.request()
    assert request.scopes == ("https://vault.azure.net/.default",)
    assert request.tenant_id == "contoso.onmicrosoft.com" and request.claims is None
    assert again.request_bar.preset.currentText().startswith("Key Vault")


def test_no_secret_or_token_is_shown_anywhere(qtbot, make_window):
    window = make_window()
    _run(qtbot, window, window.try_every)
    texts = [
        window.banner.headline.text(),
        window.banner.body.text(),
        window.details.log.toPlainText(),
        window.details.message.toPlainText(),
        window.env_editor.status.text(),
        window.windowTitle(),
    ]
    table = window.env_editor.table
    texts += [table.item(r, c).text() for r in range(table.rowCount()) for c in range(3)]
    for lane in range(len(window.timeline.current().lanes)):
        window.timeline.canvas.select(0, lane)
        texts += [window.details.log.toPlainText(), window.details.message.toPlainText()]
    blob = "\n".join(texts)
    assert "CANARY-CLIENT-SECRET" not in blob and TOKEN_CANARY not in blob


def test_runs_belong_to_their_machine_in_the_history_and_compare_marks_another_machine(qtbot, make_window):
    from engine.host import Host

    window = make_window()
    first = _run(qtbot, window)
    assert " run on test host — " in first.summary
    window.set_host(Host(env=dict(WRONG_ACCOUNT_ENV), label="other host"))
    assert window.diagnosis is None  # the old machine's verdict is not shown as this one's
    second = _run(qtbot, window)
    assert " run on other host — " in second.summary
    window.timeline.compare_combo.setCurrentIndex(2)  # (nothing), #2, #1
    assert window.timeline.canvas.records == [second, first]
    tip = window.timeline.compare_combo.toolTip()
    assert "ran on test host" in tip and "this one on other host" in tip


def test_a_machine_where_nothing_can_sign_in_is_told_what_to_do_before_any_run(qtbot, make_window):
    from engine.probe import UNAVAILABLE, Probe

    def builder(spec, host):
        return ChainedTokenCredential(
            Double(
                "EnvironmentCredential",
                unavailable("not configured"),
                probe=Probe("EnvironmentCredential", UNAVAILABLE, "no AZURE_CLIENT_ID/AZURE_TENANT_ID set"),
            ),
            Double(
                "AzureCliCredential",
                unavailable("Azure CLI not found on path"),
                probe=Probe("AzureCliCredential", UNAVAILABLE, "Azure CLI not found on PATH"),
            ),
        )

    window = make_window(builder, env={"PATH": "/usr/bin:/bin"})
    qtbot.waitUntil(lambda: window.diagnosis is not None, timeout=5000)
    assert window.banner.headline.text().startswith("Checked without requesting a token: 0 of 2")
    assert "Nothing on this machine can sign in yet" in window.banner.body.text()
    record = _run(qtbot, window)  # a run replaces it with the run's own verdict
    assert record.runs[0].outcome == "failed" and window.diagnosis.verdict.endswith("every member was unavailable.")


def test_changing_the_what_if_labels_the_verdict_on_screen_as_the_earlier_one(qtbot, make_window):
    window = make_window()
    _run(qtbot, window)
    window.env_editor.set_variable("AZURE_CLIENT_SECRET", None)
    assert window.diagnosis is None  # nothing is known about this what-if yet
    assert "Earlier what-if" in window.banner.body.text() and "test host" in window.banner.body.text()
