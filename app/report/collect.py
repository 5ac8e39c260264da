"""Putting a report together from what a front end holds: the host, the spec, its probes and last run.

The command line and the window both end here, so their reports have the same shape. Slow (asks the
developer tools for their versions): the window calls it on the worker pool.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.report import diagnosis as diag
from app.report.document import RUN, build_document, run_section
from app.report.machine import TOOL_TIMEOUT, collect_machine, known_secrets
from app.verdict import try_every_verdict, verdict
from engine.account import Account
from engine.events import SUCCEEDED
from engine.host import Host
from engine.run import ChainRun
from engine.spec import ChainSpec

TRY_EVERY = "try every"


def chainsight_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("chainsight")
    except PackageNotFoundError:
        return "0+unknown"


def chain_part(spec: ChainSpec, members: Sequence[str], error: str | None = None) -> dict:
    return {
        "type": spec.type,
        "profile": spec.azure_identity,
        "options": dict(spec.options),
        "members": list(members),
        "error": error,
    }


def run_part(spec: ChainSpec, run: ChainRun, run_json: Mapping | None = None) -> dict:
    """The run section: ``run_json`` (what `chainsight run --json` printed) or the same built from ``run``."""
    if run_json is None:
        from app.cli.run import run_json as build_run_json

        summary = {"chain": spec.type, "profile": spec.azure_identity, "members": list(run.members)}
        run_json = build_run_json({**summary, "options": dict(spec.options)}, run)
    return run_section(run_json, outcome=run.outcome, duration=run.duration, kind=RUN, offset=run.started)


def try_every_part(spec: ChainSpec, runs: Sequence[ChainRun]) -> dict:
    """ "Try every credential": one single-member run each, shown as one run of several attempts (each
    attempt's times count from its own start: they ran side by side)."""
    attempts = [_from_start(a.to_json(), run.started) for run in runs for a in run.attempts]
    ended = [r.duration for r in runs if r.duration is not None]
    signed_in = any(r.outcome == SUCCEEDED for r in runs)
    return run_section(
        {
            "chain": spec.type,
            "profile": spec.azure_identity,
            "members": [a["credential"] for a in attempts],
            "options": dict(spec.options),
            "scopes": list(runs[0].scopes) if runs else [],
            "attempts": attempts,
            "selected": None,
            "account": None,
            "error": None,
        },
        outcome=SUCCEEDED if signed_in else (runs[0].outcome if runs else None),
        duration=max(ended, default=None),
        kind=TRY_EVERY,
    )


def _from_start(attempt: dict, offset: float) -> dict:
    return run_section({"attempts": [attempt]}, outcome=None, duration=None, offset=offset)["attempts"][0]


def fallback_diagnosis(
    spec: ChainSpec,
    host: Host,
    runs: Sequence[ChainRun],
    kind: str = RUN,
    identities: Mapping[str, Account] | None = None,
) -> dict | None:
    """Today's verdict (app/verdict.py) in the diagnosis schema, for runs whose JSON carries none."""
    if not runs:
        return None
    if kind == TRY_EVERY:
        return diag.from_verdict(try_every_verdict(list(runs), env=host.env))
    profile = spec.profile if spec.is_default else None
    found = verdict(runs[0], env=host.env, identities=identities, profile=spec.profile)
    return diag.from_verdict(found, profile)


def report_document(
    host: Host,
    *,
    chain: Mapping,
    run: Mapping | None,
    evidence: Mapping[str, Sequence[dict]],
    fallback: Mapping | None,
    redact_identities: bool = False,
    tool_timeout: float = TOOL_TIMEOUT,
    machine: Mapping | None = None,
) -> dict:
    """The finished, scrubbed document; ``machine`` when already collected, else collected here."""
    return build_document(
        machine=machine if machine is not None else collect_machine(host, timeout=tool_timeout),
        chain=chain,
        run=run,
        evidence=evidence,
        fallback_diagnosis=fallback,
        version=chainsight_version(),
        known_secrets=known_secrets(host),
        redact_identities=redact_identities,
    )
