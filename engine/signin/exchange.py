"""What went to the authority and what came back, as tables with every one-time secret masked.

The authorization request keeps its parameters (authority, client_id, redirect_uri, scope, ...) but masks
state, nonce and code_challenge; the redirect received masks the code. The masked forms keep a short prefix so
two attempts can be told apart, never enough to replay anything.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

MASKED_REQUEST = ("state", "nonce", "code_challenge")
MASKED_REDIRECT = ("code", "state", "session_state", "client_info")
REQUEST_FIELDS = (
    "authority",
    "client_id",
    "redirect_uri",
    "scope",
    "response_type",
    "response_mode",
    "prompt",
    "login_hint",
    "domain_hint",
    "claims",
    "code_challenge_method",
    "state",
    "nonce",
    "code_challenge",
)
REDIRECT_FIELDS = ("code", "state", "session_state", "client_info", "error", "error_description", "error_uri")


def mask(value: str) -> str:
    """'abcd…(43 chars)': enough to tell values apart, not to use them."""
    return f"{value[:4]}…({len(value)} chars)" if value else ""


def authorize_request(url: str) -> dict[str, str]:
    """The authorization request's parameters (state, nonce, challenge masked) plus the authority it went to."""
    parts = urllib.parse.urlsplit(url)
    params = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    tenant_path = parts.path.split("/oauth2/", 1)[0]
    table = {"authority": f"{parts.scheme}://{parts.netloc}{tenant_path}"}
    for key in REQUEST_FIELDS[1:]:
        if key in params:
            table[key] = mask(params[key]) if key in MASKED_REQUEST else params[key]
    return table


def masked_url(url: str) -> str:
    """The URL Copy URL gives: the same request with state, nonce and code_challenge masked."""
    parts = urllib.parse.urlsplit(url)
    params = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    shown = [(k, mask(v) if k in MASKED_REQUEST else v) for k, v in params]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(shown, safe="…()/:")))


def redirect_received(fields: dict[str, Any]) -> dict[str, str]:
    """The redirect's fields: the code (and state) masked; error, error_description and error_uri as sent."""
    table = {}
    for key in REDIRECT_FIELDS:
        if key in fields:
            value = fields[key] if isinstance(fields[key], str) else " ".join(map(str, fields[key]))
            table[key] = mask(value) if key in MASKED_REDIRECT else value
    return table
