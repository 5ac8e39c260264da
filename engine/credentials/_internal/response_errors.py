"""Authentication errors that carry the HTTP response that caused them.

In azure-core, ``ClientAuthenticationError`` is an ``HttpResponseError``: given a response, its
``str()`` appends ``\\nContent: <body>``, and a chain records ``str()`` for errors that stop it. So
the aggregated message of a chain shows the body; ours does too, with token values masked.
"""

from __future__ import annotations

from engine.errors import ClientAuthenticationError, CredentialUnavailableError
from engine.transport import HttpResponse, response_error_message, response_error_text


class _CarriesResponse(ClientAuthenticationError):
    """``(message, response=...)``: ``.message`` as azure-core builds it, ``str()`` adds the body."""

    def __init__(self, message: str | None = None, response: HttpResponse | None = None) -> None:
        super().__init__(response_error_message(message, response))
        self.response = response
        self.status_code = response.status_code if response is not None else None

    def __str__(self) -> str:
        return response_error_text(self.message, self.response)


class ResponseAuthenticationError(_CarriesResponse):
    """ClientAuthenticationError with a response: stops a chain, which records ``str()`` (the body too)."""


class ResponseUnavailableError(_CarriesResponse, CredentialUnavailableError):
    """CredentialUnavailableError with a response; a chain reads its ``.message`` only."""
