"""The authorize endpoint: account chooser, sign-in, MFA and consent pages, then the form_post answer.

Refusals follow OAuth's rule as Entra does: when the client or its redirect URI cannot be trusted (unknown app,
unlisted redirect URI, unknown tenant, single-tenant app on /common) the browser shows an error page and nothing
goes back to the app; everything else (bad scope, unknown resource, user of another tenant, consent refused)
returns to the redirect URI as ``error`` and ``error_description``.
"""

from __future__ import annotations

import html
import secrets
import urllib.parse

from engine.sandbox import device_code
from engine.sandbox import entra_errors as E
from engine.sandbox.directory import MULTI_TENANT, Directory, Flow, redirect_platform, scope_problem
from engine.sandbox.grants import principal_of
from engine.sandbox.httpserver import Request, Response
from engine.sandbox.pages import PAGE, error_page
from engine.sandbox.scenario import App, User
from engine.sandbox.tokens import AuthCode, client_info

WRONG_PASSWORD = "Your account or password is incorrect. If you don't remember your password, reset it now."
FLOW_EXPIRED = (50011, "invalid_request", "The sign-in session has expired. Start again.")

# Forms are plain HTML a person can use, with stable ids/classes so a scripted or headless browser can too.
CHOOSER_ITEM = '<li><a class="account" data-upn="{upn}" href="{href}">{name} ({upn})</a></li>'
LOGIN_FORM = """<form id="login" method="post" action="{action}"><input type="hidden" name="flow" value="{flow}"/>
<p class="error" data-code="{code}">{error}</p><input type="email" name="login" value="{login}"/>
<input type="password" name="passwd"/><input type="submit" value="Sign in"/></form>"""
MFA_FORM = """<p>Approve the sign-in request in your authenticator app for {upn}.</p>
<form id="mfa" method="post" action="{action}"><input type="hidden" name="flow" value="{flow}"/>
<input type="submit" value="Approve"/></form>"""
CONSENT_FORM = """<p id="consent-app">{app} (unverified) wants to: sign you in and read your profile; maintain \
access to data you have given it access to; access {resources}.</p>{organization}
<form id="consent" method="post" action="{action}"><input type="hidden" name="flow" value="{flow}"/>
<input type="hidden" name="choice" value="accept"/><input type="submit" value="Accept"/></form>
<form id="consent-decline" method="post" action="{action}"><input type="hidden" name="flow" value="{flow}"/>
<input type="hidden" name="choice" value="decline"/><input type="submit" value="Cancel"/></form>"""
CONSENT_FOR_ORGANIZATION = "<p id='consent-organization'>As an administrator, you consent on behalf of your whole \
organization.</p>"
FORM_POST = """<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" \
action="{action}">{inputs}<noscript><p>Script is disabled. Click Submit to continue.</p>\
<input type="submit" value="Submit" /></noscript></form>\
<script language="javascript">document.forms[0].submit();</script></body></html>"""
HIDDEN = '<input type="hidden" name="{name}" value="{value}" />'


class RedirectError(Exception):
    """An authorize refusal that goes back to the app's redirect URI (the request itself was trustworthy)."""

    def __init__(self, error: E.EntraError) -> None:
        super().__init__(error.description)
        self.error = error


def handle(directory: Directory, request: Request, tenant: str, sub: str) -> Response:
    """Serve /{tenant}/oauth2/v2.0/authorize{sub}; every refusal is an error page or a redirect, never JSON."""
    flow: Flow | None = None
    try:
        if sub == "" and request.method == "GET":
            return _start(directory, request, tenant)
        source = request.query if request.method == "GET" else request.form
        flow = directory.flows.get(source.get("flow", ""))
        if flow is None:
            return error_page(E.EntraError.of(FLOW_EXPIRED))
        return _step(directory, request, flow, sub, source)
    except RedirectError as err:
        assert flow is not None
        return _redirect_error(flow, err.error)
    except E.EntraError as err:
        return error_page(err)


def device_page(directory: Directory, request: Request) -> Response:
    """/common/oauth2/deviceauth: enter the code, then the same pages as a browser sign-in."""
    entered = device_code.page(directory, request)
    if isinstance(entered, Response):
        return entered
    flow_id = directory.flows.add(entered)
    try:
        return _pick_account(directory, request, entered, flow_id)
    except RedirectError as err:
        return _redirect_error(entered, err.error)
    except E.EntraError as err:
        return _redirect_error(entered, err)


