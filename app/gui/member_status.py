"""What the app knows about one member right now: its probe, or what its last run showed (Qt-free)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.account import Account

PROBING = "probing"
AVAILABLE = "available"
UNAVAILABLE = "unavailable"
UNKNOWN = "unknown"
EXCLUDED = "excluded"
BROKEN = "error"  # the chain could not be built because of this member

BADGES = (PROBING, AVAILABLE, UNAVAILABLE, UNKNOWN, EXCLUDED, BROKEN)


@dataclass(frozen=True)
class MemberStatus:
    badge: str = UNKNOWN
    reason: str = ""
    identity: Account | None = None
    source: str = ""  # "probe", "run" or "try every": where the identity came from

    @property
    def identity_text(self) -> str:
        """ "dev@contoso.com · tenant 4a3e…" or "" when nobody is known."""
        if self.identity is None:
            return ""
        tenant = self.identity.tenant_id
        return self.identity.display + (f" · tenant {tenant}" if tenant else "")
