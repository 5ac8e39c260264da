"""What azure-identity's InteractiveCredential gives the two user sign-in credentials.

InteractiveBrowserCredential and UsernamePasswordCredential first answer silently from msal's cache
for the account of their AuthenticationRecord; only then do they run their own flow, and the first
success becomes the record. Their success and failure lines are never lowered inside a chain.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from engine.credentials._internal.auth_record import AuthenticationRecord, record_from_result
from engine.credentials._internal.base import Credential
from engine.credentials._internal.client_credential_base import token_from_result
from engine.credentials._internal.decorators import (
    AUTHENTICATION_FAILED,
    INTERACTIVE,
    log_failure,
    log_success,
    wrap_exceptions,
)
from engine.credentials._internal.msal_credential import MsalCredential
from engine.credentials._internal.response_errors import ResponseAuthenticationError
from engine.errors import AuthenticationRequiredError
from engine.token import AccessToken
from engine.token_request import current_api, forwarded

NO_SCOPES = "'{}' requires at least one scope"


class InteractiveCredential(MsalCredential, Credential):
    _auth_record: AuthenticationRecord | None = None
    _disable_automatic_authentication = False

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        qualname = f"{type(self).__name__}.{current_api()}"
        if not scopes:
            message = NO_SCOPES.format(current_api())
            log_failure(INTERACTIVE, qualname, ValueError(message))
            raise ValueError(message)
        allow_prompt = kwargs.pop("_allow_prompt", not self._disable_automatic_authentication)
        options = {"claims": forwarded(claims), "tenant_id": forwarded(tenant_id), "enable_cae": enable_cae}
        try:
            token = self._acquire_token_silent(*scopes, **options)
            log_success(INTERACTIVE, qualname)
            return AccessToken(token.token, token.expires_on)
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
            self._auth_record = record_from_result(result)  # a first sign-in, or another account
        except Exception as ex:
            log_failure(INTERACTIVE, qualname, ex)
            raise
        log_success(INTERACTIVE, qualname)
        token = token_from_result(result, now)
        return AccessToken(token.token, token.expires_on)

    @wrap_exceptions
    def _acquire_token_silent(self, *scopes: str, claims: str | None = None, **kwargs: Any) -> AccessToken:
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

    @abstractmethod
    def _request_token(self, *scopes: str, claims: str | None = None, **kwargs: Any) -> dict:
        """Run this credential's own flow; msal's result dict."""
