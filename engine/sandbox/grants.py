"""The token endpoint's grant types, each validated the way Entra validates it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from engine.sandbox import device_code
from engine.sandbox import entra_errors as E
from engine.sandbox.assertions import (
    JWT_BEARER,
    is_certificate_assertion,
    verify_certificate_assertion,
    verify_federated_assertion,
)
from engine.sandbox.directory import MULTI_TENANT, Directory
from engine.sandbox.httpserver import Request
from engine.sandbox.scenario import App, User
from engine.sandbox.tokens import (
    ACCESS_TOKEN_LIFETIME,
    OIDC_SCOPES,
    Principal,
    client_info,
    delegated_scp,
    resource_of,
)


def token_version(resource: str) -> str:
    """Microsoft first-party APIs accept v1 tokens; custom `api://` APIs are registered for v2 here."""
    return "2.0" if resource.startswith("api://") else "1.0"


def token(directory: Directory, request: Request, tenant: str) -> dict[str, object]:
    form = request.form
    grant = form.get("grant_type", "")
    handlers = {
        "client_credentials": _client_credentials,
        "password": _password,
        "refresh_token": _refresh_token,
        "authorization_code": _authorization_code,
        device_code.DEVICE_CODE_GRANT: _device_code,
    }
    if grant not in handlers:
        raise E.EntraError.of(E.UNSUPPORTED_GRANT, grant=grant)
    return handlers[grant](directory, form, tenant)


def _app(directory: Directory, client_id: str, tenant: str) -> App:
    return directory.app(client_id, tenant)


def _authenticate_client(directory: Directory, form: dict[str, str], app: App) -> str:
    """Check the confidential client's secret or assertion; returns appidacr ("1" secret, "2" cert/federated)."""
    if "client_secret" in form:
        if not any(hmac.compare_digest(form["client_secret"], s) for s in app.secrets):
            raise E.EntraError.of(E.INVALID_CLIENT_SECRET, 401, client_id=app.client_id)
        return "1"
    assertion = form.get("client_assertion", "")
    if not assertion or form.get("client_assertion_type") != JWT_BEARER:
        raise E.EntraError.of(E.MISSING_CLIENT_CREDENTIAL, 401)
    if is_certificate_assertion(assertion, app.client_id):
        registered = directory.app_certificates.get(app.client_id, [])
        return verify_certificate_assertion(assertion, app, registered).appidacr
    return verify_federated_assertion(assertion, app, directory.federated_issuer_keys).appidacr


def _client_credentials(directory: Directory, form: dict[str, str], tenant: str) -> dict[str, object]:
    client_id = form.get("client_id", "")
    tid = directory.tenant(tenant).id if tenant not in MULTI_TENANT else directory.scenario.tenants[0].id
    app = _app(directory, client_id, tenant)
    appidacr = _authenticate_client(directory, form, app)
    scopes = form.get("scope", "").split()
    resource_scopes = [s for s in scopes if s not in OIDC_SCOPES]
    if len(resource_scopes) != 1 or not resource_scopes[0].endswith("/.default"):
        raise E.EntraError.of(E.BAD_CLIENT_CREDENTIAL_SCOPE, scope=" ".join(scopes))
    resource = resource_of(resource_scopes)
    who = Principal(oid=app.object_id, tid=tid, roles=app.roles)
    access, _ = directory.issuer.access_token(
        who, resource, client_id=client_id, appidacr=appidacr, version=token_version(resource)
    )
    return {
        "token_type": "Bearer",
        "expires_in": ACCESS_TOKEN_LIFETIME,
        "ext_expires_in": ACCESS_TOKEN_LIFETIME,
        "access_token": access,
    }


def _public_client(directory: Directory, form: dict[str, str], tenant: str, *, desktop_code: bool = False) -> App:
    """The app of a user grant; without "Allow public client flows" it must authenticate (7000218), except when
    redeeming a code sent to a redirect URI it lists for mobile and desktop applications."""
    app = _app(directory, form.get("client_id", ""), tenant)
    presented = "client_secret" in form or "client_assertion" in form
    if not (app.public_client or desktop_code) or (presented and not app.public_client):
        _authenticate_client(directory, form, app)
    return app


def _user_tokens(
    directory: Directory,
    form: dict[str, str],
    app: App,
    user: User,
    *,
    nonce: str = "",
    scopes: list[str] | None = None,
    mfa: bool = False,
    tenant: str = "",
) -> dict[str, object]:
    """Tokens for ``user`` from ``tenant`` (a guest's tokens carry the resource tenant's id; /organizations and
    /common give the home tenant's)."""
    scopes = scopes if scopes is not None else form.get("scope", "").split()
    resource = resource_of(scopes)
    tid = directory.tenant(tenant).id if tenant and tenant not in MULTI_TENANT else user.tenant
    tid = tid if tid in user.guest_of else user.tenant
    who = principal_of(user, mfa=mfa, tenant=tid)
    access, _ = directory.issuer.access_token(
        who, resource, client_id=app.client_id, scp=delegated_scp(scopes), version=token_version(resource)
    )
    granted = [s for s in scopes if s not in OIDC_SCOPES]
    if any(s.endswith("/.default") for s in granted):
        granted = [f"{resource}/user_impersonation", f"{resource}/.default"]
    body: dict[str, object] = {
        "token_type": "Bearer",
        "scope": " ".join(granted) or "openid profile",
        "expires_in": ACCESS_TOKEN_LIFETIME,
        "ext_expires_in": ACCESS_TOKEN_LIFETIME,
        "access_token": access,
        "refresh_token": directory.issuer.new_refresh_token(who, app.client_id, app.family),
    }
    if "openid" in scopes or form.get("grant_type") != "refresh_token":
        body["id_token"] = directory.issuer.id_token(who, app.client_id, nonce)
    if form.get("client_info") == "1":
        body["client_info"] = client_info(user.oid, user.tenant)
    if app.family:
        body["foci"] = "1"
    return body


