"""D12: on a terminal, a long wait is named live (member, step, seconds) and says Ctrl-C cancels it."""

from __future__ import annotations

import io

from app.cli import live_waits
from app.cli.live_waits import LiveWaits
from engine import events


def test_a_long_step_is_mentioned_after_five_seconds_then_every_ten():
    now = [0.0]
    live = LiveWaits(io.StringIO(), force=True, clock=lambda: now[0])
    live(events.AttemptStarted(0, "ManagedIdentityCredential", "ManagedIdentityCredential", 0.0))
    live(events.StepStarted(0, 1, "http", "GET http://127.0.0.1:9/metadata/identity/oauth2/token", 0.0))
    now[0] = 4.0
    assert live.lines_due() == []
    now[0] = 5.5
    (line,) = live.lines_due()
    assert "ManagedIdentityCredential is waiting on GET http://127.0.0.1:9" in line and "6 s so far" in line
    assert "Ctrl-C" in line
    now[0] = 10.0
    assert live.lines_due() == []
    now[0] = 15.6
    assert len(live.lines_due()) == 1
    live(events.StepFinished(0, 1, 16.0))
    now[0] = 40.0
    assert live.lines_due() == []
    live(events.RunFinished("failed", None, "x", 40.0))


def test_nothing_is_printed_when_stderr_is_not_a_terminal():
    stream = io.StringIO()
    live = LiveWaits(stream)
    live(events.StepStarted(None, 1, "process", "az", 0.0))
    assert not live.enabled and live.lines_due() == [] and live_waits.FIRST_NOTICE == 5.0
