"""Chainsight's chain engine: azure-identity's credential chains, re-implemented to be inspected.

Pure Python on msal, requests and keyring; never imports Qt. Everything it does to the machine goes
through a ``Host``, and everything it does is recorded as events.

The public names are imported lazily: importing ``engine.spec`` or ``engine.events`` must not pay for
msal and every credential (the desktop app's cold start depends on it).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "AccessToken": "engine.token",
    "Account": "engine.account",
    "AuthenticationRequiredError": "engine.errors",
    "ChainedTokenCredential": "engine.chain",
    "ClientAuthenticationError": "engine.errors",
    "CredentialUnavailableError": "engine.errors",
    "DefaultAzureCredential": "engine.default",
    "Host": "engine.host",
    "Secret": "engine.secrets",
}

__all__ = [
    "AccessToken",
    "Account",
    "AuthenticationRequiredError",
    "ChainedTokenCredential",
    "ClientAuthenticationError",
    "CredentialUnavailableError",
    "DefaultAzureCredential",
    "Host",
    "Secret",
]

if TYPE_CHECKING:
    from engine.account import Account
    from engine.chain import ChainedTokenCredential
    from engine.default import DefaultAzureCredential
    from engine.errors import AuthenticationRequiredError, ClientAuthenticationError, CredentialUnavailableError
    from engine.host import Host
    from engine.secrets import Secret
    from engine.token import AccessToken


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
