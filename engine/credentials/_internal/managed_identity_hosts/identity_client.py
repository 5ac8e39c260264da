"""azure-identity's own ManagedIdentityClient: one request, its answer parsed into a cached token.

Cloud Shell uses it for every token, and the IMDS probe sends its single request through it.
Unlike msal's client it reads ``expires_on`` or ``expires_in``, honours ``refresh_in``, and turns
an unusable answer into an authentication error that carries the response.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import msal

from engine import events
from engine.credentials._internal.request_helpers import scopes_to_resource
from engine.credentials._internal.response_errors import ResponseAuthenticationError, ResponseUnavailableError
from engine.host import Host
from engine.pipeline import Pipeline, PipelineResponse, deserialize_from_text
from engine.token import AccessToken
from engine.transport import DecodeError

LOGGER = "azure.identity._internal.managed_identity_client"
BAD_JSON = "Failed to deserialize JSON from response"
UNEXPECTED_CONTENT_TYPE = 'Unexpected content type "{}"'
NO_TOKEN = "No token received."
UNEXPECTED_RESPONSE = 'Unexpected response "{}"'


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    params: Mapping[str, str] | None = None
    data: Mapping[str, str] | None = None


RequestFactory = Callable[[str, dict], Request]


class ManagedIdentityClient:
    """Requests built by ``request_factory(resource, identity_config)``, sent through a pipeline."""

    def __init__(
        self,
        host: Host,
        request_factory: RequestFactory,
        client_id: str | None = None,
        identity_config: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        self._host = host
        self._cache = msal.TokenCache()
        self._content_callback = kwargs.pop("_content_callback", None)
        self._identity_config = dict(identity_config or {})
        if client_id:
            self._identity_config["client_id"] = client_id
        self._pipeline = Pipeline(host, **kwargs)
        self._request_factory = request_factory

    def close(self) -> None:
        self._pipeline.close()

    def request_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        resource = scopes_to_resource(*scopes)
        request = self._request_factory(resource, self._identity_config)
        kwargs.pop("tenant_id", None)
        kwargs.pop("claims", None)
        request_time = int(self._host.time())
        response = self._pipeline.run(
            request.method,
            request.url,
            params=request.params,
            data=request.data,
            retry_on_methods=[request.method],
            decode=False,  # azure-identity runs this pipeline streamed: the body is parsed below, as JSON
            **kwargs,
        )
        return self._process_response(response, request_time)

    def _process_response(self, response: PipelineResponse, request_time: int) -> AccessToken:
        http_response = response.http_response
        content = response.deserialized
        if not content:
            try:
                content = deserialize_from_text(http_response.text(), mime_type="application/json")
            except DecodeError as ex:
                if http_response.content_type.startswith("application/json"):
                    raise ResponseAuthenticationError(BAD_JSON, http_response) from ex
                raise ResponseUnavailableError(
                    UNEXPECTED_CONTENT_TYPE.format(http_response.content_type), http_response
                ) from ex
        if not content:
            raise ResponseAuthenticationError(NO_TOKEN, http_response)
        if "access_token" not in content or not ("expires_in" in content or "expires_on" in content):
            if content and "access_token" in content:
                content["access_token"] = "****"
            raise ResponseAuthenticationError(UNEXPECTED_RESPONSE.format(content), http_response)
        if self._content_callback:
            self._content_callback(content)
        expires_on = int(content.get("expires_on") or int(content["expires_in"]) + request_time)
        content["expires_on"] = expires_on
        expires_in = int(content.get("expires_in") or expires_on - request_time)
        if "refresh_in" not in content and expires_in >= 7200:
            content["refresh_in"] = expires_in // 2
        refresh_on = request_time + int(content["refresh_in"]) if "refresh_in" in content else None
        token = AccessToken(
            content["access_token"], content["expires_on"], refresh_on, content.get("token_type", "Bearer")
        )
        self._cache.add(event={"response": content, "scope": [content["resource"]]}, now=request_time)
        return token

    def get_cached_token(self, *scopes: str, claims: str | None = None, **kwargs: Any) -> AccessToken | None:
        if claims is not None:
            return None
        resource = scopes_to_resource(*scopes)
        now = self._host.time()
        for entry in self._cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN, target=[resource]):
            expires_on = int(entry["expires_on"])
            refresh_on = int(entry["refresh_on"]) if "refresh_on" in entry else None
            if expires_on > now and (not refresh_on or refresh_on > now):
                refresh_text = f", refresh in {refresh_on - int(now)}s" if refresh_on else ""
                events.log(
                    LOGGER,
                    logging.DEBUG,
                    f"Access token found in cache for resource {resource} (expires in {expires_on - int(now)}s"
                    f"{refresh_text}, cache ID: {id(self._cache)})",
                )
                return AccessToken(entry["secret"], expires_on, refresh_on, entry.get("token_type", "Bearer"))
        return None
