"""Run the real azure-identity credential and the engine's against the same fake tool; collect both sides.

Each side's outcome is a token (text, expires_on) or an error (class name, text); its log lines are
(logger, level, message) triples: azure-identity's from its loggers at DEBUG, ours from the recorder.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine import events
from engine.host import Host
from engine.secrets import reveal
from tests.doubles.fake_tools import Call, FakeTool


@dataclass
class Side:
    outcome: tuple
    logs: list[tuple[str, int, str]]
    calls: list[Call] = field(default_factory=list)
    steps: list[events.StepFinished] = field(default_factory=list)
    started: list[events.StepStarted] = field(default_factory=list)


def outcome_of(call: Callable[[], Any]) -> tuple:
    try:
        token = call()
    except Exception as ex:
        return ("error", type(ex).__name__, str(ex))
    return ("token", reveal(token.token), token.expires_on)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def run_real(call: Callable[[], Any], tool: FakeTool | None = None) -> Side:
    """``call`` (which uses azure.identity) with its loggers captured at DEBUG."""
    capture = _Capture()
    logger = logging.getLogger("azure.identity")
    previous = logger.level
    logger.addHandler(capture)
    logger.setLevel(logging.DEBUG)
    try:
        result = outcome_of(call)
    finally:
        logger.removeHandler(capture)
        logger.setLevel(previous)
    calls = tool.calls() if tool else []
    if tool:
        tool.reset_calls()
    return Side(result, capture.records, calls)


def run_ours(call: Callable[[], Any], tool: FakeTool | None = None) -> Side:
    """``call`` (which uses the engine) with a recorder bound, so its log lines and steps are kept."""
    recorder = events.Recorder()
    with events.recording(recorder):
        result = outcome_of(call)
    logs = [(e.logger, e.level, e.message) for e in recorder.events if isinstance(e, events.LogEmitted)]
    steps = [e for e in recorder.events if isinstance(e, events.StepFinished)]
    started = [e for e in recorder.events if isinstance(e, events.StepStarted)]
    calls = tool.calls() if tool else []
    if tool:
        tool.reset_calls()
    return Side(result, logs, calls, steps, started)


def host_now() -> Host:
    """The engine's view of the environment azure-identity sees right now (os.environ as patched)."""
    return Host(env=dict(os.environ))


def secret_free(side: Side, *secrets: str) -> bool:
    """True when no secret appears in the side's error text, log lines or step details."""
    texts = [repr(side.outcome[1:]) if side.outcome[0] == "error" else ""]
    texts += [message for _, _, message in side.logs]
    texts += [repr(step.detail) + repr(step.error) for step in side.steps]
    texts += [repr(step.detail) + step.label for step in side.started]
    return not any(secret in text for secret in secrets for text in texts)


@dataclass(frozen=True)
class Kind:
    """One developer-tool credential on both sides: its executable, class name and engine class."""

    executable: str
    class_name: str
    engine_class: type

    def real(self, **ctor: Any) -> Any:
        import azure.identity

        return getattr(azure.identity, self.class_name)(**ctor)

    def ours(self, **ctor: Any) -> Any:
        return self.engine_class(host=host_now(), **ctor)


def both(kind: Kind, tool: FakeTool | None, *scopes: str, ctor: dict | None = None, **kwargs: Any) -> tuple[Side, Side]:
    """The credential standalone: azure-identity's, then ours, against the same tool replies."""
    ctor = ctor or {}
    real = run_real(lambda: kind.real(**ctor).get_token(*scopes, **kwargs), tool)
    ours = run_ours(lambda: kind.ours(**ctor).get_token(*scopes, **kwargs), tool)
    return real, ours


def dac_both(kind: Kind, tool: FakeTool | None, *scopes: str, **kwargs: Any) -> tuple[Side, Side]:
    """The credential as DefaultAzureCredential's only member (AZURE_TOKEN_CREDENTIALS must name it)."""
    import azure.identity

    from engine.default import DefaultAzureCredential

    assert os.environ.get("AZURE_TOKEN_CREDENTIALS") == kind.class_name
    real = run_real(lambda: azure.identity.DefaultAzureCredential().get_token(*scopes, **kwargs), tool)
    ours = run_ours(lambda: DefaultAzureCredential(host=host_now()).get_token(*scopes, **kwargs), tool)
    return real, ours


def assert_same(real: Side, ours: Side, *, compare_logs: bool = True) -> None:
    """Same outcome, log lines, and processes (argv, working directory, environment)."""
    assert ours.outcome == real.outcome
    if compare_logs:
        assert ours.logs == real.logs, (ours.logs, real.logs)
    assert [c.argv for c in ours.calls] == [c.argv for c in real.calls]
    assert [c.cwd for c in ours.calls] == [c.cwd for c in real.calls]
    assert [c.env for c in ours.calls] == [_python_visible(c.env) for c in real.calls]


def assert_same_but_masked(real: Side, ours: Side, *, leaks: bool, field: str, canary: str) -> None:
    """Same verdict, except where azure-identity's own message prints the token (``leaks``): there ours
    says the same with ``"field":"<token>"`` masked."""
    if leaks:
        assert canary in real.outcome[2] and canary not in ours.outcome[2]
        assert ours.outcome[2] == real.outcome[2].replace(f'"{field}":"{canary}"', "****")
    else:
        assert_same(real, ours)


def _python_visible(env: dict[str, str]) -> dict[str, str]:
    """A child's environment without what only the C-level environ had (readline sets LINES/COLUMNS there).

    azure-identity's PowerShell child inherits the C environ; the engine passes the Host's copy of
    ``os.environ``, which is what an app's Python code sees.
    """
    return {k: v for k, v in env.items() if k in os.environ or k not in ("LINES", "COLUMNS")}
