"""AuthenticationRecord: the non-secret account details an interactive sign-in leaves behind."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from urllib.parse import urlparse

from engine.errors import ClientAuthenticationError

SUPPORTED_VERSIONS = {"1.0"}
UNEXPECTED_VERSION = 'Unexpected version "{}". This package supports these versions: {}'
BAD_ID_TOKEN = "Failed to build AuthenticationRecord from unexpected identity token"


@dataclass(frozen=True)
class AuthenticationRecord:
    """Who signed in, where and with which app: azure-identity's AuthenticationRecord, field for field."""

    tenant_id: str
    client_id: str
    authority: str
    home_account_id: str
    username: str

    @classmethod
    def deserialize(cls, data: str) -> AuthenticationRecord:
        record = json.loads(data)
        version = record.get("version")
        if version not in SUPPORTED_VERSIONS:
            raise ValueError(UNEXPECTED_VERSION.format(version, SUPPORTED_VERSIONS))
        return cls(
            authority=record["authority"],
            client_id=record["clientId"],
            home_account_id=record["homeAccountId"],
            tenant_id=record["tenantId"],
            username=record["username"],
        )

    def serialize(self) -> str:
        return json.dumps(
            {
                "authority": self.authority,
                "clientId": self.client_id,
                "homeAccountId": self.home_account_id,
                "tenantId": self.tenant_id,
                "username": self.username,
                "version": "1.0",
            }
        )


def record_from_result(result: dict) -> AuthenticationRecord:
    """The record azure-identity builds from an MSAL token result (``_build_auth_record``)."""
    try:
        id_token = result["id_token_claims"]
        if "client_info" in result:
            raw = result["client_info"]
            client_info = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("utf-8"))
            home_account_id = "{uid}.{utid}".format(**client_info)
        else:
            home_account_id = id_token["sub"]  # MSAL's choice when the STS sends no client_info
        issuer = urlparse(id_token["iss"])
        return AuthenticationRecord(
            authority=issuer.netloc,
            client_id=id_token["aud"],
            home_account_id=home_account_id,
            tenant_id=id_token.get("tid") or issuer.path.strip("/"),
            username=id_token.get("preferred_username") or id_token["upn"],
        )
    except (KeyError, ValueError) as ex:
        raise ClientAuthenticationError(message=BAD_ID_TOKEN) from ex
