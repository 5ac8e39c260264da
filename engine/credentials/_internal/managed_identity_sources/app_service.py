"""App Service and Functions: ``IDENTITY_ENDPOINT`` with the ``X-IDENTITY-HEADER`` secret (api 2019-08-01)."""

from __future__ import annotations

import json
from typing import Any

from engine.credentials._internal.managed_identity_sources.identity import (
    CLIENT_ID,
    OBJECT_ID,
    RESOURCE_ID,
    ManagedIdentity,
)
from engine.credentials._internal.request_helpers import expires_on_answer
from engine.host import Host

API_VERSION = "2019-08-01"
# App Service spells the resource id "mi_res_id".
PARAMETERS = {CLIENT_ID: "client_id", RESOURCE_ID: "mi_res_id", OBJECT_ID: "object_id"}


def obtain_token_on_app_service(
    host: Host, http_client: Any, endpoint: str, identity_header: str, identity: ManagedIdentity, resource: str
) -> dict:
    """msal's App Service request; any non-token JSON becomes ``invalid_scope`` with "{statusCode}, {message}"."""
    params = identity.add_parameter({"api-version": API_VERSION, "resource": resource}, PARAMETERS)
    response = http_client.get(
        endpoint, params=params, headers={"X-IDENTITY-HEADER": identity_header, "Metadata": "true"}
    )
    payload = json.loads(response.text)
    token = expires_on_answer(payload, host.time())
    if token is not None:
        return token
    return {
        "error": "invalid_scope",
        "error_description": f"{payload.get('statusCode')}, {payload.get('message')}",
    }
