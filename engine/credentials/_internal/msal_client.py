"""The HTTP client azure-identity hands msal: msal's requests go through our pipeline.

msal accepts any object with requests-like ``get``/``post`` returning objects with
``status_code``, ``text``, ``headers`` and ``raise_for_status``. azure-identity gives it an
azure-core pipeline (retries; token POSTs retried too); we give it ours on ``host.session()``,
so every request msal makes is a recorded step of the attempt.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from engine.credentials._internal.decorators import AUTHENTICATION_FAILED
from engine.credentials._internal.request_helpers import mask_tokens
from engine.credentials._internal.response_errors import ResponseAuthenticationError
from engine.host import Host
from engine.pipeline import Pipeline, PipelineResponse

UNEXPECTED_RESPONSE = "Unexpected response from Microsoft Entra ID"
_POST = ("POST",)


class MsalResponse:
    """A pipeline response shaped as msal expects (``msal.oauth2cli.http.Response``)."""

    def __init__(self, response: PipelineResponse) -> None:
        self._response = response
        self.headers = response.http_response.headers

    @property
    def status_code(self) -> int:
        return self._response.http_response.status_code

    @property
    def text(self) -> str:
        return self._response.http_response.text(encoding="utf-8")

    def raise_for_status(self) -> None:
        if self.status_code < 400:
            return
        content = self._response.deserialized
        if not content:
            message = UNEXPECTED_RESPONSE
        elif "error" in content or "error_description" in content:
            message = AUTHENTICATION_FAILED.format(content.get("error_description") or content.get("error"))
        else:
            message = f'{UNEXPECTED_RESPONSE}: "{mask_tokens(content)}"'
        raise ResponseAuthenticationError(message=message, response=self._response.http_response)


class MsalHttpClient:
    """azure-identity's MsalClient: msal's ``http_client``, remembering the last error response per thread."""

    def __init__(self, host: Host, **kwargs: Any) -> None:
        self._local = threading.local()
        self._pipeline = Pipeline(host, **kwargs)

    def post(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | str | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> MsalResponse:
        request_headers = dict(headers or {})
        body: Mapping[str, str] | bytes | None = None
        if data:
            if isinstance(data, dict):
                request_headers["Content-Type"] = "application/x-www-form-urlencoded"
                body = data
            elif isinstance(data, str):
                body = data.encode("utf-8")
            else:
                raise ValueError('expected "data" to be text or a dict')
        response = self._pipeline.run(
            "POST", url, params=params, data=body, headers=request_headers, retry_on_methods=_POST
        )
        self._store_auth_error(response)
        return MsalResponse(response)

    def get(
        self, url: str, params: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None, **kwargs: Any
    ) -> MsalResponse:
        response = self._pipeline.run("GET", url, params=params, headers=headers)
        self._store_auth_error(response)
        return MsalResponse(response)

    def get_error_response(self, msal_result: dict):
        """The HTTP response behind an msal error result, if this thread's last error matches it."""
        error_code, response = getattr(self._local, "error", (None, None))
        if response is not None and error_code == msal_result.get("error"):
            return response
        return None

    def _store_auth_error(self, response: PipelineResponse) -> None:
        if response.http_response.status_code >= 400:
            content = response.deserialized
            if content and "error" in content:
                error_code = content["error"] if isinstance(content, dict) else "oauth_error"
                self._local.error = (error_code, response.http_response)

    def close(self) -> None:
        self._pipeline.close()
