"""IMDS, the Azure VM identity endpoint, as msal asks it: ``Metadata: true`` and msal's client headers."""

from __future__ import annotations

import json
import uuid
from typing import Any

from msal.sku import SKU
from msal.sku import __version__ as MSAL_VERSION

from engine import env_vars as ev
from engine.credentials._internal.managed_identity_sources.identity import ManagedIdentity
from engine.host import Host

IMDS_AUTHORITY = "http://169.254.169.254"
IMDS_TOKEN_PATH = "/metadata/identity/oauth2/token"
API_VERSION = "2018-02-01"


def imds_url(env) -> str:
    """``AZURE_POD_IDENTITY_AUTHORITY_HOST`` (or the link-local address) plus the token path."""
    return env.get(ev.AZURE_POD_IDENTITY_AUTHORITY_HOST, IMDS_AUTHORITY).strip("/") + IMDS_TOKEN_PATH


def obtain_token_on_vm(host: Host, http_client: Any, identity: ManagedIdentity, resource: str) -> dict:
    """msal's IMDS request; a non-JSON body raises JSONDecodeError, an error body is returned as is."""
    params = identity.add_parameter({"api-version": API_VERSION, "resource": resource})
    response = http_client.get(
        imds_url(host.env),
        params=params,
        headers={
            "Metadata": "true",
            "x-client-SKU": SKU,
            "x-client-Ver": MSAL_VERSION,
            "x-ms-client-request-id": str(uuid.uuid4()),
        },
    )
    payload = json.loads(response.text)
    if payload.get("access_token") and payload.get("expires_in"):
        return {
            "access_token": payload["access_token"],
            "expires_in": int(payload["expires_in"]),
            "resource": payload.get("resource"),
            "token_type": payload.get("token_type", "Bearer"),
        }
    return payload
