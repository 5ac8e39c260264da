"""Scan: every member's static probe, in parallel, so the wall time is the slowest probe, not the sum."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from engine.chain import credential_name
from engine.probe import UNAVAILABLE, UNKNOWN, Probe

PROBE_FAILED = "the probe itself failed: {}"
NO_PROBE = "no static check exists for this credential; run the chain to find out"


def members_of(credential: Any) -> list[Any]:
    return list(getattr(credential, "credentials", None) or [credential])


def probe_one(member: Any) -> Probe:
    """One member's probe; never raises: a probe that breaks is reported as unknown, with why."""
    name = credential_name(member)
    started = time.monotonic()
    probe = getattr(member, "probe", None)
    try:
        result = probe() if probe is not None else _without_probe(name, member)
    except NotImplementedError:
        result = Probe(name, UNKNOWN, NO_PROBE)
    except Exception as ex:
        result = Probe(name, UNKNOWN, PROBE_FAILED.format(f"{type(ex).__name__}: {ex}"))
    duration = time.monotonic() - started
    return Probe(name, result.status, result.reason, result.identity, duration)


def _without_probe(name: str, member: Any) -> Probe:
    error = getattr(member, "_error", None)  # FailedDACCredential: it could not be built, and says why
    return Probe(name, UNAVAILABLE, error) if error else Probe(name, UNKNOWN, NO_PROBE)


def scan(credential: Any, *, max_workers: int | None = None) -> list[Probe]:
    """Probe every member of ``credential`` at once; results in chain order."""
    members = members_of(credential)
    if not members:
        return []
    with ThreadPoolExecutor(max_workers=max_workers or len(members), thread_name_prefix="probe") as pool:
        return list(pool.map(probe_one, members))
