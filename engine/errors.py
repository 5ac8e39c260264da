"""The error types of a credential chain, named and classified as azure-identity names them.

``CredentialUnavailableError`` means "could not even try": a chain continues past it. Any other
exception means "tried and failed": a chain stops there.
"""

from __future__ import annotations


class ClientAuthenticationError(Exception):
    """Authentication failed (azure-core's ``ClientAuthenticationError``); stops a chain."""

    def __init__(self, message: str | None = None, **kwargs: object) -> None:
        self.message = message if message is not None else ""
        self.details = kwargs
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class CredentialUnavailableError(ClientAuthenticationError):
    """The credential could not attempt authentication; a chain continues."""


class AuthenticationRequiredError(CredentialUnavailableError):
    """An interactive credential needs the user; raised instead of opening a browser."""

    DEFAULT_MESSAGE = "Interactive authentication is required to get a token. Call 'authenticate' to begin."

    def __init__(self, scopes: tuple[str, ...] = (), message: str | None = None, claims: str | None = None):
        super().__init__(message or self.DEFAULT_MESSAGE)
        self.scopes = scopes
        self.claims = claims


def error_text(error: BaseException) -> str:
    """The text a chain records for ``error``: ``.message`` for ours, ``str()`` for anything else."""
    if isinstance(error, ClientAuthenticationError):
        return error.message
    return str(error)
