"""One press of Run (or "Try every credential"): its request, its ChainRuns, and their lanes (Qt-free)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.diagnosis.evidence import Context
from app.diagnosis.verdict import cancel_summary_every
from engine.events import CANCELLED, SUCCEEDED
from engine.run import DEFAULT_SCOPE, Attempt, ChainRun

RUN = "run"
TRY_EVERY = "try every"
SIGN_IN = "sign-in"
CANCELLED_EARLY = "Cancelled before the first member started."


@dataclass(frozen=True)
class Request:
    """What the request bar asks for; passed as-is to get_token."""

    scopes: tuple[str, ...] = (DEFAULT_SCOPE,)
    tenant_id: str | None = None
    claims: str | None = None
    enable_cae: bool = False


@dataclass(frozen=True)
class Lane:
    """One row of the timeline: an attempt, and which ChainRun of the record it belongs to."""

    run: int
    attempt: Attempt


@dataclass
class RunRecord:
    number: int
    kind: str  # RUN | TRY_EVERY
    chain: str  # "DefaultAzureCredential (azure-identity 1.27)" and the like
    request: Request
    host_label: str = ""
    overlay: dict = field(default_factory=dict)
    runs: list[ChainRun] = field(default_factory=list)
    started_at: datetime = field(default_factory=datetime.now)
    started_monotonic: float = field(default_factory=time.monotonic)
    finished: bool = False
    cancelled: bool = False
    error: str | None = None  # the chain could not be built or run at all
    spec: Any = None  # the ChainSpec it ran (a fix is checked against it)

    @property
    def lanes(self) -> list[Lane]:
        return [Lane(i, a) for i, run in enumerate(self.runs) for a in run.attempts]

    @property
    def elapsed(self) -> float:
        """Seconds covered so far: the longest run, or the wall clock while running."""
        ended = [r.ended for r in self.runs if r.ended is not None]
        if self.finished:
            return max(ended, default=0.0)
        return max([time.monotonic() - self.started_monotonic, *ended])

    @property
    def context(self) -> Context:
        """The machine and what-if overlay this record ran on: its evidence belongs there only."""
        return Context(self.host_label, tuple(sorted(self.overlay.items())))

    @property
    def cancel_text(self) -> str:
        """ "Cancelled after N of M members; X signed in so far; not tried: …" ("" when not cancelled)."""
        if not self.cancelled:
            return ""
        if self.kind == TRY_EVERY:
            return cancel_summary_every(self.runs) if self.runs else CANCELLED_EARLY
        run = self.runs[0] if self.runs else None
        return (run.error or "") if run is not None and run.outcome == CANCELLED else CANCELLED_EARLY

    @property
    def summary(self) -> str:
        """ "#3 12:04:31 run on sandbox: laptop-az — AzureCliCredential ✓ · 1 230 ms" for the history list."""
        when = self.started_at.strftime("%H:%M:%S")
        if self.cancelled:
            result = self.cancel_text.rstrip(".")
        elif self.error:
            result = "could not run"
        elif not self.finished:
            result = "running…"
        elif self.kind == TRY_EVERY:
            ok = sum(r.outcome == SUCCEEDED for r in self.runs)
            result = f"{ok} of {len(self.runs)} signed in"
        else:
            run = self.runs[0] if self.runs else None
            result = f"{run.selected} ✓" if run and run.selected else f"{run.outcome if run else 'failed'} ✗"
        what_if = " (what-if)" if self.overlay else ""
        machine = f" on {self.host_label}" if self.host_label else ""
        return f"#{self.number} {when} {self.kind}{machine}{what_if} — {result} · {self.elapsed * 1000:.0f} ms"


def attempt_duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "running"
    return f"{seconds * 1000:,.0f} ms".replace(",", "\u2009") if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"
