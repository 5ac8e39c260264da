"""AccessToken: the token text is a Secret, so printing or logging a token shows nothing of it."""

from __future__ import annotations

from dataclasses import dataclass

from engine.secrets import Secret


@dataclass(frozen=True)
class AccessToken:
    """A token as azure-identity returns it; ``token`` is redacted unless revealed."""

    token: Secret
    expires_on: int
    refresh_on: int | None = None
    token_type: str = "Bearer"

    def __post_init__(self) -> None:
        if not isinstance(self.token, Secret):
            object.__setattr__(self, "token", Secret(self.token))

    def to_json(self) -> dict:
        return {"token": self.token.to_json(), "expires_on": self.expires_on, "token_type": self.token_type}
