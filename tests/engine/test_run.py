"""Runs: events reach observers live from the worker thread, steps nest in attempts, cancel stops a run."""

from __future__ import annotations

import json
import sys
import threading

from engine import events
from engine.chain import ChainedTokenCredential
from engine.errors import CredentialUnavailableError
from engine.run import ChainRun, run_chain
from engine.token import AccessToken
from tests.doubles.chain import USER_TOKEN


class Unavailable:
    def get_token(self, *scopes, **kwargs):
        raise CredentialUnavailableError("not here")


class Blocking:
    """Succeeds only once the test releases it, so the test can look at the run while it is live."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def get_token(self, *scopes, **kwargs):
        self.entered.set()
        assert self.release.wait(10)
        return AccessToken(USER_TOKEN, 4102444800)


class RunsATool:
    def __init__(self, host) -> None:
        self.host = host

    def get_token(self, *scopes, **kwargs):
        self.host.run([sys.executable, "-c", "import time; time.sleep(30)"], timeout=60)
        raise AssertionError("unreachable")


def test_observers_receive_events_live_from_the_running_thread():
    blocking = Blocking()
    seen: list[tuple[str, str]] = []
    observer_threads: set[str] = set()

    def observer(event):
        seen.append((type(event).__name__, threading.current_thread().name))
        observer_threads.add(threading.current_thread().name)

    result: list[ChainRun] = []
    worker = threading.Thread(
        target=lambda: result.append(run_chain(ChainedTokenCredential(Unavailable(), blocking), observers=[observer])),
        name="worker",
    )
    worker.start()
    assert blocking.entered.wait(10)
    live = [name for name, _ in seen]
    assert live == ["RunStarted", "AttemptStarted", "AttemptFinished", "AttemptStarted"]
    blocking.release.set()
    worker.join(10)
    assert observer_threads == {"worker"}
    run = result[0]
    assert [(a.credential, a.outcome) for a in run.attempts] == [
        ("Unavailable", "unavailable"),
        ("Blocking", "succeeded"),
    ]
    assert run.selected == "Blocking" and run.account.upn == "dev@contoso.com" and run.expires_on == 4102444800


def test_steps_belong_to_their_attempt_and_runs_serialise_without_tokens(host):
    class ReadsAFile:
        def get_token(self, *scopes, **kwargs):
            host.read_text("/etc/hostname" if host.exists("/etc/hostname") else "/etc/passwd")
            return AccessToken(USER_TOKEN, 1)

    run = run_chain(ChainedTokenCredential(Unavailable(), ReadsAFile()))
    assert run.attempts[0].steps == []
    assert [s.kind for s in run.attempts[1].steps] == ["file"]
    assert run.attempts[1].steps[0].duration >= 0
    text = json.dumps(run.to_json())
    assert USER_TOKEN not in text and USER_TOKEN.split(".")[1] not in text


def test_cancel_ends_a_run_stuck_in_a_process(host):
    recorder = events.Recorder()
    result: list[ChainRun] = []
    worker = threading.Thread(target=lambda: result.append(run_chain(RunsATool(host), recorder=recorder)))
    worker.start()
    while not any(isinstance(e, events.StepStarted) for e in list(recorder.events)):
        threading.Event().wait(0.01)
    recorder.cancelled.set()
    worker.join(5)
    assert not worker.is_alive()
    run = result[0]
    assert run.outcome == "cancelled" and run.attempts[0].outcome == "cancelled"
    assert run.attempts[0].steps[0].detail.get("killed") is True


def test_a_failing_standalone_credential_is_one_failed_attempt():
    run = run_chain(Unavailable())
    assert run.outcome == "failed" and run.error == "not here"
    assert [(a.credential, a.outcome, a.message) for a in run.attempts] == [("Unavailable", "unavailable", "not here")]


class SwallowsCancel:
    """A member that ignores the cancel (its own I/O is not the host's) and reports itself unavailable."""

    def __init__(self, recorder) -> None:
        self.recorder = recorder

    def get_token(self, *scopes, **kwargs):
        self.recorder.cancel()
        raise CredentialUnavailableError("gave up")


def test_no_member_starts_after_cancel_and_the_run_says_how_far_it_got():
    recorder = events.Recorder()
    chain = ChainedTokenCredential(Unavailable(), SwallowsCancel(recorder), Unavailable())
    run = run_chain(chain, recorder=recorder)
    starts = [e.t for e in recorder.events if isinstance(e, events.AttemptStarted)]
    assert len(starts) == 2 and all(t <= recorder.cancelled_at for t in starts)
    assert run.outcome == "cancelled"
    assert run.error == "Cancelled after 2 of 3 members; 0 signed in so far; not tried: Unavailable."


def test_a_member_in_flight_is_abandoned_and_the_next_never_starts(host):
    recorder = events.Recorder()
    chain = ChainedTokenCredential(RunsATool(host), Unavailable())
    result: list[ChainRun] = []
    worker = threading.Thread(target=lambda: result.append(run_chain(chain, recorder=recorder)))
    worker.start()
    while not any(isinstance(e, events.StepStarted) for e in list(recorder.events)):
        threading.Event().wait(0.01)
    recorder.cancel()
    worker.join(5)
    run = result[0]
    assert [a.credential for a in run.attempts] == ["RunsATool"] and run.attempts[0].steps[0].detail["killed"]
    assert run.error.startswith("Cancelled after 0 of 2 members; 0 signed in so far; not tried: Unavailable")


def test_a_run_cancelled_before_it_starts_tries_nothing():
    recorder = events.Recorder()
    recorder.cancel()
    run = run_chain(ChainedTokenCredential(Unavailable()), recorder=recorder)
    assert run.attempts == [] and run.outcome == "cancelled"


def test_a_cancelled_walk_leaves_no_chain_context_behind():
    """Later standalone calls log failures at WARNING, as outside a chain (a stuck flag made them DEBUG)."""
    from engine.context import within_credential_chain

    recorder = events.Recorder()
    recorder.cancel()
    run_chain(ChainedTokenCredential(Unavailable()), recorder=recorder)
    assert within_credential_chain.get() is False
