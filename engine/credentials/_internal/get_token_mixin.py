"""GetTokenMixin: cache first, then a request when the refresh rules say so, logged as azure-identity logs it.

Used by the credentials azure-identity builds on its GetTokenMixin: ClientSecret, Certificate,
WorkloadIdentity and the Cloud Shell managed identity.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from engine.credentials._internal.decorators import GET_TOKEN_MIXIN, log_failure, log_success
from engine.credentials._internal.refresh import RefreshStatus, refresh_status
from engine.token import AccessToken
from engine.token_request import TokenInfoMixin, current_api, forwarded

NO_SCOPES = '"{}" requires at least one scope'


class GetTokenMixin(TokenInfoMixin, ABC):
    """Subclasses provide ``_acquire_token_silently`` and ``_request_token``."""

    _last_request_time = 0
    _log_family = GET_TOKEN_MIXIN
    _mixin_name: str | None = None  # the class name its log lines show, when a helper works for a credential

    @abstractmethod
    def _acquire_token_silently(self, *scopes: str, **kwargs: Any) -> AccessToken | None:
        """A cached token still worth returning, or None."""

    @abstractmethod
    def _request_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        """A new token from the service."""

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        options = {"claims": forwarded(claims), "tenant_id": forwarded(tenant_id), "enable_cae": enable_cae}
        token = self._get_token_base(*scopes, base_method_name=current_api(), **options, **kwargs)
        return AccessToken(token.token, token.expires_on, token.refresh_on, token.token_type)

    def _get_token_base(self, *scopes: str, base_method_name: str = "get_token", **kwargs: Any) -> AccessToken:
        if not scopes:
            raise ValueError(NO_SCOPES.format(base_method_name))
        qualname = f"{self._mixin_name or type(self).__name__}.{base_method_name}"
        try:
            token = self._acquire_token_silently(*scopes, **kwargs)
            status = refresh_status(token, self._last_request_time, int(self.host.time()))
            if status is RefreshStatus.REQUIRED:
                self._last_request_time = int(self.host.time())
                token = self._request_token(*scopes, **kwargs)
            elif status is RefreshStatus.RECOMMENDED:
                try:
                    self._last_request_time = int(self.host.time())
                    token = self._request_token(*scopes, **kwargs)
                except Exception:
                    pass  # the cached token is still valid: use it
            log_success(self._log_family, qualname)
            return token  # type: ignore[return-value]
        except Exception as ex:
            log_failure(self._log_family, qualname, ex)
            raise
