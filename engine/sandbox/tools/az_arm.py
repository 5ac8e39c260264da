"""Subscription discovery for the sandbox's az, as azure-cli 2.91's SubscriptionFinder (core/_profile.py) does it.

It asks the active cloud's Resource Manager (the sandbox's ARM stand-in: directly for a loopback custom cloud,
through the sandbox's proxy for management.azure.com) with api-version 2022-12-01:
- with --tenant: ``GET /subscriptions`` with a token for that tenant (find_using_specific_tenant);
- without: ``GET /tenants`` with the sign-in's token, then ``GET /subscriptions`` per tenant with a token for that
  tenant (find_using_common_tenant), which is where tenantDisplayName and tenantDefaultDomain come from.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from engine.sandbox.tools.az_identity import CLIError, EntraError, session

API_VERSION = "2022-12-01"  # azure-cli 2.91's profile for ResourceType.MGMT_RESOURCE_SUBSCRIPTIONS
EMPTY_TENANTS = (
    "The following tenants don't contain accessible subscriptions. "
    "Use `az login --allow-no-subscriptions` to have tenant level access."
)
AUTH_FAILED_TENANTS = (
    "If you need to access subscriptions in the following tenants, please use `az login --tenant TENANT_ID`."
)
AUTH_FAILED = "Authentication failed against tenant {}: {}"
DUPLICATE = (
    "Subscription {} '{}' can be accessed from tenants {}(default) and {}. "
    "To select a specific tenant when accessing this subscription, use 'az login --tenant TENANT_ID'."
)
HTTP_ERROR = "({code}) {message}\nCode: {code}\nMessage: {message}"

# A function giving an ARM access token for a tenant (None: the sign-in's own authority).
TokenFor = Callable[[str | None], str]


def _warn(text: str) -> None:
    sys.stderr.write(f"WARNING: {text}\n")


class SubscriptionFinder:
    def __init__(self, state: dict[str, Any], resource_manager: str, token_for: TokenFor) -> None:
        self.base = resource_manager.rstrip("/")
        self.http = session(state, resource_manager)
        self.token_for = token_for
        self.tenants: list[str] = []  # every tenant whose subscriptions were listed (for tenant-level accounts)

    def _get(self, path: str, token: str) -> list[dict[str, Any]]:
        """A list operation's items, following nextLink; an ARM error is az's HttpResponseError text."""
        url: str | None = f"{self.base}{path}?api-version={API_VERSION}"
        items: list[dict[str, Any]] = []
        while url:
            response = self.http.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
            try:
                body = response.json()
            except ValueError:
                body = {}
            if response.status_code != 200:
                error = body.get("error") if isinstance(body, dict) else None
                error = error if isinstance(error, dict) else {}
                code = error.get("code") or response.reason
                raise CLIError(HTTP_ERROR.format(code=code, message=error.get("message") or response.text))
            items += [i for i in body.get("value", []) if isinstance(i, dict)]
            url = body.get("nextLink")
        return items

    def find_using_specific_tenant(self, tenant: str, token: str, description: dict | None = None) -> list[dict]:
        """_attach_token_tenant: ARM's tenantId becomes home_tenant_id, the token's tenant the tenantId; the
        tenant's defaultDomain and displayName ride along when the tenant came from Tenants - List."""
        found = []
        for sub in self._get("/subscriptions", token):
            sub = dict(sub, homeTenantId=sub.get("tenantId"), tenantId=tenant)
            if description is not None:
                sub.update(tenantDefaultDomain=description.get("defaultDomain"))
                sub.update(tenantDisplayName=description.get("displayName"))
            found.append(sub)
        self.tenants.append(tenant)
        return found

    def find_using_common_tenant(self) -> list[dict[str, Any]]:
        everything: list[dict[str, Any]] = []
        empty, failed = [], []
        for t in self._get("/tenants", self.token_for(None)):
            tenant_id = t.get("tenantId", "")
            name = f"{tenant_id} '{t['displayName']}'" if t.get("displayName") else tenant_id
            try:
                subs = self.find_using_specific_tenant(tenant_id, self.token_for(tenant_id), t)
            except EntraError as ex:
                _warn(AUTH_FAILED.format(name, ex))
                failed.append(name)
                continue
            if not subs:
                empty.append(name)
            for sub in subs:
                first = next((s for s in everything if s.get("subscriptionId") == sub.get("subscriptionId")), None)
                if first is None:
                    everything.append(sub)
                else:
                    _warn(DUPLICATE.format(sub["subscriptionId"], sub["displayName"], first["tenantId"], tenant_id))
        for header, names in ((EMPTY_TENANTS, empty), (AUTH_FAILED_TENANTS, failed)):
            if names:
                _warn(header)
                for name in names:
                    _warn(name)
        return everything
