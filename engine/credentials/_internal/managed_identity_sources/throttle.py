"""msal's managed-identity throttle: a 429/5xx answer (or one with Retry-After) is replayed for a while, not resent."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from engine.host import Host

THROTTLE_DEFAULT = 5
THROTTLE_MAX = 3600


class _Replayed:
    """A response msal's throttle kept: status, text and lower-cased headers."""

    def __init__(self, response: Any) -> None:
        self.status_code = response.status_code
        self.text = response.text
        self.headers = {k.lower(): v for k, v in response.headers.items()}


class ThrottledClient:
    """msal's managed-identity throttle: a GET answered 429/5xx (or with Retry-After) is replayed, not resent.

    The answer is kept for Retry-After seconds (5 when absent or unparseable, at most 3600), keyed
    by endpoint and parameters, so a second call within that time makes no request at all.
    """

    def __init__(self, http_client: Any, host: Host) -> None:
        self.http_client = http_client
        self._host = host
        self._kept: dict[str, tuple[float, _Replayed]] = {}

    def get(self, url: str, params: Mapping | None = None, data: Any = None, **kwargs: Any) -> _Replayed:
        digest = hashlib.sha256(repr(str(params) + str(data)).encode()).hexdigest()
        key = f"REQ {url} hash={digest} 429/5xx/Retry-After"
        now = self._host.time()
        kept = self._kept.get(key)
        if kept and kept[0] > now:
            return kept[1]
        response = _Replayed(self.http_client.get(url, params=params, **kwargs))
        seconds = _throttle_seconds(response)
        if seconds > 0:
            self._kept[key] = (now + seconds, response)
        return response

    def post(self, *args: Any, **kwargs: Any) -> _Replayed:
        return _Replayed(self.http_client.post(*args, **kwargs))

    def close(self) -> None:
        self.http_client.close()


def _throttle_seconds(response: _Replayed) -> int:
    if not (response.status_code == 429 or response.status_code >= 500 or "retry-after" in response.headers):
        return 0
    try:
        seconds = int(response.headers.get("retry-after", THROTTLE_DEFAULT))
    except ValueError:
        seconds = THROTTLE_DEFAULT
    return min(THROTTLE_MAX, seconds)
