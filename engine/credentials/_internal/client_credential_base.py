"""ClientCredentialBase: a service principal through msal's confidential client (secret or certificate)."""

from __future__ import annotations

from typing import Any

from engine.credentials._internal.decorators import AUTHENTICATION_FAILED, wrap_exceptions
from engine.credentials._internal.get_token_mixin import GetTokenMixin
from engine.credentials._internal.msal_credential import MsalCredential
from engine.errors import ClientAuthenticationError
from engine.token import AccessToken

_KNOWN_SILENT_KWARGS = ("force_refresh", "authority", "correlation_id", "data")


def token_from_result(result: dict, request_time: int) -> AccessToken:
    refresh_on = int(result["refresh_on"]) if "refresh_on" in result else None
    return AccessToken(
        result["access_token"],
        request_time + int(result["expires_in"]),
        refresh_on,
        result.get("token_type", "Bearer"),
    )


class ClientCredentialBase(MsalCredential, GetTokenMixin):
    @wrap_exceptions
    def _acquire_token_silently(self, *scopes: str, **kwargs: Any) -> AccessToken | None:
        app = self._get_app(**kwargs)
        request_time = int(self.host.time())
        known = {k: v for k, v in kwargs.items() if k in _KNOWN_SILENT_KWARGS}
        result = app.acquire_token_silent_with_error(
            list(scopes), account=None, claims_challenge=kwargs.get("claims"), **known
        )
        if result and "access_token" in result and "expires_in" in result:
            return token_from_result(result, request_time)
        return None

    @wrap_exceptions
    def _request_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        app = self._get_app(**kwargs)
        request_time = int(self.host.time())
        result = app.acquire_token_for_client(list(scopes), claims_challenge=kwargs.get("claims"))
        if "access_token" not in result:
            raise ClientAuthenticationError(
                message=AUTHENTICATION_FAILED.format(result.get("error_description") or result.get("error"))
            )
        return token_from_result(result, request_time)
