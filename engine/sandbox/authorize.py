"""The authorize endpoint: account chooser, sign-in form and the auto-submitting form_post answer."""

from __future__ import annotations

import html
import secrets
import threading
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.sandbox import entra_errors as E
from engine.sandbox.grants import MULTI_TENANT, principal_of
from engine.sandbox.httpserver import Response
from engine.sandbox.scenario import User
from engine.sandbox.tokens import AuthCode, client_info

if TYPE_CHECKING:
    from engine.sandbox.authority import Authority
    from engine.sandbox.httpserver import Request

WRONG_PASSWORD = "Your account or password is incorrect. If you don't remember your password, reset it now."
BAD_REQUEST_PAGE = "<html><body><h1>Sign in</h1><p id='error'>AADSTS{code}: {text}</p></body></html>"
FLOW_EXPIRED = (50011, "invalid_request", "The sign-in session has expired. Start again.")

# Pages are plain HTML a person can use, with stable ids/classes so a scripted browser can too.
PAGE = """<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1>{content}</body></html>"""
CHOOSER_ITEM = '<li><a class="account" data-upn="{upn}" href="{href}">{name} ({upn})</a></li>'
LOGIN_FORM = """<form id="login" method="post" action="{action}"><input type="hidden" name="flow" value="{flow}"/>
<p class="error">{error}</p><input type="email" name="login" value="{login}"/>
<input type="password" name="passwd"/><input type="submit" value="Sign in"/></form>"""
FORM_POST = """<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" \
action="{action}">{inputs}<noscript><p>Script is disabled. Click Submit to continue.</p>\
<input type="submit" value="Submit" /></noscript></form>\
<script language="javascript">document.forms[0].submit();</script></body></html>"""
HIDDEN = '<input type="hidden" name="{name}" value="{value}" />'


@dataclass
class Flow:
    tenant: str
    params: dict[str, str]


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


def handle(authority: Authority, request: Request, tenant: str, sub: str) -> Response:
    if sub == "" and request.method == "GET":
        return _start(authority, request, tenant)
    source = request.query if request.method == "GET" else request.form
    flow = authority.flows.get(source.get("flow", ""))
    if flow is None:
        return _error_page(*FLOW_EXPIRED)
    if sub == "/select":
        upn = source.get("account", "")
        if upn in (u.upn for u in _candidates(authority, flow)):
            return _issue(authority, request, flow, authority.scenario.user(upn))
        return _login_page(request, flow, source.get("flow", ""), login=upn if upn != "other" else "")
    if sub == "/login" and request.method == "POST":
        try:
            user = authority.scenario.user(source.get("login", ""))
        except KeyError:
            user = None
        if (
            user is None
            or not user.password
            or source.get("passwd") != user.password
            or not _in_tenant(authority, flow, user)
        ):
            return _login_page(request, flow, source["flow"], login=source.get("login", ""), error=WRONG_PASSWORD)
        return _issue(authority, request, flow, user)
    return Response.html(PAGE.format(title="Not found", content=""), 404)


def _start(authority: Authority, request: Request, tenant: str) -> Response:
    params = request.query
    client_id = params.get("client_id", "")
    try:
        authority.scenario.app(client_id)
    except KeyError:
        return _error_page(*E.APP_NOT_FOUND[:2], E.APP_NOT_FOUND[2].format(client_id=client_id, tenant=tenant))
    if params.get("response_type") != "code" or not params.get("redirect_uri"):
        return _error_page(
            900144,
            "invalid_request",
            "The request body must contain the following parameter: 'response_type' and 'redirect_uri'.",
        )
    flow = Flow(tenant, dict(params))
    flow_id = authority.flows.add(flow)
    candidates = _candidates(authority, flow)
    hint = params.get("login_hint", "")
    hinted = next((u for u in candidates if u.upn.lower() == hint.lower()), None) if hint else None
    prompt = params.get("prompt", "")
    if prompt == "login":
        return _login_page(request, flow, flow_id, login=hint)
    if prompt == "none":
        if hinted or len(candidates) == 1:
            return _issue(authority, request, flow, hinted or candidates[0])
        return _redirect_error(flow, E.USER_INTERACTION_REQUIRED)
    if prompt == "select_account" and candidates:
        # Entra still shows the picker, with the hinted account first: that is the one a person picks.
        ordered = sorted(candidates, key=lambda u: u is not hinted)
        return _chooser(request, flow, flow_id, ordered)
    if hinted:
        return _issue(authority, request, flow, hinted)
    if len(candidates) == 1 and not hint:
        return _issue(authority, request, flow, candidates[0])
    if len(candidates) > 1:
        return _chooser(request, flow, flow_id, candidates)
    return _login_page(request, flow, flow_id, login=hint)


def _in_tenant(authority: Authority, flow: Flow, user: User) -> bool:
    if flow.tenant in MULTI_TENANT:
        return True
    try:
        return authority.scenario.tenant(flow.tenant).id == user.tenant
    except KeyError:
        return False


def _candidates(authority: Authority, flow: Flow) -> list[User]:
    """Accounts with a browser session that may sign in to the flow's tenant."""
    users = [authority.scenario.user(upn) for upn in authority.scenario.browser.sessions]
    if flow.tenant in MULTI_TENANT:
        return users
    try:
        tid = authority.scenario.tenant(flow.tenant).id
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
    )
    return Response.html(PAGE.format(title="Sign in", content=form))


def _error_page(code: int, error: str, text: str) -> Response:
    return Response.html(BAD_REQUEST_PAGE.format(code=code, text=html.escape(text)), 400)


def _deliver(flow: Flow, fields: dict[str, str]) -> Response:
    """Hand the result to the redirect URI the way the client asked: form_post (msal) or query."""
    redirect_uri = flow.params["redirect_uri"]
    if flow.params.get("response_mode") == "form_post":
        inputs = "".join(HIDDEN.format(name=k, value=html.escape(v)) for k, v in fields.items())
        return Response.html(FORM_POST.format(action=html.escape(redirect_uri), inputs=inputs))
    sep = "&" if "?" in redirect_uri else "?"
    return Response(302, b"", {"Location": redirect_uri + sep + urllib.parse.urlencode(fields)})


def _redirect_error(flow: Flow, spec: tuple[int, str, str]) -> Response:
    err = E.EntraError.of(spec).body()
    fields = {"error": str(err["error"]), "error_description": str(err["error_description"])}
    if "state" in flow.params:
        fields["state"] = flow.params["state"]
    return _deliver(flow, fields)


def _issue(authority: Authority, request: Request, flow: Flow, user: User) -> Response:
    p = flow.params
    code = authority.issuer.new_code(
        AuthCode(
            principal=principal_of(user),
            client_id=p["client_id"],
            redirect_uri=p["redirect_uri"],
            scopes=p.get("scope", "").split(),
            challenge=p.get("code_challenge", ""),
            challenge_method=p.get("code_challenge_method", "plain"),
            nonce=p.get("nonce", ""),
        )
    )
    fields = {"code": code}
    if p.get("client_info") == "1":
        fields["client_info"] = client_info(user.oid, user.tenant)
    if "state" in p:
        fields["state"] = p["state"]
    fields["session_state"] = secrets.token_hex(16)
    return _deliver(flow, fields)
