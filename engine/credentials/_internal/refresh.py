"""When a cached token is used, refreshed, or must be replaced: azure-identity's GetTokenMixin rules."""

from __future__ import annotations

import enum

from engine.constants import REFRESH_OFFSET
from engine.token import AccessToken

# After a request, don't ask again for this many seconds, even if a refresh is recommended.
RETRY_DELAY = 30


class RefreshStatus(enum.Enum):
    REQUIRED = "required"  # no usable token: request one, errors propagate
    RECOMMENDED = "recommended"  # still valid but ageing: request one, fall back to the old on error
    NOT_NEEDED = "not_needed"


def refresh_status(token: AccessToken | None, last_request_time: int, now: int) -> RefreshStatus:
    """azure-identity's ``get_refresh_status`` at time ``now`` (whole seconds)."""
    if token is None or now >= token.expires_on:
        return RefreshStatus.REQUIRED
    if now - last_request_time < RETRY_DELAY:
        return RefreshStatus.NOT_NEEDED
    if token.refresh_on is not None and now >= token.refresh_on:
        return RefreshStatus.RECOMMENDED
    if token.expires_on - now <= REFRESH_OFFSET:
        return RefreshStatus.RECOMMENDED
    return RefreshStatus.NOT_NEEDED
