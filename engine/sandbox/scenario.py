"""Scenario files: the data that describes one simulated machine (directory, tools, endpoints, env)."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.constants import AZURE_POWERSHELL_CLIENT_ID, DEVELOPER_SIGN_ON_CLIENT_ID, VSCODE_CLIENT_ID

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from engine.safe_files import read_regular

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

# The shipped scenarios are package data (engine/sandbox/scenarios/*.toml), read through importlib.resources
# so a wheel, an editable install and a frozen build all find them.
SCENARIO_PACKAGE, SCENARIO_FOLDER = "engine.sandbox", "scenarios"

# Tool modes a scenario may choose; the tool shims implement each one.
TOOL_MODES = ("signed_in", "not_signed_in", "absent", "module_missing", "garbage", "aadsts_error", "hang")
# How the fake azd reports failures: the consoleMessage envelope (azd < 1.23.7) or {"error": ...} (1.24+).
AZD_ERROR_FORMATS = ("console", "json")
# The Azure CLI releases the sandbox's az can be (engine/sandbox/tools/az_release.py).
AZ_RELEASES = ("", "2.91", "2.67")
MI_KINDS = ("none", "imds", "app_service", "cloud_shell", "azure_ml", "arc")
MI_MODES = ("ok", "identity_not_found", "http_500", "html", "wrong_header", "slow", "no_response")
# An app registration's consent state: granted (by an admin, for everyone), required (each user accepts once on
# the consent page), admin (only an admin may consent; other users cannot get a token).
CONSENT_MODES = ("granted", "required", "admin")
CONDITIONAL_ACCESS_MODES = ("", "block")
SUBSCRIPTION_STATES = ("Enabled", "Warned", "PastDue", "Disabled", "Deleted")

UNKNOWN_SCENARIO = "unknown sandbox scenario {name!r}{hint}; available: {names}"
DID_YOU_MEAN = " (did you mean {match!r}?)"
BROKEN_FILE = "{path}: {problem}"
MISSING_KEY = "a required key {key} is missing"
WRONG_SHAPE = "a value has the wrong type or shape ({detail})"
NOT_TOML = "not valid TOML ({detail})"
NOT_UTF8 = "not UTF-8 text (byte {position})"
TOO_DEEP = "nested too deeply"
SCENARIO_MAX_BYTES = 1024 * 1024


class ScenarioError(ValueError, LookupError):
    """A scenario that cannot be loaded: one line naming the file (or the name) and what is wrong."""


UNKNOWN_REF = "scenario {scenario!r}: {kind} {ref!r} is not declared"
BAD_MODE = "scenario {scenario!r}: {what} mode {mode!r} is not one of {allowed}"


@dataclass(frozen=True)
class Tenant:
    id: str
    domain: str
    name: str
    country: str = "US"  # ARM's countryCode (Tenants - List)


@dataclass(frozen=True)
class User:
    upn: str
    oid: str
    tenant: str
    password: str
    name: str
    mfa: bool = False  # a Conditional Access policy requires multi-factor authentication
    conditional_access: str = ""  # "block": a policy refuses every token for this user
    admin: bool = False  # may consent for the whole organization
    guest_of: tuple[str, ...] = ()  # tenant ids the user is a guest (B2B member) of, besides their home tenant


@dataclass(frozen=True)
class FederatedCredential:
    issuer: str
    subject: str
    audience: str = "api://AzureADTokenExchange"


@dataclass(frozen=True)
class App:
    """An app registration (service principal) or a first-party public client."""

    name: str
    client_id: str
    object_id: str
    tenant: str
    secrets: tuple[str, ...] = ()
    certificates: tuple[str, ...] = ()
    federated: tuple[FederatedCredential, ...] = ()
    public_client: bool = False  # "Allow public client flows" (device code, password); not the auth-code flow
    family: bool = False
    roles: tuple[str, ...] = ()
    redirect_uris: tuple[str, ...] = ()  # "Mobile and desktop applications": public clients redeem codes
    web_redirect_uris: tuple[str, ...] = ()  # "Web": the code redemption needs the app's secret or certificate
    consent: str = "granted"  # CONSENT_MODES
    assigned_users: tuple[str, ...] = ()  # "Assignment required": only these users (UPNs); empty means everyone
    multi_tenant: bool = False
    identifier_uris: tuple[str, ...] = ()  # the app's own API: api://<client_id> is always one


@dataclass(frozen=True)
class Identity:
    """A managed identity (system- or user-assigned) as Entra sees it: a service principal."""

    name: str
    client_id: str
    object_id: str
    tenant: str
    resource_id: str


@dataclass(frozen=True)
class Subscription:
    id: str
    name: str
    tenant: str
    state: str = "Enabled"  # ARM's SubscriptionState: Enabled, Warned, PastDue, Disabled, Deleted


@dataclass(frozen=True)
class ToolSpec:
    mode: str = "absent"
    account: str = ""
    subscription: str = ""
    errors: str = "console"  # azd only: AZD_ERROR_FORMATS
    version: str = ""  # az only: the release the stand-in is a twin of (AZ_RELEASES; "" = the default)


@dataclass(frozen=True)
class ManagedIdentitySpec:
    kind: str = "none"
    mode: str = "ok"
    system: str = ""
    user_assigned: tuple[str, ...] = ()
    delay: float = 3.0


@dataclass(frozen=True)
class WorkloadIdentitySpec:
    app: str
    issuer: str
    subject: str


@dataclass(frozen=True)
class SharedCacheSpec:
    accounts: tuple[str, ...] = ()
    revoked: tuple[str, ...] = ()


@dataclass(frozen=True)
class BrowserSpec:
    """The scripted browser: which accounts already have a session and which one to pick."""

    sessions: tuple[str, ...] = ()
    choose: str = ""
    consent: str = "accept"  # or "decline": what the person answers on a consent page


@dataclass(frozen=True)
class Expected:
    credential: str
    account: str
    members: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    tenants: tuple[Tenant, ...]
    users: tuple[User, ...]
    apps: tuple[App, ...]
    identities: tuple[Identity, ...]
    subscriptions: tuple[Subscription, ...]
    tools: dict[str, ToolSpec]
    managed_identity: ManagedIdentitySpec
    workload_identity: WorkloadIdentitySpec | None
    shared_cache: SharedCacheSpec
    browser: BrowserSpec
    env: dict[str, str]
    expected: Expected
    raw: dict[str, Any]
    path: Path | None = None

    def tenant(self, ref: str) -> Tenant:
        """Find a tenant by id or domain (case-insensitive), as Entra accepts both in URLs."""
        for tenant in self.tenants:
            if ref.lower() in (tenant.id.lower(), tenant.domain.lower()):
                return tenant
        raise KeyError(ref)

    def user(self, upn: str) -> User:
        for user in self.users:
            if user.upn.lower() == upn.lower():
                return user
        raise KeyError(upn)

    def app(self, ref: str) -> App:
        for app in self.apps:
            if ref in (app.name, app.client_id):
                return app
        raise KeyError(ref)

    def is_app(self, ref: str) -> bool:
        return any(ref in (app.name, app.client_id) for app in self.apps)

    def identity(self, ref: str) -> Identity:
        for identity in self.identities:
            if ref in (identity.name, identity.client_id, identity.object_id):
                return identity
        raise KeyError(ref)

    def subscription_for(self, spec: ToolSpec, tenant_id: str) -> Subscription | None:
        for sub in self.subscriptions:
            if spec.subscription and spec.subscription.lower() in (sub.id.lower(), sub.name.lower()):
                return sub
        return next((s for s in self.subscriptions if s.tenant == tenant_id), None)


# First-party public clients of the FOCI family; always registered in every tenant. Each lists http://localhost as
# a desktop redirect URI (Entra ignores the port of a loopback redirect URI, so any port matches).
FIRST_PARTY_REDIRECT_URIS = ("http://localhost",)
FIRST_PARTY_APPS = (
    ("Microsoft Azure CLI", DEVELOPER_SIGN_ON_CLIENT_ID),
    ("Microsoft Azure PowerShell", AZURE_POWERSHELL_CLIENT_ID),
    ("Visual Studio Code", VSCODE_CLIENT_ID),
)


def shipped_scenarios() -> Traversable:
    """The folder of scenario files that ship inside the package."""
    return resources.files(SCENARIO_PACKAGE) / SCENARIO_FOLDER


def list_scenarios() -> list[str]:
    """Names of the shipped scenarios (engine/sandbox/scenarios/NAME.toml)."""
    return sorted(f.name.removesuffix(".toml") for f in shipped_scenarios().iterdir() if f.name.endswith(".toml"))


def load(name_or_path: str | Path) -> Scenario:
    """Load a scenario by file path, or by the name of a shipped one; ScenarioError if it cannot be."""
    path = Path(name_or_path)
    # A path (it has a folder or a .toml suffix) is read as a file whatever it is, so a missing file or a
    # folder is named as such rather than as an unknown scenario name.
    if path.suffix == ".toml" or "/" in str(name_or_path) or os.sep in str(name_or_path):
        source: Path | Traversable = path
        name, origin = path.stem, path
    else:
        name = str(name_or_path)
        source = shipped_scenarios() / f"{name}.toml"
        if not source.is_file():
            names = list_scenarios()
            close = difflib.get_close_matches(name, names, n=1)
            hint = DID_YOU_MEAN.format(match=close[0]) if close else ""
            raise ScenarioError(UNKNOWN_SCENARIO.format(name=name, hint=hint, names=", ".join(names)))
        origin = None
    try:
        data = (
            read_regular(source, what="scenario", max_bytes=SCENARIO_MAX_BYTES)
            if isinstance(source, Path)
            else source.read_bytes()
        )
        return from_dict(parse(data), name=name, path=origin)
    except ScenarioError:
        raise
    except OSError as ex:  # FileRefused names the file already
        raise ScenarioError(str(ex)) from None
    except ValueError as ex:
        raise ScenarioError(BROKEN_FILE.format(path=origin or f"{name}.toml", problem=ex)) from None
    except KeyError as ex:
        raise ScenarioError(
            BROKEN_FILE.format(path=origin or f"{name}.toml", problem=MISSING_KEY.format(key=ex))
        ) from None
    except (TypeError, AttributeError) as ex:
        raise ScenarioError(
            BROKEN_FILE.format(path=origin or f"{name}.toml", problem=WRONG_SHAPE.format(detail=ex))
        ) from None


def parse(data: bytes) -> dict[str, Any]:
    """TOML bytes to tables; ValueError with a short reason for anything else (bad UTF-8, bad TOML, nesting)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as ex:
        raise ValueError(NOT_UTF8.format(position=ex.start)) from None
    try:
        return tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as ex:
        raise ValueError(NOT_TOML.format(detail=ex)) from None
    except RecursionError:
        raise ValueError(TOO_DEEP) from None


