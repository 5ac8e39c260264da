"""Reading what az, azd and pwsh print: tokens, expiry times, azd's JSON-lines errors, and masking.

Each parser performs the same Python operations as azure-identity's, so odd output fails the same
way: a parse returns None where azure-identity's does (KeyError, ValueError), and lets anything else
(a TypeError for a JSON list, say) escape exactly as azure-identity lets it escape.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

MASK = "****"

AZ_EXPIRES_ON_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
AZD_EXPIRES_ON_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
PWSH_TOKEN_PREFIX = "azsdk%"

# azure-identity's patterns (one space after the colon, as the tools print it) ...
_AZ_TOKEN = re.compile(r"\"accessToken\": \"(.*?)(\"|$)")
_AZD_TOKEN = re.compile(r"\"token\": \"(.*?)(\"|$)")
# ... and a wider net for spacings azure-identity's pattern misses, where its message would show
# the token. We never show one, so only those (leaking) messages differ from azure-identity's.
_AZ_TOKEN_ANY_SPACING = re.compile(r"\"accessToken\"\s*:\s*\"(.*?)(\"|$)")
_AZD_TOKEN_ANY_SPACING = re.compile(r"\"token\"\s*:\s*\"(.*?)(\"|$)")


def sanitize_az(output: str) -> str:
    """Azure CLI output with every ``"accessToken": "..."`` replaced by ``****``."""
    return _AZ_TOKEN_ANY_SPACING.sub(MASK, _AZ_TOKEN.sub(MASK, output))


def sanitize_azd(output: str) -> str:
    """Azure Developer CLI output with every ``"token": "..."`` replaced by ``****``."""
    return _AZD_TOKEN_ANY_SPACING.sub(MASK, _AZD_TOKEN.sub(MASK, output))


def parse_az_token(output: str) -> tuple[object, int] | None:
    """``(accessToken, expires_on)`` from ``az account get-access-token`` JSON, or None.

    ``expires_on`` (epoch, int or numeric string; az 2.54+) wins; otherwise ``expiresOn`` is a
    naive local time, converted with this machine's time zone as azure-identity does.
    """
    try:
        token = json.loads(output)
        if "expires_on" in token:
            return token["accessToken"], int(token["expires_on"])
        dt = datetime.strptime(token["expiresOn"], AZ_EXPIRES_ON_FORMAT)
        return token["accessToken"], int(dt.timestamp())
    except (KeyError, ValueError):
        return None


def parse_azd_token(output: str) -> tuple[object, int] | None:
    """``(token, expires_on)`` from ``azd auth token`` JSON, or None.

    azd prints UTC with a ``Z``, but azure-identity parses it as naive local time; so do we.
    """
    try:
        token = json.loads(output)
        dt = datetime.strptime(token["expiresOn"], AZD_EXPIRES_ON_FORMAT)
        return token["token"], int(dt.timestamp())
    except (KeyError, ValueError):
        return None


def extract_azd_error(output: str) -> str | None:
    """The one message worth showing from azd's JSON-lines error output, masked; None if there is none.

    azd 1.23.7+ writes ``{"error": "..."}`` (preferred); older versions write
    ``{"type": "consoleMessage", "data": {"message": "ERROR: ..."}}`` (first non-empty one wins).
    """
    fallback: str | None = None
    for line in output.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(obj, dict):
            continue
        err = obj.get("error")
        if isinstance(err, str) and err.strip():
            return sanitize_azd(err.strip())
        if fallback is None:
            data = obj.get("data")
            if isinstance(data, dict):
                msg = data.get("message")
                if isinstance(msg, str) and msg.strip():
                    fallback = msg.strip()
    return sanitize_azd(fallback) if fallback else None


def parse_pwsh_token(output: str) -> tuple[str, int] | None:
    """``(token, expires_on)`` from the first ``azsdk%<token>%<expiry>`` word of the script's output.

    None when no word starts with the prefix. A malformed marker raises ValueError (wrong field
    count, non-integer expiry) as azure-identity's unpacking does; its text never holds the token.
    """
    for word in output.split():
        if word.startswith(PWSH_TOKEN_PREFIX):
            _, token, expires_on = word.split("%")
            return token, int(expires_on)
    return None
