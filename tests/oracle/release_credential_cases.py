"""A representative per-credential case set for the release oracle: each credential's success and each
of its failure modes, taken from the 1.27 oracles (their replies and stand-ins), as data a release
interpreter can run (tests/oracle/credential_harness.py) and the engine can run as that release.

A case names the credential, how it is wrapped (alone, in a ChainedTokenCredential, or as
DefaultAzureCredential's only member), its constructor and get_token arguments, and its stand-in: a fake
tool (az, azd, pwsh) or a loopback HTTP server (Entra ID over TLS, IMDS, App Service). ``Stage`` starts
the stand-in for one (case, release) and reports what each side sent it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.doubles.fake_tools import FakeTool, tool_path
from tests.doubles.fake_tools import Reply as ToolReply
from tests.doubles.service import CLIENT_ID, RESOURCE, SCOPE, SECRET, TENANT, app_token
from tests.doubles.standins import Reply, Seen, StandIn, TestCA, make_client_certificate, make_jwt
from tests.oracle.test_azd_cli_oracle import AZD_REPLIES
from tests.oracle.test_azure_cli_oracle import AZ_REPLIES, az_output
from tests.oracle.test_azure_powershell_oracle import PWSH_REPLIES
from tests.oracle.test_service_credentials_oracle import (
    APP_SERVICE_PATH,
    AZURE_ML_PATH,
    BAD_SECRET,
    CLOUD_SHELL_PATH,
    IDENTITY_HEADER,
    IDENTITY_NOT_FOUND,
    IMDS_PATH,
    MSI_SECRET,
    NO_FEDERATED_RECORD,
    app_service_token,
    cloud_shell_token,
    imds_token,
    request_shape,
)
from tests.oracle.test_user_credentials_oracle import CASES as USER_CASES
from tests.oracle.test_user_credentials_oracle import Case as UserCase

CLAIMS = '{"access_token":{"nbf":{"essential":true}}}'
# The shared cache oracle's cases (tests/oracle/test_user_credentials_oracle.py) run against every release.
SHARED_CACHE_CASES = (
    "empty-cache",
    "single-account",
    "multiple-accounts",
    "username-selects-one",
    "tenant-selects-one",
    "no-matching-username",
    "cached-access-token",
    "claims-bypass-the-cached-access-token",
    "per-request-tenant-the-user-is-not-in",
    "invalid-grant-evicts-and-fails",
    "invalid-grant-inside-dac-is-unavailable",
    "corrupt-cache-fails",
    "corrupt-cache-stops-dac-too",
    "dac-single-account",
    "dac-multiple-accounts",
)
CERTIFICATE_UNKNOWN = {
    "error": "invalid_client",
    "error_description": "AADSTS700027: The certificate with identifier used to sign the client assertion is not "
    "registered on application.",
}


@dataclass(frozen=True)
class Case:
    credential: str  # azure-identity's class name
    wrap: str = "alone"  # "alone" | "chain" | "dac" (the credential as DefaultAzureCredential's only member)
    ctor: dict[str, Any] = field(default_factory=dict)
    request: dict[str, Any] = field(default_factory=dict)
    scopes: tuple[str, ...] = (SCOPE,)
    tool: tuple[str, tuple[ToolReply, ...]] | None = None  # executable and its replies
    more_tools: tuple[tuple[str, tuple[ToolReply, ...]], ...] = ()  # for a chain of several ("A+B")
    http: str | None = None  # a key of SERVERS
    replies: tuple[Reply, ...] = ()  # the server's token route answers, the last repeating
    env: dict[str, str] = field(default_factory=dict)
    cache: Callable[[dict], str | None] | None = None  # the shared cache's text, from the sandbox's pristine one
    fresh_tokens: bool = False  # the authority issues each side its own token: compare claims, mask request ids


def _tool(name: str, replies: dict, *keys: str, **extra: Any) -> dict[str, Case]:
    credential = {"az": "AzureCliCredential", "azd": "AzureDeveloperCliCredential", "pwsh": "AzurePowerShellCredential"}
    cases = {}
    for key in keys:
        for wrap in ("alone", "dac"):
            cases[f"{name}-{key}-{wrap}"] = Case(credential[name], wrap, tool=(name, (replies[key],)), **extra)
    return cases


def _shared_cache_keywords(case: UserCase) -> dict:
    """The user oracle's keywords: the credential's own, or DefaultAzureCredential's shared_cache_* ones."""
    if not case.dac:
        return dict(case.kwargs)
    return {"shared_cache_" + k if k != "authority" else k: v for k, v in case.kwargs.items()}