def from_dict(data: dict[str, Any], *, name: str, path: Path | None = None) -> Scenario:
    """Build a Scenario from parsed TOML, resolving tenant references and validating modes."""
    tenants = tuple(
        Tenant(t["id"], t["domain"], t.get("name", t["domain"]), t.get("country", "US"))
        for t in data.get("tenants", ())
    )
    if not tenants:
        raise ValueError(f"scenario {name!r} declares no tenant")

    def tenant_id(ref: str | None) -> str:
        if not ref:
            return tenants[0].id
        for t in tenants:
            if ref.lower() in (t.id.lower(), t.domain.lower()):
                return t.id
        raise ValueError(UNKNOWN_REF.format(scenario=name, kind="tenant", ref=ref))

    users = tuple(
        User(
            u["upn"],
            u["oid"],
            tenant_id(u.get("tenant")),
            u.get("password", ""),
            u.get("name", u["upn"]),
            mfa=bool(u.get("mfa", False)),
            conditional_access=u.get("conditional_access", ""),
            admin=bool(u.get("admin", False)),
            guest_of=tuple(tenant_id(ref) for ref in u.get("guest_of", ())),
        )
        for u in data.get("users", ())
    )
    for user in users:
        _check(name, f"users.{user.upn}.conditional_access", user.conditional_access, CONDITIONAL_ACCESS_MODES)
    apps = [
        App(
            name=a["name"],
            client_id=a["client_id"],
            object_id=a.get("object_id", a["client_id"]),
            tenant=tenant_id(a.get("tenant")),
            secrets=tuple(a.get("secrets", ())),
            certificates=tuple(a.get("certificates", ())),
            federated=tuple(FederatedCredential(**f) for f in a.get("federated", ())),
            public_client=a.get("public_client", False),
            roles=tuple(a.get("roles", ())),
            redirect_uris=tuple(a.get("redirect_uris", ())),
            web_redirect_uris=tuple(a.get("web_redirect_uris", ())),
            consent=a.get("consent", "granted"),
            assigned_users=tuple(a.get("assigned_users", ())),
            multi_tenant=bool(a.get("multi_tenant", False)),
            identifier_uris=tuple(a.get("identifier_uris", ())),
        )
        for a in data.get("apps", ())
    ]
    for app in apps:
        _check(name, f"apps.{app.name}.consent", app.consent, CONSENT_MODES)
    known = {a.client_id for a in apps}
    apps += [
        App(
            name=n,
            client_id=c,
            object_id=c,
            tenant=tenants[0].id,
            public_client=True,
            family=True,
            redirect_uris=FIRST_PARTY_REDIRECT_URIS,
            multi_tenant=True,
        )
        for n, c in FIRST_PARTY_APPS
        if c not in known
    ]
    identities = tuple(
        Identity(
            i["name"],
            i["client_id"],
            i["object_id"],
            tenant_id(i.get("tenant")),
            i.get(
                "resource_id",
                f"/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg"
                f"/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{i['name']}",
            ),
        )
        for i in data.get("identities", ())
    )
    subscriptions = tuple(
        Subscription(s["id"], s["name"], tenant_id(s.get("tenant")), s.get("state", "Enabled"))
        for s in data.get("subscriptions", ())
    )
    for sub in subscriptions:
        _check(name, f"subscriptions.{sub.name}.state", sub.state, SUBSCRIPTION_STATES)
    tools = {}
    for tool in ("az", "azd", "pwsh"):
        spec = data.get("tools", {}).get(tool, {})
        mode = spec.get("mode", "absent")
        _check(name, f"tools.{tool}", mode, TOOL_MODES)
        errors = spec.get("errors", "console")
        _check(name, f"tools.{tool}.errors", errors, AZD_ERROR_FORMATS if tool == "azd" else ("console",))
        version = spec.get("version", "")
        _check(name, f"tools.{tool}.version", version, AZ_RELEASES if tool == "az" else ("",))
        tools[tool] = ToolSpec(mode, spec.get("account", ""), spec.get("subscription", ""), errors, version)
    mi = data.get("managed_identity", {})
    mi_spec = ManagedIdentitySpec(
        kind=mi.get("kind", "none"),
        mode=mi.get("mode", "ok"),
        system=mi.get("system", ""),
        user_assigned=tuple(mi.get("user_assigned", ())),
        delay=float(mi.get("delay", 3.0)),
    )
    _check(name, "managed_identity.kind", mi_spec.kind, MI_KINDS)
    _check(name, "managed_identity", mi_spec.mode, MI_MODES)
    wi = data.get("workload_identity")
    expected = data.get("expected", {})
    scenario = Scenario(
        name=name,
        description=data.get("description", "").strip(),
        tenants=tenants,
        users=users,
        apps=tuple(apps),
        identities=identities,
        subscriptions=subscriptions,
        tools=tools,
        managed_identity=mi_spec,
        workload_identity=WorkloadIdentitySpec(**wi) if wi else None,
        shared_cache=SharedCacheSpec(**{k: tuple(v) for k, v in data.get("shared_cache", {}).items()}),
        browser=BrowserSpec(
            **{k: (tuple(v) if isinstance(v, list) else v) for k, v in data.get("browser", {}).items()}
        ),
        env={k: str(v) for k, v in data.get("env", {}).items()},
        expected=Expected(
            expected.get("credential", ""), expected.get("account", ""), dict(expected.get("members", {}))
        ),
        raw=data,
        path=path,
    )
    _check_references(scenario)
    return scenario


