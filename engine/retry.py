"""azure-core's retry policy, and IMDS's variant, for the requests credentials send.

How many times a request is repeated, and how long the credential waits in between, is part of
what a user sees (an IMDS that answers 500 costs about 24 s). So the counters, backoff and
Retry-After handling follow azure-core 1.41 exactly; every wait is a recorded "wait" step.
"""

from __future__ import annotations

import datetime
import email.utils
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from engine.transport import HttpResponse, ServiceRequestError, ServiceResponseError

BACKOFF_MAX = 120
# azure-core retries these statuses by default: 408, 429, 500, 502, 503, 504 and every code from 506.
_SAFE_CODES = set(range(506)) - {408, 429, 500, 502, 503, 504}
DEFAULT_RETRY_CODES = frozenset(set(range(999)) - _SAFE_CODES)
DEFAULT_METHODS = frozenset({"HEAD", "GET", "PUT", "DELETE", "OPTIONS", "TRACE"})

# The keyword arguments a credential's constructor forwards to its policy.
RETRY_KEYWORDS = (
    "retry_total",
    "retry_connect",
    "retry_read",
    "retry_status",
    "retry_backoff_factor",
    "retry_backoff_max",
    "retry_mode",
    "retry_on_status_codes",
)


def parse_retry_after(value: str) -> float:
    """Seconds from a Retry-After value: a number, or an HTTP date."""
    try:
        delay = float(value)
    except ValueError:
        when = email.utils.parsedate_to_datetime(value)
        delay = (when - datetime.datetime.now(when.tzinfo)).total_seconds()
    return max(0.0, delay)


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Retry-After in seconds, else retry-after-ms / x-ms-retry-after-ms, else None."""
    lowered = {k.lower(): v for k, v in headers.items()}
    value = lowered.get("retry-after")
    if value:
        return parse_retry_after(value)
    for name in ("retry-after-ms", "x-ms-retry-after-ms"):
        value = lowered.get(name)
        if value:
            return parse_retry_after(value) / 1000.0
    return None


class RetryPolicy:
    """azure-core's RetryPolicy: totals per kind of failure, exponential backoff, Retry-After."""

    def __init__(self, **kwargs: Any) -> None:
        self.total_retries: int = kwargs.get("retry_total", 10)
        self.connect_retries: int = kwargs.get("retry_connect", 3)
        self.read_retries: int = kwargs.get("retry_read", 3)
        self.status_retries: int = kwargs.get("retry_status", 3)
        self.backoff_factor: float = kwargs.get("retry_backoff_factor", 0.8)
        self.backoff_max: float = kwargs.get("retry_backoff_max", BACKOFF_MAX)
        self.fixed = str(kwargs.get("retry_mode", "exponential")).lower() == "fixed"
        self.retry_on_status_codes = frozenset(kwargs.get("retry_on_status_codes") or ()) | DEFAULT_RETRY_CODES

    def configure(self, overrides: Mapping[str, Any], methods: Iterable[str] | None = None) -> dict:
        """The per-request counters; a request may override any of them (the IMDS probe sends retry_total=0)."""
        return {
            "total": overrides.get("retry_total", self.total_retries),
            "connect": overrides.get("retry_connect", self.connect_retries),
            "read": overrides.get("retry_read", self.read_retries),
            "status": overrides.get("retry_status", self.status_retries),
            "backoff": overrides.get("retry_backoff_factor", self.backoff_factor),
            "max_backoff": overrides.get("retry_backoff_max", self.backoff_max),
            "methods": frozenset(methods) if methods is not None else DEFAULT_METHODS,
            "history": 0,
        }

    def backoff_time(self, settings: dict) -> float:
        failures = settings["history"]
        if failures <= 1:
            return 0
        value = settings["backoff"] if self.fixed else settings["backoff"] * (2 ** (failures - 1))
        return min(settings["max_backoff"], value)

    @staticmethod
    def _method_retryable(settings: dict, method: str, response: HttpResponse | None = None) -> bool:
        if response is not None and method.upper() in ("POST", "PATCH") and response.status_code in (500, 503, 504):
            return True
        return method.upper() in settings["methods"]

    def is_retry(self, settings: dict, method: str, response: HttpResponse) -> bool:
        if response.status_code < 400:
            return False
        if response.headers.get("Retry-After"):
            return True
        if not self._method_retryable(settings, method, response):
            return False
        return bool(settings["total"]) and response.status_code in self.retry_on_status_codes

    @staticmethod
    def _exhausted(settings: dict) -> bool:
        # azure-core ignores counters that are exactly 0 here (filter(None, ...)).
        counts = [c for c in (settings["total"], settings["connect"], settings["read"], settings["status"]) if c]
        return bool(counts) and min(counts) < 0

    def increment(
        self, settings: dict, response: HttpResponse | None = None, error: BaseException | None = None
    ) -> bool:
        """Count one failure; True while another attempt is allowed."""
        settings["total"] -= 1
        if response is not None and response.status_code == 202:
            return False
        if isinstance(error, ServiceRequestError):
            settings["connect"] -= 1
        elif isinstance(error, ServiceResponseError):
            settings["read"] -= 1
        elif response is not None:
            settings["status"] -= 1
        settings["history"] += 1
        return not self._exhausted(settings)

    def run(
        self,
        send: Callable[[], HttpResponse],
        *,
        method: str,
        sleep: Callable[[float], None],
        methods: Iterable[str] | None = None,
        overrides: Mapping[str, Any] | None = None,
    ) -> HttpResponse:
        """Send until a response needs no retry or the counters run out; transport errors re-raise at the end."""
        settings = self.configure(overrides or {}, methods)
        while True:
            try:
                response = send()
            except (ServiceRequestError, ServiceResponseError) as err:
                if self._method_retryable(settings, method) and self.increment(settings, error=err):
                    self._sleep_backoff(settings, sleep)
                    continue
                raise
            if self.is_retry(settings, method, response) and self.increment(settings, response=response):
                delay = retry_after(response.headers)
                if delay:
                    sleep(delay)
                else:
                    self._sleep_backoff(settings, sleep)
                continue
            return response

    def _sleep_backoff(self, settings: dict, sleep: Callable[[float], None]) -> None:
        backoff = self.backoff_time(settings)
        if backoff > 0:
            sleep(backoff)


class ImdsRetryPolicy(RetryPolicy):
    """IMDS backs off 2.5x after a 410 (the instance is still booting), 0.8x otherwise."""

    BACKOFF_FACTOR_FOR_410 = 2.5

    def is_retry(self, settings: dict, method: str, response: HttpResponse) -> bool:
        settings["backoff"] = self.BACKOFF_FACTOR_FOR_410 if response.status_code == 410 else self.backoff_factor
        return super().is_retry(settings, method, response)
