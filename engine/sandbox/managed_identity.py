"""Managed-identity endpoints (IMDS, App Service, Azure Arc, Cloud Shell, Azure ML) answering as the real ones."""

from __future__ import annotations

import base64
import secrets
import time
import uuid
from pathlib import Path

from engine.constants import DEVELOPER_SIGN_ON_CLIENT_ID
from engine.sandbox.httpserver import Request, Response
from engine.sandbox.scenario import Scenario
from engine.sandbox.tokens import Principal, TokenIssuer

MI_TOKEN_LIFETIME = 86399  # managed-identity tokens live about 24 h
IMDS_PATH = "/metadata/identity/oauth2/token"
PATHS = {
    "imds": IMDS_PATH,
    "app_service": "/msi/token",
    "arc": "/arc" + IMDS_PATH,
    "cloud_shell": "/cloudshell/oauth2/token",
    "azure_ml": "/azureml/msi/token",
}
API_VERSIONS = {"imds": "2018-02-01", "app_service": "2019-08-01", "arc": "2020-06-01", "azure_ml": "2017-09-01"}
# Query parameter names that select a user-assigned identity, per environment.
ID_PARAMS = {
    "imds": ("client_id", "object_id", "msi_res_id"),
    "app_service": ("client_id", "object_id", "mi_res_id", "principal_id"),
    "arc": ("client_id", "object_id", "msi_res_id"),
    "azure_ml": ("clientid", "object_id", "msi_res_id"),
}
_ID_FIELDS = {
    "client_id": "client_id",
    "clientid": "client_id",
    "object_id": "object_id",
    "principal_id": "object_id",
    "msi_res_id": "resource_id",
    "mi_res_id": "resource_id",
}
IMDS_NO_METADATA = {"error": "invalid_request", "error_description": "Required metadata header not specified"}
IMDS_NOT_FOUND = {"error": "invalid_request", "error_description": "Identity not found"}
IMDS_MULTIPLE = {
    "error": "invalid_request",
    "error_description": "Multiple user assigned identities exist, please specify the clientId / "
    "resourceId of the identity in the token request",
}
IMDS_BAD_API = {"error": "invalid_request", "error_description": "Invalid api-version"}
IMDS_500 = {"error": "unknown_error", "error_description": "An unexpected error occurred while fetching the token"}
APP_SERVICE_NOT_FOUND = (
    "No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId."
)
HTML_PAGE = "<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body>Gateway busy</body></html>"
OFF_AZURE_LINE = b"SANDBOX: nothing answers at 169.254.169.254 on this machine\r\n"


