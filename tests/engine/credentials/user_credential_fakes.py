"""Test doubles for the user sign-in credentials: an MSAL-schema cache writer, a fake Entra ID, a Host using it."""

from __future__ import annotations

import base64
import json
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msal
import requests
from requests.adapters import BaseAdapter

from engine.host import Host
from engine.http_session import HostSession

DEVELOPER_CLIENT = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
PUBLIC = "login.microsoftonline.com"
CACHE_PATH = Path(".IdentityService") / "msal.cache.nocae"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def fake_jwt(**claims: Any) -> str:
    """An unsigned JWT carrying ``claims`` (enough for account decoding)."""
    header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{b64url(json.dumps(claims).encode())}.c2ln"


def client_info(uid: str, utid: str) -> str:
    return b64url(json.dumps({"uid": uid, "utid": utid}).encode())


@dataclass
class CacheWriter:
    """Builds a shared cache file in MSAL's schema, keyed exactly as msal keys it."""

    entries: dict[str, dict[str, dict]] = field(default_factory=dict)

    def _put(self, credential_type: str, entry: dict) -> dict:
        key = msal.TokenCache().key_makers[credential_type](**entry)
        self.entries.setdefault(credential_type, {})[key] = entry
        return entry

    def account(
        self,
        username: str,
        uid: str,
        utid: str,
        *,
        environment: str = PUBLIC,
        refresh_token: str | None = "rt-default",
        family: bool = True,
        client_id: str = DEVELOPER_CLIENT,
        realm: str = "organizations",
    ) -> str:
        home_account_id = f"{uid}.{utid}"
        self._put(
            msal.TokenCache.CredentialType.ACCOUNT,
            {
                "home_account_id": home_account_id,
                "environment": environment,
                "realm": realm,
                "local_account_id": uid,
                "username": username,
                "authority_type": "MSSTS",
            },
        )
        if refresh_token is not None:
            self.refresh_token(
                home_account_id, refresh_token, environment=environment, family=family, client_id=client_id
            )
        return home_account_id

    def refresh_token(
        self,
        home_account_id: str,
        secret: str | None,
        *,
        environment: str = PUBLIC,
        family: bool = True,
        client_id: str = DEVELOPER_CLIENT,
    ) -> None:
        entry = {
            "credential_type": "RefreshToken",
            "home_account_id": home_account_id,
            "environment": environment,
            "client_id": client_id,
            "target": "https://management.core.windows.net//.default",
            "last_modification_time": str(int(time.time())),
        }
        if secret is not None:
            entry["secret"] = secret
        if family:
            entry["family_id"] = "1"
        self._put(msal.TokenCache.CredentialType.REFRESH_TOKEN, entry)

    def access_token(
        self,
        home_account_id: str,
        secret: str,
        *,
        expires_in: int,
        target: str = "https://management.azure.com/.default",
        environment: str = PUBLIC,
        client_id: str = DEVELOPER_CLIENT,
    ) -> None:
        now = int(time.time())
        self._put(
            msal.TokenCache.CredentialType.ACCESS_TOKEN,
            {
                "credential_type": "AccessToken",
                "secret": secret,
                "home_account_id": home_account_id,
                "environment": environment,
                "client_id": client_id,
                "target": target,
                "realm": "organizations",
                "token_type": "Bearer",
                "cached_at": str(now),
                "expires_on": str(now + expires_in),
                "extended_expires_on": str(now + expires_in),
            },
        )

    def text(self) -> str:
        return json.dumps(self.entries, indent=4)

    def write(self, home: Path) -> Path:
        path = home / CACHE_PATH
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.text())
        return path


def read_cache(home: Path) -> dict:
    return json.loads((home / CACHE_PATH).read_text())


@dataclass
class Seen:
    method: str
    url: str
    form: dict[str, str]
    headers: dict[str, str]


Handler = Callable[[Seen], tuple[int, Any]]


class FakeEntra(BaseAdapter):
    """A requests adapter answering every https request with ``handler(request) -> (status, json body)``."""

    def __init__(self, handler: Handler) -> None:
        super().__init__()
        self.handler = handler
        self.requests: list[Seen] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        body = request.body or ""
        if isinstance(body, bytes):
            body = body.decode()
        seen = Seen(
            request.method or "",
            request.url or "",
            dict(urllib.parse.parse_qsl(body)),
            dict(request.headers),
        )
        self.requests.append(seen)
        status, payload = self.handler(seen)
        response = requests.Response()
        response.status_code = status
        response.url = request.url
        response.request = request
        response.reason = "OK" if status < 400 else "Bad Request"
        if isinstance(payload, (dict, list)):
            response._content = json.dumps(payload).encode()
            response.headers["Content-Type"] = "application/json; charset=utf-8"
        else:
            response._content = (payload or "").encode()
            response.headers["Content-Type"] = "text/html"
        return response

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class FakeEntraHost(Host):
    """A Host whose HTTPS goes to a FakeEntra adapter."""

    adapter: FakeEntra | None = field(default=None, compare=False)

    def session(self) -> HostSession:
        session = super().session()
        if self.adapter is not None:
            session.mount("https://", self.adapter)
        return session


def token_response(
    access_token: str,
    *,
    refresh_token: str | None = None,
    expires_in: int = 3600,
    uid: str | None = None,
    utid: str | None = None,
    id_token: str | None = None,
    foci: bool = True,
) -> dict:
    body: dict[str, Any] = {"token_type": "Bearer", "expires_in": expires_in, "access_token": access_token}
    if refresh_token:
        body["refresh_token"] = refresh_token
    if uid and utid:
        body["client_info"] = client_info(uid, utid)
    if id_token:
        body["id_token"] = id_token
    if foci:
        body["foci"] = "1"
    return body
