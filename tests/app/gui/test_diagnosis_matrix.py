"""The scripted matrix: every sandbox scenario x {probe only, run, try every, each offered fix applied then
run, switch machine then run, cancel early, cancel late}. After each step no badge contradicts the latest
evidence on the same machine and overlay, nothing from another machine or overlay shows as current, every
offered fix gives what it promised, and no member starts after cancel. The window's diagnosis equals
``chainsight run --json``'s for the same machine and overlay. One sandbox per scenario, shared."""

from __future__ import annotations

import pytest

from app.diagnosis.fixes import account_id
from app.gui import member_status as ms
from app.gui.sandbox_host import sandbox_host
from engine import events
from engine.host import Host
from tests.app.diagnosis.scenarios import cli_run, each_scenario, restore_files, snapshot_files

RUN_TIMEOUT = 60000


box = each_scenario()


@pytest.fixture
def window(qtbot, settings, box):
    from app.gui.main_window import MainWindow

    host = sandbox_host(box)
    made = MainWindow(host=host, settings=settings)
    made.ask_discard = lambda: True
    qtbot.addWidget(made)
    with qtbot.waitSignal(made.probes_finished, timeout=RUN_TIMEOUT):
        made.set_host(host, sandbox=None, scenario=box.scenario)  # the shared sandbox is not the window's to stop
        made.reprobe()
    return made


def _run(qtbot, window, start):
    with qtbot.waitSignals([window.run_finished, window.diagnosed], timeout=RUN_TIMEOUT):
        start()
    return window.timeline.current()


def _statuses(window) -> dict[str, ms.MemberStatus]:
    return {
        name: window.model.statuses[uid]
        for uid, name in zip(window._built_uids, window._built_names, strict=False)
        if uid is not None and uid in window.model.statuses
    }


def _assert_current_only(window) -> None:
    """Every row shows exactly the current context's latest evidence (or still probing): nothing else."""
    current = window.evidence.current(window.context)
    for name, status in _statuses(window).items():
        if name in current:
            assert status == ms.status_from_evidence(current[name]), name
        else:
            assert status.identity is None and status.badge in (ms.PROBING, ms.UNKNOWN), (name, status)
    if window.diagnosis is not None:
        assert window.diagnosis.context == window.context


def _assert_badges_agree(window, record) -> None:
    """No badge contradicts the record's outcomes (the latest evidence on this machine and overlay)."""
    statuses = _statuses(window)
    for run in record.runs:
        for attempt in run.attempts:
            if attempt.credential not in statuses or attempt.outcome in (None, events.CANCELLED):
                continue
            want = ms.AVAILABLE if attempt.outcome == events.SUCCEEDED else ms.UNAVAILABLE
            assert statuses[attempt.credential].badge == want, (attempt.credential, attempt.outcome)


def _assert_nothing_started_after_cancel(qtbot, window) -> None:
    recorders = list(window.runner._recorders)
    qtbot.waitUntil(
        lambda: all(any(isinstance(e, events.RunFinished) for e in r.events) for r in recorders),
        timeout=RUN_TIMEOUT,
    )
    for recorder in recorders:
        if recorder.cancelled_at is None:
            continue
        starts = [e.t for e in recorder.events if isinstance(e, events.AttemptStarted)]
        assert all(t <= recorder.cancelled_at for t in starts), (starts, recorder.cancelled_at)


def test_the_matrix_holds_for_the_scenario(qtbot, window, box, tmp_path):
    # probe only
    _assert_current_only(window)
    # run: badges follow the run both ways, and the window's diagnosis is the command line's. A run can
    # change the machine (a revoked refresh token is evicted from the shared cache), so the command line
    # runs on the machine as the window found it.
    before = snapshot_files(box.home)
    record = _run(qtbot, window, window.run_chain)
    _assert_badges_agree(window, record)
    _assert_current_only(window)
    restore_files(box.home, before)
    assert window.diagnosis.to_json() == cli_run(box).diagnosis.to_json()
    if box.scenario.managed_identity.kind == "arc" and record.runs[0].selected is None:
        assert "chainsight sandbox exec --isolate-network" in window.banner.context.text()
    # try every, then a run that can use what it showed to check fixes
    every = _run(qtbot, window, window.try_every)
    _assert_badges_agree(window, every)
    _assert_current_only(window)
    offered = list(window.banner.fix_links())
    again = _run(qtbot, window, window.run_chain)
    _assert_badges_agree(window, again)
    offered += window.banner.fix_links()
    offered = list({fix.action: fix for fix in offered}.values())  # the same change offered twice runs once
    # each offered fix, applied and run, gives what it promised
    for fix in offered:
        expect = fix.to_json()["expect"]
        fixed = _run(qtbot, window, lambda f=fix: window.apply_fix(f))
        assert fixed.runs[0].selected == expect["selected"], fix.label
        if "account" in expect:
            assert account_id(fixed.runs[0].account) == expect["account"], fix.label
        _assert_badges_agree(window, fixed)
        _assert_current_only(window)
        window.env_editor.reset()
        window.reset_chain()
    # switch machine mid-run: the run is cancelled, nothing starts after, the other machine shows nothing of it
    other = Host(
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:9"},
        home=tmp_path,
        label="other machine",
    )
    with qtbot.waitSignal(window.run_finished, timeout=RUN_TIMEOUT) as switched:
        window.run_chain()
        qtbot.waitUntil(lambda: bool(window.runner._recorders), timeout=RUN_TIMEOUT)
        window.set_host(other)
    left = switched.args[0]
    assert left.host_label == f"sandbox: {box.scenario.name}"
    assert left.cancelled or left.runs[0].outcome in (events.SUCCEEDED, events.FAILED)  # or it had just finished
    _assert_nothing_started_after_cancel(qtbot, window)
    with qtbot.waitSignal(window.probes_finished, timeout=RUN_TIMEOUT):
        window.reprobe()
    _assert_current_only(window)
    on_other = _run(qtbot, window, window.run_chain)
    assert on_other.host_label == "other machine"
    _assert_badges_agree(window, on_other)
    _assert_current_only(window)
    assert box.scenario.name not in window.banner.headline.text()
    # back on the scenario: cancel early (before anything is built) and late (mid-chain)
    window.set_host(sandbox_host(box), sandbox=None, scenario=box.scenario)
    with qtbot.waitSignal(window.run_finished, timeout=RUN_TIMEOUT) as early:
        window.run_chain()
        window.cancel()
    assert early.args[0].cancelled and early.args[0].lanes == []
    assert window.banner.headline.text().startswith("Cancelled")
    _assert_nothing_started_after_cancel(qtbot, window)
    for start in (window.run_chain, window.try_every):
        with qtbot.waitSignal(window.run_finished, timeout=RUN_TIMEOUT) as late:
            start()
            qtbot.waitUntil(
                lambda: bool(window.runner.current.lanes) or window.runner.current.finished, timeout=RUN_TIMEOUT
            )
            window.cancel()
        _assert_nothing_started_after_cancel(qtbot, window)
        if late.args[0].cancelled:
            assert late.args[0].summary.split(" — ")[1].startswith("Cancelled")
        _assert_current_only(window)
