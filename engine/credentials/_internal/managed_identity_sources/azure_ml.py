"""Azure Machine Learning: ``MSI_ENDPOINT`` with the ``MSI_SECRET`` header (api 2017-09-01, ``clientid``)."""

from __future__ import annotations

import json
from typing import Any

from engine.credentials._internal.managed_identity_sources.identity import ManagedIdentity
from engine.credentials._internal.request_helpers import expires_on_answer, mask_tokens
from engine.host import Host

API_VERSION = "2017-09-01"


def obtain_token_on_machine_learning(
    host: Host, http_client: Any, endpoint: str, secret: str, identity: ManagedIdentity, resource: str
) -> dict:
    """msal's Azure ML request: this API version names the client id ``clientid``."""
    params = identity.add_parameter({"api-version": API_VERSION, "resource": resource})
    if "client_id" in params:
        params["clientid"] = params.pop("client_id")
    response = http_client.get(endpoint, params=params, headers={"secret": secret})
    payload = json.loads(response.text)
    token = expires_on_answer(payload, host.time())
    if token is not None:
        return token
    # msal prints the whole payload; a token in it is masked here (msal would print it).
    return {"error": "invalid_scope", "error_description": f"{mask_tokens(payload)}"}
