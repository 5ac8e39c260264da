"""AadClient: azure-identity's direct token POSTs to Entra ID (no msal, no discovery) and its cache.

Workload identity (and managed identity's token exchange) POST a client assertion straight to
``{authority}/{tenant}/oauth2/v2.0/token``; the answer is parsed by azure-identity's rules
(``expires_on`` or ``expires_in``, ``refresh_in`` defaulting to half of a lifetime ≥ 2 h) and
kept in an in-memory msal TokenCache, separate for CAE.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

import msal

from engine import events
from engine.credentials._internal.response_errors import ResponseAuthenticationError
from engine.errors import ClientAuthenticationError
from engine.host import Host
from engine.pipeline import Pipeline, PipelineResponse, deserialize_response
from engine.tenant import resolve_tenant
from engine.token import AccessToken
from engine.validation import default_authority, normalize_authority

LOGGER = "azure.identity._internal.aad_client_base"
JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
NO_CONTENT = "No response content from Microsoft Entra ID"
UNEXPECTED_RESPONSE = "Unexpected response from Microsoft Entra ID: {}"
ENTRA_ERROR = "Microsoft Entra ID error '({}) {}'"
ENTRA_ERROR_BARE = "Microsoft Entra ID error '{}'"
_POST = ("POST",)
_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def merge_claims(capabilities: list[str], claims: str | None) -> str | None:
    """The claims parameter: the challenge, with ``xms_cc`` capabilities merged in for CAE."""
    if not capabilities:
        return claims
    merged = json.loads(claims) if claims else {}
    merged.setdefault("access_token", {}).update(xms_cc={"values": capabilities})
    return json.dumps(merged)


def _scrubbed(content: dict) -> dict:
    return {k: ("***" if k in ("access_token", "refresh_token") else v) for k, v in content.items()}


def entra_error_message(content: dict) -> str:
    """The text azure-identity gives an Entra error body (tokens in it masked)."""
    if "error_description" in content:
        return ENTRA_ERROR.format(content["error"], content["error_description"])
    return ENTRA_ERROR_BARE.format(_scrubbed(content))


def token_from_content(
    content: dict, request_time: int, *, cache: msal.TokenCache, client_id: str, scopes: list[str], token_endpoint: str
) -> AccessToken:
    """The token of a success body, cached as azure-identity's AadClient caches it (refresh_in included)."""
    if "expires_on" in content:
        expires_on = int(content["expires_on"])
    elif "expires_in" in content:
        expires_on = request_time + int(content["expires_in"])
    else:
        raise ClientAuthenticationError(UNEXPECTED_RESPONSE.format(_scrubbed(content)))
    expires_in = int(content.get("expires_in") or expires_on - request_time)
    if "refresh_in" not in content and expires_in >= 7200:
        content["refresh_in"] = expires_in // 2  # MSAL's cache expects it
    refresh_on = request_time + int(content["refresh_in"]) if "refresh_in" in content else None
    token = AccessToken(content["access_token"], expires_on, refresh_on, content.get("token_type", "Bearer"))
    # Last, because TokenCache.add mutates the response.
    cache.add(
        event={"client_id": client_id, "response": content, "scope": scopes, "token_endpoint": token_endpoint},
        now=request_time,
    )
    return token


class AadClient:
    """One app's token requests to one authority and tenant, with their cache."""

    def __init__(
        self,
        host: Host,
        tenant_id: str,
        client_id: str,
        authority: str | None = None,
        *,
        additionally_allowed_tenants: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        self._host = host
        self._authority = normalize_authority(authority) if authority else default_authority(host.env)
        self._tenant_id = tenant_id
        self._client_id = client_id
        self._additionally_allowed_tenants = list(additionally_allowed_tenants or [])
        self._pipeline = Pipeline(host, **kwargs)
        self._cache: msal.TokenCache | None = None
        self._cae_cache: msal.TokenCache | None = None

    def close(self) -> None:
        self._pipeline.close()

    def _tenant(self, tenant_id: str | None) -> str:
        return resolve_tenant(
            self._tenant_id,
            tenant_id,
            additionally_allowed_tenants=self._additionally_allowed_tenants,
            env=self._host.env,
        )

    def _get_cache(self, enable_cae: bool = False) -> msal.TokenCache:
        if enable_cae:
            self._cae_cache = self._cae_cache or msal.TokenCache()
            return self._cae_cache
        self._cache = self._cache or msal.TokenCache()
        return self._cache

    def token_url(self, tenant_id: str | None = None) -> str:
        return "/".join((self._authority, self._tenant(tenant_id), "oauth2/v2.0/token"))

    def get_cached_access_token(
        self,
        scopes: Iterable[str],
        *,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **_: Any,
    ) -> AccessToken | None:
        """A cached token for these scopes that has not expired (claims skip the cache)."""
        if claims:
            return None
        tenant = self._tenant(tenant_id)
        cache = self._get_cache(enable_cae)
        now = int(self._host.time())
        query = {"client_id": self._client_id, "realm": tenant}
        for entry in cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN, target=list(scopes), query=query):
            expires_on = int(entry["expires_on"])
            if expires_on > now:
                refresh_on = int(entry["refresh_on"]) if "refresh_on" in entry else None
                refresh_text = f", refresh in {refresh_on - now}s" if refresh_on else ""
                events.log(
                    LOGGER,
                    logging.DEBUG,
                    f"Access token found in cache for scopes {list(scopes)} (tenant: {tenant}, expires in "
                    f"{expires_on - now}s{refresh_text}, cache ID: {id(cache)})",
                )
                return AccessToken(entry["secret"], expires_on, refresh_on, entry.get("token_type", "Bearer"))
        return None

    def obtain_token_by_jwt_assertion(
        self,
        scopes: Iterable[str],
        assertion: str,
        *,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        scopes = list(scopes)
        data = {
            "client_assertion": assertion,
            "client_assertion_type": JWT_BEARER_ASSERTION,
            "client_id": self._client_id,
            "grant_type": "client_credentials",
            "scope": " ".join(scopes),
        }
        merged = merge_claims(["CP1"] if enable_cae else [], claims)
        if merged:
            data["claims"] = merged
        url = self.token_url(tenant_id)
        now = int(self._host.time())
        response = self._pipeline.run(
            "POST", url, data=data, headers=_FORM, retry_on_methods=_POST, decode=False, **kwargs
        )
        return self._process_response(response, now, url, scopes, enable_cae)

    def _process_response(
        self, response: PipelineResponse, request_time: int, token_endpoint: str, scopes: list[str], enable_cae: bool
    ) -> AccessToken:
        http_response = response.http_response
        content = deserialize_response(http_response)
        if not content:
            raise ResponseAuthenticationError(NO_CONTENT, http_response)
        if "error" in content:
            raise ResponseAuthenticationError(entra_error_message(content), http_response)
        return token_from_content(
            content,
            request_time,
            cache=self._get_cache(enable_cae),
            client_id=self._client_id,
            scopes=scopes,
            token_endpoint=token_endpoint,
        )
