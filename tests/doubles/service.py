"""Helpers for the service-credential tests: identities, tokens, a scripted Entra ID, outcomes.

The real azure-identity and our engine are run against the same loopback stand-ins and
environment; ``outcome`` reduces either side's result to something comparable.
"""

from __future__ import annotations

import base64
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine import events
from engine.errors import CredentialUnavailableError as OurUnavailable
from engine.host import Host
from engine.run import ChainRun
from tests.doubles.standins import Reply, Seen, StandIn, make_jwt

TENANT = "7f7d2c3e-1111-4a5b-9c9d-0123456789ab"
CLIENT_ID = "0a1b2c3d-2222-4e5f-8a9b-abcdefabcdef"
OBJECT_ID = "5e6f7a8b-3333-4c4d-9e9f-fedcba987654"
USER_OID = "9a9b9c9d-4444-4e4f-8a8b-112233445566"
SECRET = "CANARY-client-secret-8c1e"
PASSWORD = "CANARY-password-77d2"
USERNAME = "dev@contoso.example"
SCOPE = "https://management.azure.com/.default"
RESOURCE = "https://management.azure.com"


# ---- outcomes ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """What a get_token call did: a token (text, expiry) or an error (kind, message, str)."""

    kind: str  # "token" | "unavailable" | "ClientAuthenticationError" | other exception class name
    message: str
    text: str = ""
    expires_on: int = 0

    def same_as(self, other: Outcome, slack: int = 2) -> bool:
        if self.kind != other.kind or self.message != other.message or self.text != other.text:
            return False
        return abs(self.expires_on - other.expires_on) <= slack


def outcome(call: Callable[[], Any]) -> Outcome:
    """Run ``call`` (real or ours) and describe what happened, in a form both sides share."""
    try:
        token = call()
    except Exception as ex:
        name = type(ex).__name__
        unavailable = name == "CredentialUnavailableError" or isinstance(ex, OurUnavailable)
        if unavailable:
            return Outcome("unavailable", getattr(ex, "message", str(ex)), str(ex))
        if _is_auth_error(ex):
            return Outcome("ClientAuthenticationError", getattr(ex, "message", str(ex)), str(ex))
        return Outcome(name, str(ex), str(ex))
    text = token.token.reveal() if hasattr(token.token, "reveal") else token.token
    return Outcome("token", text, "", int(token.expires_on))


def _is_auth_error(ex: BaseException) -> bool:
    return any(c.__name__ == "ClientAuthenticationError" for c in type(ex).__mro__)


# ---- environments -----------------------------------------------------------------------------
@dataclass(frozen=True)
class QuickHost(Host):
    """A Host whose waits are recorded (as "wait" steps) but take no time."""

    waits: list = field(default_factory=list, compare=False)

    def sleep(self, seconds: float) -> None:
        with events.step("wait", f"wait {seconds:g} s", seconds=seconds):
            self.waits.append(seconds)


# ---- tokens -----------------------------------------------------------------------------------
def app_token(marker: str = "", **claims: Any) -> str:
    now = int(time.time())
    base = {
        "aud": RESOURCE,
        "iss": f"https://sts.windows.net/{TENANT}/",
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "appid": CLIENT_ID,
        "oid": OBJECT_ID,
        "tid": TENANT,
        "idtyp": "app",
        "ver": "1.0",
    }
    return make_jwt({**base, **claims}, marker or uuid.uuid4().hex)


def user_token(marker: str = "") -> str:
    now = int(time.time())
    claims = {
        "aud": RESOURCE,
        "iss": f"https://sts.windows.net/{TENANT}/",
        "iat": now,
        "exp": now + 3600,
        "appid": CLIENT_ID,
        "oid": USER_OID,
        "tid": TENANT,
        "upn": USERNAME,
        "scp": "user_impersonation",
    }
    return make_jwt(claims, marker or uuid.uuid4().hex)


# ---- a scripted Entra ID ----------------------------------------------------------------------
@dataclass
class Entra:
    """An HTTPS authority on loopback: OIDC discovery, userrealm, and a scripted token endpoint."""

    server: StandIn
    ca_pem: Path
    tenant: str = TENANT
    token_replies: list[Reply] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)

    @property
    def authority_host(self) -> str:
        return self.server.url

    @property
    def token_path(self) -> str:
        return f"/{self.tenant}/oauth2/v2.0/token"

    def token_requests(self) -> list[Seen]:
        return [s for s in self.server.seen if s.path.endswith("/oauth2/v2.0/token")]

    def reply_token(self, token: str | None = None, expires_in: int = 3599, **extra: Any) -> Reply:
        token = token or app_token()
        self.issued.append(token)
        return Reply.json(
            {
                "token_type": "Bearer",
                "expires_in": expires_in,
                "ext_expires_in": expires_in,
                "access_token": token,
                **extra,
            }
        )

    def reply_user_token(self) -> Reply:
        token = user_token()
        self.issued.append(token)
        now = int(time.time())
        id_token = make_jwt(
            {
                "aud": CLIENT_ID,
                "iss": f"{self.server.url}/{self.tenant}/v2.0",
                "iat": now,
                "exp": now + 3600,
                "oid": USER_OID,
                "sub": "subject-1",
                "tid": self.tenant,
                "preferred_username": USERNAME,
                "name": "Dev",
            }
        )
        client_info = base64.urlsafe_b64encode(json.dumps({"uid": USER_OID, "utid": self.tenant}).encode())
        return Reply.json(
            {
                "token_type": "Bearer",
                "scope": "https://management.azure.com/user_impersonation",
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": token,
                "refresh_token": "CANARY-refresh-token-31f",
                "id_token": id_token,
                "client_info": client_info.decode().rstrip("="),
            }
        )

    def script(self, *replies: Reply) -> None:
        """The token endpoint answers these in order (the last one repeats)."""
        self.server.routes[("POST", "/*")] = list(replies)


# ---- running ours with a recorder ---------------------------------------------------------------
def recorded(call: Callable[[], Any]) -> tuple[Outcome, ChainRun, events.Recorder]:
    """Run one of our calls with a Recorder bound; the outcome and everything it recorded."""
    recorder = events.Recorder()
    with events.recording(recorder), events.attempt_context(0):
        recorder.emit(events.AttemptStarted(0, "test", "test", recorder.now()))
        result = outcome(call)
    return result, ChainRun.from_events(recorder.events), recorder


def log_lines(run: ChainRun, level: int = logging.DEBUG) -> list[str]:
    return run.log_lines(level)
