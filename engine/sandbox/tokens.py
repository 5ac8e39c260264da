"""Token minting: RS256 JWTs with Entra's v1/v2 claim sets, refresh tokens with rotation, auth codes."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field

import jwt
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from engine.sandbox.tls import cached_key

ACCESS_TOKEN_LIFETIME = 4799  # Entra hands out 60-90 min; a fixed value keeps tests reproducible
REFRESH_TOKEN_PREFIX = "1.AS"  # real refresh tokens are opaque; this only makes them look plausible
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
OIDC_SCOPES = frozenset({"openid", "profile", "offline_access", "email"})


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def client_info(oid: str, tid: str) -> str:
    """Entra's client_info: base64url JSON naming the account's home object and tenant."""
    return b64url(json.dumps({"uid": oid, "utid": tid}, separators=(",", ":")).encode())


def resource_of(scopes: list[str]) -> str:
    """The resource a v2 scope list targets: 'https://x/.default' -> 'https://x', '...net//.default' -> '...net/'."""
    for scope in scopes:
        if scope in OIDC_SCOPES:
            continue
        if "/" not in scope:
            return GRAPH_APP_ID
        return scope.rsplit("/", 1)[0]
    return GRAPH_APP_ID


def delegated_scp(scopes: list[str]) -> str:
    names = [s.rsplit("/", 1)[1] for s in scopes if s not in OIDC_SCOPES and "/" in s]
    names = [n for n in names if n != ".default"]
    return " ".join(names) or "user_impersonation"


@dataclass(frozen=True)
class Principal:
    """Who a token is for: a user (upn set) or an application/managed identity (upn empty)."""

    oid: str
    tid: str
    upn: str = ""
    name: str = ""
    roles: tuple[str, ...] = ()
    mi_resource_id: str = ""
    amr: tuple[str, ...] = ("pwd",)  # how the user proved who they are: "mfa" joins "pwd" after a second factor


@dataclass
class RefreshGrant:
    principal: Principal
    client_id: str
    family: bool
    issued: float
    revoked: bool = False


@dataclass
class AuthCode:
    principal: Principal
    client_id: str
    redirect_uri: str
    scopes: list[str]
    challenge: str
    challenge_method: str
    nonce: str
    platform: str = "desktop"  # where the redirect URI is registered: "web" codes need the app's secret to redeem
    issued: float = field(default_factory=time.time)
    redeemed: bool = False


class TokenIssuer:
    """Signs every token of a run with one key, published at the JWKS endpoint."""

    def __init__(self, key: rsa.RSAPrivateKey | None = None) -> None:
        self.key = key or cached_key("token-signing")
        der = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        digest = hashes.Hash(hashes.SHA1())
        digest.update(der)
        self.kid = b64url(digest.finalize())
        self._lock = threading.Lock()
        self._refresh: dict[str, RefreshGrant] = {}
        self._codes: dict[str, AuthCode] = {}

    # -- JWTs --------------------------------------------------------------------------------------
    def sign(self, claims: dict[str, object]) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"typ": "JWT", "x5t": self.kid, "kid": self.kid})

    def jwks(self) -> dict[str, object]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": self.kid, "x5t": self.kid, "use": "sig"})
        return {"keys": [jwk]}

    def access_token(
        self,
        who: Principal,
        resource: str,
        *,
        client_id: str,
        scp: str = "",
        appidacr: str = "0",
        version: str = "1.0",
        lifetime: int = ACCESS_TOKEN_LIFETIME,
    ) -> tuple[str, int]:
        """An access token for `who` at `resource`; returns (jwt, expires_on)."""
        now = int(time.time())
        claims: dict[str, object] = {
            "aud": resource,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "tid": who.tid,
            "oid": who.oid,
            "sub": who.oid,
            "uti": b64url(secrets.token_bytes(16)),
            "rh": "0.AAAA" + b64url(secrets.token_bytes(12)),
            "ver": version,
            "idtyp": "user" if who.upn else "app",
        }
        if version == "1.0":
            claims.update(iss=f"https://sts.windows.net/{who.tid}/", appid=client_id, appidacr=appidacr)
        else:
            claims.update(iss=f"https://login.microsoftonline.com/{who.tid}/v2.0", azp=client_id, azpacr=appidacr)
        if who.upn:
            claims.update(name=who.name, scp=scp or "user_impersonation", amr=list(who.amr), acr="1")
            claims.update(
                {"upn": who.upn, "unique_name": who.upn} if version == "1.0" else {"preferred_username": who.upn}
            )
        else:
            if who.roles:
                claims["roles"] = list(who.roles)
            if who.mi_resource_id:
                claims["xms_mirid"] = who.mi_resource_id
        return self.sign(claims), now + lifetime

    def id_token(self, who: Principal, client_id: str, nonce: str = "") -> str:
        now = int(time.time())
        claims: dict[str, object] = {
            "aud": client_id,
            "iss": f"https://login.microsoftonline.com/{who.tid}/v2.0",
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "name": who.name,
            "oid": who.oid,
            "preferred_username": who.upn,
            "sub": who.oid,
            "tid": who.tid,
            "ver": "2.0",
            "uti": b64url(secrets.token_bytes(16)),
        }
        if nonce:
            claims["nonce"] = nonce
        return self.sign(claims)

    # -- refresh tokens ----------------------------------------------------------------------------
    def new_refresh_token(self, who: Principal, client_id: str, family: bool, *, revoked: bool = False) -> str:
        token = REFRESH_TOKEN_PREFIX + b64url(secrets.token_bytes(48))
        with self._lock:
            self._refresh[token] = RefreshGrant(who, client_id, family, time.time(), revoked)
        return token

    def revoke(self, token: str) -> bool:
        """Revoke one refresh token (as a password reset or `Revoke-MgUserSignInSession` would); False if unknown."""
        with self._lock:
            grant = self._refresh.get(token)
            if grant is not None:
                grant.revoked = True
            return grant is not None

    def refresh_grant(self, token: str) -> RefreshGrant | None:
        with self._lock:
            return self._refresh.get(token)

    # -- authorization codes -----------------------------------------------------------------------
    def new_code(self, code: AuthCode) -> str:
        value = "1.AS" + b64url(secrets.token_bytes(32)) + "." + str(uuid.uuid4())
        with self._lock:
            self._codes[value] = code
        return value

    def peek_code(self, value: str) -> AuthCode | None:
        with self._lock:
            return self._codes.get(value)

    def redeem_code(self, value: str) -> bool:
        """Mark a code used (kept, so a second use is told apart from an unknown code); False if already used."""
        with self._lock:
            code = self._codes.get(value)
            if code is None or code.redeemed:
                return False
            code.redeemed = True
            return True
