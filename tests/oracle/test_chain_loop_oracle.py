"""The chain loop against azure-identity's, with the same test doubles on both sides.

For each script the real ChainedTokenCredential / DefaultAzureCredential and the engine's are called
the same number of times; they must return the same token or raise the same error type with the same
message byte for byte, call the same members, set the same context flags, and log the same lines at
the same levels on the same loggers.
"""

from __future__ import annotations

import logging
import os

import pytest

from engine import events
from engine.chain import ChainedTokenCredential as EngineChain
from engine.default import DefaultAzureCredential as EngineDAC
from engine.host import Host
from engine.run import run_chain
from tests.doubles.chain import USER_TOKEN, Double, engine_side, real_side, rename
from tests.system import require_oracle

azure_identity = require_oracle()

SCRIPTS = {
    "continue-on-unavailable": [
        ("FirstCredential", [("unavailable", "first is not configured")]),
        ("SecondCredential", [("unavailable", "")]),
        ("ThirdCredential", [("token", USER_TOKEN)]),
    ],
    "stop-on-failure": [
        ("FirstCredential", [("unavailable", "nothing here")]),
        ("SecondCredential", [("failed", "Authentication failed: AADSTS7000215: Invalid client secret.")]),
        ("ThirdCredential", [("token", USER_TOKEN)]),
    ],
    "stop-on-unexpected-value-error": [
        ("FirstCredential", [("value_error", "An invalid scope was provided.")]),
        ("SecondCredential", [("token", USER_TOKEN)]),
    ],
    "stop-on-file-not-found": [
        ("WorkloadIdentityCredential", [("file_not_found", "/var/run/secrets/token")]),
        ("SecondCredential", [("token", USER_TOKEN)]),
    ],
    "all-unavailable-with-multiline-messages": [
        ("EnvironmentCredential", [("unavailable", "line one\nline two")]),
        ("AzureCliCredential", [("unavailable", "Azure CLI not found on path")]),
    ],
    "first-token-wins": [
        ("FirstCredential", [("token", USER_TOKEN)]),
        ("SecondCredential", [("failed", "never called")]),
    ],
    "unavailable-then-token-then-failure-later": [
        ("FirstCredential", [("unavailable", "not yet")]),
        ("SecondCredential", [("token", USER_TOKEN), ("failed", "ERROR: something broke\n")]),
        ("ThirdCredential", [("value_error", "never called")]),
    ],
    "token-then-unavailable-later": [
        ("FirstCredential", [("token", USER_TOKEN), ("unavailable", "Please run 'az login' to set up an account")]),
        ("SecondCredential", [("token", USER_TOKEN)]),
    ],
}


def _build(side_name: str, kind: str, members):
    side = real_side() if side_name == "real" else engine_side()
    doubles = [rename(Double(side, list(script)), name) for name, script in members]
    if kind == "chain":
        chain = azure_identity.ChainedTokenCredential(*doubles) if side_name == "real" else EngineChain(*doubles)
    elif side_name == "real":
        chain = azure_identity.DefaultAzureCredential()
        chain.credentials = tuple(doubles)
    else:
        chain = EngineDAC(host=Host(env=dict(os.environ)))
        chain.credentials = tuple(doubles)
    return chain, doubles


def _result(call):
    try:
        token = call()
    except Exception as ex:
        return ("error", type(ex).__name__, str(ex))
    value = token.token.reveal() if hasattr(token.token, "reveal") else token.token
    return ("token", value)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def _run_real(kind, members, calls):
    chain, doubles = _build("real", kind, members)
    capture = _Capture()
    logger = logging.getLogger("azure.identity")
    previous = logger.level
    logger.addHandler(capture)
    logger.setLevel(logging.DEBUG)
    try:
        results = [_result(lambda: chain.get_token("https://management.azure.com/.default")) for _ in range(calls)]
    finally:
        logger.removeHandler(capture)
        logger.setLevel(previous)
    return results, [d.calls for d in doubles], [d.seen_flags for d in doubles], capture.records


def _run_ours(kind, members, calls):
    chain, doubles = _build("ours", kind, members)
    results, logs, runs = [], [], []
    for _ in range(calls):
        recorder = events.Recorder()
        with events.recording(recorder):
            results.append(_result(lambda: chain.get_token("https://management.azure.com/.default")))
        logs += [(e.logger, e.level, e.message) for e in recorder.events if isinstance(e, events.LogEmitted)]
        runs.append(recorder.events)
    return results, [d.calls for d in doubles], [d.seen_flags for d in doubles], logs


@pytest.mark.parametrize("kind", ["chain", "dac"])
@pytest.mark.parametrize("script", list(SCRIPTS))
def test_chain_loop_matches_azure_identity(script, kind):
    members = SCRIPTS[script]
    real = _run_real(kind, members, calls=3)
    ours = _run_ours(kind, members, calls=3)
    results, calls, flags, logs = range(4)
    assert ours[results] == real[results], "token or error text differs"
    assert ours[calls] == real[calls], "members called a different number of times"
    assert ours[flags] == real[flags], "within_dac / within_credential_chain differ inside members"
    assert ours[logs] == real[logs], "log lines differ"


def _attempts(kind, members):
    chain, _ = _build("ours", kind, members)
    return [run_chain(chain) for _ in range(2)]


def test_run_records_each_attempt_with_its_outcome_and_stops_after_failure():
    first, _second = _attempts("chain", SCRIPTS["stop-on-failure"])
    assert [(a.credential, a.outcome) for a in first.attempts] == [
        ("FirstCredential", "unavailable"),
        ("SecondCredential", "failed"),
    ]
    assert first.outcome == "failed" and first.selected is None
    assert first.error.startswith("ChainedTokenCredential failed to retrieve a token")


def test_dac_locks_in_but_plain_chain_walks_every_time():
    dac_runs = _attempts("dac", SCRIPTS["continue-on-unavailable"])
    chain_runs = _attempts("chain", SCRIPTS["continue-on-unavailable"])
    assert [a.credential for a in dac_runs[1].attempts] == ["ThirdCredential"]
    assert dac_runs[1].attempts[0].locked_in
    assert [a.credential for a in chain_runs[1].attempts] == ["FirstCredential", "SecondCredential", "ThirdCredential"]
    for run in dac_runs + chain_runs:
        assert run.selected == "ThirdCredential"
        assert run.account.upn == "dev@contoso.com" and run.account.tenant_id == "tenant-1"


def test_locked_in_failure_is_not_aggregated():
    chain, _ = _build("ours", "dac", SCRIPTS["unavailable-then-token-then-failure-later"])
    assert run_chain(chain).outcome == "succeeded"
    second = run_chain(chain)
    assert second.error == "ERROR: something broke\n"
    assert [(a.credential, a.outcome) for a in second.attempts] == [("SecondCredential", "failed")]
