"""What every fake tool shares: the scenario state file, token redemption at the sandbox authority, hanging.

Tool modules import only the standard library (and the engine's constants-only env_vars and constants
modules) so that each spawn stays fast (a chain may run three tools).
"""

from __future__ import annotations

import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from engine.env_vars import CHAINSIGHT_SANDBOX_STATE

NO_STATE = "chainsight sandbox: {tool} was started outside a sandbox ({env} is not set)\n"


UNREACHABLE = "Failed to connect to {url}: {reason}"


class AuthorityError(Exception):
    """The authority refused the grant; `description` is Entra's AADSTS text (CRLFs as az prints them: LFs)."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description.replace("\r\n", "\n")


def load_state(tool: str) -> dict[str, Any]:
    path = os.environ.get(CHAINSIGHT_SANDBOX_STATE)
    if not path or not os.path.exists(path):
        sys.stderr.write(NO_STATE.format(tool=tool, env=CHAINSIGHT_SANDBOX_STATE))
        raise SystemExit(1)
    with open(path, encoding="utf-8") as f:
        state = json.load(f)
    state["_path"] = path
    return state


def redeem(
    state: dict[str, Any], tool: dict[str, Any], scope: str, tenant: str = "", claims: str = ""
) -> dict[str, Any]:
    """Exchange the tool's FOCI refresh token for an access token, over HTTPS at the sandbox authority."""
    tenant = tenant or tool["user"]["tenant"]
    form = {
        "client_id": tool["client_id"],
        "grant_type": "refresh_token",
        "refresh_token": tool["refresh_token"],
        "scope": f"{scope} offline_access openid profile",
        "client_info": "1",
    }
    if claims:
        form["claims"] = claims
    url = f"{state['authority_url']}/{urllib.parse.quote(tenant)}/oauth2/v2.0/token"
    context = ssl.create_default_context(cafile=state["sandbox_ca"])
    # The authority is on loopback: never let an inherited proxy variable route this request elsewhere.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(), method="POST")
    try:
        with opener.open(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as err:
        try:
            body = json.loads(err.read() or b"{}")
        except ValueError:  # not Entra's JSON (a proxy's page, say): the status line is all there is
            body = {}
        if not isinstance(body, dict):
            body = {}
        raise AuthorityError(body.get("error", "server_error"), body.get("error_description", str(err))) from None
    except (urllib.error.URLError, OSError, ValueError) as err:  # the authority is down or not speaking HTTP
        reason = getattr(err, "reason", None) or err
        raise AuthorityError("connection_error", UNREACHABLE.format(url=url, reason=reason)) from None


def read_json(path: str) -> Any:
    """A tool's own JSON file (BOM tolerated); None when it is missing or damaged, as the tools treat it."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def home() -> str:
    return os.environ.get("HOME") or os.path.expanduser("~")


def family_refresh_token(cache: Any, home_account_id: str) -> str | None:
    """The refresh token an MSAL cache holds for an account (a FOCI one serves every family client)."""
    if not isinstance(cache, dict) or not isinstance(cache.get("Account"), dict):
        return None
    if not any(isinstance(a, dict) and a.get("home_account_id") == home_account_id for a in cache["Account"].values()):
        return None
    tokens = cache.get("RefreshToken") if isinstance(cache.get("RefreshToken"), dict) else {}
    for entry in tokens.values():
        if isinstance(entry, dict) and entry.get("home_account_id") == home_account_id and entry.get("secret"):
            return entry["secret"]
    return None


def expires_on(token_response: dict[str, Any]) -> int:
    return int(time.time()) + int(token_response["expires_in"])


def hang(state: dict[str, Any]) -> int:
    """Block like a stuck tool; end when killed, when orphaned, or when the sandbox is gone."""
    parent = os.getppid()
    while os.path.exists(state["_path"]) and os.getppid() == parent:
        time.sleep(0.1)
    return 1
