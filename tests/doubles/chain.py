"""Test doubles that behave the same way against azure-identity's chain and the engine's.

A behaviour is data ("token", "unavailable", "failed", "value_error", ...); ``make`` turns it into a
credential for one side, using that side's own error and token types.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field


def make_jwt(claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.sig"


USER_TOKEN = make_jwt(
    {"appid": "app-1", "tid": "tenant-1", "upn": "dev@contoso.com", "oid": "oid-1", "exp": 4102444800}
)


@dataclass
class Side:
    """The error and token types of one implementation."""

    unavailable: type
    failed: type
    access_token: type
    within_dac: object  # the context variable
    within_chain: object


def real_side() -> Side:
    from azure.core.credentials import AccessToken
    from azure.core.exceptions import ClientAuthenticationError
    from azure.identity import CredentialUnavailableError
    from azure.identity._internal import within_credential_chain, within_dac

    return Side(CredentialUnavailableError, ClientAuthenticationError, AccessToken, within_dac, within_credential_chain)


def engine_side() -> Side:
    from engine.context import within_credential_chain, within_dac
    from engine.errors import ClientAuthenticationError, CredentialUnavailableError
    from engine.token import AccessToken

    return Side(CredentialUnavailableError, ClientAuthenticationError, AccessToken, within_dac, within_credential_chain)


@dataclass
class Double:
    """A credential whose get_token follows a script of behaviours, one per call (the last repeats)."""

    side: Side
    script: list[tuple[str, str]]
    calls: int = 0
    seen_flags: list[tuple[bool, bool]] = field(default_factory=list)

    def get_token(self, *scopes, claims=None, tenant_id=None, enable_cae=False, **kwargs):
        self.seen_flags.append((self.side.within_dac.get(), self.side.within_chain.get()))
        kind, text = self.script[min(self.calls, len(self.script) - 1)]
        self.calls += 1
        if kind == "token":
            return self.side.access_token(text, int(time.time()) + 3600)
        if kind == "unavailable":
            raise self.side.unavailable(message=text)
        if kind == "failed":
            raise self.side.failed(message=text)
        if kind == "value_error":
            raise ValueError(text)
        if kind == "file_not_found":
            raise FileNotFoundError(2, "No such file or directory", text)
        raise AssertionError(kind)


def rename(double: Double, class_name: str) -> Double:
    """The same double under another class name: chains show class names in messages and logs."""
    cls = type(class_name, (Double,), {})
    renamed = cls(double.side, double.script)
    return renamed
