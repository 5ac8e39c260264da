"""What the authorize and token handlers may see of the authority: the directory and the run's mutable state.

The handlers take a Directory, not the Authority: they look up tenants, apps and users, mint tokens, keep sign-in
flows and consents, and never reach the HTTP routing. App-registration rules that need no state (which redirect
URIs an app lists, which scopes name a known resource) are pure functions here, each with its own tests.
"""

from __future__ import annotations

import secrets
import threading
import urllib.parse
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from engine.sandbox import entra_errors as E
from engine.sandbox.scenario import App, Scenario, Tenant, User
from engine.sandbox.tokens import OIDC_SCOPES, Principal, TokenIssuer

MULTI_TENANT = ("organizations", "common", "consumers")
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
# Resources every tenant has: Microsoft's own APIs, by host suffix (Azure public, US Government, China).
FIRST_PARTY_RESOURCE_SUFFIXES = (
    ".azure.com",
    ".azure.net",
    ".windows.net",
    ".microsoft.com",
    ".microsoftonline.com",
    ".azure.us",
    ".usgovcloudapi.net",
    ".chinacloudapi.cn",
    ".loganalytics.io",
    ".applicationinsights.io",
    ".powerbi.com",
    ".dynamics.com",
)
FIRST_PARTY_RESOURCE_IDS = (
    "00000003-0000-0000-c000-000000000000",  # Microsoft Graph
    "797f4846-ba00-4fd7-ba43-dac1f8f63013",  # Azure Service Management
    "499b84ac-1321-427f-aa17-267ca6975798",  # Azure DevOps
    "cfa8b339-82a2-471a-a3c9-0fc0be7a4093",  # Azure Key Vault
)


def redirect_platform(app: App, redirect_uri: str) -> str | None:
    """ "desktop" or "web" when the app lists the URI (a loopback URI matches on any port), else None."""
    for platform, registered in (("desktop", app.redirect_uris), ("web", app.web_redirect_uris)):
        if any(redirect_matches(r, redirect_uri) for r in registered):
            return platform
    return None


def redirect_matches(registered: str, sent: str) -> bool:
    """Entra's rule: exact match, except that the port of an http loopback URI is ignored."""
    if registered == sent:
        return True
    r, s = urllib.parse.urlsplit(registered), urllib.parse.urlsplit(sent)
    if r.scheme != "http" or r.hostname not in LOOPBACK_HOSTS:
        return False
    return (s.scheme, s.hostname, s.path.rstrip("/"), s.query) == (r.scheme, r.hostname, r.path.rstrip("/"), r.query)


def resource_scopes(scopes: list[str]) -> list[str]:
    return [s for s in scopes if s not in OIDC_SCOPES]


def scope_problem(scopes: list[str]) -> str | None:
    """The first scope Entra calls invalid (70011): a resource without a permission, or a second resource."""
    resources: set[str] = set()
    for scope in resource_scopes(scopes):
        parts = urllib.parse.urlsplit(scope)
        if parts.scheme and not parts.path.lstrip("/"):
            return scope  # "https://management.azure.com" names no permission
        if "/" in scope:
            resources.add(scope.rsplit("/", 1)[0].rstrip("/"))
        if len(resources) > 1:
            return " ".join(scopes)
    return None


