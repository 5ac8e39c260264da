"""azure-identity's get_token decorators: the success/failure log lines (as events), and wrap_exceptions.

Four log families, by the azure-identity module that logs them; levels drop to DEBUG inside a chain
except for the interactive family, which azure-identity never lowers.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from engine import events
from engine.account import authenticated_account_line
from engine.context import within_credential_chain
from engine.errors import ClientAuthenticationError
from engine.token_request import GET_TOKEN, current_api

DECORATORS = "azure.identity._internal.decorators"
GET_TOKEN_MIXIN = "azure.identity._internal.get_token_mixin"
MSAL_MANAGED_IDENTITY = "azure.identity._internal.msal_managed_identity_client"
INTERACTIVE = "azure.identity._internal.interactive"
AUTHENTICATION_FAILED = "Authentication failed: {}"

F = TypeVar("F", bound=Callable[..., Any])


def log_success(logger: str, qualname: str, token: Any = None) -> None:
    in_chain = within_credential_chain.get()
    lowered = in_chain and logger != INTERACTIVE
    events.log(logger, logging.DEBUG if lowered else logging.INFO, f"{qualname} succeeded")
    if logger == DECORATORS and token is not None:
        try:
            events.log(logger, logging.DEBUG, authenticated_account_line(token.token))
        except Exception as ex:  # opaque tokens: azure-identity logs and carries on
            events.log(logger, logging.DEBUG, f"Failed to log the account information: {ex}")


def log_failure(logger: str, qualname: str, error: BaseException) -> None:
    in_chain = within_credential_chain.get()
    lowered = in_chain and logger != INTERACTIVE
    events.log(logger, logging.DEBUG if lowered else logging.WARNING, f"{qualname} failed: {error}")


def logged(logger: str, *, get_token_info_too: bool = True) -> Callable[[F], F]:
    """Wrap a get_token so its outcome is logged as azure-identity's wrapper for ``logger`` does, under the
    method the request came through; ``get_token_info_too=False`` where azure-identity's get_token_info
    carries no wrapper (VisualStudioCodeCredential, every release)."""

    def decorate(method: F) -> F:
        @functools.wraps(method)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            api = current_api()
            if api != GET_TOKEN and not get_token_info_too:
                return method(self, *args, **kwargs)
            qualname = f"{type(self).__name__}.{api}"
            try:
                token = method(self, *args, **kwargs)
            except Exception as ex:
                log_failure(logger, qualname, ex)
                raise
            log_success(logger, qualname, token)
            return token

        return wrapper  # type: ignore[return-value]

    return decorate


def wrap_exceptions(method: F) -> F:
    """azure-identity's wrap_exceptions: anything but an authentication error becomes one."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except ClientAuthenticationError:
            raise
        except Exception as ex:
            raise ClientAuthenticationError(message=AUTHENTICATION_FAILED.format(ex)) from ex

    return wrapper  # type: ignore[return-value]