def azure_ml_token() -> Reply:
    expires_on = str(int(time.time()) + 3599)
    return Reply.json(
        {"access_token": app_token(), "expires_on": expires_on, "resource": RESOURCE, "token_type": "Bearer"}
    )


AZ_OK = (ToolReply(az_output()),)
AZD_OK = (AZD_REPLIES["success"],)
PWSH_OK = (PWSH_REPLIES["success"],)
CASES: dict[str, Case] = {
    # ---- AzureCliCredential: success, not signed in, other error, garbage, the claims rule, subscription
    **_tool("az", AZ_REPLIES, "success-expires-on-int", "success-expiresOn-local-time-only", "not-logged-in"),
    **_tool("az", AZ_REPLIES, "aadsts-with-az-login-text", "other-error-exit-42", "html-page", "malformed-4"),
    "az-claims-alone": Case("AzureCliCredential", tool=("az", AZ_OK), request={"claims": CLAIMS}),
    "az-claims-chained": Case("AzureCliCredential", "chain", tool=("az", AZ_OK), request={"claims": CLAIMS}),
    "az-tenant": Case("AzureCliCredential", tool=("az", AZ_OK), request={"tenant_id": "tenant-2"}),
    "az-subscription": Case("AzureCliCredential", ctor={"subscription": "My Sub"}, tool=("az", AZ_OK)),
    "az-timeout": Case("AzureCliCredential", ctor={"process_timeout": 1}, tool=("az", (ToolReply(sleep=5),))),
    "az-absent": Case("AzureCliCredential", tool=("az", ()), env={"PATH": "/nonexistent"}),
    # ---- AzureDeveloperCliCredential: stdout vs stderr "not logged in", errors, claims
    **_tool("azd", AZD_REPLIES, "success", "not-logged-in-plain", "not-logged-in-on-stdout"),
    **_tool("azd", AZD_REPLIES, "not-logged-in-console-message", "structured-error-field", "other-error-plain-stderr"),
    **_tool("azd", AZD_REPLIES, "empty-output", "unknown-claims-flag"),
    "azd-not-logged-in-on-stdout-chained": Case(
        "AzureDeveloperCliCredential", "chain", tool=("azd", (AZD_REPLIES["not-logged-in-on-stdout"],))
    ),
    "azd-claims": Case("AzureDeveloperCliCredential", tool=("azd", AZD_OK), request={"claims": CLAIMS}),
    "azd-tenant": Case("AzureDeveloperCliCredential", tool=("azd", AZD_OK), request={"tenant_id": "tenant-2"}),
    # ---- AzurePowerShellCredential: the script sent, module missing, not signed in, errors, claims
    **_tool("pwsh", PWSH_REPLIES, "success", "module-missing", "not-logged-in-plain", "not-logged-in-clixml"),
    **_tool("pwsh", PWSH_REPLIES, "other-error-with-stderr-goes-to-debug-log", "no-marker-is-unexpected-output"),
    "pwsh-tenant": Case("AzurePowerShellCredential", tool=("pwsh", PWSH_OK), request={"tenant_id": "tenant-2"}),
    "pwsh-claims-chained": Case(
        "AzurePowerShellCredential", "chain", tool=("pwsh", PWSH_OK), request={"claims": CLAIMS}
    ),
    # ---- the tools together: a plain chain stops at a broken az; DefaultAzureCredential's first walk goes on
    **{
        f"az-garbage-then-azd-{wrap}": Case(
            "AzureCliCredential+AzureDeveloperCliCredential",
            wrap,
            tool=("az", (AZ_REPLIES["html-page"],)),
            more_tools=(("azd", AZD_OK),),
        )
        for wrap in ("chain", "dac")
    },
    **{
        f"azd-not-logged-in-then-pwsh-{wrap}": Case(
            "AzureDeveloperCliCredential+AzurePowerShellCredential",
            wrap,
            tool=("azd", (AZD_REPLIES["not-logged-in-on-stdout"],)),
            more_tools=(("pwsh", PWSH_OK),),
        )
        for wrap in ("chain", "dac")
    },
    # ---- EnvironmentCredential: unconfigured, secret accepted, secret refused (alone and chained)
    "environment-unconfigured": Case("EnvironmentCredential"),
    "environment-half-configured": Case("EnvironmentCredential", env={"AZURE_CLIENT_ID": CLIENT_ID}),
    **{
        f"environment-secret-{outcome}-{wrap}": Case(
            "EnvironmentCredential", wrap, ctor={"disable_instance_discovery": True}, http="entra", replies=(reply,)
        )
        for outcome, reply in (("token", None), ("refused", Reply.json(BAD_SECRET, 401)))
        for wrap in ("alone", "chain")
    },
    "environment-certificate-token": Case(
        "EnvironmentCredential", ctor={"disable_instance_discovery": True}, http="certificate"
    ),
    "environment-certificate-refused": Case(
        "EnvironmentCredential",
        ctor={"disable_instance_discovery": True},
        http="certificate",
        replies=(Reply.json(CERTIFICATE_UNKNOWN, 401),),
    ),
    "environment-certificate-unreadable": Case(
        "EnvironmentCredential", ctor={"disable_instance_discovery": True}, http="certificate-garbage"
    ),
    # ---- WorkloadIdentityCredential: the file exchanged, no federated record, nothing configured
    "workload-token": Case("WorkloadIdentityCredential", http="workload"),
    "workload-no-federated-record": Case(
        "WorkloadIdentityCredential", http="workload", replies=(Reply.json(NO_FEDERATED_RECORD, 400),)
    ),
    "workload-nothing-configured": Case("WorkloadIdentityCredential"),
    # ---- ManagedIdentityCredential: IMDS token, identity not found, retried statuses; App Service
    "imds-token": Case("ManagedIdentityCredential", http="imds", replies=(imds_token(),)),
    "imds-user-assigned": Case(
        "ManagedIdentityCredential", ctor={"client_id": CLIENT_ID}, http="imds", replies=(imds_token(),)
    ),
    **{
        f"imds-identity-not-found-{status}-{wrap}": Case(
            "ManagedIdentityCredential", wrap, http="imds", replies=(Reply.json(IDENTITY_NOT_FOUND, status),)
        )
        for status in (400, 404)
        for wrap in ("alone", "chain")
    },
    **{
        f"imds-{status}-every-time": Case(
            "ManagedIdentityCredential",
            http="imds",
            replies=(Reply.json({"error": "unknown_error", "error_description": "boom"}, status),),
        )
        for status in (410, 500)
    },
    "imds-claims": Case("ManagedIdentityCredential", http="imds", replies=(imds_token(),), request={"claims": CLAIMS}),
    "app-service-token": Case(
        "ManagedIdentityCredential", ctor={"client_id": CLIENT_ID}, http="app_service", replies=(app_service_token(),)
    ),
    "app-service-error": Case(
        "ManagedIdentityCredential",
        http="app_service",
        replies=(
            Reply.json({"statusCode": 400, "message": "No User Assigned or Delegated Managed Identity found"}, 400),
        ),
    ),
    "managed-identity-nowhere-chained": Case("ManagedIdentityCredential", "chain", http="closed"),
    "cloud-shell-token": Case("ManagedIdentityCredential", http="cloud_shell", replies=(cloud_shell_token(),)),
    "cloud-shell-error": Case(
        "ManagedIdentityCredential",
        http="cloud_shell",
        replies=(Reply.json({"error": "invalid_resource", "error_description": "resource unknown"}, 400),),
    ),
    "azure-ml-token": Case(
        "ManagedIdentityCredential", ctor={"client_id": CLIENT_ID}, http="azure_ml", replies=(azure_ml_token(),)
    ),
    "azure-ml-error": Case(
        "ManagedIdentityCredential",
        http="azure_ml",
        replies=(Reply.json({"error": "invalid_request", "message": "no identity"}, 400),),
    ),
    # ---- SharedTokenCacheCredential on the sandbox's authority: accounts, rejected refresh token, corrupt cache
    **{
        f"shared-cache-{name}": Case(
            "SharedTokenCacheCredential",
            "dac" if case.dac else "alone",
            ctor=_shared_cache_keywords(case),
            request=case.request,
            http="shared_cache",
            env=case.env,
            cache=case.cache_text,
            fresh_tokens=True,
        )
        for name, case in ((c.name, c) for c in USER_CASES)
        if name in SHARED_CACHE_CASES
    },
}


