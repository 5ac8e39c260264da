"""Redeeming a cached refresh token as azure-identity's AadClient does, and keeping the cache in step.

An ``invalid_grant`` answer evicts the refresh token; a new refresh token replaces the old one; the new
access token (and account, id token) is added to the cache by MSAL's own ``TokenCache.add``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msal

from engine.credentials._internal.aad_client import NO_CONTENT, entra_error_message, merge_claims, token_from_content
from engine.credentials._internal.response_errors import ResponseAuthenticationError
from engine.host import Host
from engine.pipeline import Pipeline, PipelineResponse
from engine.tenant import resolve_tenant
from engine.token import AccessToken

_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class RefreshTokenClient:
    """The part of AadClient that SharedTokenCacheCredential uses: the refresh-token grant."""

    def __init__(
        self,
        host: Host,
        *,
        authority: str,
        client_id: str,
        tenant_id: str = "organizations",
        additionally_allowed_tenants: Sequence[str] = (),
        organizations_any: bool = True,
        **pipeline_options: Any,
    ) -> None:
        self._host = host
        self._pipeline = Pipeline(host, **pipeline_options)
        self._authority = authority
        self._client_id = client_id
        self._tenant_id = tenant_id
        self._allowed = list(additionally_allowed_tenants or ())
        self._organizations_any = organizations_any  # the 1.25 rule (profiles.ORGANIZATIONS_TENANT)

    def token_url(self, tenant_id: str | None = None) -> str:
        tenant = resolve_tenant(
            self._tenant_id,
            tenant_id,
            additionally_allowed_tenants=self._allowed,
            env=self._host.env,
            organizations_any=self._organizations_any,
        )
        return "/".join((self._authority, tenant, "oauth2/v2.0/token"))

    def redeem(
        self,
        cache: msal.TokenCache,
        scopes: Sequence[str],
        refresh_token: str,
        *,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
    ) -> AccessToken:
        url = self.token_url(tenant_id)
        data: dict[str, object] = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "scope": " ".join(scopes),
            "client_id": self._client_id,
            "client_info": 1,  # so Entra ID includes the home account id
        }
        merged = merge_claims(["CP1"] if enable_cae else [], claims)
        if merged:
            data["claims"] = merged
        now = int(self._host.time())
        response = self._pipeline.run("POST", url, data=data, headers=_FORM, retry_on_methods=("POST",))
        return self._process(cache, response, data, now, url)

    def close(self) -> None:
        self._pipeline.close()

    def _process(
        self, cache: msal.TokenCache, response: PipelineResponse, data: dict, now: int, url: str
    ) -> AccessToken:
        content = response.deserialized
        if not content:
            raise ResponseAuthenticationError(message=NO_CONTENT, response=response.http_response)
        # A text body reaches here as a str and fails on .get, exactly as it does in azure-identity.
        query = {"secret": data["refresh_token"]}
        if content.get("error") == "invalid_grant":  # type: ignore[union-attr]
            for invalid in list(cache.search(msal.TokenCache.CredentialType.REFRESH_TOKEN, query=query)):
                cache.remove_rt(invalid)
        if "refresh_token" in content:  # type: ignore[operator]
            entries = list(cache.search(msal.TokenCache.CredentialType.REFRESH_TOKEN, query=query))
            # Several entries holding the old token is a state nobody can reason about: update nothing.
            if len(entries) == 1:
                cache.update_rt(entries[0], content["refresh_token"])  # type: ignore[index]
                del content["refresh_token"]  # type: ignore[attr-defined]
        assert isinstance(content, dict)
        if "error" in content:
            # With the response attached, str() appends "\nContent: <body>" as azure-core's error does.
            raise ResponseAuthenticationError(message=entra_error_message(content), response=response.http_response)
        return token_from_content(
            content,
            now,
            cache=cache,
            client_id=self._client_id,
            scopes=data["scope"].split(),
            token_endpoint=url,
        )
