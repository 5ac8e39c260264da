"""UsernamePasswordCredential: the deprecated resource-owner password flow (msal public client).

It follows azure-identity's InteractiveCredential: after a first successful sign-in it keeps an
authentication record and later calls are answered silently from msal's cache; its log lines
are never lowered inside a chain; an STS error carries the raw response body after
``\\nContent: `` in ``str()``.
"""

from __future__ import annotations

import warnings
from typing import Any

from engine.account import Account
from engine.credentials._internal.auth_record import AuthenticationRecord
from engine.credentials._internal.base import Credential
from engine.credentials._internal.decorators import wrap_exceptions
from engine.credentials._internal.interactive import InteractiveCredential
from engine.host import Host
from engine.probe import AVAILABLE, Probe
from engine.secrets import Secret
from engine.validation import validate_tenant_id

DEFAULT_TENANT = "organizations"
DEPRECATED = (
    "{} is deprecated, as it doesn't support multifactor authentication (MFA). For more details, see "
    "https://aka.ms/azsdk/identity/mfa."
)


class UsernamePasswordCredential(InteractiveCredential):
    def __init__(self, client_id: str, username: str, password: str | Secret, *, host: Host, **kwargs: Any) -> None:
        if not kwargs.pop("_silence_deprecation_warning", False):
            warnings.warn(DEPRECATED.format(type(self).__name__), DeprecationWarning, stacklevel=2)
        kwargs.pop("authentication_record", None)
        kwargs.pop("disable_automatic_authentication", None)
        tenant_id = kwargs.pop("tenant_id", None) or DEFAULT_TENANT
        validate_tenant_id(tenant_id)
        Credential.__init__(self, host=host)
        self._username = username
        self._password = password if isinstance(password, Secret) else Secret(password)
        self._auth_record: AuthenticationRecord | None = None
        self._init_msal(host, client_id, None, tenant_id=tenant_id, **kwargs)

    @wrap_exceptions
    def _request_token(self, *scopes: str, claims: str | None = None, **kwargs: Any) -> dict:
        app = self._get_app(**kwargs)
        return app.acquire_token_by_username_password(
            username=self._username,
            password=self._password.reveal(),
            scopes=list(scopes),
            claims_challenge=claims,
        )

    def probe(self) -> Probe:
        return Probe(
            type(self).__name__,
            AVAILABLE,
            f"username and password configured for {self._username} (client {self._client_id}, tenant "
            f"{self._tenant_id}); this flow is deprecated and fails for accounts that require MFA",
            Account(
                tenant_id=None if self._tenant_id == DEFAULT_TENANT else self._tenant_id,
                upn=self._username,
                client_id=self._client_id,
                identity_type="user",
            ),
        )
