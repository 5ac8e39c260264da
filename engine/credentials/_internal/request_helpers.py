"""What a token request carries in and what its answer may show: the one resource its scope names, an answer with tokens masked."""

from __future__ import annotations

from typing import Any

from engine.validation import resource_of

EXACTLY_ONE_SCOPE = "This credential requires exactly one scope per token request."


def mask_tokens(payload: Any) -> Any:
    """A JSON answer with its token values replaced, for messages that print the answer."""
    if isinstance(payload, dict):
        return {k: ("***" if k in ("access_token", "refresh_token") else v) for k, v in payload.items()}
    return payload


def expires_on_answer(payload: dict, now: float) -> dict | None:
    """msal's reading of an answer that dates its token by ``expires_on`` (App Service, Azure ML), or None."""
    if not (payload.get("access_token") and payload.get("expires_on")):
        return None
    return {
        "access_token": payload["access_token"],
        "expires_in": int(payload["expires_on"]) - int(now),
        "resource": payload.get("resource"),
        "token_type": payload.get("token_type", "Bearer"),
    }


def scopes_to_resource(*scopes: str) -> str:
    """The v1 resource of exactly one scope (azure-identity's ``_scopes_to_resource``)."""
    if len(scopes) != 1:
        raise ValueError(EXACTLY_ONE_SCOPE)
    return resource_of(scopes[0])
