"""The chain loop against azure-identity's, with the same test doubles on both sides.

For each script the real ChainedTokenCredential / DefaultAzureCredential and the engine's are called
the same number of times; they must return the same token or raise the same error type with the same
message byte for byte, call the same members, set the same context flags, and log the same lines at
the same levels on the same loggers.
"""

from __future__ import annotations

import contextvars
import os

import pytest

from engine import events
from engine.chain import ChainedTokenCredential as EngineChain
from engine.default import DefaultAzureCredential as EngineDAC
from engine.host import Host
from engine.run import run_chain
from tests.doubles.chain import Double, engine_side, rename
from tests.oracle.chain_loop_cases import CALLS, KINDS, SCOPE, SCRIPTS, result_of, run_real
from tests.system import require_oracle

require_oracle()


def _build(kind, members, profile=None):
    doubles = [rename(Double(engine_side(), list(script)), name) for name, script in members]
    if kind == "chain":
        return EngineChain(*doubles), doubles
    chain = EngineDAC(host=Host(env=dict(os.environ)), profile=profile)
    chain.credentials = tuple(doubles)
    return chain, doubles


def run_ours(kind: str, members, profile=None, calls: int = CALLS) -> dict:
    """The engine's side of ``run_real``, in the same JSON shape, as ``profile``'s release."""
    return contextvars.Context().run(_run_ours, kind, members, profile, calls)


def _run_ours(kind: str, members, profile, calls: int) -> dict:
    built = [_build(chain_kind, members, profile) for chain_kind in kind.split("-then-")]
    results, logs = [], []
    for chain, _ in built:
        for _ in range(calls):
            recorder = events.Recorder()
            with events.recording(recorder):
                results.append(result_of(lambda c=chain: c.get_token(SCOPE)))
            logs += [[e.logger, e.level, e.message] for e in recorder.events if isinstance(e, events.LogEmitted)]
    doubles = [d for _, these in built for d in these]
    return {
        "results": results,
        "calls": [d.calls for d in doubles],
        "flags": [[list(f) for f in d.seen_flags] for d in doubles],
        "logs": logs,
    }


def assert_same_loop(ours: dict, real: dict) -> None:
    assert ours["results"] == real["results"], "token or error text differs"
    assert ours["calls"] == real["calls"], "members called a different number of times"
    assert ours["flags"] == real["flags"], "within_dac / within_credential_chain differ inside members"
    assert ours["logs"] == real["logs"], "log lines differ"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("script", list(SCRIPTS))
def test_chain_loop_matches_azure_identity(script, kind):
    real = run_real(kind, SCRIPTS[script])
    assert_same_loop(run_ours(kind, SCRIPTS[script]), real)


def _attempts(kind, members):
    chain, _ = _build(kind, members)
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
    chain, _ = _build("dac", SCRIPTS["unavailable-then-token-then-failure-later"])
    assert run_chain(chain).outcome == "succeeded"
    second = run_chain(chain)
    assert second.error == "ERROR: something broke\n"
    assert [(a.credential, a.outcome) for a in second.attempts] == [("SecondCredential", "failed")]
