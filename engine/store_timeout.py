"""Calls into a system secret store (libsecret over D-Bus, the Keychain) with a deadline.

A keyring daemon that is locked behind a prompt nobody sees, or stuck, blocks the calling thread for
ever; azure-identity would wait with it. The call runs on a daemon thread instead: after ``timeout``
seconds (or a cancel) we stop waiting and say so, and the stuck thread is left to the process's exit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from engine import cancellable

STORE_TIMEOUT = 10.0
STORE_STUCK = "{store} did not answer within {timeout:g} s (azure-identity would wait for it for ever); {hint}"
STORE_HINT = "unlock or restart the keyring daemon, or check `secret-tool search` by hand"

T = TypeVar("T")


class StoreTimeout(TimeoutError):
    """The secret store did not answer in time; the message names it and what to do."""


def call_with_timeout(fn: Callable[[], T], store: str, timeout: float | None = None) -> T:
    """``fn()``, or StoreTimeout after ``timeout`` seconds; RunCancelled at once when the run is cancelled."""
    limit = STORE_TIMEOUT if timeout is None else timeout
    try:
        return cancellable.call(fn, timeout=limit, name=f"chainsight-{store}")
    except cancellable.Abandoned:
        raise StoreTimeout(STORE_STUCK.format(store=store, timeout=limit, hint=STORE_HINT)) from None
