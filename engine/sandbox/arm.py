"""The Azure Resource Manager stand-in: the three calls `az login` makes, answered from the scenario's directory.

- ``GET /tenants`` (Tenants - List): the tenants the caller belongs to, as TenantIdDescription.
- ``GET /subscriptions`` (Subscriptions - List): the subscriptions of the token's tenant the caller may see.
- ``GET /subscriptions/{id}`` (Subscriptions - Get): one of those, or SubscriptionNotFound.

Shapes follow the REST reference for api-version 2022-12-01 (azure-cli 2.91 asks for that version):
https://learn.microsoft.com/rest/api/resources/tenants/list and .../subscriptions/list. The caller proves who it
is with a bearer token the sandbox authority issued for ARM; anything else gets ARM's own 401 bodies.
"""

from __future__ import annotations

import datetime
import re

import jwt

from engine.sandbox.httpserver import Request, Response
from engine.sandbox.scenario import Scenario, Subscription, Tenant
from engine.sandbox.tokens import TokenIssuer

# The audiences ARM accepts (a token for either ARM resource id, with or without the trailing slash).
ARM_AUDIENCES = (
    "https://management.core.windows.net/",
    "https://management.core.windows.net",
    "https://management.azure.com/",
    "https://management.azure.com",
)
NO_HEADER = "Authentication failed. The 'Authorization' header is missing."
BAD_TOKEN = "The access token is invalid."
WRONG_AUDIENCE = (
    "The access token has been obtained for wrong audience or resource '{aud}'. It should exactly match with one of "
    "the allowed audiences " + ",".join(f"'{a}'" for a in ARM_AUDIENCES) + "."
)
EXPIRED = "The access token expiry UTC time '{exp}' is earlier than current UTC time '{now}'."
NO_API_VERSION = "The api-version query parameter (?api-version=) is required for all requests."
SUBSCRIPTION_NOT_FOUND = "The subscription '{id}' could not be found."
NO_ROUTE = "No HTTP resource was found that matches the request URI '{uri}'."
SUBSCRIPTION_POLICIES = {
    "locationPlacementId": "Public_2014-09-01",
    "quotaId": "PayAsYouGo_2014-09-01",
    "spendingLimit": "Off",
}
_SUBSCRIPTION = re.compile(r"^/subscriptions/(?P<id>[^/]+)/?$")


class ArmError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code

    def response(self) -> Response:
        return Response.json({"error": {"code": self.code, "message": str(self)}}, self.status)


def tenant_description(tenant: Tenant) -> dict[str, object]:
    """One TenantIdDescription, keys in the order the REST reference's example lists them."""
    return {
        "id": f"/tenants/{tenant.id}",
        "tenantId": tenant.id,
        "countryCode": tenant.country,
        "displayName": tenant.name,
        "domains": [tenant.domain],
        "tenantCategory": "Home",
        "defaultDomain": tenant.domain,
        "tenantType": "AAD",
    }


def subscription_resource(sub: Subscription) -> dict[str, object]:
    """One Subscription as Subscriptions - List returns it."""
    return {
        "id": f"/subscriptions/{sub.id}",
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": sub.id,
        "tenantId": sub.tenant,
        "displayName": sub.name,
        "state": sub.state,
        "subscriptionPolicies": SUBSCRIPTION_POLICIES,
    }


class ResourceManager:
    """The HTTP app (mounted on its own loopback TLS server and, for management.azure.com, behind the proxy)."""

    def __init__(self, scenario: Scenario, issuer: TokenIssuer) -> None:
        self.scenario = scenario
        self.issuer = issuer
        self.requests: list[str] = []

    def __call__(self, request: Request) -> Response:
        self.requests.append(f"{request.method} {request.host}{request.path}")
        try:
            return self._route(request)
        except ArmError as err:
            return err.response()

    def _route(self, request: Request) -> Response:
        claims = self.caller(request)
        if "api-version" not in request.query:
            raise ArmError(400, "MissingApiVersionParameter", NO_API_VERSION)
        path = request.path.rstrip("/") or "/"
        if request.method == "GET" and path == "/tenants":
            return Response.json({"value": [tenant_description(t) for t in self.tenants_of(claims)]})
        if request.method == "GET" and path == "/subscriptions":
            subs = [subscription_resource(s) for s in self.subscriptions_of(claims)]
            return Response.json({"value": subs, "count": {"type": "Total", "value": len(subs)}})
        match = _SUBSCRIPTION.match(path)
        if request.method == "GET" and match:
            wanted = match["id"].lower()
            for sub in self.subscriptions_of(claims):
                if sub.id.lower() == wanted:
                    return Response.json(subscription_resource(sub))
            raise ArmError(404, "SubscriptionNotFound", SUBSCRIPTION_NOT_FOUND.format(id=match["id"]))
        raise ArmError(404, "NotFound", NO_ROUTE.format(uri=f"{request.base_url}{request.path}"))

    # -- who is calling ------------------------------------------------------------------------------
    def caller(self, request: Request) -> dict[str, object]:
        """The bearer token's claims, checked as ARM checks them (signature, audience, expiry)."""
        header = request.headers.get("authorization", "")
        if not header:
            raise ArmError(401, "AuthenticationFailed", NO_HEADER)
        scheme, _, token = header.partition(" ")
        try:
            if scheme.lower() != "bearer":
                raise jwt.InvalidTokenError(scheme)
            claims = jwt.decode(
                token.strip(),
                self.issuer.key.public_key(),
                algorithms=["RS256"],
                options={"verify_aud": False, "verify_exp": False},
            )
        except jwt.InvalidTokenError:
            raise ArmError(401, "InvalidAuthenticationToken", BAD_TOKEN) from None
        if claims.get("aud") not in ARM_AUDIENCES:
            raise ArmError(401, "InvalidAuthenticationTokenAudience", WRONG_AUDIENCE.format(aud=claims.get("aud")))
        now = datetime.datetime.now(datetime.timezone.utc)
        exp = datetime.datetime.fromtimestamp(int(claims.get("exp") or 0), datetime.timezone.utc)
        if exp <= now:
            stamp = "%m/%d/%Y %H:%M:%S"
            raise ArmError(
                401, "ExpiredAuthenticationToken", EXPIRED.format(exp=exp.strftime(stamp), now=now.strftime(stamp))
            )
        return claims

    def tenants_of(self, claims: dict[str, object]) -> list[Tenant]:
        """The tenants the principal is in: a user's home tenant and those it is a guest of; an app's own."""
        upn = str(claims.get("upn") or claims.get("preferred_username") or "")
        if upn:
            try:
                user = self.scenario.user(upn)
            except KeyError:
                return []
            refs = (user.tenant, *user.guest_of)
        else:
            refs = (str(claims.get("tid", "")),)
        return [t for t in self.scenario.tenants if t.id in refs]

    def subscriptions_of(self, claims: dict[str, object]) -> list[Subscription]:
        """The token's tenant's subscriptions (a token is for one tenant; ARM lists that tenant's)."""
        tid = str(claims.get("tid", ""))
        return [s for s in self.scenario.subscriptions if s.tenant == tid]
