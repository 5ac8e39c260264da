"""Putting a report together from what a front end holds: the host, the spec, its probes and last run.

The command line and the window both end here, so their reports have the same shape. Slow (asks the
developer tools for their versions): the window calls it on the worker pool.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.report.document import RUN, attempt_evidence, build_document, run_section
from app.report.machine import TOOL_TIMEOUT, collect_machine, known_secrets
from engine.events import SUCCEEDED
from engine.host import Host
from engine.run import ChainRun, account_json
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


def run_json(spec: ChainSpec, run: ChainRun) -> dict:
    """The object `chainsight run --json` prints for ``run`` (chain summary, then the run)."""
    summary = {"chain": spec.type, "profile": spec.azure_identity, "members": list(run.members)}
    return {**summary, "options": dict(spec.options), **run.to_json(), "chain": spec.type}


def run_part(spec: ChainSpec, run: ChainRun, printed: Mapping | None = None) -> dict:
    """The run section: ``printed`` (what `chainsight run --json` printed for ``run``, "diagnosis" and
    "evidence" included when it has them) or the same built from ``run``."""
    section = printed if printed is not None else run_json(spec, run)
    return run_section(section, outcome=run.outcome, duration=run.duration, kind=RUN, offset=run.started)


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


def report_document(
    host: Host,
    *,
    chain: Mapping,
    run: Mapping | None,
    evidence: Mapping[str, Sequence[dict]],
    redact_identities: bool = False,
    tool_timeout: float = TOOL_TIMEOUT,
    machine: Mapping | None = None,
    diagnosis: Mapping | None = None,
) -> dict:
    """The finished, scrubbed document; ``machine`` when already collected, else collected here.
    ``diagnosis`` (app/diagnosis's ``Diagnosis.to_json()``) wins over the run's own "diagnosis"; with
    neither, the report says there is no diagnosis yet."""
    return build_document(
        machine=machine if machine is not None else collect_machine(host, timeout=tool_timeout),
        chain=chain,
        run=run,
        evidence=evidence,
        diagnosis=diagnosis,
        version=chainsight_version(),
        known_secrets=known_secrets(host),
        redact_identities=redact_identities,
        home=str(host.home_dir),
    )


@dataclass(frozen=True)
class WindowState:
    """What the window shows, copied on the GUI thread so the report can be built on a worker."""

    host: Host
    spec: ChainSpec
    members: tuple[str, ...]  # the enabled members, in chain order
    statuses: Mapping[str, Any] = field(default_factory=dict)  # name -> MemberStatus (badge, reason, identity, source)
    kind: str | None = None  # the last finished record's kind: "run" or "try every"; None when nothing ran
    runs: tuple[ChainRun, ...] = ()
    error: str | None = None  # the last record could not run at all
    run_machine: str | None = None  # the machine label the last record ran on
    # The window's own Diagnosis (``.to_json()``), what its verdict banner shows; None before it has one.
    diagnosis: Mapping | None = None


def window_evidence(state: WindowState, run: Mapping | None) -> dict[str, list]:
    """Per member: the badge the window shows (unless it is the run's own outcome), then the run's attempt."""
    attempted = {a.get("credential") for a in (run or {}).get("attempts", [])}
    source = (run or {}).get("kind", RUN)
    evidence: dict[str, list] = {}
    for name, status in state.statuses.items():
        origin = (getattr(status, "source", "") or "probe").split(" #")[0]  # "run #3" -> "run"
        if origin in (RUN, TRY_EVERY) and name in attempted:
            continue  # the attempt below says the same, with its timing
        entry = {
            "source": origin,
            "status": getattr(status, "badge", "unknown"),
            "reason": getattr(status, "reason", ""),
            "account": account_json(getattr(status, "identity", None)),
            "duration": None,
        }
        guessed = getattr(status, "guessed", None)  # set where the window knows a guess from an observation
        if isinstance(guessed, bool):
            entry["account_observed"] = not guessed
        evidence.setdefault(name, []).append(entry)
    for attempt in (run or {}).get("attempts", []):
        evidence.setdefault(attempt.get("credential", ""), []).append(attempt_evidence(attempt, source))
    return evidence


def window_document(state: WindowState, *, redact_identities: bool = False, tool_timeout: float = TOOL_TIMEOUT) -> dict:
    """The report of what the window shows (runs on a worker: it asks the tools for their versions)."""
    run = None
    if state.kind == TRY_EVERY and state.runs:
        run = try_every_part(state.spec, state.runs)
    elif state.runs:
        run = run_part(state.spec, state.runs[0])
    if run is not None and state.run_machine:
        run["machine"] = state.run_machine
    return report_document(
        state.host,
        chain=chain_part(state.spec, state.members, state.error),
        run=run,
        evidence=window_evidence(state, run),
        redact_identities=redact_identities,
        tool_timeout=tool_timeout,
        diagnosis=state.diagnosis,
    )
