"""azure-identity's MsalManagedIdentityClient on top of msal's ManagedIdentityClient rules.

azure-identity hands managed identity (IMDS, App Service, Service Fabric, Arc, Azure ML) to
``msal.ManagedIdentityClient``. That class reads ``os.environ`` to pick the endpoint, which the
engine must not do, so its logic lives here against the Host: the in-memory cache keyed by
resource (a token with under 5 minutes left is ignored; ``refresh_in`` defaults to half a
lifetime of 2 h or more) and the result-to-error mapping. Which endpoint is asked, and how, is
msal's protocol in managed_identity_sources; this module only calls it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import msal

from engine.credentials._internal.decorators import MSAL_MANAGED_IDENTITY, log_failure, log_success
from engine.credentials._internal.get_token_mixin import NO_SCOPES
from engine.credentials._internal.managed_identity_sources.identity import ManagedIdentity, ManagedIdentityError
from engine.credentials._internal.managed_identity_sources.obtain import obtain_token
from engine.credentials._internal.managed_identity_sources.throttle import ThrottledClient
from engine.credentials._internal.msal_client import MsalHttpClient
from engine.credentials._internal.request_helpers import scopes_to_resource
from engine.errors import ClientAuthenticationError, CredentialUnavailableError
from engine.host import Host
from engine.profiles import MI_CLAIMS, MI_TOKEN_REQUEST_ERROR, current_profile
from engine.token import AccessToken
from engine.token_request import TokenInfoMixin, current_api, forwarded

CACHE_INSTANCE = "localhost"
CACHE_TENANT = "managed_identity"
EXPIRY_MARGIN = 5 * 60


class MsalManagedIdentityClient(TokenInfoMixin):
    """Base of the msal-backed inner credentials; subclasses name their host in ``UNAVAILABLE_PREFIX``."""

    UNAVAILABLE_PREFIX = ""

    def __init__(
        self,
        *,
        host: Host,
        client_id: str | None = None,
        identity_config: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.host = host
        self._profile = current_profile()  # the release this identity host behaves as
        self._settings = {"client_id": client_id, "identity_config": dict(identity_config or {})}
        self._identity = ManagedIdentity.from_settings(client_id, identity_config)
        self._http = self._create_http_client(**kwargs)
        self._throttled = ThrottledClient(self._http, host)
        self._cache = msal.TokenCache()

    def _create_http_client(self, **kwargs: Any) -> Any:
        return MsalHttpClient(self.host, **kwargs)

    def get_unavailable_message(self, desc: str = "") -> str:
        return f"{self.UNAVAILABLE_PREFIX} {desc}"

    def close(self) -> None:
        self._http.close()

    # ---- msal's ManagedIdentityClient.acquire_token_for_client --------------------------------
    def _obtain_token(self, resource: str, **kwargs: Any) -> dict:
        return obtain_token(self.host, self._throttled, self._identity, resource, **kwargs)

    def _acquire_token_for_client(self, resource: str, claims_challenge: str | None = None) -> dict:
        to_refresh = None
        from_cache = None
        now = self.host.time()
        query = {
            "client_id": self._identity.cache_id,
            "environment": CACHE_INSTANCE,
            "realm": CACHE_TENANT,
            "home_account_id": None,
        }
        for entry in self._cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN, target=[resource], query=query):
            expires_in = int(entry["expires_on"]) - now
            if expires_in < EXPIRY_MARGIN:
                continue
            if claims_challenge and not to_refresh:
                to_refresh = entry["secret"]
                break
            from_cache = {
                "access_token": entry["secret"],
                "token_type": entry.get("token_type", "Bearer"),
                "expires_in": int(expires_in),
                "token_source": "cache",
            }
            if "refresh_on" in entry:
                from_cache["refresh_on"] = int(entry["refresh_on"])
                if int(entry["refresh_on"]) < now:
                    break  # ageing: refresh, with the cached token as the fallback
            return from_cache
        try:
            result = self._obtain_token(
                resource,
                access_token_sha256_to_refresh=hashlib.sha256(to_refresh.encode()).hexdigest() if to_refresh else None,
            )
            if "access_token" in result:
                expires_in = result.get("expires_in", 3600)
                if "refresh_in" not in result and expires_in >= 7200:
                    result["refresh_in"] = int(expires_in / 2)
                self._cache.add(
                    {
                        "client_id": self._identity.cache_id,
                        "scope": [resource],
                        "token_endpoint": f"https://{CACHE_INSTANCE}/{CACHE_TENANT}",
                        "response": result,
                        "params": {},
                        "data": {},
                    }
                )
                if "refresh_in" in result:
                    result["refresh_on"] = int(now + result["refresh_in"])
                result["token_source"] = "identity_provider"
            if (result and "error" not in result) or not from_cache:
                return result
        except Exception:
            if not from_cache:
                raise
        return from_cache

    # ---- azure-identity's MsalManagedIdentityClient --------------------------------------------
    def _request_token(self, *scopes: str, claims: str | None = None, **kwargs: Any) -> AccessToken:
        resource = scopes_to_resource(*scopes)
        claims = claims if self._profile.has(MI_CLAIMS) else None  # before 1.25 msal never saw the claims
        result = self._acquire_token_for_client(resource, claims_challenge=claims)
        now = int(self.host.time())
        if result and "access_token" in result and "expires_in" in result:
            refresh_on = int(result["refresh_on"]) if "refresh_on" in result else None
            return AccessToken(
                result["access_token"], now + int(result["expires_in"]), refresh_on, result.get("token_type", "Bearer")
            )
        desc = ""
        if result and "error" in result:
            desc = result["error"]  # before 1.25 (switch MI_TOKEN_REQUEST_ERROR): the code alone
            if self._profile.has(MI_TOKEN_REQUEST_ERROR):
                desc = f"Token request error: ({result['error']}) {result.get('error_description', '')}"
        raise CredentialUnavailableError(self.get_unavailable_message(desc))

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        if not scopes:
            raise ValueError(NO_SCOPES.format(current_api()))
        scopes_to_resource(*scopes)
        qualname = f"{type(self).__name__}.{current_api()}"
        try:
            token = self._request_token(
                *scopes, claims=forwarded(claims), tenant_id=forwarded(tenant_id), enable_cae=enable_cae, **kwargs
            )
            log_success(MSAL_MANAGED_IDENTITY, qualname)
            return token
        except ManagedIdentityError as ex:
            log_failure(MSAL_MANAGED_IDENTITY, qualname, ex)
            raise ClientAuthenticationError(self.get_unavailable_message(str(ex))) from ex
        except Exception as ex:
            log_failure(MSAL_MANAGED_IDENTITY, qualname, ex)
            raise
