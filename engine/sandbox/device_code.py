"""The device code flow: /devicecode hands out a user code, /common/oauth2/deviceauth is where a person enters it
(then the same account, MFA and consent pages as a browser sign-in), and the token endpoint answers the polling."""

from __future__ import annotations

import html
import secrets
import time

from engine.sandbox import entra_errors as E
from engine.sandbox.directory import DeviceFlow, Directory, Flow, scope_problem
from engine.sandbox.httpserver import Request, Response
from engine.sandbox.pages import PAGE, error_page
from engine.sandbox.tokens import Principal

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
LIFETIME = 900
INTERVAL = 1  # Entra says 5; the sandbox polls faster so tests and demos take a second
USER_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MESSAGE = "To sign in, use a web browser to open the page {uri} and enter the code {code} to authenticate."
PENDING = (70016, "authorization_pending", "OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
EXPIRED = (
    70020,
    "expired_token",
    "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
)
BAD_DEVICE_CODE = (70019, "invalid_grant", "Verification code expired.")
CODE_FORM = """<form id="devicecode" method="post" action="{action}"><p>Enter code</p>
<p class="error">{error}</p><input type="text" name="otc"/><input type="submit" value="Next"/></form>"""
WRONG_CODE = "That code didn't work. Check the code and try again."
DONE = (
    "<p id='device-done'>You have signed in to the {app} application on your device. You may now close this window.</p>"
)


def start(directory: Directory, request: Request, tenant: str) -> dict[str, object]:
    """POST /{tenant}/oauth2/v2.0/devicecode: the codes, the page to visit and the message to show."""
    app = directory.app(request.form.get("client_id", ""), tenant)
    scopes = request.form.get("scope", "").split()
    bad = scope_problem(scopes)
    if bad is not None:
        raise E.EntraError.of(E.INVALID_SCOPE, scope=bad)
    directory.check_resource(scopes, tenant)
    user_code = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(9))
    flow = DeviceFlow(tenant, app.client_id, scopes, user_code, time.time() + LIFETIME, app.name)
    device_code = directory.device_flows.add(flow)
    uri = f"{request.base_url}/common/oauth2/deviceauth"
    return {
        "user_code": user_code,
        "device_code": device_code,
        "verification_uri": uri,
        "expires_in": LIFETIME,
        "interval": INTERVAL,
        "message": MESSAGE.format(uri=uri, code=user_code),
    }


def page(directory: Directory, request: Request) -> Response | Flow:
    """The code entry page; a right code gives the authorize Flow that continues with account and consent pages."""
    action = f"{request.base_url}/common/oauth2/deviceauth"
    if request.method != "POST":
        return _code_page(action)
    found = directory.device_flows.by_user_code(request.form.get("otc", ""))
    if found is None:
        return _code_page(action, WRONG_CODE)
    _, device = found
    return Flow(device.tenant, {"client_id": device.client_id, "scope": " ".join(device.scopes)}, device=device)


def _code_page(action: str, error: str = "") -> Response:
    content = CODE_FORM.format(action=html.escape(action), error=html.escape(error))
    return Response.html(PAGE.format(title="Enter code", content=content))


def finish(flow: Flow, principal: Principal | None, error: E.EntraError | None = None) -> Response:
    """The person finished on the pages: the polling client gets the token (or the error) on its next poll."""
    device = flow.device
    assert device is not None
    device.principal, device.error = principal, error
    if error is not None:
        return error_page(error)
    return Response.html(PAGE.format(title="Microsoft", content=DONE.format(app=html.escape(device.app_name))))


def redeem(directory: Directory, form: dict[str, str]) -> DeviceFlow:
    """The token endpoint's device_code grant: pending, expired, refused, or the approved flow (once)."""
    device = directory.device_flows.by_device_code(form.get("device_code", ""))
    if device is None or device.redeemed:
        raise E.EntraError.of(BAD_DEVICE_CODE)
    if device.error is not None:
        raise device.error
    if time.time() > device.expires:
        raise E.EntraError.of(EXPIRED)
    if device.principal is None:
        raise E.EntraError.of(PENDING)
    device.redeemed = True
    return device