class Directory:
    """One scenario's directory plus what a run accumulates: flows in progress, consents given, keys registered."""

    def __init__(self, scenario: Scenario, issuer: TokenIssuer) -> None:
        self.scenario = scenario
        self.issuer = issuer
        self.app_certificates: dict[str, list[x509.Certificate]] = {}
        self.federated_issuer_keys: dict[str, RSAPublicKey] = {}
        self.flows = FlowStore()
        self.device_flows = DeviceFlows()
        self._consents: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    # -- lookups that fail with Entra's own errors -------------------------------------------------
    def tenant(self, ref: str) -> Tenant:
        try:
            return self.scenario.tenant(ref)
        except KeyError:
            raise E.EntraError.of(E.TENANT_NOT_FOUND, tenant=ref) from None

    def tenant_name(self, ref: str) -> str:
        """How Entra names the tenant in messages: its display name, or the segment itself for /organizations."""
        return ref if ref in MULTI_TENANT else self.tenant(ref).name

    def app(self, client_id: str, tenant: str) -> App:
        """The app as seen from ``tenant``: a single-tenant app exists only in its home tenant (700016)."""
        try:
            app = self.scenario.app(client_id)
        except KeyError:
            raise E.EntraError.of(E.APP_NOT_FOUND, client_id=client_id, tenant=tenant) from None
        if tenant not in MULTI_TENANT and not app.multi_tenant and self.tenant(tenant).id != app.tenant:
            raise E.EntraError.of(E.APP_NOT_FOUND, client_id=client_id, tenant=tenant)
        return app

    def user(self, upn: str) -> User | None:
        try:
            return self.scenario.user(upn)
        except KeyError:
            return None

    def check_resource(self, scopes: list[str], tenant: str) -> None:
        """500011 when a scope's resource is neither Microsoft's nor an API of one of the scenario's apps."""
        for scope in resource_scopes(scopes):
            if "/" not in scope:
                continue  # a bare Graph permission such as User.Read
            resource = scope.rsplit("/", 1)[0].rstrip("/")
            if not self.knows_resource(resource):
                raise E.EntraError.of(E.RESOURCE_NOT_FOUND, resource=resource, tenant_name=self.tenant_name(tenant))

    def knows_resource(self, resource: str) -> bool:
        parts = urllib.parse.urlsplit(resource)
        host = (parts.hostname or "").lower()
        if parts.scheme == "https" and any(("." + host).endswith(suffix) for suffix in FIRST_PARTY_RESOURCE_SUFFIXES):
            return True
        if resource in FIRST_PARTY_RESOURCE_IDS:
            return True
        return any(resource in (f"api://{a.client_id}", a.client_id, *a.identifier_uris) for a in self.scenario.apps)

    # -- consent -----------------------------------------------------------------------------------
    def consented(self, user: User, app: App) -> bool:
        if app.consent == "granted":
            return True
        with self._lock:
            return (user.oid, app.client_id) in self._consents or ("*", app.client_id) in self._consents

    def grant_consent(self, user: User, app: App, *, for_organization: bool = False) -> None:
        with self._lock:
            self._consents.add(("*" if for_organization else user.oid, app.client_id))

    def require_consent(self, user: User, app: App) -> None:
        if not self.consented(user, app):
            raise E.EntraError.of(E.CONSENT_REQUIRED, client_id=app.client_id, app_name=app.name)

    def check_user_policies(self, user: User, app: App, scopes: list[str], *, mfa_done: bool) -> None:
        """What Conditional Access and assignment say at token issuance: 53003, 50105, 50076."""
        if user.conditional_access == "block":
            raise E.EntraError.of(E.BLOCKED_BY_CONDITIONAL_ACCESS)
        if app.assigned_users and user.upn.lower() not in (u.lower() for u in app.assigned_users):
            raise E.EntraError.of(E.NOT_ASSIGNED, client_id=app.client_id, app_name=app.name)
        if user.mfa and not mfa_done:
            resource = next((s.rsplit("/", 1)[0] for s in resource_scopes(scopes) if "/" in s), "")
            raise E.EntraError.of(E.MFA_REQUIRED, resource=_resource_id(resource))


def _resource_id(resource: str) -> str:
    """Entra names the resource by its app id in 50076; the sandbox knows Microsoft's main ones by URL."""
    known = {
        "https://management.azure.com": "797f4846-ba00-4fd7-ba43-dac1f8f63013",
        "https://management.core.windows.net": "797f4846-ba00-4fd7-ba43-dac1f8f63013",
        "https://graph.microsoft.com": "00000003-0000-0000-c000-000000000000",
        "https://vault.azure.net": "cfa8b339-82a2-471a-a3c9-0fc0be7a4093",
    }
    return known.get(resource.rstrip("/"), resource or "00000003-0000-0000-c000-000000000000")


@dataclass
class Flow:
    """One authorize request in progress: its tenant and parameters, and how far the person has got."""

    tenant: str
    params: dict[str, str]
    user: str = ""  # chosen account, once picked
    mfa_done: bool = False
    device: DeviceFlow | None = None  # a device code sign-in: the result goes to the polling device, not a redirect


class FlowStore:
    def __init__(self) -> None:
        self._flows: dict[str, Flow] = {}
        self._lock = threading.Lock()

    def add(self, flow: Flow) -> str:
        flow_id = secrets.token_urlsafe(16)
        with self._lock:
            self._flows[flow_id] = flow
        return flow_id

    def get(self, flow_id: str) -> Flow | None:
        with self._lock:
            return self._flows.get(flow_id)


@dataclass
class DeviceFlow:
    tenant: str
    client_id: str
    scopes: list[str]
    user_code: str
    expires: float
    app_name: str
    principal: Principal | None = None
    error: E.EntraError | None = None
    redeemed: bool = False


class DeviceFlows:
    def __init__(self) -> None:
        self._by_device: dict[str, DeviceFlow] = {}
        self._lock = threading.Lock()

    def add(self, flow: DeviceFlow) -> str:
        device_code = "DAQABAAEAAA" + secrets.token_urlsafe(48)
        with self._lock:
            self._by_device[device_code] = flow
        return device_code

    def by_device_code(self, device_code: str) -> DeviceFlow | None:
        with self._lock:
            return self._by_device.get(device_code)

    def by_user_code(self, user_code: str) -> tuple[str, DeviceFlow] | None:
        with self._lock:
            for device_code, flow in self._by_device.items():
                if flow.user_code == user_code.strip().upper() and flow.principal is None and flow.error is None:
                    return device_code, flow
        return None
