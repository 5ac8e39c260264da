"""The OS broker (WAM) sign-in, run by azure-identity-broker itself in a child Python.

BrokerCredential and VisualStudioCodeCredential hand their work to ``azure.identity.broker``'s
InteractiveBrowserBrokerCredential (silent only: default broker account, no interactive fallback). Its
behaviour lives in that package and pymsalruntime, which the engine may not import, so when the package is
installed we run it in a child interpreter and bring back its token or its error, classified as it was
raised. Without the package (the usual case off Windows) nothing is spawned.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from engine.errors import ClientAuthenticationError, CredentialUnavailableError
from engine.host import Host
from engine.token import AccessToken
from engine.token_request import GET_TOKEN_INFO, OPTION_KEYS, current_api

BROKER_DISTRIBUTION = "azure-identity-broker"
BROKER_CLASS = "azure.identity.broker:InteractiveBrowserBrokerCredential"
TIMEOUT = 300  # the broker credential's own default wait
INIT_FAILED = "InteractiveBrowserBrokerCredential initialization failed: {}"
NO_RESULT = "the broker process ended without a result (exit status {}): {}"
ARGS_VARIABLE = "CHAINSIGHT_BROKER_ARGS"

# Runs in the child: builds the broker credential as azure-identity does and reports one JSON line.
_CHILD = r"""
import importlib, json, os, sys
args = json.loads(os.environ.pop("CHAINSIGHT_BROKER_ARGS"))
import msal
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import AuthenticationRecord, CredentialUnavailableError
module, _, name = args["class"].partition(":")
kwargs = dict(args["kwargs"], parent_window_handle=msal.PublicClientApplication.CONSOLE_WINDOW_HANDLE)
if kwargs.get("authentication_record"):
    kwargs["authentication_record"] = AuthenticationRecord.deserialize(kwargs["authentication_record"])
def report(**fields):
    sys.stdout.write(json.dumps(fields) + "\n")
try:
    credential = getattr(importlib.import_module(module), name)(**kwargs)
except Exception as ex:
    report(stage="init", kind="error", type=type(ex).__name__, message=str(ex))
    sys.exit(0)
try:
    if args["api"] == "get_token_info":
        token = credential.get_token_info(*args["scopes"], options=args["request"])
    else:
        token = credential.get_token(*args["scopes"], **args["request"])
    report(stage="token", kind="token", token=token.token, expires_on=token.expires_on)
except CredentialUnavailableError as ex:
    report(stage="token", kind="unavailable", type=type(ex).__name__, message=ex.message, text=str(ex))
except ClientAuthenticationError as ex:
    report(stage="token", kind="failed", type=type(ex).__name__, message=ex.message, text=str(ex))
except Exception as ex:
    report(stage="token", kind="error", type=type(ex).__name__, message=str(ex))
"""


class BrokerInitError(Exception):
    """The broker credential could not be built; ``type_name`` is the class of the child's exception."""

    def __init__(self, type_name: str, message: str) -> None:
        super().__init__(message)
        self.type_name = type_name


class BrokerProcessError(Exception):
    """An error in the child that is neither an authentication error nor unavailability; it stops a chain."""

    def __init__(self, type_name: str, message: str) -> None:
        super().__init__(message)
        self.type_name = type_name


class _ChildAuthenticationError(ClientAuthenticationError):
    """The child's ClientAuthenticationError: ``message`` as raised, ``str()`` as it printed (with its body)."""

    def __init__(self, message: str, text: str) -> None:
        super().__init__(message)
        self._text = text

    def __str__(self) -> str:
        return self._text


class _ChildUnavailableError(CredentialUnavailableError):
    def __init__(self, message: str, text: str) -> None:
        super().__init__(message)
        self._text = text

    def __str__(self) -> str:
        return self._text


def installed_version() -> str | None:
    """The azure-identity-broker version installed for this interpreter, or None (checked without importing)."""
    try:
        return importlib.metadata.version(BROKER_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None


def broker_token(
    host: Host,
    kwargs: Mapping[str, Any],
    scopes: Sequence[str],
    request: Mapping[str, Any],
    *,
    python: str | None = None,
    broker_class: str | None = None,
    timeout: float = TIMEOUT,
) -> AccessToken:
    """Build the broker credential with ``kwargs`` in a child and ask it for a token for ``scopes``.

    Raises BrokerInitError when the credential cannot be built, and the child's error otherwise:
    CredentialUnavailableError and ClientAuthenticationError keep their class and text.
    """
    target = broker_class or BROKER_CLASS
    api = current_api()  # the child calls the broker credential's method of the same name
    if api == GET_TOKEN_INFO:  # its options as the caller gave them: get_token's keywords would drop ""
        request = {k: v for k, v in request.items() if k in OPTION_KEYS}
    fields = {"class": target, "kwargs": dict(kwargs), "scopes": list(scopes), "request": request, "api": api}
    payload = json.dumps(fields)
    result = _run(host, python or sys.executable, payload, timeout)
    if result["kind"] == "token":
        return AccessToken(result["token"], int(result["expires_on"]))
    if result["stage"] == "init":
        raise BrokerInitError(result["type"], result["message"])
    if result["kind"] == "unavailable":
        raise _ChildUnavailableError(result["message"], result["text"])
    if result["kind"] == "failed":
        raise _ChildAuthenticationError(result["message"], result["text"])
    raise BrokerProcessError(result["type"], result["message"])


def _run(host: Host, python: str, payload: str, timeout: float) -> dict:
    # Host.run gives the child no stdin; the arguments (no secrets in them) travel in its environment.
    env = {**host.env, ARGS_VARIABLE: payload}
    try:
        completed = host.run([python, "-c", _CHILD], env=env, timeout=timeout, label="azure-identity-broker (WAM)")
    except subprocess.TimeoutExpired as ex:
        raise BrokerProcessError("TimeoutExpired", f"the broker did not answer within {timeout:g} seconds") from ex
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if not lines:
        tail = completed.stderr.strip().splitlines()[-1:] or [""]
        raise BrokerProcessError("RuntimeError", NO_RESULT.format(completed.returncode, tail[0]))
    return json.loads(lines[-1])
