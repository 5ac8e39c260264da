"""Diagnosing runs of test-double chains: evidence is gathered exactly as the front ends gather it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.diagnosis import RUN, TRY_EVERY, Context, Diagnosis, EvidenceBoard, diagnose, from_probe, from_runs
from engine.host import Host
from engine.run import ChainRun, run_chain
from engine.scan import scan
from engine.spec import ChainSpec


def gather(
    builder: Callable[[ChainSpec, Host], Any],
    env: dict,
    *,
    spec: ChainSpec | None = None,
    probe: bool = True,
    run: bool = True,
    try_every: bool = False,
    host: Host | None = None,
) -> tuple[Diagnosis, EvidenceBoard, ChainRun | None]:
    """Probe, run and/or try every member of ``builder``'s chain on ``env``, then diagnose."""
    spec = spec or ChainSpec()
    host = host or Host(env=env, label="test host")
    context = Context.of(host)
    board = EvidenceBoard()
    chain = builder(spec, host)
    members = [getattr(c, "_credential_name", type(c).__name__) for c in chain.credentials]
    if probe:
        board.add_all(from_probe(p, context) for p in scan(chain))
    every = None
    if try_every:
        every = [run_chain(member) for member in builder(spec, host).credentials]
        board.add_all(from_runs(every, TRY_EVERY, context))
    result = None
    if run:
        result = run_chain(builder(spec, host))
        result.chain = "DefaultAzureCredential" if spec.is_default else result.chain
        board.add_all(from_runs([result], RUN, context))
    found = diagnose(spec, host, board.current(context), members=members, run=result, try_every=every, builder=builder)
    return found, board, result
