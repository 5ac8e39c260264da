"""Chainsight's chain engine: azure-identity's credential chains, re-implemented to be inspected.

Pure Python on msal, requests and keyring; never imports Qt. Everything it does to the machine goes
through a ``Host``, and everything it does is recorded as events.
"""

from engine.account import Account
from engine.chain import ChainedTokenCredential
from engine.default import DefaultAzureCredential
from engine.errors import AuthenticationRequiredError, ClientAuthenticationError, CredentialUnavailableError
from engine.host import Host
from engine.secrets import Secret
from engine.token import AccessToken

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
