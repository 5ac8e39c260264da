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
from engine.credentials.auth_record import AuthenticationRecord, record_from_result
from engine.credentials.base import Credential
from engine.credentials.client_credential_base import token_from_result, wrap_exceptions
from engine.credentials.logging import INTERACTIVE, log_failure, log_success
from engine.credentials.msal_credential import MsalCredential
from engine.credentials.response_errors import ResponseAuthenticationError
from engine.errors import AuthenticationRequiredError
from engine.host import Host
from engine.probe import AVAILABLE, Probe
from engine.secrets import Secret
from engine.token import AccessToken
from engine.validation import validate_tenant_id

DEFAULT_TENANT = "organizations"
DEPRECATED = (
    "{} is deprecated, as it doesn't support multifactor authentication (MFA). For more details, see "
    "https://aka.ms/azsdk/identity/mfa."
)
NO_SCOPES = "'{}' requires at least one scope"
AUTHENTICATION_FAILED = "Authentication failed: {}"


class UsernamePasswordCredential(MsalCredential, Credential):
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

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        qualname = f"{type(self).__name__}.get_token"
        if not scopes:
            message = NO_SCOPES.format("get_token")
            log_failure(INTERACTIVE, qualname, ValueError(message))
            raise ValueError(message)
        allow_prompt = kwargs.pop("_allow_prompt", True)
        options = {"claims": claims or None, "tenant_id": tenant_id or None, "enable_cae": enable_cae}
        try:
            token = self._acquire_token_silent(*scopes, **options)
            log_success(INTERACTIVE, qualname)
            return token
        except Exception as ex:
            if not (isinstance(ex, AuthenticationRequiredError) and allow_prompt):
                log_failure(INTERACTIVE, qualname, ex)
                raise
        now = int(self.host.time())
        try:
            result = self._request_token(*scopes, **options)
            if "access_token" not in result:
                message = AUTHENTICATION_FAILED.format(result.get("error_description") or result.get("error"))
                raise ResponseAuthenticationError(message, self._msal_http.get_error_response(result))
            self._auth_record = record_from_result(result)
        except Exception as ex:
            log_failure(INTERACTIVE, qualname, ex)
            raise
        log_success(INTERACTIVE, qualname)
        return token_from_result(result, now)

    @wrap_exceptions
    def _acquire_token_silent(self, *scopes: str, claims: str | None = None, **kwargs: Any) -> AccessToken:
        result = None
        if self._auth_record:
            app = self._get_app(**kwargs)
            for account in app.get_accounts(username=self._auth_record.username):
                if account.get("home_account_id") != self._auth_record.home_account_id:
                    continue
                now = int(self.host.time())
                result = app.acquire_token_silent_with_error(list(scopes), account=account, claims_challenge=claims)
                if result and "access_token" in result and "expires_in" in result:
                    return token_from_result(result, now)
        raise AuthenticationRequiredError(tuple(scopes), claims=claims)

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
