"""The Sandbox object: starts a scenario's servers, files and tools on loopback; stops every piece of it."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import jwt

from engine.constants import AZURE_POWERSHELL_CLIENT_ID, DEVELOPER_SIGN_ON_CLIENT_ID
from engine.env_vars import CHAINSIGHT_SANDBOX_STATE
from engine.sandbox import arc_mount, environment, orphans, profiles, token_cache, tools
from engine.sandbox.arm import ResourceManager
from engine.sandbox.authority import Authority
from engine.sandbox.grants import principal_of
from engine.sandbox.httpserver import LoopbackServer
from engine.sandbox.managed_identity import PATHS, ManagedIdentityEndpoints
from engine.sandbox.proxy import ProxyServer
from engine.sandbox.scenario import Scenario
from engine.sandbox.tls import CertificateAuthority, cached_key, self_signed_client_cert, server_context
from engine.sandbox.tokens import TokenIssuer

# Client ids the real tools sign in with (all FOCI members, so one refresh token family serves them).
TOOL_CLIENT_IDS = {
    "az": DEVELOPER_SIGN_ON_CLIENT_ID,
    "azd": DEVELOPER_SIGN_ON_CLIENT_ID,
    "pwsh": AZURE_POWERSHELL_CLIENT_ID,
}
SCENARIO_ENV = "CHAINSIGHT_SANDBOX_SCENARIO"
ARC_KEY_DIR = arc_mount.KEY_DIR  # fixed by msal; see arc_key_dir()
ARC_NEEDS_ISOLATION = (
    "chainsight sandbox: scenario {name!r} uses Azure Arc, whose clients read the key file only from "
    "{path}, which this sandbox cannot use here; run `chainsight sandbox exec --isolate-network` for Arc"
)
PUBLIC_AUTHORITY_HOST = "https://login.microsoftonline.com/"
logger = logging.getLogger(__name__)


def arc_key_dir(tmp: Path) -> Path:
    """Where the Arc stand-in writes its key files: msal reads only /var/opt/azcmagent/tokens, so Arc works
    for real clients only in a namespace whose private copy of that folder arc_mount made (never the real
    machine's folder); otherwise keys stay in the run folder."""
    return arc_mount.private_key_dir(os.environ) or tmp / "azcmagent-tokens"


class Sandbox:
    """A running scenario. Use as a context manager, or call start() and stop()."""

    def __init__(self, scenario: Scenario, *, base_env: Mapping[str, str] | None = None) -> None:
        self.scenario = scenario
        self._base_env = dict(os.environ if base_env is None else base_env)
        self._servers: list[LoopbackServer] = []
        self.tmp = Path()
        self.env: dict[str, str] = {}
        self.started = False

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> Sandbox:
        orphans.remove_orphans()
        self.tmp = Path(tempfile.mkdtemp(prefix=f"{orphans.FOLDER_PREFIX}{self.scenario.name}-"))
        try:
            orphans.write_owner(self.tmp)
            self._start()
        except BaseException:
            self.stop()
            raise
        self.started = True
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.stop()
        self._servers.clear()
        if getattr(self, "mi", None) is not None and self.mi.arc_key_dir == ARC_KEY_DIR:
            for key in ARC_KEY_DIR.glob("*.key"):
                key.unlink(missing_ok=True)
        if self.tmp != Path() and self.tmp.exists():
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.started = False

    def __enter__(self) -> Sandbox:
        return self if self.started else self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- public surface ----------------------------------------------------------------------------
    @property
    def authority_url(self) -> str:
        return self.authority_server.url()

    @property
    def arm_url(self) -> str:
        """The Resource Manager stand-in on its own loopback TLS port (management.azure.com goes through the proxy)."""
        return self.arm_server.url()

    @property
    def proxy_url(self) -> str:
        return self.proxy_server.url()

    @property
    def managed_identity_url(self) -> str:
        return self.mi_server.url()

    @property
    def listening_ports(self) -> list[tuple[str, int]]:
        return [s.server_address[:2] for s in self._servers]

    # -- construction ------------------------------------------------------------------------------
    def _start(self) -> None:
        s = self.scenario
        tls_dir = self.tmp / "tls"
        self.ca = CertificateAuthority(tls_dir)
        self.server_cert = self.ca.issue_server_cert()
        self.ca_bundle = self.ca.write_bundle(self.tmp / "ca-bundle.pem")
        context = server_context(self.server_cert)
        self.issuer = TokenIssuer()
        self.authority = Authority(s, self.issuer)
        values = self._app_certificates()
        values.update(self._workload_identity())
        self.mi = ManagedIdentityEndpoints(s, self.issuer, arc_key_dir(self.tmp))
        if s.managed_identity.kind == "arc" and self.mi.arc_key_dir != ARC_KEY_DIR:
            # The CLI configures no logging: Python's last-resort handler prints this one line on stderr.
            logger.warning(ARC_NEEDS_ISOLATION.format(name=s.name, path=ARC_KEY_DIR))
        self.arm = ResourceManager(s, self.issuer)
        self.authority_server = LoopbackServer(self.authority, tls=context, name="authority").start()
        self.arm_server = LoopbackServer(self.arm, tls=context, name="resource-manager").start()
        self.mi_server = LoopbackServer(self.mi, name="managed-identity").start()
        self.proxy_server = ProxyServer(self.authority, context, self.mi, self.arm).start()
        self._servers = [self.proxy_server, self.authority_server, self.arm_server, self.mi_server]
        self.home = self.tmp / "home"
        self.home.mkdir()
        profiles.write_all(self.home, s, self.issuer)
        self.shared_cache_path = token_cache.write(self.home, s, self.issuer)
        self.state_path = self._write_state()
        self.bin_dir = self.tmp / "bin"
        present = {t for t, spec in s.tools.items() if spec.mode != "absent"} | {"chainsight-sandbox-browser"}
        path_dirs = environment.search_path(self.bin_dir)
        tools.install(self.bin_dir, present, environment.shadowed_tools(set(s.tools) - present, path_dirs))
        values.update(
            home=str(self.home),
            tmp=str(self.tmp),
            authority_url=self.authority_url,
            proxy_url=self.proxy_url,
            mi_url=self.managed_identity_url,
        )
        self.env = environment.build(
            self._base_env,
            bin_dir=self.bin_dir,
            home=self.home,
            proxy_url=self.proxy_url,
            ca_bundle=self.ca_bundle,
            wiring=self._wiring(values),
            scenario_env=s.env,
            values=values,
        )

    def _app_certificates(self) -> dict[str, str]:
        values = {}
        for app in self.scenario.apps:
            for name in app.certificates:
                issued = self_signed_client_cert(self.tmp / "certs", f"{app.name}-{name}")
                self.authority.app_certificates.setdefault(app.client_id, []).append(issued.cert)
                values[f"cert:{app.name}/{name}"] = str(issued.cert_path)
                values.setdefault(f"cert:{app.name}", str(issued.cert_path))
        return values

    def _workload_identity(self) -> dict[str, str]:
        """Play the cluster's OIDC issuer: sign a projected service-account token for the workload."""
        wi = self.scenario.workload_identity
        if wi is None:
            return {}
        key = cached_key(f"federated:{wi.issuer}")
        self.authority.federated_issuer_keys[wi.issuer] = key.public_key()
        now = int(time.time())
        token = jwt.encode(
            {
                "aud": ["api://AzureADTokenExchange"],
                "iss": wi.issuer,
                "sub": wi.subject,
                "iat": now,
                "nbf": now,
                "exp": now + 86400,
                "kubernetes.io": {"namespace": wi.subject.split(":")[2] if wi.subject.count(":") >= 3 else "default"},
            },
            key,
            algorithm="RS256",
            headers={"kid": "sandbox"},
        )
        path = self.tmp / "workload-identity" / "azure-identity-token"
        path.parent.mkdir()
        path.write_text(token)
        return {"federated_token_file": str(path)}

    def _wiring(self, values: dict[str, str]) -> dict[str, str]:
        """Variables the platform itself would set: MI endpoints, workload identity, the browser, the state file."""
        s, mi = self.scenario, self.scenario.managed_identity
        wiring = {
            CHAINSIGHT_SANDBOX_STATE: str(self.state_path),
            SCENARIO_ENV: s.name,
            "BROWSER": str(self.bin_dir / "chainsight-sandbox-browser"),
        }
        endpoint = f"{self.managed_identity_url}{PATHS.get(mi.kind, '')}"
        if mi.kind == "app_service":
            wiring.update(IDENTITY_ENDPOINT=endpoint, IDENTITY_HEADER=self.mi.env_secret)
        elif mi.kind == "arc":
            wiring.update(IDENTITY_ENDPOINT=endpoint, IMDS_ENDPOINT=self.managed_identity_url)
        elif mi.kind == "azure_ml":
            wiring.update(MSI_ENDPOINT=endpoint, MSI_SECRET=self.mi.env_secret)
        elif mi.kind == "cloud_shell":
            wiring.update(MSI_ENDPOINT=endpoint, AZUREPS_HOST_ENVIRONMENT="cloud-shell/1.0")
        values["imds_url"] = self.managed_identity_url
        if s.workload_identity:
            app = s.app(s.workload_identity.app)
            wiring.update(
                AZURE_CLIENT_ID=app.client_id,
                AZURE_TENANT_ID=app.tenant,
                AZURE_FEDERATED_TOKEN_FILE=values["federated_token_file"],
                AZURE_AUTHORITY_HOST=PUBLIC_AUTHORITY_HOST,
            )
        return wiring

    def _write_state(self) -> Path:
        """The file the fake tools read: their mode, account, subscription and FOCI refresh token."""
        s = self.scenario
        state: dict[str, Any] = {
            "authority_url": self.authority_url,
            "proxy_url": self.proxy_url,
            "sandbox_ca": str(self.ca.cert_path),  # the tools trust only the sandbox: no system CAs to load
            "tools": {},
        }
        for name, spec in s.tools.items():
            entry: dict[str, Any] = {
                "mode": spec.mode,
                "errors": spec.errors,
                "client_id": TOOL_CLIENT_IDS[name],
                "user": None,
                "version": spec.version,
            }
            if name == "az":  # the twin of az reads its sign-in from ~/.azure (profiles.write_az)
                state["tools"][name] = entry
                continue
            if spec.account and spec.mode in ("signed_in", "aadsts_error"):
                user = s.user(spec.account)
                sub = s.subscription_for(spec, user.tenant)
                entry.update(
                    user={"upn": user.upn, "oid": user.oid, "tenant": user.tenant, "name": user.name},
                    subscription={"id": sub.id, "name": sub.name, "tenant": sub.tenant} if sub else {},
                    refresh_token=self.issuer.new_refresh_token(
                        principal_of(user), TOOL_CLIENT_IDS[name], True, revoked=spec.mode == "aadsts_error"
                    ),
                )
            state["tools"][name] = entry
        # Without a scripted choice the browser picks what the account picker offers first: the login_hint's
        # account when the app sent one, else the first signed-in session (as a person would).
        chooser = s.browser.choose
        state["browser"] = {
            "choose": chooser,
            "password": s.user(chooser).password if chooser else "",
            "passwords": {u.upn.lower(): u.password for u in s.users if u.password},
            "consent": s.browser.consent,
        }
        path = self.tmp / "state.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(state, f, indent=2)
        return path