def _check(scenario: str, what: str, mode: str, allowed: tuple[str, ...]) -> None:
    if mode not in allowed:
        raise ValueError(BAD_MODE.format(scenario=scenario, what=what, mode=mode, allowed=", ".join(allowed)))


def _check_references(s: Scenario) -> None:
    """Fail at load time, not deep inside a request handler, when a name points nowhere."""
    # az may also be signed in as a service principal (an app's name or client id).
    refs = [("user", t.account) for n, t in s.tools.items() if t.account and not (n == "az" and s.is_app(t.account))]
    refs += [("user", u) for u in (*s.shared_cache.accounts, *s.shared_cache.revoked, *s.browser.sessions)]
    if s.browser.choose:
        refs.append(("user", s.browser.choose))
    mi = s.managed_identity
    mi_refs = [r for r in (mi.system, *mi.user_assigned) if r]
    lookups = {"user": s.user, "identity": s.identity, "app": s.app}
    if mi.kind == "cloud_shell":
        refs += [("user", r) for r in mi_refs]
    else:
        refs += [("identity", r) for r in mi_refs]
    if s.workload_identity:
        refs.append(("app", s.workload_identity.app))
    refs += [("user", upn) for app in s.apps for upn in app.assigned_users]
    for kind, ref in refs:
        try:
            lookups[kind](ref)
        except KeyError:
            raise ValueError(UNKNOWN_REF.format(scenario=s.name, kind=kind, ref=ref)) from None


def merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge tables; lists and scalars in `overrides` replace the base value."""
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def with_overrides(scenario: Scenario, overrides: dict[str, Any]) -> Scenario:
    """The same scenario with parts replaced, e.g. {"tools": {"az": {"mode": "hang"}}}."""
    return from_dict(merge(scenario.raw, overrides), name=scenario.name, path=scenario.path)
