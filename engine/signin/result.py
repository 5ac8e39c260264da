"""What one sign-in gives the panel and `sign-in --json`: no token, no code, no state in clear."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.signin.aadsts import Explanation


class SignInUsageError(ValueError):
    """Options that cannot be used (exit status 2 on the command line)."""


@dataclass
class SignInResult:
    """Everything the panel and `sign-in --json` show; no token, no code, no state in clear."""

    authorize_request: dict[str, str] = field(default_factory=dict)
    authorize_url: str = ""  # masked, for Copy URL
    redirect: dict[str, str] = field(default_factory=dict)
    account: dict[str, str] | None = None
    id_token_claims: dict[str, Any] = field(default_factory=dict)
    access_token_claims: dict[str, Any] = field(default_factory=dict)
    authentication_record: dict[str, str] | None = None
    error: Explanation | None = None
    notes: list[str] = field(default_factory=list)
    device_code: dict[str, str] = field(default_factory=dict)  # the code a person enters, and where

    @property
    def signed_in(self) -> bool:
        return self.error is None and self.account is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "authorize_request": self.authorize_request,
            "redirect": self.redirect,
            "account": self.account,
            "id_token_claims": self.id_token_claims,
            "access_token_claims": self.access_token_claims,
            "authentication_record": self.authentication_record,
            "error": self.error.to_json() if self.error else None,
            **({"device_code": self.device_code} if self.device_code else {}),
        }
