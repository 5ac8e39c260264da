"""What is known about each member, where it was seen, and how: the only input warnings and fixes read.

Every piece of evidence carries its provenance: the source (a probe, a run, "try every credential" or a
browser sign-in), the context (the machine label and the what-if overlay) and when. A run's outcome
supersedes a probe's in both directions; evidence from another context is never current; an account
that was only guessed (a managed identity's client id from AZURE_CLIENT_ID, an account read from a
file of a credential that is not one of the developer tools) is kept, labelled, and never counted as
an observed account.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from engine.account import Account
from engine.events import FAILED, SUCCEEDED, UNAVAILABLE
from engine.probe import AVAILABLE, UNKNOWN, Probe
from engine.run import ChainRun, account_json

PROBE = "probe"
RUN = "run"
TRY_EVERY = "try every"
SIGN_IN = "sign-in"

# The developer tools whose own sign-in files name the account they will use: reading them observes
# that account. Every other probe's account is configuration, not observation.
TOOL_CREDENTIALS = frozenset({"AzureCliCredential", "AzureDeveloperCliCredential", "AzurePowerShellCredential"})
GUESS_NOTE = "guessed from configuration, not observed"
OBSERVED_FROM_FILES = "read from the tool's own sign-in files"
OBSERVED_FROM_TOKEN = "from the token it issued"


@dataclass(frozen=True)
class Context:
    """Where evidence was seen: a machine ("this machine", "sandbox: laptop-az") and the what-if overlay."""

    machine: str = "this machine"
    overlay: tuple[tuple[str, str | None], ...] = ()

    @classmethod
    def of(cls, host) -> Context:
        """The context of a Host (its label and overlay)."""
        return cls(host.label, tuple(sorted(dict(host.overlay).items())))

    def describe(self) -> str:
        if not self.overlay:
            return self.machine
        parts = [f"{n} unset" if v is None else f"{n} set" for n, v in self.overlay]
        return f"{self.machine}, what-if: {', '.join(parts)}"


@dataclass(frozen=True)
class Evidence:
    """One observation of one member."""

    credential: str
    status: str  # AVAILABLE | UNAVAILABLE | UNKNOWN (probe); SUCCEEDED | UNAVAILABLE | FAILED (a run)
    reason: str
    source: str
    context: Context
    account: Account | None = None
    account_observed: bool = False  # from a token, or a developer tool's own sign-in files
    at: float = field(default_factory=time.time)
    run_number: int | None = None  # the history number of the run that produced it, when known

    @property
    def from_run(self) -> bool:
        return self.source != PROBE

    @property
    def observed_account(self) -> Account | None:
        return self.account if self.account_observed else None

    @property
    def guessed_account(self) -> Account | None:
        return self.account if self.account is not None and not self.account_observed else None

    @property
    def usable(self) -> bool | None:
        """True when it signed in (or a probe says available), False when not, None when unknown."""
        if self.status in (SUCCEEDED, AVAILABLE):
            return True
        if self.status in (UNAVAILABLE, FAILED):
            return False
        return None

    def account_note(self) -> str:
        if self.account is None:
            return ""
        if not self.account_observed:
            return GUESS_NOTE
        return OBSERVED_FROM_TOKEN if self.from_run else OBSERVED_FROM_FILES

    def to_json(self) -> dict:
        return {
            "credential": self.credential,
            "status": self.status,
            "reason": self.reason,
            "source": self.source,
            "machine": self.context.machine,
            "overlay": {name: value for name, value in self.context.overlay},
            "at": round(self.at, 3),
            "account": account_json(self.account),
            "account_observed": self.account_observed,
        }


def from_probe(probe: Probe, context: Context, at: float | None = None) -> Evidence:
    """A probe's answer; its account counts as observed only for az, azd and pwsh (their own files)."""
    status = probe.status if probe.status in (AVAILABLE, UNAVAILABLE) else UNKNOWN
    observed = probe.identity is not None and probe.credential in TOOL_CREDENTIALS and status == AVAILABLE
    return Evidence(probe.credential, status, probe.reason, PROBE, context, probe.identity, observed, at or time.time())


def from_runs(
    runs: Iterable[ChainRun], source: str, context: Context, *, at: float | None = None, number: int | None = None
) -> list[Evidence]:
    """Each finished attempt of ``runs``; a cancelled or unfinished attempt tells nothing."""
    stamp = at or time.time()
    found = []
    for run in runs:
        for attempt in run.attempts:
            if not attempt.finished:
                continue
            observed = attempt.account is not None
            reason = attempt.message or ("signed in" if attempt.outcome == SUCCEEDED else attempt.outcome)
            found.append(
                Evidence(
                    attempt.credential,
                    attempt.outcome,
                    reason,
                    source,
                    context,
                    attempt.account,
                    observed,
                    stamp,
                    number,
                )
            )
    return found


class EvidenceBoard:
    """The latest evidence per (context, member). Probes never overwrite what a run showed in the same
    context; a later run overwrites both. ``current(context)`` is all a diagnosis may look at."""

    def __init__(self) -> None:
        self._items: dict[tuple[Context, str], Evidence] = {}

    def add(self, evidence: Evidence) -> Evidence:
        """Record ``evidence`` unless a run already showed more about that member in that context."""
        key = (evidence.context, evidence.credential)
        old = self._items.get(key)
        if old is not None and old.from_run and not evidence.from_run:
            return old
        self._items[key] = evidence
        return evidence

    def add_all(self, items: Iterable[Evidence]) -> None:
        for item in items:
            self.add(item)

    def current(self, context: Context) -> dict[str, Evidence]:
        """Evidence seen in ``context`` only, by member name."""
        return {name: e for (ctx, name), e in self._items.items() if ctx == context}

    def forget(self, context: Context | None = None) -> None:
        """Drop the evidence of ``context`` (all of it when None), e.g. when the user asks to check again."""
        if context is None:
            self._items.clear()
            return
        for key in [k for k in self._items if k[0] == context]:
            del self._items[key]

    def earlier(self, context: Context) -> dict[str, Evidence]:
        """The newest evidence per member from any *other* context (shown greyed, never as current)."""
        newest: dict[str, Evidence] = {}
        for (ctx, name), e in self._items.items():
            if ctx != context and (name not in newest or e.at > newest[name].at):
                newest[name] = e
        return newest


def observed_accounts(evidence: Mapping[str, Evidence]) -> dict[str, Account]:
    """Members whose account was observed (a token, or az/azd/pwsh's own files), by name."""
    return {
        name: e.account
        for name, e in evidence.items()
        if e.account is not None and e.account_observed and e.usable is not False
    }
