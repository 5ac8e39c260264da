"""azure-identity's HTTP pipeline on the Host: request id, user agent, retries, transport, JSON decoding.

azure-identity builds an azure-core pipeline for each credential; msal and the managed-identity
clients send through it. Ours has the same policies in the same order, over a session from
``host.session()`` (so proxies and CA bundles come from the host's environment and every request
is a recorded "http" step).
"""

from __future__ import annotations

import json
import platform
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from engine.host import Host
from engine.retry import RETRY_KEYWORDS, RetryPolicy
from engine.transport import (
    DEFAULT_CONNECTION_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    DecodeError,
    HttpResponse,
    send,
)

AZURE_IDENTITY_VERSION = "1.27.0"
USER_AGENT = (
    f"azsdk-python-identity/{AZURE_IDENTITY_VERSION} Python/{platform.python_version()} ({platform.platform()})"
)
REQUEST_ID_HEADER = "x-ms-client-request-id"
_JSON = re.compile(r"^(application|text)/([0-9a-z+.-]+\+)?json$")


@dataclass(frozen=True)
class PipelineResponse:
    """The final response of a request, and its body as ContentDecodePolicy decoded it."""

    http_response: HttpResponse
    deserialized: Any


def format_url(url: str, params: Mapping[str, Any] | None) -> str:
    """azure-core's query formatting: ``k=v`` pairs joined unencoded (requests requotes only illegal characters)."""
    if not params:
        return url
    merged = dict(params)
    base, _, query = url.partition("?")
    if query:
        merged.update({p.partition("=")[0]: p.partition("=")[2] for p in query.split("&")})
    pairs = []
    for key, value in merged.items():
        for item in value if isinstance(value, list) else [value]:
            if item is None:
                raise ValueError(f"Query parameter {key} cannot be None")
            pairs.append(f"{key}={item}")
    return base + "?" + "&".join(pairs)


def deserialize_from_text(text: str, mime_type: str | None, response: HttpResponse | None = None) -> Any:
    """ContentDecodePolicy: JSON for JSON types, the text for text/*, DecodeError otherwise."""
    if not text:
        return None
    if mime_type is None:
        return text
    if _JSON.match(mime_type):
        try:
            return json.loads(text)
        except ValueError as err:
            raise DecodeError(message=f"JSON is invalid: {err}", response=response, error=err) from err
    if "xml" in mime_type:
        import xml.etree.ElementTree as ET

        try:
            return ET.fromstring(text)
        except ET.ParseError as err:
            try:
                return json.loads(text)
            except ValueError:
                raise DecodeError("XML is invalid", response=response) from err
    if mime_type.startswith("text/"):
        return text
    raise DecodeError(f"Cannot deserialize content-type: {mime_type}")


def deserialize_response(response: HttpResponse) -> Any:
    """The body by its Content-Type; a response without one is read as JSON, as azure-core does."""
    mime_type = response.content_type.split(";")[0].strip().lower() if response.content_type else "application/json"
    return deserialize_from_text(response.text(), mime_type, response=response)


class Pipeline:
    """A credential's pipeline: its headers, retry policy and timeouts, on one host session."""

    def __init__(
        self,
        host: Host,
        *,
        retry_policy: RetryPolicy | None = None,
        base_headers: Mapping[str, str] | None = None,
        connection_timeout: float = DEFAULT_CONNECTION_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        connection_verify: bool | str = True,
        token_proxy: Any = None,
        **kwargs: Any,
    ) -> None:
        self._host = host
        self._token_proxy = token_proxy  # WorkloadIdentityCredential's AKS token proxy, if enabled
        self._session = None
        self.retry_policy = retry_policy or RetryPolicy(**{k: kwargs[k] for k in RETRY_KEYWORDS if k in kwargs})
        self._base_headers = dict(base_headers or {})
        self._headers = dict(kwargs.get("headers") or {})
        self._connection_timeout = connection_timeout
        self._read_timeout = read_timeout
        self._verify = connection_verify
        user_agent = kwargs.get("user_agent")
        self._user_agent = f"{user_agent} {USER_AGENT}" if user_agent else USER_AGENT

    @property
    def session(self):
        if self._session is None:
            self._session = self._host.session()
            # azure-core disables urllib3's own retries, so a refused connection surfaces as urllib3's
            # error itself (whose text azure-identity reports). Adapters a host mounted stay in place.
            for adapter in self._session.adapters.values():
                if isinstance(adapter, HTTPAdapter):
                    adapter.max_retries = Retry(total=False, redirect=False, raise_on_status=False)
            if self._token_proxy is not None:
                self._session.mount("https://", self._token_proxy.adapter())
        return self._session

    def _user_agent_header(self) -> str:
        extra = self._host.env.get("AZURE_HTTP_USER_AGENT")
        return f"{self._user_agent} {extra}" if extra is not None else self._user_agent

    def run(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | bytes | None = None,
        headers: Mapping[str, str] | None = None,
        retry_on_methods: Iterable[str] | None = None,
        connection_timeout: float | None = None,
        read_timeout: float | None = None,
        decode: bool = True,
        **retry_overrides: Any,
    ) -> PipelineResponse:
        """Send ``method url`` with retries; decode the final body (DecodeError for bad JSON)."""
        request_headers = {**self._base_headers, **self._headers, **dict(headers or {})}
        request_headers.setdefault(REQUEST_ID_HEADER, str(uuid.uuid1()))
        request_headers.setdefault("User-Agent", self._user_agent_header())
        timeouts = {
            "connection_timeout": connection_timeout if connection_timeout is not None else self._connection_timeout,
            "read_timeout": read_timeout if read_timeout is not None else self._read_timeout,
        }

        full_url = format_url(url, params)
        if self._token_proxy is not None:
            full_url = self._token_proxy.rewrite(full_url)

        def attempt() -> HttpResponse:
            return send(
                self.session, method, full_url, data=data, headers=request_headers, verify=self._verify, **timeouts
            )

        response = self.retry_policy.run(
            attempt,
            method=method,
            sleep=self._host.sleep,
            methods=retry_on_methods,
            overrides={k: v for k, v in retry_overrides.items() if k in RETRY_KEYWORDS},
        )
        return PipelineResponse(response, deserialize_response(response) if decode else None)

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