def _start(directory: Directory, request: Request, tenant: str) -> Response:
    params = request.query
    if tenant not in MULTI_TENANT:
        directory.tenant(tenant)
    app = directory.app(params.get("client_id", ""), tenant)
    if params.get("response_type") != "code" or not params.get("redirect_uri"):
        raise E.EntraError.of(E.MISSING_AUTHORIZE_PARAMETER)
    platform = redirect_platform(app, params["redirect_uri"])
    if platform is None:
        if not (app.redirect_uris or app.web_redirect_uris):
            raise E.EntraError.of(E.NO_REPLY_ADDRESS)
        raise E.EntraError.of(E.REDIRECT_NOT_REGISTERED, redirect_uri=params["redirect_uri"], client_id=app.client_id)
    if tenant in MULTI_TENANT and not app.multi_tenant:
        raise E.EntraError.of(E.NOT_MULTI_TENANT, client_id=app.client_id, app_name=app.name)
    flow = Flow(tenant, dict(params))
    flow_id = directory.flows.add(flow)
    scopes = params.get("scope", "").split()
    bad_scope = scope_problem(scopes)
    if bad_scope is not None:
        return _redirect_error(flow, E.EntraError.of(E.INVALID_SCOPE, scope=bad_scope))
    try:
        directory.check_resource(scopes, tenant)
        return _pick_account(directory, request, flow, flow_id)
    except RedirectError as err:
        return _redirect_error(flow, err.error)
    except E.EntraError as err:
        return _redirect_error(flow, err)


def _pick_account(directory: Directory, request: Request, flow: Flow, flow_id: str) -> Response:
    params = flow.params
    candidates = _candidates(directory, flow)
    hint = params.get("login_hint", "")
    hinted = next((u for u in candidates if u.upn.lower() == hint.lower()), None) if hint else None
    prompt = params.get("prompt", "")
    if prompt == "login":
        return _login_page(request, flow, flow_id, login=hint)
    if prompt == "none":
        if hinted or len(candidates) == 1:
            return _proceed(directory, request, flow, flow_id, hinted or candidates[0])
        return _redirect_error(flow, E.EntraError.of(E.USER_INTERACTION_REQUIRED))
    if hint and hinted is None and prompt != "none":
        return _login_page(request, flow, flow_id, login=hint)  # the hinted account has no session: its password
    if prompt == "select_account" and candidates:
        # Entra still shows the picker, with the hinted account first: that is the one a person picks.
        ordered = sorted(candidates, key=lambda u: u is not hinted)
        return _chooser(request, flow, flow_id, ordered)
    if hinted:
        return _proceed(directory, request, flow, flow_id, hinted)
    if len(candidates) == 1 and not hint:
        return _proceed(directory, request, flow, flow_id, candidates[0])
    if len(candidates) > 1:
        return _chooser(request, flow, flow_id, candidates)
    return _login_page(request, flow, flow_id, login=hint)


def _step(directory: Directory, request: Request, flow: Flow, sub: str, source: dict[str, str]) -> Response:
    flow_id = source.get("flow", "")
    if sub == "/select":
        upn = source.get("account", "")
        if upn in (u.upn for u in _candidates(directory, flow)):
            return _proceed(directory, request, flow, flow_id, directory.scenario.user(upn))
        return _login_page(request, flow, flow_id, login=upn if upn != "other" else "")
    if request.method != "POST":
        return Response.html(PAGE.format(title="Not found", content=""), 404)
    if sub == "/login":
        user = directory.user(source.get("login", ""))
        if user is None or not user.password or source.get("passwd") != user.password:
            return _login_page(request, flow, flow_id, login=source.get("login", ""), error=WRONG_PASSWORD)
        return _proceed(directory, request, flow, flow_id, user)
    user = directory.user(flow.user)
    if user is None:
        return error_page(E.EntraError.of(FLOW_EXPIRED))
    if sub == "/mfa":
        flow.mfa_done = True
        return _proceed(directory, request, flow, flow_id, user)
    if sub == "/consent":
        app = directory.app(flow.params["client_id"], flow.tenant)
        if source.get("choice") != "accept":
            raise RedirectError(E.EntraError.of(E.CONSENT_DECLINED))
        directory.grant_consent(user, app, for_organization=user.admin)
        return _proceed(directory, request, flow, flow_id, user)
    return Response.html(PAGE.format(title="Not found", content=""), 404)


def _proceed(directory: Directory, request: Request, flow: Flow, flow_id: str, user: User) -> Response:
    """After the account is known: tenant membership, assignment, MFA, consent, then the code."""
    flow.user = user.upn
    app = directory.app(flow.params["client_id"], flow.tenant)
    home = flow.tenant if flow.tenant not in MULTI_TENANT else (None if app.multi_tenant else app.tenant)
    if home is not None and directory.tenant(home).id not in (user.tenant, *user.guest_of):
        raise RedirectError(
            E.EntraError.of(
                E.USER_NOT_IN_TENANT,
                user_tenant=user.tenant,
                tenant_name=directory.tenant(home).name,
                client_id=app.client_id,
                app_name=app.name,
            )
        )
    if app.assigned_users and user.upn.lower() not in (u.lower() for u in app.assigned_users):
        raise RedirectError(E.EntraError.of(E.NOT_ASSIGNED, client_id=app.client_id, app_name=app.name))
    if user.mfa and not flow.mfa_done:
        if flow.params.get("prompt") == "none":
            scopes = flow.params.get("scope", "")
            raise RedirectError(E.EntraError.of(E.MFA_REQUIRED, resource=scopes))
        form = MFA_FORM.format(
            upn=html.escape(user.upn), action=html.escape(_action(request, flow, "/mfa")), flow=flow_id
        )
        return Response.html(PAGE.format(title="Approve sign in request", content=form))
    if not directory.consented(user, app):
        # Where only an admin may consent, Entra shows a "Need admin approval" page (AADSTS90094) and the app hears
        # nothing; the sandbox hands 65001 back to the app instead, so the workbench and the app can say who consents.
        if flow.params.get("prompt") == "none" or (app.consent == "admin" and not user.admin):
            raise RedirectError(E.EntraError.of(E.CONSENT_REQUIRED, client_id=app.client_id, app_name=app.name))
        return _consent_page(request, flow, flow_id, app, user)
    return _issue(directory, flow, user)


