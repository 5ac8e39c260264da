"""One HTTP exchange as azure-core's RequestsTransport performs it, with its error types.

azure-identity sends every request through azure-core, which turns requests' exceptions into
``ServiceRequestError`` (nothing reached the server), ``ServiceResponseError`` (the server may
have seen it) and ``HttpResponseError`` (an answer that could not be used). Credentials classify
failures by those types, so we keep the same hierarchy and the same texts.
"""

from __future__ import annotations

import codecs
import email.message
import json
import re
from codecs import lookup as lookup_encoding
from collections.abc import Mapping
from dataclasses import dataclass

import requests
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ProtocolError

# azure-core's RequestsTransport defaults (seconds).
DEFAULT_CONNECTION_TIMEOUT = 300
DEFAULT_READ_TIMEOUT = 300
# HttpResponseError.__str__ cuts "message\nContent: body" at this length.
MAX_ERROR_TEXT = 2048
_SECRET_FIELDS = re.compile(r'("(?:access_token|refresh_token|id_token)"\s*:\s*")[^"]*(")')


class AzureError(Exception):
    """azure-core's base error: ``message`` is ``str(message)``."""

    def __init__(self, message: object = None, *, error: BaseException | None = None) -> None:
        self.message = str(message)
        self.inner_exception = error
        super().__init__(self.message)


class ServiceRequestError(AzureError):
    """The request never reached the server (connection refused, DNS, TLS, proxy)."""


class ServiceRequestTimeoutError(ServiceRequestError):
    """Connecting took longer than the connection timeout."""


class ServiceResponseError(AzureError):
    """The request was sent, but no usable response came back (reset, read timeout)."""


class ServiceResponseTimeoutError(ServiceResponseError):
    """Reading the response took longer than the read timeout."""


@dataclass(frozen=True)
class HttpResponse:
    """A finished response: status, headers and the decoded body text."""

    status_code: int
    reason: str
    headers: Mapping[str, str]
    content: bytes
    url: str
    method: str

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "") or ""

    def text(self, encoding: str | None = None) -> str:
        """The body as azure-core decodes it: the charset of Content-Type, else UTF-8 with a BOM allowed."""
        return decode_to_text(encoding or charset_of(self.content_type), self.content)


def charset_of(content_type: str) -> str | None:
    if not content_type:
        return None
    message = email.message.Message()
    message["content-type"] = content_type
    encoding = message.get_param("charset")
    if not isinstance(encoding, str):
        return None
    try:
        lookup_encoding(encoding)
    except LookupError:
        return None
    return encoding


def decode_to_text(encoding: str | None, content: bytes) -> str:
    if not content:
        return ""
    if encoding == "utf-8":
        encoding = "utf-8-sig"
    if encoding:
        return content.decode(encoding)
    return codecs.getincrementaldecoder("utf-8-sig")(errors="replace").decode(content)


def scrub_body(text: str) -> str:
    """The body with token values masked; azure-core prints bodies raw, we never print a token."""
    return _SECRET_FIELDS.sub(r"\1***\2", text)


def _odata_error(response: HttpResponse | None) -> str | None:
    """azure-core's ODataV4Format text for an ``{"error": {"code", "message"}}`` body, else None."""
    if response is None:
        return None
    try:
        body = json.loads(response.text())
        node = body.get("error", body)
        code, message = node.get("code"), node.get("message")
    except Exception:
        return None
    if not (code or message):
        return None
    details = f"Code: {code}\nMessage: {message}"
    if node.get("target"):
        details += f"\nTarget: {node['target']}"
    return f"({code}) {message}\n{details}"


def response_error_message(message: str | None, response: HttpResponse | None) -> str:
    """``HttpResponseError.message``: an OData error body replaces the message."""
    odata = _odata_error(response)
    if odata:
        return odata
    if message:
        return message
    reason = response.reason if response is not None else None
    return f"Operation returned an invalid status '{reason}'"


def response_error_text(message: str, response: HttpResponse | None) -> str:
    """``str(HttpResponseError)``: the message, then ``\\nContent: body`` unless the body was OData."""
    if response is None or _odata_error(response):
        return message
    try:
        body = response.text()
    except Exception:
        return message
    if not body:
        return message
    return f"{message}\nContent: {scrub_body(body)}"[:MAX_ERROR_TEXT]


class HttpResponseError(AzureError):
    """A response arrived but could not be used (azure-core's HttpResponseError)."""

    def __init__(self, message: str | None = None, response: HttpResponse | None = None, **kwargs) -> None:
        self.response = response
        self.status_code = response.status_code if response is not None else None
        self.reason = response.reason if response is not None else None
        super().__init__(response_error_message(message, response), **kwargs)

    def __str__(self) -> str:
        return response_error_text(self.message, self.response)


class DecodeError(HttpResponseError):
    """The body did not parse as its Content-Type promised."""


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    params: Mapping[str, str] | None = None,
    data: Mapping[str, str] | bytes | None = None,
    headers: Mapping[str, str] | None = None,
    connection_timeout: float = DEFAULT_CONNECTION_TIMEOUT,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
    verify: bool | str = True,
) -> HttpResponse:
    """Send one request as RequestsTransport does (no redirects), mapping failures to its error types."""
    try:
        response = session.request(
            method,
            url,
            params=params,
            data=data,
            headers=dict(headers or {}),
            timeout=(connection_timeout, read_timeout),
            verify=verify,
            allow_redirects=False,
        )
        content = response.content
    except NewConnectionError as err:
        raise ServiceRequestError(err, error=err) from err
    except ConnectTimeoutError as err:
        raise ServiceRequestTimeoutError(err, error=err) from err
    except requests.exceptions.ConnectTimeout as err:
        raise ServiceRequestTimeoutError(err, error=err) from err
    except requests.exceptions.ReadTimeout as err:
        raise ServiceResponseTimeoutError(err, error=err) from err
    except requests.exceptions.ConnectionError as err:
        if err.args and isinstance(err.args[0], ProtocolError):
            raise ServiceResponseError(err, error=err) from err
        raise ServiceRequestError(err, error=err) from err
    except requests.exceptions.ChunkedEncodingError as err:
        raise HttpResponseError(str(err), error=err) from err
    except requests.RequestException as err:
        raise ServiceResponseError(err, error=err) from err
    return HttpResponse(
        status_code=response.status_code,
        reason=response.reason or "",
        headers=CaseInsensitiveDict(response.headers),
        content=content,
        url=response.url,
        method=method,
    )
