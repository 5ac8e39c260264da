"""The result of a static availability check: no token is requested."""

from __future__ import annotations

from dataclasses import dataclass

from engine.account import Account

AVAILABLE = "available"
UNAVAILABLE = "unavailable"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Probe:
    """Whether a credential could work here, why, and as whom when that is knowable without a token."""

    credential: str
    status: str  # AVAILABLE | UNAVAILABLE | UNKNOWN
    reason: str
    identity: Account | None = None
    duration: float = 0.0

    def to_json(self) -> dict:
        return {
            "credential": self.credential,
            "status": self.status,
            "reason": self.reason,
            "identity": self.identity.to_json() if self.identity else None,
            "duration": round(self.duration, 4),
        }