def _candidates(directory: Directory, flow: Flow) -> list[User]:
    """Accounts with a browser session that may sign in to the flow's tenant."""
    users = [directory.scenario.user(upn) for upn in directory.scenario.browser.sessions]
    if flow.tenant in MULTI_TENANT:
        return users
    try:
        tid = directory.scenario.tenant(flow.tenant).id
    except KeyError:
        return []
    return [u for u in users if u.tenant == tid]


def _action(request: Request, flow: Flow, sub: str) -> str:
    return f"{request.base_url}/{flow.tenant}/oauth2/v2.0/authorize{sub}"


def _chooser(request: Request, flow: Flow, flow_id: str, users: list[User]) -> Response:
    items = [
        CHOOSER_ITEM.format(
            upn=html.escape(u.upn),
            name=html.escape(u.name),
            href=html.escape(
                _action(request, flow, "/select") + "?" + urllib.parse.urlencode({"flow": flow_id, "account": u.upn})
            ),
        )
        for u in users
    ]
    other = _action(request, flow, "/select") + "?" + urllib.parse.urlencode({"flow": flow_id, "account": "other"})
    items.append(f'<li><a class="other" href="{html.escape(other)}">Use another account</a></li>')
    return Response.html(PAGE.format(title="Pick an account", content=f"<ul id='accounts'>{''.join(items)}</ul>"))


def _login_page(request: Request, flow: Flow, flow_id: str, *, login: str = "", error: str = "") -> Response:
    form = LOGIN_FORM.format(
        action=html.escape(_action(request, flow, "/login")),
        flow=flow_id,
        login=html.escape(login),
        error=html.escape(error),
        code=E.BAD_PASSWORD[0] if error else "",
    )
    return Response.html(PAGE.format(title="Sign in", content=form))


def _consent_page(request: Request, flow: Flow, flow_id: str, app: App, user: User) -> Response:
    resources = " ".join(s for s in flow.params.get("scope", "").split() if "/" in s) or "your profile"
    form = CONSENT_FORM.format(
        app=html.escape(app.name),
        resources=html.escape(resources),
        organization=CONSENT_FOR_ORGANIZATION if user.admin else "",
        action=html.escape(_action(request, flow, "/consent")),
        flow=flow_id,
    )
    return Response.html(PAGE.format(title="Permissions requested", content=form))


def _deliver(flow: Flow, fields: dict[str, str]) -> Response:
    """Hand the result to the redirect URI the way the client asked: form_post (msal) or query."""
    redirect_uri = flow.params["redirect_uri"]
    if flow.params.get("response_mode") == "form_post":
        inputs = "".join(HIDDEN.format(name=k, value=html.escape(v)) for k, v in fields.items())
        return Response.html(FORM_POST.format(action=html.escape(redirect_uri), inputs=inputs))
    sep = "&" if "?" in redirect_uri else "?"
    return Response(302, b"", {"Location": redirect_uri + sep + urllib.parse.urlencode(fields)})


def _redirect_error(flow: Flow, err: E.EntraError) -> Response:
    if flow.device is not None:  # nothing to redirect to: the polling device gets the error
        return device_code.finish(flow, None, err)
    body = err.body()
    fields = {"error": str(body["error"]), "error_description": str(body["error_description"])}
    fields["error_uri"] = str(body["error_uri"])
    if "state" in flow.params:
        fields["state"] = flow.params["state"]
    return _deliver(flow, fields)


def _issue(directory: Directory, flow: Flow, user: User) -> Response:
    p = flow.params
    if flow.device is not None:
        return device_code.finish(flow, principal_of(user, mfa=flow.mfa_done))
    app = directory.app(p["client_id"], flow.tenant)
    code = directory.issuer.new_code(
        AuthCode(
            principal=principal_of(user, mfa=flow.mfa_done),
            client_id=p["client_id"],
            redirect_uri=p["redirect_uri"],
            scopes=p.get("scope", "").split(),
            challenge=p.get("code_challenge", ""),
            challenge_method=p.get("code_challenge_method", "plain"),
            nonce=p.get("nonce", ""),
            platform=redirect_platform(app, p["redirect_uri"]) or "desktop",
        )
    )
    fields = {"code": code}
    if p.get("client_info") == "1":
        fields["client_info"] = client_info(user.oid, user.tenant)
    if "state" in p:
        fields["state"] = p["state"]
    fields["session_state"] = secrets.token_hex(16)
    return _deliver(flow, fields)
