"""Input checks azure-identity applies before anything reaches an argv or a URL."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

AZURE_PUBLIC_CLOUD = "login.microsoftonline.com"

INVALID_TENANT = (
    "Invalid tenant ID provided. You can locate your tenant ID by following the instructions here: "
    "https://learn.microsoft.com/partner-center/find-ids-and-domain-names"
)
INVALID_SCOPE = "An invalid scope was provided. Only alphanumeric characters, '.', '-', '_', ':', and '/' are allowed."
INVALID_SUBSCRIPTION = (
    "Subscription '{}' contains invalid characters. If this is the name of a subscription, use its ID "
    "instead. You can locate your subscription by following the instructions listed here: "
    "https://learn.microsoft.com/azure/azure-portal/get-subscription-tenant-id"
)
INVALID_AUTHORITY = "'{}' is an invalid authority. The value must be a TLS protected (https) URL."

_TENANT = re.compile(r"^[0-9a-zA-Z.-]+$")
_SCOPE = re.compile(r"^[0-9a-zA-Z_.:/-]+$")
_SUBSCRIPTION = re.compile(r"^[0-9a-zA-Z_. -]+$")


def validate_tenant_id(tenant_id: str) -> None:
    if not tenant_id or not _TENANT.fullmatch(tenant_id):
        raise ValueError(INVALID_TENANT)


def validate_scope(scope: str) -> None:
    if not _SCOPE.fullmatch(scope):
        raise ValueError(INVALID_SCOPE)


def validate_subscription(subscription: str) -> None:
    if not _SUBSCRIPTION.fullmatch(subscription):
        raise ValueError(INVALID_SUBSCRIPTION.format(subscription))


def normalize_authority(authority: str) -> str:
    """Prefix ``https://`` when there is no scheme, strip trailing ``/`` and spaces; refuse non-https."""
    scheme = urlsplit(authority).scheme
    if not scheme:
        return "https://" + authority.rstrip(" /")
    if scheme == "https":
        return authority.rstrip(" /")
    raise ValueError(INVALID_AUTHORITY.format(authority))


def default_authority(env: Mapping[str, str]) -> str:
    """``AZURE_AUTHORITY_HOST`` or the public cloud, normalised."""
    return normalize_authority(env.get("AZURE_AUTHORITY_HOST", AZURE_PUBLIC_CLOUD))


def resource_of(scope: str) -> str:
    """The v1 resource of a scope: a trailing ``/.default`` removed."""
    return scope[: -len("/.default")] if scope.endswith("/.default") else scope


_HOST_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$")
BAD_AUTHORITY_HOST = (
    "the authority {authority!r} ({variable}) has no usable host name: msal first asks "
    "login.microsoftonline.com to validate it, and the sign-in fails there"
)


def authority_host_problem(authority: str, variable: str = "AZURE_AUTHORITY_HOST") -> str | None:
    """Why an https authority cannot be reached by name (a space, no host, a bad port), else None."""
    try:
        parts = urlsplit(authority)
        parts.port  # noqa: B018 - raises for a port out of range or not a number
    except ValueError:
        return BAD_AUTHORITY_HOST.format(authority=authority, variable=variable)
    host = parts.hostname or ""
    if _HOST_NAME.match(host) or host.count(":") >= 2:  # a name, an IPv4 address or an IPv6 literal
        return None
    return BAD_AUTHORITY_HOST.format(authority=authority, variable=variable)