# ---- stand-ins ------------------------------------------------------------------------------------
class Stage:
    """One case's stand-in for one release: started, asked what each side sent, stopped."""

    def __init__(self, case: Case, root: Path, ca: TestCA, box: Any = None) -> None:
        self.case, self.root, self.ca, self.box = case, root, ca, box
        self.server: StandIn | None = None
        self.tools: list[FakeTool] = []
        # Entra's token is issued once per stage, so both sides can get the same one
        self.replies = [r if r is not None else _entra_token() for r in case.replies] or [_entra_token()]
        # ... and the shared cache is written once (its access tokens' expiry with it), for both sides
        self.cache_text = case.cache(box.pristine_cache) if case.cache is not None else None
        root.mkdir(parents=True, exist_ok=True)
        (root / "home").mkdir(exist_ok=True)
        self.env = {"PATH": "/usr/bin:/bin", "HOME": str(root / "home")}
        if case.tool:
            self.tools = [FakeTool(root, name, *replies) for name, replies in (case.tool, *case.more_tools)]
            self.env["PATH"] = tool_path(*self.tools)
        if case.http:
            self.env.update(SERVERS[case.http](self))
        self.env.update(case.env)
        self.script()

    def script(self) -> None:
        """(Re)install the answers: each side starts from the first reply."""
        if self.server is not None and self.case.http in ROUTES:
            ROUTES[self.case.http](self)
        for tool in self.tools:
            tool.reset_calls()
        if self.case.cache is not None:
            self._write_cache()

    def _write_cache(self) -> None:
        """The case's shared cache in this stage's own HOME (so releases can run at once)."""
        assert self.case.cache is not None
        path = Path(self.env["HOME"]) / self.box.shared_cache_path.relative_to(self.box.home)
        text = self.cache_text
        Path(str(path) + ".lockfile").unlink(missing_ok=True)
        if text is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)

    def sent(self) -> list:
        """What the side that just ran sent: the tool's argv per call, or each request's shape."""
        if self.tools:
            found: list = [c.argv for tool in self.tools for c in tool.calls()]
        elif self.server is not None:
            found = [request_shape(s) for s in self.server.seen if s.path != "/"]
            self.server.seen.clear()
        else:
            found = []
        return found

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def _entra_token() -> Reply:
    return Reply.json({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": app_token()})


def _openid(server: StandIn) -> Callable[[Seen], Reply]:
    def answer(seen: Seen) -> Reply:
        base = f"{server.url}/{seen.path.split('/')[1]}"
        return Reply.json(
            {
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "issuer": f"{base}/v2.0",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
            }
        )

    return answer


def _entra(stage: Stage) -> dict[str, str]:
    stage.server = StandIn(stage.ca.server_context)
    return {
        "AZURE_AUTHORITY_HOST": stage.server.url,
        "REQUESTS_CA_BUNDLE": str(stage.ca.ca_pem),
        "AZURE_CLIENT_ID": CLIENT_ID,
        "AZURE_TENANT_ID": TENANT,
        "AZURE_CLIENT_SECRET": SECRET,
    }


def _certificate(stage: Stage, garbage: bool = False) -> dict[str, str]:
    env = _entra(stage)
    del env["AZURE_CLIENT_SECRET"]
    path = stage.root / "client.pem"
    path.write_bytes(b"not a certificate" if garbage else make_client_certificate().pem)
    return {**env, "AZURE_CLIENT_CERTIFICATE_PATH": str(path)}


def _workload(stage: Stage) -> dict[str, str]:
    env = _entra(stage)
    del env["AZURE_CLIENT_SECRET"]
    token_file = stage.root / "federated-token"
    claims = {"iss": "https://oidc.example", "sub": "system:serviceaccount:default:app", "exp": int(time.time()) + 3600}
    token_file.write_text(make_jwt(claims, "CANARY-federated-assertion"))
    return {**env, "AZURE_FEDERATED_TOKEN_FILE": str(token_file)}


def _entra_routes(stage: Stage) -> None:
    assert stage.server is not None
    stage.server.routes[("GET", "/*")] = _openid(stage.server)
    stage.server.routes[("POST", "/*")] = list(stage.replies)


def _imds(stage: Stage) -> dict[str, str]:
    stage.server = StandIn()
    return {"AZURE_POD_IDENTITY_AUTHORITY_HOST": stage.server.url}


def _imds_routes(stage: Stage) -> None:
    assert stage.server is not None
    stage.server.routes[("GET", IMDS_PATH)] = list(stage.case.replies)


def _app_service(stage: Stage) -> dict[str, str]:
    stage.server = StandIn()
    return {"IDENTITY_ENDPOINT": stage.server.url + APP_SERVICE_PATH, "IDENTITY_HEADER": IDENTITY_HEADER}


def _app_service_routes(stage: Stage) -> None:
    assert stage.server is not None
    stage.server.routes[("GET", APP_SERVICE_PATH)] = list(stage.case.replies)


def _msi_endpoint(path: str, method: str, **extra: str) -> tuple[Callable, Callable]:
    """A managed-identity host reached through MSI_ENDPOINT (Cloud Shell, Azure ML): its env and its route."""

    def env(stage: Stage) -> dict[str, str]:
        stage.server = StandIn()
        return {"MSI_ENDPOINT": stage.server.url + path, **extra}

    def routes(stage: Stage) -> None:
        assert stage.server is not None
        stage.server.routes[(method, path)] = list(stage.case.replies)

    return env, routes


_CLOUD_SHELL = _msi_endpoint(CLOUD_SHELL_PATH, "POST")
_AZURE_ML = _msi_endpoint(AZURE_ML_PATH, "GET", MSI_SECRET=MSI_SECRET)


def _closed(stage: Stage) -> dict[str, str]:
    from tests.doubles.standins import closed_port

    return {"AZURE_POD_IDENTITY_AUTHORITY_HOST": f"http://127.0.0.1:{closed_port()}"}


def _shared_cache(stage: Stage) -> dict[str, str]:
    return {**stage.box.env, "HOME": str(stage.root / "home")}


SERVERS: dict[str, Callable[[Stage], dict[str, str]]] = {
    "shared_cache": _shared_cache,
    "entra": _entra,
    "certificate": _certificate,
    "certificate-garbage": lambda stage: _certificate(stage, garbage=True),
    "workload": _workload,
    "imds": _imds,
    "app_service": _app_service,
    "closed": _closed,
    "cloud_shell": _CLOUD_SHELL[0],
    "azure_ml": _AZURE_ML[0],
}
ROUTES: dict[str, Callable[[Stage], None]] = {
    "entra": _entra_routes,
    "workload": _entra_routes,
    "certificate": _entra_routes,
    "certificate-garbage": _entra_routes,
    "imds": _imds_routes,
    "app_service": _app_service_routes,
    "cloud_shell": _CLOUD_SHELL[1],
    "azure_ml": _AZURE_ML[1],
}
