"""What was wrong with the user's own input, in words, for the remedies table's explanations.

azure-identity's message stays the verdict (the oracle compares it); these helpers only name the
variable, file or flag it came from and say what is wrong with it, from the message and the environment.
Each returns text ready to drop into an explanation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from engine import env_vars as ev

# A host name as DNS spells it (letters, digits, '-', dots), optionally with a port: anything else in
# AZURE_AUTHORITY_HOST cannot be an authority.
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:\d{1,5})?/?$")
MI_ENDPOINT_VARIABLES = (ev.IDENTITY_ENDPOINT, ev.MSI_ENDPOINT, ev.IMDS_ENDPOINT)
CACHE_FILE = "~/.IdentityService/msal.cache.nocae (msal.cache for CAE requests)"

# (pattern in the message, what is wrong with the file), first match wins
CACHE_PROBLEMS = (
    (r"Is a directory", "is a folder, not a file"),
    (r"codec can't decode", "is not UTF-8 text (damaged, or written by another program)"),
    (r"Expecting|Unterminated|Extra data|Invalid control character|JSONDecodeError", "is not valid JSON"),
    (
        r"has no attribute|dictionary update sequence|not an MSAL token cache|indices must be|not iterable",
        "is not an MSAL token cache (a JSON object of tables: Account, AccessToken, RefreshToken, ...)",
    ),
)
FILE_PROBLEMS = (
    (r"Is a directory", "is a folder, not a file"),
    (r"not a regular file", "is not a regular file (a pipe or a device)"),
    (r"codec can't decode", "is not UTF-8 text"),
    (r"Permission denied", "cannot be read (permission denied)"),
)
CACHE_UNREADABLE = "could not be read (a damaged or foreign file)"
FILE_UNREADABLE = "cannot be read"


def shown(value: str | None) -> str:
    """A value as the user typed it, quoted so that '' and spaces are visible."""
    return repr(value) if value is not None else "(not set)"


def authority_note(env: Mapping[str, str]) -> str:
    """' (AZURE_AUTHORITY_HOST=... is not a host name; ...)' when it cannot be a host, else ''."""
    value = env.get(ev.AZURE_AUTHORITY_HOST)
    if value is None:
        return ""
    host = value.strip()
    for scheme in ("https://", "http://"):
        if host.lower().startswith(scheme):
            host = host[len(scheme) :]
    if _HOST.match(host):
        return f" ({ev.AZURE_AUTHORITY_HOST}={shown(value)})"
    return (
        f" ({ev.AZURE_AUTHORITY_HOST}={shown(value)} is not a host name; msal asks login.microsoftonline.com "
        "about an authority it does not know, which is why that host may be named)"
    )


def authority_value(env: Mapping[str, str]) -> str:
    return f"{ev.AZURE_AUTHORITY_HOST}={shown(env.get(ev.AZURE_AUTHORITY_HOST))}"


def mi_endpoint(env: Mapping[str, str]) -> str:
    """The managed identity endpoint variable that is set, as NAME='value'."""
    for name in MI_ENDPOINT_VARIABLES:
        if env.get(name) is not None:
            return f"{name}={shown(env[name])}"
    return "The managed identity endpoint"


def token_file(env: Mapping[str, str], message: str) -> str:
    """The federated token file, named by its variable when the environment set it."""
    path = env.get(ev.AZURE_FEDERATED_TOKEN_FILE)
    if path is not None:
        return f"({ev.AZURE_FEDERATED_TOKEN_FILE}={shown(path)})"
    named = re.search(r"'(/[^']+)'|^(/\S+?):", message or "")
    return shown(named.group(1) or named.group(2)) if named else "(token_file_path)"


def file_problem(message: str) -> str:
    return _first(FILE_PROBLEMS, message, FILE_UNREADABLE)


def cache_problem(message: str) -> str:
    return _first(CACHE_PROBLEMS, message, CACHE_UNREADABLE)


def cache_file(message: str) -> str:
    """The cache file the message names, else where the shared cache lives."""
    named = re.search(r"(/[^'\s]*\.IdentityService/[^'\s]+)", message or "")
    return named.group(1) if named else CACHE_FILE


def request_tenant(tenant: str | None, env: Mapping[str, str]) -> str:
    """The tenant the request used: --tenant, else AZURE_TENANT_ID, as the user gave it."""
    if tenant is not None:
        return f"{shown(tenant)} (--tenant)"
    value = env.get(ev.AZURE_TENANT_ID)
    if value is not None:
        return f"{shown(value)} ({ev.AZURE_TENANT_ID})"
    return "of the request"


def _first(table: tuple[tuple[str, str], ...], message: str, default: str) -> str:
    return next((text for pattern, text in table if re.search(pattern, message or "")), default)