def principal_of(user: User, *, mfa: bool = False, tenant: str = "") -> Principal:
    return Principal(
        oid=user.oid, tid=tenant or user.tenant, upn=user.upn, name=user.name, amr=("pwd", "mfa") if mfa else ("pwd",)
    )


def _tenant_allows(directory: Directory, tenant: str, user: User) -> None:
    if tenant not in MULTI_TENANT and directory.tenant(tenant).id not in (user.tenant, *user.guest_of):
        raise E.EntraError.of(E.USER_NOT_FOUND, tenant=directory.tenant(tenant).id)


def _password(directory: Directory, form: dict[str, str], tenant: str) -> dict[str, object]:
    app = _public_client(directory, form, tenant)
    try:
        user = directory.scenario.user(form.get("username", ""))
    except KeyError:
        raise E.EntraError.of(E.USER_NOT_FOUND, tenant=tenant) from None
    _tenant_allows(directory, tenant, user)
    if not user.password or not hmac.compare_digest(form.get("password", ""), user.password):
        raise E.EntraError.of(E.BAD_PASSWORD)
    scopes = form.get("scope", "").split()
    directory.check_resource(scopes, tenant)
    directory.check_user_policies(user, app, scopes, mfa_done=False)
    directory.require_consent(user, app)
    return _user_tokens(directory, form, app, user, tenant=tenant)


def _refresh_token(directory: Directory, form: dict[str, str], tenant: str) -> dict[str, object]:
    app = _public_client(directory, form, tenant)
    grant = directory.issuer.refresh_grant(form.get("refresh_token", ""))
    if grant is None:
        raise E.EntraError.of(E.BAD_REFRESH_TOKEN)
    if grant.revoked:
        issued = time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z", time.gmtime(grant.issued))
        # The user's TokensValidFrom is a fixed moment (the revocation), not the time of this request.
        valid_from = time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z", time.gmtime(grant.issued + 1))
        raise E.EntraError.of(E.REVOKED_REFRESH_TOKEN, issued=issued, now=valid_from)
    if grant.client_id != app.client_id and not (grant.family and app.family):
        raise E.EntraError.of(E.REFRESH_TOKEN_OTHER_CLIENT, client_id=app.client_id)
    user = directory.scenario.user(grant.principal.upn)
    _tenant_allows(directory, tenant, user)
    scopes = form.get("scope", "").split()
    directory.check_resource(scopes, tenant)
    mfa = "mfa" in grant.principal.amr
    directory.check_user_policies(user, app, scopes, mfa_done=mfa)
    directory.require_consent(user, app)
    return _user_tokens(directory, form, app, user, mfa=mfa, tenant=tenant)


def _authorization_code(directory: Directory, form: dict[str, str], tenant: str) -> dict[str, object]:
    code = directory.issuer.peek_code(form.get("code", ""))
    app = _public_client(directory, form, tenant, desktop_code=code is not None and code.platform == "desktop")
    if code is None or code.client_id != app.client_id:
        raise E.EntraError.of(E.BAD_CODE)
    if code.redeemed:
        raise E.EntraError.of(E.CODE_REDEEMED)
    if form.get("redirect_uri", "") != code.redirect_uri:
        raise E.EntraError.of(E.REDIRECT_MISMATCH, redirect_uri=form.get("redirect_uri", ""), client_id=app.client_id)
    if code.challenge:
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        expected = digest if code.challenge_method == "S256" else verifier
        if not verifier or not hmac.compare_digest(expected, code.challenge):
            raise E.EntraError.of(E.PKCE_MISMATCH)
    if not directory.issuer.redeem_code(form["code"]):  # lost a race with a concurrent redemption
        raise E.EntraError.of(E.CODE_REDEEMED)
    user = directory.scenario.user(code.principal.upn)
    scopes = form.get("scope", "").split() or code.scopes
    mfa = "mfa" in code.principal.amr
    directory.check_user_policies(user, app, scopes, mfa_done=mfa)
    return _user_tokens(directory, form, app, user, nonce=code.nonce, scopes=scopes, mfa=mfa, tenant=tenant)


def _device_code(directory: Directory, form: dict[str, str], tenant: str) -> dict[str, object]:
    """Polling after a device code sign-in; the app must allow public client flows (else 7000218)."""
    device = device_code.redeem(directory, form)
    app = _public_client(directory, form, tenant)
    assert device.principal is not None
    user = directory.scenario.user(device.principal.upn)
    mfa = "mfa" in device.principal.amr
    directory.check_user_policies(user, app, device.scopes, mfa_done=mfa)
    directory.require_consent(user, app)
    return _user_tokens(directory, form, app, user, scopes=device.scopes, mfa=mfa, tenant=tenant)