class ManagedIdentityEndpoints:
    """The scenario's managed-identity host; `__call__` is the HTTP app (also fed by the proxy for IMDS)."""

    def __init__(self, scenario: Scenario, issuer: TokenIssuer, arc_key_dir: Path) -> None:
        self.scenario = scenario
        self.spec = scenario.managed_identity
        self.issuer = issuer
        self.arc_key_dir = arc_key_dir
        # The secret the endpoint expects; the child's environment gets a stale one in "wrong_header" mode.
        self.header_secret = secrets.token_hex(16)
        self.requests: list[str] = []

    @property
    def env_secret(self) -> str:
        return ("stale" + self.header_secret[5:]) if self.spec.mode == "wrong_header" else self.header_secret

    def __call__(self, request: Request) -> Response:
        self.requests.append(f"{request.method} {request.host}{request.path}?{request.query}")
        kind = self.spec.kind
        if request.path != PATHS.get(kind):
            if request.path == IMDS_PATH:  # the probe of an app that is not on a VM gets what off-Azure gets
                return Response(raw=OFF_AZURE_LINE, delay=1.0)
            return Response.json({"error": "not_found", "error_description": "Not Found"}, 404)
        return getattr(self, f"_{kind}")(request)

    # -- shared pieces -----------------------------------------------------------------------------
    def _failure(self, not_found: Response) -> Response | None:
        mode = self.spec.mode
        if mode == "identity_not_found":
            return not_found
        if mode == "http_500":
            return Response.json(IMDS_500, 500)
        if mode == "html":
            return Response.html(HTML_PAGE, 200)
        if mode == "no_response":
            return Response(hang=True)
        return None

    def _principal(self, query: dict[str, str], params: tuple[str, ...]) -> Principal | dict[str, str] | None:
        """The identity the request selects: dict = error JSON for IMDS-like hosts, None = not found."""
        wanted = next(((p, query[p]) for p in params if query.get(p)), None)
        assigned = [self.scenario.identity(r) for r in self.spec.user_assigned]
        if wanted:
            name, value = wanted
            field = _ID_FIELDS[name]
            match = next((i for i in assigned if getattr(i, field).lower() == value.lower()), None)
            return self._identity_principal(match.name) if match else None
        if self.spec.system:
            return self._identity_principal(self.spec.system)
        if len(assigned) == 1:
            return self._identity_principal(assigned[0].name)
        return IMDS_MULTIPLE if assigned else None

    def _identity_principal(self, name: str) -> Principal:
        ident = self.scenario.identity(name)
        return Principal(oid=ident.object_id, tid=ident.tenant, name=ident.name, mi_resource_id=ident.resource_id)

    def _mint(self, who: Principal, resource: str) -> tuple[str, int]:
        client_id = self.scenario.identity(who.name).client_id if not who.upn else DEVELOPER_SIGN_ON_CLIENT_ID
        return self.issuer.access_token(who, resource, client_id=client_id, appidacr="2", lifetime=MI_TOKEN_LIFETIME)

    def _slow(self, response: Response) -> Response:
        if self.spec.mode == "slow":
            response.delay = self.spec.delay
        return response

    # -- environments ------------------------------------------------------------------------------
    def _imds(self, request: Request) -> Response:
        if request.headers.get("metadata", "").lower() != "true" or self.spec.mode == "wrong_header":
            return Response.json(IMDS_NO_METADATA, 400)
        if request.query.get("api-version") != API_VERSIONS["imds"] and not request.query.get("api-version"):
            return Response.json(IMDS_BAD_API, 400)
        failure = self._failure(Response.json(IMDS_NOT_FOUND, 400))
        if failure:
            return failure
        who = self._principal(request.query, ID_PARAMS["imds"])
        if not isinstance(who, Principal):
            return Response.json(who or IMDS_NOT_FOUND, 400)
        resource = request.query.get("resource", "")
        token, expires_on = self._mint(who, resource)
        ident = self.scenario.identity(who.name)
        return self._slow(
            Response.json(
                {
                    "access_token": token,
                    "client_id": ident.client_id,
                    "expires_in": str(MI_TOKEN_LIFETIME),
                    "expires_on": str(expires_on),
                    "ext_expires_in": str(MI_TOKEN_LIFETIME),
                    "not_before": str(expires_on - MI_TOKEN_LIFETIME),
                    "resource": resource,
                    "token_type": "Bearer",
                }
            )
        )

    def _app_service(self, request: Request) -> Response:
        correlation = str(uuid.uuid4())
        if request.headers.get("x-identity-header") != self.header_secret:
            return Response.json({"statusCode": 401, "message": "Unauthorized", "correlationId": correlation}, 401)
        not_found = Response.json(
            {"statusCode": 400, "message": APP_SERVICE_NOT_FOUND, "correlationId": correlation}, 400
        )
        failure = self._failure(not_found)
        if failure:
            return failure
        who = self._principal(request.query, ID_PARAMS["app_service"])
        if not isinstance(who, Principal):
            return not_found
        return self._expires_on_token(who, request.query.get("resource", ""))

    def _expires_on_token(self, who: Principal, resource: str) -> Response:
        """The App Service / Azure ML answer: an epoch ``expires_on`` (a string, as they send it)."""
        token, expires_on = self._mint(who, resource)
        return self._slow(
            Response.json(
                {
                    "access_token": token,
                    "expires_on": str(expires_on),
                    "resource": resource,
                    "token_type": "Bearer",
                    "client_id": self.scenario.identity(who.name).client_id,
                }
            )
        )

    def _azure_ml(self, request: Request) -> Response:
        if request.headers.get("secret") != self.header_secret:
            return Response.json({"error": "unauthorized", "error_description": "Invalid secret"}, 401)
        failure = self._failure(Response.json(IMDS_NOT_FOUND, 400))
        if failure:
            return failure
        who = self._principal(request.query, ID_PARAMS["azure_ml"])
        if not isinstance(who, Principal):
            return Response.json(IMDS_NOT_FOUND, 400)
        return self._expires_on_token(who, request.query.get("resource", ""))

    def _cloud_shell(self, request: Request) -> Response:
        if (
            request.method != "POST"
            or request.headers.get("metadata", "").lower() != "true"
            or self.spec.mode == "wrong_header"
        ):
            return Response.json(
                {"error": "invalid_request", "error_description": "Required metadata header not specified"}, 400
            )
        failure = self._failure(
            Response.json({"error": "invalid_request", "error_description": "User not signed in"}, 400)
        )
        if failure:
            return failure
        user = self.scenario.user(self.spec.system)
        resource = request.form.get("resource", "")
        who = Principal(oid=user.oid, tid=user.tenant, upn=user.upn, name=user.name)
        token, expires_on = self.issuer.access_token(who, resource, client_id=DEVELOPER_SIGN_ON_CLIENT_ID)
        lifetime = expires_on - int(time.time())
        return self._slow(
            Response.json(
                {
                    "access_token": token,
                    "refresh_token": "",
                    "expires_in": str(lifetime),
                    "expires_on": str(expires_on),
                    "not_before": str(expires_on - lifetime),
                    "resource": resource,
                    "token_type": "Bearer",
                }
            )
        )

    def _arc(self, request: Request) -> Response:
        if request.headers.get("metadata", "").lower() != "true":
            return Response.json(IMDS_NO_METADATA, 400)
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Basic ") or not self._arc_key_valid(auth.removeprefix("Basic ")):
            key_path = self._new_arc_key()
            return Response.json(
                {"error": "unauthorized_client"}, 401, **{"WWW-Authenticate": f"Basic realm={key_path}"}
            )
        failure = self._failure(Response.json(IMDS_NOT_FOUND, 400))
        if failure:
            return failure
        who = self._principal(request.query, ID_PARAMS["arc"])
        if not isinstance(who, Principal):
            return Response.json(who or IMDS_NOT_FOUND, 400)
        resource = request.query.get("resource", "")
        token, expires_on = self._mint(who, resource)
        body = {
            "access_token": token,
            "expires_in": str(MI_TOKEN_LIFETIME),
            "expires_on": str(expires_on),
            "ext_expires_in": str(MI_TOKEN_LIFETIME),
            "not_before": str(expires_on - MI_TOKEN_LIFETIME),
            "resource": resource,
            "token_type": "Bearer",
        }
        body.update({p: request.query[p] for p in ID_PARAMS["arc"] if request.query.get(p)})
        return self._slow(Response.json(body))

    def _new_arc_key(self) -> Path:
        """The agent writes a one-time secret only root (and the himds group) can read; we write it for the caller."""
        self.arc_key_dir.mkdir(parents=True, exist_ok=True)
        path = self.arc_key_dir / f"{uuid.uuid4()}.key"
        path.write_text(base64.b16encode(secrets.token_bytes(32)).decode())
        return path

    def _arc_key_valid(self, secret: str) -> bool:
        for path in self.arc_key_dir.glob("*.key"):
            if secrets.compare_digest(path.read_text(), secret):
                path.unlink()
                return True
        return False
