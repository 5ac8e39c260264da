"""What the app knows about one member right now, derived from the latest evidence about it (Qt-free)."""

from __future__ import annotations

from dataclasses import dataclass

from app.diagnosis.evidence import Evidence
from engine.account import Account
from engine.events import FAILED, SUCCEEDED

PROBING = "probing"
AVAILABLE = "available"
UNAVAILABLE = "unavailable"
UNKNOWN = "unknown"
EXCLUDED = "excluded"
BROKEN = "error"  # the chain could not be built because of this member

BADGES = (PROBING, AVAILABLE, UNAVAILABLE, UNKNOWN, EXCLUDED, BROKEN)
GUESS = " (guess)"
SIGNED_IN = "signed in"
STOPPED_THE_CHAIN = "failed: {reason}"


@dataclass(frozen=True)
class MemberStatus:
    badge: str = UNKNOWN
    reason: str = ""
    identity: Account | None = None
    source: str = ""  # where this came from: "probe", "run #3", "try every #4", "sign-in #5"
    guessed: bool = False  # the identity is configuration (e.g. AZURE_CLIENT_ID), not an observed account

    @property
    def identity_text(self) -> str:
        """ "dev@contoso.com · tenant 4a3e…" or "" when nobody is known; a guess says so."""
        if self.identity is None:
            return ""
        tenant = self.identity.tenant_id
        text = self.identity.display + (f" · tenant {tenant}" if tenant else "")
        return text + (GUESS if self.guessed else "")


def status_from_evidence(evidence: Evidence) -> MemberStatus:
    """The badge the latest evidence gives: a run's outcome counts both ways (it can downgrade a probe)."""
    source = evidence.source if evidence.run_number is None else f"{evidence.source} #{evidence.run_number}"
    if evidence.status == SUCCEEDED:
        badge, reason = AVAILABLE, SIGNED_IN
    elif evidence.status == FAILED:
        badge, reason = UNAVAILABLE, STOPPED_THE_CHAIN.format(reason=evidence.reason)
    elif evidence.status in (AVAILABLE, UNAVAILABLE):
        badge, reason = evidence.status, evidence.reason
    else:
        badge, reason = UNKNOWN, evidence.reason
    guessed = evidence.account is not None and not evidence.account_observed
    return MemberStatus(badge, reason, evidence.account, source, guessed)
