"""The Entra ID stand-in: directory data plus the HTTP routes (discovery, realm, authorize, token)."""

from __future__ import annotations

import re
import urllib.parse

from engine.sandbox import authorize, device_code, grants
from engine.sandbox.directory import MULTI_TENANT, Directory
from engine.sandbox.entra_errors import EntraError
from engine.sandbox.httpserver import Request, Response
from engine.sandbox.scenario import Scenario, Tenant
from engine.sandbox.tls import INTERCEPTED_HOSTS
from engine.sandbox.tokens import TokenIssuer

_ROUTE = re.compile(r"^/(?P<tenant>[^/]+)(?P<rest>/.*)$")
NOT_FOUND_PAGE = "<html><body><h1>404 - Not Found</h1></body></html>"


class Authority:
    """Serves one scenario's directory; `__call__` is the HTTP app (mounted on TLS and behind the proxy)."""

    def __init__(self, scenario: Scenario, issuer: TokenIssuer) -> None:
        self.scenario = scenario
        self.issuer = issuer
        self.directory = Directory(scenario, issuer)  # all the handlers see
        self.app_certificates = self.directory.app_certificates
        self.federated_issuer_keys = self.directory.federated_issuer_keys
        self.requests: list[str] = []  # "METHOD host/path", for tests and the demo's request log

    def tenant(self, ref: str) -> Tenant:
        return self.directory.tenant(ref)

    def __call__(self, request: Request) -> Response:
        self.requests.append(f"{request.method} {request.host}{request.path}")
        try:
            return self._route(request)
        except EntraError as err:
            return Response.json(err.body(), err.status)

    def _route(self, request: Request) -> Response:
        match = _ROUTE.match(request.path)
        if not match:
            return Response.html(NOT_FOUND_PAGE, 404)
        tenant, rest = match["tenant"], match["rest"]
        if rest.startswith("/oauth2/v2.0/authorize"):  # a browser's page: refusals are pages too
            return authorize.handle(self.directory, request, tenant, rest.removeprefix("/oauth2/v2.0/authorize"))
        if rest == "/oauth2/deviceauth":
            return authorize.device_page(self.directory, request)
        if tenant not in MULTI_TENANT:
            self.tenant(tenant)  # unknown tenants fail every route, as they do at Entra
        get, post = request.method in ("GET", "HEAD"), request.method == "POST"
        if get and rest in ("/v2.0/.well-known/openid-configuration", "/.well-known/openid-configuration"):
            return Response.json(self.openid_configuration(request, tenant, v2=rest.startswith("/v2.0")))
        if get and rest in ("/discovery/v2.0/keys", "/discovery/keys"):
            return Response.json(self.issuer.jwks())
        if get and rest == "/discovery/instance":
            return Response.json(self.instance_discovery(request))
        if get and rest.startswith("/userrealm/"):
            return Response.json(self.user_realm(urllib.parse.unquote(rest.removeprefix("/userrealm/"))))
        if post and rest == "/oauth2/v2.0/devicecode":
            return Response.json(device_code.start(self.directory, request, tenant))
        if post and rest in ("/oauth2/v2.0/token", "/oauth2/token"):
            return Response.json(grants.token(self.directory, request, tenant))
        return Response.html(NOT_FOUND_PAGE, 404)

    def openid_configuration(self, request: Request, tenant: str, *, v2: bool) -> dict[str, object]:
        base = request.base_url
        tid = tenant if tenant in MULTI_TENANT else self.tenant(tenant).id
        issuer_tid = "{tenantid}" if tenant in MULTI_TENANT else tid
        suffix = "/v2.0" if v2 else ""
        return {
            "token_endpoint": f"{base}/{tid}/oauth2{suffix}/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": f"{base}/{tid}/discovery{suffix}/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"https://login.microsoftonline.com/{issuer_tid}/v2.0"
            if v2
            else f"https://sts.windows.net/{issuer_tid}/",
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
            "authorization_endpoint": f"{base}/{tid}/oauth2{suffix}/authorize",
            "device_authorization_endpoint": f"{base}/{tid}/oauth2{suffix}/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{base}/{tid}/oauth2{suffix}/logout",
            "claims_supported": [
                "sub",
                "iss",
                "cloud_instance_name",
                "cloud_instance_host_name",
                "cloud_graph_host_name",
                "msgraph_host",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "acr",
                "nonce",
                "preferred_username",
                "name",
                "tid",
                "ver",
                "at_hash",
                "c_hash",
                "email",
            ],
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net",
        }

    def instance_discovery(self, request: Request) -> dict[str, object]:
        """Known clouds as Entra lists them; the sandbox's own address counts as a known instance."""
        endpoint = request.query.get("authorization_endpoint", "")
        host = urllib.parse.urlsplit(endpoint).netloc or request.host
        public = list(INTERCEPTED_HOSTS)
        metadata: list[dict[str, object]] = [
            {
                "preferred_network": "login.microsoftonline.com",
                "preferred_cache": "login.windows.net",
                "aliases": public,
            },
            {
                "preferred_network": "login.partner.microsoftonline.cn",
                "preferred_cache": "login.partner.microsoftonline.cn",
                "aliases": ["login.partner.microsoftonline.cn", "login.chinacloudapi.cn"],
            },
            {
                "preferred_network": "login.microsoftonline.us",
                "preferred_cache": "login.microsoftonline.us",
                "aliases": ["login.microsoftonline.us", "login.usgovcloudapi.net"],
            },
        ]
        if host not in public:
            metadata.append({"preferred_network": host, "preferred_cache": host, "aliases": [host]})
        tenant = endpoint.split("/")[3] if endpoint.count("/") >= 4 else "common"
        return {
            "tenant_discovery_endpoint": f"https://{host}/{tenant}/v2.0/.well-known/openid-configuration",
            "api-version": "1.1",
            "metadata": metadata,
        }

    def user_realm(self, username: str) -> dict[str, object]:
        domain = username.rsplit("@", 1)[-1]
        try:
            tenant = self.tenant(domain)
        except EntraError:
            return {"ver": "1.0", "account_type": "Unknown", "cloud_instance_name": "microsoftonline.com"}
        return {
            "ver": "1.0",
            "account_type": "Managed",
            "domain_name": tenant.domain,
            "cloud_instance_name": "microsoftonline.com",
            "cloud_audience_urn": "urn:federation:MicrosoftOnline",
        }
